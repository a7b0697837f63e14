"""The graduated approach's to-do lists, in polars: plans to write, reviews, advice, chasing.

Each list is for the pupils the filters show; :func:`sendlib.explorer.views.plans_todo_html`
sets them side by side under the other to-do lists.
"""

from __future__ import annotations

import polars as pl

from sendlib.explorer.queries import Caseload
from sendlib.rules.assessments import needs_assessments
from sendlib.rules.plans import plan_reviews, pupil_plans

col = pl.col


def _of_shown(frame: pl.DataFrame, cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """Rows for the pupils shown, with their display name and year group."""
    return frame.filter(col("pupil_id").is_in(shown["pupil_id"].implode())).join(
        cases.pupils.select("pupil_id", "display_name", "year_group"), on="pupil_id"
    )


def plans_to_write(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """Pupils shown on SEN support or monitored with no current plan, longest waiting first.

    Columns: pupil_id, display_name, year_group, sen_status, plan_cover (without_plan or
    plan_pending), since, school_days_waiting, due_by (``plan_within_school_days``
    school days after ``since``), overdue.
    """
    within = cases.school.policy.plan_within_school_days
    waiting = pupil_plans(cases.school, cases.as_of).filter(col("plan_cover") != "has_plan")
    return (
        _of_shown(waiting, cases, shown)
        # The within-th school day after since (a since off school days counts from the last).
        .with_columns(
            due_by=col("since").dt.add_business_days(
                within, holidays=cases.school.calendar.holidays, roll="backward"
            )
        )
        .select(
            "pupil_id",
            "display_name",
            "year_group",
            "sen_status",
            "plan_cover",
            "since",
            "school_days_waiting",
            "due_by",
            (col("plan_cover") == "without_plan").alias("overdue"),
        )  # fmt: skip
        .sort("school_days_waiting", "pupil_id", descending=[True, False])
    )


def plan_reviews_due(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """SEN support plans shown that are overdue for review or due within 14 days.

    Columns: plan_id, pupil_id, display_name, year_group, plan_type, starts_on,
    review_due_on, overdue; earliest review date first.
    """
    due = plan_reviews(cases.school, cases.as_of).filter(
        col("status").is_in(["overdue", "due_soon"])
    )
    return (
        _of_shown(due, cases, shown)
        .select(
            "plan_id",
            "pupil_id",
            "display_name",
            "year_group",
            "plan_type",
            "starts_on",
            "review_due_on",
            (col("status") == "overdue").alias("overdue"),
        )  # fmt: skip
        .sort("review_due_on", "pupil_id", "plan_id")
    )


def advice_to_send(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """The school's advice for an EHC needs assessment, asked for and not yet sent.

    Columns: assessment_id, pupil_id, display_name, year_group, advice_requested_on,
    advice_due_on, overdue; earliest due first.
    """
    owed = needs_assessments(cases.school, cases.as_of).filter(
        col("advice_status").is_in(["overdue", "awaited"])
    )
    return (
        _of_shown(owed, cases, shown)
        .select(
            "assessment_id",
            "pupil_id",
            "display_name",
            "year_group",
            "advice_requested_on",
            "advice_due_on",
            (col("advice_status") == "overdue").alias("overdue"),
        )  # fmt: skip
        .sort("advice_due_on", "assessment_id")
    )


def assessments_to_chase(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """Needs assessments past a statutory deadline of the local authority's.

    A decision not made 6 weeks after the request (decision_overdue), or no final plan
    20 weeks after it (plan_overdue). Columns: assessment_id, pupil_id, display_name,
    year_group, requested_on, status, due_on (the deadline passed), weeks_since_request;
    the longest waiting first.
    """
    late = needs_assessments(cases.school, cases.as_of).filter(
        col("status").is_in(["decision_overdue", "plan_overdue"])
        # The local authority's 6- and 20-week clocks are English law (DOMAIN.md).
        & pl.lit(cases.school.config.applies_english_law)
    )
    return (
        _of_shown(late, cases, shown)
        .select(
            "assessment_id",
            "pupil_id",
            "display_name",
            "year_group",
            "requested_on",
            "status",
            pl.when(col("status") == "decision_overdue")
            .then(col("decision_due_on"))
            .otherwise(col("final_due_on"))
            .alias("due_on"),
            "weeks_since_request",
        )  # fmt: skip
        .sort("requested_on", "assessment_id")
    )
