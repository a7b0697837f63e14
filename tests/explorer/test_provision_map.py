"""The explorer's provision map tab: its queries, views and widgets (issue 15, point 3)."""

import base64
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import sendlib
from sendlib.explorer.app import CaseloadExplorer
from sendlib.explorer.provision_map import (
    ProvisionFilter,
    map_csv,
    map_totals,
    provision_options,
    provision_rows,
    provision_table,
)
from sendlib.explorer.provision_views import download_link_html, map_table_html

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "harbourside-primary"
AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="module")
def primary():
    return sendlib.load_school(SAMPLE)


@pytest.fixture(scope="module")
def rows(primary):
    return provision_rows(primary, AS_OF)


def test_the_whole_map_matches_each_pupils_provision(primary, rows):
    table = provision_table(rows)
    pupils = sendlib.pupil_provision(primary, AS_OF)
    assert table["pupil_id"].is_unique().all()
    assert set(table["pupil_id"]) == set(pupils["pupil_id"])
    assert map_totals(table)["cost"] == pytest.approx(pupils["cost_this_year"].sum(), abs=0.5)
    assert map_totals(table)["above_notional"] == pupils["above_notional"].sum()


def test_an_intervention_narrows_the_pupils_and_their_cost(primary, rows):
    reading = provision_table(rows, ProvisionFilter(intervention_id="READ"))
    costs = sendlib.provision_costs(primary, AS_OF).filter(
        (pl.col("intervention_id") == "READ") & (pl.col("days_this_year") > 0)
    )
    assert set(reading["pupil_id"]) == set(costs["pupil_id"])
    assert (reading["interventions"] == "Reading catch-up group").all()
    assert reading["cost_this_year"].sum() == pytest.approx(costs["cost_this_year"].sum(), abs=0.1)
    kinds = provision_table(rows, ProvisionFilter(kind="one_to_one"))
    assert kinds["interventions"].str.to_lowercase().str.contains("one-to-one").all()


def test_the_caseload_filters_narrow_the_map(rows):
    some = rows["pupil_id"].unique().sort().head(3).to_list()
    assert provision_table(rows, pupil_ids=some)["pupil_id"].sort().to_list() == some
    assert provision_table(rows, pupil_ids=[]).height == 0


def test_filter_choices_are_in_words_and_only_those_delivered(rows):
    options = provision_options(rows)
    assert options["intervention_id"][0] == ("All interventions", "")
    assert ("Reading catch-up group", "READ") in options["intervention_id"]
    assert ("One to one", "one_to_one") in options["kind"]


def test_the_download_is_the_map_shown_as_neutralised_csv(rows):
    table = provision_table(rows, ProvisionFilter(intervention_id="MATH"))
    rigged = table.with_columns(display_name=pl.lit("=HYPERLINK(1)"))
    link = download_link_html(map_csv(rigged, with_names=True))
    data = link.split("base64,")[1].split('"')[0]
    csv = pl.read_csv(base64.b64decode(data))
    assert csv.height == table.height
    assert (csv["display_name"] == "'=HYPERLINK(1)").all()
    assert "display_name" not in map_csv(table, with_names=False).splitlines()[0]


def test_the_table_escapes_the_schools_text(rows):
    table = provision_table(rows).head(1).with_columns(interventions=pl.lit("<b>x</b>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in map_table_html(table, with_names=False)


def test_the_tab_follows_its_filters_and_the_caseloads(primary):
    explorer = CaseloadExplorer(primary, AS_OF)
    tab = explorer.provision
    assert tab.totals.value == ""  # built only when first shown
    explorer.widget.children[1].value = "Provision map"
    everyone = tab.table_shown().height
    tab.intervention.value = "READ"
    reading = tab.table_shown()
    assert 0 < reading.height < everyone
    assert f"<strong>{reading.height}</strong> pupils shown" in tab.totals.value
    explorer.choose(year_group="5")
    assert set(tab.table_shown()["year_group"]) <= {"5"}
    assert "Provision map" in [*explorer.widget.children[1].options]
