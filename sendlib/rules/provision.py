"""Provision: what support each pupil gets and its cost (DOMAIN.md, "Provision").

:func:`provision_costs` gives each provision its school days delivered, sessions, hours
and cost; :func:`pupil_provision` adds them up per pupil for the school year, projects
the year's cost and flags pupils on SEN support above the notional SEN budget's
threshold. Whether the support worked is :mod:`sendlib.rules.impact`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.school.asof import SchoolYear, school_year
from sendlib.school.calendar import SchoolCalendar
from sendlib.school.load import School

__all__ = ["COST_COLUMNS", "PUPIL_COLUMNS", "provision_costs", "pupil_provision"]

#: The columns of :func:`provision_costs`, in order.
COST_COLUMNS = (
    "provision_id", "pupil_id", "intervention_id", "name", "kind", "staff_role", "starts_on",
    "ends_on", "running", "days_delivered", "sessions", "hours", "cost", "days_this_year",
    "hours_this_year", "cost_this_year", "projected_days", "projected_cost",
)  # fmt: skip
#: The columns of :func:`pupil_provision`, in order.
PUPIL_COLUMNS = (
    "pupil_id", "year_group", "sen_status", "primary_need", "fsm", "interventions",
    "hours_this_year", "cost_this_year", "projected_cost", "above_notional",
)  # fmt: skip

col = pl.col


def school_days_between(calendar: SchoolCalendar, start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """School days ``d`` with ``start <= d <= end`` (0 when ``end`` is before ``start``).

    Days before the calendar's first term are not known to it and are not counted, so
    ``start`` is moved up to the first day the calendar covers; ``end`` must not pass
    the last day it covers.
    """
    first = pl.max_horizontal(start, pl.lit(calendar.covers_from))
    counted = pl.business_day_count(first, end + pl.duration(days=1), holidays=calendar.holidays)
    return counted.clip(lower_bound=0).cast(pl.Int64)


def with_intervention_columns(school: School) -> pl.DataFrame:
    """Provisions joined to their interventions, optional columns filled with their defaults."""
    interventions = school.interventions
    if "annual_cost" not in interventions.columns:
        interventions = interventions.with_columns(annual_cost=pl.lit(None, pl.Float64))
    if "higher_is_better" not in interventions.columns:
        interventions = interventions.with_columns(higher_is_better=pl.lit(None, pl.Boolean))
    interventions = interventions.with_columns(col("higher_is_better").fill_null(True))
    provisions = school.provisions
    for name, dtype in (
        ("entry_measure", pl.Float64),
        ("exit_measure", pl.Float64),
        ("measure_name", pl.String),
    ):
        if name not in provisions.columns:
            provisions = provisions.with_columns(pl.lit(None, dtype).alias(name))
    return provisions.join(interventions, on="intervention_id", how="inner")


def _hours_per_day() -> pl.Expr:
    """Hours of a session-based intervention per school day it runs (a school week is 5)."""
    return col("sessions_per_week") / 5 * col("minutes_per_session") / 60


def _cost_per_hour() -> pl.Expr:
    """Cost to the school of one pupil's hour: the staff's hourly cost shared by the group."""
    return col("hourly_cost") / col("group_size")


def _resource_share(days: str) -> pl.Expr:
    """A resource's annual_cost shared by its pupils, pro rata to ``days`` (this year)."""
    total = col(days).sum().over("intervention_id")
    return pl.when(total > 0).then(col("annual_cost") * col(days) / total).otherwise(0.0)


def provision_costs(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per provision started by ``as_of``: school days delivered, sessions, hours, cost.

    - days_delivered: school days ``d`` with ``starts_on <= d <= min(ends_on, as_of)``
      (days before the calendar's first term are not known and not counted); running
      when ends_on is empty or after ``as_of``.
    - sessions = sessions_per_week x days_delivered / 5 (not rounded); hours = sessions x
      minutes_per_session / 60; cost = hours x hourly_cost / group_size.
    - days_this_year, hours_this_year, cost_this_year: the same over this school year's
      days only. A resource has no sessions or hours: its cost (this year) is its
      annual_cost shared by the pupils who have it, pro rata to their school days with it.
    - projected_days: school days from starts_on (or the year's first day) to ends_on (or
      the year's last day), whichever are later and earlier; projected_cost is the cost
      per school day times those days. A resource's projected cost is its annual_cost
      shared pro rata to the projected days, so a resource is never projected to cost
      more than it does.
    """
    year = school_year(school, as_of)
    a, calendar = year.as_of, school.calendar
    resource = col("kind") == "resource"
    until_as_of = pl.min_horizontal(col("ends_on").fill_null(a), pl.lit(a))
    year_start = pl.max_horizontal(col("starts_on"), pl.lit(year.start))
    year_end = pl.min_horizontal(col("ends_on").fill_null(year.end), pl.lit(year.end))
    frame = (
        with_intervention_columns(school)
        .filter(col("starts_on") <= a)
        .with_columns(
            running=col("ends_on").is_null() | (col("ends_on") > a),
            days_delivered=school_days_between(calendar, col("starts_on"), until_as_of),
            days_this_year=school_days_between(calendar, year_start, until_as_of),
            projected_days=school_days_between(calendar, year_start, year_end),
        )
    )
    sessioned = pl.when(~resource)
    return (
        frame.with_columns(
            sessions=sessioned.then(col("sessions_per_week") * col("days_delivered") / 5),
            hours=sessioned.then(_hours_per_day() * col("days_delivered")),
            hours_this_year=sessioned.then(_hours_per_day() * col("days_this_year")),
            cost_this_year=sessioned.then(
                _hours_per_day() * _cost_per_hour() * col("days_this_year")
            ).otherwise(_resource_share("days_this_year")),
            projected_cost=sessioned.then(
                _hours_per_day() * _cost_per_hour() * col("projected_days")
            ).otherwise(_resource_share("projected_days")),
        )
        .with_columns(
            cost=sessioned.then(col("hours") * _cost_per_hour()).otherwise(col("cost_this_year"))
        )
        .select(COST_COLUMNS)
        .sort("pupil_id", "starts_on", "provision_id")
    )


def pupil_provision(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per pupil with provision this school year: hours, cost, projection, flag.

    interventions counts the pupil's provisions delivered this year (started by
    ``as_of``, not ended before the year began). hours_this_year and cost_this_year sum
    :func:`provision_costs`' figures; projected_cost sums the provisions' projected cost.
    above_notional: the pupil is on SEN support (K) and projected_cost passes the policy's
    ``notional_threshold`` (default 6000): a candidate for top-up funding or an EHC needs
    assessment.
    """
    year: SchoolYear = school_year(school, as_of)
    threshold = school.policy.notional_threshold
    costs = provision_costs(school, year.as_of).filter(
        col("ends_on").is_null() | (col("ends_on") >= year.start)
    )
    totals = costs.group_by("pupil_id").agg(
        interventions=pl.len().cast(pl.Int64),
        hours_this_year=col("hours_this_year").sum(),
        cost_this_year=col("cost_this_year").sum(),
        projected_cost=col("projected_cost").sum(),
    )
    pupils = school.pupils
    if "fsm" not in pupils.columns:
        pupils = pupils.with_columns(fsm=pl.lit(None, pl.Boolean))
    return (
        pupils.join(totals, on="pupil_id", how="inner")
        .with_columns(
            above_notional=(col("sen_status") == "K") & (col("projected_cost") > threshold)
        )
        .select(PUPIL_COLUMNS)
        .sort("pupil_id")
    )
