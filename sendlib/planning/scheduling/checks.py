"""Independent checks of a schedule: the rules, re-stated directly on the result.

Written apart from the candidate and booking code on purpose, so that a test (or the
scenarios notebook's last cell) catches a mistake there rather than repeating it.
"""

from __future__ import annotations

from collections import defaultdict

from sendlib.planning.scheduling.result import Schedule


def schedule_problems(schedule: Schedule) -> list[str]:
    """Every broken rule in a schedule, in words; empty when the schedule is sound.

    Each meeting placed at most once, inside its window, on a day in the plan; in the
    SENDCo's place only on a SENDCo day (or an assistant's day); everyone inside their
    hours; no one double-booked (buffer kept, surgery slots and bookings included); at
    most ``max_meetings_per_day`` each; protected minutes not exceeded.
    """
    supply = schedule.supply
    problems = []
    seen = set()
    grid = 5
    buffer = -(-supply.buffer_minutes // grid) * grid
    taken = defaultdict(list)
    counts = defaultdict(int)
    protected = defaultdict(int)
    for b in supply.busy:
        taken[(b.person, b.day)].append((b.start, b.end, f"{b.kind} slot"))
        counts[(b.person, b.day)] += int(b.counts)
        protected[(b.person, b.day)] += b.protected_minutes
    for p in schedule.placements:
        m = schedule.by_key.get(p.meeting_key)
        if m is None:
            problems.append(f"{p.meeting_key}: placed but not owed")
            continue
        if m.key in seen:
            problems.append(f"{m.key}: placed twice")
        seen.add(m.key)
        if not m.earliest <= p.day <= m.latest:
            problems.append(f"{m.key}: on {p.day}, outside its window {m.earliest}..{m.latest}")
        if p.day not in supply.days:
            problems.append(f"{m.key}: on {p.day}, not a school day open to meetings")
        if m.sendco_attends:
            if p.cover == supply.sendco_id:
                if p.day not in supply.sendco_days:
                    problems.append(f"{m.key}: SENDCo meeting on {p.day}, not a SENDCo day")
            elif p.cover is not None and p.cover == supply.assistant_id:
                if not m.assistant_may_cover or p.day not in supply.assistant_days:
                    problems.append(f"{m.key}: assistant SENDCo cannot cover it on {p.day}")
            else:
                problems.append(f"{m.key}: needs the SENDCo but nobody covers")
        elif p.cover is not None:
            problems.append(f"{m.key}: led by staff alone, yet {p.cover} attends")
        people = [x for x in dict.fromkeys([p.cover, m.lead_staff_id]) if x]
        length = -(-m.minutes // grid) * grid
        for person in people:
            start, end = supply.hours_of(person)
            if p.start < start or p.start + length > end:
                problems.append(f"{m.key}: {person} outside their hours on {p.day}")
            taken[(person, p.day)].append((p.start, p.start + length, m.key))
            counts[(person, p.day)] += 1
            if person == p.cover:
                protected[(person, p.day)] += m.minutes + supply.overhead_minutes
        if p.start % grid:
            problems.append(f"{m.key}: starts off the five-minute grid")
    for (person, day), blocks in taken.items():
        blocks.sort()
        latest_end, latest = None, None
        for start, end, what in blocks:
            clash = latest_end is not None and start < latest_end + buffer
            if clash and not (what.endswith("slot") and latest.endswith("slot")):
                problems.append(f"{person} double-booked on {day}: {latest} and {what}")
            if latest_end is None or end > latest_end:
                latest_end, latest = end, what
        if counts[(person, day)] > supply.max_meetings_per_day and any(
            not x.endswith("slot") for _, _, x in blocks
        ):
            problems.append(f"{person} has {counts[(person, day)]} meetings on {day}")
    for (person, day), used in protected.items():
        limit = supply.protected_minutes(person, day)
        placed_there = any(p.day == day and p.cover == person for p in schedule.placements)
        if placed_there and (limit is None or used > limit):
            problems.append(f"{person} uses {used} protected minutes on {day} (limit {limit})")
    return problems
