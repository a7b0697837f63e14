r"""What the sample schools are calibrated to: published national figures, and each phase.

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
- Timeliness of new EHC plans, DfE *Education, health and care plans* (reporting year
  2025, published June 2025, calendar year 2024): 46.4% of new EHC plans were issued
  within the statutory 20 weeks, down from 50.3% in 2023
  (explore-education-statistics.service.gov.uk, "Timeliness of new education, health
  and care plans"): :data:`ISSUED_WITHIN_20_WEEKS`, the chance that a sample school's
  local authority issues a plan in time.

Assumptions of the generator (not published figures, kept modest and stated here): the
need mix is tilted by phase (SLCN x1.35, SPLD x0.7 in primary; SLCN x0.55, SPLD x1.35,
SEMH x1.2 in secondary), SLD and PMLD are scaled down (x0.4, x0.2) for a mainstream
school's EHC plans, DS (new census code from January 2025) is given a weight of 0.3
(EHC) and 0.05 (SEN support); pupils of concern who are not on the register (monitored,
``M``) make up 5-9% of the roll; SEN is identified less often in the youngest year
groups; one year group (Year 4 in a primary, Year 8 in a secondary) is noticeably
behind on review meetings, so equity breakdowns show something.

Provision costs (:mod:`sendlib.synth.provision`; an hour of staff time as it costs the
school, salary plus employer on-costs over the hours worked):

- Employer national insurance: 15% above a secondary threshold of GBP 5,000 a year, from
  6 April 2025 (Autumn Budget 2024; HMRC rates as reported by accountants' briefings).
- Teachers: the School Teachers' Pay and Conditions Document 2025 (STRB 35th report, 4%
  from 1 September 2025) sets the main pay range outside London at GBP 32,916 to 45,352;
  the samples take GBP 38,000 (an estimate: about M3-M4) over the 1,265 hours of directed
  time, plus the Teachers' Pension Scheme employer contribution of 28.68% (Teachers'
  Pensions, from 1 April 2024): about GBP 42.60 an hour.
- Teaching assistants: the NJC ("Green Book") pay award of 3.2% on every spinal column
  point from 1 April 2025 (NJC agreement of 23 July 2025). The spine point's value is an
  estimate: GBP 26,400 full-time at about SCP 7, paid term-time only for 44.6 of 52.14
  weeks while working 39 weeks of 37 hours, plus an LGPS employer contribution of 19%
  (an estimate: each fund sets its own rate): about GBP 20.45 an hour worked.
- Educational psychologist: GBP 393 for a 3-hour session (Nottingham City Educational
  Psychology Service, traded ad hoc price 2025-26), GBP 131 an hour.
- Speech and language therapist GBP 80 an hour and a specialist SpLD teacher GBP 65 an
  hour: estimates (no published traded price found). Reading and literacy software
  licences (GBP 1,200 a primary, 2,400 a secondary school a year): estimates.

Three optional settings (:class:`Staffing`) make varied schools for trust demonstrations
(``sendlib sample-trust``): the SENDCo's protected hours and working days, and
``diligence``, how well the school keeps to its duties (lapses such as late
acknowledgements, missed termly reviews, slipped annual reviews and unsent records scale
with ``1 / diligence``). Left at their defaults they change nothing: the committed samples
regenerate byte for byte.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace

from sendlib.school.calendar import WEEKDAYS
from sendlib.synth.calendars import hm

#: Primary need on SEN support (%), DfE January 2024; DS (new in 2025) given 0.05.
SUPPORT_NEEDS = {
    "SLCN": 25.6, "SEMH": 22.3, "MLD": 15.8, "SPLD": 13.9, "ASD": 9.2, "NSA": 4.7, "OTH": 3.7,
    "PD": 1.9, "HI": 1.5, "VI": 0.9, "MSI": 0.3, "SLD": 0.2, "PMLD": 0.1, "DS": 0.05,
}  # fmt: skip
#: Primary need with an EHC plan (%), same source; SLD and PMLD scaled for a mainstream school.
EHC_NEEDS = {
    "ASD": 33.0, "SLCN": 19.5, "SEMH": 15.5, "MLD": 8.5, "SLD": 7.9 * 0.4, "SPLD": 4.3, "PD": 3.6,
    "PMLD": 2.5 * 0.2, "OTH": 2.2, "HI": 1.6, "VI": 1.0, "MSI": 0.3, "DS": 0.3,
}  # fmt: skip
#: How each phase tilts the national need mix (an assumption, see above).
PHASE_TILT = {
    "primary": {"SLCN": 1.35, "SPLD": 0.7},
    "secondary": {"SLCN": 0.55, "SPLD": 1.35, "SEMH": 1.2},
}
#: Boys' share by SEN status, DfE 2024/25 (monitored pupils: an assumption).
BOYS = {"E": 0.71, "K": 0.61, "M": 0.56}
#: Free school meals eligibility by SEN status, DfE 2024/25 (monitored: an assumption).
FSM = {"E": 0.438, "K": 0.393, "M": 0.30, "N": 0.222}


#: Employer national insurance from 6 April 2025: 15% above GBP 5,000 a year.
EMPLOYER_NI, NI_THRESHOLD = 0.15, 5000.0


def employed_hourly_cost(salary: float, pension: float, hours: float) -> float:
    """An hour of an employee's work to the school: pay, employer NI and pension, per hour."""
    return (salary + EMPLOYER_NI * max(0.0, salary - NI_THRESHOLD) + pension * salary) / hours


#: An hour of each kind of staff time to the school, in GBP (sources in the docstring).
STAFF_HOURLY_COST = {
    "teacher": round(employed_hourly_cost(38_000, 0.2868, 1265), 2),
    "teaching_assistant": round(employed_hourly_cost(26_400 * 44.6 / 52.14, 0.19, 37 * 39), 2),
    "educational_psychologist": round(393 / 3, 2),
    "speech_and_language_therapist": 80.0,
    "specialist_teacher": 65.0,
}


@dataclass(frozen=True)
class Phase:
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


PHASES = {
    "primary": Phase(
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
    "secondary": Phase(
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


@dataclass(frozen=True)
class Staffing:
    """How a school differs from its phase's calibrated defaults (``None``: the default).

    ``diligence`` is how well the school keeps to its duties: 1 is the calibrated sample;
    below 1 lapses (late acknowledgements, missed reviews, slipped annual reviews, records
    not sent) are more frequent, in proportion; above 1 they are rarer.
    """

    send_hours: float | None = None
    working_days: tuple[str, ...] | None = None
    diligence: float = 1.0

    def applied_to(self, phase: Phase) -> Phase:
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

    def problems(self, phase: Phase) -> list[str]:
        """What is wrong with these settings for a school of ``phase``."""
        found = []
        if self.working_days is not None and (
            not self.working_days or any(d not in WEEKDAYS[:5] for d in self.working_days)
        ):
            found.append(f"working_days must be weekdays (mon to fri); got {self.working_days!r}")
        day = (hm(phase.day_ends) - hm(phase.day_starts)) / 60
        hours = self.send_hours
        if hours is not None and (isinstance(hours, bool) or not 0 < hours <= day):
            found.append(f"send_hours must be above 0 and at most {day:g}; got {hours!r}")
        if isinstance(self.diligence, bool) or not 0 < self.diligence <= 10:
            found.append(
                f"diligence must be above 0 (1 = the calibrated sample); got {self.diligence!r}"
            )
        return found


@dataclass
class SchoolSpec:
    """The school to make: the generator's arguments, and its phase's settings after staffing.

    Every part of the school (the roll, the staff, each kind of record) draws from its own
    random stream (:meth:`rng`), so the parts do not disturb each other's draws.
    """

    phase: str
    n_roll: int
    seed: int
    as_of: dt.date
    name: str
    staffing: Staffing = field(default_factory=Staffing)
    settings: Phase = field(init=False)
    #: Which school year the streams are for: "" for 2025/26, else a label (``2024/25``).
    school_year: str = ""

    def __post_init__(self) -> None:
        self.settings = self.staffing.applied_to(PHASES[self.phase])

    def rng(self, part: str) -> random.Random:
        """Return an independent, reproducible random stream for one part of the school."""
        year = f"{self.school_year}|" if self.school_year else ""
        return random.Random(f"sendlib-sample|{self.seed}|{self.phase}|{self.n_roll}|{year}{part}")

    def previous_year(self, as_of: dt.date) -> SchoolSpec:
        """The same school a year earlier: its own random streams, last year's report dates."""
        spec = replace(self, as_of=as_of, school_year="2024/25")
        # 52 weeks back keeps each date's weekday (reports go home on a Friday).
        year = dt.timedelta(weeks=52)
        spec.settings = replace(
            spec.settings,
            report_dates=tuple(d - year for d in spec.settings.report_dates),
            review_peaks=tuple(d - year for d in spec.settings.review_peaks),
        )
        return spec


#: DfE, Education, health and care plans (2025 release, calendar year 2024): the share of
#: new EHC plans issued within 20 weeks of the request.
ISSUED_WITHIN_20_WEEKS = 0.464


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """One code drawn in proportion to ``weights``."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def spread(rng: random.Random, weights: dict[str, float], n: int) -> list[str]:
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
