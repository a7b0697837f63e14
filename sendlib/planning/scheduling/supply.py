"""Supply: when the SENDCo and each lead staff member can meet in the planning window.

- The SENDCo meets on SENDCo days (``[sendco] working_days``), between ``day_starts``
  and ``day_ends``, and each day's protected SEND hours (``send_hours_per_day``) cover
  meetings, surgery slots and the preparation and written record of each meeting.
- Protected surgery slots (``surgeries_per_week``, ``meetings_per_surgery`` meetings of
  ``surgery_minutes`` each) sit at fixed weekday times: ``surgery_times`` in policy, or
  the weekday times of the surgeries the school has recorded this year, or else spread
  over the SENDCo's days at 13:15.
- Class teachers and heads of year are teaching: they meet between
  ``staff_available_from`` and ``staff_available_to`` (policy, default after school).
  Other staff (assistant SENDCo, pastoral staff) keep the SENDCo's hours.
- Meetings already booked (status scheduled) keep their times and their people's time.
- Policy ``buffer_minutes`` separates one person's meetings; ``max_meetings_per_day``
  caps how many a person attends in a day; blocked dates have no meetings at all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from sendlib.planning.scheduling.demand import booked_meetings, planning_window, sendco_id
from sendlib.planning.scheduling.levers import SchedulingLevers, sendco_working_days
from sendlib.school.calendar import SCHOOL_WEEK, WEEKDAYS
from sendlib.school.load import School
from sendlib.school.policy import minutes_of_day, weekday_time

#: Staff roles who teach, and so are free only outside lessons.
TEACHING_ROLES = ("class_teacher", "head_of_year")
#: Where surgeries go when neither policy nor this year's records say (minutes of day).
DEFAULT_SURGERY_START = 13 * 60 + 15
ASSISTANT_ID = "ASSISTANT"


@dataclass(frozen=True)
class Busy:
    """Time a person is already committed on a day: a surgery slot or a booked meeting.

    ``counts`` says whether it counts towards ``max_meetings_per_day``;
    ``protected_minutes`` is how much of the SENDCo's protected time it uses.
    """

    person: str
    day: dt.date
    start: int
    end: int
    kind: str
    counts: bool = False
    protected_minutes: int = 0


@dataclass(frozen=True)
class Supply:
    """Everyone's time in the planning window; times are minutes after midnight."""

    #: Days meetings may go on: school days in the window that are not blocked.
    days: tuple[dt.date, ...]
    sendco_id: str
    sendco_days: frozenset[dt.date]
    sendco_hours: tuple[int, int]
    #: Protected SEND minutes per SENDCo day.
    daily_minutes: int
    #: Preparation and written record per meeting the SENDCo (or assistant) attends.
    overhead_minutes: int = 0
    buffer_minutes: int = 0
    max_meetings_per_day: int = 6
    #: Hours of each staff member by ID; anyone not listed keeps ``default_staff_hours``.
    staff_hours: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    default_staff_hours: tuple[int, int] = (15 * 60 + 30, 17 * 60)
    assistant_id: str | None = None
    assistant_days: frozenset[dt.date] = frozenset()
    busy: tuple[Busy, ...] = ()

    def hours_of(self, person: str) -> tuple[int, int]:
        """When ``person`` can meet on a school day."""
        if person in (self.sendco_id, self.assistant_id):
            return self.staff_hours.get(person, self.sendco_hours)
        return self.staff_hours.get(person, self.default_staff_hours)

    def protected_minutes(self, person: str, day: dt.date) -> int | None:
        """The protected minutes ``person`` has on ``day`` in the SENDCo role, if any."""
        if person == self.sendco_id and day in self.sendco_days:
            return self.daily_minutes
        if person == self.assistant_id and day in self.assistant_days:
            return self.daily_minutes
        return None

    def surgeries(self) -> tuple[Busy, ...]:
        """The protected surgery slots in the window."""
        return tuple(b for b in self.busy if b.kind == "surgery")


def build_supply(
    school: School,
    term,
    planning_date: dt.date | None = None,
    levers: SchedulingLevers | None = None,
    now: dt.datetime | None = None,
) -> Supply:
    """Everyone's time in ``term`` from the planning date, under the levers.

    Planning as of today, the hours of today already gone are busy for everyone.
    """
    levers = levers or SchedulingLevers()
    now = now or dt.datetime.now()
    term, p, start = planning_window(school, term, planning_date, now)
    config, policy, calendar = school.config, school.policy, school.calendar
    blocked = set(levers.blocked_dates)
    days = tuple(d for d in calendar.school_days(start, term.end) if d not in blocked)
    working = sendco_working_days(school, levers)
    sendco = sendco_id(school)
    sendco_days = frozenset(d for d in days if WEEKDAYS[d.weekday()] in working)
    day_hours = (minutes_of_day(config.sendco.day_starts), minutes_of_day(config.sendco.day_ends))
    teaching = (
        minutes_of_day(policy.staff_available_from),
        minutes_of_day(policy.staff_available_to),
    )
    staff_hours = {
        row["staff_id"]: teaching if row["role"] in TEACHING_ROLES else day_hours
        for row in school.staff.iter_rows(named=True)
    }
    hours = (
        config.sendco.send_hours_per_day if levers.hours_per_day is None else levers.hours_per_day
    )
    assistant, assistant_days = None, frozenset()
    if levers.assistant_days:
        assistants = school.staff.filter(pl.col("role") == "assistant_sendco")["staff_id"]
        assistant = assistants[0] if assistants.len() else ASSISTANT_ID
        staff_hours[assistant] = day_hours
        assistant_days = frozenset(
            d for d in days if WEEKDAYS[d.weekday()] in levers.assistant_days
        )
    surgeries_per_week = (
        policy.surgeries_per_week
        if levers.surgeries_per_week is None
        else levers.surgeries_per_week
    )
    block = policy.meetings_per_surgery * policy.surgery_minutes
    times = surgery_times(school, p, working, surgeries_per_week, block + policy.buffer_minutes)
    busy = [
        Busy(sendco, d, at, at + block, "surgery", protected_minutes=block)
        for d in sorted(sendco_days)
        for weekday, at in times
        if WEEKDAYS[d.weekday()] == weekday
    ]
    busy += _booked_meetings(school, p, sendco, set(days), busy, policy)
    if start == p and p in days:
        gone = now.hour * 60 + now.minute
        people = {sendco, *staff_hours}
        busy += [Busy(person, p, 0, gone, "past") for person in sorted(people)]
    return Supply(
        days=days,
        sendco_id=sendco,
        sendco_days=sendco_days,
        sendco_hours=day_hours,
        daily_minutes=round(hours * 60),
        overhead_minutes=policy.preparation_minutes + policy.write_up_minutes,
        buffer_minutes=policy.buffer_minutes,
        max_meetings_per_day=policy.max_meetings_per_day,
        staff_hours=staff_hours,
        default_staff_hours=teaching,
        assistant_id=assistant,
        assistant_days=assistant_days,
        busy=tuple(busy),
    )


def surgery_times(
    school: School, planning_date: dt.date, working: tuple[str, ...], per_week: int, step: int
) -> list[tuple[str, int]]:
    """The weekly surgery slots as (weekday, start minute), ``per_week`` of them.

    From policy ``surgery_times`` if set, else the weekday times of surgeries recorded this
    school year up to the planning date (the most used weekdays first), then spread over
    the SENDCo's other days at 13:15; a second slot on a day follows the first after
    ``step`` minutes. Only the SENDCo's working days hold surgeries.
    """
    if per_week == 0:
        return []
    configured = [weekday_time(v) for v in school.policy.surgery_times]
    chosen = [t for t in configured if t and t[0] in working] or _recorded_surgery_times(
        school, planning_date, working
    )
    chosen = chosen[:per_week]
    used = {d for d, _ in chosen}
    at = chosen[0][1] if chosen else DEFAULT_SURGERY_START
    k = len(working)
    spread = [working[round(i * k / per_week) % k] for i in range(per_week)]
    for day in [*spread, *working]:
        if len(chosen) == per_week:
            break
        if day not in used:
            chosen.append((day, at))
            used.add(day)
    extra = 1
    while len(chosen) < per_week:
        for day in working:
            if len(chosen) == per_week:
                break
            firsts = [t for d, t in chosen if d == day]
            chosen.append((day, min(firsts, default=at) + extra * step))
        extra += 1
    return sorted(chosen, key=lambda t: (SCHOOL_WEEK.index(t[0]), t[1]))


def _recorded_surgery_times(
    school: School, planning_date: dt.date, working: tuple[str, ...]
) -> list[tuple[str, int]]:
    """The school's own surgery pattern: per weekday, its usual first-slot start."""
    recorded = school.meetings.filter(
        (pl.col("kind") == "surgery") & (pl.col("starts_at").dt.date() <= planning_date)
    )
    if not recorded.height:
        return []
    firsts = recorded.group_by(pl.col("starts_at").dt.date().alias("day")).agg(
        pl.col("starts_at").min()
    )
    by_weekday: dict[str, Counter] = {}
    for starts_at in firsts["starts_at"]:
        weekday = WEEKDAYS[starts_at.weekday()]
        if weekday in working:
            by_weekday.setdefault(weekday, Counter())[starts_at.hour * 60 + starts_at.minute] += 1
    ranked = sorted(by_weekday.items(), key=lambda kv: (-kv[1].total(), SCHOOL_WEEK.index(kv[0])))
    return [(day, counts.most_common(1)[0][0]) for day, counts in ranked]


def _booked_meetings(
    school: School, p: dt.date, sendco: str, days: set[dt.date], surgeries: list[Busy], policy
) -> list[Busy]:
    """Meetings already booked in the window, as busy time for the people attending.

    A booked surgery meeting inside a surgery slot is already counted by the slot.
    """
    booked = booked_meetings(school, p).filter(pl.col("starts_at").dt.date().is_in(list(days)))
    slots = {(b.day, b.start, b.end) for b in surgeries}
    busy = []
    for row in booked.iter_rows(named=True):
        day = row["starts_at"].date()
        start = row["starts_at"].hour * 60 + row["starts_at"].minute
        end = start + row["minutes"]
        if row["kind"] == "surgery" and any(
            d == day and s <= start and end <= e for d, s, e in slots
        ):
            continue
        lead = row["lead_staff_id"]
        sendco_there = bool(row["sendco_attended"]) or lead == sendco
        counts = row["kind"] != "surgery"
        if sendco_there:
            overhead = policy.preparation_minutes + policy.write_up_minutes if counts else 0
            busy.append(Busy(sendco, day, start, end, "booked", counts, row["minutes"] + overhead))
        if lead and lead != sendco:
            busy.append(Busy(lead, day, start, end, "booked", counts))
    return busy
