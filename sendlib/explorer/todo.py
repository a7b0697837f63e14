"""The SENDCo's to-do lists, in polars: requests to acknowledge, pupils to meet, reviews to invite for.

Each list is for the pupils the filters show; :func:`sendlib.explorer.views.todo_html`
sets them side by side.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.explorer.labels import MONITORED
from sendlib.explorer.queries import Caseload, caseload_status_rank
from sendlib.rules.annual_reviews import NOTICE_DAYS


def requests_to_acknowledge(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """Open requests for the pupils shown, due today (or overdue) or in the next seven days.

    Columns: when (``today`` or ``this_week``), request_id, pupil_id, display_name,
    year_group, received_on, channel, kind, due_on, overdue; most overdue first.
    """
    a = cases.as_of
    week_end = a + dt.timedelta(days=7)
    return (
        cases.requests.filter(
            pl.col("status").is_in(["open_overdue", "open_not_due"])
            & pl.col("pupil_id").is_in(shown["pupil_id"].implode())
            & (pl.col("due_on") <= week_end)
        )
        .join(cases.pupils.select("pupil_id", "display_name", "year_group"), on="pupil_id")
        .select(
            pl.when(pl.col("due_on") <= a)
            .then(pl.lit("today"))
            .otherwise(pl.lit("this_week"))
            .alias("when"),
            "request_id",
            "pupil_id",
            "display_name",
            "year_group",
            "received_on",
            "channel",
            "kind",
            "due_on",
            (pl.col("due_on") < a).alias("overdue"),
        )
        .sort("due_on", "received_on", "request_id")
    )


def pupils_without_meeting_this_term(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """Registered pupils shown with no parent meeting held yet this term, neediest first.

    DOMAIN.md's "No meeting yet this term" (``no_meeting_this_term`` of
    :func:`~sendlib.rules.meetings.review_coverage`). Not met this year first, then those
    who missed a term, then those only owed this term's meeting; the longest since a
    meeting first within each. Empty in a holiday (no current term). Columns: pupil_id,
    display_name, year_group, lead_staff_id, coverage_status, meetings_this_year,
    terms_missed, terms_offered_not_held, last_meeting_on, next_booked_on.
    """
    if cases.year.current_term is None:
        return shown.head(0).select(_WITHOUT_MEETING_COLUMNS)
    return (
        shown.filter((pl.col("coverage_status") != MONITORED) & pl.col("no_meeting_this_term"))
        .with_columns(_status_rank=caseload_status_rank())
        .sort("_status_rank", "last_meeting_on", "pupil_id", nulls_last=False)
        .select(_WITHOUT_MEETING_COLUMNS)
    )


_WITHOUT_MEETING_COLUMNS = (
    "pupil_id",
    "display_name",
    "year_group",
    "lead_staff_id",
    "coverage_status",
    "meetings_this_year",
    "terms_missed",
    "terms_offered_not_held",
    "last_meeting_on",
    "next_booked_on",
)


def annual_reviews_to_invite(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """EHC plan annual reviews whose invitations are due within ``due_soon_days``, or late.

    Invitations go out at least two weeks before the meeting (SEND Regulations 2014,
    reg. 20(3)): the invite-by date is 14 days before the booked meeting, or else before
    the deadline, and the earliest meeting that can still be booked is 14 days after
    ``as_of``. Reviews whose invitations are recorded as sent (``invited_on``) are done.
    Columns: pupil_id, display_name, year_group, deadline_on, transfer_deadline, hold_by,
    invite_by, invite_late, earliest_meeting_on, deadline_reachable, next_review_booked_on,
    short_notice, status.
    """
    a = cases.as_of
    horizon = a + dt.timedelta(days=cases.school.policy.due_soon_days)
    earliest = a + dt.timedelta(days=NOTICE_DAYS)
    return (
        cases.reviews.filter(
            pl.col("pupil_id").is_in(shown["pupil_id"].implode())
            & (pl.col("invite_by") <= horizon)
            & pl.col("invited_on").is_null()
        )
        .join(cases.pupils.select("pupil_id", "display_name"), on="pupil_id")
        .select(
            "pupil_id",
            "display_name",
            "year_group",
            "deadline_on",
            (pl.col("transfer_deadline_on") == pl.col("deadline_on"))
            .fill_null(False)
            .alias("transfer_deadline"),
            "hold_by",
            "invite_by",
            (pl.col("invite_by") < a).alias("invite_late"),
            pl.lit(earliest).alias("earliest_meeting_on"),
            (pl.col("deadline_on") >= earliest).alias("deadline_reachable"),
            pl.col("booked_on").alias("next_review_booked_on"),
            "short_notice",
            "status",
        )
        .sort("invite_by", "pupil_id")
    )
