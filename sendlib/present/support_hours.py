"""Where the support hours go: the leadership report's provision section, suppressed.

Every figure here goes through :mod:`sendlib.present.privacy`. A group's hours and cost
are sums over its pupils, as telling as their count: :func:`protect_sums` decides which
groups are shown from their pupil counts with :func:`~sendlib.present.privacy.protect`,
and a group's pupils, hours, cost and share of cost are shown or hidden together. The
hours and cost columns add up to their shown totals exactly as the pupil counts add up
to theirs, so the groups kept hidden (never just one) protect the sums as they protect
the counts: no hidden cost can be worked out by subtracting the others from the total.
The impact table's counts (pupils measured, with and without progress) go through
:func:`~sendlib.present.privacy.protect` with the sum that ties them, and an
intervention's cost figures are shown only where its row of the breakdown shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from sendlib.present.escape import plotly_text
from sendlib.present.figures import OKABE_ITO, STATUS_COLOURS
from sendlib.present.privacy import (
    WITHHELD,
    Disclosure,
    Sum,
    protect,
    share_allowed,
    show_count,
    small,
)
from sendlib.rules.impact import intervention_impact
from sendlib.rules.provision import provision_costs, pupil_provision
from sendlib.school.load import School
from sendlib.school.schema import NEED_LABELS, SEN_STATUS_LABELS

__all__ = [
    "ALL",
    "BREAKDOWNS",
    "CAPTIONS",
    "SupportBreakdown",
    "hours_and_cost_chart",
    "impact_table",
    "protect_sums",
    "provision_actions",
    "support_breakdown",
    "support_by",
    "top_up_summary",
]

#: The leadership breakdowns: column of the costs frame and its heading.
BREAKDOWNS = {
    "name": "Intervention",
    "primary_need": "Primary need",
    "year_group": "Year group",
    "sen_status": "SEN status",
    "fsm": "Free school meals",
}
#: Each breakdown as a table's caption says it ("Hours and cost this year by ...").
CAPTIONS = {
    "name": "intervention",
    "primary_need": "primary need",
    "year_group": "year group",
    "sen_status": "SEN status",
    "fsm": "free school meals",
}
#: The label of a breakdown's total row.
ALL = "All pupils with provision"
#: Shown for an hours or cost figure hidden with its group's count.
NOT_SHOWN = "-"
_TOTAL = ("total",)

col = pl.col


def protect_sums(pupils: dict[Hashable, int], threshold: int) -> Disclosure:
    """Which groups' counts, and so which of their sums, may be shown beside the total.

    ``pupils`` are the pupils each group's sums are over; the key ``("total",)`` is their
    total, shown (public). A group is hidden when it has 1 to ``threshold - 1`` pupils,
    and more groups with it until none can be worked out from the total.
    """
    values = {("group", g): n for g, n in pupils.items()} | {_TOTAL: sum(pupils.values())}
    return protect(values, [Sum(_TOTAL, tuple(("group", g) for g in pupils))], threshold, [_TOTAL])


@dataclass(frozen=True)
class SupportBreakdown:
    """Hours and cost by one breakdown, with what :func:`protect_sums` lets be shown.

    ``groups`` has one row per group (group, pupils, hours, cost), the costliest first;
    ``pupils_total`` is the pupils with provision (for interventions, counted once each).
    """

    by: str
    groups: pl.DataFrame
    pupils_total: int
    disclosure: Disclosure
    threshold: int

    def shows(self, group: Hashable) -> bool:
        """Whether the group's pupils, hours and cost are shown."""
        return self.disclosure.shows(("group", group))

    def cost(self, group: Hashable) -> float | None:
        """The group's cost this year, or ``None`` where it is hidden."""
        if group not in self.groups["group"] or not self.shows(group):
            return None
        return self.groups.filter(col("group") == group)["cost"].item()

    def table(self) -> pl.DataFrame:
        """The table for the report: the groups and a total row, every cell text."""
        total_hours, total_cost = self.groups["hours"].sum(), self.groups["cost"].sum()
        rows = []
        for r in self.groups.iter_rows(named=True):
            shown = self.shows(r["group"])
            rows.append(
                (
                    r["group"],
                    self.disclosure.label(("group", r["group"])),
                    _hours(r["hours"]) if shown else NOT_SHOWN,
                    _pounds(r["cost"]) if shown else NOT_SHOWN,
                    _share(r["cost"], total_cost) if shown else NOT_SHOWN,
                )
            )
        rows.append(
            (ALL, f"{self.pupils_total:,}", _hours(total_hours), _pounds(total_cost), "100%")
        )
        headings = (BREAKDOWNS[self.by], "Pupils", "Hours", "Cost (GBP)", "Share of cost")
        return pl.DataFrame(rows, schema=dict.fromkeys(headings, pl.String), orient="row")


def _share(part: float, whole: float) -> str:
    if not whole:
        return NOT_SHOWN
    return "under 1%" if 0 < part / whole < 0.005 else f"{part / whole:.0%}"


def _hours(value: float) -> str:
    return f"{value:,.0f}"


def _pounds(value: float | None) -> str:
    return NOT_SHOWN if value is None else f"{value:,.0f}"


def _costs_with_pupils(school: School, as_of: dt.date | None) -> pl.DataFrame:
    """Provision costs this school year, with each pupil's groups (need, year, status, FSM)."""
    pupils = school.pupils
    if "fsm" not in pupils.columns:
        pupils = pupils.with_columns(fsm=pl.lit(None, pl.Boolean))
    costs = provision_costs(school, as_of).filter(col("days_this_year") > 0)
    return costs.join(
        pupils.select("pupil_id", "year_group", "sen_status", "primary_need", "fsm"),
        on="pupil_id",
        how="left",
    )


def _group_label(by: str) -> pl.Expr:
    """A breakdown's group as readers know it (need and status names, FSM yes or no)."""
    if by == "primary_need":
        return col(by).replace_strict(NEED_LABELS, default=col(by)).fill_null("Not recorded")
    if by == "sen_status":
        return col(by).replace_strict(SEN_STATUS_LABELS, default=col(by))
    if by == "fsm":
        return (
            pl.when(col(by))
            .then(pl.lit("Eligible"))
            .when(~col(by))
            .then(pl.lit("Not eligible"))
            .otherwise(pl.lit("Not recorded"))
        )
    if by == "year_group":
        return pl.format("Year {}", col(by)).str.replace("Year R", "Reception")
    return col(by).cast(pl.String)


def support_breakdown(school: School, by: str, as_of: dt.date | None = None) -> SupportBreakdown:
    """Hours and cost this school year by one breakdown of :data:`BREAKDOWNS`, protected.

    By intervention a pupil is counted in each intervention they had, so its pupils do
    not add up to the pupils with provision; the hours and cost do add up to theirs, and
    are protected as if the pupils did.
    """
    costs = _costs_with_pupils(school, as_of)
    groups = (
        costs.with_columns(group=_group_label(by))
        .group_by("group")
        .agg(
            pupils=col("pupil_id").n_unique().cast(pl.Int64),
            hours=col("hours_this_year").fill_null(0).sum(),
            cost=col("cost_this_year").sum(),
        )
        .sort(["cost", "group"], descending=[True, False])
    )
    threshold = school.policy.suppress_below
    disclosure = protect_sums(dict(zip(groups["group"], groups["pupils"], strict=True)), threshold)
    return SupportBreakdown(by, groups, costs["pupil_id"].n_unique(), disclosure, threshold)


def support_by(school: School, by: str, as_of: dt.date | None = None) -> pl.DataFrame:
    """The breakdown's table: heading, Pupils, Hours, Cost (GBP), Share of cost, and a total row.

    A group of fewer pupils than the policy's ``suppress_below`` shows "<5", another
    hidden to protect it shows ``WITHHELD``; both show no hours, cost or share.
    """
    return support_breakdown(school, by, as_of).table()


# ------------------------------------------------------------------ impact per intervention


def _impact_disclosure(impact: pl.DataFrame, threshold: int) -> Disclosure:
    """Pupils measured, with progress and without, per intervention: measured is their sum."""
    values, sums = {}, []
    for r in impact.iter_rows(named=True):
        i = r["intervention_id"]
        values |= {
            ("measured", i): r["measured"],
            ("with", i): r["with_progress"],
            ("without", i): r["measured"] - r["with_progress"],
        }
        sums.append(Sum(("measured", i), (("with", i), ("without", i))))
    return protect(values, sums, threshold)


def _share_label(shown: Disclosure, i: Hashable, threshold: int) -> str:
    """Share of the measured pupils with progress, where count, rest and total all show."""
    part, rest = shown.count(("with", i)), shown.count(("without", i))
    if part is None or rest is None or not share_allowed(part, part + rest, threshold):
        return small(threshold) if shown.label(("with", i)) == small(threshold) else WITHHELD
    return f"{part / (part + rest):.0%}"


def _impact_rows(school: School, as_of: dt.date | None) -> list[dict]:
    """The interventions delivered this year, their impact and what of it may be shown."""
    threshold = school.policy.suppress_below
    support = support_breakdown(school, "name", as_of)
    impact = intervention_impact(school, as_of).filter(
        col("name").is_in(support.groups["group"].to_list())
    )
    shown = _impact_disclosure(impact, threshold)
    rows = []
    reach = support.groups.select(name="group", pupils_this_year="pupils")
    for r in impact.join(reach, on="name").iter_rows(named=True):
        i = r["intervention_id"]
        measured, with_progress = shown.count(("measured", i)), shown.count(("with", i))
        cost_shown = support.cost(r["name"]) is not None
        # The most a reader can take the pupils with progress to be: "<5" is at most 4.
        marker = shown.label(("with", i)) == small(threshold)
        share_label = _share_label(shown, i, threshold) if r["measured"] else NOT_SHOWN
        rows.append(
            r
            | {
                "pupils_label": support.disclosure.label(("group", r["name"])),
                "measured_label": shown.label(("measured", i)) if r["measured"] else "not measured",
                "measured_shown": measured,
                "with_label": shown.label(("with", i)),
                "with_at_most": threshold - 1 if marker else with_progress,
                "share_label": share_label,
                "median_shown": (measured or 0) >= threshold,
                "cost_shown": cost_shown,
                # cost / with_progress gives the count back: only where its share shows.
                "per_pupil_shown": cost_shown and share_label.endswith("%"),
            }
        )
    return sorted(rows, key=lambda r: -r["cost_this_year"])


def impact_table(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Each intervention's reach, progress and cost this school year, suppressed.

    Columns: Intervention, Pupils, Measured, With progress (a share of those measured),
    Median change, Cost this year (GBP), Cost per pupil with progress (GBP). Its pupils
    and cost are hidden where the breakdown by intervention hides them; a median or a
    cost per pupil with progress only where the pupils it is over number the threshold.
    """
    rows = [
        {
            "Intervention": r["name"],
            "Pupils": r["pupils_label"],
            "Measured": r["measured_label"],
            "With progress": r["share_label"],
            "Median change": f"{r['median_change']:+g}"
            if r["median_shown"] and r["median_change"] is not None
            else NOT_SHOWN,
            "Cost this year (GBP)": _pounds(r["cost_this_year"] if r["cost_shown"] else None),
            "Cost per pupil with progress (GBP)": _pounds(
                r["cost_per_pupil_with_progress"] if r["per_pupil_shown"] else None
            ),
        }
        for r in _impact_rows(school, as_of)
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(_IMPACT_HEADINGS, pl.String))


_IMPACT_HEADINGS = (
    "Intervention", "Pupils", "Measured", "With progress", "Median change",
    "Cost this year (GBP)", "Cost per pupil with progress (GBP)",
)  # fmt: skip


# ---------------------------------------------------------------------------- actions


def _little_progress(r: dict, threshold: int) -> bool:
    """Whether what the table shows says under half of the measured pupils made progress."""
    measured, most = r["measured_shown"], r["with_at_most"]
    return (
        measured is not None and measured >= threshold and most is not None and most < measured / 2
    )


def costly_with_little_progress(school: School, as_of: dt.date | None = None) -> list[str]:
    """Interventions costing more per pupil than the typical one, where under half progressed.

    "Typical" is the median cost per pupil this year over the interventions whose cost
    is shown; only shown figures are used, so the sentence tells nothing the table hides.
    """
    threshold = school.policy.suppress_below
    rows = [r for r in _impact_rows(school, as_of) if r["cost_shown"]]
    per_pupil = {r["name"]: r["cost_this_year"] / r["pupils_this_year"] for r in rows}
    typical = pl.Series(list(per_pupil.values()), dtype=pl.Float64).median()
    return [
        f"Review {r['name']}: {r['with_label']} of the {r['measured_shown']} pupils measured "
        f"made progress, at GBP {_pounds(r['cost_this_year'])} this year (GBP "
        f"{_pounds(per_pupil[r['name']])} a pupil). Check how it is delivered, or move its "
        "hours to an intervention that shows progress."
        for r in rows
        if typical is not None
        and per_pupil[r["name"]] >= typical
        and _little_progress(r, threshold)
    ]


def top_up_summary(school: School, as_of: dt.date | None = None) -> str | None:
    """Pupils on SEN support projected above the notional threshold: counted, never named.

    Their combined projected cost is given only when they number at least the threshold.
    """
    threshold = school.policy.suppress_below
    pupils = pupil_provision(school, as_of)
    above = pupils.filter(col("above_notional"))
    if above.height == 0:
        return None
    limit = f"GBP {school.policy.notional_threshold:,}"
    together = (
        f" (together GBP {_pounds(above['projected_cost'].sum())})"
        if above.height >= threshold
        else ""
    )
    return (
        f"{show_count(above.height, threshold)} pupils on SEN support are projected to cost "
        f"more than {limit} this year{together}, the notional SEN budget's share per pupil: "
        "consider asking the local authority for top-up funding or an EHC needs assessment."
    )


def provision_actions(school: School, as_of: dt.date | None = None) -> list[str]:
    """What the provision figures say to do: costly interventions with little progress, top-up.

    Interventions run in groups or in class without entry and exit measures are named
    too, so their effect can be shown next time.
    """
    actions = costly_with_little_progress(school, as_of)
    top_up = top_up_summary(school, as_of)
    actions += [top_up] if top_up else []
    unmeasured = intervention_impact(school, as_of).filter(
        (col("measured") == 0) & col("kind").is_in(["small_group", "in_class"])
    )
    actions += [
        f"Record entry and exit measures for {name}, so its effect can be shown."
        for name in unmeasured["name"]
    ]
    return actions or ["No action on provision stands out from these figures."]


# ------------------------------------------------------------------------------ chart


def hours_and_cost_chart(school: School, as_of: dt.date | None = None) -> go.Figure:
    """Cost and hours this year by intervention: only the interventions the table shows."""
    support = support_breakdown(school, "name", as_of)
    frame = support.groups.filter(col("group").map_elements(support.shows, pl.Boolean)).sort("cost")
    names = [plotly_text(n) for n in frame["group"]]
    fig = go.Figure(
        [
            go.Bar(y=names, x=frame["cost"], orientation="h", name="Cost (GBP)",
                   marker_color=OKABE_ITO[0],
                   hovertemplate="%{y}: GBP %{x:,.0f}<extra></extra>"),
            go.Bar(y=names, x=frame["hours"], orientation="h", name="Hours",
                   marker_color=OKABE_ITO[1], xaxis="x2", visible="legendonly",
                   hovertemplate="%{y}: %{x:,.0f} hours<extra></extra>"),
        ]
    )  # fmt: skip
    hidden = support.groups.height - frame.height
    note = (
        [
            dict(
                text=f"{hidden} interventions with fewer than {support.threshold} pupils, or "
                "hidden to protect them, are not drawn.",
                xref="paper", yref="paper", x=0, y=-0.18, showarrow=False,
                font=dict(size=11, color=STATUS_COLOURS["routed"]),
            )
        ]
        if hidden
        else []
    )  # fmt: skip
    fig.update_layout(
        title=dict(text="Where the support hours go: cost this year by intervention", y=0.98),
        template="plotly_white",
        xaxis=dict(title="GBP this school year"),
        xaxis2=dict(overlaying="x", side="top", title="hours"),
        height=max(320, 90 + 40 * frame.height),
        margin=dict(l=220, r=20, t=80, b=70),
        annotations=note,
    )
    return fig
