"""The sample leadership report printed to PDF in Debian's chromium, read back with pypdf.

The charts' titles and axis labels are SVG text that plotly writes only when it draws,
and their bars and lines are vector paths: both are checked against the same page printed
with scripts off (charts not drawn), so the checks are known to fail when a chart is
missing. Skipped with a reason when chromium is absent outside CI (tests/conftest.py).
"""

import contextlib
import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import ContentStream

from sendlib.planning.scheduling import plan_term
from sendlib.present.agenda import CONFIDENTIAL, write_agenda
from sendlib.present.pdf import PRINT_WIDTH_PX, print_with
from sendlib.present.runner import render_leadership_report
from sendlib.school.errors import ReportError
from sendlib.school.load import load_school

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "harbourside-primary"
pytestmark = pytest.mark.browser
#: Chart titles (figures.py) of the sample report: text in the PDF only if plotly drew.
CHART_TITLES = (
    "School days taken to acknowledge a request",
    "Open requests over the school year (whole school)",
    "Share of protected SENDCo time taken by meetings, by term",
)
#: A4 in points (210 x 297 mm); chromium rounds to whole device pixels, within 1.5 pt.
A4 = (595.28, 841.89)
#: Path-construction operators: move, line, curve, rectangle.
PATH_OPS = {b"m", b"l", b"c", b"re"}


@pytest.fixture(scope="module")
def report(browser, tmp_path_factory):
    """The sample report's HTML and its PDF, printed as `sendlib report --pdf` prints it."""
    out = tmp_path_factory.mktemp("pdf")
    html = render_leadership_report(SAMPLE, dt.date(2026, 3, 6), out, progress=False)
    pdf = print_with(browser, html)
    return html, pdf, pypdf.PdfReader(pdf)


def page_with(reader: pypdf.PdfReader, text: str) -> pypdf.PageObject:
    pages = [p for p in reader.pages if text in p.extract_text().replace("\n", " ")]
    assert pages, f"{text!r} is on no page"
    return pages[0]


def section_page(reader: pypdf.PdfReader, heading: str) -> pypdf.PageObject:
    """The page a section starts (its heading first on the page)."""
    return next(p for p in reader.pages if p.extract_text().startswith(heading))


def path_operators(reader: pypdf.PdfReader, page: pypdf.PageObject) -> int:
    operations = ContentStream(page.get_contents(), reader).operations
    return sum(1 for _, op in operations if op in PATH_OPS)


def test_the_report_prints_to_several_a4_pages_beside_the_html(report):
    html, pdf, reader = report
    assert pdf == html.with_suffix(".pdf")
    assert oct(pdf.stat().st_mode & 0o777) == "0o600"
    assert len(reader.pages) >= 8
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1.5 and abs(height - A4[1]) < 1.5
    first = reader.pages[0].extract_text()
    assert "Leadership report" in first and "Harbourside Primary" in first
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Headline figures" in text.replace("ﬁ", "fi")
    assert "Requests acknowledged within 5" in text
    # The footer names the report and numbers pages; no file path or time in the header.
    assert f"Harbourside Primary: leadership report page 1 of {len(reader.pages)}" in first
    assert "file:" not in text and str(html.parent) not in text


def test_each_section_starts_a_page_and_the_outline_lists_them(report):
    _, _, reader = report
    starts = [p.extract_text().split("\n", 1)[0] for p in reader.pages]
    for section in ("Actions", "Responding to meeting requests", "SENDCo time"):
        assert section in starts
    titles = [item["/Title"] for item in reader.outline[1] if not isinstance(item, list)]
    assert "SENDCo time" in titles and "Where the support hours go" in titles


def test_the_pdf_is_tagged_for_accessibility(report):
    root = report[2].trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


def test_charts_are_drawn_as_vector_paths_with_their_text(report, browser):
    html, _, reader = report
    drawn = {title: path_operators(reader, page_with(reader, title)) for title in CHART_TITLES}
    # Five bars and their axes; the step chart of open requests is hundreds of segments.
    assert all(count >= 20 for count in drawn.values()), drawn
    assert drawn[CHART_TITLES[1]] >= 200
    assert "Oct 2025" in page_with(reader, CHART_TITLES[1]).extract_text()  # an axis label

    # The control: the same page printed with scripts off, so plotly never draws.
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": PRINT_WIDTH_PX, "height": 1000}
    )
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(html.as_uri())
    undrawn = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    context.close()
    text = " ".join(p.extract_text() for p in undrawn.pages)
    assert not any(title in text for title in CHART_TITLES)
    for section in ("Responding to meeting requests", "SENDCo time"):
        assert path_operators(undrawn, section_page(undrawn, section)) < 20
        assert path_operators(reader, section_page(reader, section)) >= 20


def test_the_same_report_prints_to_the_same_bytes(report, browser, tmp_path):
    html, pdf, _ = report
    again = print_with(browser, html, tmp_path / "again.pdf")
    assert again.read_bytes() == pdf.read_bytes()
    assert b"/CreationDate (D:20000101000000" in again.read_bytes()


def test_a_page_that_fetches_from_a_network_is_not_printed(browser, tmp_path):
    html = tmp_path / "fetches.html"
    html.write_text('<p>logo</p><img src="http://example.invalid/logo.png">', "utf-8")
    with pytest.raises(ReportError, match="tried to fetch http://example.invalid/logo.png"):
        print_with(browser, html)
    assert not html.with_suffix(".pdf").exists()


def test_the_agenda_prints_with_the_confidential_mark_on_every_page(browser, tmp_path):
    school = load_school(SAMPLE)
    now = dt.datetime(2026, 11, 30, 9, 0)
    schedule = plan_term(school, "Spring 2026", dt.date(2026, 3, 6), time_limit=5, now=now)
    html = write_agenda(schedule, school, tmp_path / "agenda.html")[0]
    reader = pypdf.PdfReader(print_with(browser, html, note=f"{CONFIDENTIAL}. {school.name}"))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 5  # Mon 9 to Fri 13 March: a page or more each
    assert all("Confidential: contains pupil information" in p.replace("ﬁ", "fi") for p in pages)
    assert pages[0].startswith("Confidential: contains pupil information")
    assert "Monday 09 March 2026" in pages[0]
    # A placed meeting, by time, display name and ID, as the schedule has it.
    first = schedule.schedule.filter(schedule.schedule["date"] == dt.date(2026, 3, 9)).row(
        0, named=True
    )
    name = school.pupils.filter(school.pupils["pupil_id"] == first["pupil_id"])["display_name"][0]
    assert f"{first['start']}–{first['end']}  {name} ({first['pupil_id']})" in pages[0]


def test_a_batch_prints_each_stale_pdf_and_keeps_the_others(browser, tmp_path, monkeypatch):
    from sendlib.present import pdf

    # One playwright per thread: the batch prints with the module's browser.
    monkeypatch.setattr(pdf, "printer", lambda: contextlib.nullcontext(browser))

    pages = []
    for name in ("a", "b"):
        pages.append(tmp_path / f"{name}.html")
        pages[-1].write_text(f"<title>{name}</title><h1>School {name}</h1>", "utf-8")
    kept = print_with(browser, pages[0])
    before = kept.stat().st_mtime_ns
    assert pdf.print_stale(pages) == [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    assert kept.stat().st_mtime_ns == before  # newer than its HTML: kept
    assert "School b" in pypdf.PdfReader(tmp_path / "b.pdf").pages[0].extract_text()
