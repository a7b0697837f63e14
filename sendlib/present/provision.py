"""The provision map for the SENDCo, and the trust overview's cost per registered pupil.

:func:`provision_map` is the SENDCo's own table (pupils by interventions, hours and cost;
it names pupils, so it stays on the SENDCo's desk) and :func:`export_provision_map` writes
it as a CSV through :func:`sendlib.school.outputs.write_csv`. The leadership report's
section, suppressed, is :mod:`sendlib.present.support_hours`.
:func:`cost_per_registered_pupil` is the trust overview's figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from sendlib.present.escape import plotly_text
from sendlib.present.figures import OKABE_ITO
from sendlib.present.privacy import small, suppressed
from sendlib.rules.provision import provision_costs, pupil_provision
from sendlib.school.load import School
from sendlib.school.outputs import write_csv

__all__ = ["cost_per_registered_pupil", "export_provision_map", "provision_map"]

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


def _layout(fig: go.Figure, title: str, **extra) -> go.Figure:
    fig.update_layout(title=dict(text=title, y=0.98), template="plotly_white", **extra)
    return fig


def cost_per_registered_pupil(schools: Sequence[School], as_of: dt.date | None = None) -> go.Figure:
    """The trust overview's bars: each school's provision cost this year per registered pupil.

    "Registered" means on the SEN register (SEN support or an EHC plan) in pupils.csv: the
    number on roll is not in the data, so this is not a cost per pupil on roll. A school
    without a provision map is named with no bar, and so is a school with fewer registered
    pupils than its ``suppress_below``.
    """
    names, values, labels = [], [], []
    for school in schools:
        registered = school.pupils.filter(col("sen_status").is_in(["K", "E"])).height
        names.append(plotly_text(school.name))
        if school.provisions.is_empty() or registered == 0:
            values.append(None)
            labels.append("no provision map")
            continue
        if suppressed(registered, school.policy.suppress_below):
            # A cost shared by a handful of pupils is close to one pupil's support.
            values.append(None)
            labels.append(f"{small(school.policy.suppress_below)} registered pupils: not shown")
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
