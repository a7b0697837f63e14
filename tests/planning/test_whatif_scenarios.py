"""What-if scenarios: the sample file, and every problem in a bad one reported at once."""

import pytest

from sendlib.planning import whatif


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
