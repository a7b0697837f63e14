"""Printing a rendered HTML report to an A4 PDF in chromium, through playwright.

The PDF is the same page a reader opens, printed: no second charting path. Chromium is
the system's (``chromium`` on the PATH; playwright's own browser download is never used),
with every request that is not a local file aborted, so a report prints offline exactly
as it opens. The page is laid out at the printable width of A4 before plotly draws, so
every chart is drawn for the paper (the print CSS in the report template does the rest:
page breaks, tables kept whole). The PDF is tagged (accessible) with an outline from the
headings, and written atomically, owner-only (:mod:`sendlib.school.outputs`).

Chromium stamps each PDF with the time it was made; those stamps are set to a fixed
date of the same length, so the same report prints to the same bytes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sendlib.present.escape import html_text
from sendlib.school.errors import ReportError
from sendlib.school.outputs import write_file

#: The page margins; the page is laid out at A4's width (210 mm) less these, in CSS pixels.
MARGIN_MM = 12
CSS_PX_PER_MM = 96 / 25.4
PRINT_WIDTH_PX = round((210 - 2 * MARGIN_MM) * CSS_PX_PER_MM)
#: How long a page may take to draw its charts before printing gives up.
DRAW_TIMEOUT_MS = 60_000
#: Without these flags chromium tries to reach Google's servers when it starts.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
INSTALL_HINT = "install it with: pip install '.[pdf]' (playwright) and apt-get install chromium"
#: Every plotly chart on the page has drawn its SVG layers (plotly adds two main-svg).
CHARTS_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')].every(
    (chart) => chart.querySelectorAll('.main-svg').length >= 2)"""
#: The time stamps (and the machine's time zone) chromium writes into the PDF's information.
_STAMP = re.compile(rb"D:\d{14}([+-]\d\d'\d\d')?")


class PdfPrinterMissing(OSError):
    """Playwright or the system's chromium is not installed: a PDF cannot be printed."""

    def __str__(self) -> str:
        """The one-line message, with the commands that install what is missing."""
        return str(self.args[0])


def find_chromium() -> str:
    """The system chromium's path, once playwright is known importable; else raise.

    Raises :class:`PdfPrinterMissing` naming what to install, in one line.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PdfPrinterMissing(
            f"PDF output needs playwright, which is missing; {INSTALL_HINT}"
        ) from None
    chromium = shutil.which("chromium")
    if chromium is None:
        raise PdfPrinterMissing(
            f"PDF output needs chromium on the PATH, which is missing; {INSTALL_HINT}"
        )
    return chromium


def pdf_path(html: str | Path) -> Path:
    """Where a report's PDF goes: beside its HTML, with the same name."""
    return Path(html).with_suffix(".pdf")


def footer(text: str) -> str:
    """A page footer: ``text`` (escaped) and "page N of M", in a size a reader can read."""
    return (
        '<div style="font-size:8pt;width:100%;margin:0 12mm;display:flex;'
        'justify-content:space-between;font-family:sans-serif">'
        f"<span>{html_text(text)}</span>"
        '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
        "</div>"
    )


@contextmanager
def printer() -> Iterator[object]:
    """A headless system chromium, for printing one PDF or many in a row."""
    chromium = find_chromium()
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
            try:
                yield browser
            finally:
                browser.close()
    except Error as exc:
        raise ReportError(f"chromium could not print: {exc.message.splitlines()[0]}") from None


def print_with(browser, html: str | Path, pdf: str | Path | None = None, note: str = "") -> Path:
    """Print ``html`` to ``pdf`` (default: beside it) with an open ``browser``.

    ``note`` (default: the page's title) is printed at the foot of every page, with the
    page number. Raises :class:`ReportError` when a chart has not drawn in time or the
    page tried to fetch anything from a network (the PDF would be missing it).
    """
    from playwright.sync_api import Error

    html, pdf = Path(html), pdf_path(html) if pdf is None else Path(pdf)
    page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
    fetched: list[str] = []
    try:
        page.route("**/*", lambda route: _local_only(route, fetched))
        # Laid out for paper from the start, so plotly draws each chart at the printed width.
        page.emulate_media(media="print")
        page.goto(html.resolve().as_uri(), wait_until="load")
        try:
            page.wait_for_function(CHARTS_DRAWN, timeout=DRAW_TIMEOUT_MS)
        except Error:
            raise ReportError(
                f"{html.name}: the charts did not draw within {DRAW_TIMEOUT_MS // 1000} s, "
                "so no PDF was printed"
            ) from None
        if fetched:
            raise ReportError(f"{html.name} tried to fetch {fetched[0]}; no PDF was printed")
        data = page.pdf(
            format="A4",
            margin={side: f"{MARGIN_MM}mm" for side in ("top", "right", "bottom", "left")},
            print_background=True,
            tagged=True,
            outline=True,
            display_header_footer=True,
            # An empty header: chromium's default prints the file's path and the time.
            header_template="<span></span>",
            footer_template=footer(note or page.title()),
        )
    finally:
        page.close()
    return write_file(pdf, timeless(data))


def print_pdf(html: str | Path, pdf: str | Path | None = None, note: str = "") -> Path:
    """Print one rendered HTML page to an A4 PDF (default: beside it); returns its path."""
    with printer() as browser:
        return print_with(browser, html, pdf, note)


def print_stale(pages: Iterable[str | Path]) -> list[Path]:
    """Print each HTML page whose PDF beside it is missing or older, with one chromium.

    Returns every page's PDF, printed now or kept (a batch run again keeps its PDFs).
    """
    pages = [Path(p) for p in pages]
    stale = [p for p in pages if not _up_to_date(p)]
    if stale:
        with printer() as browser:
            for html in stale:
                print_with(browser, html)
    return [pdf_path(p) for p in pages]


def _up_to_date(html: Path) -> bool:
    pdf = pdf_path(html)
    return pdf.is_file() and pdf.stat().st_mtime_ns >= html.stat().st_mtime_ns


def timeless(data: bytes) -> bytes:
    """The PDF with chromium's time stamps set to one fixed date of the same length.

    Same length, so every byte offset in the PDF's cross-reference table stays right.
    """
    return _STAMP.sub(lambda m: b"D:20000101000000" + (b"+00'00'" if m[1] else b""), data)


def _local_only(route, fetched: list[str]) -> None:
    """Let the page read local files and inline data; abort (and note) anything else."""
    url = route.request.url
    if url.startswith(("file:", "data:", "blob:")):
        route.continue_()
    else:
        fetched.append(url)
        route.abort()
