"""What-if plans: a scenario's changes applied to a school, or an error when they do not fit."""

import datetime as dt
from pathlib import Path

import pytest

from sendlib.planning import whatif

ROOT = Path(__file__).resolve().parents[2]
PRIMARY = ROOT / "data_samples" / "harbourside-primary"
SECONDARY = ROOT / "data_samples" / "northgate-secondary"
AS_OF = dt.date(2026, 3, 6)


def test_a_change_that_does_not_fit_the_school_is_an_error(primary_model):
    # Harbourside's working day is 08:30-16:00: 7.5 hours.
    too_long = whatif.Scenario(name="long", send_hours_per_day=9)
    with pytest.raises(whatif.ScenarioError, match=r"at most the working day \(7.5 hours"):
        whatif.plan_scenario(primary_model, too_long)
    fewer = whatif.Scenario(name="fewer", extra_surgeries_per_week=-3)
    with pytest.raises(whatif.ScenarioError, match="expected at least -2"):
        whatif.plan_scenario(primary_model, fewer)


def test_an_extra_day_is_a_weekday_or_extra_hours(primary_model, secondary):
    extra = whatif.Scenario(name="extra", extra_sendco_days=1)
    part_time = whatif.plan_scenario(primary_model, extra)
    assert part_time.working_days == ("mon", "tue", "wed", "thu", "fri")
    assert part_time.hours_per_day == pytest.approx(3.5) and not part_time.notes
    full_time = whatif.plan_scenario(whatif.fit_model(secondary, AS_OF), extra)
    assert full_time.hours_per_day == pytest.approx(6.0)  # 5 days of 5 hours become 5 of 6
    assert "already works every weekday" in full_time.notes[0]
