"""Figures for reports: small group counts are not drawn and their hover text says "<5"."""

import datetime as dt
from pathlib import Path

import sendlib
from sendlib.present import figures
from sendlib.rules.capacity import capacity

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
AS_OF = dt.date(2026, 3, 6)
SCHOOL = sendlib.load_school(TINY)


def test_coverage_bars_hide_groups_under_the_threshold():
    coverage = sendlib.review_coverage(SCHOOL, AS_OF)
    fig = figures.coverage_by_group(coverage, "year_group", 5, "t")
    # Every year group holds one registered pupil: nothing drawn, every hover says <5.
    for trace in fig.data:
        assert all(y is None for y in trace.y)
        assert set(trace.customdata) == {"<5"}
    # With threshold 1 (the SENDCo's own notebooks) the counts show: P3 in Year 6 never met.
    shown = figures.coverage_by_group(coverage, "year_group", 1, "t")
    never = next(t for t in shown.data if t.name == "Not met this year")
    assert dict(zip(never.x, never.y, strict=True))["Year 6"] == 1


def test_year_groups_are_in_curriculum_order():
    coverage = sendlib.review_coverage(SCHOOL, AS_OF)
    fig = figures.coverage_by_group(coverage, "year_group", 1, "t")
    assert list(fig.data[0].x) == ["Year 2", "Year 3", "Year 4", "Year 6"]


def test_annual_review_chart_counts_by_deadline_month():
    reviews = sendlib.annual_reviews(SCHOOL, AS_OF)
    fig = figures.annual_review_deadlines(reviews, 1)
    overdue = next(t for t in fig.data if t.name == "Overdue")
    # P3's deadline is the Year 6 transfer deadline, 14 Feb 2026.
    assert list(overdue.x) == ["Feb 2026"] and list(overdue.y) == [1]


def test_capacity_chart_shows_supply_in_hours():
    cap = capacity(SCHOOL, AS_OF)
    fig = figures.capacity_weekly(cap)
    supply = next(t for t in fig.data if t.name == "Protected SENDCo hours")
    # A full week: 4 SENDCo days (Mon, Wed, Thu, Fri) x 4 protected hours.
    assert max(supply.y) == 16.0


def test_annual_review_chart_says_how_many_plans_have_no_review_on_record():
    # Issue 12 point 3: as of 1 Dec 2025 the primary sample has one EHC plan with no review
    # on record (a data gap): not drawn as a deadline, counted under the chart (<5).
    school = sendlib.load_school(
        Path(__file__).resolve().parents[2] / "data_samples" / "harbourside-primary"
    )
    reviews = sendlib.annual_reviews(school, dt.date(2025, 12, 1))
    fig = figures.annual_review_deadlines(reviews, 5)
    # Footnotes are printed under the chart as text (issue 12 point 8: never clipped).
    note, empty = figures.chart_notes(fig)
    assert "<5 EHC plans with no review date on record" in (note or empty or "")
    assert "No review date on record" not in {t.name for t in fig.data}
