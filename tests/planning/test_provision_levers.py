"""The provision what-if lever: places and cost before and after (issue 15, point 5)."""

import datetime as dt
from pathlib import Path

import pytest

import sendlib
from sendlib.planning.provision_levers import Reach, intervention_lever, reach_now

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "harbourside-primary"
AS_OF = dt.date(2026, 3, 6)


def test_places_and_cost_worked_by_hand():
    # A reading group: 5 sessions of 20 minutes a week, so a group takes 5/3 hours a week;
    # 10 teaching-assistant hours a week run 6 groups of 4: 10 / (5/3) x 4 = 24 places.
    # Cost: 10 h x GBP 20.45 x 39 weeks = GBP 7,975.50, GBP 332.31 a place.
    now = Reach(10, 5 / 3, 4, 20.45, 39)
    assert now.places == pytest.approx(24)
    assert now.cost == pytest.approx(7975.50)
    assert now.cost_per_place == pytest.approx(332.3125)
    # 2.5 more hours and groups of 5: 12.5 / (5/3) x 5 = 37.5 places for GBP 9,969.38.
    after = now.moved(ta_hours_per_week_change=2.5, group_size_change=1)
    assert after.places == pytest.approx(37.5)
    assert after.cost == pytest.approx(9969.375)
    # A larger group alone reaches more pupils at the same cost.
    bigger = now.moved(group_size_change=2)
    assert bigger.places == pytest.approx(36) and bigger.cost == now.cost
    # The lever never goes below no hours or a group of one.
    floor = now.moved(ta_hours_per_week_change=-20, group_size_change=-9)
    assert floor.weekly_hours == 0 and floor.group_size == 1 and floor.cost_per_place is None


def test_the_lever_on_a_sample_intervention():
    school = sendlib.load_school(SAMPLE)
    now = reach_now(school, "READ", AS_OF)
    # Enough groups of 4 for the pupils in the reading group on 6 March.
    costs = sendlib.provision_costs(school, AS_OF)
    running = costs.filter((costs["intervention_id"] == "READ") & costs["running"]).height
    assert now.places >= running > now.places - 4
    table = intervention_lever(school, "READ", AS_OF, ta_hours_per_week_change=5 / 3)
    assert table["Pupils reached (places)"].to_list()[1] == pytest.approx(now.places + 4, abs=0.1)
    with pytest.raises(ValueError, match="resource"):
        reach_now(school, "SOFT", AS_OF)
