"""Whether the support worked: each intervention's impact and cost (DOMAIN.md, "Provision").

A provision's *impact* is exit_measure - entry_measure when both are recorded, its sign
turned when the intervention's measure is one where a lower score is better
(``higher_is_better`` false, such as a difficulties score); *progress* is an impact
above 0.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.rules.provision import provision_costs, with_intervention_columns
from sendlib.school.asof import school_year
from sendlib.school.load import School

__all__ = ["IMPACT_COLUMNS", "intervention_impact", "provision_impact"]

#: The columns of :func:`intervention_impact`, in order.
IMPACT_COLUMNS = (
    "intervention_id", "name", "kind", "pupils", "measured", "with_progress",
    "share_with_progress", "median_change", "cost", "cost_this_year",
    "cost_per_pupil_with_progress",
)  # fmt: skip

col = pl.col


def provision_impact(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """Each provision started by ``as_of`` with its impact (empty unless both measures are known).

    Columns: provision_id, pupil_id, intervention_id, measure_name, entry_measure,
    exit_measure, higher_is_better, impact, progress.
    """
    a = school_year(school, as_of).as_of
    sign = pl.when(col("higher_is_better")).then(1.0).otherwise(-1.0)
    impact = (col("exit_measure") - col("entry_measure")) * sign
    return (
        with_intervention_columns(school)
        .filter(col("starts_on") <= a)
        .with_columns(impact=impact)
        .with_columns(progress=col("impact") > 0)
        .select(
            "provision_id",
            "pupil_id",
            "intervention_id",
            "measure_name",
            "entry_measure",
            "exit_measure",
            "higher_is_better",
            "impact",
            "progress",
        )  # fmt: skip
        .sort("pupil_id", "provision_id")
    )


def intervention_impact(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per intervention with provision started by ``as_of``: reach, progress and cost.

    - pupils: pupils who had it; measured: pupils with both measures recorded on one of
      their provisions of it; with_progress: pupils with progress on one of them.
    - share_with_progress = with_progress / measured (empty when none was measured);
      median_change: the median impact over the measured provisions.
    - cost: the cost of all its provisions to ``as_of`` (:func:`provision_costs`),
      cost_this_year this school year's; cost_per_pupil_with_progress = cost /
      with_progress (empty when no pupil made progress).
    """
    a = school_year(school, as_of).as_of
    impacts = provision_impact(school, a)
    measured = impacts.filter(col("impact").is_not_null())
    reach = impacts.group_by("intervention_id").agg(pupils=col("pupil_id").n_unique())
    results = measured.group_by("intervention_id").agg(
        measured=col("pupil_id").n_unique(),
        with_progress=col("pupil_id").filter(col("progress")).n_unique(),
        median_change=col("impact").median(),
    )
    costs = (
        provision_costs(school, a)
        .group_by("intervention_id")
        .agg(cost=col("cost").sum(), cost_this_year=col("cost_this_year").sum())
    )
    counted = ("measured", "with_progress")
    return (
        school.interventions.select("intervention_id", "name", "kind")
        .join(reach, on="intervention_id", how="inner")
        .join(results, on="intervention_id", how="left")
        .join(costs, on="intervention_id", how="left")
        .with_columns(*(col(c).fill_null(0).cast(pl.Int64) for c in counted))
        .with_columns(
            pupils=col("pupils").cast(pl.Int64),
            share_with_progress=pl.when(col("measured") > 0).then(
                col("with_progress") / col("measured")
            ),
            cost_per_pupil_with_progress=pl.when(col("with_progress") > 0).then(
                col("cost") / col("with_progress")
            ),
        )
        .select(IMPACT_COLUMNS)
        .sort("intervention_id")
    )
