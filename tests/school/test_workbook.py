"""The one workbook writer (issue 16 point 5, issue 13 points 5, 6, 9): read back with openpyxl."""

import datetime as dt
import io

import openpyxl
import polars as pl

from sendlib.school.workbook import CONFIDENTIAL, frames_workbook, workbook_bytes, write_frames

FRAME = pl.DataFrame(
    {
        "pupil_id": ["P1", "P2", "P3"],
        "note": ['=HYPERLINK("http://x")', "+44 1234", "-3"],
        "due_on": [dt.date(2026, 3, 6), None, dt.date(2026, 4, 20)],
        "starts_at": [dt.datetime(2026, 3, 6, 15, 30), None, None],
        "minutes": [30, 45, -3],
    }
)


def test_cells_are_typed_and_text_is_never_a_formula(tmp_path):
    path = write_frames(tmp_path / "out.xlsx", {"Due": FRAME}, ["Three pupils."])
    assert path.stat().st_mode & 0o777 == 0o600
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Due"]
    assert (
        book["About"]["A1"].value == CONFIDENTIAL and book["About"]["A3"].value == "Three pupils."
    )
    sheet = book["Due"]
    assert [c.value for c in sheet[1]] == FRAME.columns
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    # A text that starts like a formula stays text, shown as typed (quote prefix).
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == '=HYPERLINK("http://x")'
    assert sheet["B2"].quotePrefix and sheet["B3"].quotePrefix
    assert sheet["B4"].data_type == "s" and sheet["B4"].value == "-3"  # text "-3" stays text
    assert sheet["E4"].value == -3 and sheet["E4"].data_type == "n"  # a number stays a number
    assert (
        sheet["C2"].value == dt.datetime(2026, 3, 6) and sheet["C2"].number_format == "dd/mm/yyyy"
    )
    assert sheet["D2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["C3"].value is None
    assert sheet.oddHeader.center.text == CONFIDENTIAL
    # Widths fit the longest text: the formula text is 22 characters, plus a margin of 2.
    assert sheet.column_dimensions["B"].width == 24


def test_the_same_frames_give_the_same_bytes():
    first = workbook_bytes(frames_workbook({"Due": FRAME}))
    assert workbook_bytes(frames_workbook({"Due": FRAME})) == first
    assert openpyxl.load_workbook(io.BytesIO(first)).properties.modified == dt.datetime(2000, 1, 1)
