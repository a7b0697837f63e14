r"""Deterministic synthetic school folders: a plausible English school's SEND year of life.

Every pupil, name and date here is invented; no real pupil is described. The same
arguments always give byte-identical files (seeded ``random.Random`` streams, one per
part of the school, sorted rows, ``\n`` line endings, UTF-8 without BOM, no timestamps).

The school is made in parts, each in its own module of ``sendlib.synth``:

- :mod:`~sendlib.synth.calibration`: the published national figures the school is drawn
  to (DfE *Special educational needs in England 2024/25*: SEN support 14.2% and EHC plans
  5.3% of pupils, SEN by phase 18.2% primary and 16.5% secondary, boys 61% on SEN support
  and 71% with a plan, free school meals 39.3% and 43.8%; the January 2024 need mix;
  the National SENCO Workload and Workforce Surveys for SENDCo time), and each phase;
- :mod:`~sendlib.synth.calendars`: the realistic 2024/25 and 2025/26 English term dates;
- :mod:`~sendlib.synth.roll`: the pupils and staff;
- :mod:`~sendlib.synth.requests`, :mod:`~sendlib.synth.annual_reviews`,
  :mod:`~sendlib.synth.reviews` and :mod:`~sendlib.synth.meetings`: the year's records,
  booked in one :mod:`~sendlib.synth.diary`;
- :mod:`~sendlib.synth.assessments` and :mod:`~sendlib.synth.register`: EHC needs
  assessments and register changes over two school years;
- :mod:`~sendlib.synth.last_year`: the whole previous school year, 2024/25, made by the
  same record makers for the pupils as they were then;
- :mod:`~sendlib.synth.provision`: the provision map (``interventions.csv`` and
  ``provisions.csv``), made last on its own random stream;
- :mod:`~sendlib.synth.files`: ``school.toml`` and the tables as written.

:func:`simulate_school` composes them in a fixed order (later parts book around earlier
ones); :func:`generate_school` writes the folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sendlib.school.outputs import make_folder, write_file
from sendlib.synth.annual_reviews import annual_reviews
from sendlib.synth.assessments import needs_assessments
from sendlib.synth.calendars import DEFAULT_AS_OF, LAST_AS_OF, TERMS_2025_26
from sendlib.synth.calibration import PHASES, SchoolSpec, Staffing
from sendlib.synth.files import TABLE_COLUMNS, csv_bytes, school_toml, table_rows
from sendlib.synth.last_year import earlier_concerns, previous_year
from sendlib.synth.meetings import external_meetings, fill_surgeries
from sendlib.synth.provision import PROVISION_TABLES, provision_rows
from sendlib.synth.records import Activity
from sendlib.synth.register import register_changes
from sendlib.synth.requests import make_requests
from sendlib.synth.reviews import support_plans, termly_reviews
from sendlib.synth.roll import make_roll, make_staff, register

#: The school's name when none is given, by phase.
DEFAULT_NAMES = {"primary": "Harbourside Primary", "secondary": "Northgate Academy"}


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


def _make(spec: SchoolSpec) -> SyntheticSchool:
    """Make the school's parts in order: each books its meetings around the earlier ones."""
    roll = make_roll(spec)
    staff = make_staff(spec, roll)
    act = Activity.start(spec, roll, staff)
    register(spec, act.year, roll)
    act.diary.reserve_surgeries()
    annual_reviews(act)
    make_requests(act)
    termly_reviews(act)
    support_plans(act)
    external_meetings(act)
    fill_surgeries(act)
    # Last, each from its own random stream, so the earlier tables stay as they were.
    needs_assessments(act)
    earlier_concerns(act)
    register_changes(act)
    # The whole of 2024/25, for the pupils as they were then (it reads the changes above).
    previous_year(act)
    tables = table_rows(act)
    tables.update(provision_rows(act))
    counts: dict[str, int] = {}
    fsm: dict[str, int] = {}
    for pupil in roll:
        counts[pupil.status] = counts.get(pupil.status, 0) + 1
        fsm[pupil.status] = fsm.get(pupil.status, 0) + int(pupil.fsm)
    return SyntheticSchool(
        name=spec.name,
        phase=spec.phase,
        pupils_on_roll=spec.n_roll,
        as_of=spec.as_of,
        toml=school_toml(spec),
        tables=tables,
        roll=dict(sorted(counts.items())),
        fsm_roll=dict(sorted(fsm.items())),
    )


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
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}; got {phase!r}")
    if isinstance(pupils, bool) or not isinstance(pupils, int) or pupils < 30:
        raise ValueError(f"pupils must be a whole number of at least 30; got {pupils!r}")
    as_of = DEFAULT_AS_OF if as_of is None else as_of
    first_day = TERMS_2025_26[0].start
    if not first_day + dt.timedelta(days=14) <= as_of <= LAST_AS_OF:
        raise ValueError(
            f"as_of must fall in the 2025/26 school year the sample calendar covers "
            f"({first_day + dt.timedelta(days=14)} to {LAST_AS_OF}); got {as_of}"
        )
    name = (name or DEFAULT_NAMES[phase]).strip() or DEFAULT_NAMES[phase]
    staffing = Staffing(
        send_hours=send_hours,
        working_days=None if working_days is None else tuple(working_days),
        diligence=diligence,
    )
    wrong = staffing.problems(PHASES[phase])
    if wrong:
        raise ValueError("; ".join(wrong))
    return _make(SchoolSpec(phase, pupils, int(seed), as_of, name, staffing))


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
    ``meetings.csv``, ``plans.csv``, ``assessments.csv``, ``register_changes.csv``,
    ``interventions.csv`` and ``provisions.csv`` in the format of DESIGN.md ("A school folder").
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
    # Even synthetic pupils are written as real ones would be: owner-only, atomically.
    folder = make_folder(out_dir)
    write_file(folder / "school.toml", school.toml)
    for table, columns in {**TABLE_COLUMNS, **PROVISION_TABLES}.items():
        write_file(folder / f"{table}.csv", csv_bytes(columns, school.tables[table]))
    return folder
