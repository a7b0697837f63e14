"""SENDCo capacity: supply of protected time against the demand meetings put on it.

DOMAIN.md, "Capacity". Supply is the SENDCo's days in term times the protected hours
a day. Demand is the meetings the SENDCo attends at their length, preparation before and
the written record after each, protected surgery slots (booked or not) and annual reviews.
Up to the as-of date demand is what the school recorded; after it, a forward look: the
statutory meetings still owed (from coverage and annual reviews) plus request-driven
meetings at the school's own rate so far. Every figure can be re-run under *levers*
(another SENDCo day, more surgeries, more reviews led by class teachers, shorter meetings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from sendlib.asof import school_year
from sendlib.calendar import WEEKDAYS
from sendlib.coverage import annual_reviews, review_coverage
from sendlib.load import School

COMPONENTS = ("meetings", "annual_reviews", "surgeries", "preparation_and_records")
COMPONENT_LABELS = {
    "meetings": "Reviews and other meetings",
    "annual_reviews": "Annual reviews",
    "surgeries": "Parent surgeries (protected)",
    "preparation_and_records": "Preparation and written records",
}


@dataclass(frozen=True)
class Levers:
    """Changes to the school's baseline; ``None`` keeps what the school has now."""

    #: The SENDCo's working weekdays, e.g. ("mon", "tue", "wed", "thu", "fri").
    working_days: tuple[str, ...] | None = None
    #: Protected SEND hours per working day.
    hours_per_day: float | None = None
    surgeries_per_week: int | None = None
    #: Share of termly reviews led by class teachers without the SENDCo (0 to 1).
    class_teacher_led_share: float | None = None
    #: Length of the reviews and other meetings the SENDCo attends, in minutes.
    meeting_minutes: int | None = None


@dataclass(frozen=True)
class Capacity:
    """Capacity figures: per day, per week, per term, and a headline summary."""

    daily: pl.DataFrame
    weekly: pl.DataFrame
    terms: pl.DataFrame
    summary: dict = field(default_factory=dict)


def _sendco_share(school: School, as_of: dt.date, since: dt.date) -> float:
    """Share of held termly reviews this year that the SENDCo attended (0.5 if none yet)."""
    reviews = school.meetings.filter(
        (pl.col("kind") == "review")
        & (pl.col("status") == "held")
        & pl.col("starts_at").dt.date().is_between(since, as_of)
    )
    return float(reviews["sendco_attended"].mean()) if reviews.height else 0.5


def capacity(
    school: School, as_of: dt.date | None = None, levers: Levers | None = None
) -> Capacity:
    """SENDCo supply and demand for the school year of ``as_of``, under optional levers."""
    levers = levers or Levers()
    year = school_year(school, as_of)
    a, policy, calendar = year.as_of, school.policy, school.calendar
    working = levers.working_days or school.config.sendco.working_days
    hours = (
        levers.hours_per_day
        if levers.hours_per_day is not None
        else school.config.sendco.send_hours_per_day
    )
    surgeries = (
        levers.surgeries_per_week
        if levers.surgeries_per_week is not None
        else policy.surgeries_per_week
    )
    observed_share = _sendco_share(school, a, year.start)
    share = (
        observed_share
        if levers.class_teacher_led_share is None
        else 1 - levers.class_teacher_led_share
    )
    per_meeting_overhead = policy.preparation_minutes + policy.write_up_minutes
    weekday_numbers = [WEEKDAYS.index(d) for d in working]

    days = pl.DataFrame(
        {"day": calendar.school_days(year.start, year.end)}, schema={"day": pl.Date}
    )
    days = days.with_columns(
        week=pl.col("day").dt.truncate("1w"),
        term=_term_of(year.terms),
        sendco_day=pl.col("day").dt.weekday().is_in([n + 1 for n in weekday_numbers]),
        forecast=pl.col("day") > a,
    ).with_columns(supply_minutes=pl.when("sendco_day").then(hours * 60.0).otherwise(0.0))

    history = _recorded_demand(school, a, year.start, levers, share, observed_share)
    forecast, look = _forward_look(school, year, days, levers, share, per_meeting_overhead)
    demand = (
        pl.concat([history, forecast], how="vertical")
        .group_by("day")
        .agg(pl.col(c).sum() for c in COMPONENTS if c != "surgeries")
    )
    daily = days.join(demand, on="day", how="left").with_columns(
        pl.col(c).fill_null(0.0) for c in COMPONENTS if c != "surgeries"
    )
    # Surgeries are protected slots, booked or not: spread each week's over its SENDCo days.
    weekly_surgery = surgeries * policy.meetings_per_surgery * policy.surgery_minutes
    daily = daily.with_columns(
        surgeries=pl.when("sendco_day")
        .then(weekly_surgery / pl.col("sendco_day").sum().over("week").cast(pl.Float64))
        .otherwise(0.0)
    ).with_columns(demand_minutes=pl.sum_horizontal(*COMPONENTS))

    weekly = _rollup(daily, "week").rename({"week": "week_start"})
    terms = _rollup(daily, "term")
    current = year.current_term
    this_term = daily.filter(
        ~pl.col("forecast") & (pl.col("term") == (current.name if current else ""))
    )
    rest = daily.filter(pl.col("forecast"))
    summary = {
        "utilisation_this_term": _ratio(this_term),
        "utilisation_year_to_date": _ratio(daily.filter(~pl.col("forecast"))),
        "forecast_utilisation_rest_of_year": _ratio(rest),
        "supply_hours_rest_of_year": round(rest["supply_minutes"].sum() / 60, 1),
        "demand_hours_rest_of_year": round(rest["demand_minutes"].sum() / 60, 1),
        "headroom_hours_rest_of_year": round(
            (rest["supply_minutes"].sum() - rest["demand_minutes"].sum()) / 60, 1
        ),
        "sendco_review_share": round(share, 3),
        "observed_sendco_review_share": round(observed_share, 3),
        "working_days": tuple(working),
        "hours_per_day": hours,
        "surgeries_per_week": surgeries,
        **look,
    }
    return Capacity(daily=daily, weekly=weekly, terms=terms, summary=summary)


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


def _term_of(terms) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for term in reversed(terms):
        expr = (
            pl.when(pl.col("day").is_between(term.start, term.end))
            .then(pl.lit(term.name))
            .otherwise(expr)
        )
    return expr


def _recorded_demand(
    school, a, since, levers: Levers, share: float, observed: float
) -> pl.DataFrame:
    """SENDCo minutes from recorded meetings up to ``as_of``, re-weighted by the levers."""
    policy = school.policy
    meetings = school.meetings.filter(
        pl.col("sendco_attended")
        & pl.col("status").is_in(["held", "did_not_attend"])
        & pl.col("starts_at").dt.date().is_between(since, a)
    ).with_columns(day=pl.col("starts_at").dt.date())
    # A review the SENDCo attends happens share/observed times as often under the lever.
    weight = (
        pl.when(pl.col("kind") == "review")
        .then(share / observed if observed else 1.0)
        .otherwise(1.0)
    )
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
            .then(policy.write_up_minutes)
            .otherwise(0)
        )
        .when(pl.col("status") == "held")
        .then(policy.preparation_minutes + policy.write_up_minutes)
        .otherwise(policy.preparation_minutes)
    ).cast(pl.Float64)
    return meetings.select(
        "day",
        meetings=pl.when(pl.col("kind").is_in(["annual_review", "surgery"]).not_())
        .then(minutes * weight)
        .otherwise(0.0),
        annual_reviews=pl.when(pl.col("kind") == "annual_review").then(minutes).otherwise(0.0),
        preparation_and_records=overhead * weight,
    )


def _forward_look(
    school: School, year, days: pl.DataFrame, levers: Levers, share: float, overhead: int
) -> tuple[pl.DataFrame, dict]:
    """SENDCo minutes still owed after ``as_of``, placed on the SENDCo days left.

    Termly reviews: each registered pupil still needs max(minimum - met, one per term left
    including the current term if not yet met); the SENDCo attends ``share`` of them.
    Request-driven meetings continue at this year's rate per school day. Annual reviews
    due by the year's end are placed on their deadline, but no sooner than two weeks'
    notice allows.
    """
    a, policy = year.as_of, school.policy
    ahead = days.filter(pl.col("forecast") & pl.col("sendco_day"))["day"]
    coverage = review_coverage(school, a)
    current = year.current_term
    terms_left = sum(1 for t in year.terms if t.start > a)
    still_this_term = (pl.col("meetings_this_term") == 0).cast(pl.Int32) if current else pl.lit(0)
    reviews_owed = coverage.select(
        pl.max_horizontal(
            policy.min_parent_meetings_per_year - pl.col("meetings_this_year"),
            terms_left + still_this_term,
        )
        .clip(lower_bound=0)
        .sum()
    ).item()
    review_minutes = float(levers.meeting_minutes or policy.meeting_minutes)
    rate, request_minutes = _request_meeting_rate(school, year)
    if levers.meeting_minutes is not None:
        request_minutes = float(levers.meeting_minutes)
    requests_expected = rate * days.filter(pl.col("forecast")).height
    reviews_sendco = reviews_owed * share

    to_hold = annual_reviews(school, a).filter(pl.col("deadline_on") <= year.end)
    look = {
        "reviews_owed": int(reviews_owed),
        "reviews_owed_sendco": round(reviews_sendco, 1),
        "annual_reviews_to_hold": to_hold.height,
        "request_meetings_expected": round(requests_expected, 1),
    }
    columns = ("meetings", "annual_reviews", "preparation_and_records")
    if ahead.len() == 0:
        return pl.DataFrame(schema={"day": pl.Date, **dict.fromkeys(columns, pl.Float64)}), look

    n = ahead.len()
    spread = pl.DataFrame({"day": ahead}).with_columns(
        meetings=pl.lit(
            (reviews_sendco * review_minutes + requests_expected * request_minutes) / n
        ),
        annual_reviews=pl.lit(0.0),
        preparation_and_records=pl.lit((reviews_sendco + requests_expected) * overhead / n),
    )
    # Two weeks' notice of an annual review (SEND Regulations 2014, reg. 20).
    earliest = a + dt.timedelta(days=14)
    wanted = to_hold.select(
        pl.max_horizontal("deadline_on", pl.lit(earliest)).clip(upper_bound=ahead.max())
    ).to_series()
    placed = ahead.gather(ahead.search_sorted(wanted, side="left").clip(0, n - 1))
    annual = (
        pl.DataFrame({"day": placed}, schema={"day": pl.Date})
        .group_by("day")
        .agg(
            meetings=pl.lit(0.0),
            annual_reviews=pl.len().cast(pl.Float64) * policy.annual_review_minutes,
            preparation_and_records=pl.len().cast(pl.Float64) * overhead,
        )
    )
    return pl.concat([spread, annual.select(spread.columns)]), look


def _request_meeting_rate(school: School, year) -> tuple[float, float]:
    """Request-driven SENDCo meetings per school day so far this year, and their mean length."""
    a = year.as_of
    arising = school.meetings.filter(
        pl.col("sendco_attended")
        & (pl.col("status") == "held")
        & (pl.col("request_id").is_not_null() | (pl.col("kind") == "concern"))
        & (pl.col("kind") != "annual_review")
        & pl.col("starts_at").dt.date().is_between(year.start, a)
    )
    elapsed = len(school.calendar.school_days(year.start, a))
    if not elapsed or not arising.height:
        return 0.0, float(school.policy.meeting_minutes)
    return arising.height / elapsed, float(arising["minutes"].mean())


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


def _ratio(frame: pl.DataFrame) -> float | None:
    supply = frame["supply_minutes"].sum()
    return float(frame["demand_minutes"].sum() / supply) if supply else None


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
