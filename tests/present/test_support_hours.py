"""Where the support hours go: hidden hours and costs cannot be worked back (issue 15).

A group's hours and cost are sums over its pupils. The hand-worked cases follow DOMAIN.md
"Privacy" and "Provision"; the property test plays a reader who subtracts the shown
costs from the shown total.
"""

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendlib import load_school
from sendlib.present import support_hours
from sendlib.present.privacy import WITHHELD
from sendlib.present.support_hours import ALL, SupportBreakdown, protect_sums

SAMPLES = Path(__file__).resolve().parents[2] / "data_samples"
AS_OF = dt.date(2026, 3, 6)


def _breakdown(pupils: list[int], costs: list[float], threshold: int = 5) -> SupportBreakdown:
    groups = pl.DataFrame(
        {
            "group": [f"G{i}" for i in range(len(pupils))],
            "pupils": pupils,
            "hours": [c / 10 for c in costs],
            "cost": costs,
        }
    )
    shown = protect_sums(dict(zip(groups["group"], pupils, strict=True)), threshold)
    return SupportBreakdown("primary_need", groups, sum(pupils), shown, threshold)


def _pounds(text: str) -> int:
    return int(text.replace(",", ""))


def test_one_small_group_takes_the_next_smallest_with_it():
    # Need A has 3 pupils costing GBP 900. Were only A hidden, 900 = 10,900 - 6,000 - 4,000:
    # so B (the smallest other group, 12 pupils) is hidden with it, and a reader who
    # subtracts learns only that A and B cost GBP 4,900 together.
    table = _breakdown([3, 12, 30], [900, 4000, 6000]).table()
    assert table["Pupils"].to_list() == ["<5", WITHHELD, "30", "45"]
    assert table["Cost (GBP)"].to_list() == ["-", "-", "6,000", "10,900"]
    assert table["Hours"].to_list() == ["-", "-", "600", "1,090"]
    assert table["Share of cost"].to_list() == ["-", "-", "55%", "100%"]
    assert table[-1, 0] == ALL


def test_two_small_groups_protect_each_other():
    # 2 and 4 pupils are both under 5; hidden together, neither cost can be told apart.
    table = _breakdown([2, 4, 20], [300, 700, 5000]).table()
    assert table["Pupils"].to_list() == ["<5", "<5", "20", "26"]
    assert table["Cost (GBP)"].to_list() == ["-", "-", "5,000", "6,000"]


def test_nothing_is_hidden_when_every_group_is_large_enough():
    table = _breakdown([5, 9], [100, 300]).table()
    assert table["Cost (GBP)"].to_list() == ["100", "300", "400"]
    assert table["Share of cost"].to_list() == ["25%", "75%", "100%"]


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.integers(1, 6), st.integers(1, 40)),
            st.floats(1, 50_000, allow_nan=False),
        ),
        min_size=2,
        max_size=8,
    ),
    threshold=st.integers(3, 7),
)
def test_no_hidden_cost_or_hours_can_be_worked_back_from_the_total(rows, threshold):
    pupils, costs = [r[0] for r in rows], [r[1] for r in rows]
    table = _breakdown(pupils, costs, threshold).table()
    body = table[:-1]
    hidden = body.filter(pl.col("Cost (GBP)") == "-")
    # Primary suppression: every group under the threshold hides its sums.
    assert all(
        cost == "-" for n, cost in zip(pupils, body["Cost (GBP)"], strict=True) if n < threshold
    )
    # Hours, cost and share are hidden together, with the pupil count.
    for column in ("Hours", "Share of cost"):
        assert ((body[column] == "-") == (body["Cost (GBP)"] == "-")).all()
    assert (hidden["Pupils"].is_in(["<5".replace("5", str(threshold)), WITHHELD])).all()
    # The total less the shown rows is one sum over the hidden ones: never a single group.
    assert hidden.height != 1
    shown_total = sum(_pounds(c) for c in body["Cost (GBP)"] if c != "-")
    assert _pounds(table[-1, "Cost (GBP)"]) - shown_total >= -len(rows)  # rounding only


@pytest.mark.parametrize("sample", ["harbourside-primary", "northgate-secondary"])
def test_the_samples_never_hide_a_lone_group(sample):
    school = load_school(SAMPLES / sample)
    for by in support_hours.BREAKDOWNS:
        table = support_hours.support_by(school, by, AS_OF)
        assert table[:-1].filter(pl.col("Cost (GBP)") == "-").height != 1, by


def test_the_impact_table_hides_costs_where_the_breakdown_does():
    school = load_school(SAMPLES / "harbourside-primary")
    by_name = support_hours.support_by(school, "name", AS_OF)
    impact = support_hours.impact_table(school, AS_OF)
    joined = impact.join(by_name, on="Intervention", suffix=" (breakdown)")
    assert (joined["Cost this year (GBP)"] == joined["Cost (GBP)"]).all()
    # Maths catch-up: all 7 measured made progress, so its share is hidden (no complement),
    # and its cost per pupil with progress, which would give the count back, is too.
    maths = impact.filter(pl.col("Intervention") == "Maths catch-up group").row(0, named=True)
    assert maths["Measured"] == "7" and maths["With progress"] == WITHHELD
    assert maths["Cost per pupil with progress (GBP)"] == "-"
    per_pupil = impact.filter(pl.col("Cost per pupil with progress (GBP)") != "-")
    assert per_pupil["With progress"].str.ends_with("%").all()


def test_actions_name_a_costly_intervention_with_little_progress(tmp_path):
    # Northgate with In-class support's measured pupils all ending where they began: 8
    # measured, 0 with progress (a true zero is shown), under half, and GBP 120 a pupil,
    # above the typical intervention's cost per pupil (DOMAIN "Provision": impact).
    import shutil

    folder = shutil.copytree(SAMPLES / "northgate-secondary", tmp_path / "northgate")
    provisions = pl.read_csv(folder / "provisions.csv", infer_schema=False)
    provisions = provisions.with_columns(
        exit_measure=pl.when(
            (pl.col("intervention_id") == "INC") & pl.col("exit_measure").is_not_null()
        )
        .then(pl.col("entry_measure"))
        .otherwise(pl.col("exit_measure"))
    )
    provisions.write_csv(folder / "provisions.csv")
    actions = support_hours.provision_actions(load_school(folder), AS_OF)
    assert any(a.startswith("Review In-class support: 0 of the 8") for a in actions), actions
    assert any("top-up" in a and "together GBP" in a for a in actions)
