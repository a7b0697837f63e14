"""Reading tables from Excel: the SENDCo's ``logbook.xlsx`` and ``<table>.xlsx`` files.

Each sheet is read by polars (``read_excel``, the calamine engine through fastexcel) as
text, empty rows kept, so the loader's one parser and rules check it exactly as they
check a CSV and every row number is the one Excel shows. Dates may be Excel dates or
typed as text (ISO or day-first); both become the school's ``date_format`` before
parsing. Problems name the sheet and the column as Excel shows it ("D (received_on)").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sendlib.school.errors import Problem
from sendlib.school.schema import Table

LOGBOOK_FILE = "logbook.xlsx"
#: The logs a logbook may hold, and their sheet names. The register (pupils, staff) and
#: register changes come from the school's MIS as files, not from the logbook.
LOG_SHEETS = {
    "requests": "Requests",
    "meetings": "Meetings",
    "plans": "Plans",
    "assessments": "Assessments",
    "interventions": "Interventions",
    "provisions": "Provision",
}
#: The logbook's formula column beside each pupil_id: shown to the SENDCo, never read.
SHOWN_COLUMN = "pupil (shown)"
_DAY = {"iso": "%Y-%m-%d", "dd/mm/yyyy": "%d/%m/%Y"}
_EXCEL_DATE = "a date such as 14/10/2025 (an Excel date, or typed as 14/10/2025 or 2025-10-14)"
_EXCEL_DATETIME = "a date and time such as 14/10/2025 15:30"


class WorkbookProblem(Exception):
    """A workbook or sheet that cannot be read at all; ``problem`` says which and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Logbook:
    """A school folder's ``logbook.xlsx``: its path and which logs it holds (by table)."""

    path: Path
    sheets: dict[str, str]
    readable: bool = True

    def sheet_label(self, table: str) -> str:
        """How problems name one of its sheets: "logbook.xlsx, sheet Requests"."""
        return f"{self.path.name}, sheet {self.sheets[table]}"


def open_logbook(folder: Path) -> tuple[Logbook | None, list[Problem]]:
    """The folder's logbook (``None`` if it has none), and a problem if it is unreadable."""
    path = folder / LOGBOOK_FILE
    if not (path.exists() or path.is_symlink()):
        return None, []
    try:
        names = sheet_names(path)
    except WorkbookProblem as exc:
        return Logbook(path, {}, readable=False), [exc.problem]
    sheets = {table: title for table, title in LOG_SHEETS.items() if title in names}
    return Logbook(path, sheets), []


def sheet_names(path: Path) -> list[str]:
    """The sheet names of a workbook; :class:`WorkbookProblem` if it is not one."""
    import fastexcel

    try:
        return list(fastexcel.read_excel(path).sheet_names)
    except (fastexcel.FastExcelError, OSError) as exc:
        raise WorkbookProblem(_damaged(path, exc)) from None


def _damaged(path: Path, exc: Exception) -> Problem:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    said = (
        f"{path.name} cannot be read as an Excel workbook ({first}): open it in Excel or "
        "LibreOffice and save it again as .xlsx, or restore the last good copy"
    )
    return Problem(path.name, None, None, None, "a readable Excel workbook (.xlsx)", said)


def read_sheet(
    path: Path, sheet: str | int, table: Table, date_format: str
) -> tuple[pl.DataFrame, list[str], dict[str, str]]:
    """A sheet as text columns named by its header row, with Excel's column labels.

    Returns the frame (one row per sheet row after the header, empty rows kept), the
    header as written, and each header's label as Excel shows it ("D (received_on)").
    """
    # Here, not at the top: importing openpyxl would cost every load of a folder of CSVs
    # (and each start of the explorer) a fifth of a second.
    import fastexcel
    from openpyxl.utils import get_column_letter

    try:
        grid = pl.read_excel(
            path,
            sheet_id=sheet + 1 if isinstance(sheet, int) else None,
            sheet_name=sheet if isinstance(sheet, str) else None,
            engine="calamine",
            has_header=False,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
        )
    except (fastexcel.FastExcelError, pl.exceptions.PolarsError, OSError) as exc:
        raise WorkbookProblem(_damaged(path, exc)) from None
    if grid.height == 0:
        return pl.DataFrame(), [], {}
    header = [("" if v is None else str(v)) for v in grid.row(0)]
    labels = {
        name.strip(): f"{get_column_letter(i)} ({name.strip()})"
        for i, name in enumerate(header, start=1)
    }
    # Unnamed columns (a note typed to the right, a blank spacer) carry no record.
    keep = [i for i, name in enumerate(header) if name.strip() and name.strip() != SHOWN_COLUMN]
    frame = grid[1:].select(grid.columns[i] for i in keep)
    named = [header[i].strip() for i in keep]
    if len(set(named)) < len(named):  # the loader names the repeated headers
        return frame, named, labels
    frame = frame.rename(dict(zip(frame.columns, named, strict=True)))
    return _school_dates(frame, table, date_format), named, labels


def _school_dates(frame: pl.DataFrame, table: Table, date_format: str) -> pl.DataFrame:
    """Excel dates and dates typed as ISO or day-first text, as the school's date format.

    A cell that is neither is left as written, for the loader to report.
    """
    day = _DAY[date_format]
    converted = []
    for column in table.columns:
        if column.name not in frame.columns or column.kind not in ("date", "datetime"):
            continue
        raw = pl.col(column.name).str.strip_chars()
        if column.kind == "date":
            iso = raw.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]00:00(?::00)?)?$", 1)
            uk = raw.str.extract(r"^(\d{1,2}/\d{1,2}/\d{4})$", 1)
            value = pl.coalesce(
                iso.str.to_date("%Y-%m-%d", strict=False), uk.str.to_date("%d/%m/%Y", strict=False)
            ).dt.strftime(day)
        else:
            iso = raw.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2})(?::\d{2})?$", 1)
            uk = raw.str.extract(r"^(\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2})(?::\d{2})?$", 1)
            value = pl.coalesce(
                iso.str.replace("T", " ").str.to_datetime("%Y-%m-%d %H:%M", strict=False),
                uk.str.to_datetime("%d/%m/%Y %H:%M", strict=False),
            ).dt.strftime(f"{day} %H:%M")
        converted.append(pl.coalesce(value, pl.col(column.name)).alias(column.name))
    return frame.with_columns(converted) if converted else frame


def both_problem(table: str, files: list[str]) -> Problem:
    """One log found in two places: say which to keep and where the other goes."""
    listed = " and ".join(files)
    said = (
        f"the {table} log is in both {listed}: keep one. If you now keep it in the "
        "logbook, move the CSV file into an archive/ folder; if you keep the CSV, delete "
        "the sheet from the logbook"
    )
    return Problem(files[0], None, None, None, f"the {table} log in one place only", said)


def relabel(found: pl.DataFrame, labels: dict[str, dict[str, str]]) -> pl.DataFrame:
    """Problems from Excel sheets with their columns named as Excel shows them."""
    if not labels or found.is_empty():
        return found
    pairs = pl.DataFrame(
        [
            {"file": file, "column": name, "_label": label}
            for file, names in labels.items()
            for name, label in names.items()
        ],
        schema={"file": pl.String, "column": pl.String, "_label": pl.String},
    )
    # In a workbook a date is an Excel date or typed either way: say so, not the CSV rule.
    excel = pl.col("file").is_in(list(labels))
    about_dates = excel & pl.col("expected").str.contains("date_format")
    with_time = pl.col("expected").str.contains("time")
    said = pl.when(with_time).then(pl.lit(_EXCEL_DATETIME)).otherwise(pl.lit(_EXCEL_DATE))
    return (
        found.join(pairs, on=["file", "column"], how="left", nulls_equal=False)
        .with_columns(
            column=pl.coalesce("_label", "column"),
            expected=pl.when(about_dates)
            .then(
                pl.when(pl.col("expected").str.starts_with("a value"))
                .then(pl.format("a value ({})", said))
                .otherwise(said)
            )
            .otherwise(pl.col("expected")),
        )
        .drop("_label")
    )
