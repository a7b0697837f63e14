"""``sendlib import``: MIS exports (CSV or Excel) become the tables of a school folder.

The mapping (:mod:`sendlib.school.mis_mapping`) says which export holds which table and
how its headers and words become sendlib's columns and codes. Every export header must be
used or listed in ``ignore`` and every cell must convert, or the import stops with all the
problems at once: each names the export, the row as the spreadsheet shows it, the header,
the value and what was expected, so nothing is dropped on the way into the folder.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sendlib.school.errors import DataValidationError, Problem, path_problem

# load's checks of a CSV's encoding and separator say what the file looks like and how to
# save it properly; an export is read the same way, so it reuses them.
from sendlib.school.load import encoding_problem, separator_problem
from sendlib.school.mis_mapping import DATE_FORMATS, Mapping, TableMapping
from sendlib.school.schema import TABLE_ORDER, TABLES, Column

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: The spreadsheet row number of each record, kept beside the cells while converting.
_ROW = "__row"
#: A real date cell in a workbook reads as ISO text, whatever the mapping's date format.
_WORKBOOK_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})([ T]\d{2}:\d{2})?(:\d{2}(\.\d+)?)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_YEAR = re.compile(r"^(?:year|yr|y)\s*(\d{1,2})$")
_BOOLS = {"true": "true", "yes": "true", "y": "true", "1": "true"} | {
    "false": "false", "no": "false", "n": "false", "0": "false",
}  # fmt: skip
#: Rows listed in one problem before "and N more".
_ROWS_SHOWN = 8


@dataclass(frozen=True)
class Export:
    """One export read as text: its header, and its records numbered as the sheet shows."""

    name: str
    header: list[str]
    frame: pl.DataFrame
    workbook: bool


def convert(
    mapping: Mapping, exports: list[Path], folder_date_format: str = "iso"
) -> dict[str, pl.DataFrame]:
    """Each mapped table as text columns in sendlib's names, codes and date format.

    Raises:
        DataValidationError: every unmapped header, unknown value, unreadable export and
            gap in the mapping, all at once.
    """
    problems: list[Problem] = []
    by_name: dict[str, Path] = {}
    for path in exports:
        unusable = path_problem(path, "file")
        if unusable is not None:
            problems.append(Problem(path.name, None, None, None, "an export file", unusable))
        elif path.name in by_name:
            said = f"two exports are named {path.name}: give each table's export a different name"
            problems.append(Problem(path.name, None, None, None, "a unique file name", said))
        by_name[path.name] = path
    for table in TABLE_ORDER:
        if not TABLES[table].optional and table not in mapping.tables:
            expected = f"a [tables.{table}] section: {table} is a table every school folder has"
            problems.append(Problem(mapping.path.name, None, f"[tables.{table}]", None, expected))
    read: dict[tuple[str, str | None, int], Export] = {}
    used: dict[str, set[str]] = {}
    tables: dict[str, pl.DataFrame] = {}
    for table, rules in mapping.tables.items():
        if rules.file not in by_name:
            expected = f"one of the exports given ({', '.join(sorted(by_name)) or 'none'})"
            key = f"tables.{table}.file"
            problems.append(Problem(mapping.path.name, None, key, rules.file, expected))
            continue
        key = (rules.file, rules.sheet, rules.header_row)
        if key not in read:
            export, unreadable = _read_export(by_name[rules.file], rules)
            problems.extend(unreadable)
            if export is None:
                continue
            read[key] = export
        export = read[key]
        frame, found, headers = _convert_table(rules, export, mapping.path.name, folder_date_format)
        problems.extend(found)
        used.setdefault(export.name, set()).update(headers)
        tables[table] = frame
    for (file, _, header_row), export in read.items():
        problems.extend(_unmapped(export, used[file], header_row, mapping))
    named = {rules.file for rules in mapping.tables.values()}
    for name in sorted(set(by_name) - named):
        said = f"{name} is not named as the file of any [tables.NAME] in the mapping: add it, or leave it out"
        problems.append(Problem(name, None, None, None, "an export the mapping reads", said))
    if problems:
        raise DataValidationError(problems)
    return tables


def _read_export(path: Path, rules: TableMapping) -> tuple[Export | None, list[Problem]]:
    """An export's cells as text, stripped, '' as missing, each record with its sheet row."""
    name = path.name
    skip = rules.header_row - 1
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            frame = pl.read_excel(
                path,
                sheet_name=rules.sheet,
                infer_schema_length=0,
                drop_empty_rows=False,
                read_options={"header_row": skip},
            )
        else:
            data = path.read_bytes()
            try:
                text = data.decode("utf-8-sig").replace("\r\n", "\n")
            except UnicodeDecodeError:
                return None, [encoding_problem(name, data)]
            lines = text.split("\n")
            header_line = lines[skip] if skip < len(lines) else ""
            separated = separator_problem(name, header_line)
            if separated is not None:
                return None, [separated]
            frame = pl.read_csv(io.StringIO("\n".join(lines[skip:])), infer_schema=False)
    except OSError as exc:
        return None, [Problem(name, None, None, None, "a readable file", f"{name}: {exc}")]
    except Exception as exc:  # noqa: BLE001 - polars and fastexcel raise their own error types
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        where = f" (sheet {rules.sheet!r})" if rules.sheet else ""
        said = f"{name}{where} cannot be read as a table: {first}"
        return None, [Problem(name, None, None, None, "a readable table", said)]
    header = [str(c).strip() for c in frame.columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        expected = "each column name only once in the header row"
        return None, [Problem(name, rules.header_row, c, c, expected) for c in repeated]
    frame = frame.rename(dict(zip(frame.columns, header, strict=True))).with_columns(
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in header
    )
    frame = frame.with_row_index(_ROW, offset=rules.header_row + 1)
    # A row with every cell empty holds no record: nothing is lost by leaving it out.
    frame = frame.filter(~pl.all_horizontal(pl.exclude(_ROW).is_null()))
    return Export(name, header, frame, path.suffix.lower() in EXCEL_SUFFIXES), []


def _convert_table(
    rules: TableMapping, export: Export, mapping_file: str, folder_date_format: str
) -> tuple[pl.DataFrame, list[Problem], set[str]]:
    """One table's columns from its export, the problems found, and the headers it used."""
    problems: list[Problem] = []
    used = set(rules.ignore)
    columns: dict[str, pl.Series] = {}
    rows = export.frame[_ROW]
    for column in TABLES[rules.table].columns:
        name = column.name
        if name in rules.constants:
            columns[name] = pl.Series(name, [rules.constants[name]] * export.frame.height)
            continue
        headers = rules.columns.get(name) or ((name,) if name in export.header else ())
        missing = [h for h in headers if h not in export.header]
        for header in missing:
            near = difflib.get_close_matches(header, export.header, n=1, cutoff=0.6)
            hint = f" (the export has {near[0]!r})" if near else ""
            expected = f"a column headed {header!r} for {rules.table}.{name}{hint}"
            problems.append(Problem(export.name, rules.header_row, header, None, expected))
        if missing:
            continue
        if not headers:
            if not column.optional:
                key = f"tables.{rules.table}.columns.{name}"
                expected = f"the export header that holds {name} (or a constant for it)"
                problems.append(Problem(mapping_file, None, key, None, expected))
            continue
        used.update(headers)
        cells = _joined(export.frame, headers)
        if name in rules.defaults:
            cells = cells.fill_null(rules.defaults[name])
        converter = _converter(column, rules, export.workbook, folder_date_format)
        converted, found = _converted(cells, converter)
        where = f"{rules.table}.{name}"
        for value in sorted(found):  # one problem per unknown value, naming all its rows
            expected = _expected(where, column, rules, value)
            hit = rows.filter(cells == value).to_list()
            problems.append(_problem(export.name, hit, " + ".join(headers), value, expected))
        if not column.nullable:
            empty = rows.filter(cells.is_null()).to_list()
            if empty:
                expected = f"a value for {where}, or a default for it in the mapping"
                problems.append(_problem(export.name, empty, " + ".join(headers), None, expected))
        columns[name] = converted.alias(name)
    return pl.DataFrame(list(columns.values())), problems, used


def _joined(frame: pl.DataFrame, headers: tuple[str, ...]) -> pl.Series:
    """The cells of one header, or of several joined by a space (a date and a time apart)."""
    if len(headers) == 1:
        return frame[headers[0]]
    return frame.select(
        pl.concat_str([pl.col(h) for h in headers], separator=" ", ignore_nulls=True)
    ).to_series()


def _converted(
    cells: pl.Series, converter: Callable[[str], str | None]
) -> tuple[pl.Series, list[str]]:
    """Each distinct cell converted once, and the cells that would not convert."""
    done: dict[str, str] = {}
    bad: list[str] = []
    for value in cells.drop_nulls().unique().to_list():
        result = converter(value)
        if result is None:
            bad.append(value)
        else:
            done[value] = result
    return cells.replace_strict(done, default=None, return_dtype=pl.String), bad


def _problem(file: str, rows: list[int], header: str, value: str | None, expected: str) -> Problem:
    """A problem at the first row, naming every other row with the same value."""
    more = rows[1:]
    if more:
        shown = ", ".join(str(r) for r in more[:_ROWS_SHOWN])
        rest = len(more) - _ROWS_SHOWN
        expected += f" (also row{'s' if len(more) > 1 else ''} {shown}"
        expected += f" and {rest} more)" if rest > 0 else ")"
    return Problem(file, rows[0] if rows else None, header, value, expected)


def _expected(where: str, column: Column, rules: TableMapping, value: str) -> str:
    """What a cell of ``column`` should hold, and the line to add to the mapping if it is a word."""
    if column.kind in ("date", "datetime"):
        layout = rules.date_format + (" HH:MM" if column.kind == "datetime" else "")
        return f"a date as {layout} for {where} (date_format in the mapping)"
    if column.kind == "int":
        return f"a whole number for {where}"
    if column.kind == "number":
        return f"a number such as 12.50 for {where}"
    allowed = ", ".join(column.codes) if column.codes else "true, false"
    section = f"[tables.{rules.table}.values.{column.name}]"
    return f'one of {allowed} for {where}; or add {value!r} = "CODE" under {section}'


def _converter(
    column: Column, rules: TableMapping, workbook: bool, folder_date_format: str
) -> Callable[[str], str | None]:
    """The function that turns one export cell into sendlib's text, or ``None`` if it cannot."""
    recode = rules.values.get(column.name, {})

    def recoded(value: str) -> str | None:
        return recode.get(" ".join(value.split()).casefold())

    if column.kind in ("date", "datetime"):
        read_day = DATE_FORMATS[rules.date_format]
        write_day = DATE_FORMATS.get(folder_date_format, "%Y-%m-%d")
        with_time = column.kind == "datetime"

        def date(value: str) -> str | None:
            when = _parse_when(value, read_day, with_time, workbook)
            if when is None:
                return recoded(value)
            return when.strftime(f"{write_day} %H:%M" if with_time else write_day)

        return date
    if column.kind in ("int", "number"):

        def number(value: str) -> str | None:
            plain = value.replace(",", "")  # "1,250" as a spreadsheet shows a thousand
            if not _NUMBER.match(plain):
                return recoded(value)
            if column.kind == "number":
                return plain
            # A workbook holds every number as a decimal: 30 minutes reads as "30.0".
            return str(int(float(plain))) if float(plain).is_integer() else recoded(value)

        return number
    if column.kind == "bool":
        return lambda value: recoded(value) or _BOOLS.get(value.casefold())
    if column.codes:
        return lambda value: recoded(value) or _code(value, column)
    return lambda value: recoded(value) or value


def _code(value: str, column: Column) -> str | None:
    """A cell that is a code already, or is one but for case, spaces and hyphens."""
    if value in column.codes:
        return value
    key = re.sub(r"[\s\-]+", "_", value.strip()).casefold()
    for code in column.codes:
        if code.casefold() == key:
            return code
    if column.kind == "year_group":
        if key == "reception":
            return "R"
        year = _YEAR.match(value.strip().casefold())
        if year and str(int(year.group(1))) in column.codes:
            return str(int(year.group(1)))
    return None


def _parse_when(value: str, day: str, with_time: bool, workbook: bool) -> dt.datetime | None:
    """A date (and time) in the export's layout; a workbook's real date cells read as ISO."""
    formats = [f"{day} %H:%M", f"{day} %H:%M:%S"] if with_time else [day]
    text = value.replace("T", " ") if with_time else value
    if workbook and _WORKBOOK_DATE.match(value):
        text, formats = value.replace("T", " ")[:19], ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        formats += [] if with_time else ["%Y-%m-%d"]
    for layout in formats:
        try:
            return dt.datetime.strptime(text, layout)
        except ValueError:
            continue
    return None


def _unmapped(export: Export, used: set[str], header_row: int, mapping: Mapping) -> list[Problem]:
    """A problem for every export header that no table maps and the mapping does not ignore."""
    tables = [t for t, r in mapping.tables.items() if r.file == export.name]
    problems = []
    for header in export.header:
        if header in used:
            continue
        names = [c.name for t in tables for c in TABLES[t].columns]
        near = difflib.get_close_matches(header.lower().replace(" ", "_"), names, n=1)
        hint = f" (perhaps {near[0]})" if near else ""
        expected = (
            f"a sendlib column for it under [tables.{tables[0]}.columns]{hint}, "
            f"or the header in that table's ignore list"
        )
        problems.append(Problem(export.name, header_row, header, header, expected))
    return problems
