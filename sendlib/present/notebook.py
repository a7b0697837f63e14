"""Small helpers the notebooks call: open the parameterised school, show figures and HTML.

Notebooks stay thin: a parameters cell of literal strings, then calls into these.
Markup comes only from the notebooks and sendlib; every value from a school's files is
passed as text and escaped here (:mod:`sendlib.present.escape`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
from IPython.display import HTML, display

from sendlib.present.escape import html_text, markdown_text, prose_html
from sendlib.school.asof import calendar_note, resolve_as_of
from sendlib.school.load import School, load_school
from sendlib.school.paths import from_repository

_plotly_js_sent = False
#: Charts shown so far in this kernel: each chart's element id is its number, not a uuid.
_charts_shown = 0


def parse_as_of(as_of: str | dt.date | None) -> dt.date:
    """A parameter date (``YYYY-MM-DD``; empty means today)."""
    if isinstance(as_of, dt.date):
        return as_of
    if not as_of:
        return dt.date.today()
    return dt.date.fromisoformat(str(as_of).strip())


def open_school(school_dir: str | Path, as_of: str | dt.date | None) -> tuple[School, dt.date]:
    """Load the parameterised school folder and settle its as-of date (empty: the default).

    When the school's calendar ended before today the page says so in one line, "as of X;
    the calendar ends Y", so a reader knows the figures are not today's.
    """
    school = load_school(from_repository(school_dir))
    day, _ = resolve_as_of(school, as_of or None)
    note = calendar_note(school, day)
    if note is not None:
        display(HTML(f'<p class="as-of-note">{html_text(note)}</p>'))
    return school, day


def show(fig: go.Figure) -> None:
    """Display a figure as self-contained HTML: plotly.js is embedded once, with the first.

    Rendered reports must draw offline, so the library is inlined rather than fetched; the
    modebar is :data:`sendlib.present.figures.CHART_CONFIG`'s (PNG, zoom, pan, reset only).
    Each chart's element id counts the charts shown (plotly's default is a random uuid), so
    a report rendered twice, on any machine, is the same bytes.
    A chart with nothing to draw is replaced by the sentence saying why; a chart's footnote
    is printed under it as text, so it is never clipped.
    """
    from sendlib.present.figures import CHART_CONFIG, chart_notes

    global _plotly_js_sent, _charts_shown
    note, empty = chart_notes(fig)
    if empty:
        display(HTML(f'<p class="chart-empty">{html_text(empty)}</p>'))
        return
    include = not _plotly_js_sent
    _plotly_js_sent = True
    _charts_shown += 1
    drawn = go.Figure(fig).update_layout(meta=None)
    html = drawn.to_html(
        full_html=False,
        include_plotlyjs=include,
        config=CHART_CONFIG,
        div_id=f"sendlib-chart-{_charts_shown}",
    )
    display(HTML(html))
    if note:
        display(HTML(f'<p class="chart-note">{html_text(note)}</p>'))


#: Headers in words for the column names sendlib's frames use (others: "snake_case" -> "Snake case").
HEADERS = {
    "pupil_id": "Pupil",
    "year_group": "Year group",
    "sen_status": "SEN status",
    "primary_need": "Primary need",
    "lead_staff_id": "Lead staff",
    "pupils": "Pupils",
    "len": "Count",
    "on_track_share": "On track (%)",
    "terms_offered_not_held": "Terms offered, family did not attend",
    "record_status": "Written record",
}


def header(column: str) -> str:
    """A frame's column name as a table header a reader understands (``Year group``)."""
    if column in HEADERS:
        return HEADERS[column]
    if column.isidentifier() and column == column.lower():
        return column.replace("_", " ").capitalize()
    return column


def show_table(frame: pl.DataFrame, caption: str | None = None) -> None:
    """Display a small table as plain HTML (no dtypes row, no index); every cell is text.

    Column names are shown in words (:func:`header`), never as ``year_group``.
    """
    head = "".join(f"<th>{html_text(header(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html_text(v)}</td>" for v in row) + "</tr>"
        for row in frame.iter_rows()
    )
    cap = f"<caption>{html_text(caption)}</caption>" if caption else ""
    display(HTML(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"))


def show_headlines(headlines) -> None:
    """Headline figures as cards, each with its plain-English sentence (all text)."""
    cards = "".join(
        f'<div class="headline"><div class="title">{html_text(h.title)}</div>'
        f'<div class="value">{html_text(h.value)}</div><p>{html_text(h.sentence)}</p></div>'
        for h in headlines
    )
    display(HTML(f'<div class="headlines">{cards}</div>'))


def show_list(items: list[str], css_class: str = "actions") -> None:
    """A bulleted list of sentences; the sentences are text, ``css_class`` is markup."""
    body = "".join(f"<li>{html_text(item)}</li>" for item in items)
    display(HTML(f'<ul class="{css_class}">{body}</ul>'))


def say(markdown: str, **fields: object) -> None:
    """Markdown prose, with values from the data filled in as text.

    ``markdown`` is the notebook's own (trusted) Markdown; each ``{name}`` in it is filled
    with ``fields[name]``, escaped, so a school's name is shown as written and adds no
    formatting. Raw HTML anywhere in the result is shown as text, images are left out.
    """
    text = (
        markdown.format(**{k: markdown_text(v) for k, v in fields.items()}) if fields else markdown
    )
    display(HTML(prose_html(text)))
