"""Review coverage: parent meetings against the statutory three-a-year and termly duties.

DOMAIN.md, "Statuses": for every registered pupil (K or E), counting meetings this school
year, completed terms missed, and a status (first that applies): never_met, missed_term,
due_this_term, done_this_term; and whether the written record of each held meeting went
out in time. Coverage is written once, for any number of schools
(:func:`group_review_coverage`, over the frame of :mod:`sendlib.rules.frame`);
:func:`review_coverage` is that query for one school. Annual reviews for EHC plans, the
other half of "who is owed a meeting", are in :mod:`sendlib.rules.annual_reviews`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.rules.frame import (
    ENGINE,
    POSITION,
    SCHOOL,
    GroupYears,
    SchoolGroup,
    is_counting_meeting,
    is_offered_not_held,
    is_registered,
)
from sendlib.school.asof import as_of_date, school_year
from sendlib.school.load import School
from sendlib.school.schema import YEAR_GROUPS

__all__ = [
    "COVERAGE_LABELS",
    "COVERAGE_STATUSES",
    "ON_TRACK",
    "RECORD_STATUSES",
    "counting_meetings",
    "coverage_breakdown",
    "group_review_coverage",
    "meetings_by_term",
    "record_timeliness",
    "registered_pupils",
    "review_coverage",
    "review_coverage_query",
]

COVERAGE_STATUSES = ("never_met", "missed_term", "due_this_term", "done_this_term")
#: DOMAIN.md's plain words for each status, as a label begins ("met this term" in a sentence).
COVERAGE_LABELS = {
    "done_this_term": "Met this term",
    "due_this_term": "Meeting still owed this term",
    "missed_term": "Missed a term",
    "never_met": "Not met this year",
}
#: The only meaning of "on track for three meetings" (DOMAIN.md, "Statuses").
ON_TRACK = ("due_this_term", "done_this_term")
RECORD_STATUSES = ("on_time", "late", "missing", "not_yet_due")


def _terms_missed(
    group: SchoolGroup,
    years: GroupYears,
    pupils: pl.LazyFrame,
    meetings: pl.LazyFrame,
    offered: pl.LazyFrame,
) -> pl.LazyFrame:
    """Each pupil's completed terms, those with no counting meeting, and those of them offered.

    A term missed is *offered but not held* when a meeting of a counting kind was booked in
    it and the family did not attend (DOMAIN.md, "Offered but not held").
    """

    def terms_of(frame: pl.LazyFrame, flag: str) -> pl.LazyFrame:
        days = frame.select(POSITION, "pupil_id", _term=group.days.term_of(pl.col("day")))
        return days.unique().with_columns(pl.lit(True).alias(flag))

    keys = [POSITION, "pupil_id", "_term"]
    # Per completed term: was the pupil registered on its first day, and if so, met in it?
    return (
        pupils.select(POSITION, "pupil_id", "registered_on")
        .join(years.completed_terms.lazy(), on=POSITION)
        .filter(pl.col("registered_on") <= pl.col("_term_start"))
        .join(terms_of(meetings, "_met"), on=keys, how="left")
        .join(terms_of(offered, "_offered"), on=keys, how="left")
        .group_by(POSITION, "pupil_id")
        .agg(
            pl.len().cast(pl.Int32).alias("completed_terms"),
            pl.col("_met").is_null().sum().cast(pl.Int32).alias("terms_missed"),
            (pl.col("_met").is_null() & pl.col("_offered").is_not_null())
            .sum()
            .cast(pl.Int32)
            .alias("terms_offered_not_held"),
        )
    )


def _projected_meetings(group: SchoolGroup, years: GroupYears) -> pl.Expr:
    """Meetings by the end of the year at each pupil's pace so far (school days elapsed)."""
    year_start = years.setting("year_start")
    elapsed = years.setting("elapsed")
    since = pl.max_horizontal(pl.col("registered_on"), year_start)
    elapsed_days = pl.when(since <= years.as_of).then(
        elapsed - (group.days.before_(since) - years.setting("year_first")).cast(pl.Int64)
    )
    remaining = years.setting("year_days") - elapsed
    pace = pl.col("meetings_this_year") / pl.max_horizontal(elapsed_days, pl.lit(1))
    return pl.col("meetings_this_year") + pace * remaining


def review_coverage_query(group: SchoolGroup, years: GroupYears) -> pl.LazyFrame:
    """Review coverage of every school as one lazy query with ``_school``.

    The rows and columns of :func:`group_review_coverage`, and the school's position.
    """
    a = years.as_of
    pupils = group.pupils.lazy().filter(is_registered(a))
    year_start = years.setting("year_start")
    meetings = group.meetings.lazy().filter(is_counting_meeting(year_start, a))
    offered = group.meetings.lazy().filter(is_offered_not_held(year_start, a))
    terms = _terms_missed(group, years, pupils, meetings, offered)
    in_current = pl.col("day").is_between(
        years.setting("current_start"), years.setting("current_end")
    )
    counts = (
        meetings.with_columns(_in_current=in_current.fill_null(False))
        .group_by(POSITION, "pupil_id")
        .agg(
            pl.len().alias("meetings_this_year"),
            pl.col("day").max().alias("last_meeting_on"),
            pl.col("_in_current").sum().alias("meetings_this_term"),
        )
    )
    frame = (
        pupils.join(counts, on=[POSITION, "pupil_id"], how="left")
        .join(terms, on=[POSITION, "pupil_id"], how="left")
        .with_columns(
            pl.col("meetings_this_year").fill_null(0).cast(pl.Int32),
            pl.col("meetings_this_term").fill_null(0).cast(pl.Int32),
            pl.col("completed_terms").fill_null(0),
            pl.col("terms_missed").fill_null(0),
            pl.col("terms_offered_not_held").fill_null(0),
        )
    )
    status = (
        pl.when((pl.col("meetings_this_year") == 0) & (pl.col("completed_terms") > 0))
        .then(pl.lit("never_met"))
        .when(pl.col("terms_missed") > 0)
        .then(pl.lit("missed_term"))
        .when(years.setting("has_current") & (pl.col("meetings_this_term") == 0))
        .then(pl.lit("due_this_term"))
        .otherwise(pl.lit("done_this_term"))
    )
    frame = frame.with_columns(status=status).with_columns(
        on_track=pl.col("status").is_in(ON_TRACK),
        # "No meeting yet this term": every status but met this term, less those who missed
        # an earlier term but have been met in this one (DOMAIN.md, "Statuses").
        no_meeting_this_term=years.setting("has_current") & (pl.col("meetings_this_term") == 0),
    )
    projected = _projected_meetings(group, years)
    frame = frame.with_columns(
        projected_meetings=projected.round(1),
        projected_to_meet_minimum=projected >= years.setting("min_meetings"),
    )
    return frame.sort(POSITION, "pupil_id").select(
        group.school_column(),
        "pupil_id",
        "sen_status",
        "year_group",
        "primary_need",
        "lead_staff_id",
        "registered_on",
        "completed_terms",
        "meetings_this_year",
        "meetings_this_term",
        "terms_missed",
        "terms_offered_not_held",
        "last_meeting_on",
        "status",
        "on_track",
        "no_meeting_this_term",
        "projected_meetings",
        "projected_to_meet_minimum",
        POSITION,
    )


def group_review_coverage(group: SchoolGroup, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per registered pupil, school by school: meetings this year, terms missed, status.

    DOMAIN.md, "Statuses": counting meetings this school year, completed terms missed, and
    a status (first that applies): never_met, missed_term, due_this_term, done_this_term;
    and meetings projected to the year's end at the pupil's pace so far (school days).
    ``terms_offered_not_held`` counts the terms missed in which the family did not attend a
    meeting offered ("Offered but not held"); ``no_meeting_this_term`` is DOMAIN's "No
    meeting yet this term" (false in a holiday).
    Columns: school, pupil_id, sen_status, year_group, primary_need, lead_staff_id,
    registered_on, completed_terms, meetings_this_year, meetings_this_term, terms_missed,
    terms_offered_not_held, last_meeting_on, status, on_track, no_meeting_this_term,
    projected_meetings, projected_to_meet_minimum.
    """
    years = GroupYears.of(group, as_of)
    return review_coverage_query(group, years).drop(POSITION).collect(engine=ENGINE)


def counting_meetings(school: School, as_of: dt.date, since: dt.date) -> pl.DataFrame:
    """Held parent meetings that count towards the duty, from ``since`` to ``as_of``."""
    meetings = school.meetings.with_columns(day=pl.col("starts_at").dt.date())
    return meetings.filter(is_counting_meeting(since, as_of))


def registered_pupils(school: School, as_of: dt.date) -> pl.DataFrame:
    """Pupils on the register (K or E) by ``as_of``."""
    return school.pupils.filter(is_registered(as_of))


def review_coverage(school: School, as_of: str | dt.date | None = None) -> pl.DataFrame:
    """One row per registered pupil: meetings this year, terms missed and coverage status.

    Columns: pupil_id, sen_status, year_group, primary_need, lead_staff_id, registered_on,
    completed_terms, meetings_this_year, meetings_this_term, terms_missed,
    terms_offered_not_held, last_meeting_on, status, on_track, no_meeting_this_term,
    projected_meetings, projected_to_meet_minimum
    (:func:`group_review_coverage` for this school alone).
    """
    return group_review_coverage(SchoolGroup.of([school]), as_of_date(school, as_of)).drop(SCHOOL)


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
    """Whether the written record of each held review or concern meeting went out in time.

    Policy ``record_within_school_days`` (seed 001; Code of Practice 6.71). An annual
    review's report runs on 14 calendar days instead
    (:func:`sendlib.rules.annual_reviews.annual_review_reports`). Columns: meeting_id,
    pupil_id, kind, day, record_sent_on, record_due_on, school_days_to_record,
    record_status (on_time, late, missing, not_yet_due).
    """
    year = school_year(school, as_of)
    a, calendar = year.as_of, school.calendar
    limit = school.policy.record_within_school_days
    sen_support = counting_meetings(school, a, year.start).filter(pl.col("kind") != "annual_review")
    held = sen_support.with_columns(
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
