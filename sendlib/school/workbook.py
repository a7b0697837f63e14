"""Writing Excel workbooks: one way for every .xlsx sendlib makes (exports and the logbook).

A sheet gets a bold, shaded header row frozen in place, column widths that fit, dates and
times as real Excel dates, and the confidential mark in its printed header. Text is
always stored as text (never a formula, whatever it starts with) and shown verbatim with
Excel's quote prefix, so a cell such as ``=HYPERLINK(...)`` from a school's file can
never run when opened (issue 13 point 5); numbers stay numbers. The file is saved
through :func:`sendlib.school.outputs.write_file` (atomic, 0600) with fixed timestamps,
so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sendlib.school.outputs import write_file

CONFIDENTIAL = "Confidential: contains pupil information"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
#: Every saved workbook carries this date, not the time of the run (same input, same bytes).
_FIXED_TIME = dt.datetime(2000, 1, 1)
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet), its document dates fixed."""
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "sendlib"
    book.properties.created = _FIXED_TIME
    book.properties.modified = _FIXED_TIME
    return book


def set_text(sheet: Worksheet, row: int, column: int, value: object) -> None:
    """Put one value in a cell: text as text (never a formula), numbers and dates typed."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if value.startswith(_RISKY):
            cell.quotePrefix = True  # Excel shows it as typed and keeps it text on edit
        return
    cell.value = value
    if isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def mark_confidential(sheet: Worksheet) -> None:
    """Print the confidential mark at the top of every page of ``sheet``."""
    sheet.oddHeader.center.text = CONFIDENTIAL
    sheet.evenHeader.center.text = CONFIDENTIAL


def write_header(sheet: Worksheet, names: Iterable[str], row: int = 1) -> None:
    """A bold, shaded header row, frozen so it stays on screen while scrolling."""
    for column, name in enumerate(names, start=1):
        set_text(sheet, row, column, name)
        cell = sheet.cell(row=row, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top")
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def fit_widths(sheet: Worksheet, frame: pl.DataFrame, minimum: int = 8, maximum: int = 48) -> None:
    """Column widths that fit the header and the longest value shown (within limits)."""
    for index, name in enumerate(frame.columns, start=1):
        dtype = frame.schema[name]
        if dtype == pl.Date:
            longest = 10
        elif isinstance(dtype, pl.Datetime):
            longest = 16
        else:
            lengths = frame[name].cast(pl.String).str.len_chars()
            longest = int(lengths.max() or 0)
        width = max(minimum, min(maximum, max(len(name), longest) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width


def add_table_sheet(
    book: Workbook, title: str, frame: pl.DataFrame, *, confidential: bool = True
) -> Worksheet:
    """A sheet holding ``frame``: formatted header, frozen first row, widths, typed cells."""
    sheet = book.create_sheet(title)
    write_header(sheet, frame.columns)
    for row, values in enumerate(frame.iter_rows(), start=2):
        for column, value in enumerate(values, start=1):
            if value is not None:
                set_text(sheet, row, column, value)
    fit_widths(sheet, frame)
    if frame.width:
        last = f"{get_column_letter(frame.width)}{max(frame.height + 1, 1)}"
        sheet.auto_filter.ref = f"A1:{last}"
    if confidential:
        mark_confidential(sheet)
    return sheet


def add_notes_sheet(
    book: Workbook, title: str, lines: Iterable[str], *, confidential: bool = True
) -> Worksheet:
    """A front sheet of plain sentences, one a row, the confidential mark first."""
    sheet = book.create_sheet(title)
    sheet.column_dimensions["A"].width = 110
    rows = [CONFIDENTIAL, ""] if confidential else []
    for row, line in enumerate([*rows, *lines], start=1):
        set_text(sheet, row, 1, line)
        sheet.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    if confidential:
        sheet.cell(row=1, column=1).font = Font(bold=True, color="9C0006")
        mark_confidential(sheet)
    return sheet


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every zip entry dated the same, so runs compare equal."""
    raw = io.BytesIO()
    book.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = _fixed_core(data)
            info = zipfile.ZipInfo(entry.filename, date_time=_FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, data)
    return fixed.getvalue()


def _fixed_core(data: bytes) -> bytes:
    """``docProps/core.xml`` with its modified time replaced by the fixed one."""
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", data)


def save_workbook(book: Workbook, path: str | Path) -> Path:
    """Save ``book`` at ``path`` atomically, readable by its owner only."""
    return write_file(path, workbook_bytes(book))


def frames_workbook(
    sheets: dict[str, pl.DataFrame], notes: Iterable[str] = (), *, confidential: bool = True
) -> Workbook:
    """One sheet per frame, after a front sheet of ``notes`` and the confidential mark."""
    book = new_workbook()
    notes = list(notes)
    if notes or confidential:
        add_notes_sheet(book, "About", notes, confidential=confidential)
    for title, frame in sheets.items():
        add_table_sheet(book, title[:31], frame, confidential=confidential)
    return book


def write_frames(
    path: str | Path,
    sheets: dict[str, pl.DataFrame],
    notes: Iterable[str] = (),
    *,
    confidential: bool = True,
) -> Path:
    """Write one sheet per frame (after a front sheet of ``notes``) to ``path``."""
    return save_workbook(frames_workbook(sheets, notes, confidential=confidential), path)
