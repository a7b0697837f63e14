"""The graduated approach for leadership: plan reviews, plan cover, escalation, assessments.

What the report's section "The graduated approach", the graduated-approach notebook and
the trust overview show, worked out from :mod:`sendlib.rules.plans`,
:mod:`sendlib.rules.assessments` and :mod:`sendlib.rules.register`. Every count a reader
sees goes through :mod:`sendlib.present.privacy`: a count about a group of pupils shows
as "<5" (the school's threshold) when small, and breakdowns are protected as tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from sendlib.present.privacy import WITHHELD, Table, protect_table, show_count, show_share
from sendlib.rules.assessments import FINAL_WEEKS, needs_assessments
from sendlib.rules.plans import PLAN_COVERS, PLAN_STATUSES, plan_reviews, pupil_plans
from sendlib.rules.register import FLOW_STATES, census_snapshot, register_flows
from sendlib.school.asof import school_year
from sendlib.school.load import School
from sendlib.school.schema import SEN_STATUS_LABELS

__all__ = [
    "GraduatedApproach",
    "census_table",
    "cover_table",
    "flows_table",
    "graduated_approach",
    "graduated_columns",
    "graduated_figures",
    "review_status_table",
]

col = pl.col

_STATUS_WORDS = {
    "reviewed_on_time": "Reviewed on time",
    "reviewed_late": "Reviewed late",
    "overdue": "Overdue for review",
    "due_soon": "Review due in the next 14 days",
    "current": "Current",
}
_COVER_WORDS = {
    "has_plan": "Has a plan",
    "plan_pending": "Plan being written",
    "without_plan": "Without a plan",
}
_STATE_WORDS = {"M": "monitored", "K": "SEN support", "E": "EHC plan", "off": "off the lists"}


@dataclass(frozen=True)
class GraduatedApproach:
    """The graduated approach's records as of a date, and the figures and actions they give."""

    school: School
    as_of: dt.date
    reviews: pl.DataFrame
    pupils: pl.DataFrame
    assessments: pl.DataFrame
    actions: list[str] = field(default_factory=list)

    @property
    def threshold(self) -> int:
        """The school's small-number threshold."""
        return self.school.policy.suppress_below

    def count(self, frame: str, **equal: object) -> int:
        """How many rows of ``reviews``, ``pupils`` or ``assessments`` match ``equal``."""
        return getattr(self, frame).filter(**equal).height

    def shown(self, frame: str, **equal: object) -> str:
        """That count as a reader may see it: "<5" when small.

        Plan reviews by status are parts of one shown total, so theirs come from the
        protected status table (:meth:`review_table`), never alone.
        """
        if frame == "reviews" and set(equal) == {"status"}:
            return self.review_table.disclosure.label(("cell", "plans", equal["status"]))
        return show_count(self.count(frame, **equal), self.threshold)

    @cached_property
    def review_table(self) -> Table:
        """Plan reviews by status with their total, protected as one breakdown."""
        counts = pl.DataFrame(
            {"group": ["plans"], **{s: [self.count("reviews", status=s)] for s in PLAN_STATUSES}}
        )
        # One row: its margins are its cells, so they are not public (else nothing would hide).
        return protect_table(
            counts, "group", PLAN_STATUSES, self.threshold, total="all", public_margins=False
        )


def graduated_approach(school: School, as_of: dt.date | None = None) -> GraduatedApproach:
    """Compute the graduated approach's figures and actions for ``school`` as of a date."""
    a = school_year(school, as_of).as_of
    # This school year's plan reviews: due in it, or not yet reviewed (rules.plans).
    reviews = plan_reviews(school, a).filter("this_year")
    found = GraduatedApproach(
        school, a, reviews, pupil_plans(school, a), needs_assessments(school, a)
    )
    found.actions.extend(_actions(found))
    return found


#: Figures that measure the English EHC needs-assessment clocks (6 and 20 weeks).
ENGLISH_CLOCKS = (
    "Needs assessments past 20 weeks",
    "Decisions to assess overdue",
    "The school's advice overdue",
)


def graduated_figures(g: GraduatedApproach) -> pl.DataFrame:
    """The section's figures as text (Figure, Shown, What it counts), small counts suppressed."""
    policy = g.school.policy
    rows = [
        ("Plan reviews held on time", _on_time_share(g),
         "SEN support plans reviewed by their review date, of those reviewed"),
        ("Plan reviews overdue", g.shown("reviews", status="overdue"),
         "plans past their review date and not yet reviewed"),
        ("Plan reviews due in the next 14 days", g.shown("reviews", status="due_soon"),
         "plans to review soon"),
        ("Pupils without a plan", g.shown("pupils", plan_cover="without_plan"),
         f"on SEN support or monitored, with no current plan after "
         f"{policy.plan_within_school_days} school days"),
        ("Pupils to consider for the next step", g.shown("pupils", consider_next_step=True),
         f"their last {policy.escalate_after} plans showed no progress"),
        ("Monitored for long", g.shown("pupils", monitored_long=True),
         f"monitored for more than {policy.monitor_max_terms} whole terms without a decision"),
        ("Needs assessments past 20 weeks", g.shown("assessments", status="plan_overdue"),
         f"no final EHC plan {FINAL_WEEKS} weeks after the request (local authority)"),
        ("Decisions to assess overdue", g.shown("assessments", status="decision_overdue"),
         "no decision 6 weeks after the request (local authority)"),
        ("The school's advice overdue", g.shown("assessments", advice_status="overdue"),
         "the school's advice not sent 6 weeks after the local authority asked"),
    ]  # fmt: skip
    if not g.school.config.applies_english_law:
        # The needs-assessment clocks are English law (DOMAIN.md, "Where these rules apply").
        rows = [row for row in rows if row[0] not in ENGLISH_CLOCKS]
    return pl.DataFrame(rows, schema=["Figure", "Shown", "What it counts"], orient="row")


def _on_time_share(g: GraduatedApproach) -> str:
    """Reviews held on time of those held, where both counts can be read from the table."""
    table = g.review_table
    on_time = table.known("plans", ["reviewed_on_time"])
    reviewed = table.known("plans", ["reviewed_on_time", "reviewed_late"])
    if on_time is None or reviewed is None:
        return WITHHELD
    return show_share(on_time, reviewed, g.threshold)


def review_status_table(g: GraduatedApproach) -> pl.DataFrame:
    """Plan reviews by status, protected as a breakdown of the school's plans."""
    table = g.review_table
    return pl.DataFrame(
        {
            "Status": [*(_STATUS_WORDS[s] for s in PLAN_STATUSES), "All plans"],
            "Plans": [*(table.shown_labels(s)[0] for s in PLAN_STATUSES), table.labels()["all"][0]],
        }
    )


def cover_table(g: GraduatedApproach) -> pl.DataFrame:
    """Pupils on SEN support and monitored by plan cover, protected as a table."""
    counts = (
        g.pupils.group_by("sen_status")
        .agg(**{c: (col("plan_cover") == c).sum().cast(pl.Int64) for c in PLAN_COVERS})
        .with_columns(all=pl.sum_horizontal(*PLAN_COVERS))
        .sort("sen_status")
    )
    table = protect_table(counts, "sen_status", PLAN_COVERS, g.threshold, total="all")
    return pl.DataFrame(
        {
            "Pupils": [SEN_STATUS_LABELS[s] for s in counts["sen_status"]],
            **{_COVER_WORDS[c]: table.shown_labels(c) for c in PLAN_COVERS},
            "All": table.labels()["all"],
        }
    )


def census_table(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """The January census snapshot by primary need and status, protected as a table."""
    census = census_snapshot(school, as_of)
    table = protect_table(
        census, "primary_need", ["K", "E"], school.policy.suppress_below, total="all",
        public_margins=False,
    )  # fmt: skip
    return pl.DataFrame(
        {
            "Primary need": census["primary_need"],
            "SEN support": table.shown_labels("K"),
            "EHC plan": table.shown_labels("E"),
            "All": table.labels()["all"],
        }
    )


def flows_table(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Register changes by period and move (from, to), protected as a table."""
    flows = register_flows(school, as_of)
    moves = [f"{a}>{b}" for a in FLOW_STATES for b in FLOW_STATES if a != b]
    counts = (
        flows.with_columns(move=pl.format("{}>{}", "from_state", "to_state"))
        .pivot("move", index=["period", "period_start"], values="changes")
        .sort("period_start")
    )
    present = [m for m in moves if m in counts.columns]
    counts = counts.with_columns(col(present).fill_null(0)).with_columns(
        all=pl.sum_horizontal(*present) if present else pl.lit(0)
    )
    table = protect_table(
        counts, "period", present, school.policy.suppress_below, total="all",
        public_margins=False,
    )  # fmt: skip

    def words(move: str) -> str:
        a, b = move.split(">")
        return f"{_STATE_WORDS[a]} to {_STATE_WORDS[b]}"

    return pl.DataFrame(
        {
            "Period": counts["period"],
            **{words(m): table.shown_labels(m) for m in present},
            "All changes": table.labels()["all"],
        }
    )


def graduated_columns(
    schools: Sequence[School], order: Sequence[str], as_of: dt.date
) -> pl.DataFrame:
    """The trust overview's graduated-approach columns, one row per school slug in ``order``."""
    by_slug = {s.slug: s for s in schools}
    rows = []
    for slug in order:
        g = graduated_approach(by_slug[slug], as_of)
        rows.append(
            (
                g.shown("reviews", status="overdue"),
                g.shown("pupils", plan_cover="without_plan"),
                g.shown("assessments", status="plan_overdue")
                if g.school.config.applies_english_law
                else "not English law",
            )
        )
    schema = ["Plan reviews overdue", "Pupils without a plan", "Assessments past 20 weeks"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _actions(g: GraduatedApproach) -> list[str]:
    """What to do next about plans and assessments, each count suppressed when small."""
    policy = g.school.policy
    wanted = [
        (g.count("reviews", status="overdue"), g.shown("reviews", status="overdue"),
         "Review the {} SEN support plans past their review date with parents, and write "
         "the next cycle's plan."),
        (g.count("pupils", plan_cover="without_plan"),
         g.shown("pupils", plan_cover="without_plan"),
         "Write a plan for the {} pupils without one: a plan is due within "
         f"{policy.plan_within_school_days} school days of joining the list or of the last "
         "review."),
        (g.count("pupils", consider_next_step=True), g.shown("pupils", consider_next_step=True),
         "Consider the next step for the {} pupils whose last "
         f"{policy.escalate_after} plans showed no progress: external specialist advice, or a "
         "request for an EHC needs assessment."),
        (g.count("pupils", monitored_long=True), g.shown("pupils", monitored_long=True),
         "Decide for the {} pupils monitored for long: place them on the register or close "
         "the concern."),
        (g.count("assessments", advice_status="overdue"),
         g.shown("assessments", advice_status="overdue"),
         "Send the school's advice for the {} needs assessments where it is past its 6 weeks."),
        (g.count("assessments", status="decision_overdue"),
         g.shown("assessments", status="decision_overdue"),
         "Ask the local authority for its decision on the {} requests past 6 weeks."),
        (g.count("assessments", status="plan_overdue"),
         g.shown("assessments", status="plan_overdue"),
         "Chase the local authority about the {} needs assessments past the 20-week limit "
         "for the final EHC plan."),
    ]  # fmt: skip
    if not g.school.config.applies_english_law:
        wanted = wanted[:4]  # the needs-assessment clocks are English law
    # A count hidden to protect another is left out of the sentence, not printed as "hidden".
    actions = [
        sentence.replace("the {} ", "the ") if shown == WITHHELD else sentence.format(shown)
        for count, shown, sentence in wanted
        if count
    ]
    return actions or ["No action needed: every plan and assessment is on time."]
