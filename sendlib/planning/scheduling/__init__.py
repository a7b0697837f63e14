"""Scheduling a term's meetings into the SENDCo's calendar (issue #4).

"How do I fit every meeting I owe into the days I have?" Demand (the reviews, annual
reviews and request meetings owed, :mod:`~sendlib.planning.scheduling.demand`) meets supply
(SENDCo days and hours, surgery slots, when lead staff are free,
:mod:`~sendlib.planning.scheduling.supply`) in a CP-SAT model (:mod:`~sendlib.planning.scheduling.solver`);
the result is a :class:`Schedule` with its tables, a calendar file and, in the
scenarios notebook, charts that follow the levers.
"""

from sendlib.planning.scheduling.checks import schedule_problems
from sendlib.planning.scheduling.command import (
    plan_term,
    schedule_command,
    term_slug,
    write_schedule,
)
from sendlib.planning.scheduling.demand import Demand, MeetingOwed, build_demand
from sendlib.planning.scheduling.greedy import greedy_schedule
from sendlib.planning.scheduling.ics import read_ics, schedule_calendar, write_ics
from sendlib.planning.scheduling.levers import SchedulingError, SchedulingLevers
from sendlib.planning.scheduling.result import REASONS, Placement, Schedule
from sendlib.planning.scheduling.solver import solve_schedule
from sendlib.planning.scheduling.supply import Busy, Supply, build_supply

__all__ = [
    "REASONS",
    "Busy",
    "Demand",
    "MeetingOwed",
    "Placement",
    "Schedule",
    "SchedulingError",
    "SchedulingLevers",
    "Supply",
    "build_demand",
    "build_supply",
    "greedy_schedule",
    "plan_term",
    "read_ics",
    "schedule_calendar",
    "schedule_command",
    "schedule_problems",
    "solve_schedule",
    "term_slug",
    "write_ics",
    "write_schedule",
]
