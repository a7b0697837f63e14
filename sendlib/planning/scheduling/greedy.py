"""The baseline: earliest deadline first, each meeting at its first open time.

Used only for comparison (benchmarks/bench_scheduling.py): it is what a SENDCo working
down a list by deadline would do, and the solver must never place fewer weighted meetings.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from sendlib.planning.scheduling.candidates import Bookings, CandidateFinder
from sendlib.planning.scheduling.demand import Demand, MeetingOwed
from sendlib.planning.scheduling.result import Placement, Schedule
from sendlib.planning.scheduling.supply import Supply


def greedy_placements(
    meetings: tuple[MeetingOwed, ...], supply: Supply, finder: CandidateFinder | None = None
) -> list[Placement]:
    """Place meetings by latest day, then weight, each on its first open day and time."""
    finder = finder or CandidateFinder(supply)
    bookings = Bookings(supply)
    placements = []
    for meeting in sorted(meetings, key=lambda m: (m.latest, -m.weight, m.earliest, m.key)):
        for candidate in finder.candidates(meeting):
            start = bookings.open_start(meeting, candidate)
            if start is not None:
                bookings.add(meeting, candidate, start)
                placements.append(Placement(meeting.key, candidate.day, start, candidate.cover))
                break
    return placements


def week_of(day: dt.date) -> tuple[int, int]:
    """The ISO year and week of a day: weekly load is counted per school week."""
    return day.isocalendar()[:2]


def weekly_targets(
    meetings: tuple[MeetingOwed, ...], supply: Supply, finder: CandidateFinder
) -> dict[tuple[int, int], int]:
    """Each week's even share of the SENDCo's protected minutes, in minutes.

    The minutes the SENDCo would spend if every meeting they may attend were placed,
    plus surgery slots and bookings, spread over the SENDCo days, week by week.
    """
    days_in_week: dict[tuple[int, int], int] = defaultdict(int)
    for day in supply.sendco_days:
        days_in_week[week_of(day)] += 1
    fixed = sum(
        b.protected_minutes
        for b in supply.busy
        if b.person == supply.sendco_id and b.day in supply.sendco_days
    )
    expected = sum(
        m.minutes + supply.overhead_minutes
        for m in meetings
        if any(c.cover == supply.sendco_id for c in finder.candidates(m))
    )
    total_days = sum(days_in_week.values())
    per_day = round((fixed + expected) / total_days) if total_days else 0
    return {week: n * per_day for week, n in days_in_week.items()}


def balanced_placements(
    meetings: tuple[MeetingOwed, ...],
    supply: Supply,
    earliness_unit: int,
    finder: CandidateFinder | None = None,
) -> list[Placement]:
    """A starting point for the solver: deadlines first, each week near its even share.

    Meetings the SENDCo attends go, in deadline order, where they add least to the
    solver's second objective (distance from each week's even share, and days late for
    meetings with deadlines); meetings lead staff hold alone then fill the gaps.
    """
    finder = finder or CandidateFinder(supply)
    bookings = Bookings(supply)
    targets = weekly_targets(meetings, supply, finder)
    load: dict[tuple[int, int], int] = defaultdict(int)
    for b in supply.busy:
        if b.person == supply.sendco_id and b.day in supply.sendco_days:
            load[week_of(b.day)] += b.protected_minutes
    day_index = {d: i for i, d in enumerate(supply.days)}
    order = sorted(
        meetings,
        key=lambda m: (not m.sendco_attends, m.latest, -m.weight, m.earliest, m.key),
    )
    placements = []
    for meeting in order:
        best = None
        for cand in finder.candidates(meeting):
            start = bookings.open_start(meeting, cand)
            if start is None:
                continue
            cost = earliness_unit * meeting.earliness * day_index[cand.day]
            if cand.cover == supply.sendco_id:
                week = week_of(cand.day)
                added = meeting.minutes + supply.overhead_minutes
                cost += abs(load[week] + added - targets[week]) - abs(load[week] - targets[week])
            if best is None or cost < best[0]:
                best = (cost, cand, start)
        if best is not None:
            _, cand, start = best
            bookings.add(meeting, cand, start)
            if cand.cover == supply.sendco_id:
                load[week_of(cand.day)] += meeting.minutes + supply.overhead_minutes
            placements.append(Placement(meeting.key, cand.day, start, cand.cover))
    return placements


def greedy_schedule(
    meetings: tuple[MeetingOwed, ...], supply: Supply, demand: Demand | None = None
) -> Schedule:
    """The earliest-deadline-first schedule; its bound is every placeable meeting's weight."""
    started = time.perf_counter()
    meetings = tuple(meetings)
    placements = greedy_placements(meetings, supply)
    finder = CandidateFinder(supply)
    bound = sum(m.weight for m in meetings if finder.candidates(m))
    return Schedule(
        meetings=meetings,
        supply=supply,
        placements=tuple(sorted(placements, key=lambda p: (p.day, p.start, p.meeting_key))),
        method="greedy",
        status="heuristic",
        bound=bound,
        solve_seconds=time.perf_counter() - started,
        demand=demand,
    )
