"""Every duty's figures for many schools at once equal each school's own figures."""

import datetime as dt

import polars as pl
import pytest

import sendlib
from sendlib.rules.capacity import CAPACITY_FIGURES, capacity
from sendlib.rules.frame import SchoolGroup
from sendlib.rules.overview import group_figures

AS_OF = dt.date(2026, 3, 6)


def tagged(school, frame: pl.DataFrame, enum: pl.Enum) -> pl.DataFrame:
    return frame.select(pl.lit(school.slug, dtype=enum).alias("school"), pl.all())


@pytest.mark.parametrize(
    "as_of",
    [AS_OF, dt.date(2025, 9, 3), dt.date(2025, 12, 20), dt.date(2026, 3, 27), dt.date(2026, 7, 21)],
)
def test_group_figures_equal_the_per_school_functions(mixed_schools, as_of):
    # One query per figure over every school gives each school's own rows and numbers,
    # term starts, holidays and the last day of the year included.
    group = SchoolGroup.of(mixed_schools)
    figures = group_figures(group, as_of)
    enum = figures.times["school"].dtype
    for name, per_school in (
        ("times", sendlib.response_times),
        ("coverage", sendlib.review_coverage),
        ("reviews", sendlib.annual_reviews),
    ):
        expected = pl.concat([tagged(s, per_school(s, as_of), enum) for s in mixed_schools])
        assert getattr(figures, name).equals(expected), name
    for school, row in zip(mixed_schools, figures.capacity.iter_rows(named=True), strict=True):
        summary = capacity(school, as_of).summary
        assert {k: summary[k] for k in CAPACITY_FIGURES} == {k: row[k] for k in CAPACITY_FIGURES}, (
            school.slug
        )
