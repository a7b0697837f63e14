"""School policy: the defaults of DOMAIN.md, each overridable in ``school.toml [policy]``.

Statutory rules (three meetings a year as a minimum, annual reviews every 12 months,
two weeks' notice of an annual review, phase-transfer deadlines) are not here: a school
cannot switch them off. Everything a school may set differently is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Policy:
    """A school's local choices; field defaults are the seed policies' values."""

    #: Acknowledge every SENDCo meeting request within this many school days (seed 000).
    acknowledge_within_school_days: int = 5
    #: Most SENDCo meetings last about 30 minutes (seed 000).
    meeting_minutes: int = 30
    #: Annual reviews may last up to 60 minutes (seed 000).
    annual_review_minutes: int = 60
    #: Parent surgeries: 20-25 minute meetings, two per protected lesson (seed 001).
    surgery_minutes: int = 25
    surgeries_per_week: int = 2
    meetings_per_surgery: int = 2
    #: Code of Practice 6.65: at least three meetings a year with parents on SEN support.
    min_parent_meetings_per_year: int = 3
    #: Reports for leaders hide counts from 1 to this minus one ("<5"); at least 3 (DfE).
    suppress_below: int = 5
    #: The written record of a meeting goes to parents within this many school days (seed 001).
    record_within_school_days: int = 5
    #: SENDCo time before a meeting (agreeing its purpose, reading) and after it
    #: (the written record, following up actions), in minutes.
    preparation_minutes: int = 10
    write_up_minutes: int = 15
    #: Annual reviews are flagged "due soon" when their deadline is this many days away.
    due_soon_days: int = 42
    #: Scheduling: minutes kept free after each meeting before the next one for the same
    #: person (moving rooms, a parent who stays a little longer).
    buffer_minutes: int = 5
    #: Scheduling: the most meetings one person attends in a day (surgery slots excluded).
    max_meetings_per_day: int = 6
    #: Scheduling: when class teachers and heads of year are free to meet, as "HH:MM"; they
    #: teach during the day, so by default after school.
    staff_available_from: str = "15:30"
    staff_available_to: str = "17:00"
    #: Scheduling: the weekly surgery slots as weekday and start, e.g. ["wed 13:15",
    #: "fri 13:15"]. Empty: the weekday times of this year's recorded surgeries, or else
    #: surgeries spread over the SENDCo's days at 13:15.
    surgery_times: tuple[str, ...] = ()
    #: Graduated approach (DOMAIN.md, "Plans and the graduated approach"): a pupil on SEN
    #: support or monitored has a plan within this many school days of joining the list
    #: or of their last plan's review (seeds 003, 004: a new plan follows each review).
    plan_within_school_days: int = 20
    #: DOMAIN.md, "Escalation": this many reviewed plans in a row with outcome no_progress
    #: flag the pupil to consider the next step (specialist advice, an EHC needs assessment).
    escalate_after: int = 2
    #: DOMAIN.md, "Monitored pupils": monitored for more than this many whole terms without
    #: a decision flags the pupil as monitored_long.
    monitor_max_terms: int = 2
    #: DOMAIN.md, "Provision": a pupil on SEN support whose projected support cost this year
    #: passes this many pounds is flagged above_notional (DfE: the notional SEN budget meets
    #: additional support up to GBP 6,000 a pupil; above it the LA may add top-up funding).
    notional_threshold: int = 6000
    #: DOMAIN.md "An annual review": a phase-transfer review is held this many weeks before
    #: the transfer deadline, so the local authority can decide (4 weeks) and amend (8 more).
    transfer_review_weeks: int = 12

    def __post_init__(self) -> None:
        # TOML gives arrays as lists; keep the frozen policy hashable.
        object.__setattr__(self, "surgery_times", tuple(self.surgery_times))

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Policy:
        """Build a policy from ``[policy]``; unknown keys and bad values raise ``ValueError``."""
        problems = policy_problems(values)
        if problems:
            raise ValueError("; ".join(f"{key}: {why}" for key, why in problems))
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """The policy as plain values, for reports and notebooks."""
        return asdict(self)


POLICY_KEYS = tuple(f.name for f in fields(Policy))

#: Keys that may be zero; every other policy number must be at least 1.
_MAY_BE_ZERO = {
    "surgeries_per_week",
    "preparation_minutes",
    "write_up_minutes",
    "due_soon_days",
    "buffer_minutes",
}
#: Keys with a floor of their own, and the reason a reader is given.
_MINIMUM = {"suppress_below": 3}
_WHY = {
    "suppress_below": (
        ": below 3, reports would show groups of one or two pupils, who can be identified"
    )
}
#: Keys holding a time of day ("HH:MM") and a list of weekday times ("wed 13:15").
_TIME_KEYS = {"staff_available_from", "staff_available_to"}
_WEEKDAY_TIME_KEYS = {"surgery_times"}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def minutes_of_day(value: str | dt.time) -> int | None:
    """Minutes after midnight of a time written "HH:MM" (or a TOML time); ``None`` if not one."""
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        return None
    return parsed.hour * 60 + parsed.minute


def weekday_time(value: Any) -> tuple[str, int] | None:
    """A weekday and minutes after midnight from "wed 13:15"; ``None`` if not one."""
    if not isinstance(value, str) or len(value.split()) != 2:
        return None
    day, time = value.lower().split()
    minutes = minutes_of_day(time)
    if day not in _WEEKDAYS or minutes is None:
        return None
    return day, minutes


def policy_problems(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem with a ``[policy]`` table, as ``(key, what was expected)`` pairs."""
    problems = []
    for key, value in values.items():
        if key not in POLICY_KEYS:
            problems.append((key, f"a known policy key ({', '.join(POLICY_KEYS)})"))
        elif key in _TIME_KEYS:
            if minutes_of_day(value) is None:
                problems.append((key, 'a time of day such as "15:30"'))
        elif key in _WEEKDAY_TIME_KEYS:
            if not isinstance(value, list | tuple) or any(weekday_time(v) is None for v in value):
                problems.append((key, 'a list of weekday times such as ["wed 13:15", "fri 13:15"]'))
        else:
            minimum = _MINIMUM.get(key, 0 if key in _MAY_BE_ZERO else 1)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                problems.append((key, f"a whole number, at least {minimum}{_WHY.get(key, '')}"))
    start = minutes_of_day(values.get("staff_available_from", Policy.staff_available_from))
    end = minutes_of_day(values.get("staff_available_to", Policy.staff_available_to))
    if start is not None and end is not None and end <= start:
        problems.append(("staff_available_to", "a time after staff_available_from"))
    return problems
