"""What-if simulation: determinism, every metric in range, and scenarios moving results the right way."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import sendlib
from sendlib.planning import whatif

ROOT = Path(__file__).resolve().parents[2]
PRIMARY = ROOT / "data_samples" / "harbourside-primary"
SECONDARY = ROOT / "data_samples" / "northgate-secondary"
SCENARIOS = ROOT / "data_samples" / "scenarios.toml"
AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="module")
def secondary_result(secondary):
    return whatif.simulate(secondary, whatif.load_scenarios(SCENARIOS), AS_OF, runs=200, seed=3)


def test_results_are_deterministic_and_do_not_depend_on_scenario_order(primary_model):
    scenarios = whatif.load_scenarios(SCENARIOS)[:3]
    forward = whatif.simulate(primary_model, scenarios, runs=60, seed=5)
    backward = whatif.simulate(primary_model, list(reversed(scenarios)), runs=60, seed=5)
    for name in forward.results:
        for key in whatif.METRICS:
            np.testing.assert_array_equal(
                forward.results[name].metrics[key], backward.results[name].metrics[key]
            )
    other = whatif.simulate(primary_model, scenarios[:1], runs=60, seed=6)
    assert not np.array_equal(
        other.baseline.metrics["on_time_share"], forward.baseline.metrics["on_time_share"]
    )


def test_every_metric_has_a_value_per_run_within_its_range(secondary_result):
    for res in secondary_result.results.values():
        metrics = res.metrics
        assert set(metrics) == set(whatif.METRICS)
        assert all(v.shape == (200,) for v in metrics.values())
        for key in ("on_time_share", "three_meetings_share", "utilisation"):
            assert ((metrics[key] >= 0) & (metrics[key] <= 1)).all(), key
        assert (metrics["median_days_to_meeting"] >= 1).all()
        assert (metrics["annual_reviews_late"] >= 0).all()
        assert (metrics["backlog_year_end"] >= 0).all()


def test_scenarios_move_results_the_way_they_should(secondary_result):
    def mean(name: str, key: str) -> float:
        return float(np.nanmean(secondary_result.results[name].metrics[key]))

    base = "baseline"
    # Another person two days a week: quicker replies, lower utilisation of a larger supply.
    assert mean("assistant_sendco_two_days", "on_time_share") > mean(base, "on_time_share") + 0.05
    assert mean("assistant_sendco_two_days", "utilisation") < mean(base, "utilisation")
    assert mean("one_more_sendco_day", "on_time_share") > mean(base, "on_time_share")
    # More requests: more of them still waiting at the year's end.
    assert mean("requests_grow_20_percent", "backlog_year_end") > mean(base, "backlog_year_end")
    # More surgeries reserve more time.
    assert mean("two_more_surgeries", "utilisation") > mean(base, "utilisation")


def test_baseline_utilisation_agrees_with_the_ratio_of_hours(secondary, secondary_result):
    """The simulation's utilisation sits near capacity()'s forecast for the rest of the year."""
    forecast = sendlib.rules.capacity.capacity(secondary, AS_OF).summary[
        "forecast_utilisation_rest_of_year"
    ]
    simulated = float(np.median(secondary_result.baseline.metrics["utilisation"]))
    assert abs(simulated - forecast) < 0.10, (simulated, forecast)


def test_a_whole_year_runs_from_the_first_day(primary):
    result = whatif.simulate(primary, None, AS_OF, runs=30, seed=1, from_start=True)
    assert result.model.first == 0
    assert result.model.simulated_days[0] == dt.date(2025, 9, 3)
    assert "the whole school year" in whatif.describe(result)
