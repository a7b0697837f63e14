"""What-if for provision: more teaching-assistant hours, or a larger group (issue 15, point 5).

The lever moves one intervention's staff hours a week or its group size and shows the
cost this school year and the pupils reached, before and after:
*places* = weekly hours / session hours x group size, where the "session" is one
group's sessions in a week (sessions_per_week x minutes_per_session / 60; with one
session a week, the formula's own words). Staff time costs the same whatever the group's
size, so a larger group reaches more pupils at the same cost.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import polars as pl

from sendlib.rules.provision import provision_costs
from sendlib.school.asof import school_year
from sendlib.school.load import School

__all__ = ["Reach", "busiest_group", "intervention_lever", "lever_table", "reach_now"]


@dataclass(frozen=True)
class Reach:
    """One intervention's staffing: staff hours a week, a group's hours a week, group size."""

    weekly_hours: float
    group_hours: float
    group_size: int
    hourly_cost: float
    school_weeks: float

    @property
    def places(self) -> float:
        """Pupils it can reach: weekly hours / a group's hours a week x group size."""
        return self.weekly_hours / self.group_hours * self.group_size

    @property
    def cost(self) -> float:
        """Staff cost over the school year: weekly hours x hourly cost x school weeks."""
        return self.weekly_hours * self.hourly_cost * self.school_weeks

    @property
    def cost_per_place(self) -> float | None:
        """The year's cost per pupil reached (``None`` with no places)."""
        return self.cost / self.places if self.places else None

    def moved(self, ta_hours_per_week_change: float = 0.0, group_size_change: int = 0) -> Reach:
        """The same intervention with the lever moved (never below 0 hours or 1 pupil a group)."""
        return replace(
            self,
            weekly_hours=max(0.0, self.weekly_hours + ta_hours_per_week_change),
            group_size=max(1, self.group_size + group_size_change),
        )


def reach_now(school: School, intervention_id: str, as_of: dt.date | None = None) -> Reach:
    """An intervention's staffing as of ``as_of``: enough groups for the pupils it has now.

    Groups = pupils with it running / group size, rounded up; weekly hours = groups x a
    group's hours a week; school weeks = the school year's school days / 5. Only for
    interventions run in sessions (a resource has no hours).
    """
    year = school_year(school, as_of)
    row = school.interventions.filter(pl.col("intervention_id") == intervention_id)
    if row.height != 1:
        raise ValueError(f"no intervention {intervention_id!r} in interventions.csv")
    it = row.row(0, named=True)
    if it["kind"] == "resource" or not it.get("sessions_per_week"):
        raise ValueError(f"{it['name']} is a resource, not run in sessions: it has no hours")
    running = provision_costs(school, year.as_of).filter(
        (pl.col("intervention_id") == intervention_id) & pl.col("running")
    )
    group_size = int(it["group_size"])
    group_hours = it["sessions_per_week"] * it["minutes_per_session"] / 60
    groups = math.ceil(running["pupil_id"].n_unique() / group_size)
    days = len(school.calendar.school_days(year.start, year.end))
    return Reach(groups * group_hours, group_hours, group_size, it["hourly_cost"], days / 5)


def lever_table(before: Reach, after: Reach) -> pl.DataFrame:
    """Before and after as a small table for a notebook, in a SENDCo's words."""
    rows = [
        (name, r.weekly_hours, r.group_size, r.places, r.cost, r.cost_per_place)
        for name, r in (("Now", before), ("With the change", after))
    ]
    return pl.DataFrame(
        rows,
        schema={
            "": pl.String,
            "Staff hours a week": pl.Float64,
            "Group size": pl.Int64,
            "Pupils reached (places)": pl.Float64,
            "Cost this school year (GBP)": pl.Float64,
            "Cost per place (GBP)": pl.Float64,
        },
        orient="row",
    ).with_columns(pl.selectors.float().round(1))


def intervention_lever(
    school: School,
    intervention_id: str,
    as_of: dt.date | None = None,
    ta_hours_per_week_change: float = 0.0,
    group_size_change: int = 0,
) -> pl.DataFrame:
    """The lever on one intervention: cost and places now and with the change."""
    before = reach_now(school, intervention_id, as_of)
    return lever_table(before, before.moved(ta_hours_per_week_change, group_size_change))


def busiest_group(school: School, as_of: dt.date | None = None) -> str | None:
    """The small-group intervention with the most pupils running now (the lever's default)."""
    year = school_year(school, as_of)
    running = (
        provision_costs(school, year.as_of)
        .filter(pl.col("running") & (pl.col("kind") == "small_group"))
        .group_by("intervention_id")
        .agg(pupils=pl.col("pupil_id").n_unique())
        .sort(["pupils", "intervention_id"], descending=[True, False])
    )
    return running["intervention_id"][0] if running.height else None
