"""The SENDCo's time at each school, and the what-if levers that change it.

DOMAIN.md, "Capacity": supply is the SENDCo's working days in term times the protected
hours a day; demand counts each meeting the SENDCo attends at its length, with
preparation before and a written record after. :class:`Levers` change a school's baseline
(another SENDCo day, more surgeries, more reviews led by class teachers, shorter
meetings); :class:`Staffing` is every school's time and meeting lengths under them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sendlib.rules.frame import POSITION, SchoolGroup, per_school
from sendlib.school.calendar import WEEKDAYS
from sendlib.school.load import School


@dataclass(frozen=True)
class Levers:
    """Changes to a school's baseline; ``None`` keeps what the school has now."""

    #: The SENDCo's working weekdays, e.g. ("mon", "tue", "wed", "thu", "fri").
    working_days: tuple[str, ...] | None = None
    #: Protected SEND hours per working day.
    hours_per_day: float | None = None
    surgeries_per_week: int | None = None
    #: Share of termly reviews led by class teachers without the SENDCo (0 to 1).
    class_teacher_led_share: float | None = None
    #: Length of the reviews and other meetings the SENDCo attends, in minutes.
    meeting_minutes: int | None = None

    def staffing(self, school: School) -> dict:
        """The school's SENDCo working days, protected hours a day and weekly surgeries."""
        working = tuple(self.working_days or school.config.sendco.working_days)
        unknown = [d for d in working if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday(s) {unknown}; use {', '.join(WEEKDAYS)}")
        hours, surgeries = self.hours_per_day, self.surgeries_per_week
        return {
            "working_days": working,
            "hours_per_day": school.config.sendco.send_hours_per_day if hours is None else hours,
            "surgeries_per_week": school.policy.surgeries_per_week
            if surgeries is None
            else surgeries,
        }


@dataclass(frozen=True)
class Staffing:
    """Each school's SENDCo time under the levers and the minutes its meetings take."""

    levers: Levers
    each: tuple[dict, ...]  # each school's Levers.staffing
    settings: pl.DataFrame  # one row per school
    sendco_weekdays: pl.Series  # Boolean, 7 per school: does the SENDCo work that weekday?

    @classmethod
    def of(cls, group: SchoolGroup, levers: Levers | None) -> Staffing:
        """Every school's staffing under ``levers`` (the same for every school)."""
        levers = levers or Levers()
        each, rows, sendco_weekdays = [], [], []
        for school in group.schools:
            policy = school.policy
            staff = levers.staffing(school)
            each.append(staff)
            sendco_weekdays.extend(d in staff["working_days"] for d in WEEKDAYS)
            rows.append(
                {
                    "hours": staff["hours_per_day"],
                    "meeting_minutes": policy.meeting_minutes,
                    "annual_review_minutes": policy.annual_review_minutes,
                    "preparation": policy.preparation_minutes,
                    "write_up": policy.write_up_minutes,
                    "overhead": policy.preparation_minutes + policy.write_up_minutes,
                    "weekly_surgery": staff["surgeries_per_week"]
                    * policy.meetings_per_surgery
                    * policy.surgery_minutes,
                }
            )
        settings = pl.DataFrame(rows).with_columns(pl.col("hours").cast(pl.Float64))
        works = pl.Series(sendco_weekdays, dtype=pl.Boolean)
        return cls(levers, tuple(each), settings, works)

    def setting(self, name: str) -> pl.Expr:
        """A school's setting on each of its rows."""
        return per_school(self.settings[name])

    def is_sendco_day(self, day: pl.Expr) -> pl.Expr:
        """Whether ``day`` is one of the row's school's SENDCo weekdays."""
        weekday = day.dt.weekday().cast(pl.Int64) - 1
        return pl.lit(self.sendco_weekdays).gather(pl.col(POSITION).cast(pl.Int64) * 7 + weekday)
