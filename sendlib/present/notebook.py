"""Small helpers the notebooks call: open the parameterised school, show figures and HTML.

Notebooks stay thin: a parameters cell of literal strings, then calls into these.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
from IPython.display import HTML, Markdown, display

from sendlib.school.load import School, load_school

#: The repository root (notebooks name sample schools relative to it).
REPOSITORY = Path(__file__).resolve().parents[2]
_plotly_js_sent = False


def resolve_school_dir(school_dir: str | Path) -> Path:
    """A school folder as given, or relative to the repository when that is where it is.

    papermill runs in the caller's working directory and nbval in the notebook's folder,
    so a sample path such as ``data_samples/harbourside-primary`` is tried from both.
    """
    path = Path(school_dir).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return REPOSITORY / path


def parse_as_of(as_of: str | dt.date | None) -> dt.date:
    """A parameter date (``YYYY-MM-DD``; empty means today)."""
    if isinstance(as_of, dt.date):
        return as_of
    if not as_of:
        return dt.date.today()
    return dt.date.fromisoformat(str(as_of).strip())


def open_school(school_dir: str | Path, as_of: str | dt.date | None) -> tuple[School, dt.date]:
    """Load the parameterised school folder and parse the as-of date."""
    return load_school(resolve_school_dir(school_dir)), parse_as_of(as_of)


def show(fig: go.Figure) -> None:
    """Display a figure as self-contained HTML: plotly.js is embedded once, with the first.

    Rendered reports must draw offline, so the library is inlined rather than fetched; the
    modebar is :data:`sendlib.present.figures.CHART_CONFIG`'s (PNG, zoom, pan, reset only).
    """
    from sendlib.present.figures import CHART_CONFIG

    global _plotly_js_sent
    include = not _plotly_js_sent
    _plotly_js_sent = True
    display(HTML(fig.to_html(full_html=False, include_plotlyjs=include, config=CHART_CONFIG)))


def show_table(frame: pl.DataFrame, caption: str | None = None) -> None:
    """Display a small table as plain HTML (no dtypes row, no index)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        + "</tr>"
        for row in frame.iter_rows()
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    display(HTML(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"))


def show_headlines(headlines) -> None:
    """Headline figures as cards, each with its plain-English sentence."""
    cards = "".join(
        f'<div class="headline"><div class="title">{html.escape(h.title)}</div>'
        f'<div class="value">{html.escape(h.value)}</div><p>{html.escape(h.sentence)}</p></div>'
        for h in headlines
    )
    display(HTML(f'<div class="headlines">{cards}</div>'))


def show_list(items: list[str], css_class: str = "actions") -> None:
    """A bulleted list of sentences."""
    body = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    display(HTML(f'<ul class="{css_class}">{body}</ul>'))


def say(text: str) -> None:
    """Markdown prose computed from the data."""
    display(Markdown(text))
