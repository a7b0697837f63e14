"""Review coverage: parent meetings against the statutory three-a-year and termly duties.

DOMAIN.md, "Statuses": for every registered pupil (K or E), counting meetings this school
year, completed terms missed, and a status (first that applies): never_met, missed_term,
due_this_term, done_this_term. Annual reviews for EHC plans are in the same module
because they are the other half of "who is owed a meeting".
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.asof import SchoolYear, school_year
from sendlib.load import School
from sendlib.schema import COUNTING_KINDS, YEAR_GROUPS

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
#: Regulation 20 (SEND Regulations 2014): invitations go out at least two weeks before.
NOTICE_DAYS = 14
#: Code of Practice 9.179: phase-transfer reviews by 15 February; 31 March for Year 11.
TRANSFER_DEADLINES = {11: (3, 31)}
TRANSFER_DEADLINE_DEFAULT = (2, 15)
RECORD_STATUSES = ("on_time", "late", "missing", "not_yet_due")


def counting_meetings(school: School, as_of: dt.date, since: dt.date) -> pl.DataFrame:
    """Held parent meetings that count towards the duty, from ``since`` to ``as_of``."""
    return school.meetings.filter(
        (pl.col("status") == "held")
        & pl.col("kind").is_in(COUNTING_KINDS)
        & pl.col("pupil_id").is_not_null()
        & pl.col("starts_at").dt.date().is_between(since, as_of)
    ).with_columns(day=pl.col("starts_at").dt.date())


def registered_pupils(school: School, as_of: dt.date) -> pl.DataFrame:
    """Pupils on the register (K or E) by ``as_of``."""
    return school.pupils.filter(
        pl.col("sen_status").is_in(["K", "E"]) & (pl.col("registered_on") <= as_of)
    )


def review_coverage(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per registered pupil: meetings this year, terms missed and coverage status.

    Columns: pupil_id, sen_status, year_group, primary_need, lead_staff_id, registered_on,
    completed_terms, meetings_this_year, meetings_this_term, terms_missed, last_meeting_on,
    status, on_track, projected_meetings, projected_to_meet_minimum.
    """
    year = school_year(school, as_of)
    a = year.as_of
    pupils = registered_pupils(school, a)
    meetings = counting_meetings(school, a, year.start)
    current = year.current_term

    # Per completed term: was the pupil registered on its first day, and if so, met in it?
    completed, missed = pl.lit(0, dtype=pl.Int32), pl.lit(0, dtype=pl.Int32)
    for term in year.completed_terms:
        in_term = meetings.filter(pl.col("day").is_between(term.start, term.end))
        counted = pl.col("registered_on") <= term.start
        completed += counted.cast(pl.Int32)
        missed += (counted & ~pl.col("pupil_id").is_in(in_term["pupil_id"].implode())).cast(
            pl.Int32
        )
    counts = meetings.group_by("pupil_id").agg(
        pl.len().alias("meetings_this_year"),
        pl.col("day").max().alias("last_meeting_on"),
        (
            pl.col("day").is_between(current.start, current.end).sum()
            if current
            else pl.lit(0, dtype=pl.UInt32)
        ).alias("meetings_this_term"),
    )
    frame = pupils.join(counts, on="pupil_id", how="left").with_columns(
        pl.col("meetings_this_year").fill_null(0).cast(pl.Int32),
        pl.col("meetings_this_term").fill_null(0).cast(pl.Int32),
    )
    frame = frame.with_columns(completed_terms=completed, terms_missed=missed)
    status = (
        pl.when((pl.col("meetings_this_year") == 0) & (pl.col("completed_terms") > 0))
        .then(pl.lit("never_met"))
        .when(pl.col("terms_missed") > 0)
        .then(pl.lit("missed_term"))
        .when(pl.lit(current is not None) & (pl.col("meetings_this_term") == 0))
        .then(pl.lit("due_this_term"))
        .otherwise(pl.lit("done_this_term"))
    )
    frame = frame.with_columns(status=status).with_columns(
        on_track=pl.col("status").is_in(["due_this_term", "done_this_term"])
    )
    frame = frame.with_columns(_projection(school, year))
    return frame.select(
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
        "last_meeting_on",
        "status",
        "on_track",
        "projected_meetings",
        "projected_to_meet_minimum",
    ).sort("pupil_id")


def _projection(school: School, year: SchoolYear) -> list[pl.Expr]:
    """Meetings by the end of the year at each pupil's pace so far (school days elapsed)."""
    calendar = school.calendar
    days = pl.Series(calendar.school_days(year.start, year.end), dtype=pl.Date)
    total = days.len()
    since = pl.max_horizontal(pl.col("registered_on"), pl.lit(year.start))
    elapsed_days = pl.when(since <= year.as_of).then(
        pl.lit(days.filter(days <= year.as_of).len())
        - pl.lit(days).search_sorted(since, side="left").cast(pl.Int64)
    )
    remaining = total - days.filter(days <= year.as_of).len()
    pace = pl.col("meetings_this_year") / pl.max_horizontal(elapsed_days, pl.lit(1))
    projected = pl.col("meetings_this_year") + pace * remaining
    return [
        projected.round(1).alias("projected_meetings"),
        (projected >= school.policy.min_parent_meetings_per_year).alias(
            "projected_to_meet_minimum"
        ),
    ]


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

    Due 12 calendar months after the last review (29 February becomes 28 February); a
    pupil in the transfer year group whose last review was before this school year also
    has the phase-transfer deadline (15 February; 31 March for Year 11). The deadline is
    the earlier; invitations go out 14 days before it. Status: overdue (deadline before
    ``as_of``), due_soon (within ``due_soon_days``), ok.
    """
    year = school_year(school, as_of)
    a = year.as_of
    transfer_group = school.config.transfer_year_group
    month, day = TRANSFER_DEADLINES.get(transfer_group, TRANSFER_DEADLINE_DEFAULT)
    transfer_deadline = dt.date(year.start.year + 1, month, day)
    held = (
        school.meetings.filter(
            (pl.col("kind") == "annual_review")
            & (pl.col("status") == "held")
            & (pl.col("starts_at").dt.date() <= a)
        )
        .group_by("pupil_id")
        .agg(pl.col("starts_at").dt.date().max().alias("held_on"))
    )
    # Only plans that exist by as_of: a pupil registered later is not yet this school's duty.
    plans = school.pupils.filter(
        (pl.col("sen_status") == "E") & (pl.col("registered_on") <= a)
    ).join(held, on="pupil_id", how="left")
    recorded = pl.when(pl.col("last_annual_review_on") <= a).then(pl.col("last_annual_review_on"))
    # The pupils table is a snapshot: a review recorded after as_of has not happened yet,
    # unless it is all we know.
    last = pl.coalesce(pl.max_horizontal(recorded, "held_on"), pl.col("last_annual_review_on"))
    plans = plans.with_columns(last_review_on=last).with_columns(
        due_on=pl.col("last_review_on").dt.offset_by("12mo"),
        transfer_deadline_on=pl.when(
            (pl.col("year_group") == str(transfer_group)) & (pl.col("last_review_on") < year.start)
        ).then(pl.lit(transfer_deadline)),
    )
    plans = plans.with_columns(
        deadline_on=pl.min_horizontal("due_on", "transfer_deadline_on")
    ).with_columns(
        invite_by=pl.col("deadline_on") - pl.duration(days=NOTICE_DAYS),
        days_to_deadline=(pl.col("deadline_on") - pl.lit(a)).dt.total_days(),
    )
    status = (
        pl.when(pl.col("deadline_on") < a)
        .then(pl.lit("overdue"))
        .when(pl.col("days_to_deadline") <= school.policy.due_soon_days)
        .then(pl.lit("due_soon"))
        .otherwise(pl.lit("ok"))
    )
    return (
        plans.with_columns(status=status)
        .select(
            "pupil_id",
            "year_group",
            "primary_need",
            "lead_staff_id",
            "last_review_on",
            "due_on",
            "transfer_deadline_on",
            "deadline_on",
            "invite_by",
            "days_to_deadline",
            "status",
        )
        .sort("deadline_on", "pupil_id")
    )
