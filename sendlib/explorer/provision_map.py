"""The explorer's "Provision map" tab as data: pupils by interventions, hours and cost.

One row per pupil with provision this school year, narrowed by an intervention, a kind
of intervention and the caseload filters (the pupils they show). With an intervention
or a kind chosen, a pupil's hours and cost are those of the matching provisions only;
above_notional stays the pupil's own flag over all their provision. The tab is the
SENDCo's own (it names pupils), so nothing here is suppressed. No HTML: that is
:mod:`sendlib.explorer.provision_views`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from sendlib.explorer.queries import ALL
from sendlib.rules.provision import provision_costs, pupil_provision
from sendlib.school.load import School
from sendlib.school.outputs import neutralise_formulas

__all__ = [
    "KIND_LABELS",
    "ProvisionFilter",
    "map_csv",
    "map_totals",
    "provision_options",
    "provision_rows",
    "provision_table",
]

#: Kinds of intervention (DOMAIN.md "Provision") in a SENDCo's words.
KIND_LABELS = {
    "small_group": "Small group",
    "one_to_one": "One to one",
    "in_class": "In class",
    "external_specialist": "External specialist",
    "resource": "Resource",
}
#: The map's columns, in order (display_name only where the school records names).
MAP_COLUMNS = (
    "pupil_id", "display_name", "year_group", "sen_status", "primary_need", "interventions",
    "hours_this_year", "cost_this_year", "projected_cost", "above_notional",
)  # fmt: skip

col = pl.col


@dataclass(frozen=True)
class ProvisionFilter:
    """The tab's own filters; ``None`` or ``ALL`` means every intervention or kind."""

    intervention_id: str | None = None
    kind: str | None = None


def provision_rows(school: School, as_of: dt.date) -> pl.DataFrame:
    """One row per provision delivered this school year, with its pupil's details.

    Columns: pupil_id, display_name (null where not recorded), year_group, sen_status,
    primary_need, intervention_id, name, kind, hours_this_year, cost_this_year,
    projected_cost, above_notional (the pupil's, over all their provision).
    """
    pupils = school.pupils
    if "display_name" not in pupils.columns:
        pupils = pupils.with_columns(display_name=pl.lit(None, pl.String))
    flags = pupil_provision(school, as_of).select("pupil_id", "above_notional")
    return (
        provision_costs(school, as_of)
        .filter(col("days_this_year") > 0)
        .select(
            "pupil_id",
            "intervention_id",
            "name",
            "kind",
            "hours_this_year",
            "cost_this_year",
            "projected_cost",
        )  # fmt: skip
        .join(
            pupils.select("pupil_id", "display_name", "year_group", "sen_status", "primary_need"),
            on="pupil_id",
            how="left",
        )
        .join(flags, on="pupil_id", how="left")
        .with_columns(col("hours_this_year").fill_null(0.0), col("above_notional").fill_null(False))
    )


def provision_options(rows: pl.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """The tab's filter choices as (label, value), "All ..." first, only those delivered."""
    interventions = rows.select("name", "intervention_id").unique().sort("name")
    kinds = set(rows["kind"].to_list())
    return {
        "intervention_id": [("All interventions", ALL), *interventions.iter_rows()],
        "kind": [
            ("All kinds", ALL),
            *((label, kind) for kind, label in KIND_LABELS.items() if kind in kinds),
        ],
    }


def provision_table(
    rows: pl.DataFrame,
    chosen: ProvisionFilter = ProvisionFilter(),
    pupil_ids: Collection[str] | None = None,
) -> pl.DataFrame:
    """The map for the choice: one row per pupil, the costliest first (columns MAP_COLUMNS).

    ``pupil_ids`` are the pupils the caseload filters show (``None``: no caseload filter
    is set, so every pupil with provision). Figures are rounded to tenths of an hour and
    to pence.
    """
    conditions = [
        col(name) == value
        for name, value in (("intervention_id", chosen.intervention_id), ("kind", chosen.kind))
        if value not in (None, ALL)
    ]
    if pupil_ids is not None:
        conditions.append(col("pupil_id").is_in(list(pupil_ids)))
    chosen_rows = rows.filter(*conditions) if conditions else rows
    return (
        chosen_rows.group_by(
            "pupil_id",
            "display_name",
            "year_group",
            "sen_status",
            "primary_need",
            "above_notional",
        )  # fmt: skip
        .agg(
            interventions=col("name").unique().sort().str.join("; "),
            hours_this_year=col("hours_this_year").sum().round(1),
            cost_this_year=col("cost_this_year").sum().round(2),
            projected_cost=col("projected_cost").sum().round(2),
        )
        .select(MAP_COLUMNS)
        .sort(["cost_this_year", "pupil_id"], descending=[True, False])
    )


def map_totals(table: pl.DataFrame) -> dict[str, float | int]:
    """The map's pupils, hours and cost this year, and pupils above the notional threshold."""
    return {
        "pupils": table.height,
        "hours": float(table["hours_this_year"].sum()),
        "cost": float(table["cost_this_year"].sum()),
        "above_notional": int(table["above_notional"].sum()),
    }


def map_csv(table: pl.DataFrame, with_names: bool) -> str:
    """The map as CSV text for the download link, formula cells neutralised.

    The same neutralising as :func:`sendlib.school.outputs.write_csv`; names only where
    the page shows them.
    """
    shown = table if with_names else table.drop("display_name")
    return neutralise_formulas(shown).write_csv()
