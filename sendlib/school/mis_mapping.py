"""The mapping file of ``sendlib import``: which MIS export holds which table, and how.

A mapping is a TOML file (README "From your MIS"); this module reads it and checks it
against the school-folder schema, reporting every mistake at once: an unknown key, a
sendlib column that does not exist, a recode to a code the column does not allow.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sendlib.school.errors import DataValidationError, Problem, path_problem
from sendlib.school.schema import TABLES, Column

#: Date layouts an export may use, in the words a SENDCo reads them, as strptime formats.
DATE_FORMATS = {
    "iso": "%Y-%m-%d",
    "yyyy-mm-dd": "%Y-%m-%d",
    "dd/mm/yyyy": "%d/%m/%Y",
    "dd-mm-yyyy": "%d-%m-%Y",
    "dd.mm.yyyy": "%d.%m.%Y",
    "dd mmm yyyy": "%d %b %Y",
    "mm/dd/yyyy": "%m/%d/%Y",
}
_TOP_KEYS = {"date_format", "school", "tables"}
_SCHOOL_KEYS = {"toml", "name", "phase", "nation"}
_TABLE_KEYS = {
    "file", "sheet", "header_row", "date_format", "columns", "values", "constants", "defaults",
    "ignore",
}  # fmt: skip


@dataclass(frozen=True)
class TableMapping:
    """How one sendlib table is read from one export file.

    ``columns`` maps a sendlib column to the export header(s) it comes from (several
    headers are joined with a space, for a date and a time held apart); ``values`` maps,
    per sendlib column, an export word (compared without case) to the code to write.
    """

    table: str
    file: str
    sheet: str | None = None
    header_row: int = 1
    date_format: str = "iso"
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file: the tables, and where ``school.toml`` comes from."""

    path: Path
    tables: dict[str, TableMapping]
    #: A ``school.toml`` to copy (resolved against the mapping's folder), or ``None``.
    school_toml: Path | None = None
    #: Settings for a starter ``school.toml`` when none is given (name, phase, nation).
    school: dict[str, str] = field(default_factory=dict)


def read_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; raise :class:`DataValidationError` listing every mistake."""
    path = Path(path)
    name = path.name
    unusable = path_problem(path, "file")
    if unusable is not None:
        raise DataValidationError(
            [Problem(name, None, None, None, "a mapping file", f"{unusable}: give a mapping TOML")]
        )
    try:
        raw = tomllib.loads(path.read_text("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        said = f"{name} is not a readable TOML file ({exc})"
        raise DataValidationError([Problem(name, None, None, None, "TOML", said)]) from None
    checker = _Checker(name)
    checker.keys(raw, _TOP_KEYS, "")
    date_format = checker.date_format(raw.get("date_format", "iso"), "date_format")
    school = checker.table(raw.get("school", {}), "[school]")
    checker.keys(school, _SCHOOL_KEYS, "school.")
    if "toml" in school and len(school) > 1:
        checker.say("[school]", "either toml (a school.toml to copy) or name, phase and nation")
    school_toml = path.parent / str(school["toml"]) if "toml" in school else None
    starter = {k: str(v) for k, v in school.items() if k != "toml"}
    tables = {}
    for table, given in checker.table(raw.get("tables", {}), "[tables]").items():
        if table not in TABLES:
            checker.unknown(f"[tables.{table}]", table, list(TABLES))
            continue
        mapped = _table_mapping(checker, table, checker.table(given, f"[tables.{table}]"))
        tables[table] = mapped if mapped.date_format != "-" else _with_format(mapped, date_format)
    if not tables:
        checker.say("[tables]", "at least one [tables.NAME] section naming an export file")
    if checker.problems:
        raise DataValidationError(checker.problems)
    return Mapping(path=path, tables=tables, school_toml=school_toml, school=starter)


def _with_format(mapped: TableMapping, date_format: str) -> TableMapping:
    """The table's mapping with the file-wide date format (no format of its own was given)."""
    return replace(mapped, date_format=date_format)


def _table_mapping(checker: _Checker, table: str, given: dict[str, Any]) -> TableMapping:
    """One ``[tables.NAME]`` section, checked against that table's columns."""
    where = f"tables.{table}."
    checker.keys(given, _TABLE_KEYS, where)
    columns = {c.name: c for c in TABLES[table].columns}
    file = given.get("file")
    if not isinstance(file, str) or not file.strip():
        checker.say(f"{where}file", "the name of the export file that holds this table")
        file = ""
    mapped: dict[str, tuple[str, ...]] = {}
    for column, headers in checker.table(given.get("columns", {}), f"[{where}columns]").items():
        if column not in columns:
            checker.unknown(f"{where}columns.{column}", column, list(columns))
        elif isinstance(headers, str) and headers.strip():
            mapped[column] = (headers.strip(),)
        elif isinstance(headers, list) and headers and all(isinstance(h, str) for h in headers):
            mapped[column] = tuple(h.strip() for h in headers)
        else:
            checker.say(f"{where}columns.{column}", "an export header, or a list of headers")
    values: dict[str, dict[str, str]] = {}
    for column, words in checker.table(given.get("values", {}), f"[{where}values]").items():
        if column not in columns:
            checker.unknown(f"{where}values.{column}", column, list(columns))
            continue
        values[column] = {}
        for word, code in checker.table(words, f"[{where}values.{column}]").items():
            text = _cell_text(code)
            if text is None or not _allowed(columns[column], text):
                expected = _expected(columns[column])
                checker.say(f"{where}values.{column}.{word}", expected, code)
            else:
                values[column][" ".join(word.split()).casefold()] = text
    fixed = {}
    for part in ("constants", "defaults"):
        fixed[part] = {}
        for column, value in checker.table(given.get(part, {}), f"[{where}{part}]").items():
            text = _cell_text(value)
            if column not in columns:
                checker.unknown(f"{where}{part}.{column}", column, list(columns))
            elif text is None:
                checker.say(f"{where}{part}.{column}", "a text, number, date or true/false", value)
            else:
                fixed[part][column] = text
    for column in set(fixed["constants"]) & set(mapped):
        checker.say(f"{where}constants.{column}", "a column either mapped or constant, not both")
    ignore = given.get("ignore", [])
    if not (isinstance(ignore, list) and all(isinstance(h, str) for h in ignore)):
        checker.say(f"{where}ignore", "a list of export headers to leave out", ignore)
        ignore = []
    sheet = given.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        checker.say(f"{where}sheet", "the name of a sheet in the workbook", sheet)
        sheet = None
    header_row = given.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        checker.say(f"{where}header_row", "the row number of the header row, 1 or more", header_row)
        header_row = 1
    date_format = "-"
    if "date_format" in given:
        date_format = checker.date_format(given["date_format"], f"{where}date_format")
    return TableMapping(
        table=table,
        file=file.strip(),
        sheet=sheet,
        header_row=header_row,
        date_format=date_format,
        columns=mapped,
        values=values,
        constants=fixed["constants"],
        defaults=fixed["defaults"],
        ignore=tuple(h.strip() for h in ignore),
    )


def _cell_text(value: Any) -> str | None:
    """A TOML value as the cell text it stands for (TOML booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if hasattr(value, "isoformat") and not isinstance(value, (list, dict)):
        return value.isoformat()
    return None


def _allowed(column: Column, text: str) -> bool:
    """Whether a recode's target is a value the column takes."""
    if column.codes:
        return text in column.codes
    if column.kind == "bool":
        return text in ("true", "false")
    return True


def _expected(column: Column) -> str:
    """What a recode for ``column`` must give."""
    if column.codes:
        return f"one of {', '.join(column.codes)}"
    return "true or false" if column.kind == "bool" else "a value"


class _Checker:
    """Collects the mapping's mistakes, so that all of them are reported together."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def say(self, key: str, expected: str, value: Any = None) -> None:
        shown = None if value is None else str(value)
        self.problems.append(Problem(self.file, None, key, shown, expected))

    def keys(self, given: dict[str, Any], known: set[str], where: str) -> None:
        for key in given:
            if key not in known:
                self.unknown(f"{where}{key}", key, sorted(known))

    def unknown(self, key: str, name: str, known: list[str]) -> None:
        near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]}?)" if near else ""
        self.say(key, f"one of {', '.join(known)}{hint}", name)

    def table(self, given: Any, where: str) -> dict[str, Any]:
        if isinstance(given, dict):
            return given
        self.say(where, "a table of settings", given)
        return {}

    def date_format(self, given: Any, where: str) -> str:
        if given in DATE_FORMATS:
            return given
        self.say(where, f"one of {', '.join(DATE_FORMATS)}", given)
        return "iso"
