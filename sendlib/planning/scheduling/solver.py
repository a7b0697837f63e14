"""The CP-SAT model: place as many weighted meetings as the SENDCo's days allow.

One optional interval per (meeting, day, who covers) candidate, with its start limited
to the times its people are free (see :mod:`sendlib.planning.scheduling.candidates`); each
meeting takes at most one candidate. Per person and day: no overlap (intervals padded by
the buffer, fixed commitments included), at most ``max_meetings_per_day`` meetings, and
for the SENDCo (or an assistant covering) the day's protected minutes. Redundant
capacity constraints (each stretch of a day a meeting cannot leave holds only so many)
give the LP, and so the proven bound, what the no-overlap constraints imply.

Objective, lexicographic through weights: first the weighted number of meetings placed;
then, together, earlier days for meetings with deadlines and an even weekly load (the
SENDCo's protected minutes each week close to that week's share of the term's). The
placement weight is larger than the whole of the second objective, so no trade-off can
lose a meeting; the gap reported is the proven gap on the first objective alone.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict

from ortools.sat.python import cp_model

from sendlib.planning.scheduling.candidates import SLOT, CandidateFinder, occupied, up
from sendlib.planning.scheduling.demand import Demand, MeetingOwed
from sendlib.planning.scheduling.greedy import (
    balanced_placements,
    greedy_placements,
    week_of,
    weekly_targets,
)
from sendlib.planning.scheduling.result import Placement, Schedule
from sendlib.planning.scheduling.supply import Supply

#: Penalty per school day later, per unit of a meeting's earliness (in minutes of
#: weekly load away from an even share).
EARLINESS_UNIT = 10


def solve_schedule(
    meetings: tuple[MeetingOwed, ...],
    supply: Supply,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    patience: float | None = 1.0,
    demand: Demand | None = None,
) -> Schedule:
    """The best schedule CP-SAT finds within ``time_limit`` seconds, with its proven bound.

    The greedy schedule is given as a hint, so the first solution is at least as good;
    ``seed`` and ``workers`` are passed to the solver (runs that prove optimality are
    reproducible; runs stopped by the time limit may differ between runs). Once the
    weighted meetings placed are proven optimal, the search stops after ``patience``
    seconds without a better schedule (``None``: search to the time limit).
    """
    started = time.perf_counter()
    meetings = tuple(meetings)
    finder = CandidateFinder(supply)
    model = cp_model.CpModel()
    buffer = up(supply.buffer_minutes)
    overhead = supply.overhead_minutes
    day_index = {d: i for i, d in enumerate(supply.days)}

    entries = []
    intervals = defaultdict(list)
    sizes = defaultdict(list)
    counts = defaultdict(list)
    protected = defaultdict(list)
    weekly = defaultdict(list)
    primary, earliness = [], []
    placeable_weight, max_earliness = 0, 0
    for meeting in meetings:
        candidates = finder.candidates(meeting)
        if not candidates:
            continue
        placeable_weight += meeting.weight
        size = (occupied(meeting) + buffer) // SLOT
        lits = []
        worst = 0
        for cand in candidates:
            lit = model.new_bool_var(f"{meeting.key}@{cand.day}")
            domain = cp_model.Domain.from_intervals(
                [[a // SLOT, b // SLOT] for a, b in cand.starts]
            )
            start = model.new_int_var_from_domain(domain, "")
            interval = model.new_optional_fixed_size_interval_var(start, size, lit, "")
            for person in cand.persons:
                intervals[(person, cand.day)].append(interval)
                sizes[(person, cand.day)].append((size, lit, _envelope(cand, size)))
                counts[(person, cand.day)].append(lit)
            if cand.cover:
                protected[(cand.cover, cand.day)].append((meeting.minutes + overhead, lit))
            if cand.cover == supply.sendco_id:
                weekly[week_of(cand.day)].append((meeting.minutes + overhead, lit))
            primary.append((meeting.weight, lit))
            if meeting.earliness:
                cost = EARLINESS_UNIT * meeting.earliness * day_index[cand.day]
                earliness.append((cost, lit))
                worst = max(worst, cost)
            lits.append(lit)
            entries.append((meeting, cand, lit, start))
        max_earliness += worst
        model.add_at_most_one(lits)

    fixed_counts, fixed_minutes = defaultdict(int), defaultdict(int)
    fixed_weekly = defaultdict(int)
    for b in supply.busy:
        fixed_counts[(b.person, b.day)] += int(b.counts)
        fixed_minutes[(b.person, b.day)] += b.protected_minutes
        if b.person == supply.sendco_id and b.day in supply.sendco_days:
            fixed_weekly[week_of(b.day)] += b.protected_minutes

    for (person, day), optional in intervals.items():
        blocks = finder.busy.get((person, day), [])
        fixed = [
            model.new_fixed_size_interval_var(s // SLOT, (e - s + buffer) // SLOT, "")
            for s, e in blocks
        ]
        if len(optional) + len(fixed) > 1:
            model.add_no_overlap(optional + fixed)
        _add_energy(model, sizes[(person, day)], blocks, buffer)
        allowed = max(0, supply.max_meetings_per_day - fixed_counts[(person, day)])
        if len(counts[(person, day)]) > allowed:
            model.add(sum(counts[(person, day)]) <= allowed)
    for (person, day), terms in protected.items():
        limit = supply.protected_minutes(person, day) or 0
        allowed = max(0, limit - fixed_minutes[(person, day)])
        _add_capacity(model, terms, allowed)

    # An even weekly load: each week's protected minutes near its share of the term's.
    targets = weekly_targets(meetings, supply, finder)
    deviations, most_deviation = [], 0
    for week, target in targets.items():
        load = sum(c * lit for c, lit in weekly[week]) + fixed_weekly[week]
        bound = max(target, fixed_weekly[week] + sum(c for c, _ in weekly[week]))
        deviation = model.new_int_var(0, bound, "")
        model.add(deviation >= load - target)
        model.add(deviation >= target - load)
        deviations.append(deviation)
        most_deviation += bound

    second_most = max_earliness + most_deviation
    scale = second_most + 1
    model.maximize(
        sum(scale * w * lit for w, lit in primary)
        - sum(c * lit for c, lit in earliness)
        - sum(deviations)
    )

    hint = balanced_placements(meetings, supply, EARLINESS_UNIT, finder)
    baseline = greedy_placements(meetings, supply, finder)
    if _weight(meetings, hint) < _weight(meetings, baseline):
        hint = baseline
    hinted = {(p.meeting_key, p.day, p.cover): p.start for p in hint}
    _add_complete_hint(model, entries, hinted, deviations, targets, weekly, fixed_weekly)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit - (time.perf_counter() - started))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # The model is already reduced (start domains exclude fixed commitments); CP-SAT's
    # presolve rewrites the capacity constraints above into forms its LP relaxes more
    # loosely, and on tight terms that costs more time than it saves.
    solver.parameters.cp_model_presolve = False
    watch = _Patience(solver, scale, second_most, placeable_weight, patience)
    solver.best_bound_callback = watch.on_bound
    with watch:
        status = solver.solve(model, watch)

    placements, bound = hint, placeable_weight
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = [
            Placement(meeting.key, cand.day, solver.value(start) * SLOT, cand.cover)
            for meeting, cand, lit, start in entries
            if solver.boolean_value(lit)
        ]
        # The hint is a solution too: never return less than it.
        if _weight(meetings, found) >= _weight(meetings, hint):
            placements = found
        bound = int((solver.best_objective_bound + second_most) // scale)
    placed_weight = sum(m.weight for m in meetings if m.key in {p.meeting_key for p in placements})
    proven = status == cp_model.OPTIMAL and placements is not hint
    return Schedule(
        meetings=meetings,
        supply=supply,
        placements=tuple(sorted(placements, key=lambda p: (p.day, p.start, p.meeting_key))),
        method="cp-sat",
        status="optimal" if proven else "feasible",
        bound=placed_weight if proven else max(placed_weight, min(bound, placeable_weight)),
        solve_seconds=time.perf_counter() - started,
        demand=demand,
    )


def _envelope(cand, size: int) -> tuple[int, int]:
    """The slots a candidate's interval can touch: first start to last start plus size."""
    return cand.starts[0][0] // SLOT, cand.starts[-1][1] // SLOT + size


def _add_energy(model, terms, blocks, buffer: int) -> None:
    """Redundant: the meetings whose times all lie in a stretch of a day fit in it.

    One constraint per distinct stretch (the whole day, the after-school hour shared
    with a class teacher...), over the candidates that cannot leave it, less the fixed
    commitments inside it. The no-overlap constraint implies these; stating them gives
    the LP the capacity of each stretch, and so a much tighter bound when time is short.
    """
    for lo, hi in {envelope for _, _, envelope in terms}:
        inside = [(size, lit) for size, lit, (a, b) in terms if lo <= a and b <= hi]
        taken = sum(max(0, min((e + buffer) // SLOT, hi) - max(s // SLOT, lo)) for s, e in blocks)
        _add_capacity(model, inside, max(0, hi - lo - taken))


def _add_capacity(model, terms, room: int) -> None:
    """Sizes of the chosen meetings fit in ``room``; and so does their number.

    Beyond the knapsack itself: a meeting of size ``c`` can share the room with at most
    ``m(c)`` others (the smallest that fit beside it), so any set that fits has
    ``sum(x / (1 + m)) <= 1`` (each chosen meeting's share is at most one over the set's
    size). Implied, but the LP cannot see it: with 30-minute reviews and hour-long annual
    reviews it turns "an annual review and most of a review" into "one or the other".
    """
    sizes = sorted(size for size, _ in terms)
    if sum(sizes) <= room:
        return
    model.add(sum(size * lit for size, lit in terms) <= room)
    beside = {}
    for size in set(sizes):
        others = list(sizes)
        others.remove(size)
        fits, used = 0, size
        for other in others:
            if used + other > room:
                break
            fits, used = fits + 1, used + other
        beside[size] = fits
    scale = math.lcm(*(1 + m for m in beside.values()))
    model.add(sum(scale // (1 + beside[size]) * lit for size, lit in terms) <= scale)


def _weight(meetings: tuple[MeetingOwed, ...], placements: list[Placement]) -> int:
    placed = {p.meeting_key for p in placements}
    return sum(m.weight for m in meetings if m.key in placed)


def _add_complete_hint(model, entries, hinted, deviations, targets, weekly, fixed_weekly) -> None:
    """Hint every variable, so the solver starts from the heuristic schedule as it is."""
    chosen = set()
    for meeting, cand, lit, start in entries:
        at = hinted.get((meeting.key, cand.day, cand.cover))
        model.add_hint(lit, at is not None)
        model.add_hint(start, (cand.first_start() if at is None else at) // SLOT)
        if at is not None:
            chosen.add(lit.index)
    for deviation, (week, target) in zip(deviations, targets.items(), strict=True):
        load = fixed_weekly[week] + sum(c for c, lit in weekly[week] if lit.index in chosen)
        model.add_hint(deviation, abs(load - target))


class _Patience(cp_model.CpSolverSolutionCallback):
    """Stops the search once the first objective is proven and the second has stalled.

    The solver's objective is ``scale * placed - penalty`` with ``0 <= penalty <=
    second_most < scale``: a solution's placed weight is its objective divided by
    ``scale``, rounded up, and no schedule places more than the bound plus
    ``second_most``, divided by ``scale`` and rounded down, nor more than every meeting
    that has a candidate (``placeable``).
    """

    def __init__(
        self, solver, scale: int, second_most: int, placeable: int, patience: float | None
    ):
        super().__init__()
        self.solver, self.scale, self.second_most = solver, scale, second_most
        self.patience = patience
        self.best_placed, self.bound_placed = None, placeable
        self.improved_at = time.perf_counter()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def on_solution_callback(self) -> None:
        self.best_placed = -(-int(self.objective_value) // self.scale)
        self.improved_at = time.perf_counter()

    def on_bound(self, bound: float) -> None:
        self.bound_placed = min(self.bound_placed, int((bound + self.second_most) // self.scale))

    def __enter__(self):
        if self.patience is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(0.05):
            proven = self.best_placed is not None and self.bound_placed <= self.best_placed
            if proven and time.perf_counter() - self.improved_at >= self.patience:
                self.solver.stop_search()
                return
