"""Text from a school's files, made safe for each kind of markup a report is written in.

A school's name, its term and closure names, staff IDs, scenario labels and need labels
come from files anyone could have edited. Each reaches the page through one of these
functions, so it is shown as written and never runs as markup: HTML for tables and
lists, Markdown for prose, plotly's own small HTML for titles, axis labels and hover text.
"""

from __future__ import annotations

import html
import re

import mistune

#: Every character that means something in Markdown (CommonMark lets each be escaped).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>&])")


class _ProseRenderer(mistune.HTMLRenderer):
    """HTML from the notebooks' Markdown: raw HTML shown as text, no images.

    A report is read offline; an image would be fetched from wherever its URL points.
    """

    def image(self, text: str, url: str, title: str | None = None) -> str:
        """An image's description only."""
        return text


_PROSE = mistune.create_markdown(escape=True, renderer=_ProseRenderer(escape=True))


def html_text(value: object) -> str:
    """``value`` as HTML text (``None`` as empty)."""
    return "" if value is None else html.escape(str(value))


def markdown_text(value: object) -> str:
    """``value`` as Markdown text: every special character backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def prose_html(markdown: str) -> str:
    """Markdown prose as HTML; any raw HTML in it (from the data) is shown as text."""
    return _PROSE(markdown)


def plotly_text(value: object) -> str:
    """``value`` for a plotly title, label, legend or hover text, shown as written.

    plotly.js reads these strings as a small HTML dialect and decodes ``&lt;``, ``&gt;``
    and ``&amp;``, so escaping those three shows any text exactly.
    """
    return html.escape(str(value), quote=False)
