"""Rendering reports: papermill executes a notebook, nbconvert turns it into offline HTML.

Two steps (STYLE.md): the executed notebook is kept next to the HTML, so a failure can be
read with its error banner; the HTML shows no code, no prompts, no warnings, and fetches
nothing from the internet (a template without require.js, MathJax or mermaid from a CDN;
plotly.js embedded once by :func:`sendlib.present.notebook.show`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import papermill as pm
from nbconvert import HTMLExporter

from sendlib.school.asof import school_year
from sendlib.school.errors import ReportError
from sendlib.school.load import load_school
from sendlib.present.notebook import REPOSITORY, resolve_school_dir

NOTEBOOKS = REPOSITORY / "notebooks"
TEMPLATES = Path(__file__).resolve().parent / "templates"
KERNEL = "python3"


def execute_notebook(
    notebook: Path, executed: Path, parameters: dict, progress: bool = True
) -> None:
    """Run ``notebook`` with papermill, writing the executed copy to ``executed``."""
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=progress,
            cwd=str(notebook.parent),
        )
    except pm.PapermillExecutionError as exc:
        raise ReportError(
            f"{notebook.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
            f"The executed notebook, with the error, is at {executed}"
        ) from None


def export_html(executed: Path, html_path: Path, title: str) -> Path:
    """Convert an executed notebook to offline HTML without code, prompts or stderr."""
    nb = nbformat.read(executed, as_version=4)
    # Cells tagged hide-in-report hold checks for CI, not content for readers.
    nb.cells = [c for c in nb.cells if "hide-in-report" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            # Warnings and progress bars are for the console, not for governors.
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.output_type == "stream" and o.name == "stderr")
            ]
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(
        template_name="offline_report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def render_notebook(
    name: str,
    school_dir: str | Path,
    as_of: dt.date | None,
    out_dir: str | Path,
    title: str,
    progress: bool = True,
    **parameters,
) -> Path:
    """Execute ``notebooks/<name>.ipynb`` for a school and write ``<out>/<school>/<name>.html``."""
    folder = resolve_school_dir(school_dir)
    # Fail fast, with the validation or calendar message, before a kernel starts.
    school = load_school(folder)
    as_of = school_year(school, as_of).as_of
    target = Path(out_dir) / school.slug
    executed = target / f"{name}.ipynb"
    execute_notebook(
        NOTEBOOKS / f"{name}.ipynb",
        executed,
        {"school_dir": str(folder.resolve()), "as_of": as_of.isoformat(), **parameters},
        progress=progress,
    )
    return export_html(executed, target / f"{name}.html", f"{school.name}: {title}")


def render_leadership_report(
    school_dir: str | Path,
    as_of: dt.date | None = None,
    out_dir: str | Path = "outputs",
    progress: bool = True,
) -> Path:
    """The main job: the termly leadership report for one school, as offline HTML."""
    return render_notebook(
        "leadership_report", school_dir, as_of, out_dir, "leadership report", progress=progress
    )
