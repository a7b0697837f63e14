"""The forward look of SENDCo capacity: what the rest of the school year will ask for.

DOMAIN.md, "Capacity": after the as-of date, termly reviews still owed (each registered
pupil needs max(minimum - met, one per term left including the current term if not yet
met)), of which the SENDCo attends their share (the share of held reviews attended this
year, 0.5 if none yet, unless a lever sets it); request-driven meetings at this year's
rate per school day; and annual reviews due by the year's end, placed on their deadline
but no sooner than two weeks' notice allows. :mod:`sendlib.rules.capacity` adds these to
what the school recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from sendlib.rules.annual_reviews import NOTICE_DAYS
from sendlib.rules.frame import ENGINE, POSITION, GroupYears, SchoolGroup, per_school
from sendlib.rules.staffing import Staffing


@dataclass(frozen=True)
class Forecast:
    """Each school's forward look: demand on the SENDCo days ahead, and its figures."""

    #: Forecast reviews and request meetings with their preparation and records, spread
    #: evenly over each school's SENDCo days ahead: _school, day and the demand in minutes.
    spread: pl.LazyFrame
    #: Annual reviews still to hold, on the day each is placed, in the same columns.
    placed: pl.LazyFrame
    #: Per school: how much more (or less) often a recorded review the SENDCo attended
    #: happens under the levers (the lever's share over the observed share).
    review_weight: pl.Series
    #: Per school: the forward look's figures for its capacity summary.
    figures: list[dict]


def forward_look(
    group: SchoolGroup,
    years: GroupYears,
    staff: Staffing,
    coverage: pl.DataFrame,
    reviews: pl.DataFrame,
    year_days: pl.DataFrame,
) -> Forecast:
    """Every school's demand on the SENDCo after the as-of date, under the levers.

    ``coverage`` and ``reviews`` are the collected review coverage and annual reviews for
    ``years``; ``year_days`` the school days of each school's year with their SENDCo days.
    """
    to_hold = reviews.lazy().filter(pl.col("deadline_on") <= years.setting("year_end"))
    ahead = year_days.lazy().filter(pl.col("forecast") & pl.col("sendco_day"))
    look = _forward_counts(group, years, coverage, to_hold, ahead)
    spread, weights, figures = _per_school_look(look, years, staff)
    return Forecast(
        spread=_spread_meetings(ahead, spread),
        placed=_placed_annual_reviews(to_hold, ahead, look, years, staff),
        review_weight=pl.Series(weights, dtype=pl.Float64),
        figures=figures,
    )


def _forward_counts(
    group: SchoolGroup,
    years: GroupYears,
    coverage: pl.DataFrame,
    to_hold: pl.LazyFrame,
    ahead: pl.LazyFrame,
) -> pl.DataFrame:
    """What each school has seen this year and what is still ahead of it, one row per school.

    Columns: the share of held reviews the SENDCo attended (observed), request-driven
    meetings the SENDCo attended and their mean length (arising, arising_minutes), termly
    reviews still owed (reviews_owed), annual reviews to hold (to_hold), and the SENDCo
    days ahead (ahead, last_ahead).
    """
    since = years.setting("year_start")
    in_year = pl.col("day").is_between(since, pl.lit(years.as_of))
    held = pl.col("status") == "held"
    meetings = group.meetings.lazy()
    observed = meetings.filter((pl.col("kind") == "review") & held & in_year)
    arising = meetings.filter(
        pl.col("sendco_attended")
        & held
        & (pl.col("request_id").is_not_null() | (pl.col("kind") == "concern"))
        & (pl.col("kind") != "annual_review")
        & in_year
    )
    still_this_term = pl.when(years.setting("has_current")).then(
        (pl.col("meetings_this_term") == 0).cast(pl.Int32)
    )
    owed = coverage.lazy().select(
        POSITION,
        owed=pl.max_horizontal(
            years.setting("min_meetings") - pl.col("meetings_this_year"),
            years.setting("terms_left") + still_this_term.fill_null(0),
        ).clip(lower_bound=0),
    )
    look = pl.LazyFrame({POSITION: np.arange(len(group.schools), dtype=np.uint32)})
    counts = [
        observed.group_by(POSITION).agg(pl.col("sendco_attended").mean().alias("observed")),
        arising.group_by(POSITION).agg(
            pl.len().alias("arising"), pl.col("minutes").mean().alias("arising_minutes")
        ),
        owed.group_by(POSITION).agg(pl.col("owed").sum().alias("reviews_owed")),
        to_hold.group_by(POSITION).agg(pl.len().alias("to_hold")),
        ahead.group_by(POSITION).agg(
            pl.len().alias("ahead"), pl.col("day").max().alias("last_ahead")
        ),
    ]
    for frame in counts:
        look = look.join(frame, on=POSITION, how="left")
    return look.sort(POSITION).collect(engine=ENGINE)


def _per_school_look(
    look: pl.DataFrame, years: GroupYears, staff: Staffing
) -> tuple[list[tuple], list[float], list[dict]]:
    """The forward look's scalars, school by school.

    Returns the minutes a day of forecast meetings and of their preparation and records to
    spread over each school's SENDCo days ahead, the weight of a recorded review under the
    levers, and each school's forward-look figures for its summary.
    """
    levers = staff.levers
    spread, weights, figures = [], [], []
    for index, row in enumerate(look.iter_rows(named=True)):
        s = {**years.settings.row(index, named=True), **staff.settings.row(index, named=True)}
        observed_share = row["observed"] if row["observed"] is not None else 0.5
        share = (
            observed_share
            if levers.class_teacher_led_share is None
            else 1 - levers.class_teacher_led_share
        )
        weights.append(share / observed_share if observed_share else 1.0)
        elapsed, forecast_days = s["elapsed"], s["year_days"] - s["elapsed"]
        if not elapsed or not row["arising"]:
            rate, request_minutes = 0.0, float(s["meeting_minutes"])
        else:
            rate, request_minutes = row["arising"] / elapsed, float(row["arising_minutes"])
        if levers.meeting_minutes is not None:
            request_minutes = float(levers.meeting_minutes)
        review_minutes = float(levers.meeting_minutes or s["meeting_minutes"])
        reviews_owed = row["reviews_owed"] or 0
        requests_expected = rate * forecast_days
        reviews_sendco = reviews_owed * share
        n = row["ahead"] or 0
        if n:
            spread.append(
                (
                    index,
                    (reviews_sendco * review_minutes + requests_expected * request_minutes) / n,
                    (reviews_sendco + requests_expected) * s["overhead"] / n,
                )
            )
        figures.append(
            {
                "sendco_review_share": round(share, 3),
                "observed_sendco_review_share": round(observed_share, 3),
                **staff.each[index],
                "reviews_owed": int(reviews_owed),
                "reviews_owed_sendco": round(reviews_sendco, 1),
                "annual_reviews_to_hold": row["to_hold"] or 0,
                "request_meetings_expected": round(requests_expected, 1),
            }
        )
    return spread, weights, figures


def _spread_meetings(ahead: pl.LazyFrame, spread: list[tuple]) -> pl.LazyFrame:
    """Forecast reviews and request meetings, spread evenly over each school's SENDCo days ahead."""
    spread_frame = pl.LazyFrame(
        spread,
        schema={POSITION: pl.UInt32, "meetings": pl.Float64, "preparation_and_records": pl.Float64},
        orient="row",
    )
    return (
        ahead.select(POSITION, "day")
        .join(spread_frame, on=POSITION)
        .with_columns(annual_reviews=pl.lit(0.0))
    )


def _placed_annual_reviews(
    to_hold: pl.LazyFrame,
    ahead: pl.LazyFrame,
    look: pl.DataFrame,
    years: GroupYears,
    staff: Staffing,
) -> pl.LazyFrame:
    """Annual reviews still to hold, each on a SENDCo day at its deadline but after notice.

    A review goes on the first SENDCo day ahead on or after its deadline, or on the last
    one if the deadline is later; never sooner than two weeks' notice allows.
    """
    # Two weeks' notice of an annual review (SEND Regulations 2014, reg. 20).
    earliest = years.as_of + dt.timedelta(days=NOTICE_DAYS)
    last_ahead = per_school(look["last_ahead"])
    wanted = (
        to_hold.select(
            POSITION,
            _wanted=pl.max_horizontal("deadline_on", pl.lit(earliest)).clip(upper_bound=last_ahead),
        )
        .filter(last_ahead.is_not_null())
        .sort("_wanted")
    )
    return (
        wanted.join_asof(
            ahead.select(POSITION, "day").sort("day"),
            left_on="_wanted",
            right_on="day",
            by=POSITION,
            strategy="forward",
            check_sortedness=False,
        )
        .group_by(POSITION, "day")
        .agg(_placed=pl.len().cast(pl.Float64))
        .with_columns(
            meetings=pl.lit(0.0),
            annual_reviews=pl.col("_placed") * staff.setting("annual_review_minutes"),
            preparation_and_records=pl.col("_placed") * staff.setting("overhead"),
        )
    )
