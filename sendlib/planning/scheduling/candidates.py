"""Where each meeting could go: the (day, who attends, start times) open to it.

Time runs on a five-minute grid (``SLOT``): meeting lengths and buffers round up to it,
people's hours shrink to it, so the solver's model stays small and every time printed
is a time a SENDCo would write in a diary. A candidate lists the start times when all
its people are within their hours and clear of their fixed commitments (surgery slots,
meetings already booked), with the buffer kept; the solver and the greedy baseline
choose among the same candidates, and :class:`Bookings` checks them against each other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sendlib.planning.scheduling.demand import MeetingOwed
from sendlib.planning.scheduling.supply import Supply

SLOT = 5


def up(minutes: int) -> int:
    """Round minutes up to the grid."""
    return -(-minutes // SLOT) * SLOT


def down(minutes: int) -> int:
    """Round minutes down to the grid."""
    return minutes // SLOT * SLOT


@dataclass(frozen=True)
class Candidate:
    """A day a meeting could go on, with who attends and the start ranges open to them.

    ``cover`` is the person in the SENDCo's place (the SENDCo or an assistant SENDCo),
    ``None`` for a meeting the lead staff member holds alone. ``starts`` are inclusive
    ranges of start minutes on the grid.
    """

    day: dt.date
    cover: str | None
    persons: tuple[str, ...]
    starts: tuple[tuple[int, int], ...]

    def first_start(self) -> int:
        """The earliest start open to this candidate."""
        return self.starts[0][0]


def occupied(meeting: MeetingOwed) -> int:
    """Minutes a meeting occupies on the grid."""
    return up(meeting.minutes)


def busy_blocks(supply: Supply) -> dict[tuple[str, dt.date], list[tuple[int, int]]]:
    """Fixed commitments per person and day, on the grid, overlapping ones merged."""
    raw: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    for b in supply.busy:
        raw[(b.person, b.day)].append((down(b.start), up(b.end)))
    buffer = up(supply.buffer_minutes)
    merged = {}
    for key, blocks in raw.items():
        out: list[list[int]] = []
        for start, end in sorted(blocks):
            if out and start < out[-1][1] + buffer:
                out[-1][1] = max(out[-1][1], end)
            else:
                out.append([start, end])
        merged[key] = [(s, e) for s, e in out]
    return merged


class CandidateFinder:
    """Candidates for meetings against one supply; start ranges are cached per shape."""

    def __init__(self, supply: Supply):
        self.supply = supply
        self.busy = busy_blocks(supply)
        self.buffer = up(supply.buffer_minutes)
        self._cache: dict[tuple, tuple[tuple[int, int], ...]] = {}
        self._candidates: dict[MeetingOwed, list[Candidate]] = {}

    def covers(self, meeting: MeetingOwed, day: dt.date) -> list[str | None]:
        """Who can attend in the SENDCo's place on ``day`` (``[None]``: nobody needed)."""
        if not meeting.sendco_attends:
            return [None]
        s = self.supply
        found: list[str | None] = []
        if day in s.sendco_days:
            found.append(s.sendco_id)
        if meeting.assistant_may_cover and s.assistant_id and day in s.assistant_days:
            found.append(s.assistant_id)
        return found

    def window_days(self, meeting: MeetingOwed) -> list[dt.date]:
        """Days in the supply inside the meeting's window."""
        return [d for d in self.supply.days if meeting.earliest <= d <= meeting.latest]

    def candidates(self, meeting: MeetingOwed) -> list[Candidate]:
        """Every (day, cover) with at least one open start, in day order."""
        if meeting in self._candidates:
            return self._candidates[meeting]
        found = []
        for day in self.window_days(meeting):
            for cover in self.covers(meeting, day):
                persons = persons_for(meeting, cover)
                starts = self.start_ranges(persons, day, occupied(meeting))
                if starts:
                    found.append(Candidate(day, cover, persons, starts))
        self._candidates[meeting] = found
        return found

    def start_ranges(
        self, persons: tuple[str, ...], day: dt.date, length: int
    ) -> tuple[tuple[int, int], ...]:
        """Start ranges where every person is in hours and clear of fixed commitments."""
        key = (persons, day, length)
        if key in self._cache:
            return self._cache[key]
        hours = [self.supply.hours_of(p) for p in persons]
        lo = up(max(h[0] for h in hours))
        hi = down(min(h[1] for h in hours)) - length
        ranges = [(lo, hi)] if lo <= hi else []
        for person in persons:
            for start, end in self.busy.get((person, day), ()):
                # Blocked starts: the meeting plus buffer would run into the block, or
                # begin before the block's buffer has passed.
                cut_lo, cut_hi = start - length - self.buffer, end + self.buffer
                ranges = [
                    piece
                    for a, b in ranges
                    for piece in ((a, min(b, cut_lo)), (max(a, cut_hi), b))
                    if piece[0] <= piece[1]
                ]
        result = tuple(ranges)
        self._cache[key] = result
        return result


def persons_for(meeting: MeetingOwed, cover: str | None) -> tuple[str, ...]:
    """Who attends a meeting when ``cover`` takes the SENDCo's place."""
    people = [p for p in (cover, meeting.lead_staff_id) if p]
    return tuple(dict.fromkeys(people))


class Bookings:
    """Who is booked when, as meetings are placed one by one (greedy, and reasons).

    Checks the same rules as the solver: no one double-booked (buffer kept), at most
    ``max_meetings_per_day`` each, and protected minutes in the SENDCo's role.
    """

    def __init__(self, supply: Supply):
        self.supply = supply
        self.buffer = up(supply.buffer_minutes)
        self.blocks: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
        self.counts: dict[tuple[str, dt.date], int] = defaultdict(int)
        self.minutes: dict[tuple[str, dt.date], int] = defaultdict(int)
        for key, blocks in busy_blocks(supply).items():
            self.blocks[key].extend(blocks)
        for b in supply.busy:
            self.counts[(b.person, b.day)] += int(b.counts)
            self.minutes[(b.person, b.day)] += b.protected_minutes

    def person_free(self, person: str, day: dt.date, start: int, length: int) -> bool:
        """Whether ``person`` is clear of every booking (buffer kept) at ``start``."""
        end = start + length
        return all(
            end + self.buffer <= a or start >= b + self.buffer
            for a, b in self.blocks.get((person, day), ())
        )

    def person_has_room(self, meeting: MeetingOwed, cand: Candidate, person: str) -> bool:
        """Whether ``person`` can take one more meeting that day (count and protected time)."""
        key = (person, cand.day)
        if self.counts[key] >= self.supply.max_meetings_per_day:
            return False
        if person == cand.cover:
            limit = self.supply.protected_minutes(person, cand.day)
            need = meeting.minutes + self.supply.overhead_minutes
            if limit is None or self.minutes[key] + need > limit:
                return False
        return True

    def open_start(
        self, meeting: MeetingOwed, cand: Candidate, persons: tuple[str, ...] | None = None
    ) -> int | None:
        """The earliest start at which ``persons`` (default: all) can take the meeting."""
        persons = cand.persons if persons is None else persons
        if not all(self.person_has_room(meeting, cand, p) for p in persons):
            return None
        length = occupied(meeting)
        for a, b in cand.starts:
            for start in range(a, b + 1, SLOT):
                if all(self.person_free(p, cand.day, start, length) for p in persons):
                    return start
        return None

    def add(self, meeting: MeetingOwed, cand: Candidate, start: int) -> None:
        """Book the meeting for every person attending."""
        for person in cand.persons:
            key = (person, cand.day)
            self.blocks[key].append((start, start + occupied(meeting)))
            self.counts[key] += 1
            if person == cand.cover:
                self.minutes[key] += meeting.minutes + self.supply.overhead_minutes
