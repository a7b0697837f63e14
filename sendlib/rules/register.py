"""The register over time: flows between its lists, and the January census snapshot.

``register_changes.csv`` records each move between monitored (M), SEN support (K), an EHC
plan (E) and off the school's lists (an empty ``from_status`` for a pupil on no list
before, ``left`` for a pupil who left). :func:`register_flows` counts the moves term by
term; :func:`register_on` rebuilds who was on which list on a day; and
:func:`census_snapshot` counts the register by primary need and status on the spring
census day, the figures a school publishes in its SEN information report.

The spring school census is taken on the third Thursday of January (16 January 2025,
15 January 2026: DfE's school census dates as local authorities publish them, for
example East Sussex's "School census dates 2025 to 2026"; the census guide calls it
"census day").
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.school.asof import academic_year_start, school_year
from sendlib.school.load import School
from sendlib.school.schema import CENSUS_NEEDS

__all__ = [
    "CENSUS_STATUSES",
    "FLOW_STATES",
    "census_day",
    "census_day_of",
    "census_snapshot",
    "register_flows",
    "register_on",
]

#: Where a pupil can be: monitored, SEN support, an EHC plan, or on no list ("off").
FLOW_STATES = ("M", "K", "E", "off")
#: The census counts the register only: SEN support and EHC plans.
CENSUS_STATUSES = ("K", "E")
#: The census need of a pupil who left and is no longer in pupils.csv.
NOT_RECORDED = "not recorded"

col = pl.col


def census_day(year: int) -> dt.date:
    """The spring census day of a calendar year: the third Thursday of January."""
    first = dt.date(year, 1, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=2)


def census_day_of(as_of: dt.date) -> dt.date:
    """The latest spring census day on or before ``as_of``."""
    day = census_day(as_of.year)
    return day if day <= as_of else census_day(as_of.year - 1)


def register_flows(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """The register changes made by ``as_of``, counted by period and by move.

    Columns: period (a term of ``school.toml``; a change in a holiday counts in the next
    term; before the calendar, the school year, e.g. ``2024/25``), period_start,
    from_state, to_state (M, K, E or off: an empty from_status and ``left`` are off the
    lists), changes. Sorted by period, then by the order of :data:`FLOW_STATES`.
    """
    a = school_year(school, as_of).as_of
    changes = school.register_changes.filter(col("changed_on") <= a)
    state_order = pl.Enum(FLOW_STATES)
    periods = _periods(school, changes["changed_on"])
    return (
        changes.with_columns(
            from_state=col("from_status").fill_null("off").replace("left", "off"),
            to_state=col("to_status").replace("left", "off"),
        )
        .join(periods, on="changed_on", how="left")
        .group_by("period", "period_start", "from_state", "to_state")
        .agg(changes=pl.len().cast(pl.Int64))
        .with_columns(col("from_state", "to_state").cast(state_order))
        .sort("period_start", "from_state", "to_state")
        .with_columns(col("from_state", "to_state").cast(pl.String))
        .select("period", "period_start", "from_state", "to_state", "changes")
    )


def register_on(school: School, day: dt.date) -> pl.DataFrame:
    """Each pupil on a list (K, E or M) on ``day``: pupil_id, status, primary_need.

    A pupil's status on ``day`` is the to_status of their last change on or before it;
    with none by then, the from_status of their first later change (empty: on no list).
    A pupil with no recorded change is on their pupils.csv status from registered_on (or
    always, when it is empty). primary_need is today's, from pupils.csv ("not recorded"
    for a pupil who left and is no longer listed there).
    """
    changes = school.register_changes.sort("changed_on")
    before = changes.filter(col("changed_on") <= day)
    after = changes.filter(col("changed_on") > day)
    by_changes = pl.concat(
        [
            before.group_by("pupil_id").agg(status=col("to_status").last()),
            after.filter(~col("pupil_id").is_in(before["pupil_id"].implode()))
            .group_by("pupil_id")
            .agg(status=col("from_status").first()),
        ]
    )
    pupils = school.pupils
    unchanged = pupils.filter(
        ~col("pupil_id").is_in(changes["pupil_id"].implode()),
        col("registered_on").is_null() | (col("registered_on") <= day),
    ).select("pupil_id", status=col("sen_status"))
    return (
        pl.concat([by_changes, unchanged])
        .filter(col("status").is_in(["K", "E", "M"]))
        .join(pupils.select("pupil_id", "primary_need"), on="pupil_id", how="left")
        .with_columns(col("primary_need").fill_null(NOT_RECORDED))
        .sort("pupil_id")
    )


def census_snapshot(school: School, as_of: dt.date | None = None) -> pl.DataFrame:
    """The register on the last spring census day by ``as_of``, by primary need and status.

    Columns: census_on, primary_need (census order, then "not recorded"), K, E, all. One
    row per need with at least one pupil; monitored pupils are not on the register, so
    not in the census.
    """
    a = school_year(school, as_of).as_of
    day = census_day_of(a)
    needs = [*CENSUS_NEEDS, NOT_RECORDED]
    on_day = register_on(school, day).filter(col("status").is_in(CENSUS_STATUSES))
    counts = {status: (col("status") == status).sum().cast(pl.Int64) for status in CENSUS_STATUSES}
    return (
        on_day.group_by("primary_need")
        .agg(**counts, all=pl.len().cast(pl.Int64))
        .with_columns(order=col("primary_need").replace_strict(needs, range(len(needs))))
        .sort("order")
        .select(pl.lit(day).alias("census_on"), "primary_need", *CENSUS_STATUSES, "all")
    )


def _periods(school: School, days: pl.Series) -> pl.DataFrame:
    """Each change day's period: its term, the next term in a holiday, else its school year."""
    terms = school.calendar.terms
    rows = []
    for day in days.unique().to_list():
        term = next((t for t in terms if day <= t.end), None)
        if term is not None and day >= school.calendar.covers_from:
            rows.append((day, term.name, term.start))
        else:
            start = academic_year_start(day)
            rows.append((day, f"{start.year}/{(start.year + 1) % 100:02d}", start))
    return pl.DataFrame(
        rows,
        schema={"changed_on": pl.Date, "period": pl.String, "period_start": pl.Date},
        orient="row",
    )
