"""Plans and the graduated approach (DOMAIN.md, "Plans and the graduated approach").

Each row of plans.csv is one Assess, Plan, Do, Review cycle. :func:`plan_reviews` gives
each SEN support plan's review status as of a date; :func:`pupil_plans` gives each pupil
on SEN support or monitored their plan cover, their reviewed cycles and the two flags of
the graduated approach (consider the next step, monitored for long). EHC plans are
reviewed at the annual review (:mod:`sendlib.rules.meetings`) and are left out here.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.school.asof import school_year
from sendlib.school.load import School
from sendlib.school.schema import EHC_PLAN_TYPES

__all__ = [
    "DUE_SOON_DAYS",
    "PLAN_COVERS",
    "PLAN_STATUSES",
    "is_ehc_plan",
    "plan_reviews",
    "pupil_plans",
]

#: Plan review statuses, in DOMAIN.md's order.
PLAN_STATUSES = ("reviewed_on_time", "reviewed_late", "overdue", "due_soon", "current")
#: A pupil's plan cover, in DOMAIN.md's order.
PLAN_COVERS = ("has_plan", "plan_pending", "without_plan")
#: A plan not yet reviewed is due_soon when its review date is at most this many days away.
DUE_SOON_DAYS = 14

_PLAN_COLUMNS = (
    "plan_id", "pupil_id", "plan_type", "starts_on", "review_due_on", "reviewed_on", "outcome",
    "status", "this_year",
)  # fmt: skip
_PUPIL_COLUMNS = (
    "pupil_id", "sen_status", "plan_cover", "current_plan_id", "cycles_reviewed",
    "last_outcome", "consider_next_step", "monitored_long", "since", "school_days_waiting",
    "whole_terms_monitored",
)  # fmt: skip

col = pl.col


def is_ehc_plan(plan_type: pl.Expr | None = None) -> pl.Expr:
    """Whether a plan_type names an EHC plan ("EHCP" or "EHC plan", any case or spacing)."""
    plan_type = col("plan_type") if plan_type is None else plan_type
    return plan_type.str.strip_chars().str.to_lowercase().is_in(EHC_PLAN_TYPES)


def plan_reviews(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Each SEN support plan that started by ``as_of``, with its review status as of then.

    Columns: plan_id, pupil_id, plan_type, starts_on, review_due_on, reviewed_on, outcome,
    status, this_year (due in the school year of ``as_of``, or not yet reviewed: what that
    year's figures count). A review dated after ``as_of`` has not happened yet, so its
    date and outcome show empty. Status: reviewed_on_time (reviewed by ``as_of``, on or before
    review_due_on), reviewed_late (after it), overdue (not reviewed, review_due_on before
    ``as_of``), due_soon (not reviewed, review_due_on within 14 days), current.
    """
    year = school_year(school, as_of)
    a = year.as_of
    reviewed = col("reviewed_on").is_not_null()
    status = (
        pl.when(reviewed & (col("reviewed_on") <= col("review_due_on")))
        .then(pl.lit("reviewed_on_time"))
        .when(reviewed)
        .then(pl.lit("reviewed_late"))
        .when(col("review_due_on") < a)
        .then(pl.lit("overdue"))
        .when(col("review_due_on") <= a + dt.timedelta(days=DUE_SOON_DAYS))
        .then(pl.lit("due_soon"))
        .otherwise(pl.lit("current"))
    )
    known = (col("reviewed_on") <= a).fill_null(False)
    return (
        school.plans.filter(~is_ehc_plan(), col("starts_on") <= a)
        .with_columns(
            reviewed_on=pl.when(known).then(col("reviewed_on")),
            outcome=pl.when(known).then(col("outcome")),
        )
        .with_columns(
            status=status,
            # A plan reviewed last school year belongs to last year's figures.
            this_year=(col("review_due_on") >= year.start) | ~reviewed,
        )
        .select(_PLAN_COLUMNS)
        .sort("pupil_id", "starts_on", "plan_id")
    )


def pupil_plans(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Every pupil on SEN support (K) or monitored (M) as of ``as_of``, with their plan cover.

    Pupils registered after ``as_of`` are not yet on the list. Columns: pupil_id,
    sen_status, plan_cover, current_plan_id, cycles_reviewed, last_outcome,
    consider_next_step, monitored_long, since, school_days_waiting,
    whole_terms_monitored.

    - plan_cover: has_plan when a plan is current (started, not reviewed by ``as_of``;
      the latest started if several); otherwise plan_pending while at most
      ``plan_within_school_days`` school days ``d`` have passed with
      ``since < d <= as_of``; otherwise without_plan. ``since`` is the later of
      registered_on and the last review by ``as_of``, moved up to the first day the
      calendar covers when earlier or unknown. school_days_waiting is that count (empty
      with a current plan).
    - cycles_reviewed, last_outcome: plans reviewed by ``as_of``, and the outcome of the
      latest of them.
    - consider_next_step: the last ``escalate_after`` plans reviewed by ``as_of`` all have
      outcome no_progress.
    - monitored_long: for an M pupil, more than ``monitor_max_terms`` whole terms
      monitored. A whole term is a term of the school's calendar that started on or after
      registered_on and ended before ``as_of``; terms earlier than ``school.toml``'s first
      are not known, so they are not counted. whole_terms_monitored is that count; both
      are empty for an M pupil without registered_on, and false and empty for K pupils.
    """
    a = school_year(school, as_of).as_of
    policy, calendar = school.policy, school.calendar
    reviews = plan_reviews(school, a)
    on_list = col("sen_status").is_in(["K", "M"]) & (
        col("registered_on").is_null() | (col("registered_on") <= a)
    )
    since = pl.max_horizontal("registered_on", "last_reviewed_on", pl.lit(calendar.covers_from))
    one_day = pl.duration(days=1)
    waited = pl.business_day_count(
        col("since") + one_day, pl.lit(a) + one_day, holidays=calendar.holidays
    )
    has_plan = col("current_plan_id").is_not_null()
    cover = (
        pl.when(has_plan)
        .then(pl.lit("has_plan"))
        .when(col("school_days_waiting") <= policy.plan_within_school_days)
        .then(pl.lit("plan_pending"))
        .otherwise(pl.lit("without_plan"))
    )
    monitored = col("sen_status") == "M"
    terms = _whole_terms_since(school, a)
    return (
        school.pupils.filter(on_list)
        .join(_current_plans(reviews), on="pupil_id", how="left")
        .join(_reviewed_cycles(reviews, policy.escalate_after), on="pupil_id", how="left")
        .with_columns(since=since)
        .with_columns(school_days_waiting=pl.when(~has_plan).then(waited))
        .with_columns(
            plan_cover=cover,
            cycles_reviewed=col("cycles_reviewed").fill_null(0),
            consider_next_step=col("consider_next_step").fill_null(False),
            whole_terms_monitored=pl.when(monitored).then(terms),
        )
        .with_columns(
            monitored_long=pl.when(monitored)
            .then(col("whole_terms_monitored") > policy.monitor_max_terms)
            .otherwise(False)
        )
        .select(_PUPIL_COLUMNS)
        .sort("pupil_id")
    )


def _current_plans(reviews: pl.DataFrame) -> pl.DataFrame:
    """Each pupil's current plan (not reviewed by as_of): the latest started."""
    return (
        reviews.filter(col("reviewed_on").is_null())
        .sort("starts_on", "plan_id")
        .group_by("pupil_id")
        .agg(current_plan_id=col("plan_id").last())
    )


def _reviewed_cycles(reviews: pl.DataFrame, escalate_after: int) -> pl.DataFrame:
    """Each pupil's reviewed plans: how many, the last review and outcome, the escalation."""
    no_progress = (col("outcome") == "no_progress").fill_null(False)
    return (
        reviews.filter(col("reviewed_on").is_not_null())
        .sort("reviewed_on", "starts_on", "plan_id")
        .group_by("pupil_id")
        .agg(
            cycles_reviewed=pl.len().cast(pl.Int64),
            last_reviewed_on=col("reviewed_on").last(),
            last_outcome=col("outcome").last(),
            consider_next_step=(pl.len() >= escalate_after)
            & no_progress.tail(escalate_after).all(),
        )
    )


def _whole_terms_since(school: School, a: dt.date) -> pl.Expr:
    """Terms of the calendar that started on or after registered_on and ended before ``a``."""
    ended = [term for term in school.calendar.terms if term.end < a]
    started = [(col("registered_on") <= term.start).cast(pl.Int64) for term in ended]
    counted = pl.sum_horizontal(pl.lit(0, pl.Int64), *started)
    return pl.when(col("registered_on").is_not_null()).then(counted)
