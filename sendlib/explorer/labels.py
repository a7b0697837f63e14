"""The words the explorer shows: caseload statuses, codes in a SENDCo's words, dates.

Used by the queries (filter choices, timeline details, due items) and the HTML views
alike, so a code reads the same everywhere on the page.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.rules.annual_reviews import school_day_before
from sendlib.rules.meetings import COVERAGE_LABELS, COVERAGE_STATUSES
from sendlib.school.calendar import SchoolCalendar
from sendlib.school.schema import NEED_LABELS, YEAR_GROUPS

#: The caseload status of a monitored pupil (not on the register, so no meeting duty).
MONITORED = "monitored"
CASELOAD_STATUSES = (*COVERAGE_STATUSES, MONITORED)
CASELOAD_STATUS_LABELS = {
    **{status: COVERAGE_LABELS[status] for status in COVERAGE_STATUSES},
    MONITORED: "Monitored (not on the register)",
}
ROLE_LABELS = {
    "sendco": "SENDCo",
    "assistant_sendco": "assistant SENDCo",
    "class_teacher": "class teacher",
    "head_of_year": "head of year",
    "other": "staff",
}
MEETING_KIND_LABELS = {
    "review": "Review meeting",
    "annual_review": "Annual review",
    "concern": "Meeting about a concern",
    "surgery": "Parent surgery",
    "external_agency": "External agency meeting",
    "other": "Other meeting",
}
MEETING_STATUS_LABELS = {
    "held": "held",
    "scheduled": "booked",
    "cancelled": "cancelled",
    "did_not_attend": "parents did not attend",
}
REQUEST_KIND_LABELS = {
    "meeting": "meeting request",
    "information": "request for information",
    "safeguarding": "safeguarding concern (routed to the DSL)",
    "urgent_day_to_day": "urgent day-to-day matter (routed to the class teacher)",
}
RESPONSE_LABELS = {
    "meeting_offered": "meeting offered",
    "more_information_needed": "more information needed",
    "timescale_proposed": "timescale proposed",
    "answered_without_meeting": "answered without a meeting",
    "routed_safeguarding": "routed to safeguarding",
    "routed_class_teacher": "routed to the class teacher",
}

#: Year groups in school order (nursery first), for sorting; unknown groups sort last.
YEAR_RANK = {group: rank for rank, group in enumerate(YEAR_GROUPS)}


def year_label(group: str) -> str:
    """A year group as a SENDCo says it: ``Year 7``, ``Reception``, ``Nursery 1``."""
    if group == "R":
        return "Reception"
    if group.startswith("N"):
        return f"Nursery {group[1:]}"
    return f"Year {group}"


def need_label(code: str | None) -> str:
    """A census primary need in words, with its code: ``Autistic spectrum disorder (ASD)``."""
    if code is None:
        return "none recorded"
    return f"{NEED_LABELS.get(code, code)} ({code})"


def days_in_words(days: int) -> str:
    """A span of days as a SENDCo says it: ``six weeks`` for 42, else ``10 days``."""
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
             8: "eight", 9: "nine", 10: "ten", 12: "twelve"}  # fmt: skip
    if days % 7 == 0:
        weeks = days // 7
        return f"{words.get(weeks, weeks)} week{'s' if weeks > 1 else ''}"
    return f"{days} days"


def format_day(day: dt.date | None) -> str:
    """A date as the page writes it, ``Fri 6 Mar 2026``; empty for no date."""
    return "" if day is None else f"{day:%a} {day.day} {day:%b %Y}"


def reader_day(calendar: SchoolCalendar, day: dt.date | None) -> str:
    """:func:`format_day`; a date that is not a school day says so and gives the one before."""
    before = school_day_before(calendar, day)
    if before is None:
        return format_day(day)
    return f"{format_day(day)} (not a school day: by {format_day(before)})"


def format_day_expr(column: str) -> pl.Expr:
    """:func:`format_day` as a polars expression on a date column."""
    return pl.col(column).dt.strftime("%a %-d %b %Y")
