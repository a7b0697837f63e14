"""SENDCo capacity: supply of protected time against the demand meetings put on it.

DOMAIN.md, "Capacity". Supply is the SENDCo's days in term times the protected hours
a day. Demand is the meetings the SENDCo attends at their length, preparation before and
the written record after each, protected surgery slots (booked or not) and annual reviews.
Up to the as-of date demand is what the school recorded; after it, a forward look: the
statutory meetings still owed (from coverage and annual reviews) plus request-driven
meetings at the school's own rate so far. Every figure can be re-run under *levers*
(another SENDCo day, more surgeries, more reviews led by class teachers, shorter meetings).
The rules are written once, for any number of schools, in :mod:`sendlib.rules.group`;
:func:`capacity` is that computation for one school, with its weeks and terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from sendlib.rules import group as multischool
from sendlib.school.load import School
from sendlib.rules.group import COMPONENTS, SCHOOL, Levers, SchoolGroup

__all__ = [
    "COMPONENTS",
    "COMPONENT_LABELS",
    "SUMMARY_LABELS",
    "Capacity",
    "Levers",
    "capacity",
    "compare",
    "what_if",
]

COMPONENT_LABELS = {
    "meetings": "Reviews and other meetings",
    "annual_reviews": "Annual reviews",
    "surgeries": "Parent surgeries (protected)",
    "preparation_and_records": "Preparation and written records",
}


@dataclass(frozen=True)
class Capacity:
    """Capacity figures: per day, per week, per term, and a headline summary."""

    daily: pl.DataFrame
    weekly: pl.DataFrame
    terms: pl.DataFrame
    summary: dict = field(default_factory=dict)


def capacity(
    school: School, as_of: dt.date | None = None, levers: Levers | None = None
) -> Capacity:
    """SENDCo supply and demand for the school year of ``as_of``, under optional levers.

    :func:`sendlib.rules.group.capacity` for this school alone, summed into weeks and terms.
    """
    result = multischool.capacity(SchoolGroup.of([school]), as_of, levers)
    daily = result.daily.drop(SCHOOL)
    return Capacity(
        daily=daily,
        weekly=_rollup(daily, "week").rename({"week": "week_start"}),
        terms=_rollup(daily, "term"),
        summary=result.summaries[0],
    )


def what_if(
    school: School,
    as_of: dt.date | None = None,
    *,
    working_days: tuple[str, ...] | list[str] | None = None,
    hours_per_day: float | None = None,
    surgeries_per_week: int | None = None,
    class_teacher_led_share: float | None = None,
    meeting_minutes: int | None = None,
) -> Capacity:
    """Capacity with the school's levers changed: the analyst's first question, answered."""
    levers = Levers(
        working_days=tuple(working_days) if working_days else None,
        hours_per_day=hours_per_day,
        surgeries_per_week=surgeries_per_week,
        class_teacher_led_share=class_teacher_led_share,
        meeting_minutes=meeting_minutes,
    )
    return capacity(school, as_of, levers)


def _rollup(daily: pl.DataFrame, key: str) -> pl.DataFrame:
    """Sum days into weeks or terms, with utilisation and headroom."""
    return (
        daily.group_by(key, maintain_order=True)
        .agg(
            pl.col("day").min().alias("first_day"),
            pl.col("sendco_day").sum().alias("sendco_days"),
            pl.col("forecast").all().alias("forecast"),
            pl.col("supply_minutes").sum(),
            *(pl.col(c).sum() for c in COMPONENTS),
            pl.col("demand_minutes").sum(),
        )
        .with_columns(
            utilisation=pl.when(pl.col("supply_minutes") > 0).then(
                pl.col("demand_minutes") / pl.col("supply_minutes")
            ),
            headroom_minutes=pl.col("supply_minutes") - pl.col("demand_minutes"),
        )
        .sort("first_day")
    )


SUMMARY_LABELS = {
    "utilisation_this_term": "Utilisation this term",
    "utilisation_year_to_date": "Utilisation, year to date",
    "forecast_utilisation_rest_of_year": "Forecast utilisation, rest of year",
    "supply_hours_rest_of_year": "Protected hours left this year",
    "demand_hours_rest_of_year": "Hours of meetings still owed",
    "headroom_hours_rest_of_year": "Headroom (hours)",
    "reviews_owed": "Termly reviews still owed",
    "reviews_owed_sendco": "... of which the SENDCo attends",
    "annual_reviews_to_hold": "Annual reviews to hold by year end",
    "request_meetings_expected": "Request meetings expected",
}


def compare(baseline: Capacity, scenarios: dict[str, Capacity]) -> pl.DataFrame:
    """Headline capacity figures side by side: one row per figure, a column per scenario."""
    columns = {"figure": list(SUMMARY_LABELS.values())}
    for name, result in {"baseline": baseline, **scenarios}.items():
        columns[name] = [_format(key, result.summary.get(key)) for key in SUMMARY_LABELS]
    return pl.DataFrame(columns)


def _format(key: str, value) -> str:
    if value is None:
        return "-"
    return f"{value:.0%}" if key.startswith(("utilisation", "forecast")) else f"{value:g}"
