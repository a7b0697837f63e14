"""Plotly figures for the staffing what-if report, built from :class:`sendlib.planning.whatif.WhatIfResult`.

Every figure shows the spread of the simulation, not a single number: a median with its
10-90% band (80% of runs fall inside it). Colours follow the Okabe-Ito palette of
:mod:`sendlib.present.figures`; the baseline is always the first colour. Nothing here describes a
pupil or a group of pupils, so no count needs suppressing. Scenario labels come from the
user's scenarios file, so they pass through :func:`sendlib.present.escape.plotly_text`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sendlib.planning.whatif import METRIC_KIND, WhatIfResult, summarise
from sendlib.planning.whatif.summary import shown_metrics
from sendlib.present.escape import plotly_text
from sendlib.present.figures import OKABE_ITO

_LAYOUT = dict(
    template="plotly_white",
    font=dict(size=13),
    margin=dict(l=60, r=20, t=70, b=50),
)


def _colours(result: WhatIfResult) -> dict[str, str]:
    """A colour per scenario, the baseline first."""
    names = [result.baseline.scenario.name] + [
        n for n in result.results if n != result.baseline.scenario.name
    ]
    return {n: OKABE_ITO[i % len(OKABE_ITO)] for i, n in enumerate(names)}


def outcome_bands(result: WhatIfResult) -> go.Figure:
    """One panel per result: each scenario's median (dot) and 10-90% band (bar).

    The baseline's median is drawn as a dotted line across its panel, so a scenario's
    move away from it, and whether its band still covers it, can be read at a glance.
    """
    summary = summarise(result)
    metrics = shown_metrics(result)
    keys = list(metrics)
    cols = 2
    rows = (len(keys) + cols - 1) // cols
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[metrics[k] for k in keys],
        shared_yaxes=True,
        horizontal_spacing=0.06,
        vertical_spacing=0.12,
    )
    colours = _colours(result)
    labels = {n: plotly_text(r.scenario.title) for n, r in result.results.items()}
    order = list(reversed(list(colours)))
    base = result.baseline.scenario.name
    for i, key in enumerate(keys):
        row, col = i // cols + 1, i % cols + 1
        share = METRIC_KIND[key] == "share"
        scale = 100.0 if share else 1.0
        for name in order:
            values = summary.filter((summary["scenario"] == name) & (summary["metric"] == key)).row(
                0, named=True
            )
            median, low, high = (values[k] * scale for k in ("median", "p10", "p90"))
            unit = "%" if share else ""
            fig.add_trace(
                go.Scatter(
                    x=[median],
                    y=[labels[name]],
                    mode="markers",
                    marker=dict(color=colours[name], size=11),
                    error_x=dict(
                        type="data",
                        symmetric=False,
                        array=[max(high - median, 0)],
                        arrayminus=[max(median - low, 0)],
                        color=colours[name],
                        thickness=2,
                        width=6,
                    ),
                    showlegend=False,
                    hovertemplate=(
                        f"{labels[name]}<br>median %{{x:.0f}}{unit}<br>"
                        f"80% of runs {low:.0f}{unit} to {high:.0f}{unit}<extra></extra>"
                    ),
                ),
                row=row,
                col=col,
            )
        baseline = summary.filter((summary["scenario"] == base) & (summary["metric"] == key))[
            "median"
        ][0]
        if np.isfinite(baseline):
            fig.add_vline(x=baseline * scale, line_dash="dot", line_color="#777", row=row, col=col)
        if share:
            fig.update_xaxes(ticksuffix="%", row=row, col=col)
    fig.update_layout(
        title=dict(text="Results by scenario: median and 80% band over the runs", y=0.99),
        height=260 * rows + 80,
        **_LAYOUT,
    )
    return fig


def waiting_for_reply(result: WhatIfResult) -> go.Figure:
    """Requests waiting for a reply at the end of each school day, by scenario.

    The average over runs for every scenario; the baseline also shows its 10-90% band.
    """
    days = list(result.model.simulated_days)
    colours = _colours(result)
    fig = go.Figure()
    base = result.baseline
    low, high = base.waiting[0], base.waiting[2]
    fig.add_trace(
        go.Scatter(
            x=days + days[::-1],
            y=list(high) + list(low[::-1]),
            fill="toself",
            fillcolor="rgba(0,114,178,0.15)",
            line=dict(width=0),
            hoverinfo="skip",
            name=plotly_text(f"{base.scenario.title}: 80% band"),
        )
    )
    for name in colours:
        res = result.results[name]
        title = plotly_text(res.scenario.title)
        fig.add_trace(
            go.Scatter(
                x=days,
                y=res.waiting[3].round(1),
                mode="lines",
                line=dict(color=colours[name], width=3 if name == base.scenario.name else 2),
                name=title,
                hovertemplate="%{x|%a %d %b}: %{y:.1f} waiting on average<extra>"
                + title
                + "</extra>",
            )
        )
    fig.update_layout(
        title=dict(text="Requests waiting for a reply (average over runs)", y=0.98),
        yaxis_title="requests",
        height=420,
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
        **_LAYOUT,
    )
    return fig


def on_time_spread(result: WhatIfResult) -> go.Figure:
    """How the share of on-time replies varies from run to run, per scenario (box plots)."""
    colours = _colours(result)
    fig = go.Figure()
    for name in colours:
        res = result.results[name]
        values = res.metrics["on_time_share"]
        fig.add_trace(
            go.Box(
                x=(values[np.isfinite(values)] * 100).round(1),
                name=plotly_text(res.scenario.title),
                marker_color=colours[name],
                boxpoints=False,
                hoverinfo="x",
            )
        )
    within = result.model.school.policy.acknowledge_within_school_days
    fig.update_layout(
        title=dict(
            text=f"Share of requests acknowledged within {within} school days, across runs",
            y=0.98,
        ),
        xaxis=dict(ticksuffix="%", range=[0, 100]),
        yaxis=dict(autorange="reversed"),
        showlegend=False,
        height=120 + 50 * len(colours),
        **_LAYOUT,
    )
    return fig
