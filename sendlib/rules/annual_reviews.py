"""Annual reviews of EHC plans: the last review, the deadline, the notice and the report.

DOMAIN.md, "An annual review" (Children and Families Act 2014 s.44; SEND Regulations 2014
regs. 18, 20, 22; Code of Practice 9.166-9.179). As of a date ``a`` nothing from after it
counts: the last review is the latest held annual review meeting on or before ``a``,
failing that ``last_annual_review_on`` when on or before ``a``, failing that the start of
the EHC plan; with none, the status is ``no_record`` (a data gap, never a guess). A review
is due by the last day of the 12 months starting with the last one (6 for an under-five),
or by the phase-transfer deadline if earlier; invitations go out 14 days before the
booked meeting or the deadline; the school sends its report within 14 calendar days of
the meeting and the local authority decides within 28. The rule is written once, for any
number of schools (:func:`annual_reviews_query`, over :mod:`sendlib.rules.frame`);
:func:`annual_reviews` is that query for one school.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.rules.frame import ENGINE, POSITION, SCHOOL, GroupYears, SchoolGroup, per_school
from sendlib.rules.plans import is_ehc_plan
from sendlib.school.asof import as_of_date
from sendlib.school.calendar import SchoolCalendar
from sendlib.school.load import School

__all__ = [
    "ANNUAL_REVIEW_LABELS",
    "ANNUAL_REVIEW_STATUSES",
    "DEADLINE_STATUSES",
    "LA_DECISION_DAYS",
    "LA_DECISION_STATUSES",
    "NOTICE_DAYS",
    "PFA_FROM_YEAR",
    "REPORT_DAYS",
    "REPORT_STATUSES",
    "annual_review_reports",
    "annual_review_reports_query",
    "annual_reviews",
    "annual_reviews_query",
    "group_annual_reviews",
    "school_day_before",
]

#: Reg. 20(3)-(4): invitations and advice go out at least two weeks before the meeting.
NOTICE_DAYS = 14
#: Reg. 20(7)-(8), Code of Practice 9.176: the review report within two weeks of the meeting.
REPORT_DAYS = 14
#: Reg. 20(10): the local authority decides within four weeks of the meeting.
LA_DECISION_DAYS = 28
#: Code of Practice 8.9: from Year 9 every annual review covers preparing for adulthood.
PFA_FROM_YEAR = 9
#: Statuses with a deadline (the months of a deadline chart), then the data gap.
DEADLINE_STATUSES = ("overdue", "due_soon", "ok")
ANNUAL_REVIEW_STATUSES = (*DEADLINE_STATUSES, "no_record")
ANNUAL_REVIEW_LABELS = {
    "overdue": "Overdue",
    "due_soon": "Due within six weeks",
    "ok": "Not yet due",
    "no_record": "No review date on record",
}
REPORT_STATUSES = ("report_on_time", "report_late", "report_missing", "report_due")
LA_DECISION_STATUSES = (
    "la_decision_on_time", "la_decision_late", "la_decision_awaited", "la_decision_due",
)  # fmt: skip
#: Reg. 18: the day before 15 February; for a move to a post-16 institution, before 31 March.
_TRANSFER_DAY = (2, 14)
_POST16_TRANSFER_DAY = (3, 30)
_UNDER_FIVE_YEARS = ("N1", "N2")
#: Optional columns read as empty when a school's files do not have them.
_PUPIL_OPTIONAL = {"date_of_birth": pl.Date, "post16_destination": pl.String}
_MEETING_OPTIONAL = {"invited_on": pl.Date, "la_decision_on": pl.Date}

col = pl.col


def _with_optional(
    frame: pl.DataFrame | pl.LazyFrame, columns: dict[str, pl.DataType]
) -> pl.LazyFrame:
    # A scanned group's tables are lazy: their names come from the schema, not a collect.
    names = frame.collect_schema().names()
    missing = {c: t for c, t in columns.items() if c not in names}
    return frame.lazy().with_columns(pl.lit(None, t).alias(c) for c, t in missing.items())


def _transfer_cohorts(group: SchoolGroup, years: GroupYears) -> pl.LazyFrame:
    """Per school, the year groups with a transfer deadline this school year, and its date.

    ``transfer_year_groups`` have 14 February; Year 11 (and Year 13 where the school has a
    sixth form) 30 March, a move to a post-16 institution. In a school with a sixth form a
    Year 11 pupil whose post16_destination is own_sixth_form stays, so has none (``_stays``).
    """
    rows = []
    for index, (school, year) in enumerate(zip(group.schools, years.years, strict=True)):
        spring = year.start.year + 1
        sixth_form = school.config.sixth_form
        cohorts = {g: (dt.date(spring, *_TRANSFER_DAY), False) for g in
                   school.config.transfer_year_groups}  # fmt: skip
        post16 = dt.date(spring, *_POST16_TRANSFER_DAY)
        if 11 in cohorts:
            cohorts[11] = (post16, sixth_form)
        if sixth_form or 13 in cohorts:
            cohorts[13] = (post16, False)
        rows += [(index, str(g), on, stays) for g, (on, stays) in cohorts.items()]
    schema = {POSITION: pl.UInt32, "year_group": pl.String, "_transfer_on": pl.Date,
              "_stays": pl.Boolean}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row").lazy()


def _held_reviews(group: SchoolGroup, a: dt.date) -> pl.LazyFrame:
    """Each pupil's latest held annual review meeting on or before ``a``."""
    return (
        group.meetings.lazy()
        .filter((col("kind") == "annual_review") & (col("status") == "held") & (col("day") <= a))
        .sort("day", "meeting_id")
        .group_by(POSITION, "pupil_id")
        .agg(col("day").last().alias("_held_on"), col("meeting_id").last().alias("_meeting_id"))
    )


def _booked_reviews(group: SchoolGroup, a: dt.date) -> pl.LazyFrame:
    """Each pupil's first annual review meeting booked after ``a``.

    As of ``a`` every meeting dated after it was scheduled (that it was later held is
    written after ``a``); a meeting cancelled later cannot be told from one never booked.
    """
    return (
        _with_optional(group.meetings, _MEETING_OPTIONAL)
        .filter(
            (col("kind") == "annual_review") & (col("status") != "cancelled") & (col("day") > a)
        )
        .sort("day", "meeting_id")
        .group_by(POSITION, "pupil_id")
        .agg(
            col("day").first().alias("booked_on"),
            # An invitation dated after the as-of date has not been sent yet.
            col("invited_on").first().alias("_invited_on"),
        )
        .with_columns(invited_on=pl.when(col("_invited_on") <= a).then(col("_invited_on")))
        .drop("_invited_on")
    )


def _plan_starts(group: SchoolGroup, a: dt.date) -> pl.LazyFrame:
    """Each pupil's latest EHC plan start on or before ``a`` (plans.csv)."""
    return (
        group.plans.lazy()
        .filter(is_ehc_plan() & (col("starts_on") <= a))
        .group_by(POSITION, "pupil_id")
        .agg(col("starts_on").max().alias("_plan_on"))
    )


def _last_review(a: dt.date) -> tuple[pl.Expr, pl.Expr]:
    """The last review as of ``a``, and where it comes from (meeting, recorded, plan)."""
    recorded = pl.when(col("last_annual_review_on") <= a).then(col("last_annual_review_on"))
    last = pl.coalesce(col("_held_on"), recorded, col("_plan_on"))
    source = (
        pl.when(col("_held_on").is_not_null())
        .then(pl.lit("meeting"))
        .when(recorded.is_not_null())
        .then(pl.lit("recorded"))
        .when(col("_plan_on").is_not_null())
        .then(pl.lit("plan"))
    )
    return last, source


def _cycle(a: dt.date) -> dict[str, pl.Expr]:
    """Under five, preparing for adulthood and the due date: the last day of the cycle.

    The last day of the 12 (or 6) months starting with the last review is the same day
    that many months later less one day; shifting the day before keeps 29 February right
    (due 28 February) where months of different lengths meet.
    """
    born = col("date_of_birth")
    under_five = (
        pl.when(born.is_not_null())
        .then(born.dt.offset_by("5y") > a)
        .otherwise(col("year_group").is_in(_UNDER_FIVE_YEARS))
    )
    before = col("last_review_on") - pl.duration(days=1)
    year = col("year_group").cast(pl.Int32, strict=False)
    return {
        "under_five": under_five,
        "preparing_for_adulthood": (year >= PFA_FROM_YEAR).fill_null(False),
        "due_on": pl.when(under_five)
        .then(before.dt.offset_by("6mo"))
        .otherwise(before.dt.offset_by("12mo")),
    }


def annual_review_reports_query(group: SchoolGroup, years: GroupYears) -> pl.LazyFrame:
    """Every held annual review meeting on or before the as-of date, with its two clocks.

    The rows and columns of :func:`annual_review_reports`, and the school's position.
    """
    a = years.as_of
    records_decisions = per_school(
        pl.Series([s.meetings.columns.count("la_decision_on") > 0 for s in group.schools])
    )
    meetings = _with_optional(group.meetings, _MEETING_OPTIONAL).filter(
        (col("kind") == "annual_review") & (col("status") == "held") & (col("day") <= a)
    )
    sent = pl.when(col("record_sent_on") <= a).then(col("record_sent_on"))
    decided = pl.when(col("la_decision_on") <= a).then(col("la_decision_on"))
    frame = meetings.with_columns(
        record_sent_on=sent,
        la_decision_on=decided,
        report_due_on=col("day") + pl.duration(days=REPORT_DAYS),
        la_decision_due_on=col("day") + pl.duration(days=LA_DECISION_DAYS),
    )
    report = (
        pl.when(col("record_sent_on") <= col("report_due_on"))
        .then(pl.lit("report_on_time"))
        .when(col("record_sent_on").is_not_null())
        .then(pl.lit("report_late"))
        .when(col("report_due_on") < a)
        .then(pl.lit("report_missing"))
        .otherwise(pl.lit("report_due"))
    )
    decision = (
        pl.when(~records_decisions)
        .then(pl.lit(None, pl.String))
        .when(col("la_decision_on") <= col("la_decision_due_on"))
        .then(pl.lit("la_decision_on_time"))
        .when(col("la_decision_on").is_not_null())
        .then(pl.lit("la_decision_late"))
        .when(col("la_decision_due_on") < a)
        .then(pl.lit("la_decision_awaited"))
        .otherwise(pl.lit("la_decision_due"))
    )
    return (
        frame.with_columns(report_status=report, la_decision_status=decision)
        .sort(POSITION, "day", "meeting_id")
        .select(
            group.school_column(),
            "meeting_id",
            "pupil_id",
            "day",
            "record_sent_on",
            "report_due_on",
            "report_status",
            "la_decision_on",
            "la_decision_due_on",
            "la_decision_status",
            POSITION,
        )
    )


def annual_reviews_query(group: SchoolGroup, years: GroupYears) -> pl.LazyFrame:
    """Annual reviews of every school as one lazy query with ``_school``.

    The rows and columns of :func:`group_annual_reviews`, and the school's position.
    """
    a = years.as_of
    key = [POSITION, "pupil_id"]
    reports = annual_review_reports_query(group, years).select(
        POSITION, col("meeting_id").alias("_meeting_id"), "report_status", "la_decision_status"
    )
    weeks = per_school(pl.Series([s.policy.transfer_review_weeks for s in group.schools]))
    # Only plans that exist by as_of: a pupil registered later is not yet this school's duty.
    plans = (
        _with_optional(group.pupils, _PUPIL_OPTIONAL)
        .filter((col("sen_status") == "E") & (col("registered_on") <= a))
        .join(_held_reviews(group, a), on=key, how="left")
        .join(_plan_starts(group, a), on=key, how="left")
        .join(_booked_reviews(group, a), on=key, how="left")
        .join(_transfer_cohorts(group, years), on=[POSITION, "year_group"], how="left")
        .join(reports, on=[POSITION, "_meeting_id"], how="left")
    )
    last, source = _last_review(a)
    year_start = years.setting("year_start")
    cohort = col("_transfer_on").is_not_null() & ~(
        col("_stays") & (col("post16_destination") == "own_sixth_form")
    ).fill_null(False)
    plans = plans.with_columns(
        last_review_on=last,
        last_review_from=source,
        _transfer_on=pl.when(cohort).then(col("_transfer_on")),
    ).with_columns(
        **_cycle(a),
        transfer_deadline_on=pl.when(col("last_review_on") < year_start).then(col("_transfer_on")),
        hold_by=col("_transfer_on") - pl.duration(weeks=weeks),
    )
    plans = plans.with_columns(
        deadline_on=pl.min_horizontal("due_on", "transfer_deadline_on"),
        late_for_amendment=(
            (col("_held_on") >= year_start) & (col("_held_on") > col("hold_by"))
        ).fill_null(False),
    ).with_columns(
        invite_by=pl.coalesce("booked_on", "deadline_on") - pl.duration(days=NOTICE_DAYS),
        days_to_deadline=(col("deadline_on") - pl.lit(a)).dt.total_days(),
    )
    in_time = (col("invited_on") <= col("invite_by")).fill_null(False)
    status = (
        pl.when(col("last_review_on").is_null())
        .then(pl.lit("no_record"))
        .when(col("deadline_on") < a)
        .then(pl.lit("overdue"))
        .when(col("days_to_deadline") <= years.setting("due_soon_days"))
        .then(pl.lit("due_soon"))
        .otherwise(pl.lit("ok"))
    )
    return (
        plans.with_columns(
            status=status,
            short_notice=col("booked_on").is_not_null() & (col("invite_by") < a) & ~in_time,
        )
        .sort(POSITION, "deadline_on", "pupil_id", nulls_last=True)
        .select(
            group.school_column(),
            "pupil_id",
            "year_group",
            "primary_need",
            "lead_staff_id",
            "last_review_on",
            "last_review_from",
            "under_five",
            "preparing_for_adulthood",
            "due_on",
            "transfer_deadline_on",
            "hold_by",
            "deadline_on",
            "booked_on",
            "invite_by",
            "invited_on",
            "short_notice",
            "days_to_deadline",
            "status",
            "late_for_amendment",
            "report_status",
            "la_decision_status",
            POSITION,
        )
    )


def group_annual_reviews(group: SchoolGroup, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per pupil with an EHC plan, school by school: last review, deadline and status.

    DOMAIN.md "An annual review". Columns: school, pupil_id, year_group, primary_need,
    lead_staff_id, last_review_on and last_review_from (meeting, recorded, plan), under_five,
    preparing_for_adulthood (Year 9+), due_on, transfer_deadline_on, hold_by, deadline_on
    (the earlier), booked_on, invite_by, invited_on, short_notice, days_to_deadline, status
    (overdue, due_soon, ok, no_record), late_for_amendment, and the last held review's
    report_status and la_decision_status.
    """
    years = GroupYears.of(group, as_of)
    return annual_reviews_query(group, years).drop(POSITION).collect(engine=ENGINE)


def annual_reviews(school: School, as_of: str | dt.date | None = None) -> pl.DataFrame:
    """One row per pupil with an EHC plan: last review, deadline, invite-by date and status.

    Due by the last day of the 12 months starting with the last review (6 for an
    under-five), or by the phase-transfer deadline if earlier; invitations 14 days before
    the booked meeting or the deadline (:func:`group_annual_reviews` for this school alone).
    """
    return group_annual_reviews(SchoolGroup.of([school]), as_of_date(school, as_of)).drop(SCHOOL)


def annual_review_reports(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Each held annual review meeting: its report (14 days) and the LA's decision (28 days).

    Columns: meeting_id, pupil_id, day, record_sent_on, report_due_on, report_status
    (report_on_time, report_late, report_missing, report_due), la_decision_on,
    la_decision_due_on, la_decision_status (la_decision_on_time, la_decision_late,
    la_decision_awaited, la_decision_due; empty where meetings.csv has no la_decision_on).
    """
    group = SchoolGroup.of([school])
    years = GroupYears.of(group, as_of)
    query = annual_review_reports_query(group, years).drop(POSITION, SCHOOL)
    return query.collect(engine=ENGINE)


def school_day_before(calendar: SchoolCalendar, day: dt.date | None) -> dt.date | None:
    """For a date that is not a school day, the last school day before it; else ``None``.

    What a reader sees gives that day beside a deadline that falls in a weekend or holiday
    (DOMAIN.md); a date the calendar does not cover is shown as it is.
    """
    if day is None or not calendar.covers_from <= day <= calendar.covers_to:
        return None
    if calendar.is_school_day(day):
        return None
    earlier = calendar.school_days(None, day)
    return earlier[-1] if earlier else None
