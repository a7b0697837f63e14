"""The caseload explorer's widgets on the tiny school: filters, charts and HTML updated in place.

The tiny school's caseload as of Fri 6 Mar 2026 is worked by hand in test_queries.py.
"""

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

import sendlib
from sendlib.explorer import chart, startup
from sendlib.explorer.app import CaseloadExplorer
from sendlib.explorer.queries import ALL, CaseloadFilter, caseload
from sendlib.explorer.startup import parameters_from_environment
from sendlib.present.figures import CHART_CONFIG

D = dt.date
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SCHOOL = sendlib.load_school(TINY)
AS_OF = D(2026, 3, 6)


def ids(frame: pl.DataFrame) -> list[str]:
    return frame["pupil_id"].to_list()


# ------------------------------------------------------------------ the widgets


def test_explorer_widgets_follow_a_filter_in_place():
    explorer = CaseloadExplorer(SCHOOL, AS_OF)
    by_year, headlines = explorer.by_year, explorer.headlines.value
    assert '>5</div><div class="title">Pupils shown' in headlines
    explorer.choose(year_group="4")
    assert explorer.by_year is by_year  # the same figure, updated in place
    behind = next(t for t in by_year.traces if t["name"] == "Meeting still owed this term")
    assert behind["y"] == [0, 0, 1, 0]
    assert '>1</div><div class="title">Pupils shown' in explorer.headlines.value
    assert "<th scope='row'>P2</th>" in explorer.table.value
    assert "<th scope='row'>P1</th>" not in explorer.table.value
    assert [value for _, value in explorer.pupil.options] == ["P2"]
    assert "R6" in explorer.todos.value and "R5" not in explorer.todos.value
    assert "P2" in explorer.detail.value
    explorer.clear.click()
    assert explorer.chosen == CaseloadFilter(*[ALL] * 5)
    assert explorer.headlines.value == headlines
    behind = next(t for t in by_year.traces if t["name"] == "Meeting still owed this term")
    assert behind["y"] == [1, 0, 1, 0]


def test_explorer_keeps_the_chosen_pupil_while_they_are_shown():
    explorer = CaseloadExplorer(SCHOOL, AS_OF)
    explorer.pupil.value = "P4"
    explorer.choose(lead_staff_id="T2")
    assert explorer.pupil.value == "P4"
    explorer.choose(lead_staff_id="T1")
    assert explorer.pupil.value in {"P1", "P3"}
    explorer.choose(year_group="5", lead_staff_id=None)
    assert (explorer.pupil.value, ids(explorer.shown)) == ("P5", ["P5"])
    explorer.choose(year_group="2", sen_status="E")
    assert explorer.pupil.value is None
    assert "No pupils match these filters" in explorer.table.value


def test_display_names_appear_only_when_the_school_has_them_and_are_escaped(school):
    assert "<th scope='col'>Name</th>" not in CaseloadExplorer(SCHOOL, AS_OF).table.value
    text = (TINY / "pupils.csv").read_text(encoding="utf-8").splitlines()
    named = [text[0] + ",display_name"] + [
        row + (",<b>Ann</b> B." if row.startswith("P1,") else ",") for row in text[1:]
    ]
    (school / "pupils.csv").write_text("\n".join(named) + "\n", encoding="utf-8")
    cases = caseload(sendlib.load_school(school), AS_OF)
    assert cases.has_names
    explorer = CaseloadExplorer(cases.school, AS_OF)
    assert "<th scope='col'>Name</th>" in explorer.table.value
    assert "&lt;b&gt;Ann&lt;/b&gt; B." in explorer.table.value
    assert "<b>Ann</b>" not in explorer.table.value


def test_charts_draw_plotly_js_from_the_page_under_serve_and_carry_it_otherwise(monkeypatch):
    bars = [{"type": "bar", "x": ["a"], "y": [1]}]
    monkeypatch.delenv(startup.ENV_PLOTLY_BUNDLE, raising=False)
    plain = chart.chart(bars, {"title": {"text": "t"}})
    # In JupyterLab each chart carries plotly.js, run once however many charts there are.
    assert len(plain._esm) > 1_000_000 and "if (!globalThis.Plotly)" in plain._esm
    monkeypatch.setenv(startup.ENV_PLOTLY_BUNDLE, "/voila/labextensions/sendlib-explorer/p.js")
    shared = chart.chart(bars, {"title": {"text": "t"}})
    assert len(shared._esm) < 3_000
    assert 'import(new URL("/voila/labextensions/sendlib-explorer/p.js"' in shared._esm
    assert f'getElementById("{startup.PLOTLY_SCRIPT_ID}")' in shared._esm
    assert startup.PLOTLY_BASIC.is_file()
    # plotly.js takes the template itself, not its name; the toolbar is every report's.
    figure = shared.figure
    assert figure["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
    assert figure["config"] == CHART_CONFIG and figure["config"]["displaylogo"] is False
    assert figure["data"] == bars and figure["layout"]["title"] == {"text": "t"}
    shared.redraw([{"type": "bar", "x": ["a"], "y": [2]}])
    assert shared.traces[0]["y"] == [2] and shared.figure["layout"]["title"] == {"text": "t"}


def test_the_kept_plotly_js_is_plotlys_basic_bundle_and_charts_stay_within_it():
    """The basic bundle matches the plotly.js major version plotly.py writes figures for."""
    from plotly.offline import get_plotlyjs_version

    header = startup.PLOTLY_BASIC.read_text(encoding="utf-8")[:200]
    kept = re.search(r"plotly\.js \(basic - minified\) v(\d+)\.", header)
    assert kept and kept.group(1) == get_plotlyjs_version().split(".")[0]
    assert (startup.PLOTLY_BASIC.parent / "plotly-basic.LICENSE").read_text().startswith("MIT")
    # A trace the bundle lacks would leave a blank chart on the SENDCo's page: refused here.
    with pytest.raises(ValueError, match="cannot draw 'heatmap' traces"):
        chart.chart([{"type": "heatmap", "z": [[1]]}], {})


def test_parameters_from_environment_override_the_notebook_defaults(monkeypatch):
    monkeypatch.delenv(startup.ENV_SCHOOL_DIR, raising=False)
    monkeypatch.delenv(startup.ENV_AS_OF, raising=False)
    assert parameters_from_environment("a", "2026-03-06") == ("a", "2026-03-06")
    monkeypatch.setenv(startup.ENV_SCHOOL_DIR, "/schools/mine")
    monkeypatch.setenv(startup.ENV_AS_OF, "2026-01-05")
    assert parameters_from_environment("a", "2026-03-06") == ("/schools/mine", "2026-01-05")
