"""Every duty's figures for many schools at once, and one row of headlines per school.

A trust or a local authority compares its schools on the duties: response times, review
coverage, annual reviews and SENDCo capacity, computed together over one
:class:`~sendlib.rules.frame.SchoolGroup` (the independent queries run together), then
the counts and shares behind each leadership headline, one row per school. The trust
overview (:mod:`sendlib.present.trust`) suppresses small counts and words them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from sendlib.rules.annual_reviews import annual_reviews_query
from sendlib.rules.capacity import capacity_summary_from
from sendlib.rules.frame import ENGINE, POSITION, SCHOOL, GroupYears, SchoolGroup, check_calendars
from sendlib.rules.meetings import review_coverage_query
from sendlib.rules.requests import STATUSES, response_summary, response_times_query


@dataclass(frozen=True)
class GroupFigures:
    """Every multi-school figure as of one date, computed together."""

    as_of: dt.date
    times: pl.DataFrame
    coverage: pl.DataFrame
    reviews: pl.DataFrame
    capacity: pl.DataFrame
    headlines: pl.DataFrame


def group_figures(
    group: SchoolGroup, as_of: dt.date | None = None, engine: str = ENGINE
) -> GroupFigures:
    """Response times, coverage, annual reviews, capacity and per-school headline figures.

    One pass of polars queries for the whole group (the independent ones run together),
    then one row per school of the figures a trust overview compares. ``engine`` is
    polars' (``"streaming"`` keeps a scanned national group's memory bounded).
    """
    check_calendars(group, as_of or dt.date.today())
    years = GroupYears.of(group, as_of)
    times, coverage, reviews = pl.collect_all(
        [
            response_times_query(group, years),
            review_coverage_query(group, years),
            annual_reviews_query(group, years),
        ],
        engine=engine,
    )
    cap = capacity_summary_from(group, years, coverage, reviews)
    return GroupFigures(
        as_of=years.as_of,
        times=times,
        coverage=coverage.drop(POSITION),
        reviews=reviews.drop(POSITION),
        capacity=cap,
        headlines=_headlines(group, times, coverage, reviews, cap),
    )


def _headlines(
    group: SchoolGroup,
    times: pl.DataFrame,
    coverage: pl.DataFrame,
    reviews: pl.DataFrame,
    cap: pl.DataFrame,
) -> pl.DataFrame:
    """One row per school: the counts and shares behind each leadership headline.

    ``statutory`` says whether England's statutory clocks apply to the school (its nation).
    """
    requests = response_summary(times.filter("this_year"), SCHOOL)
    pupils = coverage.group_by(SCHOOL).agg(
        pl.len().alias("registered"),
        pl.col("on_track").sum().alias("on_track"),
        (pl.col("status") == "never_met").sum().alias("never_met"),
        (pl.col("status") == "missed_term").sum().alias("missed_term"),
        pl.col("no_meeting_this_term").sum().alias("no_meeting_this_term"),
        pl.col("terms_missed").sum().alias("terms_missed"),
        pl.col("terms_offered_not_held").sum().alias("terms_offered_not_held"),
    )
    plans = reviews.group_by(SCHOOL).agg(
        pl.len().alias("ehc_plans"),
        (pl.col("status") == "overdue").sum().alias("reviews_overdue"),
        (pl.col("status") == "due_soon").sum().alias("reviews_due_soon"),
        # No review date on record as of the date: a gap in the data, never a guess.
        (pl.col("status") == "no_record").sum().alias("reviews_no_record"),
    )
    schools = pl.DataFrame(
        {
            SCHOOL: pl.Series(group.slugs, dtype=pl.Enum(group.slugs)),
            "name": [s.name for s in group.schools],
            "phase": [s.config.phase for s in group.schools],
            "suppress_below": [s.policy.suppress_below for s in group.schools],
            "statutory": [s.config.applies_english_law for s in group.schools],
            "acknowledge_within": [s.policy.acknowledge_within_school_days for s in group.schools],
        }
    )
    counts = ["requests", *STATUSES, "decided", "registered", "on_track"]
    counts += ["never_met", "missed_term", "no_meeting_this_term", "terms_missed"]
    counts += ["terms_offered_not_held", "meeting_requests", "information_requests"]
    counts += ["ehc_plans", "reviews_overdue", "reviews_due_soon"]
    counts += ["reviews_no_record"]
    frame = (
        schools.join(requests, on=SCHOOL, how="left")
        .join(pupils, on=SCHOOL, how="left")
        .join(plans, on=SCHOOL, how="left")
        .join(cap, on=SCHOOL, how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
    )
    return frame.select(
        pl.exclude("decided", "on_time_share"),
        "decided",
        "on_time_share",
        on_track_share=pl.when(pl.col("registered") > 0).then(
            pl.col("on_track") / pl.col("registered")
        ),
    )
