"""The school's model for the what-if simulation, fitted from its own records.

Request rates by month and weekday (:func:`fit_arrival_rates`), what follows a reply
(:func:`fit_request_meetings`) and the school's state as of the date (:func:`fit_model`):
requests still open, meetings already scheduled in ``meetings.csv`` (assumed held),
meetings held so far per pupil (:func:`sendlib.review_coverage`) and annual reviews due
(:func:`sendlib.annual_reviews`). The SENDCo's share of termly reviews is the one
:func:`sendlib.rules.capacity.capacity` observes.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sendlib.rules.annual_reviews import annual_reviews
from sendlib.rules.capacity import capacity
from sendlib.rules.meetings import review_coverage
from sendlib.rules.requests import response_times
from sendlib.school.asof import SchoolYear, school_year
from sendlib.school.calendar import Term
from sendlib.school.load import School
from sendlib.school.schema import COUNTING_KINDS

#: Annual reviews: invitations six weeks before the deadline, the meeting at least two
#: weeks after the invitations (SEND Regulations 2014, reg. 20).
ANNUAL_REVIEW_INVITE_DAYS = 42
ANNUAL_REVIEW_NOTICE_DAYS = 14
#: Requests acknowledged at least this many school days before the date tell us whether
#: they led to a meeting (younger ones may still).
SETTLED_DAYS = 20
#: Pseudo-count shrinking thin months and weekdays towards the average rate.
RATE_PRIOR_REQUESTS = 10.0
#: Defaults when a school has too little history.
DEFAULT_MEETING_SHARE = 0.4
DEFAULT_SURGERY_SHARE = 0.2
DEFAULT_LEADS = tuple(range(3, 16))


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


def day_index(days: Sequence[dt.date], day: dt.date, side: str = "left") -> int:
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
    a = year.as_of
    days = tuple(school.calendar.school_days(year.start, year.end))
    start_state, first, last = _simulated_span(school, year, days, from_start, until)
    term_of_day = np.array(
        [next(i for i, t in enumerate(year.terms) if t.start <= d <= t.end) for d in days]
    )
    coverage = review_coverage(school, start_state)
    position = {p: i for i, p in enumerate(coverage["pupil_id"].to_list())}
    diary = _Diary(len(days), coverage.height)
    if not from_start:
        diary.read(school, year, days, term_of_day, position)
    review_need = _termly_reviews_owed(
        year,
        coverage,
        term_of_day[first : last + 1],
        start_state,
        None if from_start else year.current_term,
        diary.reviewed_in_term,
    )
    ar, overdue = _annual_reviews_to_hold(school, year, days, first, start_state, position, diary)
    return SchoolModel(
        school=school,
        as_of=a,
        days=days,
        first=first,
        last=last,
        rates=fit_arrival_rates(school, a),
        request_meetings=fit_request_meetings(school, a),
        sendco_review_share=float(capacity(school, a).summary["observed_sendco_review_share"]),
        open_requests=(np.zeros(0, dtype=int) if from_start else _open_requests(school, a, days)),
        booked_minutes=diary.booked_minutes,
        surgery_taken=diary.surgery_taken,
        meetings_so_far=(
            coverage["meetings_this_year"].to_numpy().astype(np.int16) + diary.counting_meetings
        ),
        review_need=review_need,
        annual_reviews=ar,
        annual_reviews_overdue_at_start=overdue,
        fixed_arrivals=_recorded_arrivals(school, a, days) if recorded_arrivals else None,
        term_of_day=term_of_day,
        term_names=tuple(t.name for t in year.terms),
    )


def _simulated_span(
    school: School,
    year: SchoolYear,
    days: Sequence[dt.date],
    from_start: bool,
    until: dt.date | None,
) -> tuple[dt.date, int, int]:
    """The day whose state the simulation starts from, and its first and last day indices."""
    start_state = year.start - dt.timedelta(days=1) if from_start else year.as_of
    start_state = max(start_state, school.calendar.covers_from)
    first = day_index(days, start_state, side="right")
    last = len(days) - 1 if until is None else day_index(days, until, side="right") - 1
    if first > last:
        raise ValueError(
            f"nothing to simulate: no school day after {start_state:%d %b %Y} "
            f"up to {(until or year.end):%d %b %Y}"
        )
    return start_state, first, last


def _open_requests(school: School, as_of: dt.date, days: Sequence[dt.date]) -> np.ndarray:
    """Effective-day index of each request still open on ``as_of`` (not routed)."""
    times = response_times(school, as_of)
    open_days = times.filter(pl.col("status").is_in(["open_overdue", "open_not_due"]))[
        "effective_on"
    ]
    return np.array([day_index(days, d) for d in open_days], dtype=int)


class _Diary:
    """Meetings already scheduled after the start, as the simulation sees them.

    Empty until :meth:`read` (a simulation from the year's first day starts with none).
    """

    def __init__(self, n_days: int, n_pupils: int):
        #: SENDCo minutes booked per day; surgery slots taken per day.
        self.booked_minutes = np.zeros(n_days)
        self.surgery_taken = np.zeros(n_days, dtype=int)
        #: Counting meetings ahead per registered pupil, and who has one in each term.
        self.counting_meetings = np.zeros(n_pupils, dtype=np.int16)
        self.reviewed_in_term: dict[int, set[int]] = {}
        #: Day index of the annual reviews already booked, by pupil.
        self.annual_review_day: dict[str, int] = {}

    def read(
        self,
        school: School,
        year: SchoolYear,
        days: Sequence[dt.date],
        term_of_day: np.ndarray,
        position: Mapping[str, int],
    ) -> None:
        """Take in the meetings scheduled after the as-of date, up to the year's end."""
        policy = school.policy
        diary = school.meetings.filter(
            (pl.col("status") == "scheduled")
            & (pl.col("starts_at").dt.date() > year.as_of)
            & (pl.col("starts_at").dt.date() <= year.end)
        ).with_columns(day=pl.col("starts_at").dt.date())
        overhead = policy.preparation_minutes + policy.write_up_minutes
        for row in diary.iter_rows(named=True):
            i = day_index(days, row["day"])
            if i >= len(days):
                continue
            if row["sendco_attended"]:
                if row["kind"] == "surgery":
                    self.surgery_taken[i] += 1
                    self.booked_minutes[i] += policy.write_up_minutes
                else:
                    self.booked_minutes[i] += row["minutes"] + overhead
            p = position.get(row["pupil_id"])
            if p is not None and row["kind"] in COUNTING_KINDS:
                self.counting_meetings[p] += 1
                self.reviewed_in_term.setdefault(int(term_of_day[i]), set()).add(p)
            if row["kind"] == "annual_review" and row["pupil_id"] is not None:
                self.annual_review_day[row["pupil_id"]] = i


def _termly_reviews_owed(
    year: SchoolYear,
    coverage: pl.DataFrame,
    simulated_terms: np.ndarray,
    start_state: dt.date,
    current: Term | None,
    reviewed_in_term: Mapping[int, set[int]],
) -> dict[int, np.ndarray]:
    """Per term index the simulation reaches, a mask of registered pupils owed a review.

    In the ``current`` term only pupils not met yet; a pupil with a counting meeting
    already scheduled in a term owes none there.
    """
    review_need: dict[int, np.ndarray] = {}
    for ti, term in enumerate(year.terms):
        if term.end < start_state or not any(simulated_terms == ti):
            continue
        if current is not None and term == current:
            need = coverage["meetings_this_term"].to_numpy() == 0
        else:
            need = np.ones(coverage.height, dtype=bool)
        for p in reviewed_in_term.get(ti, ()):
            need[p] = False
        review_need[ti] = need
    return review_need


def _annual_reviews_to_hold(
    school: School,
    year: SchoolYear,
    days: Sequence[dt.date],
    first: int,
    start_state: dt.date,
    position: Mapping[str, int],
    diary: _Diary,
) -> tuple[np.ndarray, int]:
    """Annual reviews with a deadline by the year's end, as rows of day indices.

    Each row: pupil index, release day, earliest day, deadline day, booked day when
    already in the diary (-1) and whether it was overdue at the start; with the number
    overdue at the start.
    """
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
        deadline_index = day_index(days, deadline, side="right") - 1
        rows.append(
            (
                position.get(row["pupil_id"], -1),
                max(day_index(days, release), first),
                day_index(days, earliest),
                deadline_index,
                diary.annual_review_day.get(row["pupil_id"], -1),
                int(deadline < start_state),
            )
        )
    return np.array(rows, dtype=int).reshape(-1, 6), overdue


def _recorded_arrivals(
    school: School, as_of: dt.date, days: Sequence[dt.date]
) -> tuple[np.ndarray, np.ndarray]:
    """Per school day, the recorded requests (not routed) that led to a meeting and not."""
    # Only this school year's requests: last year's would all land on its first day.
    times = response_times(school, as_of).filter(
        (pl.col("status") != "routed") & (pl.col("effective_on") >= days[0])
    )
    met = times["first_meeting_on"].is_not_null().to_numpy()
    idx = np.array([day_index(days, d) for d in times["effective_on"]], dtype=int)
    n_days = len(days)
    return (
        np.bincount(idx[met], minlength=n_days + 1)[:n_days],
        np.bincount(idx[~met], minlength=n_days + 1)[:n_days],
    )
