"""What-if staffing: a calibrated Monte Carlo simulation of the SENDCo's school year.

A ratio of hours (:mod:`sendlib.rules.capacity`) says whether the SENDCo's protected time covers
the meetings owed; it cannot say how late replies get when the week is lumpy, or which
reviews fall off the end of a term. This module simulates the rest of the school year (or
a whole year) school day by school day, many times over, under *scenarios*: changes to
the school's baseline such as another SENDCo day, more surgeries, more reviews led by
class teachers, an assistant SENDCo or more requests.

The model, one school day at a time, every run at once (numpy arrays of runs x days):

1. **Requests arrive.** Meeting requests ~ Poisson(rate[month, weekday] x growth), the
   rate fitted from the school's own ``requests.csv`` (:func:`fit_arrival_rates`: a
   multiplicative month x weekday model, shrunk towards the year's average where data are
   thin; months not seen yet get the average). Safeguarding and urgent day-to-day requests
   are routed away at once (DOMAIN.md) and never reach the SENDCo's queue; the routed
   share is fitted too. Requests landing on a non-school day count from the next school
   day, exactly as :func:`sendlib.response_times` does.
2. **The diary comes first.** Meetings already booked for the day (reviews, annual
   reviews, request meetings, with preparation and write-up, ``Policy``) and the
   protected surgery slots (booked or not, like :mod:`sendlib.rules.capacity`) take their
   time.
3. **Replies, by chance and by time.** A reply often needs something first (a word with
   the class teacher, the file, a call home), so each day every waiting request is
   *ready* with chance ``1 - (1 - READY_PER_FREE_DAY) ** (free / day)``: free is the
   protected time the diary leaves that day, day the school's protected minutes a day.
   A day with nothing booked gives :data:`READY_PER_FREE_DAY`; a half-booked day, half a
   day's chance; a day the SENDCo does not work, none. Ready requests are answered oldest
   first, :data:`ACK_MINUTES` each, within :data:`REPLY_SHARE` of the free time (the rest
   goes on SEND work that is in no table here: assessments, referrals, advice). Spells
   when the SENDCo (or an assistant) answers nothing at all (illness, a course, a crisis,
   cover) take :data:`DISRUPTED_SHARE` of days, :data:`DISRUPTION_SPELL_DAYS` long on
   average. More protected time, fewer booked meetings or a second person therefore mean
   quicker replies; more requests only matter once the time for replies runs out.
4. **On time** is exactly DOMAIN.md's: school days from the effective receipt day to the
   reply at most ``acknowledge_within_school_days``.
5. **Meetings are booked.** A share of replied requests needs a meeting (fitted). It is
   booked at the first day with room after a lead time drawn from the school's own record
   (days from reply to meeting), or into the first free surgery slot for the share the
   school holds at surgeries; surgery slots are also taken by parents booking directly
   (rate fitted). Termly reviews the SENDCo leads (the school's observed share, or the
   scenario's) are released evenly through each term with five school days' notice and
   booked into the same diary; a review that finds no room before the term ends is
   missed. Reviews led by class teachers take no SENDCo time and are assumed held.
   Annual reviews are invited six weeks before their deadline and booked at least two
   weeks after the invitation (SEND Regulations 2014, reg. 20); booked after the deadline,
   or not by the year's end, they are late. Bookings fill at most :data:`BOOKABLE_SHARE`
   of each day's protected time beyond surgeries, so replies always have some room.

The year starts from the school's state as of the date: requests still open, meetings
already scheduled in ``meetings.csv`` (assumed held), meetings held so far per pupil
(:func:`sendlib.review_coverage`) and annual reviews due (:func:`sendlib.annual_reviews`).
The SENDCo's share of termly reviews is the one :func:`sendlib.rules.capacity.capacity`
observes.

Results per scenario, each with a 10-90% band over the runs: share of requests
acknowledged on time, median school days from request to meeting, share of registered
pupils reaching three counting meetings by the year's end, annual reviews late, SENDCo
utilisation (meetings, surgeries, preparation, write-up and replies over protected
minutes, as in :mod:`sendlib.rules.capacity`; other SEND work is not in it) and requests waiting at
the year's end (no reply yet, or a meeting still to come).

Assumptions kept deliberately simple (and stated in the report): the register is fixed
at the date (no new pupils), booked meetings are held (no cancellations or
non-attendance), every counting meeting of a class-teacher-led review happens, request
meetings are for registered pupils at the fitted share and spread evenly over them, an
assistant SENDCo's minutes can do any of this work except surgeries.

Calibration. Two constants, :data:`READY_PER_FREE_DAY` and :data:`DISRUPTED_SHARE`, were
set once by hand against both sample schools together, so that a replay of each school's
first term (its recorded requests arriving on their recorded days, everything else
simulated: :func:`back_test`) reproduces its observed on-time share within
:data:`BACK_TEST_TOLERANCE`. They are not refitted per school. Two schools and two
constants make the first-term back-test a calibration check, not an independent test;
the replay of the spring term to date (:func:`back_test` with ``term="Spring 2026"``),
which the constants were not set on, is the out-of-sample check. The queue mechanics (oldest first, waits
counted in whole steps) are checked against the M/M/c formula through
:func:`simulate_queue`, which uses the same serving core.

Determinism: each scenario draws from ``numpy.random.Generator(PCG64(...))`` seeded by
``SeedSequence([seed, crc32(scenario name)])``, so results depend on the seed and the
scenario's name, never on the order of the scenarios.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import math
import tomllib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sendlib.school.asof import school_year
from sendlib.school.calendar import WEEKDAYS
from sendlib.rules.capacity import capacity
from sendlib.rules.annual_reviews import annual_reviews
from sendlib.rules.meetings import review_coverage
from sendlib.school.load import School
from sendlib.rules.requests import response_summary, response_times
from sendlib.school.schema import COUNTING_KINDS

#: The repository root: relative scenario files are looked up there too (like school folders).
REPOSITORY = Path(__file__).resolve().parents[3]

# ------------------------------------------------------------------ model constants

#: SENDCo minutes to read, check the record, reply to and log one request.
ACK_MINUTES = 15
#: Share of the time the diary leaves that goes on replies; the rest is other SEND work.
REPLY_SHARE = 0.5
#: A reply often needs something first (a word with the class teacher, the file, a call):
#: a waiting request is ready to answer with this chance on a day whose protected time is
#: all free, and with the chance of a fraction of a day when part of it is booked
#: (1 - (1 - p) ** (free minutes / the school's protected minutes a day)).
READY_PER_FREE_DAY = 0.45
#: Spells when the SENDCo (or an assistant) writes no replies at all: illness, a course,
#: a crisis, cover. Share of school days in such a spell, and a spell's mean length.
DISRUPTED_SHARE = 0.1
DISRUPTION_SPELL_DAYS = 3.0
#: Bookings fill at most this share of a day's protected time outside surgeries.
BOOKABLE_SHARE = 0.6
#: School days' notice for a termly review; the last two weeks of a term are a buffer.
REVIEW_NOTICE_DAYS = 5
REVIEW_BUFFER_DAYS = 10
#: Annual reviews: invitations six weeks before the deadline, the meeting at least two
#: weeks after the invitations (SEND Regulations 2014, reg. 20).
ANNUAL_REVIEW_INVITE_DAYS = 42
ANNUAL_REVIEW_NOTICE_DAYS = 14
#: A surgery slot can be booked from the next school day; after this many school days
#: without a free slot the meeting goes in the diary instead.
SURGERY_SEARCH_DAYS = 15
#: The largest share of request meetings held at surgeries, however many there are.
MAX_SURGERY_SHARE = 0.9
#: Requests acknowledged at least this many school days before the date tell us whether
#: they led to a meeting (younger ones may still).
SETTLED_DAYS = 20
#: Pseudo-count shrinking thin months and weekdays towards the average rate.
RATE_PRIOR_REQUESTS = 10.0
#: Back-test: simulated median on-time share within this of the observed (absolute).
BACK_TEST_TOLERANCE = 0.10
#: Defaults when a school has too little history.
DEFAULT_MEETING_SHARE = 0.4
DEFAULT_SURGERY_SHARE = 0.2
DEFAULT_LEADS = tuple(range(3, 16))
#: Fewer school days or requests than this to fit from: the report says to take care.
THIN_HISTORY = 20
#: Longest wait kept exactly in the days-to-meeting histogram (longer are clipped).
MAX_WAIT_DAYS = 250

METRICS = {
    "on_time_share": "Requests acknowledged within 5 school days",
    "median_days_to_meeting": "Median school days from request to meeting",
    "three_meetings_share": "Registered pupils with three meetings by year end",
    "annual_reviews_late": "Annual reviews late",
    "utilisation": "SENDCo utilisation",
    "backlog_year_end": "Requests waiting at year end",
}
#: How each metric is written: share (a percentage), days or count.
METRIC_KIND = {
    "on_time_share": "share",
    "median_days_to_meeting": "days",
    "three_meetings_share": "share",
    "annual_reviews_late": "count",
    "utilisation": "share",
    "backlog_year_end": "count",
}
#: Short names for the comparison sentences.
METRIC_PHRASE = {
    "on_time_share": "on-time acknowledgements",
    "median_days_to_meeting": "median school days to a meeting",
    "three_meetings_share": "pupils reaching three meetings",
    "annual_reviews_late": "annual reviews late",
    "utilisation": "SENDCo utilisation",
    "backlog_year_end": "requests waiting at year end",
}
#: A change smaller than this in the median is "no material change".
MATERIAL_CHANGE = {"share": 0.01, "days": 1.0, "count": 1.0}


# ------------------------------------------------------------------ scenarios


class ScenarioError(ValueError):
    """A scenario file or list that cannot be used; ``problems`` lists every problem."""

    def __init__(self, problems: list[str], source: str = "scenarios"):
        self.problems = problems
        self.source = source
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class Scenario:
    """A set of changes to the school's baseline; ``None`` or 0 keeps what the school has.

    ``extra_sendco_days`` adds weekdays the SENDCo does not yet work (Monday first); where
    the SENDCo already works every weekday, each extra day is added as protected hours
    spread over the week instead (capped at the length of the working day).
    """

    name: str
    label: str = ""
    #: The SENDCo's working weekdays, replacing the school's, e.g. ("mon", "tue", "wed").
    sendco_days: tuple[str, ...] | None = None
    extra_sendco_days: int = 0
    #: Protected SEND hours per working day.
    send_hours_per_day: float | None = None
    #: An assistant SENDCo (or more assistant time): days a week and hours a day.
    assistant_days_per_week: int = 0
    assistant_hours_per_day: float | None = None
    surgeries_per_week: int | None = None
    extra_surgeries_per_week: int = 0
    #: Length of reviews and request meetings; of annual reviews; of a surgery slot.
    meeting_minutes: int | None = None
    annual_review_minutes: int | None = None
    surgery_minutes: int | None = None
    #: Share of termly reviews led by class teachers without the SENDCo (0 to 1).
    class_teacher_led_share: float | None = None
    #: Growth in request volume: 0.2 means 20% more requests than the fitted rate.
    request_growth: float = 0.0

    @property
    def title(self) -> str:
        """The label, or the name in words."""
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def is_baseline(self) -> bool:
        """Whether the scenario changes nothing."""
        return not self.changes

    @property
    def changes(self) -> dict[str, Any]:
        """The keys this scenario sets, with their values."""
        found = {}
        for f in fields(self):
            if f.name in ("name", "label"):
                continue
            value = getattr(self, f.name)
            if value is not None and value != f.default:
                found[f.name] = value
        return found


def _check_int(low: int, high: int):
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"a whole number from {low} to {high}"
        return None

    return check


def _check_number(low: float, high: float, *, open_low: bool = False):
    def check(value: Any) -> str | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and math.isfinite(value):
            if (value > low if open_low else value >= low) and value <= high:
                return None
        return f"a number {'above' if open_low else 'from'} {low:g} {'and at most' if open_low else 'to'} {high:g}"

    return check


def _check_days(value: Any) -> str | None:
    if (
        not isinstance(value, list | tuple)
        or not value
        or any(d not in WEEKDAYS[:5] for d in value)
        or len(set(value)) != len(value)
    ):
        return 'a list of different weekdays such as ["mon", "wed", "thu"]'
    return None


def _check_label(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "some text to show in the report"


#: Every key a scenario may set, with its check (``None`` when the value is fine).
SCENARIO_KEYS = {
    "label": _check_label,
    "sendco_days": _check_days,
    "extra_sendco_days": _check_int(0, 4),
    "send_hours_per_day": _check_number(0, 12, open_low=True),
    "assistant_days_per_week": _check_int(0, 5),
    "assistant_hours_per_day": _check_number(0, 12, open_low=True),
    "surgeries_per_week": _check_int(0, 15),
    "extra_surgeries_per_week": _check_int(-15, 15),
    "meeting_minutes": _check_int(5, 180),
    "annual_review_minutes": _check_int(15, 240),
    "surgery_minutes": _check_int(5, 60),
    "class_teacher_led_share": _check_number(0, 1),
    "request_growth": _check_number(-1, 5, open_low=True),
}
_EXCLUSIVE = (
    ("sendco_days", "extra_sendco_days"),
    ("surgeries_per_week", "extra_surgeries_per_week"),
)


def parse_scenarios(
    spec: Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]], source: str = "scenarios"
) -> list[Scenario]:
    """Scenarios from a mapping of name to changes (a TOML file) or a list of dicts.

    In a list, each dict has a ``name``. Every problem is reported at once (an unknown
    key with the nearest known one, a bad value with what was expected). A scenario that
    changes nothing is the baseline; if there is none, one called ``baseline`` ("As now")
    is put first.
    """
    problems: list[str] = []
    entries: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(spec, Mapping):
        for name, values in spec.items():
            if not isinstance(values, Mapping):
                problems.append(f"[{name}]: a table of changes (found {values!r})")
                continue
            entries.append((str(name), values))
    elif isinstance(spec, Sequence) and not isinstance(spec, str):
        for number, values in enumerate(spec, start=1):
            if not isinstance(values, Mapping):
                problems.append(f"scenario #{number}: a dict of changes (found {values!r})")
                continue
            name = values.get("name")
            if not isinstance(name, str) or not name.strip():
                problems.append(f"scenario #{number}: a 'name'")
                continue
            entries.append((name.strip(), {k: v for k, v in values.items() if k != "name"}))
    else:
        raise ScenarioError(["a table per scenario, or a list of dicts"], source)
    if not entries and not problems:
        problems.append("at least one scenario")
    names = [n for n, _ in entries]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"[{duplicate}]: a different name for each scenario")

    scenarios = []
    for name, values in entries:
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if key not in SCENARIO_KEYS:
                near = difflib.get_close_matches(key, list(SCENARIO_KEYS), n=1)
                hint = f" (did you mean {near[0]}?)" if near else ""
                problems.append(
                    f"[{name}] {key}: unknown key{hint}; known keys: {', '.join(SCENARIO_KEYS)}"
                )
                continue
            why = SCENARIO_KEYS[key](value)
            if why:
                problems.append(f"[{name}] {key} = {value!r}: expected {why}")
                continue
            clean[key] = tuple(value) if key == "sendco_days" else value
        for first, second in _EXCLUSIVE:
            if first in clean and second in clean:
                problems.append(f"[{name}]: set {first} or {second}, not both")
        scenarios.append(Scenario(name=name, **clean))
    if problems:
        raise ScenarioError(problems, source)
    if not any(s.is_baseline for s in scenarios):
        scenarios.insert(0, Scenario(name="baseline", label="As now"))
    return scenarios


def resolve_scenarios_file(path: str | Path) -> Path:
    """A scenarios file as given, or relative to the repository when that is where it is."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return REPOSITORY / candidate


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read scenarios from a TOML file, one table per scenario (see :func:`parse_scenarios`)."""
    file = resolve_scenarios_file(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no scenarios file at {file}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"valid TOML ({exc})"], file.name) from None
    return parse_scenarios(raw, source=file.name)


def baseline_of(scenarios: Sequence[Scenario]) -> Scenario:
    """The first scenario that changes nothing (the one others are compared with)."""
    return next(s for s in scenarios if s.is_baseline)


# ------------------------------------------------------------------ fitting


@dataclass(frozen=True)
class ArrivalRates:
    """Requests per school day by month and weekday, fitted from ``requests.csv``.

    ``rate = base x month_factor[month] x weekday_factor[weekday]``, counted on the
    effective receipt day. Months with no history get the average (factor 1).
    """

    base: float
    month_factor: dict[int, float]
    weekday_factor: tuple[float, float, float, float, float]
    routed_share: float
    requests: int
    school_days: int

    def per_day(self, days: Sequence[dt.date]) -> np.ndarray:
        """Expected requests (all kinds, routed included) on each school day."""
        return np.array(
            [
                self.base * self.month_factor.get(d.month, 1.0) * self.weekday_factor[d.weekday()]
                for d in days
            ]
        )


def fit_arrival_rates(school: School, as_of: dt.date | None = None) -> ArrivalRates:
    """Fit the request rate by month and weekday from the school year up to ``as_of``.

    One pass of a multiplicative model: month factors, then weekday factors given them,
    each shrunk towards 1 by :data:`RATE_PRIOR_REQUESTS` pseudo-requests, then scaled so
    the fitted rate reproduces the number of requests seen. Requests received in the
    summer holiday are left out: they all land on the first school day, once a year.
    """
    year = school_year(school, as_of)
    times = response_times(school, year.as_of).filter(pl.col("received_on") >= year.start)
    seen = school.calendar.school_days(year.start, year.as_of)
    if not seen or times.height == 0:
        return ArrivalRates(0.0, {}, (1.0,) * 5, 0.0, 0, len(seen))
    counts = (
        times.filter(pl.col("effective_on") <= year.as_of)
        .group_by(m=pl.col("effective_on").dt.month(), w=pl.col("effective_on").dt.weekday() - 1)
        .len()
    )
    n = np.zeros((13, 5))
    for m, w, c in counts.iter_rows():
        n[m, w] += c
    exposure = np.zeros((13, 5))
    for d in seen:
        exposure[d.month, d.weekday()] += 1
    total = n.sum()
    base = total / exposure.sum()
    k = RATE_PRIOR_REQUESTS
    month = {
        m: float((n[m].sum() + k) / (base * exposure[m].sum() + k))
        for m in range(1, 13)
        if exposure[m].sum() > 0
    }
    month_exposure = np.array([month.get(m, 1.0) for m in range(13)])[:, None] * exposure
    weekday = (n.sum(0) + k) / (base * month_exposure.sum(0) + k)
    fitted = (base * month_exposure * weekday[None, :]).sum()
    base = base * total / fitted if fitted else base
    routed = (times["status"] == "routed").mean()
    return ArrivalRates(
        base=float(base),
        month_factor=month,
        weekday_factor=tuple(float(w) for w in weekday),
        routed_share=float(routed or 0.0),
        requests=int(total),
        school_days=len(seen),
    )


@dataclass(frozen=True)
class RequestMeetings:
    """What happens after a reply, from the school's record of request meetings."""

    #: Share of (not routed) requests that led to a meeting.
    meeting_share: float
    #: School days from the reply to the first meeting (the empirical distribution).
    leads: tuple[int, ...]
    #: Share of request meetings held at a parent surgery.
    surgery_share: float
    #: Share of requests about a pupil on the register (K or E).
    registered_share: float
    #: Surgery slots booked directly by parents (no request), per school week.
    direct_surgery_bookings_per_week: float


def fit_request_meetings(school: School, as_of: dt.date | None = None) -> RequestMeetings:
    """Fit the meeting share, lead times and surgery use from requests settled by ``as_of``."""
    year = school_year(school, as_of)
    a, calendar = year.as_of, school.calendar
    times = response_times(school, a).filter(pl.col("status") != "routed")
    elapsed = calendar.school_days(year.start, a)
    settled_by = elapsed[-SETTLED_DAYS] if len(elapsed) > SETTLED_DAYS else None
    settled = times.filter(pl.col("acknowledged_on") <= settled_by) if settled_by else times.clear()
    first = (
        school.meetings.filter(
            pl.col("request_id").is_not_null() & (pl.col("starts_at").dt.date() <= a)
        )
        .sort("starts_at")
        .group_by("request_id", maintain_order=True)
        .first()
        .select(
            "request_id",
            meeting_kind=pl.col("kind"),
            day=pl.col("starts_at").dt.date(),
        )
    )
    linked = settled.join(first, on="request_id", how="inner")
    share = linked.height / settled.height if settled.height >= 10 else DEFAULT_MEETING_SHARE
    if linked.height >= 5:
        taken = calendar.school_days_taken_series(linked["acknowledged_on"], linked["day"])
        leads = tuple(max(1, int(x)) for x in taken)
        surgery = float((linked["meeting_kind"] == "surgery").mean())
    else:
        leads, surgery = DEFAULT_LEADS, DEFAULT_SURGERY_SHARE
    registered = school.pupils.filter(pl.col("sen_status").is_in(["K", "E"]))["pupil_id"]
    reg_share = times["pupil_id"].is_in(registered.implode()).mean() if times.height else 1.0
    direct = school.meetings.filter(
        (pl.col("kind") == "surgery")
        & pl.col("pupil_id").is_not_null()
        & pl.col("request_id").is_null()
        & pl.col("status").is_in(["held", "did_not_attend", "scheduled"])
        & pl.col("starts_at").dt.date().is_between(year.start, a)
    ).height
    weeks = max(len(elapsed) / 5, 1.0)
    return RequestMeetings(
        meeting_share=float(share),
        leads=leads,
        surgery_share=float(surgery),
        registered_share=float(reg_share),
        direct_surgery_bookings_per_week=direct / weeks,
    )


@dataclass(frozen=True)
class SchoolModel:
    """Everything the simulation takes from the school: calendar, rates, state, diary.

    Day arrays run over every school day of the year (index 0 is the first); the
    simulation runs from ``first`` to ``last`` inclusive.
    """

    school: School
    as_of: dt.date
    days: tuple[dt.date, ...]
    first: int
    last: int
    rates: ArrivalRates
    request_meetings: RequestMeetings
    #: The school's SENDCo review share (the observed share of held reviews attended).
    sendco_review_share: float
    #: Effective-day index of each request still open at the start (not routed).
    open_requests: np.ndarray
    #: Diary: SENDCo minutes already booked per day; surgery slots already taken per day.
    booked_minutes: np.ndarray
    surgery_taken: np.ndarray
    #: Registered pupils: counting meetings so far (including scheduled ones ahead).
    meetings_so_far: np.ndarray
    #: Per term index: bool mask of registered pupils owed a review in it.
    review_need: dict[int, np.ndarray]
    #: Annual reviews to hold: pupil index, release day, earliest day, deadline day
    #: (index; -1 before the first day), and booked day when already in the diary (-1).
    annual_reviews: np.ndarray
    annual_reviews_overdue_at_start: int
    #: Fixed arrivals (replays): per day, requests needing a meeting and not.
    fixed_arrivals: tuple[np.ndarray, np.ndarray] | None = None
    #: On-time share counts requests from this effective-day index on (a back-test's term).
    measure_from: int = 0
    term_of_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    term_names: tuple[str, ...] = ()

    @property
    def simulated_days(self) -> tuple[dt.date, ...]:
        """The school days the simulation covers."""
        return self.days[self.first : self.last + 1]


def _day_index(days: Sequence[dt.date], day: dt.date, side: str = "left") -> int:
    """Index of the first school day on or after ``day`` (``side='right'``: after)."""
    return (bisect.bisect_left if side == "left" else bisect.bisect_right)(days, day)


def fit_model(
    school: School,
    as_of: dt.date | None = None,
    *,
    from_start: bool = False,
    until: dt.date | None = None,
    recorded_arrivals: bool = False,
) -> SchoolModel:
    """Fit the simulation's inputs from the school as of ``as_of``.

    ``from_start`` simulates the whole school year from its first day (an empty diary,
    nobody met yet) with rates fitted from the data up to ``as_of``; otherwise the rest
    of the year after ``as_of`` from the school's state on that date. ``until`` ends the
    simulation early (default: the last day of the year). ``recorded_arrivals`` replays
    the requests actually recorded (a back-test) instead of drawing them.
    """
    year = school_year(school, as_of)
    a, calendar, policy = year.as_of, school.calendar, school.policy
    days = tuple(calendar.school_days(year.start, year.end))
    start_state = year.start - dt.timedelta(days=1) if from_start else a
    start_state = max(start_state, calendar.covers_from)
    first = _day_index(days, start_state, side="right")
    last = len(days) - 1 if until is None else _day_index(days, until, side="right") - 1
    if first > last:
        raise ValueError(
            f"nothing to simulate: no school day after {start_state:%d %b %Y} "
            f"up to {(until or year.end):%d %b %Y}"
        )
    rates = fit_arrival_rates(school, a)
    request_meetings = fit_request_meetings(school, a)
    share = capacity(school, a).summary["observed_sendco_review_share"]

    n_days = len(days)
    term_of_day = np.array(
        [next(i for i, t in enumerate(year.terms) if t.start <= d <= t.end) for d in days]
    )

    # Requests still open when the simulation starts.
    if from_start:
        open_requests = np.zeros(0, dtype=int)
    else:
        times = response_times(school, a)
        open_days = times.filter(pl.col("status").is_in(["open_overdue", "open_not_due"]))[
            "effective_on"
        ]
        open_requests = np.array([_day_index(days, d) for d in open_days], dtype=int)

    # The diary: meetings already scheduled after the start (only when starting mid-year).
    booked = np.zeros(n_days)
    surgery_taken = np.zeros(n_days, dtype=int)
    coverage = review_coverage(school, start_state)
    pupil_ids = coverage["pupil_id"].to_list()
    position = {p: i for i, p in enumerate(pupil_ids)}
    meetings_so_far = coverage["meetings_this_year"].to_numpy().astype(np.int16)
    scheduled_in_term: dict[int, set[int]] = {}
    ar_in_diary: dict[str, int] = {}
    if not from_start:
        diary = school.meetings.filter(
            (pl.col("status") == "scheduled")
            & (pl.col("starts_at").dt.date() > a)
            & (pl.col("starts_at").dt.date() <= year.end)
        ).with_columns(day=pl.col("starts_at").dt.date())
        overhead = policy.preparation_minutes + policy.write_up_minutes
        for row in diary.iter_rows(named=True):
            i = _day_index(days, row["day"])
            if i >= n_days:
                continue
            if row["sendco_attended"]:
                if row["kind"] == "surgery":
                    surgery_taken[i] += 1
                    booked[i] += policy.write_up_minutes
                else:
                    booked[i] += row["minutes"] + overhead
            p = position.get(row["pupil_id"])
            if p is not None and row["kind"] in COUNTING_KINDS:
                meetings_so_far[p] += 1
                scheduled_in_term.setdefault(int(term_of_day[i]), set()).add(p)
            if row["kind"] == "annual_review" and row["pupil_id"] is not None:
                ar_in_diary[row["pupil_id"]] = i

    # Termly reviews owed, per term from the start.
    current = None if from_start else year.current_term
    review_need: dict[int, np.ndarray] = {}
    for ti, term in enumerate(year.terms):
        if term.end < start_state or not any(term_of_day[first : last + 1] == ti):
            continue
        if current is not None and term == current:
            need = coverage["meetings_this_term"].to_numpy() == 0
        else:
            need = np.ones(len(pupil_ids), dtype=bool)
        for p in scheduled_in_term.get(ti, ()):
            need[p] = False
        review_need[ti] = need

    # Annual reviews with a deadline by the year's end.
    reviews = annual_reviews(school, start_state).filter(pl.col("deadline_on") <= year.end)
    overdue = int((reviews["deadline_on"] < start_state).sum())
    rows = []
    for row in reviews.iter_rows(named=True):
        deadline = row["deadline_on"]
        release = max(
            start_state + dt.timedelta(days=1),
            deadline - dt.timedelta(days=ANNUAL_REVIEW_INVITE_DAYS),
        )
        earliest = release + dt.timedelta(days=ANNUAL_REVIEW_NOTICE_DAYS)
        deadline_index = _day_index(days, deadline, side="right") - 1
        rows.append(
            (
                position.get(row["pupil_id"], -1),
                max(_day_index(days, release), first),
                _day_index(days, earliest),
                deadline_index,
                ar_in_diary.get(row["pupil_id"], -1),
                int(deadline < start_state),
            )
        )
    ar = np.array(rows, dtype=int).reshape(-1, 6)

    fixed = None
    if recorded_arrivals:
        times = response_times(school, a).filter(pl.col("status") != "routed")
        met = times["first_meeting_on"].is_not_null().to_numpy()
        idx = np.array([_day_index(days, d) for d in times["effective_on"]], dtype=int)
        fixed = (
            np.bincount(idx[met], minlength=n_days + 1)[:n_days],
            np.bincount(idx[~met], minlength=n_days + 1)[:n_days],
        )
    return SchoolModel(
        school=school,
        as_of=a,
        days=days,
        first=first,
        last=last,
        rates=rates,
        request_meetings=request_meetings,
        sendco_review_share=float(share),
        open_requests=open_requests,
        booked_minutes=booked,
        surgery_taken=surgery_taken,
        meetings_so_far=meetings_so_far,
        review_need=review_need,
        annual_reviews=ar,
        annual_reviews_overdue_at_start=overdue,
        fixed_arrivals=fixed,
        term_of_day=term_of_day,
        term_names=tuple(t.name for t in year.terms),
    )


# ------------------------------------------------------------------ a scenario's plan


@dataclass(frozen=True)
class Plan:
    """A scenario applied to a school: per-day minutes, slots and costs."""

    scenario: Scenario
    capacity_minutes: np.ndarray
    sendco_minutes: np.ndarray
    assistant_minutes: np.ndarray
    surgery_slots: np.ndarray
    surgery_reserved: np.ndarray
    bookable: np.ndarray
    meeting_cost: float
    annual_review_cost: float
    surgery_write_up: float
    sendco_review_share: float
    request_rate: np.ndarray
    meeting_share: float
    direct_take: float
    surgery_share: float
    working_days: tuple[str, ...]
    hours_per_day: float
    surgeries_per_week: int
    notes: tuple[str, ...] = ()


def plan_scenario(model: SchoolModel, scenario: Scenario) -> Plan:
    """Turn a scenario's changes into the per-day inputs of the simulation.

    Raises:
        ScenarioError: when a change does not fit the school (hours longer than the
            working day, fewer than no surgeries).
    """
    school = model.school
    pattern, policy = school.config.sendco, school.policy
    problems, notes = [], []
    day_length = (
        dt.datetime.combine(dt.date.min, pattern.day_ends)
        - dt.datetime.combine(dt.date.min, pattern.day_starts)
    ).total_seconds() / 3600
    hours = scenario.send_hours_per_day or pattern.send_hours_per_day
    if hours > day_length:
        problems.append(
            f"[{scenario.name}] send_hours_per_day = {hours:g}: expected at most the working "
            f"day ({day_length:g} hours, day_starts to day_ends in school.toml)"
        )
    working = list(scenario.sendco_days or pattern.working_days)
    extra = scenario.extra_sendco_days
    if extra:
        free = [d for d in WEEKDAYS[:5] if d not in working]
        added, spare = free[:extra], extra - len(free[:extra])
        working += added
        if spare:
            new_hours = min(day_length, hours * (len(working) + spare) / len(working))
            notes.append(
                f"the SENDCo already works every weekday, so {spare} extra day"
                f"{'s' if spare > 1 else ''} became protected hours: {hours:g} to "
                f"{new_hours:.2g} a day"
            )
            hours = new_hours
    surgeries = (
        scenario.surgeries_per_week
        if scenario.surgeries_per_week is not None
        else policy.surgeries_per_week + scenario.extra_surgeries_per_week
    )
    if surgeries < 0:
        problems.append(
            f"[{scenario.name}] extra_surgeries_per_week = {scenario.extra_surgeries_per_week}: "
            f"expected at least -{policy.surgeries_per_week} (the school holds "
            f"{policy.surgeries_per_week} a week)"
        )
    assistant_hours = scenario.assistant_hours_per_day or pattern.send_hours_per_day
    if assistant_hours > day_length:
        problems.append(
            f"[{scenario.name}] assistant_hours_per_day = {assistant_hours:g}: expected at "
            f"most the working day ({day_length:g} hours)"
        )
    if problems:
        raise ScenarioError(problems)

    days = model.days
    weekday = np.array([d.weekday() for d in days])
    sendco_day = np.isin(weekday, [WEEKDAYS.index(d) for d in working])
    assistant_day = np.isin(weekday, _spread_weekdays(scenario.assistant_days_per_week))
    sendco_minutes = sendco_day * hours * 60.0
    assistant_minutes = assistant_day * assistant_hours * 60.0
    cap = sendco_minutes + assistant_minutes

    slots = _surgery_slots(days, sendco_day, surgeries * policy.meetings_per_surgery)
    surgery_minutes = scenario.surgery_minutes or policy.surgery_minutes
    reserved = slots * float(surgery_minutes)
    bookable = BOOKABLE_SHARE * np.clip(cap - reserved, 0, None)
    overhead = policy.preparation_minutes + policy.write_up_minutes
    meeting_minutes = scenario.meeting_minutes or policy.meeting_minutes
    ar_minutes = scenario.annual_review_minutes or policy.annual_review_minutes
    share = (
        model.sendco_review_share
        if scenario.class_teacher_led_share is None
        else 1.0 - scenario.class_teacher_led_share
    )
    rates = model.rates
    request_rate = (
        rates.per_day(days) * (1.0 - rates.routed_share) * (1.0 + scenario.request_growth)
    )
    weekly_slots = surgeries * policy.meetings_per_surgery
    direct = model.request_meetings.direct_surgery_bookings_per_week
    direct_take = min(1.0, direct / weekly_slots) if weekly_slots else 1.0
    # Spare surgery slots (after parents' direct bookings) host request meetings in
    # proportion: twice the spare slots, twice the share held at a surgery (at most 90%).
    spare_now = policy.surgeries_per_week * policy.meetings_per_surgery - direct
    spare = weekly_slots - direct
    surgery_share = model.request_meetings.surgery_share
    if spare_now > 0:
        surgery_share = min(MAX_SURGERY_SHARE, surgery_share * max(spare, 0.0) / spare_now)
    return Plan(
        scenario=scenario,
        capacity_minutes=cap,
        sendco_minutes=sendco_minutes,
        assistant_minutes=assistant_minutes,
        surgery_slots=slots,
        surgery_reserved=reserved,
        bookable=bookable,
        meeting_cost=float(meeting_minutes + overhead),
        annual_review_cost=float(ar_minutes + overhead),
        surgery_write_up=float(policy.write_up_minutes),
        sendco_review_share=float(min(max(share, 0.0), 1.0)),
        request_rate=request_rate,
        meeting_share=model.request_meetings.meeting_share,
        direct_take=direct_take,
        surgery_share=float(surgery_share),
        working_days=tuple(d for d in WEEKDAYS if d in working),
        hours_per_day=float(hours),
        surgeries_per_week=int(surgeries),
        notes=tuple(notes),
    )


def _spread_weekdays(n: int) -> list[int]:
    """``n`` weekdays spread over the week (an assistant's days): 2 gives Tue and Thu."""
    return {0: [], 1: [2], 2: [1, 3], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 3, 4]}[n]


def _surgery_slots(days: Sequence[dt.date], sendco_day: np.ndarray, per_week: int) -> np.ndarray:
    """Surgery meeting slots per school day: each week's spread over its SENDCo days.

    A short week (half term, INSET) holds surgeries in proportion to its school days.
    """
    slots = np.zeros(len(days), dtype=int)
    weeks: dict[tuple[int, int], list[int]] = {}
    for i, d in enumerate(days):
        weeks.setdefault(d.isocalendar()[:2], []).append(i)
    for members in weeks.values():
        working = [i for i in members if sendco_day[i]]
        if not working:
            continue
        n = round(per_week * len(members) / 5)
        for k in range(n):
            slots[working[(k * len(working)) // max(n, 1) % len(working)]] += 1
    return slots


# ------------------------------------------------------------------ queue mechanics


def serve_oldest_first(queue: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Serve up to ``limit[r]`` items of each run from ``queue[r, :]``, oldest column first.

    ``queue`` (runs x cohorts, columns in arrival order) is reduced in place; the items
    served from each cohort are returned. This is the core both the school simulation
    and :func:`simulate_queue` use.
    """
    served = np.minimum(np.cumsum(queue, axis=1), limit[:, None])
    served[:, 1:] -= served[:, :-1].copy()
    queue -= served
    return served


def _first_fit(
    booked: np.ndarray,
    room: np.ndarray,
    earliest: np.ndarray,
    cost: float,
    active: np.ndarray,
    last: int,
) -> np.ndarray:
    """For each active run, the first day from ``earliest`` to ``last`` with ``cost`` free.

    Books it (adds ``cost`` to ``booked``) and returns the day, or -1 when none is free.
    Searches in widening windows, since most bookings land within days.
    """
    found = np.full(booked.shape[0], -1)
    todo = active & (earliest <= last)
    start = int(earliest[todo].min()) if todo.any() else last + 1
    width = 16
    while todo.any() and start <= last:
        stop = min(start + width, last + 1)
        columns = np.arange(start, stop)
        fits = (booked[:, start:stop] + cost <= room[start:stop]) & (
            columns[None, :] >= earliest[:, None]
        )
        hit = fits.any(axis=1) & todo
        found[hit] = start + fits[hit].argmax(axis=1)
        todo &= ~hit
        start, width = stop, width * 2
    rows = np.flatnonzero(found >= 0)
    booked[rows, found[rows]] += cost
    return found


def _fill(
    booked: np.ndarray, room: np.ndarray, count: np.ndarray, start: int, last: int, cost: float
) -> np.ndarray:
    """Book ``count[r]`` items of ``cost`` minutes into the first days with room (bulk).

    Returns how many of each run's items found a day from ``start`` to ``last``.
    """
    if start > last or not count.any():
        return np.zeros_like(count)
    window = booked[:, start : last + 1]
    fits = np.floor((room[start : last + 1] - window) / cost).clip(0, None)
    taken = np.minimum(np.cumsum(fits, axis=1), count[:, None])
    taken[:, 1:] -= taken[:, :-1].copy()
    window += taken * cost
    return taken.sum(axis=1).astype(count.dtype)


def simulate_queue(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    horizon: float,
    runs: int,
    seed: int = 1,
    *,
    warm_up: float = 100.0,
) -> float:
    """Mean wait in queue of an M/M/c queue (FIFO), by the school simulation's serving core.

    Time moves in steps, as school days do in :func:`simulate`, but here the steps are the
    ticks of a Poisson clock of rate ``arrival_rate + servers x service_rate``
    (uniformisation): at each tick one customer arrives, or one server (busy or not)
    finishes, with probabilities in proportion to the rates. Freed servers take waiting
    customers oldest first with :func:`serve_oldest_first`, and a customer's wait is
    counted in whole steps. Ticks are independent exponential gaps, so the mean wait is
    exactly the mean number of ticks waited over the clock's rate: no step-size error.
    Customers arriving in the first and last ``warm_up`` time units are not measured
    (the queue starts empty; the last may not be served yet).
    """
    if arrival_rate >= servers * service_rate:
        raise ValueError("an unstable queue (arrival rate at or above total service rate)")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 7919])))
    clock = arrival_rate + servers * service_rate
    ticks = int(round(horizon * clock))
    measured_from, measured_to = int(warm_up * clock), ticks - int(warm_up * clock)
    queue = np.zeros((runs, ticks), dtype=np.int32)
    busy = np.zeros(runs, dtype=np.int64)
    waited = np.zeros(runs)
    counted = np.zeros(runs)
    oldest = 0
    for t in range(ticks):
        draw = rng.random(runs) * clock
        arrives = draw < arrival_rate
        # A server finishes: server k (numbered busy ones first) is picked at rate mu each.
        finishes = ~arrives & ((draw - arrival_rate) // service_rate < busy)
        busy -= finishes
        queue[:, t] = arrives
        window = queue[:, oldest : t + 1]
        served = serve_oldest_first(window, servers - busy)
        busy += served.sum(axis=1)
        cohorts = np.arange(oldest, t + 1)
        measured = (cohorts >= measured_from) & (cohorts < measured_to)
        waited += (served[:, measured] * (t - cohorts[measured])).sum(axis=1)
        counted += served[:, measured].sum(axis=1)
        while oldest < t and not queue[:, oldest].any():
            oldest += 1
    return float(waited.sum() / counted.sum() / clock)


# ------------------------------------------------------------------ the simulation


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's runs: each metric as an array over runs, and the waiting line."""

    scenario: Scenario
    plan: Plan
    metrics: dict[str, np.ndarray]
    #: Requests waiting for a reply at the end of each simulated day: 10th, 50th, 90th
    #: percentiles and the mean over runs (4 x days).
    waiting: np.ndarray


@dataclass(frozen=True)
class WhatIfResult:
    """Every scenario's runs for one school, as of one date."""

    model: SchoolModel
    results: dict[str, ScenarioResult]
    runs: int
    seed: int

    @property
    def baseline(self) -> ScenarioResult:
        """The baseline scenario's result."""
        return next(r for r in self.results.values() if r.scenario.is_baseline)


def scenario_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The scenario's own seed: the same for a seed and name, whatever the order."""
    return np.random.SeedSequence([int(seed), zlib.crc32(name.encode("utf-8"))])


def simulate(
    school: School | SchoolModel,
    scenarios: Sequence[Scenario] | Sequence[Mapping[str, Any]] | Mapping[str, Mapping] | None,
    as_of: dt.date | None = None,
    runs: int = 1000,
    seed: int = 1,
    *,
    from_start: bool = False,
) -> WhatIfResult:
    """Simulate each scenario ``runs`` times and collect the per-run results.

    ``school`` may be a fitted :class:`SchoolModel` (then ``as_of`` and ``from_start`` are
    the model's). ``scenarios`` may be parsed scenarios, a list of dicts or a mapping as in
    a TOML file; ``None`` simulates the baseline alone.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1 (got {runs})")
    model = (
        school
        if isinstance(school, SchoolModel)
        else fit_model(school, as_of, from_start=from_start)
    )
    if scenarios is None:
        parsed = [Scenario(name="baseline", label="As now")]
    elif all(isinstance(s, Scenario) for s in scenarios):
        parsed = list(scenarios)
        if not any(s.is_baseline for s in parsed):
            parsed.insert(0, Scenario(name="baseline", label="As now"))
    else:
        parsed = parse_scenarios(scenarios)  # type: ignore[arg-type]
    plans = {s.name: plan_scenario(model, s) for s in parsed}
    results = {}
    for s in parsed:
        rng = np.random.Generator(np.random.PCG64(scenario_seed(seed, s.name)))
        results[s.name] = _run(model, plans[s.name], runs, rng)
    return WhatIfResult(model=model, results=results, runs=runs, seed=seed)


def _run(model: SchoolModel, plan: Plan, runs: int, rng: np.random.Generator) -> ScenarioResult:
    """One scenario, every run at once, one school day at a time."""
    R, T = runs, len(model.days)
    first, last = model.first, model.last
    within = model.school.policy.acknowledge_within_school_days
    fit = model.request_meetings
    cap, room = plan.capacity_minutes, plan.bookable
    leads = np.array(fit.leads)
    reference = model.school.config.sendco.send_hours_per_day * 60.0

    # Requests waiting for a reply, by effective receipt day: needing a meeting or not.
    need_meeting = np.zeros((R, T), dtype=np.int32)
    no_meeting = np.zeros((R, T), dtype=np.int32)
    if model.open_requests.size:
        draws = rng.random((R, model.open_requests.size)) < plan.meeting_share
        for j, day in enumerate(model.open_requests):
            need_meeting[:, day] += draws[:, j]
            no_meeting[:, day] += ~draws[:, j]
    booked = np.tile(model.booked_minutes, (R, 1))
    surgery_free = rng.binomial(
        np.clip(plan.surgery_slots - model.surgery_taken, 0, None)[None, :].repeat(R, 0),
        1.0 - plan.direct_take,
    )

    # Spells without replies, for the SENDCo and an assistant, from their stationary state.
    sendco_away = rng.random(R) < DISRUPTED_SHARE
    assistant_away = rng.random(R) < DISRUPTED_SHARE
    end_spell = 1.0 / DISRUPTION_SPELL_DAYS
    start_spell = DISRUPTED_SHARE / (1.0 - DISRUPTED_SHARE) * end_spell

    on_time = np.zeros(R)
    late = np.zeros(R)
    used = np.zeros(R)
    waits = np.zeros((R, MAX_WAIT_DAYS + 1), dtype=np.int32)
    request_meetings_held = np.zeros(R, dtype=np.int64)
    meetings_waiting = np.zeros(R, dtype=np.int64)
    waiting_line = np.zeros((4, last - first + 1))

    # Termly reviews: per term, who the SENDCo leads, how many are released and booked.
    meetings = np.tile(model.meetings_so_far, (R, 1)).astype(np.int16)
    term_of_day = model.term_of_day
    review_plan: dict[int, dict[str, Any]] = {}
    for ti, need in model.review_need.items():
        term_days = np.flatnonzero(term_of_day == ti)
        start = max(int(term_days[0]), first)
        end = min(int(term_days[-1]), last)
        cut = max(start, int(term_days[-1]) - REVIEW_BUFFER_DAYS)
        led = (rng.random((R, need.size)) < plan.sendco_review_share) & need[None, :]
        review_plan[ti] = {
            "start": start,
            "end": end,
            "cut": cut,
            "led": led,
            "count": led.sum(axis=1),
            "booked": np.zeros(R, dtype=np.int64),
            "released": np.zeros(R, dtype=np.int64),
        }

    # Annual reviews: already in the diary, or released on their day.
    ar = model.annual_reviews
    ar_day = np.full((R, len(ar)), -1)
    for i, (_, _, _, _, in_diary, _) in enumerate(ar):
        if in_diary >= 0:
            ar_day[:, i] = in_diary

    fixed = model.fixed_arrivals
    oldest = int(model.open_requests.min()) if model.open_requests.size else first
    for t in range(first, last + 1):
        # 1. Arrivals.
        if fixed is None:
            rate = plan.request_rate[t]
            need_meeting[:, t] += rng.poisson(rate * plan.meeting_share, R)
            no_meeting[:, t] += rng.poisson(rate * (1 - plan.meeting_share), R)
        else:
            need_meeting[:, t] += fixed[0][t]
            no_meeting[:, t] += fixed[1][t]
        sendco_away = _next_spell(rng, sendco_away, start_spell, end_spell)
        assistant_away = _next_spell(rng, assistant_away, start_spell, end_spell)

        # 2-4. The diary first, then replies oldest first from a share of the time left.
        diary = booked[:, t] + plan.surgery_reserved[t]
        present = (
            plan.sendco_minutes[t] * ~sendco_away + plan.assistant_minutes[t] * ~assistant_away
        )
        free = np.clip(present - diary, 0.0, None)
        replies = np.floor(REPLY_SHARE * free / ACK_MINUTES).astype(np.int64)
        chance = 1.0 - (1.0 - READY_PER_FREE_DAY) ** (free / reference)
        waiting_m = need_meeting[:, oldest : t + 1]
        waiting_o = no_meeting[:, oldest : t + 1]
        total = waiting_m + waiting_o
        served = serve_oldest_first(rng.binomial(total, chance[:, None]), replies)
        share_m = np.divide(waiting_m, total, out=np.zeros(total.shape), where=total > 0)
        served_m = np.clip(rng.binomial(served, share_m), served - waiting_o, waiting_m).astype(
            np.int32
        )
        waiting_m -= served_m
        waiting_o -= served - served_m
        cohorts = np.arange(oldest, t + 1)
        measured = cohorts >= model.measure_from
        in_time = (t - cohorts <= within) & measured
        on_time += served[:, in_time].sum(axis=1)
        late += served[:, ~in_time & measured].sum(axis=1)
        used += np.minimum(diary, cap[t]) + served.sum(axis=1) * ACK_MINUTES

        # 5. Book: annual reviews released today, request meetings, termly reviews.
        for i in np.flatnonzero((ar[:, 1] == t) & (ar[:, 4] < 0)):
            earliest = np.full(R, max(int(ar[i, 2]), t + 1))
            ar_day[:, i] = _first_fit(
                booked, room, earliest, plan.annual_review_cost, np.ones(R, bool), last
            )
        wanted = served_m.sum(axis=1)
        if wanted.any():
            cumulative = np.cumsum(served_m, axis=1)
            for k in range(int(wanted.max())):
                active = wanted > k
                cohort = oldest + (cumulative > k).argmax(axis=1)
                at_surgery = active & (rng.random(R) < plan.surgery_share)
                lead = leads[rng.integers(0, leads.size, R)]
                day = np.full(R, -1)
                if at_surgery.any():
                    day = _first_slot(
                        surgery_free, t + lead, t + lead + SURGERY_SEARCH_DAYS, at_surgery, last
                    )
                    got = np.flatnonzero(day >= 0)
                    surgery_free[got, day[got]] -= 1
                    booked[got, day[got]] += plan.surgery_write_up
                diary_needed = active & (day < 0)
                if diary_needed.any():
                    in_diary = _first_fit(
                        booked, room, t + lead, plan.meeting_cost, diary_needed, last
                    )
                    day = np.where(diary_needed, in_diary, day)
                held = active & (day >= 0)
                request_meetings_held += held
                meetings_waiting += active & (day < 0)
                wait = np.where(held, day - cohort, last + 1 - cohort)
                rows = np.flatnonzero(active)
                np.add.at(waits, (rows, np.minimum(wait[rows], MAX_WAIT_DAYS)), 1)
        for plan_t in review_plan.values():
            if not plan_t["start"] <= t <= plan_t["end"]:
                continue
            span = plan_t["cut"] - plan_t["start"] + 1
            progress = min(t - plan_t["start"] + 1, span) / span
            due = np.floor(plan_t["count"] * progress + 1e-9).astype(np.int64)
            release = due - plan_t["released"]
            plan_t["released"] = due
            plan_t["booked"] += _fill(
                booked, room, release, t + REVIEW_NOTICE_DAYS, plan_t["end"], plan.meeting_cost
            )

        lines = waiting_m.sum(axis=1) + waiting_o.sum(axis=1)
        waiting_line[:3, t - first] = np.percentile(lines, [10, 50, 90])
        waiting_line[3, t - first] = lines.mean()
        while oldest < t and not (need_meeting[:, oldest].any() or no_meeting[:, oldest].any()):
            oldest += 1

    # Year end: requests never replied to that are past their due date count as late.
    still_m, still_o = need_meeting[:, : last + 1], no_meeting[:, : last + 1]
    cohorts = np.arange(last + 1)
    overdue = (last - cohorts > within) & (cohorts >= model.measure_from)
    open_overdue = still_m[:, overdue].sum(axis=1) + still_o[:, overdue].sum(axis=1)
    decided = on_time + late + open_overdue
    open_now = still_m.sum(axis=1) + still_o.sum(axis=1)
    # Their meeting wait, as far as the year's end, joins the censored ones.
    for cohort in np.flatnonzero(still_m.any(axis=0)):
        waits[:, min(last + 1 - cohort, MAX_WAIT_DAYS)] += still_m[:, cohort]

    # Reviews held: the first `booked` of the SENDCo-led, in priority order (fewest so far).
    for ti, plan_t in review_plan.items():
        led, held_count, need = plan_t["led"], plan_t["booked"], model.review_need[ti]
        order_key = np.where(
            led, meetings.astype(np.int64) * 10_000 + np.arange(need.size), 1 << 40
        )
        order = np.argsort(order_key, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(need.size)[None, :].repeat(R, 0), axis=1)
        held = led & (rank < held_count[:, None])
        class_teacher = need[None, :] & ~led
        meetings += (held | class_teacher).astype(np.int16)
    # Annual reviews held by the year's end count for their pupil (those already in the
    # diary were counted with it); late ones are counted.
    ar_late = np.zeros(R)
    for i, (pupil, _, _, deadline, in_diary, overdue_at_start) in enumerate(ar):
        held = (ar_day[:, i] >= 0) & (ar_day[:, i] <= last)
        if pupil >= 0 and in_diary < 0:
            meetings[:, pupil] += held
        if not overdue_at_start and deadline <= last:
            ar_late += ~held | (ar_day[:, i] > deadline)
    # Request meetings for registered pupils, spread evenly over them.
    n_pupils = meetings.shape[1]
    if n_pupils:
        for_registered = rng.binomial(request_meetings_held, fit.registered_share)
        meetings += rng.multinomial(for_registered, np.full(n_pupils, 1.0 / n_pupils)).astype(
            np.int16
        )
    minimum = model.school.policy.min_parent_meetings_per_year
    three = (meetings >= minimum).mean(axis=1) if n_pupils else np.full(R, np.nan)

    supply = cap[first : last + 1].sum()
    metrics = {
        "on_time_share": np.where(decided > 0, on_time / np.maximum(decided, 1), np.nan),
        "median_days_to_meeting": _median_from_histogram(waits),
        "three_meetings_share": three,
        "annual_reviews_late": ar_late,
        "utilisation": used / supply if supply else np.full(R, np.nan),
        "backlog_year_end": (open_now + meetings_waiting).astype(float),
    }
    return ScenarioResult(scenario=plan.scenario, plan=plan, metrics=metrics, waiting=waiting_line)


def _next_spell(rng: np.random.Generator, away: np.ndarray, start: float, end: float) -> np.ndarray:
    """Tomorrow's state of a two-state (available, away) Markov chain, per run."""
    draw = rng.random(away.shape[0])
    return np.where(away, draw >= end, draw < start)


def _first_slot(
    free: np.ndarray, start: np.ndarray, stop: np.ndarray, active: np.ndarray, last: int
) -> np.ndarray:
    """Per run, the first day from ``start`` to ``stop`` (not past ``last``) with a free slot.

    -1 where there is none; used for surgery slots.
    """
    found = np.full(free.shape[0], -1)
    lo, hi = int(start[active].min()), min(int(stop[active].max()), last)
    if lo > hi:
        return found
    columns = np.arange(lo, hi + 1)
    has = (
        (free[:, lo : hi + 1] > 0)
        & (columns[None, :] >= start[:, None])
        & (columns[None, :] <= stop[:, None])
    )
    hit = has.any(axis=1) & active
    found[hit] = lo + has[hit].argmax(axis=1)
    return found


def _median_from_histogram(counts: np.ndarray) -> np.ndarray:
    """Per-run median of a histogram over whole numbers (lower median; NaN when empty)."""
    total = counts.sum(axis=1)
    cumulative = np.cumsum(counts, axis=1)
    half = (total + 1) // 2
    median = (cumulative >= np.maximum(half, 1)[:, None]).argmax(axis=1).astype(float)
    return np.where(total > 0, median, np.nan)


# ------------------------------------------------------------------ results in words


def summarise(result: WhatIfResult) -> pl.DataFrame:
    """One row per scenario and metric: the 10th, 50th and 90th percentiles and the mean."""
    rows = []
    for name, res in result.results.items():
        for key, label in METRICS.items():
            values = res.metrics[key]
            finite = values[np.isfinite(values)]
            p10, p50, p90 = np.percentile(finite, [10, 50, 90]) if finite.size else (np.nan,) * 3
            rows.append(
                {
                    "scenario": name,
                    "label": res.scenario.title,
                    "metric": key,
                    "metric_label": label,
                    "p10": float(p10),
                    "median": float(p50),
                    "p90": float(p90),
                    "mean": float(finite.mean()) if finite.size else float("nan"),
                }
            )
    return pl.DataFrame(rows)


def format_value(metric: str, value: float) -> str:
    """A metric's value as readers see it: 71%, 12 days, 3."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.0%}" if METRIC_KIND[metric] == "share" else f"{value:.0f}"


def summary_table(result: WhatIfResult) -> pl.DataFrame:
    """A table for readers: a row per scenario, each metric as "median (10-90%)"."""
    summary = summarise(result)
    columns: dict[str, list[str]] = {"Scenario": []}
    for key in METRICS:
        columns[METRICS[key]] = []
    for name, res in result.results.items():
        columns["Scenario"].append(res.scenario.title)
        for key, label in METRICS.items():
            row = summary.filter((pl.col("scenario") == name) & (pl.col("metric") == key)).row(
                0, named=True
            )
            columns[label].append(
                f"{format_value(key, row['median'])} ({_band(key, row['p10'], row['p90'])})"
            )
    return pl.DataFrame(columns)


def _band(metric: str, low: float, high: float) -> str:
    lo, hi = format_value(metric, low), format_value(metric, high)
    if METRIC_KIND[metric] == "share":
        lo = lo.rstrip("%")
    return f"{lo}-{hi}"


def comparison_sentences(result: WhatIfResult) -> list[str]:
    """Each scenario against the baseline in plain English, with its 80% band.

    e.g. "One more surgery a week: on-time acknowledgements 71% to 88% (80% band 83-92%)".
    Metrics whose median moves less than :data:`MATERIAL_CHANGE` are listed as unchanged.
    """
    summary = summarise(result)
    base = result.baseline.scenario.name

    def get(name: str, metric: str) -> dict:
        return summary.filter((pl.col("scenario") == name) & (pl.col("metric") == metric)).row(
            0, named=True
        )

    sentences = []
    b = {m: get(base, m) for m in METRICS}
    sentences.append(
        f"{result.baseline.scenario.title}: "
        + "; ".join(
            f"{METRIC_PHRASE[m]} {format_value(m, b[m]['median'])} "
            f"(80% band {_band(m, b[m]['p10'], b[m]['p90'])})"
            for m in METRICS
        )
        + "."
    )
    for name, res in result.results.items():
        if name == base:
            continue
        changed, same = [], []
        for m in METRICS:
            s = get(name, m)
            before, after = b[m]["median"], s["median"]
            moved = (
                math.isfinite(before)
                and math.isfinite(after)
                and abs(after - before) >= MATERIAL_CHANGE[METRIC_KIND[m]]
            )
            if m == "on_time_share" or moved:
                changed.append(
                    f"{METRIC_PHRASE[m]} {format_value(m, before)} to {format_value(m, after)} "
                    f"(80% band {_band(m, s['p10'], s['p90'])})"
                )
            else:
                same.append(METRIC_PHRASE[m])
        text = f"{res.scenario.title}: " + "; ".join(changed)
        if same:
            text += "; little change in " + _join(same)
        sentences.append(text + ".")
    return sentences


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def describe(result: WhatIfResult) -> str:
    """One sentence saying what was simulated: school, period, runs and scenarios."""
    model = result.model
    days = model.simulated_days
    period = (
        "the whole school year"
        if model.first == 0 and model.last == len(model.days) - 1
        else "the rest of the school year"
        if model.last == len(model.days) - 1
        else "part of the school year"
    )
    return (
        f"**{model.school.name}**: {period}, {days[0]:%a %d %b %Y} to {days[-1]:%a %d %b %Y} "
        f"({len(days)} school days), starting from the school's records as of "
        f"{model.as_of:%d %b %Y}; each of {len(result.results)} scenarios simulated "
        f"{result.runs:,} times (seed {result.seed})."
    )


def assumptions(result: WhatIfResult) -> list[str]:
    """The fitted inputs and the model's assumptions, in sentences for the report."""
    model = result.model
    rates, fit = model.rates, model.request_meetings
    days = model.simulated_days
    notes = [
        f"Simulated {len(days)} school days, {days[0]:%d %b %Y} to {days[-1]:%d %b %Y}, "
        f"{result.runs:,} runs per scenario (seed {result.seed}).",
        f"Requests: {rates.base:.2f} a school day on average, fitted from {rates.requests} "
        f"requests over {rates.school_days} school days (by month and weekday); "
        f"{rates.routed_share:.0%} are routed away (safeguarding, urgent day-to-day).",
        f"{fit.meeting_share:.0%} of requests lead to a meeting, {fit.surgery_share:.0%} of "
        f"those at a parent surgery; a diary meeting comes a median "
        f"{int(np.median(fit.leads))} school days after the reply (the school's record).",
        f"The SENDCo leads {model.sendco_review_share:.0%} of termly reviews as now; "
        "class teachers lead the rest, which take no SENDCo time.",
        f"A waiting request is ready for a reply with a {READY_PER_FREE_DAY:.0%} chance on a "
        "day with nothing booked (less on a busier day, none on a day off); replies take "
        f"{ACK_MINUTES} minutes each, oldest first, within {REPLY_SHARE:.0%} of the free "
        "time (the rest goes on other SEND work). About "
        f"{DISRUPTED_SHARE:.0%} of days fall in spells with no replies at all (illness, "
        "courses, crises).",
        f"Meetings are booked into at most {BOOKABLE_SHARE:.0%} of a day's time outside "
        "surgeries; termly reviews with five school days' notice, annual reviews with "
        "two weeks' notice of their invitations.",
        "Booked meetings are assumed held; the register is as on the date (no new pupils).",
    ]
    if rates.school_days < THIN_HISTORY or rates.requests < THIN_HISTORY:
        notes.insert(
            0,
            f"Take care: the request rate is fitted from only {rates.requests} requests over "
            f"{rates.school_days} school days of this year; the results lean on very little "
            "history.",
        )
    if model.annual_reviews_overdue_at_start:
        notes.append(
            f"{model.annual_reviews_overdue_at_start} annual review(s) were already overdue at "
            "the start; they are held as soon as possible and not counted as late again."
        )
    for res in result.results.values():
        for note in res.plan.notes:
            notes.append(f"{res.scenario.title}: {note}.")
    return notes


# ------------------------------------------------------------------ trust


@dataclass(frozen=True)
class BackTest:
    """A replay of one term against what the school recorded."""

    term: str
    observed_on_time_share: float
    observed_decided: int
    simulated_p10: float
    simulated_median: float
    simulated_p90: float
    tolerance: float = BACK_TEST_TOLERANCE

    @property
    def difference(self) -> float:
        """Simulated median minus observed share."""
        return self.simulated_median - self.observed_on_time_share

    @property
    def within_tolerance(self) -> bool:
        """Whether the simulated median is within the stated tolerance of the observed."""
        return abs(self.difference) <= self.tolerance

    @property
    def sentence(self) -> str:
        """The back-test in one sentence."""
        verdict = "within" if self.within_tolerance else "outside"
        return (
            f"Replaying {self.term} with the requests as recorded, the model acknowledges "
            f"{self.simulated_median:.0%} on time (80% band {self.simulated_p10:.0%}-"
            f"{self.simulated_p90:.0%}); the school recorded {self.observed_on_time_share:.0%} "
            f"of {self.observed_decided} requests, {verdict} the stated tolerance of "
            f"{self.tolerance * 100:.0f} percentage points."
        )


def back_test(
    school: School,
    term: str | None = None,
    as_of: dt.date | None = None,
    runs: int = 200,
    seed: int = 1,
) -> BackTest:
    """Replay the school year up to a term's end (or ``as_of``) and compare its on-time share.

    The recorded requests arrive on their recorded days (with whether they led to a
    meeting); replies, reviews, annual reviews and bookings are simulated as in
    :func:`simulate` from the year's first day, with the school's staffing as it is. The
    share compared is for requests received in ``term`` (default the year's first), as
    :func:`sendlib.rules.requests.response_summary` counts it on the replay's last day.
    """
    terms = school.calendar.terms
    chosen = terms[0] if term is None else next((t for t in terms if t.name == term), None)
    if chosen is None:
        raise ValueError(f"no term named {term!r}; terms: {', '.join(t.name for t in terms)}")
    end = min(chosen.end, as_of) if as_of else chosen.end
    model = fit_model(school, end, from_start=True, until=end, recorded_arrivals=True)
    model = replace(model, measure_from=_day_index(model.days, chosen.start))
    result = simulate(model, None, runs=runs, seed=seed)
    shares = result.baseline.metrics["on_time_share"]
    observed = (
        response_summary(response_times(school, end), by="term")
        .filter(pl.col("term") == chosen.name)
        .row(0, named=True)
    )
    p10, p50, p90 = np.percentile(shares[np.isfinite(shares)], [10, 50, 90])
    return BackTest(
        term=chosen.name if end == chosen.end else f"{chosen.name} to {end:%d %b %Y}",
        observed_on_time_share=float(observed["on_time_share"]),
        observed_decided=int(observed["decided"]),
        simulated_p10=float(p10),
        simulated_median=float(p50),
        simulated_p90=float(p90),
    )
