"""Review coverage: parent meetings against the statutory three-a-year and termly duties.

DOMAIN.md, "Statuses": for every registered pupil (K or E), counting meetings this school
year, completed terms missed, and a status (first that applies): never_met, missed_term,
due_this_term, done_this_term. Annual reviews for EHC plans are in the same module
because they are the other half of "who is owed a meeting". The rules are written once,
for any number of schools, in :mod:`sendlib.rules.group`; :func:`review_coverage` and
:func:`annual_reviews` are those queries for one school.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.rules import group as multischool
from sendlib.school.asof import school_year
from sendlib.school.load import School
from sendlib.rules.group import (
    NOTICE_DAYS,
    SCHOOL,
    TRANSFER_DEADLINE_DEFAULT,
    TRANSFER_DEADLINES,
    SchoolGroup,
    is_counting_meeting,
    is_registered,
)
from sendlib.school.schema import YEAR_GROUPS

__all__ = [
    "ANNUAL_REVIEW_LABELS",
    "ANNUAL_REVIEW_STATUSES",
    "COVERAGE_LABELS",
    "COVERAGE_STATUSES",
    "NOTICE_DAYS",
    "RECORD_STATUSES",
    "TRANSFER_DEADLINES",
    "TRANSFER_DEADLINE_DEFAULT",
    "annual_reviews",
    "counting_meetings",
    "coverage_breakdown",
    "meetings_by_term",
    "record_timeliness",
    "registered_pupils",
    "review_coverage",
]

COVERAGE_STATUSES = ("never_met", "missed_term", "due_this_term", "done_this_term")
#: Plain words for readers (DOMAIN.md).
COVERAGE_LABELS = {
    "done_this_term": "On track",
    "due_this_term": "Behind (meeting owed this term)",
    "missed_term": "Missed a term",
    "never_met": "Never met this year",
}
ANNUAL_REVIEW_STATUSES = ("overdue", "due_soon", "ok")
ANNUAL_REVIEW_LABELS = {
    "overdue": "Overdue",
    "due_soon": "Due within six weeks",
    "ok": "Not yet due",
}
RECORD_STATUSES = ("on_time", "late", "missing", "not_yet_due")


def counting_meetings(school: School, as_of: dt.date, since: dt.date) -> pl.DataFrame:
    """Held parent meetings that count towards the duty, from ``since`` to ``as_of``."""
    meetings = school.meetings.with_columns(day=pl.col("starts_at").dt.date())
    return meetings.filter(is_counting_meeting(since, as_of))


def registered_pupils(school: School, as_of: dt.date) -> pl.DataFrame:
    """Pupils on the register (K or E) by ``as_of``."""
    return school.pupils.filter(is_registered(as_of))


def review_coverage(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per registered pupil: meetings this year, terms missed and coverage status.

    Columns: pupil_id, sen_status, year_group, primary_need, lead_staff_id, registered_on,
    completed_terms, meetings_this_year, meetings_this_term, terms_missed, last_meeting_on,
    status, on_track, projected_meetings, projected_to_meet_minimum
    (:func:`sendlib.rules.group.review_coverage` for this school alone).
    """
    return multischool.review_coverage(SchoolGroup.of([school]), as_of).drop(SCHOOL)


def meetings_by_term(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Counting meetings per registered pupil per term so far: pupil_id, term, meetings."""
    year = school_year(school, as_of)
    meetings = counting_meetings(school, year.as_of, year.start)
    pupils = registered_pupils(school, year.as_of).select("pupil_id")
    rows = []
    for term in year.terms:
        if term.start > year.as_of:
            break
        held = meetings.filter(pl.col("day").is_between(term.start, term.end))
        per = held.group_by("pupil_id").agg(pl.len().cast(pl.Int32).alias("meetings"))
        rows.append(
            pupils.join(per, on="pupil_id", how="left").select(
                "pupil_id", pl.lit(term.name).alias("term"), pl.col("meetings").fill_null(0)
            )
        )
    return pl.concat(rows)


def coverage_breakdown(coverage: pl.DataFrame, by: str) -> pl.DataFrame:
    """Pupils per coverage status within each group of ``by``, with the share on track.

    ``by`` is year_group, primary_need, sen_status or lead_staff_id: where inequities show.
    """
    statuses = [(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in COVERAGE_STATUSES]
    order = pl.col(by).cast(pl.Enum(YEAR_GROUPS)) if by == "year_group" else pl.col(by)
    return (
        coverage.group_by(by)
        .agg(
            pl.len().cast(pl.Int64).alias("pupils"),
            *statuses,
            pl.col("on_track").mean().alias("on_track_share"),
        )
        .sort(order, nulls_last=True)
    )


def record_timeliness(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Whether the written record of each held parent meeting went out in time.

    Policy ``record_within_school_days`` (seed 001: a brief written record goes to parents).
    Columns: meeting_id, pupil_id, kind, day, record_sent_on, record_due_on,
    school_days_to_record, record_status (on_time, late, missing, not_yet_due).
    """
    year = school_year(school, as_of)
    a, calendar = year.as_of, school.calendar
    limit = school.policy.record_within_school_days
    held = counting_meetings(school, a, year.start).with_columns(
        pl.when(pl.col("record_sent_on") <= a)
        .then(pl.col("record_sent_on"))
        .alias("record_sent_on")
    )
    held = held.with_columns(
        # Range-checked: a due date past the calendar is an error, never a summer-holiday guess.
        record_due_on=calendar.add_school_days_series(held["day"], limit),
        school_days_to_record=pl.when(pl.col("record_sent_on").is_not_null()).then(
            calendar.school_days_taken_expr(pl.col("day"), pl.col("record_sent_on"))
        ),
    )
    status = (
        pl.when(pl.col("school_days_to_record") <= limit)
        .then(pl.lit("on_time"))
        .when(pl.col("school_days_to_record").is_not_null())
        .then(pl.lit("late"))
        .when(pl.lit(a) > pl.col("record_due_on"))
        .then(pl.lit("missing"))
        .otherwise(pl.lit("not_yet_due"))
    )
    return held.with_columns(record_status=status).select(
        "meeting_id",
        "pupil_id",
        "kind",
        "day",
        "record_sent_on",
        "record_due_on",
        "school_days_to_record",
        "record_status",
    )


def annual_reviews(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per pupil with an EHC plan: last review, due date, deadline and status.

    Due 12 calendar months after the last review, or by the phase-transfer deadline if
    earlier; invitations go out 14 days before it. Status: overdue, due_soon or ok
    (:func:`sendlib.rules.group.annual_reviews` for this school alone).
    """
    return multischool.annual_reviews(SchoolGroup.of([school]), as_of).drop(SCHOOL)
