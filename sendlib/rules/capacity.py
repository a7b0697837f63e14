"""SENDCo capacity: supply of protected time against the demand meetings put on it.

DOMAIN.md, "Capacity". Supply is the SENDCo's days in term times the protected hours
a day. Demand is the meetings the SENDCo attends at their length, preparation before and
the written record after each, protected surgery slots (booked or not) and annual reviews.
Up to the as-of date demand is what the school recorded; after it, a forward look: the
statutory meetings still owed (from coverage and annual reviews) plus request-driven
meetings at the school's own rate so far. Every figure can be re-run under *levers*
(another SENDCo day, more surgeries, more reviews led by class teachers, shorter meetings).
The computation is written once, for any number of schools (:func:`group_capacity`, over
the frame of :mod:`sendlib.rules.frame`); :func:`capacity` is that computation for one
school, with its weeks and terms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sendlib.rules.annual_reviews import annual_reviews_query
from sendlib.rules.capacity_forecast import forward_look
from sendlib.rules.frame import ENGINE, POSITION, SCHOOL, GroupYears, SchoolGroup, per_school
from sendlib.rules.meetings import review_coverage_query
from sendlib.rules.staffing import Levers, Staffing
from sendlib.school.load import School

__all__ = [
    "CAPACITY_FIGURES",
    "COMPONENTS",
    "COMPONENT_LABELS",
    "SUMMARY_LABELS",
    "Capacity",
    "GroupCapacity",
    "Levers",
    "capacity",
    "capacity_summary_from",
    "compare",
    "group_capacity",
    "group_capacity_summary",
    "what_if",
]

#: The parts of the demand on SENDCo time, in minutes (DOMAIN.md, "Capacity").
COMPONENTS = ("meetings", "annual_reviews", "surgeries", "preparation_and_records")
COMPONENT_LABELS = {
    "meetings": "Reviews and other meetings",
    "annual_reviews": "Annual reviews",
    "surgeries": "Parent surgeries (protected)",
    "preparation_and_records": "Preparation and written records",
}
#: A capacity summary's figures, in order: the columns of :func:`group_capacity_summary`.
CAPACITY_FIGURES = (
    "utilisation_this_term",
    "utilisation_year_to_date",
    "forecast_utilisation_rest_of_year",
    "supply_hours_rest_of_year",
    "demand_hours_rest_of_year",
    "headroom_hours_rest_of_year",
    "sendco_review_share",
    "observed_sendco_review_share",
    "hours_per_day",
    "surgeries_per_week",
    "reviews_owed",
    "reviews_owed_sendco",
    "annual_reviews_to_hold",
    "request_meetings_expected",
)


# --------------------------------------------------------------------------- supply and demand


def _year_days(group: SchoolGroup, years: GroupYears, staff: Staffing) -> pl.LazyFrame:
    """Every school day of each school's year: week, term, SENDCo day, forecast, supply."""
    settings = years.settings
    first = settings["year_first"].to_numpy()
    count = settings["year_days"].to_numpy()
    at = np.repeat(np.arange(len(count), dtype=np.uint32), count)
    number = (
        np.arange(at.size) - np.repeat(np.cumsum(count) - count, count) + np.repeat(first, count)
    )
    frame = pl.LazyFrame({POSITION: at, "_number": number})
    sendco_day = staff.is_sendco_day(pl.col("day"))
    return (
        frame.with_columns(day=group.days.school_day(pl.col("_number")))
        .with_columns(
            week=pl.col("day").dt.truncate("1w"),
            term=group.days.term_name(pl.col("day")),
            sendco_day=sendco_day,
            forecast=pl.col("day") > years.as_of,
        )
        .with_columns(
            supply_minutes=pl.when("sendco_day").then(staff.setting("hours") * 60.0).otherwise(0.0)
        )
        .drop("_number")
    )


def _recorded_demand(
    group: SchoolGroup, years: GroupYears, staff: Staffing, review_weight: pl.Series
) -> pl.LazyFrame:
    """SENDCo minutes from recorded meetings up to as_of, re-weighted by the levers.

    ``review_weight`` (one per school): a review the SENDCo attends happens share/observed
    times as often when the levers change the share of reviews the SENDCo attends.
    """
    levers = staff.levers
    meetings = group.meetings.lazy().filter(
        pl.col("sendco_attended")
        & pl.col("status").is_in(["held", "did_not_attend"])
        & pl.col("day").is_between(years.setting("year_start"), pl.lit(years.as_of))
    )
    weight = pl.when(pl.col("kind") == "review").then(per_school(review_weight)).otherwise(1.0)
    minutes = pl.col("minutes").cast(pl.Float64)
    if levers.meeting_minutes is not None:
        minutes = (
            pl.when(pl.col("kind").is_in(["review", "concern", "other"]))
            .then(float(levers.meeting_minutes))
            .otherwise(minutes)
        )
    booked_surgery = (pl.col("kind") == "surgery") & pl.col("pupil_id").is_not_null()
    overhead = (
        pl.when(pl.col("kind") == "surgery")
        .then(
            pl.when(booked_surgery & (pl.col("status") == "held"))
            .then(staff.setting("write_up"))
            .otherwise(0)
        )
        .when(pl.col("status") == "held")
        .then(staff.setting("overhead"))
        .otherwise(staff.setting("preparation"))
    ).cast(pl.Float64)
    return meetings.select(
        POSITION,
        "day",
        meetings=pl.when(pl.col("kind").is_in(["annual_review", "surgery"]).not_())
        .then(minutes * weight)
        .otherwise(0.0),
        annual_reviews=pl.when(pl.col("kind") == "annual_review").then(minutes).otherwise(0.0),
        preparation_and_records=overhead * weight,
    )


def _daily_demand(
    year_days: pl.DataFrame, parts: list[pl.DataFrame], staff: Staffing
) -> pl.DataFrame:
    """Every school day with its demand: the parts added up, then the protected surgeries."""
    components = ["meetings", "annual_reviews", "preparation_and_records"]
    # Summed as one eager frame: a lazy query may add up each part on its own and then the
    # parts, and a lever's fractional minutes would then differ in the last bits.
    demand = pl.concat(parts).group_by(POSITION, "day").agg(pl.col(c).sum() for c in components)
    return (
        year_days.join(demand, on=[POSITION, "day"], how="left", maintain_order="left")
        .with_columns(pl.col(c).fill_null(0.0) for c in components)
        .with_columns(
            # Protected slots, booked or not: each week's spread over its SENDCo days.
            surgeries=pl.when("sendco_day")
            .then(
                staff.setting("weekly_surgery")
                / pl.col("sendco_day").sum().over(POSITION, "week").cast(pl.Float64)
            )
            .otherwise(0.0)
        )
        .with_columns(demand_minutes=pl.sum_horizontal(*COMPONENTS))
    )


def _capacity(
    group: SchoolGroup,
    years: GroupYears,
    staff: Staffing,
    coverage: pl.DataFrame,
    reviews: pl.DataFrame,
) -> tuple[pl.DataFrame, list[dict]]:
    """Each school's capacity days (stacked, with ``_school``) and its summary.

    Up to as_of, demand is what the school recorded; after it, the forward look of
    :func:`~sendlib.rules.capacity_forecast.forward_look`. Surgeries are protected slots,
    booked or not.
    """
    year_days = _year_days(group, years, staff).collect(engine=ENGINE)
    forecast = forward_look(group, years, staff, coverage, reviews, year_days)
    columns = [POSITION, "day", "meetings", "annual_reviews", "preparation_and_records"]
    parts = pl.collect_all(
        [
            _recorded_demand(group, years, staff, forecast.review_weight).select(columns),
            forecast.spread.select(columns),
            forecast.placed.select(columns),
        ],
        engine=ENGINE,
    )
    daily = _daily_demand(year_days, parts, staff)
    return daily, _summaries(daily, years, forecast.figures)


def _summaries(daily: pl.DataFrame, years: GroupYears, figures: list[dict]) -> list[dict]:
    """Each school's capacity summary: utilisation and headroom, then the forward look's figures."""
    this_term = ~pl.col("forecast") & (pl.col("term") == pl.col("_term_now"))
    subsets = {
        "this_term": this_term,
        "year_to_date": ~pl.col("forecast"),
        "rest": pl.col("forecast"),
    }
    # Sums school by school: a group-by adds floats in another order, and a total such as
    # 8,163 minutes could then round to a different tenth of an hour.
    totals = [
        pl.col(c).filter(when).sum().alias(f"{c}_{name}")
        for name, when in subsets.items()
        for c in ("supply_minutes", "demand_minutes")
    ]
    by_school = daily.select(POSITION, "forecast", "term", "supply_minutes", "demand_minutes")
    by_school = by_school.with_columns(_term_now=years.setting("current_term"))
    sums = pl.concat(
        part.select(totals)
        for part in by_school.partition_by(POSITION, maintain_order=True, include_key=False)
    )

    def ratio(demand: float, supply: float) -> float | None:
        return float(demand / supply) if supply else None

    summaries = []
    for row, school_figures in zip(sums.iter_rows(named=True), figures, strict=True):
        supply, demand_rest = row["supply_minutes_rest"], row["demand_minutes_rest"]
        summaries.append(
            {
                "utilisation_this_term": ratio(
                    row["demand_minutes_this_term"], row["supply_minutes_this_term"]
                ),
                "utilisation_year_to_date": ratio(
                    row["demand_minutes_year_to_date"], row["supply_minutes_year_to_date"]
                ),
                "forecast_utilisation_rest_of_year": ratio(demand_rest, supply),
                "supply_hours_rest_of_year": round(supply / 60, 1),
                "demand_hours_rest_of_year": round(demand_rest / 60, 1),
                "headroom_hours_rest_of_year": round((supply - demand_rest) / 60, 1),
                **school_figures,
            }
        )
    return summaries


def _summary_frame(group: SchoolGroup, summaries: Sequence[dict]) -> pl.DataFrame:
    """The summaries as a frame: one row per school, the :data:`CAPACITY_FIGURES` columns."""
    frame = pl.DataFrame(
        [{k: summary[k] for k in CAPACITY_FIGURES} for summary in summaries],
        schema={
            "utilisation_this_term": pl.Float64,
            "utilisation_year_to_date": pl.Float64,
            "forecast_utilisation_rest_of_year": pl.Float64,
            "supply_hours_rest_of_year": pl.Float64,
            "demand_hours_rest_of_year": pl.Float64,
            "headroom_hours_rest_of_year": pl.Float64,
            "sendco_review_share": pl.Float64,
            "observed_sendco_review_share": pl.Float64,
            "hours_per_day": pl.Float64,
            "surgeries_per_week": pl.Int64,
            "reviews_owed": pl.Int64,
            "reviews_owed_sendco": pl.Float64,
            "annual_reviews_to_hold": pl.Int64,
            "request_meetings_expected": pl.Float64,
        },
    )
    names = pl.Series(SCHOOL, group.slugs, dtype=pl.Enum(group.slugs))
    return frame.insert_column(0, names)


@dataclass(frozen=True)
class GroupCapacity:
    """Every school's SENDCo capacity as of one date, under the same levers."""

    #: One row per school day of each school's year: school, day, week, term, sendco_day,
    #: forecast, supply_minutes, then the demand in minutes: meetings, annual_reviews,
    #: preparation_and_records, surgeries, demand_minutes.
    daily: pl.DataFrame
    #: Each school's headline figures, in the group's order (see :data:`CAPACITY_FIGURES`).
    summaries: tuple[dict, ...]


def group_capacity(
    group: SchoolGroup, as_of: dt.date | None = None, levers: Levers | None = None
) -> GroupCapacity:
    """SENDCo supply and demand of every school for the school year of ``as_of``.

    DOMAIN.md, "Capacity": supply is the SENDCo's days in term times the protected hours a
    day; demand is the meetings the SENDCo attends at their length, preparation before and
    the written record after each, protected surgery slots and annual reviews. ``levers``
    (the same for every school) re-run it with another SENDCo day, more surgeries, more
    reviews led by class teachers or shorter meetings.
    """
    years = GroupYears.of(group, as_of)
    staff = Staffing.of(group, levers)
    coverage, reviews = pl.collect_all(
        [review_coverage_query(group, years), annual_reviews_query(group, years)], engine=ENGINE
    )
    daily, summaries = _capacity(group, years, staff, coverage, reviews)
    return GroupCapacity(
        daily=daily.select(group.school_column(), pl.exclude(POSITION)), summaries=tuple(summaries)
    )


def group_capacity_summary(
    group: SchoolGroup, as_of: dt.date | None = None, levers: Levers | None = None
) -> pl.DataFrame:
    """Every school's capacity summary (:data:`CAPACITY_FIGURES`), one row per school."""
    return _summary_frame(group, group_capacity(group, as_of, levers).summaries)


def capacity_summary_from(
    group: SchoolGroup, years: GroupYears, coverage: pl.DataFrame, reviews: pl.DataFrame
) -> pl.DataFrame:
    """Every school's capacity summary from its coverage and annual reviews, worked out already.

    ``coverage`` and ``reviews`` are the collected
    :func:`~sendlib.rules.meetings.review_coverage_query` and
    :func:`~sendlib.rules.annual_reviews.annual_reviews_query` for ``years``; each school's
    own staffing applies (no levers).
    """
    staff = Staffing.of(group, None)
    return _summary_frame(group, _capacity(group, years, staff, coverage, reviews)[1])


# --------------------------------------------------------------------------- one school


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

    :func:`group_capacity` for this school alone, summed into weeks and terms.
    """
    result = group_capacity(SchoolGroup.of([school]), as_of, levers)
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
