"""Writing the school folder an import makes, its ``school.toml``, and the mapping templates.

The folder appears whole or not at all: its files are written into a hidden folder beside
it, which is then renamed into place (a folder given with ``--force`` that already holds
files gets each file replaced atomically instead). It is owner-only like every output and
never holds, nor replaces, one of the import's own inputs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import tomllib
from importlib import resources
from pathlib import Path

import polars as pl

from sendlib.school.errors import DataValidationError, Problem, path_problem
from sendlib.school.mis_import import convert
from sendlib.school.mis_mapping import Mapping, read_mapping
from sendlib.school.outputs import (
    FOLDER_MODE,
    OutputPlaceError,
    make_folder,
    refuse_folder_not_empty,
    refuse_inside,
    write_csv,
    write_file,
)

#: Said whenever a starter ``school.toml`` is written (and at its top).
STARTER_NOTE = (
    "school.toml is a starter: its term dates are typical English ones, not your school's. "
    "Replace them with your local authority's published dates and add half terms and INSET "
    "days as [[closures]] before trusting any figure."
)


def import_folder(
    mapping_path: str | Path, exports: list[Path], school_dir: str | Path, force: bool = False
) -> tuple[Path, str | None]:
    """Convert the exports with the mapping into ``school_dir``; the folder and a note, if any.

    Raises:
        DataValidationError: every problem with the mapping and the exports, at once.
        OutputPlaceError: the folder is not empty (without ``force``) or holds an input.
    """
    folder = Path(school_dir)
    mapping = read_mapping(mapping_path)
    inputs = [Path(mapping_path), *exports]
    if mapping.school_toml is not None:
        inputs.append(mapping.school_toml)
    refuse_folder_not_empty(folder, force)
    refuse_inside(folder, inputs, "school folder")
    school_toml, note = _school_toml(mapping)
    date_format = tomllib.loads(school_toml).get("school", {}).get("date_format", "iso")
    tables = convert(mapping, exports, date_format)
    if mapping.school_toml is None:
        school_toml = _starter(mapping, tables)
    files = {f"{name}.csv": frame for name, frame in tables.items()}
    for name in ("school.toml", *files):
        refuse_inside(folder / name, inputs, name)
    _write_folder(folder, school_toml, files)
    return folder, note


def _school_toml(mapping: Mapping) -> tuple[str, str | None]:
    """The text of the ``school.toml`` to copy (a placeholder for a starter) and its note."""
    given = mapping.school_toml
    if given is None:
        return "", STARTER_NOTE
    unusable = path_problem(given, "file")
    text = None
    if unusable is None:
        try:
            text = given.read_text("utf-8-sig")
            tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            unusable = f"{given} cannot be read as TOML ({exc})"
    if unusable is not None or text is None:
        said = (
            f"[school] toml: {unusable}; give the path of a school.toml (from the mapping's folder)"
        )
        raise DataValidationError([Problem(mapping.path.name, None, "school.toml", None, "", said)])
    return text, None


def _starter(mapping: Mapping, tables: dict[str, pl.DataFrame]) -> str:
    """A ``school.toml`` whose terms cover every school year the records fall in."""
    days = [
        dt.date.fromisoformat(cell[:10])
        for name, column in (("requests", "received_on"), ("meetings", "starts_at"))
        if name in tables
        for cell in tables[name][column].drop_nulls().to_list()
    ] or [dt.date.today()]
    first = min(days).year - (min(days).month < 8)
    last = max(days).year - (max(days).month < 8)
    school = mapping.school
    lines = [f"# {line}" for line in ("Written by sendlib import.", *_wrapped(STARTER_NOTE))] + [
        "",
        "[school]",
        f"name = {_quoted(school.get('name', 'Our school'))}",
        f"phase = {_quoted(school.get('phase', 'primary'))}",
        f"nation = {_quoted(school.get('nation', 'england'))}",
        'date_format = "iso"',
        "",
        "[sendco]",
        'working_days = ["mon", "tue", "wed", "thu", "fri"]',
        'day_starts = "08:30"',
        'day_ends = "16:00"',
        "send_hours_per_day = 3.0",
    ]
    for year in range(first, last + 1):
        for name, start, end in _typical_terms(year):
            lines += ["", "[[terms]]", f'name = "{name}"', f"start = {start}", f"end = {end}"]
    return "\n".join(lines) + "\n"


def _typical_terms(year: int) -> list[tuple[str, dt.date, dt.date]]:
    """Typical English terms of the school year starting in September ``year`` (to check)."""
    easter = _easter(year + 1)
    spring_end = easter - dt.timedelta(days=9)  # the Friday a week before Good Friday
    return [
        (f"Autumn {year}", _weekday_from(dt.date(year, 9, 1)), dt.date(year, 12, 19)),
        (f"Spring {year + 1}", _weekday_from(dt.date(year + 1, 1, 5)), spring_end),
        (f"Summer {year + 1}", easter + dt.timedelta(days=8), dt.date(year + 1, 7, 21)),
    ]


def _weekday_from(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _easter(year: int) -> dt.date:
    """Easter Sunday (the anonymous Gregorian computus, Meeus/Jones/Butcher)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _quoted(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, so a name with quotes stays one value."""
    return json.dumps(text, ensure_ascii=False)


def _wrapped(text: str, width: int = 86) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    return [*lines, line]


def _write_folder(folder: Path, school_toml: str, files: dict[str, pl.DataFrame]) -> None:
    """Write every file, then show the folder at once (or replace file by file with --force)."""
    if folder.is_dir() and any(folder.iterdir()):
        write_file(folder / "school.toml", school_toml)
        for name, frame in files.items():
            write_csv(frame, folder / name)
        return
    parent = make_folder(folder.absolute().parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    try:
        write_file(staging / "school.toml", school_toml)
        for name, frame in files.items():
            write_csv(frame, staging / name)
        os.chmod(staging, FOLDER_MODE)
        os.replace(staging, folder)  # onto a new or an empty folder: one step
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def copy_template(name: str, target: str | Path, force: bool = False) -> Path:
    """Write the mapping template ``name`` (one of :data:`~sendlib.school.mis_templates.TEMPLATES`) to ``target``."""
    target = Path(target)
    if target.exists() and not force:
        raise OutputPlaceError(f"{target} already exists; choose a new name, or add --force")
    text = resources.files("sendlib.school").joinpath(f"mis_templates/{name}.toml").read_text()
    return write_file(target, text)
