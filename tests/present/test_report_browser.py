"""The leadership report in a real browser with the network cut off, as a governor reads it.

Debian's chromium (on the PATH) driven by Playwright; playwright's own browser download does
not work here. Skipped with a reason when chromium is absent outside CI; in CI (.ci/run sets
CI=1 and installs chromium) a missing browser is a failure.
"""

import datetime as dt
from pathlib import Path

import pytest

from sendlib.present.runner import render_leadership_report

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "harbourside-primary"
pytestmark = pytest.mark.browser


def test_report_draws_every_chart_offline_and_fetches_nothing(browser, tmp_path):
    html = render_leadership_report(SAMPLE, dt.date(2026, 3, 6), tmp_path, progress=False)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    outside = []

    def block(route):
        if route.request.url.startswith(("file:", "data:", "blob:")):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    page.route("**/*", block)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(html.as_uri(), wait_until="load")
    plots = page.locator(".js-plotly-plot").count()
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {2 * plots}",
        timeout=30_000,
    )
    assert plots >= 5
    assert outside == []
    assert errors == []
    assert page.locator(".jp-InputArea").count() == 0
    text = page.inner_text("body")
    assert "Headline figures" in text and "Actions" in text
    page.screenshot(path=str(tmp_path / "leadership_report.png"), full_page=True)
    page.close()
