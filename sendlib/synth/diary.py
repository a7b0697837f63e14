"""The sample school's diary: booking meetings so that nobody is double-booked.

Meetings with the SENDCo fall on the SENDCo's working days; teachers meet parents after
school. The SENDCo's protected surgery lessons (two 25-minute slots a lesson) are reserved
through the year first, then taken by requests for a meeting or filled by drop-in parents.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Sequence

from sendlib.synth.calendars import SchoolYear, hm
from sendlib.synth.calibration import Phase

#: Minutes of one surgery slot.
SURGERY_MINUTES = 25


class Diary:
    """Who is busy when, and the SENDCo's surgery slots through the year."""

    def __init__(self, year: SchoolYear, settings: Phase, sendco_id: str, assistant_id: str):
        self.year = year
        self.settings = settings
        self.sendco_id = sendco_id
        self.assistant_id = assistant_id
        self.day_start, self.day_end = hm(settings.day_starts), hm(settings.day_ends)
        self.busy: dict[tuple[str, dt.date], list[tuple[int, int]]] = {}
        self.slots: list[dt.datetime] = []
        self.slot_taken: list[bool] = []
        self.slot_days: list[dt.date] = []

    def free(self, people: Sequence[str], day: dt.date, start: int, minutes: int) -> bool:
        """Whether everyone in ``people`` is free for ``minutes`` from ``start`` on ``day``."""
        end = start + minutes
        for person in people:
            for a, b in self.busy.get((person, day), ()):
                if start < b and a < end:
                    return False
        return True

    def book(self, people: Sequence[str], day: dt.date, start: int, minutes: int) -> None:
        """Mark everyone in ``people`` busy for ``minutes`` from ``start`` on ``day``."""
        for person in people:
            self.busy.setdefault((person, day), []).append((start, start + minutes))

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
        days = self.year.days
        for _ in range(12):
            day = days.next_sendco(day) if needs_sendco_day else days.next_school(day)
            if day is None or day > latest:
                return None
            times = self._slot_times(minutes, sendco, after_school)
            rng.shuffle(times)
            for start in times:
                if self.free(people, day, start, minutes):
                    self.book(people, day, start, minutes)
                    return dt.datetime.combine(day, dt.time(start // 60, start % 60))
            day += dt.timedelta(days=1)
        return None

    def _slot_times(self, minutes: int, sendco: bool, after_school: bool) -> list[int]:
        """Start times (minutes after midnight) a meeting may take, every 15 minutes."""
        if after_school and not sendco:
            return [t for t in range(hm("15:30"), hm("16:31"), 15) if t + minutes <= hm("17:00")]
        if after_school:
            return [
                t for t in range(hm("15:15"), self.day_end, 15) if t + minutes <= self.day_end
            ] or [self.day_end - minutes]
        return list(range(self.day_start, self.day_end - minutes + 1, 15))

    def reserve_surgeries(self) -> None:
        """Reserve the SENDCo's protected surgery lessons through the year."""
        first = self.year.cal.terms[0].start + dt.timedelta(days=7)
        for day in self.year.days.sendco:
            if (
                day < first
                or day > self.year.horizon
                or day.weekday() not in self.settings.surgery_days
            ):
                continue
            for text in self.settings.surgery_times:
                start = hm(text)
                self.book([self.sendco_id], day, start, SURGERY_MINUTES)
                self.slots.append(dt.datetime.combine(day, dt.time(start // 60, start % 60)))
        self.slot_taken = [False] * len(self.slots)
        self.slot_days = [s.date() for s in self.slots]

    def take_slot(self, after: dt.date, latest: dt.date) -> dt.datetime | None:
        """Take the first free surgery slot from ``after`` to ``latest``, if there is one."""
        i = bisect.bisect_left(self.slot_days, after)
        while i < len(self.slots) and self.slot_days[i] <= latest:
            if not self.slot_taken[i]:
                self.slot_taken[i] = True
                return self.slots[i]
            i += 1
        return None
