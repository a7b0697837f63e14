"""What is owed for each pupil and by when, in polars: the explorer's due items.

Requests to acknowledge, this term's parent meeting, annual review invitations and the
review itself, SEN support plan reviews and written records of meetings. The caseload's
``next_due`` is the first of these; one pupil's drill-down lists them all.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.explorer.labels import format_day_expr
from sendlib.rules.annual_reviews import NOTICE_DAYS
from sendlib.school.asof import SchoolYear
from sendlib.school.load import School

#: The plan that an annual review reviews: its review is already the annual review's item.
_EHC_PLAN = r"(?i)\bEHC"


def due_items(
    school: School,
    year: SchoolYear,
    coverage: pl.DataFrame,
    requests: pl.DataFrame,
    reviews: pl.DataFrame,
    records: pl.DataFrame,
    reports: pl.DataFrame,
) -> pl.DataFrame:
    """Every dated thing owed for a pupil: pupil_id, due_on, item (a sentence), overdue.

    Acknowledging open requests (by their due date), a parent meeting owed this term (by
    the term's last day), annual review invitations (two weeks before the booked meeting,
    or else the deadline) and the review itself, SEN support plan reviews (latest plan, not
    yet reviewed), written records of meetings and annual review reports not yet sent.
    """
    a = year.as_of
    parts = [
        requests.filter(pl.col("status").is_in(["open_overdue", "open_not_due"])).select(
            "pupil_id",
            "due_on",
            pl.format(
                "Acknowledge request {} (received {})", "request_id", format_day_expr("received_on")
            ).alias("item"),
        )
    ]
    term = year.current_term
    if term is not None:
        parts.append(
            coverage.filter(pl.col("no_meeting_this_term")).select(
                "pupil_id",
                pl.lit(term.end).alias("due_on"),
                pl.lit(f"Parent meeting owed this term ({term.name})").alias("item"),
            )
        )
    parts += _annual_review_items(reviews)
    parts.append(
        reports.filter(pl.col("report_status").is_in(["report_missing", "report_due"])).select(
            "pupil_id",
            pl.col("report_due_on").alias("due_on"),
            pl.format(
                "Send the annual review report (meeting on {}; two weeks)", format_day_expr("day")
            ).alias("item"),
        )
    )
    parts.append(_plan_review_items(school, a, coverage["pupil_id"]))
    parts.append(
        records.filter(pl.col("record_status").is_in(["missing", "not_yet_due"])).select(
            "pupil_id",
            pl.col("record_due_on").alias("due_on"),
            pl.format("Send the written record (meeting on {})", format_day_expr("day")).alias(
                "item"
            ),
        )
    )
    return (
        pl.concat(parts, how="vertical_relaxed")
        .with_columns(overdue=pl.col("due_on") < a)
        .sort("due_on", "pupil_id", "item")
    )


def _annual_review_items(reviews: pl.DataFrame) -> list[pl.DataFrame]:
    """Each EHC plan's annual review invitations (by the invite-by date) and the review itself.

    Invitations already recorded as sent are not owed; a plan with no review on record has
    no date to owe by (the pupil's row says "no record").
    """
    reviews = reviews.filter(pl.col("status") != "no_record")
    transfer = pl.when(pl.col("transfer_deadline_on") == pl.col("deadline_on")).then(
        pl.lit(" (phase-transfer deadline)")
    )
    booked = pl.when(pl.col("booked_on").is_not_null()).then(
        pl.format(" for the review booked on {}", format_day_expr("booked_on"))
    )
    short = pl.when(pl.col("short_notice")).then(pl.lit(": short notice"))
    invitations = reviews.filter(pl.col("invited_on").is_null()).select(
        "pupil_id",
        pl.col("invite_by").alias("due_on"),
        pl.concat_str(
            pl.format("Send annual review invitations ({} days' notice)", pl.lit(NOTICE_DAYS)),
            booked.otherwise(pl.lit("")),
            short.otherwise(pl.lit("")),
        ).alias("item"),
    )
    review = reviews.select(
        "pupil_id",
        pl.col("deadline_on").alias("due_on"),
        pl.concat_str(pl.lit("Hold the annual review"), transfer.otherwise(pl.lit(""))).alias(
            "item"
        ),
    )
    return [invitations, review]


def _plan_review_items(school: School, as_of: dt.date, on_caseload: pl.Series) -> pl.DataFrame:
    """The latest plan of each pupil on the caseload, if not reviewed by ``as_of``.

    EHC plans are left out: their review is the annual review, already an item.
    """
    latest_plans = (
        school.plans.filter(
            (pl.col("starts_on") <= as_of)
            & pl.col("pupil_id").is_in(on_caseload.implode())
            & ~pl.col("plan_type").str.contains(_EHC_PLAN)
        )
        .sort("starts_on", "plan_id")
        .group_by("pupil_id", maintain_order=True)
        .last()
    )
    return latest_plans.filter(
        pl.col("reviewed_on").is_null() | (pl.col("reviewed_on") > as_of)
    ).select(
        "pupil_id",
        pl.col("review_due_on").alias("due_on"),
        pl.format("Review the {} (targets and outcomes)", "plan_type").alias("item"),
    )
