"""What-if results in words: comparison sentences, the summary table and the stated assumptions."""

import datetime as dt
import re
from pathlib import Path

import pytest

import sendlib
from sendlib.planning import whatif

ROOT = Path(__file__).resolve().parents[2]
SECONDARY = ROOT / "data_samples" / "northgate-secondary"
SCENARIOS = ROOT / "data_samples" / "scenarios.toml"
AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="module")
def secondary():
    return sendlib.load_school(SECONDARY)


@pytest.fixture(scope="module")
def secondary_result(secondary):
    return whatif.simulate(secondary, whatif.load_scenarios(SCENARIOS), AS_OF, runs=200, seed=3)


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
