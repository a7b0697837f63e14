"""Loading a school folder: read, parse and validate every table, report every problem.

Parse, don't re-check: once :func:`load_school` returns, every table has the documented
columns and types and every reference resolves, so the analytics trust it. A row is
never dropped silently: either loading stops with the full list of problems, or (with
``lenient=True``) rows with problems move to ``School.rejects`` for the report to show.
"""

from __future__ import annotations

import csv as csv_module
import datetime as dt
import difflib
import io
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sendlib.school.calendar import SchoolCalendar
from sendlib.school.config import SchoolConfig, load_config
from sendlib.school.errors import DataValidationError, Problem, path_problem
from sendlib.school.logbook_read import (
    LOG_SHEETS,
    Logbook,
    WorkbookProblem,
    both_problem,
    open_logbook,
    read_sheet,
    relabel,
)
from sendlib.school.policy import Policy
from sendlib.school.schema import TABLE_ORDER, TABLES, Column, Table
from sendlib.school.table_rules import (
    PROBLEM_SCHEMA,
    ROW,
    no_problems,
    problem_rows,
    table_problems,
)

_DATE_FORMATS = {"iso": "%Y-%m-%d", "dd/mm/yyyy": "%d/%m/%Y"}
#: The shape a date cell must have: polars' %Y would read "14/10/25" as the year 25.
_DATE_SHAPES = {"iso": r"\d{4}-\d{1,2}-\d{1,2}", "dd/mm/yyyy": r"\d{1,2}/\d{1,2}/\d{4}"}
_DATE_EXPECTED = {
    "iso": 'an ISO date (YYYY-MM-DD); set date_format = "dd/mm/yyyy" in school.toml '
    "if your export is day-first",
    "dd/mm/yyyy": "a date as dd/mm/yyyy (date_format in school.toml)",
}


@dataclass(frozen=True)
class School:
    """A validated school folder: settings, calendar and its typed tables.

    The optional tables (``assessments``, ``register_changes``, ``interventions``,
    ``provisions``) are empty frames with
    their typed columns when the folder has no file for them: not recorded, never zero.
    """

    path: Path
    config: SchoolConfig
    calendar: SchoolCalendar
    pupils: pl.DataFrame
    staff: pl.DataFrame
    requests: pl.DataFrame
    meetings: pl.DataFrame
    plans: pl.DataFrame
    assessments: pl.DataFrame
    register_changes: pl.DataFrame
    interventions: pl.DataFrame
    provisions: pl.DataFrame
    #: Rows set aside by a lenient load: file, row, column, value, expected, record.
    rejects: pl.DataFrame

    @property
    def name(self) -> str:
        """The school's name from ``school.toml``."""
        return self.config.name

    @property
    def policy(self) -> Policy:
        """The school's policy (DOMAIN.md defaults unless ``[policy]`` overrides them)."""
        return self.config.policy

    @property
    def slug(self) -> str:
        """A file-system-safe name for outputs: the folder's name."""
        return self.path.name

    def table(self, name: str) -> pl.DataFrame:
        """One of the tables by name."""
        return getattr(self, name)


def load_school(path: str | Path, *, lenient: bool = False) -> School:
    """Load and validate a school folder (``school.toml``, five tables, two optional ones).

    Raises:
        DataValidationError: listing every problem found (strict mode), or the problems
            with ``school.toml`` and whole files that even a lenient load cannot skip.
    """
    folder = Path(path)
    unusable = path_problem(folder, "folder")
    if unusable is not None:
        expected = "a school folder (school.toml and tables)"
        said = f"{unusable}: give the path of a school folder (its school.toml and tables)"
        raise DataValidationError([Problem(str(folder), None, None, str(folder), expected, said)])
    problems: list[Problem] = []
    config: SchoolConfig | None = None
    calendar: SchoolCalendar | None = None
    date_format = "iso"
    try:
        config = load_config(folder / "school.toml")
        calendar = config.calendar()
        date_format = config.date_format
    except DataValidationError as exc:
        problems.extend(exc.problems)
        date_format = _declared_date_format(folder / "school.toml")
    except ValueError as exc:
        problems.append(Problem("school.toml", None, "[[terms]]", None, str(exc)))
    except OSError:  # a folder, a link loop or a file we may not read, named school.toml
        problems.append(_unreadable(folder / "school.toml"))

    frames: dict[str, pl.DataFrame] = {}
    row_problems: list[pl.DataFrame] = []
    logbook, book_problems = open_logbook(folder)
    problems.extend(book_problems)
    labels: dict[str, dict[str, str]] = {}  # Excel's column labels, by sheet
    for name in TABLE_ORDER:
        table = TABLES[name]
        raw, file, file_problems = read_table(folder, table, date_format, logbook, labels)
        problems.extend(file_problems)
        if raw is None:
            if table.optional and not file_problems:
                frames[name] = _absent_table(table)
            continue
        typed, found = parse_table(raw, table, file, date_format)
        if file_problems:  # columns missing: their cells are checked, rules need them all
            row_problems.append(found)
            continue
        # A cell that did not parse is reported once, not again by the rules that need it.
        rules = table_problems(name, typed, file, frames, calendar)
        rules = pl.concat([no_problems(), *rules], how="vertical")
        rules = _as_written(rules, raw)
        found = pl.concat([found, rules.join(found, on=["row", "column"], how="anti")])
        if lenient:
            frames[name] = typed.filter(~pl.col(ROW).is_in(found["row"].implode()))
            row_problems.append(_with_records(found, raw))
        else:
            frames[name] = typed
            row_problems.append(found)

    rejects = pl.concat(row_problems, how="diagonal_relaxed") if row_problems else no_problems()
    rejects = relabel(rejects, labels).sort("file", "row", "column", nulls_last=True)
    if not lenient:
        problems.extend(
            Problem(**r) for r in rejects.select(list(PROBLEM_SCHEMA)).iter_rows(named=True)
        )
    if problems:
        raise DataValidationError(problems)
    assert config is not None and calendar is not None
    clean = {name: frame.drop(ROW) for name, frame in frames.items()}
    return School(
        path=folder.resolve(),
        config=config,
        calendar=calendar,
        rejects=rejects if lenient else no_problems().with_columns(record=pl.lit(None, pl.String)),
        **clean,
    )


def _declared_date_format(path: Path) -> str:
    """The date format a broken ``school.toml`` still declares, so table checks stay useful."""
    try:
        declared = tomllib.loads(path.read_text("utf-8-sig")).get("school", {}).get("date_format")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return "iso"
    return declared if declared in _DATE_FORMATS else "iso"


def read_table(
    folder: Path,
    table: Table,
    date_format: str,
    logbook: Logbook | None = None,
    labels: dict[str, dict[str, str]] | None = None,
) -> tuple[pl.DataFrame | None, str, list[Problem]]:
    """Read ``<table>.csv``, ``.parquet``, ``.xlsx`` or a logbook sheet as stripped text.

    Problems with the whole file come back with no frame; missing columns come back with
    the frame, so the cells that are there can still be checked. ``labels`` collects
    each Excel sheet's column labels, for the problems to name columns as Excel does.
    """
    csv, parquet = folder / f"{table.name}.csv", folder / f"{table.name}.parquet"
    xlsx = folder / f"{table.name}.xlsx"
    file = csv.name
    found = [p.name for p in (csv, parquet, xlsx) if _present(p)]
    in_book = logbook is not None and table.name in logbook.sheets
    if in_book:
        found.append(logbook.sheet_label(table.name))
    if len(found) > 1:
        if in_book:
            return None, found[0], [both_problem(table.name, found)]
        said = f"only one of {' or '.join(found)}"
        return None, file, [Problem(found[0], None, None, None, said)]
    if in_book:
        return _read_excel(logbook.path, logbook.sheets[table.name], table, date_format, labels)
    path = next((p for p in (parquet, xlsx) if _present(p)), csv)
    if not _present(path):
        if table.optional or (logbook is not None and not logbook.readable):
            return None, file, []  # an unreadable logbook is reported once, by itself
        where = f"a {file} file in the school folder"
        if logbook is not None and table.name in LOG_SHEETS:
            where = f"a {file} file or a {LOG_SHEETS[table.name]} sheet in {logbook.path.name}"
        return None, file, [Problem(file, None, None, None, where)]
    file = path.name
    if path_problem(path, "file") is not None:
        return None, file, [_unreadable(path)]
    if path is xlsx:
        return _read_excel(xlsx, 0, table, date_format, labels)
    try:
        if path is parquet:
            frame = _parquet_as_text(pl.read_parquet(parquet), date_format)
            header = frame.columns
        else:
            text = _csv_text(csv)
            header = next(csv_module.reader(io.StringIO(text)), [])
            separated = separator_problem(file, text)
            if separated is not None:
                return None, file, [separated]
            frame = pl.read_csv(text.encode(), infer_schema=False)
    except _NotText as exc:
        return None, file, [exc.problem]
    except OSError:
        return None, file, [_unreadable(path)]
    except pl.exceptions.PolarsError as exc:
        ragged = _ragged_rows(csv) if path is csv else []
        if ragged:
            return None, file, ragged
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, file, [Problem(file, None, None, None, f"a readable table ({first_line})")]

    return _as_text_table(frame, header, table, file)


def _read_excel(
    path: Path,
    sheet: str | int,
    table: Table,
    date_format: str,
    labels: dict[str, dict[str, str]] | None,
) -> tuple[pl.DataFrame | None, str, list[Problem]]:
    """One Excel sheet (a logbook's, or an .xlsx file's first) read like a CSV file."""
    file = path.name if isinstance(sheet, int) else f"{path.name}, sheet {sheet}"
    try:
        frame, header, shown = read_sheet(path, sheet, table, date_format)
    except WorkbookProblem as exc:
        return None, file, [exc.problem]
    if labels is not None:
        labels[file] = shown
    return _as_text_table(frame, header, table, file)


def _as_text_table(
    frame: pl.DataFrame, header: list[str], table: Table, file: str
) -> tuple[pl.DataFrame | None, str, list[Problem]]:
    """Columns renamed to the stripped header, cells stripped text, rows numbered as written."""
    stripped = [c.strip() for c in header]
    repeated = sorted({c for c in stripped if stripped.count(c) > 1})
    if repeated:  # polars would rename one "role" to "role_duplicated_0" and read on
        return (
            None,
            file,
            [
                Problem(file, 1, column, column, "each column name only once in the header row")
                for column in repeated
            ],
        )
    frame = frame.rename(dict(zip(frame.columns, stripped, strict=True)))
    text_frame = frame.with_columns(
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in frame.columns
    )
    numbered = text_frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    # A row with every cell empty (Excel's trailing ",,,,") holds no record: nothing is lost.
    kept = numbered.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    return kept, file, _missing_columns(file, table, frame.columns)


def _present(path: Path) -> bool:
    """Whether something is at ``path``: a file, a folder, or a link (even a broken one)."""
    return path.exists() or path.is_symlink()


def _unreadable(path: Path) -> Problem:
    """A file that is there but cannot be read as one: a folder, a link loop, no permission."""
    why = path_problem(path, "file", shown=path.name) or f"{path.name} cannot be read"
    said = f"{why}: the school folder needs the file {path.name} itself"
    return Problem(path.name, None, None, None, f"a readable {path.name} file", said)


class _NotText(Exception):
    """A table file that is not UTF-8 text; ``problem`` says what it looks like instead."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _csv_text(path: Path) -> str:
    """The text of a CSV file saved as UTF-8 (with or without Excel's byte order mark)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise _NotText(encoding_problem(path.name, data)) from None


def encoding_problem(file: str, data: bytes) -> Problem:
    """Say what a file that is not UTF-8 looks like, and how to save it as CSV UTF-8."""
    if data.startswith(b"PK\x03\x04"):  # sendlib reads it under its own name
        stem = file.rsplit(".", 1)[0]
        said = f"{file} is an Excel workbook, not a CSV file: rename it {stem}.xlsx"
        return Problem(file, None, None, None, f"a CSV file, or the workbook as {stem}.xlsx", said)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        looks = 'is not UTF-8 (it looks like UTF-16, Excel\'s "Unicode Text")'
    else:
        try:
            data.decode("cp1252")
            looks = 'is not UTF-8 (it looks like Windows-1252, Excel\'s plain "CSV")'
        except UnicodeDecodeError:
            looks = "is not UTF-8 text"
    said = f'{file} {looks}: save it as CSV UTF-8 (in Excel: Save As, "CSV UTF-8")'
    return Problem(file, None, None, None, 'a UTF-8 file (save as "CSV UTF-8")', said)


def separator_problem(file: str, text: str) -> Problem | None:
    """A file whose header row is split by semicolons or tabs rather than commas."""
    first = text.split("\n", 1)[0]
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if first.count(separator) > first.count(","):
            said = (
                f"{file} is separated by {name}, not commas: save it as CSV UTF-8 "
                "(comma delimited), or choose the comma as the separator when exporting"
            )
            return Problem(file, 1, None, None, "cells separated by commas", said)
    return None


def _missing_columns(file: str, table: Table, columns: list[str]) -> list[Problem]:
    """A problem for each required column not in the header, naming a near miss if any."""
    known = {c.name for c in table.columns}
    unknown = [c for c in columns if c not in known]
    problems = []
    for column in (c for c in table.required if c not in columns):
        lowered = {c.lower().replace(" ", "_"): c for c in unknown}
        near = lowered.get(column) or next(
            iter(difflib.get_close_matches(column, unknown, n=1, cutoff=0.6)), None
        )
        expected = f"a column named {column} in the header row"
        if near is not None:
            unknown.remove(near)
            expected += f" (rename {near!r} to {column})"
        problems.append(Problem(file, 1, column, near, expected))
    return problems


def _ragged_rows(path: Path) -> list[Problem]:
    """Rows whose number of cells differs from the header's, so the user can find them."""
    rows = list(csv_module.reader(_csv_text(path).splitlines()))
    if not rows:
        return []
    width = len(rows[0])
    return [
        Problem(
            path.name,
            number,
            None,
            ",".join(cells)[:80],
            f"{width} cells, like the header row (found {len(cells)})",
        )
        for number, cells in enumerate(rows[1:], start=2)
        if cells and len(cells) != width
    ]


def _parquet_as_text(frame: pl.DataFrame, date_format: str) -> pl.DataFrame:
    """Parquet cells as text in the school's date format, so one parser checks both formats."""
    day = _DATE_FORMATS[date_format]
    converted = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Date:
            converted.append(column.dt.strftime(day))
        elif isinstance(dtype, pl.Datetime):
            converted.append(column.dt.strftime(f"{day} %H:%M"))
        elif dtype == pl.Boolean:
            text = pl.when(column).then(pl.lit("true")).when(~column).then(pl.lit("false"))
            converted.append(text.alias(name))
        else:
            converted.append(column.cast(pl.String))
    return frame.select(converted)


def _parse(column: Column, date_format: str) -> tuple[pl.Expr, str]:
    """The typed expression for a text column, and what a valid cell looks like."""
    raw = pl.col(column.name)
    if column.kind == "date":
        shaped = raw.str.contains(f"^{_DATE_SHAPES[date_format]}$")
        parsed = pl.when(shaped).then(raw.str.to_date(_DATE_FORMATS[date_format], strict=False))
        return parsed, _DATE_EXPECTED[date_format]
    if column.kind == "datetime":
        day = _DATE_FORMATS[date_format]
        time = r"[ T]\d{1,2}:\d{2}(:\d{2})?"
        shaped = raw.str.contains(f"^{_DATE_SHAPES[date_format]}{time}$")
        spaced = raw.str.replace("T", " ", literal=True)
        parsed = pl.when(shaped).then(
            pl.coalesce(
                *(
                    spaced.str.to_datetime(f"{day} {t}", strict=False, time_unit="us")
                    for t in ("%H:%M", "%H:%M:%S")
                )
            )
        )
        if date_format == "iso":
            return parsed, (
                'a date and time as YYYY-MM-DD HH:MM; set date_format = "dd/mm/yyyy" in '
                "school.toml if your export is day-first"
            )
        return parsed, "a date and time as dd/mm/yyyy HH:MM (date_format in school.toml)"
    if column.kind == "int":
        return raw.str.to_integer(strict=False).cast(pl.Int64), "a whole number"
    if column.kind == "number":
        # A plain decimal only: "1e3", "nan" and "inf" are not amounts a school writes.
        shaped = raw.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
        return pl.when(shaped).then(raw.cast(pl.Float64, strict=False)), "a number such as 12.50"
    if column.kind == "bool":
        lowered = raw.str.to_lowercase()
        parsed = pl.when(lowered == "true").then(True).when(lowered == "false").then(False)
        return parsed.otherwise(None).cast(pl.Boolean), "true or false"
    if column.codes:
        return pl.when(raw.is_in(column.codes)).then(raw), f"one of {', '.join(column.codes)}"
    return raw, "a value"


def parse_table(
    raw: pl.DataFrame, table: Table, file: str, date_format: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed columns, and a problem for every cell that is missing or will not parse."""
    present = [c for c in table.columns if c.name in raw.columns]
    parsed = {c.name: _parse(c, date_format) for c in present}
    typed = raw.with_columns(expr.alias(name) for name, (expr, _) in parsed.items())
    checks = []
    for column in present:
        expected = parsed[column.name][1]
        bad = raw[column.name].is_not_null() & typed[column.name].is_null()
        checks.append(problem_rows(raw, bad, file, column.name, expected))
        if not column.nullable:
            what = f"a value ({expected})" if column.kind not in ("id", "text") else "a value"
            checks.append(problem_rows(raw, raw[column.name].is_null(), file, column.name, what))
    duplicated = (
        typed[table.key].is_duplicated() & typed[table.key].is_not_null()
        if table.key in typed.columns
        else pl.Series([False] * typed.height)
    )
    if duplicated.any():
        first_rows = (
            typed.filter(duplicated).group_by(table.key).agg(pl.col(ROW).min().alias("_first"))
        )
        later = typed.join(first_rows, on=table.key, how="left")
        repeat = later["_first"].is_not_null() & (later[ROW] != later["_first"])
        checks.append(
            later.filter(repeat).select(
                pl.lit(file).alias("file"),
                pl.col(ROW).alias("row"),
                pl.lit(table.key).alias("column"),
                pl.col(table.key).alias("value"),
                pl.format("a unique {} (first used on row {})", pl.lit(table.key), "_first").alias(
                    "expected"
                ),
            )
        )
    return typed, pl.concat([no_problems(), *checks], how="vertical")


#: The polars type of each column kind once parsed.
_DTYPES = {
    "date": pl.Date,
    "datetime": pl.Datetime("us"),
    "int": pl.Int64,
    "number": pl.Float64,
    "bool": pl.Boolean,
}


def _absent_table(table: Table) -> pl.DataFrame:
    """An optional table the folder does not have: no rows, every column typed."""
    schema = {c.name: _DTYPES.get(c.kind, pl.String) for c in table.columns}
    return pl.DataFrame(schema={ROW: pl.Int64, **schema})


def _as_written(found: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    """Show each problem's value as the cell is written (rules see parsed, ISO values)."""
    cells = raw.unpivot(index=ROW, variable_name="column", value_name="_cell")
    return (
        found.join(cells.rename({ROW: "row"}), on=["row", "column"], how="left")
        .with_columns(value=pl.col("_cell"))
        .select(list(PROBLEM_SCHEMA))
    )


def _with_records(found: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    """Attach each rejected row's original cells, so nothing a lenient load skips is lost."""
    columns = [c for c in raw.columns if c != ROW]
    records = raw.select(
        pl.col(ROW).alias("row"),
        pl.concat_str(
            [pl.format("{}={}", pl.lit(c), pl.col(c).fill_null("")) for c in columns],
            separator="; ",
        ).alias("record"),
    )
    return found.join(records, on="row", how="left")


def date_range(school: School) -> tuple[dt.date | None, dt.date | None]:
    """The first and last dates of activity (requests received, meetings) in the folder."""
    days = pl.concat(
        [
            school.requests.select(pl.col("received_on").alias("d")),
            school.meetings.select(pl.col("starts_at").dt.date().alias("d")),
        ]
    )["d"]
    return (days.min(), days.max()) if days.len() else (None, None)
