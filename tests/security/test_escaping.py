"""Attack: a school's files carry HTML and script in every text field a report shows.

The school name, a term, a closure, staff IDs and a what-if scenario's name and label are
set to markup that would run script if it reached a page as HTML. Every report must show
it as text: the raw markup never appears in the HTML, its escaped form does, and a real
browser opening the page raises no dialog and builds no element from it.
"""

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY, edit

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
CLOSURE = "<script>alert(3)</script>"
STAFF = "<img src=y onerror=alert(4)>"
SCENARIO = "<img src=z onerror=alert(5)>"
LABEL = "<script>alert(6)</script>"
ATTACKS = (SCRIPT, IMAGE, CLOSURE, STAFF, SCENARIO, LABEL)
AS_OF = "2026-03-06"


def hostile_school(folder: Path, term: str = "Spring 2026", closure: str = "INSET day") -> Path:
    """A school folder with markup as its name, a term, a closure and a staff ID."""
    toml = folder / "school.toml"
    text = toml.read_text("utf-8")
    name = re.search(r'^name = "[^"]*"', text, re.MULTILINE).group(0)  # the [school] table's
    edit(folder, "school.toml", name, f'name = "{SCRIPT}"')
    edit(folder, "school.toml", f'name = "{term}"', f'name = "{IMAGE}"')
    edit(folder, "school.toml", f'name = "{closure}', f'name = "{CLOSURE}')
    staff_id = (folder / "staff.csv").read_text("utf-8").splitlines()[2].split(",")[0]
    for file in ("staff.csv", "pupils.csv", "meetings.csv"):
        path = folder / file
        path.write_text(path.read_text("utf-8").replace(staff_id, STAFF), "utf-8")
    return folder


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sendlib.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_escaped(page: Path, shown: tuple[str, ...]) -> None:
    """No attack string appears raw; the ones the page shows appear escaped."""
    text = page.read_text("utf-8")
    for attack in ATTACKS:
        assert attack not in text, f"{attack} reached {page.name} as markup"
    for attack in shown:
        assert html.escape(attack, quote=False) in text or html.escape(attack) in text, attack


def assert_inert_in_browser(browser, page: Path) -> None:
    """Chromium opens the page: no dialog, no element made from the attacks."""
    dialogs = []
    tab = browser.new_page()
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(page.as_uri(), wait_until="load")
    tab.wait_for_timeout(500)
    assert dialogs == []
    assert tab.locator("img[onerror]").count() == 0
    scripts = tab.evaluate("[...document.scripts].map(s => s.textContent)")
    assert not any(s.strip().startswith("alert(") for s in scripts)
    assert tab.title().startswith(SCRIPT)  # the name shown as text, in the title too
    tab.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """The leadership report, the what-if report and the trust overview of the hostile school."""
    work = tmp_path_factory.mktemp("hostile")
    trust = work / "trust"
    school = hostile_school(Path(shutil.copytree(TINY, trust / "tiny")))
    out = work / "out"
    report = run("report", str(school), "--as-of", AS_OF, "--out", str(out), cwd=work)
    assert report.returncode == 0, report.stderr
    overview = run("report", "--all", str(trust), "--as-of", AS_OF, "--out", str(out / "trust"),
                   "--workers", "1", cwd=work)  # fmt: skip
    assert overview.returncode == 0, overview.stdout + overview.stderr
    # The tiny school is too small for the what-if's back-test: a small sample school.
    sample = run("sample", str(work / "sample"), "--pupils", "150", cwd=work)
    assert sample.returncode == 0, sample.stderr
    hostile_school(work / "sample", closure="INSET day (November)")
    scenarios = work / "scenarios.toml"
    scenarios.write_text(
        f'[baseline]\nlabel = "As now"\n\n["{SCENARIO}"]\nlabel = "{LABEL}"\n'
        "extra_sendco_days = 1\n",
        "utf-8",
    )
    whatif = run("whatif", str(work / "sample"), "--scenarios", str(scenarios), "--runs", "20",
                 "--as-of", AS_OF, "--out", str(out), cwd=work)  # fmt: skip
    assert whatif.returncode == 0, whatif.stderr
    return {
        "leadership": out / "tiny" / "leadership_report.html",
        "whatif": out / "sample" / "staffing_what_if.html",
        "overview": out / "trust" / "trust_overview.html",
        "school_report": out / "trust" / "tiny" / "leadership_report.html",
    }


def test_leadership_report_shows_markup_as_text(rendered):
    assert_escaped(rendered["leadership"], (SCRIPT, IMAGE))
    assert_escaped(rendered["school_report"], (SCRIPT, IMAGE))


def test_what_if_report_shows_markup_as_text(rendered):
    assert_escaped(rendered["whatif"], (SCRIPT, LABEL))


def test_trust_overview_shows_markup_as_text(rendered):
    assert_escaped(rendered["overview"], (SCRIPT,))


def test_executed_notebooks_hold_no_raw_markup_outside_code(rendered):
    """The kept notebooks' HTML outputs (what Jupyter would render) are escaped too."""
    import nbformat

    for page in rendered.values():
        nb = nbformat.read(page.with_suffix(".ipynb"), as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                shown = output.get("data", {}).get("text/html", "")
                assert not any(a in shown for a in ATTACKS), page.name


@pytest.mark.parametrize("name", ["leadership", "whatif", "overview", "school_report"])
def test_no_script_runs_in_a_browser(rendered, browser, name):
    page = rendered[name]
    if name == "overview":
        tab = browser.new_page()
        dialogs = []
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        tab.goto(page.as_uri(), wait_until="load")
        tab.wait_for_timeout(500)
        assert dialogs == [] and tab.locator("img[onerror]").count() == 0
        # The school's name is shown in the table and on the chart's axis, as written.
        assert tab.get_by_text(SCRIPT, exact=True).count() >= 1
        assert tab.locator(".plot-container").count() >= 1
        tab.close()
    else:
        assert_inert_in_browser(browser, page)
