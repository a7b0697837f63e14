"""The staffing what-if report: its figures, the stored notebook and the CLI render."""

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from sendlib.cli import main
from sendlib.planning import whatif
from sendlib.present import whatif_figures as figures

ROOT = Path(__file__).resolve().parents[2]
PRIMARY = ROOT / "data_samples" / "harbourside-primary"
SECONDARY = ROOT / "data_samples" / "northgate-secondary"
SCENARIOS = ROOT / "data_samples" / "scenarios.toml"
NOTEBOOK = ROOT / "notebooks" / "staffing_what_if.ipynb"
AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="module")
def secondary_result(secondary):
    return whatif.simulate(secondary, whatif.load_scenarios(SCENARIOS), AS_OF, runs=200, seed=3)


def test_figures_show_every_scenario(secondary_result):
    bands = figures.outcome_bands(secondary_result)
    assert len(bands.data) == 6 * len(whatif.METRICS)
    waiting = figures.waiting_for_reply(secondary_result)
    assert len(waiting.data) == 7  # a band and six lines
    spread = figures.on_time_spread(secondary_result)
    assert [t.name for t in spread.data][0] == "As now"


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
