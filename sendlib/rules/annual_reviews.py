"""Annual reviews of EHC plans: when each is due, its deadline and its status.

DOMAIN.md, "Statuses": a plan is reviewed within 12 calendar months of its last review,
or by the phase-transfer deadline if earlier (Code of Practice 9.179), with invitations
sent at least two weeks before (SEND Regulations 2014, reg. 20). The rule is written once,
for any number of schools (:func:`group_annual_reviews`, over the frame of
:mod:`sendlib.rules.frame`); :func:`annual_reviews` is that query for one school.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.rules.frame import ENGINE, POSITION, SCHOOL, GroupYears, SchoolGroup, per_school
from sendlib.school.load import School

__all__ = [
    "ANNUAL_REVIEW_LABELS",
    "ANNUAL_REVIEW_STATUSES",
    "NOTICE_DAYS",
    "TRANSFER_DEADLINES",
    "TRANSFER_DEADLINE_DEFAULT",
    "annual_reviews",
    "annual_reviews_query",
    "group_annual_reviews",
]

#: Regulation 20 (SEND Regulations 2014): invitations go out at least two weeks before.
NOTICE_DAYS = 14
#: Code of Practice 9.179: phase-transfer reviews by 15 February; 31 March for Year 11.
TRANSFER_DEADLINES = {11: (3, 31)}
TRANSFER_DEADLINE_DEFAULT = (2, 15)
ANNUAL_REVIEW_STATUSES = ("overdue", "due_soon", "ok")
ANNUAL_REVIEW_LABELS = {
    "overdue": "Overdue",
    "due_soon": "Due within six weeks",
    "ok": "Not yet due",
}


def _transfer_deadlines(group: SchoolGroup, years: GroupYears) -> tuple[pl.Expr, pl.Expr]:
    """Each school's transfer year group and this year's phase-transfer deadline, per row."""
    groups, deadlines = [], []
    for school, year in zip(group.schools, years.years, strict=True):
        transfer_group = school.config.transfer_year_group
        month, day = TRANSFER_DEADLINES.get(transfer_group, TRANSFER_DEADLINE_DEFAULT)
        groups.append(str(transfer_group))
        deadlines.append(dt.date(year.start.year + 1, month, day))
    return (
        per_school(pl.Series("transfer_group", groups, dtype=pl.String)),
        per_school(pl.Series("transfer_deadline", deadlines, dtype=pl.Date)),
    )


def annual_reviews_query(group: SchoolGroup, years: GroupYears) -> pl.LazyFrame:
    """Annual reviews of every school as one lazy query with ``_school``.

    The rows and columns of :func:`group_annual_reviews`, and the school's position.
    """
    a = years.as_of
    transfer_group, transfer_deadline = _transfer_deadlines(group, years)
    held = (
        group.meetings.lazy()
        .filter(
            (pl.col("kind") == "annual_review")
            & (pl.col("status") == "held")
            & (pl.col("day") <= a)
        )
        .group_by(POSITION, "pupil_id")
        .agg(pl.col("day").max().alias("held_on"))
    )
    # Only plans that exist by as_of: a pupil registered later is not yet this school's duty.
    plans = (
        group.pupils.lazy()
        .filter((pl.col("sen_status") == "E") & (pl.col("registered_on") <= a))
        .join(held, on=[POSITION, "pupil_id"], how="left")
    )
    recorded = pl.when(pl.col("last_annual_review_on") <= a).then(pl.col("last_annual_review_on"))
    # The pupils table is a snapshot: a review recorded after as_of has not happened yet,
    # unless it is all we know.
    last = pl.coalesce(pl.max_horizontal(recorded, "held_on"), pl.col("last_annual_review_on"))
    transfer = (pl.col("year_group") == transfer_group) & (
        pl.col("last_review_on") < years.setting("year_start")
    )
    plans = plans.with_columns(last_review_on=last).with_columns(
        due_on=pl.col("last_review_on").dt.offset_by("12mo"),
        transfer_deadline_on=pl.when(transfer).then(transfer_deadline),
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
        .when(pl.col("days_to_deadline") <= years.setting("due_soon_days"))
        .then(pl.lit("due_soon"))
        .otherwise(pl.lit("ok"))
    )
    return (
        plans.with_columns(status=status)
        .sort(POSITION, "deadline_on", "pupil_id")
        .select(
            group.school_column(),
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
            POSITION,
        )
    )


def group_annual_reviews(group: SchoolGroup, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per pupil with an EHC plan, school by school: last review, deadline and status.

    Due 12 calendar months after the last review (29 February becomes 28 February); a
    pupil in the transfer year group whose last review was before this school year also
    has the phase-transfer deadline (15 February; 31 March for Year 11). The deadline is
    the earlier; invitations go out 14 days before it. Status: overdue (deadline before
    ``as_of``), due_soon (within ``due_soon_days``), ok.
    """
    years = GroupYears.of(group, as_of)
    return annual_reviews_query(group, years).drop(POSITION).collect(engine=ENGINE)


def annual_reviews(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per pupil with an EHC plan: last review, due date, deadline and status.

    Due 12 calendar months after the last review, or by the phase-transfer deadline if
    earlier; invitations go out 14 days before it. Status: overdue, due_soon or ok
    (:func:`group_annual_reviews` for this school alone).
    """
    return group_annual_reviews(SchoolGroup.of([school]), as_of).drop(SCHOOL)
