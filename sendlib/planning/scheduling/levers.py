"""The levers a SENDCo can pull when fitting a term's meetings into their days.

Each lever is ``None`` (or empty) to keep what the school has now; the scenarios notebook
moves them one at a time and re-solves, so a SENDCo can see what another day, a shorter
review or an assistant SENDCo would buy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sendlib.school.calendar import SCHOOL_WEEK
from sendlib.school.load import School


class SchedulingError(ValueError):
    """A scheduling request a SENDCo can correct: a planning date after the term, a bad lever."""


@dataclass(frozen=True)
class SchedulingLevers:
    """Changes to the school's baseline for one scheduling scenario."""

    #: The SENDCo's working weekdays, e.g. ("mon", "tue", "wed"); overrides days a week.
    working_days: tuple[str, ...] | None = None
    #: How many days a week the SENDCo works (1 to 5): the school's days, one more or fewer.
    sendco_days_per_week: int | None = None
    #: Protected SEND hours per SENDCo day (meetings, surgeries, preparation, records).
    hours_per_day: float | None = None
    surgeries_per_week: int | None = None
    #: Length of a termly review in minutes.
    review_minutes: int | None = None
    #: Share of termly reviews led by the pupil's lead staff member without the SENDCo.
    class_teacher_led_share: float | None = None
    #: Weekdays an assistant SENDCo works and can attend reviews in the SENDCo's place.
    assistant_days: tuple[str, ...] = ()
    #: Dates with no meetings at all (training, trips, exam days).
    blocked_dates: tuple[dt.date, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        for name in ("working_days", "assistant_days"):
            days = getattr(self, name) or ()
            if any(d not in SCHOOL_WEEK for d in days):
                problems.append(f"{name} must be weekdays ({', '.join(SCHOOL_WEEK)}), got {days}")
        n = self.sendco_days_per_week
        if n is not None and not 1 <= n <= 5:
            problems.append(f"sendco_days_per_week must be 1 to 5, got {n}")
        if self.hours_per_day is not None and not 0 < self.hours_per_day <= 24:
            problems.append(f"hours_per_day must be above 0, got {self.hours_per_day}")
        if self.surgeries_per_week is not None and self.surgeries_per_week < 0:
            problems.append(f"surgeries_per_week must be 0 or more, got {self.surgeries_per_week}")
        if self.review_minutes is not None and self.review_minutes < 5:
            problems.append(f"review_minutes must be at least 5, got {self.review_minutes}")
        share = self.class_teacher_led_share
        if share is not None and not 0 <= share <= 1:
            problems.append(f"class_teacher_led_share must be between 0 and 1, got {share}")
        if problems:
            raise SchedulingError("; ".join(problems))
        object.__setattr__(self, "assistant_days", tuple(self.assistant_days))
        object.__setattr__(self, "blocked_dates", tuple(self.blocked_dates))


def sendco_working_days(school: School, levers: SchedulingLevers) -> tuple[str, ...]:
    """The SENDCo's weekdays under the levers.

    Days a week adds the school's missing weekdays in week order, or drops its last
    days, so "one more day" keeps the SENDCo's existing pattern.
    """
    if levers.working_days:
        return tuple(d for d in SCHOOL_WEEK if d in levers.working_days)
    current = tuple(d for d in SCHOOL_WEEK if d in school.config.sendco.working_days)
    n = levers.sendco_days_per_week
    if n is None or n == len(current):
        return current
    if n < len(current):
        return current[:n]
    extra = [d for d in SCHOOL_WEEK if d not in current][: n - len(current)]
    return tuple(d for d in SCHOOL_WEEK if d in current or d in extra)


def levers_from_parameters(
    sendco_days_per_week: int = 0,
    hours_per_day: float = 0.0,
    surgeries_per_week: int = -1,
    review_minutes: int = 0,
    class_teacher_led_share: float = -1.0,
    assistant_days: str = "",
    blocked_dates: str = "",
) -> SchedulingLevers:
    """Levers from notebook parameters, where 0, -1 or "" keeps what the school has.

    papermill parameters are literals, so "keep" is a sentinel; days and dates are
    comma-separated strings ("tue,thu"; "2026-02-02,2026-03-16").
    """
    return SchedulingLevers(
        sendco_days_per_week=sendco_days_per_week or None,
        hours_per_day=hours_per_day or None,
        surgeries_per_week=None if surgeries_per_week < 0 else surgeries_per_week,
        review_minutes=review_minutes or None,
        class_teacher_led_share=None if class_teacher_led_share < 0 else class_teacher_led_share,
        assistant_days=tuple(d.strip().lower() for d in assistant_days.split(",") if d.strip()),
        blocked_dates=tuple(
            dt.date.fromisoformat(d.strip()) for d in blocked_dates.split(",") if d.strip()
        ),
    )
