"""``sendlib logbook``: the SENDCo's Excel logbook, written from a school's current records.

One sheet per log (Requests, Meetings, Plans, and Assessments, Interventions and Provision
when the school keeps them), a Pupils sheet from the register, and a front sheet in plain
words. Excel's own aids help while typing: dropdowns for every code and for pupil IDs (from
a hidden Lists sheet, since inline lists stop at 255 characters) with the pupil's initials
shown beside by formula, date checks, input messages, frozen and protected header rows.
``load_school`` reads the file back when it sits in the school folder as ``logbook.xlsx``.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sendlib.school.load import School, load_school
from sendlib.school.logbook_help import FRONT_SHEET, column_help
from sendlib.school.logbook_read import LOG_SHEETS, LOGBOOK_FILE, SHOWN_COLUMN, sheet_names
from sendlib.school.outputs import OutputPlaceError, shown_path
from sendlib.school.schema import TABLES, Column
from sendlib.school.workbook import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    add_notes_sheet,
    add_table_sheet,
    mark_confidential,
    new_workbook,
    save_workbook,
)

#: Rows below the records made ready for typing (unlocked, checked, initials shown).
SPARE_ROWS = 500
#: Excel date serials of 1 Jan 2000 and 31 Dec 2099: a date outside is a typing slip.
_FIRST_DAY, _LAST_DAY = 36526, 73050
_UNLOCKED = Protection(locked=False)
#: The hidden sheet the pupil and staff dropdowns draw from.
LISTS = "Lists"


def logbook_command(school_dir: str | Path, out: str | Path, force: bool = False) -> Path:
    """Write the logbook for ``school_dir`` at ``out`` (a new .xlsx unless ``force``).

    Raises:
        OutputPlaceError: ``out`` is not an .xlsx path, exists without ``force``, or is
            one of the files the school folder is read from.
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise OutputPlaceError(f"{shown_path(out)}: the logbook is an Excel file; end it in .xlsx")
    if out.is_dir():
        raise OutputPlaceError(f"{shown_path(out)} is a folder; give the path of a new .xlsx file")
    school = load_school(school_dir)
    folder = school.path
    if out.exists() and not force:
        raise OutputPlaceError(
            f"{shown_path(out)} already exists; choose a new name, or add --force to replace it"
        )
    _refuse_over_an_input(out, folder)
    return save_workbook(build_logbook(school), out)


def _refuse_over_an_input(out: Path, folder: Path) -> None:
    """Never replace a table the school folder is read from (only its own logbook.xlsx)."""
    place = Path(os.path.realpath(out))
    if place.parent != folder or place.name == "logbook.xlsx":
        return
    if place.name == "school.toml" or place.stem in TABLES:
        raise OutputPlaceError(
            f"{shown_path(out)} is one of the school's own files; choose another name"
        )


def logs_kept(school: School) -> list[str]:
    """The logs the logbook holds: the three every school keeps, and the optional ones in use."""
    kept = ["requests", "meetings", "plans"]
    for name in ("assessments", "interventions", "provisions"):
        if school.table(name).height or _has_file(school.path, name):
            kept.append(name)
    return kept


def _has_file(folder: Path, name: str) -> bool:
    if any((folder / f"{name}.{ext}").exists() for ext in ("csv", "parquet", "xlsx")):
        return True
    book = folder / LOGBOOK_FILE
    return book.exists() and LOG_SHEETS[name] in sheet_names(book)


def build_logbook(school: School) -> Workbook:
    """The logbook workbook for ``school``, ready to save."""
    book = new_workbook()
    add_notes_sheet(book, "Read me", FRONT_SHEET.format(school=school.name).splitlines())
    pupils = pupil_list(school)
    logs = logs_kept(school)
    for name in logs:
        _log_sheet(book, name, school.table(name), pupils.height, "interventions" in logs)
    register = add_table_sheet(book, "Pupils", pupils.drop("_initials"))
    register.protection.sheet = True  # a copy of the register: change it in the MIS export
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    for row, (pupil, shown) in enumerate(pupils.select("pupil_id", "_initials").iter_rows(), 2):
        lists.cell(row=row, column=1, value=pupil).data_type = "s"
        lists.cell(row=row, column=2, value=shown).data_type = "s"
    for row, staff in enumerate(school.staff["staff_id"], start=2):
        lists.cell(row=row, column=3, value=staff).data_type = "s"
    lists.protection.sheet = True
    return book


def pupil_list(school: School) -> pl.DataFrame:
    """The register as the Pupils sheet shows it, with the label shown beside a chosen ID."""
    pupils = school.pupils
    names = (
        pupils["display_name"]
        if "display_name" in pupils.columns
        else pl.Series([None] * pupils.height)
    )
    initials = pl.Series(
        [
            "".join(part[0].upper() for part in name.split() if part) if name else None
            for name in names
        ],
        dtype=pl.String,
    )
    year = pl.format("Year {}", pl.col("year_group"))
    return pupils.with_columns(initials=initials).select(
        "pupil_id",
        "initials",
        "year_group",
        "sen_status",
        "primary_need",
        "lead_staff_id",
        pl.when(pl.col("initials").is_not_null())
        .then(pl.format("{}, {}", "initials", year))
        .otherwise(year)
        .alias("_initials"),
    )


def _log_sheet(
    book: Workbook, name: str, frame: pl.DataFrame, pupils: int, has_interventions: bool
):
    """One log's sheet: its records, then spare rows with every aid to type into."""
    table = TABLES[name]
    columns = [c for c in table.columns if c.name in frame.columns]
    headers = [c.name for c in columns]
    shown_at = headers.index("pupil_id") + 1 if "pupil_id" in headers else None
    if shown_at is not None:
        headers.insert(shown_at, SHOWN_COLUMN)
        frame = frame.with_columns(pl.lit(None, pl.String).alias(SHOWN_COLUMN))
    sheet = add_table_sheet(book, LOG_SHEETS[name], frame.select(headers))
    sheet.auto_filter.ref = None  # a filter would hide rows the SENDCo types into
    last = frame.height + 1 + SPARE_ROWS
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        if header == SHOWN_COLUMN:
            pupil = get_column_letter(index - 1)
            for row in range(2, last + 1):
                sheet[f"{letter}{row}"] = (
                    f'=IF({pupil}{row}="","",IFERROR(VLOOKUP({pupil}{row},'
                    f'{LISTS}!$A$2:$B${pupils + 1},2,FALSE),"not on the register"))'
                )
            said = "The pupil's initials and year, looked up from the pupil_id."
            _prompt(sheet, f"{letter}1:{letter}{last}", "Shown, not typed", said)
            continue
        column = columns[[c.name for c in columns].index(header)]
        for row in range(2, last + 1):
            cell = sheet[f"{letter}{row}"]
            cell.protection = _UNLOCKED
            if column.kind == "date":
                cell.number_format = DATE_FORMAT
            elif column.kind == "datetime":
                cell.number_format = DATETIME_FORMAT
        check = _validation(column, name, pupils, has_interventions)
        check.allow_blank = True
        # A code must be one of the list; an ID not (yet) in the register only warns,
        # so a pupil who joined since the logbook was made can still be typed in.
        check.showErrorMessage = True
        check.errorStyle = "warning" if check.formula1 and "!" in check.formula1 else "stop"
        title, text = column_help(name, column)
        check.promptTitle, check.prompt, check.showInputMessage = title, text, True
        check.error = f"{header}: {text}"[:255]
        check.errorTitle = "Not a value this column takes"[:32]
        check.add(f"{letter}1:{letter}{last}")  # the header shows the message too
        sheet.add_data_validation(check)
    sheet.protection.sheet = True
    for allowed in ("formatColumns", "formatRows", "insertRows", "deleteRows", "sort"):
        setattr(sheet.protection, allowed, False)
    mark_confidential(sheet)


def _prompt(sheet: Worksheet, cells: str, title: str, text: str) -> None:
    """An input message only (no check) on ``cells``."""
    check = DataValidation(showInputMessage=True, promptTitle=title, prompt=text)
    check.add(cells)
    sheet.add_data_validation(check)


def _validation(column: Column, table: str, pupils: int, has_interventions: bool) -> DataValidation:
    """Excel's check for one column: a dropdown, a date, a number, or none."""
    if column.name == "pupil_id":
        return DataValidation(type="list", formula1=f"={LISTS}!$A$2:$A${pupils + 1}")
    if column.name == "lead_staff_id":
        return DataValidation(type="list", formula1=f"={LISTS}!$C$2:$C$500")
    if column.name == "intervention_id" and table == "provisions" and has_interventions:
        sheet = LOG_SHEETS["interventions"]
        return DataValidation(type="list", formula1=f"={sheet}!$A$2:$A$1000")
    if column.codes:
        return DataValidation(type="list", formula1=f'"{",".join(column.codes)}"')
    if column.kind == "bool":
        return DataValidation(type="list", formula1='"true,false"')
    if column.kind in ("date", "datetime"):
        kind = "date" if column.kind == "date" else "decimal"
        return DataValidation(
            type=kind, operator="between", formula1=str(_FIRST_DAY), formula2=str(_LAST_DAY)
        )
    if column.kind == "int":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    if column.kind == "number":  # a measure may be below zero; a cost never is (rules say)
        return DataValidation(type="decimal", operator="between", formula1="-1E9", formula2="1E9")
    return DataValidation()
