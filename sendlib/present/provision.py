"""The provision map for the SENDCo, and "Where the support hours go" for leaders.

:func:`provision_map` is the SENDCo's own table (pupils by interventions, hours and cost;
it names pupils, so it stays on the SENDCo's desk) and :func:`export_provision_map` writes
it as a CSV through :func:`sendlib.school.outputs.write_csv`. The leadership section's
breakdowns (:func:`support_by`, :func:`impact_table`, :func:`provision_actions`) show
groups smaller than the policy's ``suppress_below`` as "<5", with their hours and cost
hidden too: a small group's sum is as telling as its count. :func:`cost_per_registered_pupil`
is the trust overview's figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from sendlib.present.escape import plotly_text
from sendlib.present.figures import OKABE_ITO
from sendlib.present.privacy import show_count, show_share, suppress_counts, suppressed
from sendlib.rules.impact import intervention_impact
from sendlib.rules.provision import provision_costs, pupil_provision
from sendlib.school.load import School
from sendlib.school.outputs import write_csv
from sendlib.school.schema import NEED_LABELS, SEN_STATUS_LABELS

__all__ = [
    "BREAKDOWNS",
    "cost_per_registered_pupil",
    "export_provision_map",
    "hours_and_cost_chart",
    "impact_table",
    "provision_actions",
    "provision_map",
    "support_by",
]

#: The leadership breakdowns: column of the costs frame and its heading.
BREAKDOWNS = {
    "name": "Intervention",
    "primary_need": "Primary need",
    "year_group": "Year group",
    "sen_status": "SEN status",
    "fsm": "Free school meals",
}

col = pl.col


def provision_map(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per pupil with provision this year: their interventions, hours and cost.

    Columns: pupil_id, display_name (when the school records it), year_group, sen_status,
    primary_need, interventions (names, ";"-separated), hours_this_year, cost_this_year,
    projected_cost, above_notional. Figures are rounded to pence and tenths of an hour.
    """
    costs = provision_costs(school, as_of)
    names = costs.group_by("pupil_id").agg(
        col("name").unique().sort().str.join("; ").alias("intervention_names")
    )
    pupils = pupil_provision(school, as_of).join(names, on="pupil_id", how="left")
    shown = ["display_name"] if "display_name" in school.pupils.columns else []
    return (
        pupils.join(school.pupils.select("pupil_id", *shown), on="pupil_id", how="left")
        .select(
            "pupil_id",
            *shown,
            "year_group",
            "sen_status",
            "primary_need",
            col("intervention_names").alias("interventions"),
            col("hours_this_year").fill_null(0).round(1),
            col("cost_this_year").round(2),
            col("projected_cost").round(2),
            "above_notional",
        )
        .sort("cost_this_year", "pupil_id", descending=[True, False])
    )


def export_provision_map(school: School, path: str | Path, as_of: dt.date | None = None) -> Path:
    """Write :func:`provision_map` as a CSV (atomically, owner-only, formulas neutralised)."""
    return write_csv(provision_map(school, as_of), path)


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


def support_by(school: School, by: str, as_of: dt.date | None = None) -> pl.DataFrame:
    """Hours and cost this school year by one breakdown of :data:`BREAKDOWNS`, suppressed.

    Columns: the breakdown's heading, Pupils, Hours, Cost (GBP), Share of cost. A group of
    fewer pupils than the policy's ``suppress_below`` shows "<5" and no hours or cost.
    """
    threshold = school.policy.suppress_below
    costs = _costs_with_pupils(school, as_of)
    total = costs["cost_this_year"].sum()
    grouped = (
        costs.with_columns(group=_group_label(by))
        .group_by("group")
        .agg(
            pupils=col("pupil_id").n_unique(),
            hours=col("hours_this_year").sum(),
            cost=col("cost_this_year").sum(),
        )
        .sort("cost", descending=True)
    )
    small = col("pupils") < threshold
    shown = grouped.with_columns(
        hours=pl.when(small)
        .then(pl.lit("-"))
        .otherwise(col("hours").round(0).cast(pl.Int64).cast(pl.String)),
        cost=pl.when(small)
        .then(pl.lit("-"))
        .otherwise(col("cost").map_elements(_pounds, pl.String)),
        share=pl.when(small | (total == 0))
        .then(pl.lit("-"))
        .otherwise((col("cost") / total * 100).round(0).cast(pl.Int64).cast(pl.String) + "%"),
    )
    return suppress_counts(shown, ["pupils"], threshold).select(
        col("group").alias(BREAKDOWNS[by]),
        col("pupils").alias("Pupils"),
        col("hours").alias("Hours"),
        col("cost").alias("Cost (GBP)"),
        col("share").alias("Share of cost"),
    )


def _layout(fig: go.Figure, title: str, **extra) -> go.Figure:
    fig.update_layout(title=dict(text=title, y=0.98), template="plotly_white", **extra)
    return fig


def _pounds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def impact_table(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Each intervention's reach, progress and cost, with small counts suppressed.

    Columns: Intervention, Pupils, Measured, With progress (a share of those measured),
    Median change, Cost this year (GBP), Cost per pupil with progress (GBP).
    """
    threshold = school.policy.suppress_below
    rows = []
    for r in (
        intervention_impact(school, as_of)
        .sort("cost_this_year", descending=True)
        .iter_rows(named=True)
    ):
        # A cost per pupil with progress would give away a suppressed count of them.
        hidden = suppressed(r["measured"], threshold) or suppressed(r["with_progress"], threshold)
        rows.append(
            {
                "Intervention": r["name"],
                "Pupils": show_count(r["pupils"], threshold),
                "Measured": show_count(r["measured"], threshold)
                if r["measured"]
                else "not measured",
                "With progress": show_share(r["with_progress"], r["measured"], threshold),
                "Median change": "-"
                if hidden or r["median_change"] is None
                else f"{r['median_change']:+g}",
                "Cost this year (GBP)": "-"
                if suppressed(r["pupils"], threshold)
                else _pounds(r["cost_this_year"]),
                "Cost per pupil with progress (GBP)": "-"
                if hidden or r["cost_per_pupil_with_progress"] is None
                else _pounds(r["cost_per_pupil_with_progress"]),
            }
        )
    return pl.DataFrame(rows, schema=dict.fromkeys(_IMPACT_HEADINGS, pl.String))


_IMPACT_HEADINGS = (
    "Intervention", "Pupils", "Measured", "With progress", "Median change",
    "Cost this year (GBP)", "Cost per pupil with progress (GBP)",
)  # fmt: skip


def provision_actions(school: School, as_of: dt.date | None = None) -> list[str]:
    """What the provision figures say to do: costly interventions with little progress, top-up.

    An intervention is named when enough pupils were measured to show it (the policy's
    threshold), under half of them made progress, and its cost per pupil with progress is
    above the median of the interventions measured. Pupils on SEN support above the
    notional threshold are counted (suppressed), never named.
    """
    threshold = school.policy.suppress_below
    impact = intervention_impact(school, as_of).filter(col("measured") >= threshold)
    actions = []
    typical = impact["cost_per_pupil_with_progress"].median()
    for r in impact.iter_rows(named=True):
        share, per_pupil = r["share_with_progress"], r["cost_per_pupil_with_progress"]
        if (
            share is not None
            and share < 0.5
            and (per_pupil is None or typical is None or per_pupil > typical)
        ):
            actions.append(
                f"Review {r['name']}: {share:.0%} of the {r['measured']} pupils measured made "
                f"progress, at GBP {_pounds(r['cost'])} so far. Check how it is delivered, or "
                "move its hours to an intervention that shows progress."
            )
    pupils = pupil_provision(school, as_of)
    above = int(pupils["above_notional"].sum()) if pupils.height else 0
    limit = f"GBP {school.policy.notional_threshold:,}"
    if above:
        actions.append(
            f"{show_count(above, threshold)} pupils on SEN support are projected to cost more "
            f"than {limit} this year, the notional SEN budget's share per pupil: consider "
            "asking the local authority for top-up funding or an EHC needs assessment."
        )
    unmeasured = intervention_impact(school, as_of).filter(
        (col("measured") == 0) & col("kind").is_in(["small_group", "in_class"])
    )
    for name in unmeasured["name"]:
        actions.append(f"Record entry and exit measures for {name}, so its effect can be shown.")
    return actions or ["No action on provision stands out from these figures."]


def hours_and_cost_chart(school: School, as_of: dt.date | None = None) -> go.Figure:
    """Hours and cost this year by intervention; interventions for few pupils are not drawn."""
    threshold = school.policy.suppress_below
    frame = (
        _costs_with_pupils(school, as_of)
        .group_by("name")
        .agg(
            pupils=col("pupil_id").n_unique(),
            hours=col("hours_this_year").sum(),
            cost=col("cost_this_year").sum(),
        )
        .filter(col("pupils") >= threshold)
        .sort("cost")
    )
    names = [plotly_text(n) for n in frame["name"]]
    fig = go.Figure(
        [
            go.Bar(
                y=names,
                x=frame["cost"],
                orientation="h",
                name="Cost (GBP)",
                marker_color=OKABE_ITO[0],
            ),
            go.Bar(
                y=names,
                x=frame["hours"],
                orientation="h",
                name="Hours",
                marker_color=OKABE_ITO[1],
                xaxis="x2",
                visible="legendonly",
            ),
        ]
    )
    return _layout(
        fig,
        f"Where the support hours go: cost this year by intervention (groups under {threshold} "
        "pupils not shown)",
        xaxis=dict(title="GBP this school year"),
        xaxis2=dict(overlaying="x", side="top", title="hours"),
        height=max(300, 60 + 40 * frame.height),
    )


def cost_per_registered_pupil(schools: Sequence[School], as_of: dt.date | None = None) -> go.Figure:
    """The trust overview's bars: each school's provision cost this year per registered pupil.

    "Registered" means on the SEN register (SEN support or an EHC plan) in pupils.csv: the
    number on roll is not in the data, so this is not a cost per pupil on roll. A school
    without a provision map is named with no bar.
    """
    names, values, labels = [], [], []
    for school in schools:
        registered = school.pupils.filter(col("sen_status").is_in(["K", "E"])).height
        names.append(plotly_text(school.name))
        if school.provisions.is_empty() or registered == 0:
            values.append(None)
            labels.append("no provision map")
            continue
        cost = provision_costs(school, as_of)["cost_this_year"].sum()
        values.append(cost / registered)
        labels.append(f"GBP {cost / registered:,.0f}")
    fig = go.Figure(
        go.Bar(x=names, y=values, text=labels, textposition="outside", marker_color=OKABE_ITO[2])
    )
    return _layout(
        fig,
        "Provision cost this year per registered pupil (SEN support and EHC plans; "
        "pupils on roll are not in the data)",
        yaxis=dict(title="GBP per registered pupil"),
    )
