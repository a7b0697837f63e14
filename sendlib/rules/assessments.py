"""EHC needs assessments and their statutory timeline (DOMAIN.md, "EHC needs assessments").

The local authority decides whether to assess within 6 weeks of the request (reg. 4(1),
5(1)), everyone asked for advice, the school included, gives it within 6 weeks (Code of
Practice 9.41), and the final plan is issued within 20 weeks (reg. 13(2)). Weeks are
calendar days, as in the Regulations, so no school calendar arithmetic is needed.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.school.asof import school_year
from sendlib.school.load import School

__all__ = [
    "ADVICE_STATUSES",
    "ADVICE_WEEKS",
    "ASSESSMENT_STATUSES",
    "DECISION_WEEKS",
    "FINAL_WEEKS",
    "needs_assessments",
]

#: reg. 4(1), 5(1): the decision whether to assess, within 6 weeks of the request.
DECISION_WEEKS = 6
#: Code of Practice 9.41 (reg. 8 for health and other bodies): advice within 6 weeks.
ADVICE_WEEKS = 6
#: reg. 13(2), Code of Practice 9.40: the final EHC plan within 20 weeks of the request.
FINAL_WEEKS = 20
#: The school's own advice, in DOMAIN.md's order.
ADVICE_STATUSES = ("not_requested", "on_time", "late", "overdue", "awaited")
#: Assessment statuses, in DOMAIN.md's order (the first that applies).
ASSESSMENT_STATUSES = (
    "withdrawn", "refused", "plan_issued_on_time", "plan_issued_late", "no_plan",
    "decision_overdue", "awaiting_decision", "plan_overdue", "assessing",
)  # fmt: skip

_COLUMNS = (
    "assessment_id", "pupil_id", "requested_on", "decision_due_on", "advice_due_on",
    "advice_status", "final_due_on", "weeks_since_request", "status", "requested_by",
    "decision_on", "decision", "advice_requested_on", "advice_sent_on", "final_on", "outcome",
)  # fmt: skip

col = pl.col


def needs_assessments(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Each EHC needs assessment requested by ``as_of``, with its deadlines and status then.

    Columns: assessment_id, pupil_id, requested_on, decision_due_on (+42 days),
    advice_due_on (advice_requested_on + 42 days), advice_status, final_due_on (+140
    days), weeks_since_request (whole weeks to ``as_of``), status, then the record as
    known on ``as_of``: requested_by, decision_on, decision, advice_requested_on,
    advice_sent_on, final_on, outcome. Anything dated after ``as_of`` has not happened
    yet: a later decision, advice request, advice or final plan shows empty. Outcomes have
    no date of their own: plan_issued is known with its final_on, no_plan once the
    decision is known; withdrawn is taken as recorded. Without ``assessments.csv`` the
    frame is empty.
    """
    a = school_year(school, as_of).as_of
    return (
        school.assessments.filter(col("requested_on") <= a)
        .with_columns(_known_by(a))
        .with_columns(
            decision_due_on=col("requested_on") + pl.duration(weeks=DECISION_WEEKS),
            advice_due_on=col("advice_requested_on") + pl.duration(weeks=ADVICE_WEEKS),
            final_due_on=col("requested_on") + pl.duration(weeks=FINAL_WEEKS),
            weeks_since_request=((pl.lit(a) - col("requested_on")).dt.total_days() // 7),
        )
        .with_columns(advice_status=_advice_status(a), status=_status(a))
        .select(_COLUMNS)
        .sort("requested_on", "assessment_id")
    )


def _known_by(a: dt.date) -> list[pl.Expr]:
    """The record as it stood on ``a``: later dates, and what hangs on them, are empty."""

    def by_a(name: str) -> pl.Expr:
        return pl.when(col(name) <= a).then(col(name))

    advice_asked = (col("advice_requested_on") <= a).fill_null(False)
    decided = (col("decision_on") <= a).fill_null(False)
    issued = (col("final_on") <= a).fill_null(False)
    outcome = col("outcome")
    return [
        by_a("decision_on"),
        pl.when(decided).then(col("decision")).alias("decision"),
        by_a("advice_requested_on"),
        pl.when(advice_asked).then(by_a("advice_sent_on")).alias("advice_sent_on"),
        by_a("final_on"),
        pl.when(outcome == "plan_issued")
        .then(pl.when(issued).then(outcome))
        .when(outcome == "no_plan")
        .then(pl.when(decided).then(outcome))
        .otherwise(outcome)
        .alias("outcome"),
    ]


def _advice_status(a: dt.date) -> pl.Expr:
    """The school's own advice: asked for, sent by its due date, or still owed."""
    sent = col("advice_sent_on").is_not_null()
    return (
        pl.when(col("advice_requested_on").is_null())
        .then(pl.lit("not_requested"))
        .when(sent & (col("advice_sent_on") <= col("advice_due_on")))
        .then(pl.lit("on_time"))
        .when(sent)
        .then(pl.lit("late"))
        .when(col("advice_due_on") < a)
        .then(pl.lit("overdue"))
        .otherwise(pl.lit("awaited"))
    )


def _status(a: dt.date) -> pl.Expr:
    """DOMAIN.md's assessment status as of ``a``: the first that applies."""
    issued = col("final_on").is_not_null()
    undecided = col("decision").is_null()
    return (
        pl.when(col("outcome") == "withdrawn")
        .then(pl.lit("withdrawn"))
        .when(col("decision") == "refuse")
        .then(pl.lit("refused"))
        .when(issued & (col("final_on") <= col("final_due_on")))
        .then(pl.lit("plan_issued_on_time"))
        .when(issued)
        .then(pl.lit("plan_issued_late"))
        .when(col("outcome") == "no_plan")
        .then(pl.lit("no_plan"))
        .when(undecided & (col("decision_due_on") < a))
        .then(pl.lit("decision_overdue"))
        .when(undecided)
        .then(pl.lit("awaiting_decision"))
        .when(col("final_due_on") < a)
        .then(pl.lit("plan_overdue"))
        .otherwise(pl.lit("assessing"))
    )
