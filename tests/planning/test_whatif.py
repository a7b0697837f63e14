"""What-if staffing simulation: scenarios, fitting, determinism, trust checks and the report.

Trust in the model, with the tolerances stated here and in the closing note:
- M/M/c: the serving core's mean wait is within 10% (relative) of the Erlang C formula.
- Back-test: replaying each sample's first term (Autumn 2025) with its recorded requests,
  the simulated median on-time share is within 10 percentage points of the recorded one.
"""

import datetime as dt
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import sendlib
from sendlib.planning.whatif import simulation as whatif
from sendlib.present import whatif_figures as figures
from sendlib.cli import main

ROOT = Path(__file__).resolve().parents[2]
PRIMARY = ROOT / "data_samples" / "harbourside-primary"
SECONDARY = ROOT / "data_samples" / "northgate-secondary"
SCENARIOS = ROOT / "data_samples" / "scenarios.toml"
NOTEBOOK = ROOT / "notebooks" / "staffing_what_if.ipynb"
AS_OF = dt.date(2026, 3, 6)
MMC_TOLERANCE = 0.10  # relative
BACK_TEST_TOLERANCE = 0.10  # absolute, in share (10 percentage points)


@pytest.fixture(scope="module")
def primary():
    return sendlib.load_school(PRIMARY)


@pytest.fixture(scope="module")
def secondary():
    return sendlib.load_school(SECONDARY)


@pytest.fixture(scope="module")
def primary_model(primary):
    return whatif.fit_model(primary, AS_OF)


@pytest.fixture(scope="module")
def secondary_result(secondary):
    return whatif.simulate(secondary, whatif.load_scenarios(SCENARIOS), AS_OF, runs=200, seed=3)


# ------------------------------------------------------------------ scenarios


def test_sample_scenarios_file_has_a_baseline_and_five_changes():
    scenarios = whatif.load_scenarios("data_samples/scenarios.toml")  # relative to the repo
    assert len(scenarios) == 6
    assert whatif.baseline_of(scenarios).name == "baseline"
    assert sum(s.is_baseline for s in scenarios) == 1
    by_name = {s.name: s for s in scenarios}
    assert by_name["one_more_sendco_day"].changes == {"extra_sendco_days": 1}
    assert by_name["requests_grow_20_percent"].request_growth == pytest.approx(0.2)
    assert by_name["assistant_sendco_two_days"].title == "An assistant SENDCo two days a week"


def test_unknown_key_is_reported_with_the_nearest_known_key():
    with pytest.raises(whatif.ScenarioError) as caught:
        whatif.parse_scenarios({"more": {"surgeries_per_wek": 4}})
    message = str(caught.value)
    assert "[more] surgeries_per_wek: unknown key (did you mean surgeries_per_week?)" in message


def test_every_bad_value_is_reported_at_once():
    with pytest.raises(whatif.ScenarioError) as caught:
        whatif.parse_scenarios(
            {
                "a": {"class_teacher_led_share": 1.5, "sendco_days": ["mon", "sat"]},
                "b": {"extra_sendco_days": "one", "request_growth": -1},
                "c": {"surgeries_per_week": 3, "extra_surgeries_per_week": 1},
            }
        )
    problems = caught.value.problems
    assert len(problems) == 5
    assert "[a] class_teacher_led_share = 1.5: expected a number from 0 to 1" in problems
    assert any(p.startswith("[a] sendco_days") and "weekdays" in p for p in problems)
    assert any(p.startswith("[b] extra_sendco_days = 'one'") for p in problems)
    assert any(p.startswith("[b] request_growth = -1") for p in problems)
    assert "[c]: set surgeries_per_week or extra_surgeries_per_week, not both" in problems


def test_a_list_of_dicts_gets_a_baseline_when_it_has_none():
    scenarios = whatif.parse_scenarios([{"name": "longer", "meeting_minutes": 45}])
    assert [s.name for s in scenarios] == ["baseline", "longer"]
    with pytest.raises(whatif.ScenarioError, match="a different name for each scenario"):
        whatif.parse_scenarios([{"name": "x"}, {"name": "x", "request_growth": 0.1}])
    with pytest.raises(whatif.ScenarioError, match="scenario #1: a 'name'"):
        whatif.parse_scenarios([{"request_growth": 0.1}])


def test_a_broken_toml_file_says_which_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[a]\nrequest_growth = \n", encoding="utf-8")
    with pytest.raises(whatif.ScenarioError, match=r"^mine\.toml: valid TOML"):
        whatif.load_scenarios(path)


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


# ------------------------------------------------------------------ fitting and mechanics


def test_arrival_rates_reproduce_the_requests_seen(secondary):
    rates = whatif.fit_arrival_rates(secondary, AS_OF)
    seen = secondary.calendar.school_days(dt.date(2025, 9, 1), AS_OF)
    assert rates.per_day(seen).sum() == pytest.approx(rates.requests)
    # Requests received in the summer holiday are left out (they all land on 3 September).
    times = sendlib.response_times(secondary, AS_OF)
    times = times.filter(times["received_on"] >= dt.date(2025, 9, 3))
    assert rates.requests == times.height
    assert rates.routed_share == pytest.approx((times["status"] == "routed").mean())
    # A month not seen yet (May) is the average month.
    monday_in_may = dt.date(2026, 5, 4)
    assert rates.per_day([monday_in_may])[0] == pytest.approx(rates.base * rates.weekday_factor[0])


def test_serve_oldest_first_takes_the_oldest_cohorts_first():
    queue = np.array([[2, 0, 3, 1], [1, 1, 1, 1]], dtype=np.int32)
    served = whatif.serve_oldest_first(queue, np.array([4, 1]))
    assert served.tolist() == [[2, 0, 2, 0], [1, 0, 0, 0]]
    assert queue.tolist() == [[0, 0, 1, 1], [0, 1, 1, 1]]


def test_mean_wait_matches_erlang_c():
    """M/M/c with lambda=3, mu=1, c=4 (load 75%): Erlang C gives Wq = 0.5094."""

    def erlang_c_wait(lam: float, mu: float, c: int) -> float:
        a = lam / mu
        top = a**c / math.factorial(c) / (1 - a / c)
        waiting = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
        return waiting / (c * mu - lam)

    exact = erlang_c_wait(3.0, 1.0, 4)
    assert exact == pytest.approx(0.5094, abs=1e-4)
    simulated = whatif.simulate_queue(3.0, 1.0, 4, horizon=600, runs=300, seed=1)
    assert abs(simulated - exact) / exact <= MMC_TOLERANCE, (simulated, exact)
    # Two servers at 80% load: a different queue, the same core.
    simulated = whatif.simulate_queue(1.6, 1.0, 2, horizon=600, runs=300, seed=1)
    assert abs(simulated - erlang_c_wait(1.6, 1.0, 2)) / erlang_c_wait(1.6, 1.0, 2) <= MMC_TOLERANCE


@pytest.mark.parametrize(
    ("folder", "observed"), [(PRIMARY, 27 / 34), (SECONDARY, 79 / 93)], ids=["primary", "secondary"]
)
def test_back_test_reproduces_the_first_term(folder, observed):
    """Replay Autumn 2025 with the recorded requests; within 10 percentage points."""
    check = whatif.back_test(sendlib.load_school(folder), runs=200, seed=1)
    assert check.term == "Autumn 2025"
    assert check.observed_on_time_share == pytest.approx(observed)
    assert abs(check.simulated_median - check.observed_on_time_share) <= BACK_TEST_TOLERANCE, (
        check.sentence
    )
    assert check.within_tolerance
    assert check.simulated_p10 <= check.simulated_median <= check.simulated_p90


# ------------------------------------------------------------------ simulation


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


# ------------------------------------------------------------------ words and figures


def test_comparison_sentences_read_as_the_issue_asks(secondary_result):
    sentences = whatif.comparison_sentences(secondary_result)
    assert len(sentences) == 6
    assert sentences[0].startswith("As now: on-time acknowledgements ")
    pattern = re.compile(
        r"^One more SENDCo day: on-time acknowledgements \d+% to \d+% \(80% band \d+-\d+%\)"
    )
    assert pattern.match(sentences[1]), sentences[1]
    table = whatif.summary_table(secondary_result)
    assert table.height == 6 and table.columns[0] == "Scenario"
    assert re.fullmatch(r"\d+% \(\d+-\d+%\)", table[whatif.METRICS["on_time_share"]][0])


def test_assumptions_state_the_fitted_inputs(secondary_result):
    notes = " ".join(whatif.assumptions(secondary_result))
    assert "200 runs per scenario" in notes and "requests" in notes
    assert "already works every weekday" in notes  # the extra day became hours


def test_figures_show_every_scenario(secondary_result):
    bands = figures.outcome_bands(secondary_result)
    assert len(bands.data) == 6 * len(whatif.METRICS)
    waiting = figures.waiting_for_reply(secondary_result)
    assert len(waiting.data) == 7  # a band and six lines
    spread = figures.on_time_spread(secondary_result)
    assert [t.name for t in spread.data][0] == "As now"


# ------------------------------------------------------------------ the notebook and CLI


def test_notebook_is_stored_thin_and_without_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    parameters = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(parameters) == 1
    source = "".join(parameters[0]["source"])
    names = re.findall(r"^(\w+) = (.+?)\s+#", source, flags=re.M)
    assert dict(names) == {
        "school_dir": '"data_samples/northgate-secondary"',
        "as_of": '"2026-03-06"',
        "scenarios_file": '"data_samples/scenarios.toml"',
        "runs": "200",
        "seed": "1",
    }
    last = code[-1]
    assert "hide-in-report" in last["metadata"].get("tags", [])
    assert "assert" in "".join(last["source"])
    assert all(len("".join(c["source"]).splitlines()) <= 12 for c in code)


def test_cli_renders_an_offline_report_without_code_or_pupil_ids(tmp_path, primary):
    school_dir = shutil.copytree(PRIMARY, tmp_path / "harbourside-primary")
    code = main(
        [
            "whatif",
            str(school_dir),
            "--scenarios",
            str(SCENARIOS),
            "--runs",
            "40",
            "--as-of",
            "2026-03-06",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0
    html = tmp_path / "out" / "harbourside-primary" / "staffing_what_if.html"
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", text)
    assert 'class="jp-InputArea' not in text and "In&nbsp;[" not in text
    assert text.count("plotly.js v") == 1  # embedded once, not fetched
    assert text.count('class="plotly-graph-div"') == 3
    visible = re.sub(r"<(script|style).*?</\1>", "", text, flags=re.S)
    assert "Traceback" not in visible and "hide-in-report" not in visible
    assert "One more SENDCo day: on-time acknowledgements" in visible
    ids = primary.pupils["pupil_id"].to_list()
    assert not [i for i in ids if i in text]
    names = primary.pupils["display_name"].drop_nulls().to_list()
    assert not [n for n in names if n in visible]
