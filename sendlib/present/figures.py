"""Plotly figures for the reports and notebooks, built from sendlib's frames.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies).
Figures that show counts about groups take the small-number threshold and go through
:mod:`sendlib.present.privacy`: a hidden count is not drawn and its hover text gives its
marker ("<5" for the default policy). Every chart in every output is shown with
:data:`CHART_CONFIG`. Labels from the school's files (term names, group names) pass
through :func:`sendlib.present.escape.plotly_text`: plotly reads them as HTML.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from sendlib.present.escape import plotly_text
from sendlib.present.privacy import Sum, Table, protect, protect_table, show_count, small
from sendlib.rules.annual_reviews import ANNUAL_REVIEW_LABELS, DEADLINE_STATUSES
from sendlib.rules.capacity import COMPONENT_LABELS, COMPONENTS, Capacity
from sendlib.rules.meetings import (
    COVERAGE_LABELS,
    COVERAGE_STATUSES,
    coverage_breakdown,
)
from sendlib.rules.requests import DECIDED

#: plotly.js options for every chart in every output: the modebar offers only a PNG download,
#: zoom, pan and reset. Nothing offers to upload the data (plotly.js 3 shows "Share chart...",
#: upload to Plotly Cloud, by default). plotly.js 3 dropped Chart Studio's ``showLink`` and
#: ``showEditInChartStudio`` (plotly.py warns at them); the explicit button list keeps them out.
CHART_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showTips": False,
    "responsive": True,
    "modeBarButtons": [["toImage", "zoom2d", "pan2d", "resetScale2d"]],
    "toImageButtonOptions": {"format": "png"},
}
#: Table headers for the groups a breakdown is by, in words.
GROUP_HEADERS = {
    "year_group": "Year group",
    "primary_need": "Primary need",
    "sen_status": "SEN status",
    "lead_staff_id": "Lead staff",
}

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
    """Share of decided requests acknowledged in time, by month of receipt.

    A month's share is drawn only where :mod:`sendlib.present.privacy` allows it (its
    on-time and other requests and its total all at least the threshold, none recoverable).
    """
    months = (
        times.filter(pl.col("status").is_in(DECIDED))
        .group_by(month=pl.col("effective_on").dt.truncate("1mo"))
        .agg(
            on_time=(pl.col("status") == "on_time").sum(),
            other=(pl.col("status") != "on_time").sum(),
        )
        .sort("month")
    )
    table = protect_table(months, "month", ["on_time", "other"], threshold, total="decided")
    shares = [table.share(m, ["on_time"]) for m in table.groups]
    fig = go.Figure(
        go.Bar(
            x=[f"{m:%b %Y}" for m in table.groups],
            y=[None if v is None else v * 100 for v in shares],
            marker_color=OKABE_ITO[0],
            customdata=[
                [table.share_label(m, ["on_time"]), table.disclosure.label(("total", m))]
                for m in table.groups
            ],
            hovertemplate="%{x}: %{customdata[0]} on time<br>requests: %{customdata[1]}"
            "<extra></extra>",
            name="On time",
        )
    )
    fig.add_hline(y=100, line_dash="dot", line_color="#777")
    fig = _layout(
        fig,
        f"Requests acknowledged within {within} school days, by month",
        yaxis=dict(title="% on time", range=[0, 105]),
    )
    missing = [f"{m:%b %Y}" for m, v in zip(table.groups, shares, strict=True) if v is None]
    why = (
        f"fewer than {threshold} requests decided, on time or late, or a share that would let "
        f"such a count be worked out; their requests still count in the year's share above"
    )
    if len(missing) == len(table.groups):
        return _nothing_to_show(
            fig,
            "No month has enough requests to show its on-time share without revealing a small "
            f"count (every month had {why}).",
        )
    if missing:
        return _with_note(fig, f"No bar for {_join(missing)}: {why}.")
    return fig


def response_days(times: pl.DataFrame, threshold: int, within: int = 5) -> go.Figure:
    """How many school days acknowledgements took, in bands (routed requests left out).

    The on-time and late totals are whole-school figures (the headlines give them), so a
    band is hidden when small, and another beside it when that one could be worked out.
    """
    bands = [(0, 2, "0-2"), (3, within, f"3-{within}"), (within + 1, 10, f"{within + 1}-10"),
             (11, 20, "11-20"), (21, 10_000, "21+")]  # fmt: skip
    done = times.filter(pl.col("status").is_in(["on_time", "late"]))
    counts = {
        name: done.filter(pl.col("school_days_taken").is_between(lo, hi)).height
        for lo, hi, name in bands
    }
    names = list(counts)
    in_time = tuple(name for lo, hi, name in bands if hi <= within)
    late = tuple(name for name in names if name not in in_time)
    totals = {"on time": sum(counts[n] for n in in_time), "late": sum(counts[n] for n in late)}
    shown = protect(
        counts | totals,
        [Sum("on time", in_time), Sum("late", late)],
        threshold,
        public=list(totals),
    )
    if not done.height:
        return _nothing_to_show(go.Figure(), "No request has been acknowledged yet this year.")
    colours = [STATUS_COLOURS["on_time"] if n in in_time else STATUS_COLOURS["late"] for n in names]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[shown.count(n) for n in names],
            marker_color=colours,
            customdata=[shown.label(n) for n in names],
            hovertemplate="%{x} school days: %{customdata} requests<extra></extra>",
        )
    )
    fig = _layout(
        fig,
        "School days taken to acknowledge a request",
        xaxis_title="school days",
        yaxis_title="requests",
    )
    return _with_note(fig, _hidden_note(bool(shown.hidden), threshold))


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
    table: Table,
    labels: list[str],
    statuses: tuple[str, ...],
    names: dict[str, str],
    unit: str,
) -> go.Figure:
    """Stacked bars of a suppressed table's counts, one trace per status; hidden ones not drawn."""
    fig = go.Figure()
    for status in statuses:
        fig.add_trace(
            go.Bar(
                x=labels,
                y=table.shown_values(status),
                customdata=table.shown_labels(status),
                name=names[status],
                marker_color=STATUS_COLOURS[status],
                hovertemplate=f"%{{x}}: %{{customdata}} {unit}<extra>{names[status]}</extra>",
            )
        )
    return fig


def group_label(by: str, group) -> str:
    """A breakdown's group as a reader says it: ``Year 4``, ``Reception``, ``ASD``."""
    if group is None:
        return "Not recorded"
    if by != "year_group":
        return str(group)
    if group == "R":
        return "Reception"
    return f"Nursery {group[1:]}" if str(group).startswith("N") else f"Year {group}"


def coverage_disclosure(coverage: pl.DataFrame, by: str, threshold: int) -> Table:
    """Registered pupils by group and coverage status, suppressed, with group totals.

    The one table behind the report's breakdown, its chart and its sentences, so all three
    hide the same counts. Status totals are the whole school's (the headlines give them).
    """
    counts = coverage_breakdown(coverage, by)
    groups = counts[by].to_list()
    present = [g for g in groups if g is not None]
    order = _year_order(present) if by == "year_group" else sorted(present, key=str)
    order += [None] * (len(groups) - len(present))
    rows = {row[by]: row for row in counts.iter_rows(named=True)}
    ordered = pl.DataFrame([rows[g] for g in order], schema=counts.schema, orient="row")
    return protect_table(ordered, by, COVERAGE_STATUSES, threshold, total="pupils")


def coverage_by_group(coverage: pl.DataFrame, by: str, threshold: int, title: str) -> go.Figure:
    """Registered pupils by coverage status within each group (year group, need, ...)."""
    table = coverage_disclosure(coverage, by, threshold)
    labels = [plotly_text(group_label(by, g)) for g in table.groups]
    statuses = tuple(reversed(COVERAGE_STATUSES))
    fig = _stacked_counts(table, labels, statuses, COVERAGE_LABELS, "pupils")
    fig = _layout(fig, title, barmode="stack", yaxis_title="pupils")
    if not any(table.count(g, c) for g in table.groups for c in statuses):
        return _nothing_to_show(
            fig,
            f"{title}: no chart, as every group is smaller than {threshold} pupils or would "
            "reveal one that is; the whole school's figures are above."
            if table.groups
            else f"{title}: no chart, as no pupil is on the SEN register.",
        )
    return _with_note(fig, _hidden_note(table.any_hidden, threshold))


def coverage_status(coverage: pl.DataFrame) -> go.Figure:
    """Registered pupils in each coverage status: whole-school figures, shown as they are.

    The headlines and actions already give every status's whole-school count, so hiding a
    small one here would protect no one.
    """
    if coverage.is_empty():
        return _nothing_to_show(go.Figure(), "No pupil is on the SEN register as of this date.")
    counts = dict(coverage.group_by("status").len().iter_rows())
    values = [counts.get(s, 0) for s in COVERAGE_STATUSES]
    fig = go.Figure(
        go.Bar(
            y=[COVERAGE_LABELS[s] for s in COVERAGE_STATUSES],
            x=values,
            orientation="h",
            marker_color=[STATUS_COLOURS[s] for s in COVERAGE_STATUSES],
            hovertemplate="%{y}: %{x} pupils<extra></extra>",
        )
    )
    return _layout(fig, "Registered pupils by parent-meeting status (whole school)",
                   xaxis_title="pupils")  # fmt: skip


def annual_review_deadlines(reviews: pl.DataFrame, threshold: int) -> go.Figure:
    """EHC plan annual review deadlines by month, coloured by status.

    Each status's total is a whole-school figure (the headlines give it), so a small month
    is hidden together with another month of the same status. Plans with no review on
    record (``no_record``) have no deadline to draw: a note under the chart counts them as
    a gap in the data.
    """
    dated = reviews.filter(pl.col("status") != "no_record")
    by_month = (
        dated.group_by(month=pl.col("deadline_on").dt.truncate("1mo"))
        .agg((pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in DEADLINE_STATUSES)
        .sort("month")
    )
    if reviews.is_empty():
        return _nothing_to_show(
            go.Figure(), "No EHC plan annual review falls due: no pupil has an EHC plan."
        )
    table = protect_table(by_month, "month", DEADLINE_STATUSES, threshold)
    labels = [f"{m:%b %Y}" for m in table.groups]
    fig = _stacked_counts(table, labels, DEADLINE_STATUSES, ANNUAL_REVIEW_LABELS, "reviews")
    fig = _layout(
        fig,
        "EHC plan annual review deadlines by month",
        barmode="stack",
        yaxis_title="annual reviews",
    )
    gaps = reviews.height - dated.height
    gap_note = (
        f"Not drawn: {show_count(gaps, threshold)} EHC plans with no review date on record "
        "(a gap in the data)."
        if gaps
        else None
    )
    if not any(table.count(m, s) for m in table.groups for s in DEADLINE_STATUSES):
        return _nothing_to_show(
            fig,
            f"No chart of annual review deadlines by month: every month has fewer than "
            f"{threshold} or would reveal one that does; the totals are in the headlines."
            + (f" {gap_note}" if gap_note else ""),
        )
    notes = [n for n in (_hidden_note(table.any_hidden, threshold), gap_note) if n]
    return _with_note(fig, " ".join(notes) or None)


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
            x=[plotly_text(term) for term in terms["term"]],
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


def _hidden_note(any_hidden: bool, threshold: int) -> str | None:
    """The note under a chart that hides counts (none when nothing is hidden)."""
    if not any_hidden:
        return None
    return (
        f"Counts under {threshold} (shown as {small(threshold)} in the hover text), and any "
        "others that would let one be worked out, are not drawn, to protect pupils' privacy."
    )


def _with_note(fig: go.Figure, note: str | None) -> go.Figure:
    """Give a chart its footnote, which outputs print under it in full (never clipped)."""
    if note:
        fig.update_layout(meta={"note": note})
    return fig


def _nothing_to_show(fig: go.Figure, sentence: str) -> go.Figure:
    """Mark a chart with nothing to draw: outputs show ``sentence`` instead of empty axes."""
    fig.update_layout(meta={"empty": sentence})
    return fig


def chart_notes(fig: go.Figure) -> tuple[str | None, str | None]:
    """A chart's footnote, and the sentence to show instead of it when it has nothing to draw."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    return meta.get("note"), meta.get("empty")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
