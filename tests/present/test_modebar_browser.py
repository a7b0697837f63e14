"""No chart offers to upload data (issue 12 point 12): every chart's modebar, in a browser.

plotly.js 3 adds "Share chart / upload to Plotly Cloud" to every modebar unless told not to;
``sendlib.present.figures.CHART_CONFIG`` keeps only the PNG download, zoom, pan and reset.
Renders the leadership report, the trust overview and the what-if report (few runs) and
reads each chart's buttons in Debian's chromium.
"""

import datetime as dt
from pathlib import Path

import pytest

from sendlib.present.runner import render_leadership_report, render_notebook
from sendlib.present.trust import render_trust_overview

SAMPLES = Path(__file__).resolve().parents[2] / "data_samples"
AS_OF = dt.date(2026, 3, 6)
WANTED = {"Download plot as a PNG", "Zoom", "Pan", "Reset axes"}
UPLOAD = ("cloud", "share", "chart studio", "edit in", "plotly.com", "produced with plotly")
pytestmark = [pytest.mark.browser, pytest.mark.notebook]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    harbourside = SAMPLES / "harbourside-primary"
    return {
        "leadership report": render_leadership_report(harbourside, AS_OF, out, progress=False),
        "trust overview": render_trust_overview(SAMPLES, AS_OF, out, progress=False),
        "what-if report": render_notebook(
            "staffing_what_if",
            harbourside,
            AS_OF,
            out,
            "staffing what-if",
            progress=False,
            scenarios_file=str(SAMPLES / "scenarios.toml"),
            runs=20,
            seed=1,
        ),
    }


def _modebars(browser, html: Path) -> list[list[str]]:
    """Each drawn chart's modebar buttons (their titles), offline."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page.goto(html.as_uri(), wait_until="load")
    plots = page.locator(".js-plotly-plot").count()
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .modebar').length >= {plots}",
        timeout=30_000,
    )
    bars = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot =>
            [...plot.querySelectorAll('.modebar a, .modebar button')].map(a =>
                a.getAttribute('data-title') || a.getAttribute('title') || a.textContent))"""
    )
    page.close()
    return bars


@pytest.mark.parametrize("output", ["leadership report", "trust overview", "what-if report"])
def test_every_chart_offers_only_png_zoom_pan_and_reset(browser, outputs, output):
    bars = _modebars(browser, outputs[output])
    assert len(bars) >= 2, f"{output}: too few charts drew"
    for buttons in bars:
        lowered = " ".join(buttons).lower()
        assert not [word for word in UPLOAD if word in lowered], (output, buttons)
        assert set(buttons) == WANTED, (output, buttons)
