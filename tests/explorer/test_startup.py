"""The explorer's start: the notice meanwhile, the page template, notebooks without developer cells."""

import datetime as dt
import json
import subprocess
import sys

import nbformat
import pytest

import sendlib
from sendlib.explorer import startup
from sendlib.explorer.serve import NOTEBOOK, TEMPLATE, voila_command, write_page_template
from sendlib.school.paths import REPOSITORY

CAPACITY = REPOSITORY / "notebooks" / "capacity.ipynb"


def test_the_starting_notice_says_what_happens_and_goes_when_the_explorer_is_drawn():
    notice = startup.starting_html()
    assert 'role="status"' in notice and "Starting the caseload explorer" in notice
    # Hidden by the page's own style once the explorer's root element exists.
    assert "body:has(.sendlib-explorer) .sendlib-starting{display:none}" in notice


def test_the_kernel_tells_serve_it_runs_the_notebook(tmp_path, monkeypatch):
    started = tmp_path / "kernel-started"
    monkeypatch.setenv(startup.ENV_STARTED_FILE, str(started))
    monkeypatch.setenv(startup.ENV_SCHOOL_DIR, "/schools/mine")
    monkeypatch.delenv(startup.ENV_AS_OF, raising=False)
    # No date given to serve: "", which open_school settles by the rule every command
    # uses (DOMAIN "Statuses"), never the notebook's own default date.
    assert startup.parameters_from_environment("a", "2026-03-06") == ("/schools/mine", "")
    assert started.exists()
    monkeypatch.setenv(startup.ENV_AS_OF, "06/03/2026")
    assert startup.parameters_from_environment("a", "2026-03-06") == ("/schools/mine", "06/03/2026")


def test_the_page_template_extends_voilas_and_runs_plotly_js_as_it_arrives(tmp_path):
    assert write_page_template(tmp_path, "/voila/labextensions/x/plotly.min.js") == TEMPLATE
    folder = tmp_path / "voila" / "templates" / TEMPLATE
    assert json.loads((folder / "conf.json").read_text()) == {"base_template": "lab"}
    page = (folder / "index.html.j2").read_text()
    assert page.startswith("{%- extends 'lab/index.html.j2' -%}")
    assert (
        f'<script async id="{startup.PLOTLY_SCRIPT_ID}" '
        'src="/voila/labextensions/x/plotly.min.js"></script>'
    ) in page
    assert "Starting the caseload explorer" in page and "{{ super() }}" in page
    # Without plotly.js found there is nothing to load (each chart then carries it).
    write_page_template(tmp_path / "bare", None)
    bare = (tmp_path / "bare" / "voila" / "templates" / TEMPLATE / "index.html.j2").read_text()
    assert "<script" not in bare
    assert f"--template={TEMPLATE}" in voila_command(8899, template=TEMPLATE)
    assert not any(part.startswith("--template") for part in voila_command(8899))


def test_the_explorer_notebook_shows_no_developer_cells():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    parameters, *rest = code
    assert "parameters" in parameters.metadata.tags
    assert rest, "the explorer's own cells"
    for cell in rest:
        assert cell.metadata.jupyter.source_hidden is True, cell.source
        assert "assert" not in cell.source
    # The setup cell comes first and imports nothing heavy, so the notice shows at once.
    assert "from sendlib.explorer.startup import" in rest[0].source
    assert "sendlib.explorer.app" not in rest[0].source


def test_the_capacity_notebook_prints_no_raw_dictionaries():
    notebook = nbformat.read(CAPACITY, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not any("print(" in c.source for c in code)
    checks = [c for c in code if "assert" in c.source]
    assert checks
    for cell in checks:
        assert "hide-in-report" in cell.metadata.tags
        assert cell.metadata.jupyter.source_hidden is True


@pytest.mark.parametrize("name", sendlib.__all__)
def test_every_public_name_still_works_through_the_lazy_facade(name):
    assert getattr(sendlib, name) is getattr(sendlib, name)
    assert name in dir(sendlib)


def test_the_facade_still_reads_date_text_and_refuses_unknown_names():
    school = sendlib.load_school(REPOSITORY / "tests" / "fixtures" / "tiny")
    as_text = sendlib.review_coverage(school, "2026-03-06")
    assert as_text.equals(sendlib.review_coverage(school, dt.date(2026, 3, 6)))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sendlib.nope  # noqa: B018


def test_the_explore_command_imports_only_what_it_uses():
    """``import sendlib`` loads no rule or polars; ``serve`` no plotly, widgets or rules."""
    code = (
        "import sys, sendlib; bare = set(sys.modules); import sendlib.explorer.serve; "
        "print(sorted(m for m in ('polars', 'sendlib.rules.frame') if m in bare)); "
        "print(sorted(m for m in ('plotly', 'ipywidgets', 'IPython', 'sendlib.rules.frame') "
        "if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.splitlines() == ["[]", "[]"]
