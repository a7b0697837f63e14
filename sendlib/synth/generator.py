r"""Deterministic synthetic school folders: a plausible English school's SEND year of life.

Every pupil, name and date here is invented; no real pupil is described. The same
arguments always give byte-identical files (seeded ``random.Random`` streams, sorted
rows, ``\n`` line endings, UTF-8 without BOM, no timestamps).

Calibration (published national figures for England, from ``CALIBRATION.md``):

- SEN by phase, DfE *Special educational needs in England 2024/25* (January 2025, as
  reported in the press): primary 18.2% of pupils, secondary 16.5%. All schools: EHC plan
  5.3%, SEN support 14.2%. A mainstream school holds fewer EHC plans than the
  all-schools figure (special schools hold many; 56.2% of pupils with a plan attend
  mainstream schools), so the generator targets an EHC plan share of 3.2% (primary) and
  2.9% (secondary) of the roll, with SEN support making up the rest of the phase's SEN
  figure (15.0% and 13.6%); each school draws its own shares within +-12% (EHC) and
  +-10% (SEN support) of these targets.
- Primary need on SEN support, DfE state-funded schools, January 2024 (%): SLCN 25.6,
  SEMH 22.3, MLD 15.8, SPLD 13.9, ASD 9.2, NSA 4.7, OTH 3.7, PD 1.9, HI 1.5, VI 0.9,
  MSI 0.3, SLD 0.2, PMLD 0.1.
- Primary need with an EHC plan, same source (%): ASD 33.0, SLCN 19.5, SEMH 15.5, MLD 8.5,
  SLD 7.9, SPLD 4.3, PD 3.6, PMLD 2.5, OTH 2.2, HI 1.6, VI 1.0, MSI 0.3.
- Boys among pupils with SEN, DfE 2024/25 (January 2025): 61% on SEN support, 71% with
  an EHC plan.
- Free school meals eligibility, DfE 2024/25 (January 2025): EHC plan 43.8%, SEN support
  39.3%, no SEN 22.2% (each school scales these by its own deprivation factor, 0.8-1.25).
- SENCO time: 70% of SENCOs say they lack time for the role (National SENCO Workload
  Survey, Bath Spa University, nasen and NEU, 2018); allocated time is insufficient for
  55% (primary) and 70% (secondary) of SENCOs (National SENCO Workforce Survey, 2020);
  meetings with parents are the second most time-consuming task (2018). The samples'
  SENDCos are therefore busy: protected hours of 3.5 a day on four days (primary) and
  5 a day on five days with an assistant SENDCo (secondary).

Assumptions of the generator (not published figures, kept modest and stated here): the
need mix is tilted by phase (SLCN x1.35, SPLD x0.7 in primary; SLCN x0.55, SPLD x1.35,
SEMH x1.2 in secondary), SLD and PMLD are scaled down (x0.4, x0.2) for a mainstream
school's EHC plans, DS (new census code from January 2025) is given a weight of 0.3
(EHC) and 0.05 (SEN support); pupils of concern who are not on the register (monitored,
``M``) make up 5-9% of the roll; SEN is identified less often in the youngest year
groups; one year group (Year 4 in a primary, Year 8 in a secondary) is noticeably
behind on review meetings, so equity breakdowns show something.

Three optional settings make varied schools for trust demonstrations (``sendlib
sample-trust``): the SENDCo's protected hours and working days, and ``diligence``, how
well the school keeps to its duties (lapses such as late acknowledgements, missed termly
reviews, slipped annual reviews and unsent records scale with ``1 / diligence``). Left
at their defaults they change nothing: the committed samples regenerate byte for byte.

The school year follows :data:`TERMS_2025_26` and :data:`CLOSURES_2025_26` (realistic
2025/26 English term dates; bank holidays come from ``nation = "england"``).
"""

from __future__ import annotations

import bisect
import calendar as std_calendar
import csv
import datetime as dt
import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sendlib.school.calendar import WEEKDAYS, Closure, SchoolCalendar, Term

__all__ = [
    "CLOSURES_2025_26",
    "DEFAULT_AS_OF",
    "DEFAULT_NAMES",
    "TERMS_2025_26",
    "SyntheticSchool",
    "generate_school",
    "simulate_school",
    "term_dates_2025_26",
]

#: Realistic 2025/26 term dates for a school in England (a typical local-authority
#: pattern; Easter 2026 falls in the spring-to-summer holiday).
TERMS_2025_26: tuple[Term, ...] = (
    Term("Autumn 2025", dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
    Term("Spring 2026", dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
    Term("Summer 2026", dt.date(2026, 4, 13), dt.date(2026, 7, 21)),
)
#: Half terms and INSET (training) days inside the 2025/26 terms; bank holidays (Christmas,
#: Easter, May Day, spring bank holiday) are added by the calendar for England.
CLOSURES_2025_26: tuple[Closure, ...] = (
    Closure("October half term", dt.date(2025, 10, 27), dt.date(2025, 10, 31)),
    Closure("INSET day (November)", dt.date(2025, 11, 3), dt.date(2025, 11, 3)),
    Closure("February half term", dt.date(2026, 2, 16), dt.date(2026, 2, 20)),
    Closure("May half term", dt.date(2026, 5, 25), dt.date(2026, 5, 29)),
    Closure("INSET day (June)", dt.date(2026, 6, 1), dt.date(2026, 6, 1)),
)
#: The previous school year (2024/25), used only to date history: last year's annual
#: reviews and registrations. Not written to ``school.toml``.
_TERMS_2024_25: tuple[Term, ...] = (
    Term("Autumn 2024", dt.date(2024, 9, 4), dt.date(2024, 12, 20)),
    Term("Spring 2025", dt.date(2025, 1, 6), dt.date(2025, 4, 4)),
    Term("Summer 2025", dt.date(2025, 4, 22), dt.date(2025, 7, 22)),
)
_CLOSURES_2024_25: tuple[Closure, ...] = (
    Closure("October half term", dt.date(2024, 10, 28), dt.date(2024, 11, 1)),
    Closure("February half term", dt.date(2025, 2, 17), dt.date(2025, 2, 21)),
    Closure("May half term", dt.date(2025, 5, 26), dt.date(2025, 5, 30)),
)

#: Spring term 2026, a Friday after February half term.
DEFAULT_AS_OF = dt.date(2026, 3, 6)
DEFAULT_NAMES = {"primary": "Harbourside Primary", "secondary": "Northgate Academy"}
_YEAR_START = dt.date(2025, 8, 1)
_LAST_AS_OF = dt.date(2026, 8, 31)


def term_dates_2025_26() -> tuple[tuple[Term, ...], tuple[Closure, ...]]:
    """Return the realistic 2025/26 English terms and closures the samples use."""
    return TERMS_2025_26, CLOSURES_2025_26


# --------------------------------------------------------------------------- calibration

_SUPPORT_NEEDS = {
    "SLCN": 25.6, "SEMH": 22.3, "MLD": 15.8, "SPLD": 13.9, "ASD": 9.2, "NSA": 4.7, "OTH": 3.7,
    "PD": 1.9, "HI": 1.5, "VI": 0.9, "MSI": 0.3, "SLD": 0.2, "PMLD": 0.1, "DS": 0.05,
}  # fmt: skip
_EHC_NEEDS = {
    "ASD": 33.0, "SLCN": 19.5, "SEMH": 15.5, "MLD": 8.5, "SLD": 7.9 * 0.4, "SPLD": 4.3, "PD": 3.6,
    "PMLD": 2.5 * 0.2, "OTH": 2.2, "HI": 1.6, "VI": 1.0, "MSI": 0.3, "DS": 0.3,
}  # fmt: skip
_PHASE_TILT = {
    "primary": {"SLCN": 1.35, "SPLD": 0.7},
    "secondary": {"SLCN": 0.55, "SPLD": 1.35, "SEMH": 1.2},
}
_BOYS = {"E": 0.71, "K": 0.61, "M": 0.56}
_FSM = {"E": 0.438, "K": 0.393, "M": 0.30, "N": 0.222}


@dataclass(frozen=True)
class _Phase:
    """Everything that differs between the two sample phases."""

    year_groups: tuple[str, ...]
    #: Relative likelihood of SEN identification in each year group (EHC, SEN support).
    prevalence: dict[str, tuple[float, float]]
    ehc_share: float
    support_share: float
    class_size: int
    behind_year: str
    transfer_year: int
    working_days: tuple[str, ...]
    day_starts: str
    day_ends: str
    send_hours: float
    surgeries_per_week: int
    surgery_days: tuple[int, ...]  # weekdays (0 = Monday)
    surgery_times: tuple[str, ...]  # slot start times inside one protected lesson
    plan_type: str
    report_dates: tuple[dt.date, ...]  # reports going home: requests follow
    review_peaks: tuple[dt.date, ...]  # Mondays of parents' evening weeks
    assistant: bool


_PHASES = {
    "primary": _Phase(
        year_groups=("R", "1", "2", "3", "4", "5", "6"),
        prevalence={
            "R": (0.5, 0.55),
            "1": (0.8, 0.85),
            "2": (0.95, 1.0),
            "3": (1.05, 1.05),
            "4": (1.1, 1.1),
            "5": (1.15, 1.15),
            "6": (1.2, 1.15),
        },  # fmt: skip
        ehc_share=0.032,
        support_share=0.150,
        class_size=30,
        behind_year="4",
        transfer_year=6,
        working_days=("mon", "wed", "thu", "fri"),
        day_starts="08:30",
        day_ends="16:00",
        send_hours=3.5,
        surgeries_per_week=2,
        surgery_days=(2, 4),
        surgery_times=("13:15", "13:40"),
        plan_type="SEN Support Plan",
        report_dates=(dt.date(2025, 12, 5), dt.date(2026, 3, 20), dt.date(2026, 7, 10)),
        review_peaks=(
            dt.date(2025, 10, 13),
            dt.date(2025, 11, 24),
            dt.date(2026, 2, 2),
            dt.date(2026, 3, 16),
            dt.date(2026, 6, 22),
        ),  # fmt: skip
        assistant=False,
    ),
    "secondary": _Phase(
        year_groups=("7", "8", "9", "10", "11"),
        prevalence={
            "7": (1.0, 1.1),
            "8": (1.0, 1.05),
            "9": (1.0, 1.0),
            "10": (1.0, 0.95),
            "11": (1.0, 0.9),
        },  # fmt: skip
        ehc_share=0.029,
        support_share=0.136,
        class_size=30,
        behind_year="8",
        transfer_year=11,
        working_days=("mon", "tue", "wed", "thu", "fri"),
        day_starts="08:15",
        day_ends="16:15",
        send_hours=5.0,
        surgeries_per_week=3,
        surgery_days=(0, 2, 3),
        surgery_times=("11:10", "11:35"),
        plan_type="Learning Support Plan",
        report_dates=(dt.date(2025, 11, 28), dt.date(2026, 2, 6), dt.date(2026, 7, 3)),
        review_peaks=(
            dt.date(2025, 10, 6),
            dt.date(2025, 12, 1),
            dt.date(2026, 1, 26),
            dt.date(2026, 3, 9),
            dt.date(2026, 6, 15),
        ),  # fmt: skip
        assistant=True,
    ),
}

_GIRLS = (
    "Amara", "Ava", "Bella", "Chloe", "Daisy", "Ella", "Eliza", "Erin", "Evie", "Freya", "Grace",
    "Hana", "Imogen", "Isla", "Ivy", "Jasmine", "Layla", "Lily", "Maya", "Mia", "Nadia", "Niamh",
    "Olivia", "Poppy", "Priya", "Rosie", "Ruby", "Safa", "Sienna", "Sofia", "Zara", "Zoe",
)  # fmt: skip
_BOYS_NAMES = (
    "Adam", "Alfie", "Arlo", "Ayaan", "Ben", "Charlie", "Dylan", "Elijah", "Ethan", "Finley",
    "George", "Harry", "Hugo", "Isaac", "Jack", "Jacob", "Kai", "Leo", "Logan", "Luca", "Mason",
    "Musa", "Noah", "Oliver", "Oscar", "Reuben", "Rory", "Sami", "Theo", "Tomas", "Yusuf", "Zain",
)  # fmt: skip
_INITIALS = "ABCDEFGHJKLMNOPRSTWY"

_PUPIL_COLUMNS = (
    "pupil_id", "year_group", "sen_status", "primary_need", "lead_staff_id", "registered_on",
    "last_annual_review_on", "sex", "fsm", "display_name",
)  # fmt: skip
_STAFF_COLUMNS = ("staff_id", "role")
_REQUEST_COLUMNS = (
    "request_id", "pupil_id", "received_on", "channel", "kind", "acknowledged_on", "response",
)  # fmt: skip
_MEETING_COLUMNS = (
    "meeting_id", "pupil_id", "kind", "starts_at", "minutes", "lead_staff_id", "sendco_attended",
    "mode", "status", "record_sent_on", "request_id",
)  # fmt: skip
_PLAN_COLUMNS = (
    "plan_id", "pupil_id", "plan_type", "starts_on", "review_due_on", "reviewed_on", "outcome",
)  # fmt: skip
_ROLE_ORDER = ("sendco", "assistant_sendco", "head_of_year", "class_teacher", "other")


@dataclass(frozen=True)
class _Staffing:
    """How a school differs from its phase's calibrated defaults (``None``: the default).

    ``diligence`` is how well the school keeps to its duties: 1 is the calibrated sample;
    below 1 lapses (late acknowledgements, missed reviews, slipped annual reviews, records
    not sent) are more frequent, in proportion; above 1 they are rarer.
    """

    send_hours: float | None = None
    working_days: tuple[str, ...] | None = None
    diligence: float = 1.0

    def applied_to(self, phase: _Phase) -> _Phase:
        """The phase's settings with this school's SENDCo time in place of the defaults."""
        changed = phase
        if self.send_hours is not None:
            changed = replace(changed, send_hours=float(self.send_hours))
        if self.working_days is not None:
            days = tuple(d for d in WEEKDAYS[:5] if d in self.working_days)
            # Surgeries stay on the phase's days the SENDCo still works, else the first day.
            surgery = tuple(d for d in phase.surgery_days if WEEKDAYS[d] in days)
            surgery = surgery or (WEEKDAYS.index(days[0]),)
            changed = replace(
                changed,
                working_days=days,
                surgery_days=surgery,
                surgeries_per_week=len(surgery),
            )
        return changed

    def comment(self) -> list[str]:
        """A ``school.toml`` comment line naming the settings that differ from the default."""
        changed = []
        if self.send_hours is not None:
            changed.append(f"send_hours={self.send_hours:g}")
        if self.working_days is not None:
            changed.append(f"working_days={','.join(self.working_days)}")
        if self.diligence != 1.0:
            changed.append(f"diligence={self.diligence:g}")
        if not changed:
            return []
        return [f"#   with {', '.join(changed)} (sendlib.synth.generator.generate_school)"]

    def problems(self, phase: _Phase) -> list[str]:
        """What is wrong with these settings for a school of ``phase``."""
        found = []
        if self.working_days is not None and (
            not self.working_days or any(d not in WEEKDAYS[:5] for d in self.working_days)
        ):
            found.append(f"working_days must be weekdays (mon to fri); got {self.working_days!r}")
        day = (_hm(phase.day_ends) - _hm(phase.day_starts)) / 60
        hours = self.send_hours
        if hours is not None and (isinstance(hours, bool) or not 0 < hours <= day):
            found.append(f"send_hours must be above 0 and at most {day:g}; got {hours!r}")
        if isinstance(self.diligence, bool) or not 0 < self.diligence <= 10:
            found.append(
                f"diligence must be above 0 (1 = the calibrated sample); got {self.diligence!r}"
            )
        return found


# --------------------------------------------------------------------------- records


@dataclass
class _Pupil:
    number: int
    year: str
    status: str  # K, E, M or N (not written)
    sex: str
    fsm: bool
    group: str = ""
    need: str = ""
    lead: str = ""
    registered_on: dt.date | None = None
    last_review: dt.date | None = None
    name: str = ""
    propensity: float = 1.0
    never_met: bool = False
    pid: str = ""


@dataclass
class _Request:
    pupil: _Pupil
    received: dt.date
    channel: str
    kind: str
    acknowledged: dt.date | None = None
    response: str = ""
    rid: str = ""


@dataclass
class _Meeting:
    pupil: _Pupil | None
    kind: str
    starts: dt.datetime
    minutes: int
    lead: str
    sendco: bool
    mode: str
    status: str
    record: dt.date | None = None
    request: _Request | None = None


@dataclass
class _Plan:
    pupil: _Pupil
    plan_type: str
    starts: dt.date
    due: dt.date
    reviewed: dt.date | None = None
    outcome: str = ""


@dataclass
class SyntheticSchool:
    """A generated school before it is written: settings, tables as rows, and the roll.

    ``roll`` counts every pupil on the school's roll by status, including pupils with no
    SEN (``N``), who are not written to ``pupils.csv``; ``fsm_roll`` counts those
    eligible for free school meals in the same groups. Tests use both for calibration.
    """

    name: str
    phase: str
    pupils_on_roll: int
    as_of: dt.date
    toml: str
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    roll: dict[str, int] = field(default_factory=dict)
    fsm_roll: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months; 29 February (or a short month) clamps to the month end."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, std_calendar.monthrange(year, month)[1]))


def _hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _slug_initials(name: str) -> str:
    letters = "".join(w[0] for w in name.split() if w[:1].isalpha()).upper()
    return (letters or "SC")[:3]


class _Days:
    """Fast lookups over a calendar's school days and SENDCo days."""

    def __init__(self, calendar: SchoolCalendar):
        self.cal = calendar
        self.school = calendar.school_days()
        self.sendco = calendar.sendco_days()

    def next_school(self, day: dt.date) -> dt.date | None:
        i = bisect.bisect_left(self.school, day)
        return self.school[i] if i < len(self.school) else None

    def next_sendco(self, day: dt.date) -> dt.date | None:
        i = bisect.bisect_left(self.sendco, day)
        return self.sendco[i] if i < len(self.sendco) else None

    def add(self, day: dt.date, n: int) -> dt.date | None:
        """Return the n-th school day after the next school day on or after ``day``."""
        i = bisect.bisect_left(self.school, day) + n
        return self.school[i] if i < len(self.school) else None

    def school_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        lo, hi = bisect.bisect_left(self.school, start), bisect.bisect_right(self.school, end)
        return self.school[lo:hi]


class _Diary:
    """Who is busy when, so that nobody is double-booked."""

    def __init__(self) -> None:
        self.busy: dict[tuple[str, dt.date], list[tuple[int, int]]] = {}

    def free(self, people: Sequence[str], day: dt.date, start: int, minutes: int) -> bool:
        end = start + minutes
        for person in people:
            for a, b in self.busy.get((person, day), ()):
                if start < b and a < end:
                    return False
        return True

    def book(self, people: Sequence[str], day: dt.date, start: int, minutes: int) -> None:
        for person in people:
            self.busy.setdefault((person, day), []).append((start, start + minutes))


# --------------------------------------------------------------------------- the generator


class _Generator:
    def __init__(
        self,
        phase: str,
        pupils: int,
        seed: int,
        as_of: dt.date,
        name: str,
        staffing: _Staffing | None = None,
    ):
        self.staffing = staffing or _Staffing()
        self.p = self.staffing.applied_to(_PHASES[phase])
        self.diligence = self.staffing.diligence
        self.phase = phase
        self.n_roll = pupils
        self.seed = seed
        self.as_of = as_of
        self.name = name
        self.cal = SchoolCalendar(TERMS_2025_26, CLOSURES_2025_26, "england", self.p.working_days)
        self.prev = _Days(SchoolCalendar(_TERMS_2024_25, _CLOSURES_2024_25, "england"))
        self.days = _Days(self.cal)
        self.activity_end = min(as_of, self.cal.covers_to)
        self.horizon = next((t.end for t in self.cal.terms if t.end >= as_of), self.cal.covers_to)
        self.current_terms = [t for t in self.cal.terms if t.start <= self.activity_end]
        self.diary = _Diary()
        self.day_start, self.day_end = _hm(self.p.day_starts), _hm(self.p.day_ends)
        self.staff: list[tuple[str, str]] = []
        self.roll: list[_Pupil] = []
        self.requests: list[_Request] = []
        self.meetings: list[_Meeting] = []
        self.plans: list[_Plan] = []
        self.sendco_id = "SENDCO"
        self.assistant_id = "ASENDCO" if self.p.assistant else ""

    def rng(self, part: str) -> random.Random:
        """Return an independent, reproducible random stream for one part of the school."""
        return random.Random(f"sendlib-sample|{self.seed}|{self.phase}|{self.n_roll}|{part}")

    # ---------------------------------------------------------------- pupils and staff

    def build_roll(self) -> None:
        rng = self.rng("roll")
        years = self.p.year_groups
        weights = [1 + rng.uniform(-0.05, 0.05) for _ in years]
        sizes = _apportion(self.n_roll, weights)
        numbers = list(range(1, self.n_roll + 1))
        rng.shuffle(numbers)
        it = iter(numbers)
        for year, size in zip(years, sizes, strict=True):
            for _ in range(size):
                self.roll.append(_Pupil(next(it), year, "N", "", False))

        ehc_share = self.p.ehc_share * rng.uniform(0.88, 1.12)
        support_share = self.p.support_share * rng.uniform(0.9, 1.1)
        monitored_share = rng.uniform(0.05, 0.09)
        n_e = max(1, round(self.n_roll * ehc_share))
        n_k = max(1, round(self.n_roll * support_share))
        n_m = max(1, round(self.n_roll * monitored_share))
        self._assign(rng, "E", n_e, lambda p: self.p.prevalence[p.year][0])
        transfer = str(self.p.transfer_year)
        if n_e >= 3 and not any(p.status == "E" and p.year == transfer for p in self.roll):
            # every sample shows a phase-transfer pupil with an EHC plan
            others = [p for p in self.roll if p.status == "E"]
            rng.choice(others).status = "N"
            rng.choice([p for p in self.roll if p.year == transfer]).status = "E"
        self._assign(rng, "K", n_k, lambda p: self.p.prevalence[p.year][1])
        self._assign(rng, "M", n_m, lambda p: self.p.prevalence[p.year][1])

        deprivation = rng.uniform(0.8, 1.25)
        boys_n = _boys_rest(self.roll)
        for pupil in self.roll:
            boys = _BOYS.get(pupil.status, boys_n)
            pupil.sex = "M" if rng.random() < boys else "F"
            pupil.fsm = rng.random() < min(0.9, _FSM[pupil.status] * deprivation)

        needs_rng = self.rng("needs")
        tilt = _PHASE_TILT[self.phase]
        mixes = {
            "K": {k: v * tilt.get(k, 1.0) for k, v in _SUPPORT_NEEDS.items()},
            "E": {k: v * tilt.get(k, 1.0) for k, v in _EHC_NEEDS.items()},
        }
        for status, mix in mixes.items():
            group = [p for p in self.roll if p.status == status]
            for pupil, need in zip(group, _spread(needs_rng, mix, len(group)), strict=True):
                pupil.need = need
        for pupil in self.roll:
            if pupil.status == "M" and needs_rng.random() < 0.35:
                # an emerging area of concern, noted while monitoring
                pupil.need = _pick(needs_rng, {"SLCN": 3, "SEMH": 3, "SPLD": 2, "MLD": 1})
            girls_or_boys = _GIRLS if pupil.sex == "F" else _BOYS_NAMES
            pupil.name = f"{needs_rng.choice(girls_or_boys)} {needs_rng.choice(_INITIALS)}."
            pupil.propensity = needs_rng.gammavariate(1.2, 1 / 1.2)

    def _assign(self, rng: random.Random, status: str, n: int, weight) -> None:
        """Weighted sampling without replacement (Efraimidis-Spirakis keys)."""
        free = [p for p in self.roll if p.status == "N"]
        keyed = sorted(
            free, key=lambda p: (rng.random() ** (1 / max(weight(p), 1e-6)), p.number), reverse=True
        )
        for pupil in keyed[: min(n, len(free))]:
            pupil.status = status

    def build_staff(self) -> None:
        rng = self.rng("staff")
        self.staff.append((self.sendco_id, "sendco"))
        if self.assistant_id:
            self.staff.append((self.assistant_id, "assistant_sendco"))
        by_year: dict[str, list[_Pupil]] = {}
        for pupil in self.roll:
            by_year.setdefault(pupil.year, []).append(pupil)
        self.tutors: dict[str, str] = {}
        for year in self.p.year_groups:
            members = sorted(by_year.get(year, []), key=lambda p: p.number)
            classes = max(1, math.ceil(len(members) / self.p.class_size))
            letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"[:classes]
            for letter in letters:
                self.staff.append((f"T{year}{letter}", "class_teacher"))
            if self.phase == "secondary":
                self.staff.append((f"HOY{year}", "head_of_year"))
            rng.shuffle(members)
            for i, pupil in enumerate(members):
                pupil.group = f"T{year}{letters[i % classes]}"
        pastoral = "ELSA" if self.phase == "primary" else "PASTORAL"
        self.staff.append((pastoral, "other"))
        self.pastoral_id = pastoral

        for pupil in self.roll:
            r = rng.random()
            if pupil.status == "E":
                if self.assistant_id:
                    pupil.lead = self.sendco_id if r < 0.6 else self.assistant_id
                else:
                    pupil.lead = self.sendco_id if r < 0.6 else pupil.group
            elif pupil.status == "K":
                if self.phase == "secondary":
                    if r < 0.45:
                        pupil.lead = f"HOY{pupil.year}"
                    elif r < 0.8:
                        pupil.lead = pupil.group
                    else:
                        pupil.lead = self.assistant_id
                else:
                    pupil.lead = pupil.group
            elif pupil.status == "M":
                pupil.lead = pastoral if r < 0.15 else pupil.group

    # ---------------------------------------------------------------- registration

    def register(self) -> None:
        rng = self.rng("registration")
        autumn = self.cal.terms[0]
        mid_year_days = self.days.school_between(
            autumn.start + dt.timedelta(days=14), self.activity_end - dt.timedelta(days=7)
        )
        for pupil in self.register_order():
            year_index = 0 if pupil.year == "R" else int(pupil.year)
            first_year = 2025 - year_index  # the school year the pupil started Reception
            if pupil.status == "M":
                r = rng.random()
                if r < 0.1:
                    pupil.registered_on = None
                elif r < 0.35 and first_year <= 2024:
                    pupil.registered_on = self._past_day(rng, max(first_year, 2024), 2024)
                elif mid_year_days:
                    pupil.registered_on = rng.choice(mid_year_days)
                continue
            if pupil.status not in ("K", "E"):
                continue
            mid_year = pupil.status == "K" and (pupil.year == "R" or rng.random() < 0.13)
            if mid_year and mid_year_days:
                autumn_half = [d for d in mid_year_days if d <= dt.date(2025, 12, 12)]
                pool = autumn_half if pupil.year == "R" and autumn_half else mid_year_days
                pupil.registered_on = rng.choice(pool)
            elif self.phase == "secondary" and pupil.year == "7" and rng.random() < 0.7:
                pupil.registered_on = autumn.start  # joined with SEN from primary
            else:
                earliest = max(first_year, 2019)
                latest = 2023 if pupil.status == "E" else 2024
                pupil.registered_on = self._past_day(rng, min(earliest, latest), latest)

    def register_order(self) -> list[_Pupil]:
        return sorted(self.roll, key=lambda p: p.number)

    def _past_day(self, rng: random.Random, first_year: int, last_year: int) -> dt.date:
        """Pick a school-looking day (weekday, in term months) in school years first..last."""
        year = rng.randint(first_year, last_year)
        if year == 2024:
            return rng.choice(self.prev.school)
        while True:
            day = dt.date(year, 9, 4) + dt.timedelta(days=rng.randrange(320))
            if (
                day.weekday() < 5
                and day.month != 8
                and not ((day.month == 12 and day.day > 19) or (day.month == 1 and day.day < 5))
            ):
                return day

    # ---------------------------------------------------------------- meeting placement

    def _slot_times(self, minutes: int, sendco: bool, after_school: bool) -> list[int]:
        if after_school and not sendco:
            return [t for t in range(_hm("15:30"), _hm("16:31"), 15) if t + minutes <= _hm("17:00")]
        if after_school:
            return [
                t for t in range(_hm("15:15"), self.day_end, 15) if t + minutes <= self.day_end
            ] or [self.day_end - minutes]
        return list(range(self.day_start, self.day_end - minutes + 1, 15))

    def place(
        self,
        rng: random.Random,
        day: dt.date,
        minutes: int,
        lead: str,
        sendco: bool,
        latest: dt.date,
        after_school: bool = False,
    ) -> dt.datetime | None:
        """Book the first free slot on ``day`` or a following suitable day up to ``latest``."""
        people = [lead] + ([self.sendco_id] if sendco and lead != self.sendco_id else [])
        needs_sendco_day = sendco or lead in (self.sendco_id, self.assistant_id)
        for _ in range(12):
            day = self.days.next_sendco(day) if needs_sendco_day else self.days.next_school(day)
            if day is None or day > latest:
                return None
            times = self._slot_times(minutes, sendco, after_school)
            rng.shuffle(times)
            for start in times:
                if self.diary.free(people, day, start, minutes):
                    self.diary.book(people, day, start, minutes)
                    return dt.datetime.combine(day, dt.time(start // 60, start % 60))
            day += dt.timedelta(days=1)
        return None

    def lapse(self, chance: float) -> float:
        """The chance of a lapse in a duty, scaled by the school's diligence."""
        if self.diligence == 1.0:  # the calibrated samples, exactly as published
            return chance
        return min(1.0, chance / self.diligence)

    def kept(self, chance: float) -> float:
        """The chance a duty is kept: its complement, the lapse, scaled by diligence."""
        if self.diligence == 1.0:
            return chance
        return max(0.0, 1.0 - (1.0 - chance) / self.diligence)

    def status_for(self, rng: random.Random, day: dt.date, held: float = 0.88) -> str:
        if day > self.activity_end:
            return "scheduled"
        r = rng.random()
        if r < held:
            return "held"
        return "cancelled" if r < held + (1 - held) / 2 else "did_not_attend"

    def add_record(self, rng: random.Random, meeting: _Meeting, sent: float, late: float) -> None:
        if meeting.status != "held" or rng.random() >= self.kept(sent):
            return
        if rng.random() < self.lapse(late):
            lag = rng.randint(6, 20)
        else:
            lag = rng.choices(range(6), weights=(14, 30, 22, 14, 10, 10))[0]
        day = self.days.add(meeting.starts.date(), lag)
        if day is not None and day <= self.activity_end:
            meeting.record = day

    @staticmethod
    def mode(rng: random.Random, remote: float = 0.22, phone: float = 0.08) -> str:
        r = rng.random()
        return "remote" if r < remote else "phone" if r < remote + phone else "in_person"

    # ---------------------------------------------------------------- surgeries

    def surgery_slots(self) -> None:
        """Reserve the SENDCo's protected surgery lessons through the year."""
        self.slots: list[dt.datetime] = []
        minutes = 25
        first = self.cal.terms[0].start + dt.timedelta(days=7)
        for day in self.days.sendco:
            if day < first or day > self.horizon or day.weekday() not in self.p.surgery_days:
                continue
            for text in self.p.surgery_times:
                start = _hm(text)
                self.diary.book([self.sendco_id], day, start, minutes)
                self.slots.append(dt.datetime.combine(day, dt.time(start // 60, start % 60)))
        self.slot_taken = [False] * len(self.slots)
        self.slot_days = [s.date() for s in self.slots]

    def take_slot(self, after: dt.date, latest: dt.date) -> dt.datetime | None:
        i = bisect.bisect_left(self.slot_days, after)
        while i < len(self.slots) and self.slot_days[i] <= latest:
            if not self.slot_taken[i]:
                self.slot_taken[i] = True
                return self.slots[i]
            i += 1
        return None

    def fill_surgeries(self) -> None:
        rng = self.rng("surgeries")
        pool = [p for p in self.roll if p.status in ("K", "E", "M")]
        weights = [{"M": 3.0, "K": 2.0, "E": 1.0}[p.status] * p.propensity for p in pool]
        for i, start in enumerate(self.slots):
            if self.slot_taken[i]:
                continue
            future = start.date() > self.activity_end
            if rng.random() >= (0.45 if future else 0.8):
                continue  # an unbooked slot: protected time, no meeting row
            pupil = rng.choices(pool, weights=weights)[0]
            status = self.status_for(rng, start.date(), held=0.85)
            meeting = _Meeting(
                pupil, "surgery", start, 25, self.sendco_id, True, self.mode(rng, 0.3, 0.1), status
            )
            self.add_record(rng, meeting, sent=0.6, late=0.1)
            self.meetings.append(meeting)
            self.slot_taken[i] = True

    # ---------------------------------------------------------------- annual reviews

    def annual_reviews(self) -> None:
        rng = self.rng("annual-reviews")
        ehc = [p for p in self.register_order() if p.status == "E"]
        autumn = self.cal.terms[0]
        first_day = autumn.start + dt.timedelta(days=7)
        deadlines: list[tuple[_Pupil, dt.date, dt.date]] = []
        for pupil in ehc:
            if rng.random() < 0.12 and self.activity_end > first_day + dt.timedelta(days=30):
                # a new plan issued this school year: no annual review due yet
                issued = self.days.next_school(
                    first_day
                    + dt.timedelta(days=rng.randrange((self.activity_end - first_day).days - 7))
                )
                pupil.last_review = issued
                self.plans.append(_Plan(pupil, "EHCP", issued, _add_months(issued, 12)))
                continue
            previous = rng.choice(self.prev.school)
            if pupil.registered_on and previous < pupil.registered_on:
                pupil.registered_on = previous - dt.timedelta(days=rng.randint(200, 500))
                while pupil.registered_on.weekday() >= 5:
                    pupil.registered_on -= dt.timedelta(days=1)
            due = _add_months(previous, 12)
            deadline = due
            if int(pupil.year if pupil.year.isdigit() else 0) == self.p.transfer_year:
                transfer = (
                    dt.date(2026, 2, 15) if self.p.transfer_year != 11 else dt.date(2026, 3, 31)
                )
                deadline = min(due, transfer)
            deadlines.append((pupil, previous, deadline))

        # Make sure the sample shows a review due in the next six weeks, when it can.
        soon = self.activity_end + dt.timedelta(days=42)
        due_soon: set[int] = set()
        in_window = [p for p, _, d in deadlines if self.activity_end < d <= soon]
        if in_window:
            due_soon.add(id(rng.choice(in_window)))
        else:
            later = [
                i
                for i, (p, _, d) in enumerate(deadlines)
                if d > soon and p.year != str(self.p.transfer_year)
            ]
            window = [
                d
                for d in self.prev.school
                if self.activity_end + dt.timedelta(days=7)
                <= _due_of(d)
                <= self.activity_end + dt.timedelta(days=40)
            ]
            if later and window:
                i = rng.choice(later)
                pupil, previous = deadlines[i][0], rng.choice(window)
                deadlines[i] = (pupil, previous, _due_of(previous))
                due_soon.add(id(pupil))

        # Some reviews slip past their deadline: held late, or still not held (overdue).
        # Make sure the sample shows at least one overdue review when it can.
        slipped: dict[int, dt.date] = {}
        for pupil, _, deadline in deadlines:
            if rng.random() < self.lapse(0.25) and id(pupil) not in due_soon:
                slipped[id(pupil)] = deadline + dt.timedelta(days=rng.randint(10, 90))
        passed = [(p, d) for p, _, d in deadlines if d < self.activity_end]
        if passed and not any(slipped.get(id(p), d) > self.activity_end for p, d in passed):
            pupil, deadline = rng.choice(passed)
            slipped[id(pupil)] = self.activity_end + dt.timedelta(days=rng.randint(5, 40))

        for pupil, previous, deadline in deadlines:
            lead = (
                pupil.lead if pupil.lead in (self.sendco_id, self.assistant_id) else self.sendco_id
            )
            early = rng.randint(0, 35)
            if pupil.year == str(self.p.transfer_year) and deadline < _due_of(previous):
                early = rng.randint(7, 80)
            if id(pupil) in due_soon:  # booked for after the as-of date
                early = rng.randint(0, max(0, (deadline - self.activity_end).days - 1))
            target = max(deadline - dt.timedelta(days=early), first_day)
            latest = deadline
            if id(pupil) in slipped:
                if rng.random() < 0.5 and target <= self.activity_end - dt.timedelta(days=7):
                    self._annual_review(rng, pupil, lead, target, deadline, force="cancelled")
                target = slipped[id(pupil)]
                latest = self.horizon
            if target > self.horizon:
                pupil.last_review = previous
            else:
                held = self._annual_review(rng, pupil, lead, target, max(latest, target))
                pupil.last_review = held or previous
            plan = _Plan(pupil, "EHCP", previous, _due_of(previous))
            if pupil.last_review != previous:
                plan.reviewed = pupil.last_review
                plan.outcome = _pick(rng, {"progress": 5, "some_progress": 4, "no_progress": 1})
                self.plans.append(plan)
                self.plans.append(
                    _Plan(pupil, "EHCP", pupil.last_review, _due_of(pupil.last_review))
                )
            else:
                self.plans.append(plan)

    def _annual_review(
        self,
        rng: random.Random,
        pupil: _Pupil,
        lead: str,
        target: dt.date,
        latest: dt.date,
        force: str = "",
    ) -> dt.date | None:
        """Book an annual review; the date it was held, if it was held by as_of."""
        latest = min(max(latest, target + dt.timedelta(days=14)), self.horizon)
        starts = self.place(rng, target, 60, lead, True, latest)
        if starts is None:
            return None
        if force and starts.date() <= self.activity_end:
            status = force
        else:
            status = self.status_for(rng, starts.date(), held=0.94)
        if status == "did_not_attend":
            status = "cancelled"  # annual reviews are rearranged, not missed
        meeting = _Meeting(
            pupil, "annual_review", starts, 60, lead, True, self.mode(rng, 0.2, 0.0), status
        )
        if status == "held":
            # the review report goes to parents within two weeks (Code of Practice 9.169)
            if rng.random() < 0.92:
                lag = rng.randint(2, 9) if rng.random() < 0.8 else rng.randint(11, 20)
                day = self.days.add(starts.date(), lag)
                if day is not None and day <= self.activity_end:
                    meeting.record = day
        self.meetings.append(meeting)
        if status == "cancelled" and not force and rng.random() < 0.8:
            return self._annual_review(
                rng,
                pupil,
                lead,
                starts.date() + dt.timedelta(days=rng.randint(14, 35)),
                latest + dt.timedelta(days=40),
            )
        return starts.date() if status == "held" else None

    # ---------------------------------------------------------------- requests

    def build_requests(self) -> None:
        rng = self.rng("requests")
        registered = [p for p in self.roll if p.status in ("K", "E")]
        pool = [p for p in self.roll if p.status in ("K", "E", "M")]
        if not pool:
            return
        weights = [{"E": 1.3, "K": 1.0, "M": 0.8}[p.status] * p.propensity for p in pool]
        total_days = len(self.days.school)
        elapsed = len(self.days.school_between(self.days.school[0], self.activity_end))
        rate = rng.uniform(1.25, 1.6)  # requests per registered pupil per whole school year
        n = round(max(len(registered), 1) * rate * elapsed / total_days)

        candidates, day_weights = [], []
        day = dt.date(2025, 8, 18)
        while day <= self.activity_end:
            candidates.append(day)
            day_weights.append(self._request_weight(day))
            day += dt.timedelta(days=1)
        chosen = sorted(rng.choices(candidates, weights=day_weights, k=n))

        kinds = _spread(
            rng, {"meeting": 62, "information": 31, "safeguarding": 3, "urgent_day_to_day": 4}, n
        )
        for received, kind in zip(chosen, kinds, strict=True):
            pupil = rng.choices(pool, weights=weights)[0]
            school_day = self.cal.is_school_day(received)
            channel = (
                _pick(rng, {"office": 40, "class_teacher": 30, "email": 20, "phone": 7, "other": 3})
                if school_day
                else _pick(rng, {"email": 9, "other": 1})
            )
            request = _Request(pupil, received, channel, kind)
            self.requests.append(request)
            self._acknowledge(rng, request)

        self._ensure_request_variety(rng)
        for request in self.requests:
            self._meeting_from_request(rng, request)

    def _request_weight(self, day: dt.date) -> float:
        season = {8: 0.3, 9: 1.5, 10: 1.3, 11: 1.2, 12: 0.7, 1: 1.0, 2: 1.1, 3: 1.0, 4: 0.9}
        weight = season.get(day.month, 0.8)
        if any(0 <= (day - r).days <= 9 for r in self.p.report_dates):
            weight *= 2.2  # reports have gone home
        if not self.cal.is_school_day(day):
            return weight * 0.12  # emails at weekends and in the holidays
        return weight * (1.3 if day.weekday() == 0 else 0.8 if day.weekday() == 4 else 1.0)

    def _acknowledge(self, rng: random.Random, request: _Request) -> None:
        routed = request.kind in ("safeguarding", "urgent_day_to_day")
        if routed:
            taken = rng.choice((0, 0, 0, 1))
        elif rng.random() < self.lapse(0.14):
            taken = rng.choices(
                range(6, 21), weights=[6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1]
            )[0]
        else:
            taken = rng.choices(range(6), weights=(8, 24, 22, 16, 10, 8))[0]
        acknowledged = self.days.add(request.received, taken)
        if not routed and acknowledged is not None and rng.random() < 0.5:
            acknowledged = self.days.next_sendco(acknowledged)  # waits for a SENDCo day
        recent = (self.activity_end - request.received).days <= 45
        if routed and (acknowledged is None or acknowledged > self.activity_end):
            acknowledged = self.activity_end  # passed on at once, even out of term
        if acknowledged is None or acknowledged > self.activity_end:
            return  # still open as of the date
        if not routed and recent and rng.random() < self.lapse(0.05):
            return  # fell through the cracks: open and overdue
        request.acknowledged = acknowledged
        if request.kind == "safeguarding":
            request.response = "routed_safeguarding"
        elif request.kind == "urgent_day_to_day":
            request.response = "routed_class_teacher"
        elif request.kind == "meeting":
            request.response = _pick(
                rng,
                {
                    "meeting_offered": 60,
                    "timescale_proposed": 15,
                    "more_information_needed": 10,
                    "answered_without_meeting": 15,
                },
            )
        else:
            request.response = _pick(
                rng,
                {
                    "answered_without_meeting": 65,
                    "more_information_needed": 20,
                    "meeting_offered": 10,
                    "timescale_proposed": 5,
                },
            )

    def _ensure_request_variety(self, rng: random.Random) -> None:
        """Every sample shows a late acknowledgement, an open request and a routed one."""
        own = [r for r in self.requests if r.kind in ("meeting", "information")]
        if not own:
            return
        if not any(r.acknowledged is None for r in own):
            latest = max(own, key=lambda r: r.received)
            latest.acknowledged, latest.response = None, ""
        late = [
            r
            for r in own
            if r.acknowledged and self.cal.school_days_taken(r.received, r.acknowledged) > 5
        ]
        if not late:
            for request in own:
                day = self.days.add(request.received, 8)
                if request.acknowledged and day is not None and day <= self.activity_end:
                    request.acknowledged = day
                    break
        if not any(r.kind in ("safeguarding", "urgent_day_to_day") for r in self.requests):
            done = [r for r in own if r.acknowledged and self.cal.is_school_day(r.received)]
            if done:
                pick = rng.choice(done)
                pick.kind, pick.response = "urgent_day_to_day", "routed_class_teacher"
                pick.acknowledged = self.days.next_school(pick.received)

    def _meeting_from_request(self, rng: random.Random, request: _Request) -> None:
        if request.acknowledged is None:
            return
        if request.response == "meeting_offered":
            gap, chance = rng.randint(3, 15), 0.88
        elif request.response == "timescale_proposed":
            gap, chance = rng.randint(12, 30), 0.6
        else:
            return
        if rng.random() >= chance:
            return
        start_day = self.days.add(request.acknowledged, gap)
        if start_day is None or start_day > self.horizon:
            return
        pupil = request.pupil
        if rng.random() < 0.2:
            starts = self.take_slot(start_day, start_day + dt.timedelta(days=21))
            if starts is not None:
                status = self.status_for(rng, starts.date(), held=0.86)
                meeting = _Meeting(
                    pupil,
                    "surgery",
                    starts,
                    25,
                    self.sendco_id,
                    True,
                    self.mode(rng, 0.3, 0.1),
                    status,
                    request=request,
                )
                self.add_record(rng, meeting, sent=0.65, late=0.1)
                self.meetings.append(meeting)
                return
        lead = self.sendco_id
        if self.assistant_id and pupil.lead == self.assistant_id and rng.random() < 0.7:
            lead = self.assistant_id
        minutes = _pick(rng, {"30": 85, "45": 10, "20": 5})
        starts = self.place(
            rng, start_day, int(minutes), lead, lead == self.sendco_id, self.horizon
        )
        if starts is None:
            return
        status = self.status_for(rng, starts.date(), held=0.86)
        meeting = _Meeting(
            pupil,
            "concern",
            starts,
            int(minutes),
            lead,
            lead == self.sendco_id,
            self.mode(rng),
            status,
            request=request,
        )
        self.add_record(rng, meeting, sent=0.8, late=0.15)
        self.meetings.append(meeting)
        if status in ("cancelled", "did_not_attend") and rng.random() < 0.6:
            again = self.place(
                rng,
                starts.date() + dt.timedelta(days=rng.randint(5, 20)),
                meeting.minutes,
                lead,
                meeting.sendco,
                self.horizon,
            )
            if again is not None:
                retry = _Meeting(
                    pupil, "concern", again, meeting.minutes, lead, meeting.sendco, meeting.mode,
                    self.status_for(rng, again.date(), held=0.92), request=request,
                )  # fmt: skip
                self.add_record(rng, retry, sent=0.8, late=0.15)
                self.meetings.append(retry)

    # ---------------------------------------------------------------- termly reviews

    def termly_reviews(self) -> None:
        rng = self.rng("reviews")
        registered = [p for p in self.register_order() if p.status in ("K", "E")]
        first_term = self.cal.terms[0]
        for pupil in registered:
            early = pupil.registered_on is not None and pupil.registered_on <= first_term.start
            chance = 0.08 if pupil.year == self.p.behind_year else 0.02
            pupil.never_met = early and rng.random() < self.lapse(chance)
        ar_terms = {
            (id(m.pupil), self.cal.term_of(m.starts.date()))
            for m in self.meetings
            if m.kind == "annual_review" and m.status in ("held", "scheduled")
        }
        for term in self.cal.terms:
            if term.start > self.activity_end:
                break
            current = term.start <= self.activity_end <= term.end
            windows = {}
            for pupil in registered:
                window = self._review_window(pupil, term)
                if window is None:
                    continue
                if (id(pupil), term) in ar_terms and rng.random() < 0.75:
                    continue  # the annual review was this term's meeting
                windows[id(pupil)] = window
            # Quotas per year group, so that even a small year group shows its pattern;
            # pupils never met this year fill their year group's gap first.
            planned: set[int] = set()
            for year in self.p.year_groups:
                eligible = [p for p in registered if p.year == year and id(p) in windows]
                behind = year == self.p.behind_year
                chance = (0.62 if behind else 0.93) if current else (0.6 if behind else 0.92)
                chance = self.kept(chance)
                pool = [p for p in eligible if not p.never_met]
                count = min(round(chance * len(eligible)), len(pool))
                planned.update(id(p) for p in rng.sample(pool, count))
            for pupil in registered:
                if id(pupil) in planned:
                    self._review_in_term(rng, pupil, term, windows[id(pupil)])
                elif pupil.never_met and current and id(pupil) in windows and rng.random() < 0.5:
                    # booked at last, after the as-of date
                    start, end = windows[id(pupil)]
                    start = max(start, self.activity_end + dt.timedelta(days=1))
                    if start <= end:
                        self._review_in_term(rng, pupil, term, (start, end))

    def _review_window(self, pupil: _Pupil, term: Term) -> tuple[dt.date, dt.date] | None:
        """The days a pupil's review could fall on this term, if the pupil is due one."""
        registered = pupil.registered_on
        if registered is None or registered > min(
            term.end - dt.timedelta(days=14), self.activity_end
        ):
            return None
        window_start = self.days.add(max(term.start, registered), 7)
        window_end = self.days.add(term.end - dt.timedelta(days=6), 0)
        if window_start is None or window_end is None or window_start > window_end:
            return None
        return window_start, window_end

    def _review_in_term(
        self, rng: random.Random, pupil: _Pupil, term: Term, window: tuple[dt.date, dt.date]
    ) -> None:
        window_start, window_end = window
        behind = pupil.year == self.p.behind_year
        days = self.days.school_between(window_start, window_end)
        peaks = [d for d in days if any(0 <= (d - p).days < 5 for p in self.p.review_peaks)]
        day = rng.choice(peaks if peaks and rng.random() < 0.55 else days)

        lead = pupil.lead if rng.random() < 0.9 else self.sendco_id
        if lead == self.sendco_id:
            sendco = True
        elif lead == self.assistant_id:
            sendco = rng.random() < 0.1
        else:
            sendco = rng.random() < (0.75 if pupil.status == "E" else 0.3)
        minutes = int(_pick(rng, {"30": 80, "20": 8, "45": 7, "40": 5}))
        mode = self.mode(rng)
        # teachers meet parents after school; with the SENDCo, sometimes in the day
        after_school = lead not in (self.sendco_id, self.assistant_id) and (
            not sendco or rng.random() < 0.5
        )
        latest = min(window_end + dt.timedelta(days=3), term.end)
        starts = self.place(rng, day, minutes, lead, sendco, latest, after_school)
        if starts is None:
            return
        status = self.status_for(rng, starts.date(), held=0.88)
        meeting = _Meeting(pupil, "review", starts, minutes, lead, sendco, mode, status)
        self.add_record(rng, meeting, sent=0.62 if behind else 0.86, late=0.3 if behind else 0.12)
        self.meetings.append(meeting)
        if status in ("cancelled", "did_not_attend") and rng.random() < 0.7:
            again = self.place(
                rng,
                starts.date() + dt.timedelta(days=rng.randint(5, 18)),
                minutes,
                lead,
                sendco,
                term.end,
                after_school,
            )
            if again is not None:
                retry = _Meeting(
                    pupil, "review", again, minutes, lead, sendco, mode,
                    self.status_for(rng, again.date(), held=0.93),
                )  # fmt: skip
                self.add_record(rng, retry, sent=0.86, late=0.12)
                self.meetings.append(retry)

    def support_plans(self) -> None:
        """APDR cycles: one plan a term for each pupil on SEN support, reviewed at the review."""
        rng = self.rng("plans")
        held_reviews: dict[int, list[dt.date]] = {}
        for m in self.meetings:
            if m.kind == "review" and m.status == "held" and m.pupil is not None:
                held_reviews.setdefault(id(m.pupil), []).append(m.starts.date())
        outcomes = {"progress": 42, "some_progress": 30, "no_progress": 14, "met": 14}
        for pupil in self.register_order():
            if pupil.status != "K" or pupil.registered_on is None:
                continue
            reviews = sorted(held_reviews.get(id(pupil), []))
            previous: dt.date | None = None
            for term in self.current_terms:
                if pupil.registered_on > min(term.end, self.activity_end):
                    break
                starts = previous or self.days.add(
                    max(term.start, pupil.registered_on), rng.randint(3, 9)
                )
                if starts is None or starts > self.activity_end:
                    break
                in_term = [d for d in reviews if term.start <= d <= term.end]
                reviewed = in_term[0] if in_term else None
                if reviewed is not None and reviewed < starts:
                    starts = reviewed
                due = self.days.add(term.end - dt.timedelta(days=10), 0) or term.end
                due = max(due, starts)
                plan = _Plan(pupil, self.p.plan_type, starts, due, reviewed)
                if reviewed is not None:
                    plan.outcome = _pick(rng, outcomes)
                self.plans.append(plan)
                previous = reviewed or None

    # ---------------------------------------------------------------- other meetings

    def agency_and_other(self) -> None:
        rng = self.rng("agency")
        registered = [p for p in self.register_order() if p.status in ("K", "E")]
        start = self.cal.terms[0].start + dt.timedelta(days=14)
        for pupil in registered:
            if rng.random() >= (0.2 if pupil.status == "E" else 0.1):
                continue
            earliest = max(start, pupil.registered_on or start)
            span = (self.horizon - earliest).days
            if span <= 0:
                continue
            day = earliest + dt.timedelta(days=rng.randrange(span))
            minutes = int(_pick(rng, {"60": 55, "45": 45}))
            starts = self.place(rng, day, minutes, self.sendco_id, True, self.horizon)
            if starts is None:
                continue
            status = self.status_for(rng, starts.date(), held=0.9)
            if status == "did_not_attend":
                status = "cancelled"
            meeting = _Meeting(
                pupil,
                "external_agency",
                starts,
                minutes,
                self.sendco_id,
                True,
                self.mode(rng, 0.4, 0.05),
                status,
            )
            self.add_record(rng, meeting, sent=0.85, late=0.2)
            self.meetings.append(meeting)
        # phase-transfer planning: the next school's SENCO, the pupil and parents
        transfer = [p for p in registered if p.year == str(self.p.transfer_year)]
        spring = self.cal.terms[1]
        for pupil in transfer:
            if rng.random() >= (0.8 if pupil.status == "E" else 0.3):
                continue
            day = spring.start + dt.timedelta(days=rng.randrange((spring.end - spring.start).days))
            minutes = int(_pick(rng, {"30": 1, "45": 1}))
            starts = self.place(rng, day, minutes, self.sendco_id, True, self.horizon)
            if starts is None:
                continue
            status = self.status_for(rng, starts.date(), held=0.9)
            meeting = _Meeting(
                pupil, "other", starts, minutes, self.sendco_id, True, self.mode(rng), status
            )
            self.add_record(rng, meeting, sent=0.8, late=0.1)
            self.meetings.append(meeting)

    # ---------------------------------------------------------------- output

    def run(self) -> SyntheticSchool:
        self.build_roll()
        self.build_staff()
        self.register()
        self.surgery_slots()
        self.annual_reviews()
        self.build_requests()
        self.termly_reviews()
        self.support_plans()
        self.agency_and_other()
        self.fill_surgeries()
        return self.render()

    def render(self) -> SyntheticSchool:
        prefix = _slug_initials(self.name)
        width = max(4, len(str(self.n_roll)))
        for pupil in self.roll:
            pupil.pid = f"{prefix}{pupil.number:0{width}d}"
        written = sorted((p for p in self.roll if p.status != "N"), key=lambda p: p.pid)
        pupils = [
            {
                "pupil_id": p.pid,
                "year_group": p.year,
                "sen_status": p.status,
                "primary_need": p.need,
                "lead_staff_id": p.lead,
                "registered_on": _iso(p.registered_on),
                "last_annual_review_on": _iso(p.last_review) if p.status == "E" else "",
                "sex": p.sex,
                "fsm": "true" if p.fsm else "false",
                "display_name": p.name,
            }
            for p in written
        ]
        staff = [
            {"staff_id": s, "role": r}
            for s, r in sorted(
                self.staff, key=lambda x: (_ROLE_ORDER.index(x[1]), _staff_key(x[0]))
            )
        ]
        self.requests.sort(key=lambda r: (r.received, r.pupil.pid, r.channel, r.kind))
        for i, request in enumerate(self.requests, start=1):
            request.rid = f"RQ{i:05d}"
        requests = [
            {
                "request_id": r.rid,
                "pupil_id": r.pupil.pid,
                "received_on": _iso(r.received),
                "channel": r.channel,
                "kind": r.kind,
                "acknowledged_on": _iso(r.acknowledged),
                "response": r.response,
            }
            for r in self.requests
        ]
        self.meetings.sort(
            key=lambda m: (m.starts, m.pupil.pid if m.pupil else "", m.kind, m.lead, m.status)
        )
        meetings = [
            {
                "meeting_id": f"MT{i:05d}",
                "pupil_id": m.pupil.pid if m.pupil else "",
                "kind": m.kind,
                "starts_at": m.starts.strftime("%Y-%m-%d %H:%M"),
                "minutes": str(m.minutes),
                "lead_staff_id": m.lead,
                "sendco_attended": "true" if m.sendco else "false",
                "mode": m.mode,
                "status": m.status,
                "record_sent_on": _iso(m.record),
                "request_id": m.request.rid if m.request else "",
            }
            for i, m in enumerate(self.meetings, start=1)
        ]
        self.plans.sort(key=lambda p: (p.pupil.pid, p.starts, p.plan_type, p.due))
        plans = [
            {
                "plan_id": f"PL{i:05d}",
                "pupil_id": p.pupil.pid,
                "plan_type": p.plan_type,
                "starts_on": _iso(p.starts),
                "review_due_on": _iso(p.due),
                "reviewed_on": _iso(p.reviewed),
                "outcome": p.outcome,
            }
            for i, p in enumerate(self.plans, start=1)
        ]
        roll: dict[str, int] = {}
        fsm: dict[str, int] = {}
        for pupil in self.roll:
            roll[pupil.status] = roll.get(pupil.status, 0) + 1
            fsm[pupil.status] = fsm.get(pupil.status, 0) + int(pupil.fsm)
        return SyntheticSchool(
            name=self.name,
            phase=self.phase,
            pupils_on_roll=self.n_roll,
            as_of=self.as_of,
            toml=self.toml(),
            tables={
                "pupils": pupils,
                "staff": staff,
                "requests": requests,
                "meetings": meetings,
                "plans": plans,
            },
            roll=dict(sorted(roll.items())),
            fsm_roll=dict(sorted(fsm.items())),
        )

    def toml(self) -> str:
        p = self.p
        days = ", ".join(f'"{d}"' for d in p.working_days)
        lines = [
            "# A synthetic school generated by sendlib.synth.generator: no real pupil, member of staff",
            "# or school is described. Regenerate with:",
            f"#   sendlib sample OUT_DIR --phase {self.phase} --pupils {self.n_roll} "
            f"--seed {self.seed} --as-of {self.as_of.isoformat()}",
            *self.staffing.comment(),
            f"# Pupils on roll: {self.n_roll} (pupils.csv lists only those on the SEND register",
            "# and those monitored).",
            "",
            "[school]",
            f"name = {_toml_string(self.name)}",
            f'phase = "{self.phase}"',
            f"transfer_year_group = {p.transfer_year}",
            'nation = "england"',
            'date_format = "iso"',
            "",
            "[sendco]",
            f"working_days = [{days}]",
            f'day_starts = "{p.day_starts}"',
            f'day_ends = "{p.day_ends}"',
            f"send_hours_per_day = {p.send_hours:.1f}",
            "",
            "[policy]",
            "acknowledge_within_school_days = 5",
            "meeting_minutes = 30",
            "annual_review_minutes = 60",
            "surgery_minutes = 25",
            f"surgeries_per_week = {p.surgeries_per_week}",
            "meetings_per_surgery = 2",
            "min_parent_meetings_per_year = 3",
            "suppress_below = 5",
            "record_within_school_days = 5",
            "preparation_minutes = 10",
            "write_up_minutes = 15",
            "due_soon_days = 42",
        ]
        for term in TERMS_2025_26:
            lines += ["", "[[terms]]", f"name = {_toml_string(term.name)}"]
            lines += [f"start = {term.start.isoformat()}", f"end = {term.end.isoformat()}"]
        for closure in CLOSURES_2025_26:
            lines += ["", "[[closures]]", f"name = {_toml_string(closure.name)}"]
            lines += [f"start = {closure.start.isoformat()}", f"end = {closure.end.isoformat()}"]
        return "\n".join(lines) + "\n"


def _due_of(last_review: dt.date) -> dt.date:
    """Return the due date of an annual review: 12 months on (29 Feb -> 28 Feb)."""
    return _add_months(last_review, 12)


def _staff_key(staff_id: str) -> tuple:
    # T3A before T10A: order by the number inside the id, then the whole id
    digits = "".join(c for c in staff_id if c.isdigit())
    return (int(digits) if digits else -1, staff_id)


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _spread(rng: random.Random, weights: dict[str, float], n: int) -> list[str]:
    """``n`` codes in proportion to ``weights`` (systematic sampling), in random order.

    Each code gets its expected count rounded up or down, so even a small school's mix
    looks like the national one, while which pupil gets which need stays random.
    """
    if n == 0:
        return []
    step = sum(weights.values()) / n
    position = rng.random() * step
    codes, cumulative = [], 0.0
    for code, weight in weights.items():
        cumulative += weight
        while position < cumulative and len(codes) < n:
            codes.append(code)
            position += step
    codes += [next(iter(weights))] * (n - len(codes))  # float rounding at the very end
    rng.shuffle(codes)
    return codes


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    sizes = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - sizes[i], -i), reverse=True)
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _boys_rest(roll: list[_Pupil]) -> float:
    """Boys' share among pupils without SEN so that the whole roll is about 51% boys."""
    n = len(roll)
    counts = {s: sum(1 for p in roll if p.status == s) for s in ("E", "K", "M", "N")}
    if counts["N"] == 0:
        return 0.5
    boys_sen = sum(counts[s] * _BOYS[s] for s in ("E", "K", "M"))
    return min(0.6, max(0.4, (0.51 * n - boys_sen) / counts["N"]))


def _csv(columns: Sequence[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return buffer.getvalue().encode("utf-8")


_FILES = {
    "pupils": _PUPIL_COLUMNS,
    "staff": _STAFF_COLUMNS,
    "requests": _REQUEST_COLUMNS,
    "meetings": _MEETING_COLUMNS,
    "plans": _PLAN_COLUMNS,
}


def simulate_school(
    phase: str = "primary",
    pupils: int = 420,
    seed: int = 1,
    as_of: dt.date | None = None,
    name: str | None = None,
    *,
    send_hours: float | None = None,
    working_days: Sequence[str] | None = None,
    diligence: float = 1.0,
) -> SyntheticSchool:
    """Generate a synthetic school in memory (the tables :func:`generate_school` writes).

    Args:
        phase: ``"primary"`` (Reception to Year 6) or ``"secondary"`` (Years 7 to 11).
        pupils: pupils on roll, including those with no SEN (not written).
        seed: the random seed; the same arguments always give the same school.
        as_of: the date the data describe; records after it are scheduled or absent.
            Default :data:`DEFAULT_AS_OF` (spring term 2026).
        name: the school's name; default "Harbourside Primary" or "Northgate Academy".
        send_hours: protected SEND hours per SENDCo day (default: the phase's, 3.5 or 5).
        working_days: the SENDCo's weekdays, e.g. ``("mon", "tue")`` (default: the phase's).
        diligence: how well the school keeps to its duties; 1 (default) is the calibrated
            sample, 0.5 lapses twice as often, 2 half as often. The defaults of these three
            give exactly the files they gave before they existed.

    Returns:
        The school's settings (``school.toml`` text), tables and roll counts.

    Raises:
        ValueError: for an unknown phase, too few pupils or an ``as_of`` outside the
            2025/26 school year.
    """
    if phase not in _PHASES:
        raise ValueError(f"phase must be one of {', '.join(_PHASES)}; got {phase!r}")
    if isinstance(pupils, bool) or not isinstance(pupils, int) or pupils < 30:
        raise ValueError(f"pupils must be a whole number of at least 30; got {pupils!r}")
    as_of = DEFAULT_AS_OF if as_of is None else as_of
    first_day = TERMS_2025_26[0].start
    if not first_day + dt.timedelta(days=14) <= as_of <= _LAST_AS_OF:
        raise ValueError(
            f"as_of must fall in the 2025/26 school year the sample calendar covers "
            f"({first_day + dt.timedelta(days=14)} to {_LAST_AS_OF}); got {as_of}"
        )
    name = (name or DEFAULT_NAMES[phase]).strip() or DEFAULT_NAMES[phase]
    staffing = _Staffing(
        send_hours=send_hours,
        working_days=None if working_days is None else tuple(working_days),
        diligence=diligence,
    )
    wrong = staffing.problems(_PHASES[phase])
    if wrong:
        raise ValueError("; ".join(wrong))
    return _Generator(phase, pupils, int(seed), as_of, name, staffing).run()


def generate_school(
    out_dir: str | Path,
    phase: str = "primary",
    pupils: int = 420,
    seed: int = 1,
    as_of: dt.date | None = None,
    name: str | None = None,
    *,
    send_hours: float | None = None,
    working_days: Sequence[str] | None = None,
    diligence: float = 1.0,
) -> Path:
    """Write a complete synthetic school folder into ``out_dir`` (created if needed).

    The folder holds ``school.toml`` and ``pupils.csv``, ``staff.csv``, ``requests.csv``,
    ``meetings.csv`` and ``plans.csv`` in the format of DESIGN.md ("A school folder").
    The same arguments always write byte-identical files.

    Args:
        out_dir: the school folder to write (its five tables and ``school.toml`` are
            overwritten; other files are left alone).
        phase: ``"primary"`` (Reception to Year 6) or ``"secondary"`` (Years 7 to 11).
        pupils: pupils on roll, including those with no SEN, who are not written.
        seed: the random seed.
        as_of: the date the data describe (default :data:`DEFAULT_AS_OF`, 6 March 2026).
        name: the school's name (default "Harbourside Primary" or "Northgate Academy").
        send_hours: protected SEND hours per SENDCo day (default: the phase's).
        working_days: the SENDCo's weekdays (default: the phase's).
        diligence: how well the school keeps to its duties (1, the default, is the
            calibrated sample; see :func:`simulate_school`).

    Returns:
        The folder written.

    Raises:
        ValueError: for an unknown phase, too few pupils or an out-of-range ``as_of``.
    """
    school = simulate_school(
        phase=phase,
        pupils=pupils,
        seed=seed,
        as_of=as_of,
        name=name,
        send_hours=send_hours,
        working_days=working_days,
        diligence=diligence,
    )
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "school.toml").write_bytes(school.toml.encode("utf-8"))
    for table, columns in _FILES.items():
        (folder / f"{table}.csv").write_bytes(_csv(columns, school.tables[table]))
    return folder
