"""Response times to meeting requests (DOMAIN.md, "Meeting requests: the response duty").

Every request is acknowledged within ``acknowledge_within_school_days`` school days of its
effective receipt day. Safeguarding and urgent day-to-day requests are routed away and
counted as routed, never as late. The rules are written once, for any number of schools,
in :mod:`sendlib.rules.group`; :func:`response_times` is that query for one school.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.rules import group as multischool
from sendlib.school.asof import school_year
from sendlib.school.load import School
from sendlib.rules.group import DECIDED, SCHOOL, STATUSES, SchoolGroup, response_summary

__all__ = [
    "DECIDED",
    "STATUSES",
    "STATUS_LABELS",
    "open_backlog",
    "response_summary",
    "response_times",
]

STATUS_LABELS = {
    "on_time": "Acknowledged on time",
    "late": "Acknowledged late",
    "open_overdue": "Open, overdue",
    "open_not_due": "Open, not yet due",
    "routed": "Routed away",
}


def response_times(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per request received by ``as_of``, with its due date and status.

    Columns: request_id, pupil_id, received_on, effective_on, due_on, acknowledged_on,
    school_days_taken (to acknowledgement, or to ``as_of`` while open), status, channel,
    kind, response, term, first_meeting_on, school_days_to_meeting,
    first_meeting_held_on, school_days_to_meeting_held
    (:func:`sendlib.rules.group.response_times` for this school alone).
    """
    return multischool.response_times(SchoolGroup.of([school]), as_of).drop(SCHOOL)


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
