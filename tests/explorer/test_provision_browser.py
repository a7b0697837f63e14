"""The provision map tab as the SENDCo uses it: `sendlib explore`, then a real browser.

Starts the command line on the primary sample, opens the page in Debian's chromium at
1366x768, switches to the "Provision map" tab and checks that a filter is answered in
place with what sendlib computes, that the download link carries the map shown, and
that the print layout drops the controls. Skipped with a reason when chromium is absent
outside CI (the ``browser`` fixture).
"""

import base64
import datetime as dt
import io
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import polars as pl
import pytest

import sendlib
from sendlib.explorer.provision_map import ProvisionFilter, provision_rows, provision_table

REPOSITORY = Path(__file__).resolve().parents[2]
SAMPLE = REPOSITORY / "data_samples" / "harbourside-primary"
AS_OF = dt.date(2026, 3, 6)
TOTALS = ".sendlib-provision-totals"
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def page_url(browser):
    """`sendlib explore` on the primary sample: the address it prints (token and all)."""
    port = _free_port()
    script = Path(sys.executable).with_name("sendlib")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sendlib.cli"]
    server = subprocess.Popen(
        [*command, "explore", str(SAMPLE), "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPOSITORY,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in server.stdout], daemon=True).start()
    address = re.compile(rf"http://127\.0\.0\.1:{port}/\S*")
    output, deadline = [], time.monotonic() + 180
    try:
        while not (found := address.search("".join(output))):
            try:
                output.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail(f"sendlib explore gave no address within 180 s:\n{''.join(output)}")
            if server.poll() is not None and lines.empty():
                pytest.fail(f"sendlib explore exited ({server.returncode}):\n{''.join(output)}")
        yield found.group(0)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_provision_map_answers_a_filter_in_a_real_browser(page_url, browser):
    rows = provision_rows(sendlib.load_school(SAMPLE), AS_OF)
    everyone = provision_table(rows)
    reading = provision_table(rows, ProvisionFilter(intervention_id="READ"))
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page_url, wait_until="commit")
    page.wait_for_selector(".sendlib-tabs", state="visible", timeout=120_000)
    assert not page.locator(TOTALS).is_visible()

    page.get_by_role("button", name="Provision map").click()
    page.wait_for_selector(TOTALS, state="visible", timeout=10_000)
    before = page.inner_text(TOTALS)
    assert f"{everyone.height} pupils shown" in before.replace("\n", " ")
    assert not page.locator(".sendlib-table").is_visible()  # the caseload's pupils table

    page.select_option(".sendlib-filter-intervention select", label="Reading catch-up group")
    page.wait_for_function(
        f"() => document.querySelector('{TOTALS}').innerText !== {before!r}", timeout=10_000
    )
    after = page.inner_text(TOTALS).replace("\n", " ")
    assert f"{reading.height} pupils shown" in after
    assert f"GBP {reading['cost_this_year'].sum():,.2f}" in after
    shown_ids = page.locator(".sendlib-provision-table tbody tr td:first-child strong")
    assert sorted(shown_ids.all_inner_texts()) == sorted(reading["pupil_id"].to_list())

    # The caseload filters above both tabs narrow the map too.
    year = reading["year_group"].mode().sort()[0]
    label = "Reception" if year == "R" else f"Year {year}"
    page.select_option(".sendlib-filter-year-group select", label=label)
    in_year = reading.filter(pl.col("year_group") == year)
    page.wait_for_function(
        f"() => document.querySelector('{TOTALS}').innerText.includes('{in_year.height}\\npupils')"
        f" || document.querySelector('{TOTALS}').innerText.includes('{in_year.height} pupils')",
        timeout=10_000,
    )

    # The download link carries exactly the map shown.
    href = page.get_attribute(".sendlib-provision a.download", "href")
    csv = pl.read_csv(base64.b64decode(href.split("base64,", 1)[1]))
    assert sorted(csv["pupil_id"].to_list()) == sorted(in_year["pupil_id"].to_list())

    # The Excel link downloads under the page's Content-Security-Policy (a data: URL).
    with page.expect_download() as download:
        page.click(".sendlib-provision a.download-xlsx")
    assert download.value.suggested_filename == "provision_map.xlsx"
    data = io.BytesIO(Path(download.value.path()).read_bytes())
    sheet = openpyxl.load_workbook(data)["Provision map"]
    column = [c.value for c in sheet[1]].index("pupil_id")
    ids = [row[column].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(ids) == sorted(in_year["pupil_id"].to_list())

    # Printed, the map is whole and the controls are gone.
    page.emulate_media(media="print")
    assert not page.locator(".sendlib-tabs").is_visible()
    assert not page.locator(".sendlib-provision-filters").is_visible()
    assert page.locator(".sendlib-provision-table table").is_visible()
    assert errors == []
    page.close()
