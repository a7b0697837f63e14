"""Response times to meeting requests (DOMAIN.md, "Meeting requests: the response duty").

Every request is acknowledged within ``acknowledge_within_school_days`` school days of its
effective receipt day. Safeguarding and urgent day-to-day requests are routed away and
counted as routed, never as late.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.asof import school_year
from sendlib.load import School
from sendlib.schema import ROUTED_KINDS, ROUTED_RESPONSES

STATUSES = ("on_time", "late", "open_overdue", "open_not_due", "routed")
STATUS_LABELS = {
    "on_time": "Acknowledged on time",
    "late": "Acknowledged late",
    "open_overdue": "Open, overdue",
    "open_not_due": "Open, not yet due",
    "routed": "Routed away",
}
#: Statuses where the duty's outcome is decided (met or missed): the denominator of on-time share.
DECIDED = ("on_time", "late", "open_overdue")


def response_times(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per request received by ``as_of``, with its due date and status.

    Columns: request_id, pupil_id, received_on, effective_on, due_on, acknowledged_on,
    school_days_taken (to acknowledgement, or to ``as_of`` while open), status, channel,
    kind, response, term, first_meeting_on, school_days_to_meeting,
    first_meeting_held_on, school_days_to_meeting_held.
    """
    year = school_year(school, as_of)
    as_of = year.as_of
    calendar, policy = school.calendar, school.policy
    requests = school.requests.filter(pl.col("received_on") <= as_of).with_columns(
        # An acknowledgement or response dated after as_of has not happened yet.
        pl.when(pl.col("acknowledged_on") <= as_of)
        .then(pl.col("acknowledged_on"))
        .alias("acknowledged_on"),
        pl.when(pl.col("acknowledged_on") <= as_of).then(pl.col("response")).alias("response"),
    )
    calendar.next_school_day_series(requests["received_on"])
    due = calendar.add_school_days_series(
        requests["received_on"], policy.acknowledge_within_school_days
    )
    frame = requests.with_columns(
        effective_on=calendar.next_school_day_expr(pl.col("received_on")),
        due_on=due,
        school_days_taken=calendar.school_days_taken_expr(
            pl.col("received_on"), pl.coalesce("acknowledged_on", pl.lit(as_of))
        ),
    )
    routed = pl.col("kind").is_in(ROUTED_KINDS) | pl.col("response").is_in(ROUTED_RESPONSES)
    within = pl.col("school_days_taken") <= policy.acknowledge_within_school_days
    status = (
        pl.when(routed)
        .then(pl.lit("routed"))
        .when(pl.col("acknowledged_on").is_not_null() & within)
        .then(pl.lit("on_time"))
        .when(pl.col("acknowledged_on").is_not_null())
        .then(pl.lit("late"))
        .when(pl.lit(as_of) > pl.col("due_on"))
        .then(pl.lit("open_overdue"))
        .otherwise(pl.lit("open_not_due"))
    )
    frame = frame.with_columns(status=status, term=_term_expr(school, pl.col("effective_on")))
    frame = frame.join(_first_meetings(school, as_of), on="request_id", how="left")
    frame = frame.with_columns(
        school_days_to_meeting=_days_to(calendar, "first_meeting_on"),
        school_days_to_meeting_held=_days_to(calendar, "first_meeting_held_on"),
    )
    return frame.select(
        "request_id",
        "pupil_id",
        "received_on",
        "effective_on",
        "due_on",
        "acknowledged_on",
        "school_days_taken",
        "status",
        "channel",
        "kind",
        "response",
        "term",
        "first_meeting_on",
        "school_days_to_meeting",
        "first_meeting_held_on",
        "school_days_to_meeting_held",
    ).sort("received_on", "request_id")


def _days_to(calendar, column: str) -> pl.Expr:
    days = calendar.school_days_taken_expr(pl.col("received_on"), pl.col(column))
    return pl.when(pl.col(column).is_not_null()).then(days)


def _first_meetings(school: School, as_of: dt.date) -> pl.DataFrame:
    """The first meeting linked to each request (offered: any status) and the first held."""
    linked = school.meetings.filter(
        pl.col("request_id").is_not_null() & (pl.col("starts_at").dt.date() <= as_of)
    ).with_columns(day=pl.col("starts_at").dt.date())
    return linked.group_by("request_id").agg(
        pl.col("day").min().alias("first_meeting_on"),
        pl.col("day").filter(pl.col("status") == "held").min().alias("first_meeting_held_on"),
    )


def _term_expr(school: School, day: pl.Expr) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for term in reversed(school.calendar.terms):
        expr = pl.when(day.is_between(term.start, term.end)).then(pl.lit(term.name)).otherwise(expr)
    return expr


def response_summary(times: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    """Counts per status and the on-time share, overall or by a column of ``response_times``.

    ``by`` may be term, month, channel, kind or response. The on-time share is on-time
    requests over decided ones (on time, late, or open and overdue); routed requests and
    open ones not yet due are not in it.
    """
    frame = times
    if by == "month":
        frame = frame.with_columns(month=pl.col("effective_on").dt.truncate("1mo"))
    keys = [by] if by else []
    aggregations = [pl.len().alias("requests")]
    aggregations += [(pl.col("status") == s).sum().alias(s) for s in STATUSES]
    aggregations.append(
        pl.col("school_days_taken")
        .filter(pl.col("status").is_in(["on_time", "late"]))
        .median()
        .alias("median_school_days")
    )
    grouped = (
        frame.group_by(keys, maintain_order=True).agg(aggregations)
        if keys
        else frame.select(aggregations)
    )
    decided = sum(pl.col(s) for s in DECIDED)
    grouped = grouped.with_columns(
        decided=decided,
        on_time_share=pl.when(decided > 0).then(pl.col("on_time") / decided),
    )
    return grouped.sort(keys) if keys else grouped


def open_backlog(school: School, times: pl.DataFrame, as_of: dt.date | None = None) -> pl.DataFrame:
    """Requests open (not routed, not yet acknowledged) at the end of each school day.

    Columns: day, open, overdue. Counted with sorted searches, not a loop over requests.
    """
    year = school_year(school, as_of)
    days = pl.Series("day", school.calendar.school_days(year.start, year.as_of), dtype=pl.Date)
    duty = times.filter(pl.col("status") != "routed")
    opened = duty["effective_on"].sort()
    closed = (
        duty.filter(pl.col("acknowledged_on").is_not_null())
        .select(pl.max_horizontal("acknowledged_on", "effective_on"))
        .to_series()
        .sort()
    )
    due_plus = duty["due_on"].sort()
    # Overdue on day d: due before d and not acknowledged by d.
    overdue_closed = (
        duty.filter(pl.col("acknowledged_on").is_not_null())
        .select(pl.max_horizontal("acknowledged_on", pl.col("due_on") + pl.duration(days=1)))
        .to_series()
        .sort()
    )
    open_now = opened.search_sorted(days, side="right") - closed.search_sorted(days, side="right")
    overdue = due_plus.search_sorted(days, side="left") - overdue_closed.search_sorted(
        days, side="right"
    )
    return pl.DataFrame({"day": days, "open": open_now, "overdue": overdue})
