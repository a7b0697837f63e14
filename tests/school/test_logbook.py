"""The SENDCo's logbook (issue 18): written with Excel's aids, read back exactly.

The round trip uses the sample primary (every log, optional ones included); the other
tests use a copy of the tiny fixture (tests/fixtures/tiny: pupils P1 and P2, two
requests R1 and R2 on 23 Oct 2025) so each expected problem can be worked by hand.
"""

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES, edit

from sendlib import DataValidationError, load_school
from sendlib.cli import main
from sendlib.rules.meetings import review_coverage
from sendlib.rules.plans import plan_reviews
from sendlib.rules.provision import provision_costs
from sendlib.rules.requests import response_times
from sendlib.school.logbook import SPARE_ROWS, logbook_command
from sendlib.school.logbook_read import SHOWN_COLUMN
from sendlib.school.outputs import OutputPlaceError
from sendlib.school.workbook import CONFIDENTIAL

AS_OF = dt.date(2026, 3, 6)


def to_logbook(folder: Path, logs=("requests", "meetings", "plans")) -> Path:
    """Write the folder's logbook into it and move the log CSVs to archive/, as the README says."""
    book = logbook_command(folder, folder / "logbook.xlsx")
    (folder / "archive").mkdir()
    for name in logs:
        shutil.move(folder / f"{name}.csv", folder / "archive" / f"{name}.csv")
    return book


@pytest.fixture(scope="module")
def primary_logbook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lb") / "harbourside-primary"
    shutil.copytree(SAMPLES / "harbourside-primary", folder)
    logs = ("requests", "meetings", "plans", "assessments", "interventions", "provisions")
    return to_logbook(folder, logs)


def test_round_trip_gives_the_same_tables_and_figures(primary_logbook, primary):
    again = load_school(primary_logbook.parent)
    for name in ("requests", "meetings", "plans", "assessments", "interventions", "provisions"):
        assert again.table(name).equals(primary.table(name)), name
    for figures in (response_times, review_coverage, plan_reviews, provision_costs):
        assert figures(again, AS_OF).equals(figures(primary, AS_OF)), figures.__name__


def test_each_aid_is_in_the_written_file(primary_logbook, primary):
    book = openpyxl.load_workbook(primary_logbook)
    assert book.sheetnames == [
        "Read me", "Requests", "Meetings", "Plans", "Assessments", "Interventions",
        "Provision", "Pupils", "Lists",
    ]  # fmt: skip
    assert book["Read me"]["A1"].value == CONFIDENTIAL
    assert book["Lists"].sheet_state == "hidden"
    requests = book["Requests"]
    assert [c.value for c in requests[1]] == [
        "request_id", "pupil_id", SHOWN_COLUMN, "received_on", "channel", "kind",
        "acknowledged_on", "response",
    ]  # fmt: skip
    assert requests.freeze_panes == "A2"
    assert requests.protection.sheet and not requests.protection.insertRows
    assert requests["A1"].protection.locked and not requests["A2"].protection.locked
    last = primary.requests.height + 1 + SPARE_ROWS
    assert not requests[f"H{last}"].protection.locked  # the spare rows are typed into
    assert requests.oddHeader.center.text == CONFIDENTIAL
    checks = {str(v.sqref): v for v in requests.data_validations.dataValidation}
    # 107 pupils on the sample's register: the list runs from Lists!A2 to A108.
    assert checks[f"B1:B{last}"].formula1 == "=Lists!$A$2:$A$108"
    assert checks[f"E1:E{last}"].formula1 == '"office,class_teacher,email,phone,other"'
    assert checks[f"D1:D{last}"].type == "date"
    assert checks[f"E1:E{last}"].showErrorMessage and checks[f"E1:E{last}"].errorStyle == "stop"
    assert checks[f"B1:B{last}"].errorStyle == "warning"  # a pupil new since: warned, kept
    assert "14/10/2025" in checks[f"D1:D{last}"].prompt
    assert all(v.showInputMessage and v.prompt for v in checks.values())
    assert requests["C2"].value.startswith('=IF(B2="","",IFERROR(VLOOKUP(B2,Lists!')
    assert requests["D2"].number_format == "dd/mm/yyyy"
    meetings = book["Meetings"]
    assert meetings["E2"].number_format == "dd/mm/yyyy hh:mm"  # starts_at: a time as a time
    assert book["Lists"]["A2"].value == primary.pupils["pupil_id"][0]


def test_the_same_school_gives_the_same_bytes(school, tmp_path):
    first = logbook_command(school, tmp_path / "a.xlsx").read_bytes()
    assert logbook_command(school, tmp_path / "b.xlsx").read_bytes() == first
    assert (tmp_path / "a.xlsx").stat().st_mode & 0o777 == 0o600


def test_rows_typed_by_hand_are_read_or_reported_exactly(school):
    before = load_school(school).requests
    book_path = to_logbook(school)
    book = openpyxl.load_workbook(book_path)
    sheet = book["Requests"]
    first = before.height + 2  # the first empty row: the header, then the records
    # A date typed as text, day-first.
    for column, value in zip("ABDEF", ["R8", "P2", "03/11/2025", "phone", "meeting"], strict=True):
        sheet[f"{column}{first}"] = value
    # The next row: an Excel date, and a typo in the kind code.
    for column, value in zip(
        "ABDEF", ["R9", "P1", dt.datetime(2025, 11, 4), "email", "meting"], strict=True
    ):
        sheet[f"{column}{first + 1}"] = value
    book.save(book_path)
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "logbook.xlsx, sheet Requests",
        first + 1,
        "F (kind)",
        "meting",
    )
    assert f"logbook.xlsx, sheet Requests row {first + 1}, F (kind): 'meting'" in str(problem)

    sheet[f"F{first + 1}"] = "meeting"
    book.save(book_path)
    requests = load_school(school).requests
    assert requests["request_id"].to_list() == [*before["request_id"], "R8", "R9"]
    assert requests["received_on"].to_list()[-2:] == [dt.date(2025, 11, 3), dt.date(2025, 11, 4)]


def test_a_row_far_below_keeps_its_excel_row_number(school):
    book_path = to_logbook(school)
    book = openpyxl.load_workbook(book_path)
    book["Plans"]["A900"] = "L9"  # every other cell of row 900 empty
    book.save(book_path)
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    rows = {(p.row, p.column) for p in info.value.problems}
    assert (900, "B (pupil_id)") in rows and (900, "E (starts_on)") in rows


def test_a_log_in_both_a_csv_and_the_logbook_says_which_to_keep(school):
    logbook_command(school, school / "logbook.xlsx")
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    said = [str(p) for p in info.value.problems]
    assert len(said) == 3  # requests, meetings, plans
    assert "requests.csv and logbook.xlsx, sheet Requests: keep one" in said[0]
    assert "archive/" in said[0]


def test_a_damaged_logbook_is_one_plain_problem(school, capsys):
    to_logbook(school)
    data = (school / "logbook.xlsx").read_bytes()
    (school / "logbook.xlsx").write_bytes(data[: len(data) // 2])
    assert main(["validate", str(school)]) == 1
    err = capsys.readouterr().err
    assert "logbook.xlsx cannot be read as an Excel workbook" in err
    assert "Traceback" not in err and "requests.csv file" not in err


def test_a_sheet_with_a_renamed_header_names_the_column(school):
    book_path = to_logbook(school)
    book = openpyxl.load_workbook(book_path)
    book["Meetings"]["E1"] = "start"  # starts_at renamed
    book.save(book_path)
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == (
        "logbook.xlsx, sheet Meetings",
        1,
        "starts_at",
    )
    assert "rename 'start' to starts_at" in problem.expected


def test_an_xlsx_table_in_place_of_its_csv(school):
    base = load_school(school)
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (school / "requests.csv").read_text().splitlines():
        sheet.append([cell or None for cell in row.split(",")])
    sheet["C3"] = dt.datetime(2025, 10, 23)  # an Excel date where the CSV had text
    book.save(school / "requests.xlsx")
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    assert str(info.value.problems[0]).startswith("requests.csv")
    assert "only one of requests.csv or requests.xlsx" in info.value.problems[0].expected
    (school / "requests.csv").unlink()
    assert load_school(school).requests.equals(base.requests)
    sheet["D2"] = "fax"
    book.save(school / "requests.xlsx")
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "requests.xlsx",
        2,
        "D (channel)",
        "fax",
    )


def test_the_command_refuses_to_overwrite_or_replace_an_input(school, tmp_path):
    out = tmp_path / "logbook.xlsx"
    out.write_bytes(b"mine")
    with pytest.raises(OutputPlaceError, match="already exists"):
        logbook_command(school, out)
    assert out.read_bytes() == b"mine"
    with pytest.raises(OutputPlaceError, match="school's own files"):
        logbook_command(school, school / "requests.xlsx")
    assert main(["logbook", str(school), "--out", str(out), "--force"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Read me"


def test_an_error_cell_and_a_slip_are_named_by_sheet_row_and_column(school):
    book_path = to_logbook(school)
    book = openpyxl.load_workbook(book_path)
    sheet = book["Requests"]
    sheet["D3"] = "#REF!"  # what Excel leaves when a formula's source is deleted
    sheet["D3"].data_type = "e"
    sheet["G2"] = "31/02/2025"  # no 31 February
    book.save(book_path)
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    found = [(p.file, p.row, p.column, p.value) for p in info.value.problems]
    assert found == [
        ("logbook.xlsx, sheet Requests", 2, "G (acknowledged_on)", "31/02/2025"),
        ("logbook.xlsx, sheet Requests", 3, "D (received_on)", None),
    ]
    assert info.value.problems[0].expected.startswith("a date such as 14/10/2025")


def test_a_workbook_saved_under_a_csv_name_is_named_for_what_it_is(school):
    openpyxl.Workbook().save(school / "requests.csv")
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    said = [str(p) for p in info.value.problems if p.file == "requests.csv"]
    assert said == ["requests.csv is an Excel workbook, not a CSV file: rename it requests.xlsx"]


def test_text_that_looks_like_a_formula_stays_text_both_ways(school, tmp_path):
    edit(
        school,
        "plans.csv",
        "SEN Support Plan,2025-09-15,2025-12-12,,",
        '"=HYPERLINK(""x"")",2025-09-15,2025-12-12,,',
    )
    before = load_school(school).plans
    book_path = to_logbook(school)
    cell = next(
        c for row in openpyxl.load_workbook(book_path)["Plans"].iter_rows() for c in row
        if c.value == '=HYPERLINK("x")'
    )  # fmt: skip
    assert cell.data_type == "s" and cell.quotePrefix  # text, shown as typed, never run
    assert load_school(school).plans.equals(before)
