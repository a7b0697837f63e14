"""Plotly figures for the reports and notebooks, built from sendlib's frames.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies).
Figures that show counts about groups take the small-number threshold: a bar under it is
not drawn and its hover text says "<5".
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from sendlib.rules.capacity import COMPONENT_LABELS, COMPONENTS, Capacity
from sendlib.rules.annual_reviews import ANNUAL_REVIEW_LABELS, ANNUAL_REVIEW_STATUSES
from sendlib.rules.meetings import COVERAGE_LABELS, COVERAGE_STATUSES
from sendlib.present.privacy import hide_small
from sendlib.rules.requests import DECIDED

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
STATUS_COLOURS = {
    "done_this_term": "#009E73",
    "due_this_term": "#E69F00",
    "missed_term": "#D55E00",
    "never_met": "#CC79A7",
    "ok": "#009E73",
    "due_soon": "#E69F00",
    "overdue": "#D55E00",
    "on_time": "#009E73",
    "late": "#D55E00",
    "open_overdue": "#CC79A7",
    "open_not_due": "#56B4E9",
    "routed": "#999999",
}
_LAYOUT = dict(
    template="plotly_white",
    font=dict(size=13),
    margin=dict(l=60, r=20, t=60, b=50),
    height=400,
    legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
)


def _layout(fig: go.Figure, title: str, **extra) -> go.Figure:
    fig.update_layout(title=dict(text=title, y=0.98), **_LAYOUT, **extra)
    return fig


def _year_order(groups: list[str]) -> list[str]:
    order = {"N1": -2, "N2": -1, "R": 0}
    return sorted(groups, key=lambda g: order.get(g, int(g) if g.isdigit() else 99))


def on_time_by_month(times: pl.DataFrame, threshold: int, within: int = 5) -> go.Figure:
    """Share of decided requests acknowledged in time, by month of receipt."""
    months = (
        times.filter(pl.col("status").is_in(DECIDED))
        .group_by(month=pl.col("effective_on").dt.truncate("1mo"))
        .agg(decided=pl.len(), on_time=(pl.col("status") == "on_time").sum())
        .sort("month")
        .with_columns(share=pl.col("on_time") / pl.col("decided"))
    )
    shown = hide_small(months, ["decided"], threshold).with_columns(
        share=pl.when(pl.col("decided").is_not_null()).then(pl.col("share"))
    )
    fig = go.Figure(
        go.Bar(
            x=shown["month"].dt.strftime("%b %Y").to_list(),
            y=(shown["share"] * 100).to_list(),
            marker_color=OKABE_ITO[0],
            customdata=shown["decided_label"].to_list(),
            hovertemplate="%{x}: %{y:.0f}% on time<br>requests: %{customdata}<extra></extra>",
            name="On time",
        )
    )
    fig.add_hline(y=100, line_dash="dot", line_color="#777")
    return _layout(
        fig,
        f"Requests acknowledged within {within} school days, by month",
        yaxis=dict(title="% on time", range=[0, 105]),
    )


def response_days(times: pl.DataFrame, threshold: int, within: int = 5) -> go.Figure:
    """How many school days acknowledgements took, in bands (routed requests left out)."""
    bands = [(0, 2, "0-2"), (3, within, f"3-{within}"), (within + 1, 10, f"{within + 1}-10"),
             (11, 20, "11-20"), (21, 10_000, "21+")]  # fmt: skip
    done = times.filter(pl.col("status").is_in(["on_time", "late"]))
    counts = pl.DataFrame(
        {
            "band": [b[2] for b in bands],
            "requests": [
                done.filter(pl.col("school_days_taken").is_between(lo, hi)).height
                for lo, hi, _ in bands
            ],
        }
    )
    shown = hide_small(counts, ["requests"], threshold)
    colours = [STATUS_COLOURS["on_time"]] * 2 + [STATUS_COLOURS["late"]] * 3
    fig = go.Figure(
        go.Bar(
            x=shown["band"].to_list(),
            y=shown["requests"].to_list(),
            marker_color=colours,
            customdata=shown["requests_label"].to_list(),
            hovertemplate="%{x} school days: %{customdata} requests<extra></extra>",
        )
    )
    return _layout(
        fig,
        "School days taken to acknowledge a request",
        xaxis_title="school days",
        yaxis_title="requests",
    )


def open_backlog_chart(backlog: pl.DataFrame) -> go.Figure:
    """Requests open, and open past their deadline, at the end of each school day."""
    fig = go.Figure()
    for column, name, colour in (
        ("open", "Open", OKABE_ITO[0]),
        ("overdue", "Past deadline", OKABE_ITO[3]),
    ):
        fig.add_trace(
            go.Scatter(
                x=backlog["day"].to_list(),
                y=backlog[column].to_list(),
                name=name,
                mode="lines",
                line=dict(color=colour, width=2, shape="hv"),
                hovertemplate="%{x|%d %b %Y}: %{y} " + name.lower() + "<extra></extra>",
            )
        )
    return _layout(fig, "Open requests over the school year (whole school)", yaxis_title="requests")


def _stacked_counts(
    counts: pl.DataFrame,
    key: str,
    order: list,
    labels: list[str],
    statuses: tuple[str, ...],
    names: dict[str, str],
    threshold: int,
    unit: str,
) -> go.Figure:
    """Stacked bars of counts per key and status; counts under the threshold are not drawn.

    ``counts`` has columns ``key``, ``status`` and ``n``.
    """
    fig = go.Figure()
    for status in statuses:
        part = dict(counts.filter(pl.col("status") == status).select(key, "n").iter_rows())
        values = [part.get(k, 0) for k in order]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[v if v >= threshold else None for v in values],
                customdata=[str(v) if v >= threshold else f"<{threshold}" for v in values],
                name=names[status],
                marker_color=STATUS_COLOURS[status],
                hovertemplate=f"%{{x}}: %{{customdata}} {unit}<extra>{names[status]}</extra>",
            )
        )
    return fig


def coverage_by_group(coverage: pl.DataFrame, by: str, threshold: int, title: str) -> go.Figure:
    """Registered pupils by coverage status within each group (year group, need, ...)."""
    counts = coverage.group_by(by, "status").len("n")
    groups = counts[by].unique().to_list()
    order = _year_order(groups) if by == "year_group" else sorted(groups)
    labels = [f"Year {g}" if by == "year_group" and g.isdigit() else g for g in order]
    statuses = tuple(reversed(COVERAGE_STATUSES))
    fig = _stacked_counts(counts, by, order, labels, statuses, COVERAGE_LABELS, threshold, "pupils")
    return _layout(
        fig,
        title,
        barmode="stack",
        yaxis_title="pupils",
        annotations=[_hidden_note(threshold)],
    )


def coverage_status(coverage: pl.DataFrame, threshold: int) -> go.Figure:
    """Registered pupils in each coverage status (the whole school, one bar per status)."""
    counts = dict(coverage.group_by("status").len().iter_rows())
    values = [counts.get(s, 0) for s in COVERAGE_STATUSES]
    fig = go.Figure(
        go.Bar(
            y=[COVERAGE_LABELS[s] for s in COVERAGE_STATUSES],
            x=[v if v >= threshold else None for v in values],
            orientation="h",
            marker_color=[STATUS_COLOURS[s] for s in COVERAGE_STATUSES],
            customdata=[str(v) if v >= threshold else f"<{threshold}" for v in values],
            hovertemplate="%{y}: %{customdata} pupils<extra></extra>",
        )
    )
    return _layout(fig, "Registered pupils by parent-meeting status", xaxis_title="pupils",
                   annotations=[_hidden_note(threshold)])  # fmt: skip


def annual_review_deadlines(reviews: pl.DataFrame, threshold: int) -> go.Figure:
    """EHC plan annual review deadlines by month, coloured by status."""
    by_month = reviews.group_by(
        month=pl.col("deadline_on").dt.truncate("1mo"), status="status"
    ).len("n")
    months = sorted(by_month["month"].unique().to_list())
    labels = [f"{m:%b %Y}" for m in months]
    fig = _stacked_counts(
        by_month,
        "month",
        months,
        labels,
        ANNUAL_REVIEW_STATUSES,
        ANNUAL_REVIEW_LABELS,
        threshold,
        "reviews",
    )
    return _layout(
        fig,
        "EHC plan annual review deadlines by month",
        barmode="stack",
        yaxis_title="annual reviews",
        annotations=[_hidden_note(threshold)],
    )


def capacity_weekly(cap: Capacity) -> go.Figure:
    """Weekly SENDCo demand by component against protected supply; forecast weeks paler."""
    weekly = cap.weekly
    x = weekly["week_start"].to_list()
    opacity = [0.45 if f else 1.0 for f in weekly["forecast"].to_list()]
    fig = go.Figure()
    for component, colour in zip(COMPONENTS, OKABE_ITO, strict=False):
        fig.add_trace(
            go.Bar(
                x=x,
                y=(weekly[component] / 60).round(1).to_list(),
                name=COMPONENT_LABELS[component],
                marker=dict(color=colour, opacity=opacity),
                hovertemplate="week of %{x|%d %b}: %{y} h<extra>"
                + COMPONENT_LABELS[component]
                + "</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=(weekly["supply_minutes"] / 60).round(1).to_list(),
            name="Protected SENDCo hours",
            mode="lines",
            line=dict(color="#000000", width=2, shape="hvh"),
            hovertemplate="week of %{x|%d %b}: %{y} h protected<extra></extra>",
        )
    )
    return _layout(
        fig,
        "SENDCo hours per week: meetings against protected time (paler: forecast)",
        barmode="stack",
        yaxis_title="hours",
    )


def capacity_by_term(cap: Capacity) -> go.Figure:
    """Utilisation of protected SENDCo time per term."""
    terms = cap.terms
    fig = go.Figure(
        go.Bar(
            x=terms["term"].to_list(),
            y=(terms["utilisation"] * 100).round(0).to_list(),
            marker_color=[
                OKABE_ITO[3] if (u or 0) > 1 else OKABE_ITO[0]
                for u in terms["utilisation"].to_list()
            ],
            hovertemplate="%{x}: %{y:.0f}% of protected hours<extra></extra>",
        )
    )
    fig.add_hline(y=100, line_dash="dot", line_color="#777")
    return _layout(
        fig, "Share of protected SENDCo time taken by meetings, by term", yaxis_title="%"
    )


def _hidden_note(threshold: int) -> dict:
    return dict(
        text=f"Groups of fewer than {threshold} are not drawn, to protect pupils' privacy.",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.2,
        showarrow=False,
        font=dict(size=11, color="#555"),
    )
