"""Planning a term end to end, and the ``sendlib schedule`` command.

``plan_term`` joins the three steps (demand, supply, solver); ``schedule_command`` runs
it for a school folder and writes the schedule, the unplaced meetings and the weekly
load as CSV files, and the calendar as an .ics file when asked. Every file is written by
:mod:`sendlib.school.outputs`: whole or not at all, owner-only, formula cells
neutralised, and never into the school folder or over a file that is not a calendar.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from sendlib.planning.scheduling.demand import build_demand
from sendlib.planning.scheduling.greedy import greedy_schedule
from sendlib.planning.scheduling.ics import read_ics, refuse_non_calendar, write_ics
from sendlib.planning.scheduling.levers import SchedulingError, SchedulingLevers
from sendlib.planning.scheduling.result import Schedule
from sendlib.planning.scheduling.solver import solve_schedule
from sendlib.planning.scheduling.supply import build_supply
from sendlib.school.errors import CalendarRangeError, DataValidationError
from sendlib.school.load import School, load_school
from sendlib.school.outputs import OutputPlaceError, refuse_inside, shown_path, write_csv
from sendlib.school.workbook import write_frames


def plan_term(
    school: School,
    term: str,
    as_of: dt.date | None = None,
    levers: SchedulingLevers | None = None,
    *,
    blocked_dates: Iterable[dt.date] = (),
    time_limit: float = 10.0,
    seed: int = 0,
    method: str = "cp-sat",
    now: dt.datetime | None = None,
) -> Schedule:
    """Schedule the meetings owed in ``term`` as planned on ``as_of`` (default today).

    ``blocked_dates`` (training days, trips, exams) get no meetings, in addition to any
    in the levers. ``method`` is "cp-sat" (the solver) or "greedy" (the
    earliest-deadline-first baseline, for comparison only). Nothing is booked in the
    past: from the day after ``as_of``, or from ``now`` when ``as_of`` is today.
    """
    levers = levers or SchedulingLevers()
    if blocked_dates:
        levers = replace(levers, blocked_dates=(*levers.blocked_dates, *blocked_dates))
    now = now or dt.datetime.now()
    demand = build_demand(school, term, as_of, levers, now)
    supply = build_supply(school, demand.term, demand.planning_date, levers, now)
    if method == "greedy":
        return greedy_schedule(demand.meetings, supply, demand)
    if method != "cp-sat":
        raise SchedulingError(f"unknown method {method!r}; use 'cp-sat' or 'greedy'")
    return solve_schedule(demand.meetings, supply, time_limit=time_limit, seed=seed, demand=demand)


def term_slug(name: str) -> str:
    """A file-name-safe term name: "Spring 2026" becomes "spring-2026"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def write_schedule(schedule: Schedule, school: School, out_dir: str | Path) -> dict[str, Path]:
    """Write the schedule, unplaced and weekly-load CSVs under ``out_dir/<school folder>``.

    Raises :class:`~sendlib.school.outputs.OutputPlaceError` (writing nothing) when that
    folder is inside the school folder.
    """
    slug = term_slug(schedule.demand.term.name)
    folder = Path(out_dir) / school.slug
    frames = {
        "schedule": schedule.schedule,
        "unplaced": schedule.unplaced,
        "weekly_load": schedule.weekly_load,
    }
    written = {name: folder / f"{name}_{slug}.csv" for name in frames}
    for path in written.values():
        refuse_inside(path, [school.path])
    for name, frame in frames.items():
        write_csv(frame, written[name])
    return written


def write_schedule_xlsx(schedule: Schedule, school: School, path: str | Path) -> Path:
    """The schedule, unplaced meetings and weekly load as one Excel workbook at ``path``."""
    notes = [
        f"{school.name}: SEND meetings planned for {schedule.demand.term.name} "
        f"on {schedule.demand.planning_date:%d %B %Y}.",
        *describe(schedule, school)[1:],
    ]
    sheets = {
        "Schedule": schedule.schedule,
        "Unplaced": schedule.unplaced,
        "Weekly load": schedule.weekly_load,
    }
    return write_frames(path, sheets, [line.strip() for line in notes])


def describe(schedule: Schedule, school: School) -> list[str]:
    """The command's short summary: placed and owed, objective, gap, time, why unplaced."""
    s = schedule.summary
    demand = schedule.demand
    lines = [
        f"{school.name}, {demand.term.name}, planned on {demand.planning_date:%a %d %b %Y}:",
        f"  placed {s['placed']} of {s['owed']} meetings owed "
        f"(weighted {s['weighted_placed']} of {s['weighted_owed']}), "
        f"plus {s['surgery_slots']} surgery slots",
        f"  {s['method']}: {_proof(schedule)}; weighted bound {s['bound']}, "
        f"gap {s['gap']:.1%}, {s['solve_seconds']:.1f} s",
    ]
    for reason, count in s["unplaced_by_reason"].items():
        lines.append(f"  unplaced, {reason}: {count}")
    return lines


def _proof(schedule: Schedule) -> str:
    if schedule.method == "greedy":
        return "heuristic, no proof"
    if schedule.status == "optimal":
        return "proven optimal"
    if schedule.gap == 0:
        return "meetings placed proven optimal (days and weekly balance not proven best)"
    return "best found within the time limit"


def schedule_command(
    school_dir: str | Path,
    *,
    term: str,
    as_of: dt.date | None = None,
    out_dir: str | Path = "outputs",
    ics: str | Path | None = None,
    time_limit: float = 10.0,
    blocked_dates: tuple[dt.date, ...] = (),
    then: Callable[[Schedule, School], Iterable[Path]] | None = None,
    xlsx: str | Path | None = None,
) -> int:
    """``sendlib schedule``: plan a term, write CSVs (and .ics); exit code 0, or 2 on a mistake.

    Mistakes a SENDCo can fix (an unknown term, a date outside the calendar, a folder
    with problems) print a plain message and no traceback. ``then`` writes more from the
    schedule (the week's agenda, made by a room above this one) and returns its files.
    """
    try:  # refused before anything is planned or written
        if ics is not None:
            refuse_inside(ics, [school_dir], "calendar file")
            refuse_non_calendar(ics)
        if xlsx is not None:
            refuse_inside(xlsx, [school_dir], "Excel file")
            if Path(xlsx).suffix.lower() != ".xlsx" or Path(xlsx).is_dir():
                raise OutputPlaceError(f"--xlsx {xlsx}: give the name of an .xlsx file")
        # Outputs go to OUT/<school folder's name>: that must not be the school folder.
        refuse_inside(
            Path(out_dir) / Path(school_dir).resolve().name, [school_dir], "output folder"
        )
    except OutputPlaceError as exc:
        print(f"sendlib schedule: {exc}", file=sys.stderr)
        return 2
    try:
        school = load_school(school_dir)
        schedule = plan_term(
            school, term, as_of, blocked_dates=tuple(blocked_dates), time_limit=time_limit
        )
    except (DataValidationError, CalendarRangeError, SchedulingError) as exc:
        print(f"sendlib schedule: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"sendlib schedule: {exc.args[0]}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"sendlib schedule: cannot read {school_dir}: {exc.strerror}", file=sys.stderr)
        return 2
    print("\n".join(describe(schedule, school)))
    for path in write_schedule(schedule, school, out_dir).values():
        print(f"wrote {shown_path(path)}")
    if xlsx is not None:
        print(f"wrote {shown_path(write_schedule_xlsx(schedule, school, xlsx))}")
    if ics is not None:
        name = f"{school.name}: SEND meetings, {schedule.demand.term.name}"
        path = write_ics(schedule, ics, school.slug, name)
        print(f"wrote {shown_path(path)} ({read_ics(path).height} events)")
    for path in then(schedule, school) if then else ():
        print(f"wrote {shown_path(path)}")
    return 0
