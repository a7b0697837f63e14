"""Excel exports of the to-do lists, the provision map and the schedule (issue 16 point 5)."""

import base64
import datetime as dt
import io

import openpyxl
import polars as pl
import pytest
from conftest import SAMPLES

from sendlib.explorer.provision_map import provision_rows, provision_table
from sendlib.explorer.queries import caseload
from sendlib.explorer.todo import requests_to_acknowledge
from sendlib.explorer.xlsx_exports import (
    TodoDownload,
    provision_xlsx,
    todo_sheets,
    todo_xlsx,
)
from sendlib.planning.scheduling.command import schedule_command

AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="module")
def cases(primary):
    return caseload(primary, AS_OF)


def rows_of(sheet) -> list[tuple]:
    return [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]


def test_the_todo_workbook_holds_each_list_shown(cases):
    shown = cases.pupils
    book = openpyxl.load_workbook(io.BytesIO(todo_xlsx(cases, shown)))
    assert book.sheetnames[0] == "About" and len(book.sheetnames) == 8
    sheet = book["Requests to acknowledge"]
    expected = requests_to_acknowledge(cases, shown)
    assert [c.value for c in sheet[1]] == expected.columns
    assert [r[1] for r in rows_of(sheet)] == expected["request_id"].to_list()
    assert expected.height > 0
    # Dates as Excel dates, not text.
    assert sheet["F2"].value == dt.datetime.combine(expected["received_on"][0], dt.time())
    assert sheet.freeze_panes == "A2"


def test_the_todo_button_makes_a_link_and_a_filter_change_drops_it(cases):
    download = TodoDownload(lambda: (cases, cases.pupils))
    download.prepare()
    href = download.link.value.split('href="', 1)[1].split('"', 1)[0]
    assert href.startswith("data:application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(href.split("base64,", 1)[1])))
    expected = todo_sheets(cases, cases.pupils)["Plans to write"]
    assert book["Plans to write"].max_row == expected.height + 1
    download.forget()
    assert download.link.value == ""


def test_the_provision_map_workbook_is_the_map_shown(primary):
    table = provision_table(provision_rows(primary, AS_OF))
    book = openpyxl.load_workbook(io.BytesIO(provision_xlsx(table, False, primary.name)))
    sheet = book["Provision map"]
    header = [c.value for c in sheet[1]]
    assert "display_name" not in header  # names only where the page shows them
    assert sorted(r[header.index("pupil_id")] for r in rows_of(sheet)) == sorted(
        table["pupil_id"].to_list()
    )


def test_schedule_xlsx_holds_the_three_tables(tmp_path, capsys):
    xlsx = tmp_path / "summer.xlsx"
    code = schedule_command(
        SAMPLES / "harbourside-primary",
        term="Summer 2026",
        as_of=AS_OF,
        out_dir=tmp_path / "out",
        xlsx=xlsx,
        time_limit=2,
    )
    assert code == 0
    schedule = pl.read_csv(next((tmp_path / "out").rglob("schedule_*.csv")), try_parse_dates=True)
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["About", "Schedule", "Unplaced", "Weekly load"]
    sheet = book["Schedule"]
    assert sheet.max_row == schedule.height + 1
    assert [c.value for c in sheet[1]] == schedule.columns
    assert "Confidential" in book["About"]["A1"].value
    assert f"wrote {xlsx}" in capsys.readouterr().out


def test_schedule_xlsx_refuses_the_school_folder(school, capsys):
    assert schedule_command(school, term="Spring 2026", xlsx=school / "s.xlsx") == 2
    assert "would be written into the input folder" in capsys.readouterr().err
