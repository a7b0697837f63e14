"""The provision map, "Where the support hours go" and the trust figure (sendlib.present.provision)."""

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest

from sendlib import load_school, provision_costs
from sendlib.present import provision, support_hours
from sendlib.present.privacy import WITHHELD

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="module")
def primary():
    return load_school(ROOT / "data_samples" / "harbourside-primary")


def test_the_map_has_one_row_per_pupil_and_exports_as_csv(primary, tmp_path):
    table = provision.provision_map(primary, AS_OF)
    assert table["pupil_id"].is_unique().all()
    assert table["cost_this_year"].sum() == pytest.approx(
        provision_costs(primary, AS_OF)["cost_this_year"].sum(), abs=1
    )
    path = provision.export_provision_map(primary, tmp_path / "map.csv", AS_OF)
    assert pl.read_csv(path).height == table.height
    assert os.stat(path).st_mode & 0o777 == 0o600


@pytest.mark.parametrize("by", list(support_hours.BREAKDOWNS))
def test_small_groups_hide_their_count_hours_and_cost(primary, by):
    table = support_hours.support_by(primary, by, AS_OF)
    small = table.filter(pl.col("Pupils") == "<5")
    assert (small["Hours"] == "-").all() and (small["Cost (GBP)"] == "-").all()
    shown = table.filter(~pl.col("Pupils").is_in(["<5", WITHHELD]))
    assert shown["Pupils"].cast(pl.Int64).min() >= 5


def test_the_impact_table_hides_what_would_give_a_small_count_away(primary):
    table = support_hours.impact_table(primary, AS_OF)
    hidden = table.filter(pl.col("With progress") == "<5")
    assert (hidden["Cost per pupil with progress (GBP)"] == "-").all()
    assert (table.filter(pl.col("Pupils") == "<5")["Cost this year (GBP)"] == "-").all()


def test_actions_count_pupils_above_the_threshold_without_naming_them(primary):
    actions = support_hours.provision_actions(primary, AS_OF)
    assert any("top-up" in action for action in actions)
    assert not any("HP0" in action for action in actions)


def test_the_trust_figure_is_labelled_per_registered_pupil(primary, school):
    without = load_school(school)  # the tiny school has no provision map
    fig = provision.cost_per_registered_pupil([primary, without], AS_OF)
    assert "registered pupil" in fig.layout.title.text
    assert "on roll are not in the data" in fig.layout.title.text
    bar = fig.data[0]
    registered = primary.pupils.filter(pl.col("sen_status").is_in(["K", "E"])).height
    cost = provision_costs(primary, AS_OF)["cost_this_year"].sum()
    assert bar.y[0] == pytest.approx(cost / registered)
    assert bar.y[1] is None and bar.text[1] == "no provision map"


def test_the_trust_figure_hides_a_school_with_few_registered_pupils(school):
    """Privacy (DOMAIN.md): the tiny school's provision (tests/rules/test_provision.py) is
    shared by 4 registered pupils (P1, P2, P4 on SEN support, P3 with an EHC plan), under the
    default threshold of 5: its cost per registered pupil is close to one pupil's support,
    so it gets no bar and says why."""
    (school / "interventions.csv").write_text(
        "intervention_id,name,kind,staff_role,hourly_cost,group_size,sessions_per_week,"
        "minutes_per_session,annual_cost,higher_is_better\n"
        "TA,One-to-one support,one_to_one,teaching assistant,27.50,1,5,60,,\n",
        encoding="utf-8",
    )
    (school / "provisions.csv").write_text(
        "provision_id,pupil_id,intervention_id,starts_on,ends_on,entry_measure,exit_measure,"
        "measure_name\nV1,P2,TA,2025-09-03,,,,\n",
        encoding="utf-8",
    )
    tiny = load_school(school)
    assert tiny.pupils.filter(pl.col("sen_status").is_in(["K", "E"])).height == 4
    fig = provision.cost_per_registered_pupil([tiny], AS_OF)
    assert fig.data[0].y[0] is None
    assert fig.data[0].text[0] == "<5 registered pupils: not shown"
