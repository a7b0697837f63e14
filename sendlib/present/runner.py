"""Rendering reports: papermill executes a notebook, nbconvert turns it into offline HTML.

Two steps (STYLE.md): the executed notebook is kept next to the HTML, so a failure can be
read with its error banner; the HTML shows no code, no prompts, no warnings, and fetches
nothing from the internet (a template without require.js, MathJax or mermaid from a CDN;
plotly.js embedded once by :func:`sendlib.present.notebook.show`).

Both files are written as :mod:`sendlib.school.outputs` writes every output: whole or not
at all, owner-only, never into the school folder read. The kernel needs absolute paths,
but the kept notebook names none: they are shown relative to the working folder (or by
their last part), so a report can be passed on without describing the machine.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat
import papermill as pm
from nbconvert import HTMLExporter

from sendlib.school.asof import resolve_as_of
from sendlib.school.errors import ReportError
from sendlib.school.load import load_school
from sendlib.school.outputs import publish, refuse_inside, temporary_beside, write_file
from sendlib.school.paths import REPOSITORY, from_repository

NOTEBOOKS = REPOSITORY / "notebooks"
TEMPLATES = Path(__file__).resolve().parent / "templates"
KERNEL = "python3"


def execute_notebook(
    notebook: Path, executed: Path, parameters: dict, progress: bool = True
) -> None:
    """Run ``notebook`` with papermill and keep the executed copy at ``executed``.

    papermill saves as it goes, so it writes to a temporary file beside ``executed``,
    renamed over it at the end: a run killed half way leaves the previous copy whole.
    A notebook that fails is still kept, with its error, for the reader.
    """
    running = temporary_beside(executed)
    try:
        pm.execute_notebook(
            str(notebook),
            str(running),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=progress,
            cwd=str(notebook.parent),
        )
    except pm.PapermillExecutionError as exc:
        _keep(running, executed, notebook, parameters)
        raise ReportError(
            f"{notebook.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
            f"The executed notebook, with the error, is at {executed}"
        ) from None
    except BaseException:
        running.unlink(missing_ok=True)
        raise
    _keep(running, executed, notebook, parameters)


def _keep(running: Path, executed: Path, notebook: Path, parameters: dict) -> None:
    """Rewrite papermill's output without machine paths or times, and rename it over ``executed``."""
    nb = nbformat.read(running, as_version=4)
    nb.metadata.get("papermill", {}).update(
        input_path=f"{notebook.parent.name}/{notebook.name}", output_path=executed.name
    )
    nbformat.write(_portable(_timeless(nb), _machine_paths(parameters)), running)
    publish(running, executed)


def _timeless(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` without the clock: the same report is the same bytes, whenever and wherever run.

    papermill records when the notebook and each cell started, ended and how long they
    took; the kernel client records when each message passed; papermill gives the cell it
    injects a random id. A batch on a Dask cluster must match one run on this machine.
    """
    for record in (
        nb.metadata.get("papermill", {}),
        *(c.metadata.get("papermill", {}) for c in nb.cells),
    ):
        for key in ("start_time", "end_time", "duration"):
            record.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
    return nb


def _machine_paths(parameters: dict) -> list[tuple[str, str]]:
    """Absolute paths that reach a notebook, each with the text that replaces it.

    Longest first, so a school folder is replaced before the repository holding it.
    """
    given = [Path(v) for v in parameters.values() if isinstance(v, str) and os.path.isabs(v)]
    places = {str(p): _display(p) for p in given} | {str(p.resolve()): _display(p) for p in given}
    places |= {
        str(Path.home()): "~",
        sys.base_prefix: "<python>",
        sys.prefix: "<python>",
        str(REPOSITORY): "<sendlib>",
        str(Path.cwd()): ".",
    }
    # The root folder as a "path" would replace every slash.
    kept = [(path, shown) for path, shown in places.items() if len(path) > 1]
    return sorted(kept, key=lambda item: len(item[0]), reverse=True)


def _display(path: Path) -> str:
    """A path relative to the working folder when inside it, otherwise its last part."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return path.name


def _portable(node, places: list[tuple[str, str]]):
    """``node`` (a notebook or any part of one) with every machine path replaced."""
    if isinstance(node, str):
        for path, shown in places:
            node = node.replace(path, shown)
        return node
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _portable(value, places)
        return node
    if isinstance(node, list):
        return [_portable(value, places) for value in node]
    return node


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
    return write_file(html_path, body)


def render_notebook(
    name: str,
    school_dir: str | Path,
    as_of: dt.date | str | None,
    out_dir: str | Path,
    title: str,
    progress: bool = True,
    inputs: Iterable[Path] = (),
    **parameters,
) -> Path:
    """Execute ``notebooks/<name>.ipynb`` for a school and write ``<out>/<school>/<name>.html``.

    ``inputs`` are files the notebook reads besides the school folder (a scenarios file):
    like the folder, they are never written over. ``as_of`` follows the one as-of rule
    (:func:`sendlib.school.asof.resolve_as_of`): a date, ISO or the school's format, or
    ``None`` for today (the last day of the records when the calendar has ended).
    """
    folder = from_repository(school_dir)
    # Fail fast, with the validation or calendar message, before a kernel starts.
    school = load_school(folder)
    as_of, _ = resolve_as_of(school, as_of)
    target = Path(out_dir) / school.slug
    executed = target / f"{name}.ipynb"
    for output in (executed, target / f"{name}.html"):
        refuse_inside(output, [folder, *inputs])
    execute_notebook(
        NOTEBOOKS / f"{name}.ipynb",
        executed,
        {"school_dir": str(folder.resolve()), "as_of": as_of.isoformat(), **parameters},
        progress=progress,
    )
    return export_html(executed, target / f"{name}.html", f"{school.name}: {title}")


def render_leadership_report(
    school_dir: str | Path,
    as_of: dt.date | str | None = None,
    out_dir: str | Path = "outputs",
    progress: bool = True,
) -> Path:
    """The main job: the termly leadership report for one school, as offline HTML."""
    return render_notebook(
        "leadership_report", school_dir, as_of, out_dir, "leadership report", progress=progress
    )
