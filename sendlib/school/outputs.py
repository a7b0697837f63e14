"""Where outputs may go, and how every output file is written.

Every file sendlib writes goes through :func:`write_file`: a temporary file beside the
target (a unique name, so two runs into one folder do not collide), flushed to disk, then
renamed over the target, so a run killed half way leaves the previous output whole. Files
are readable by their owner only (0600) and the folders made for them likewise (0700):
reports and schedules are about pupils. Outputs never go into a school folder the command
reads, nor over one of its input files (:func:`refuse_inside`). Spreadsheet cells that a
spreadsheet would run as a formula are neutralised (:func:`neutralise_formulas`).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

FILE_MODE = 0o600
FOLDER_MODE = 0o700
#: A plain number stays a number: "-3" or "-0.25" is a value to Excel, not a formula.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class OutputPlaceError(ValueError):
    """An output would go into an input folder or over an input file."""


def shown_path(path: str | Path) -> str:
    """A path as a "wrote" line prints it: relative to the working folder when inside it.

    Otherwise absolute, so the user can always open what is printed.
    """
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def make_folder(folder: str | Path) -> Path:
    """Create ``folder`` and any missing parents as owner-only (0700) folders."""
    folder = Path(folder)
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        missing.append(parent)
    for part in reversed(missing):
        try:
            part.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # another run made it first
            continue
        os.chmod(part, FOLDER_MODE)  # mkdir's mode is masked by the umask
    return folder


def temporary_beside(path: str | Path) -> Path:
    """A new, empty, owner-only file in ``path``'s folder, with a unique hidden name.

    For writers that need a path to write to (papermill); :func:`publish` renames it
    over ``path`` once it is complete.
    """
    path = Path(path)
    make_folder(path.parent)
    handle, name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(handle)
    return Path(name)


def publish(temporary: Path, path: str | Path) -> Path:
    """Flush ``temporary`` to disk and rename it over ``path`` in one step."""
    os.chmod(temporary, FILE_MODE)
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_folder(Path(path).parent)
    return Path(path)


def write_file(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically, readable by its owner only."""
    temporary = temporary_beside(path)
    try:
        with open(temporary, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        return publish(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula, prefixed with a single quote.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (OWASP's CSV-injection rule) gets a leading ``'``; a cell that is a plain number
    ("-3") is left alone, and number and date columns are never touched.
    """
    # Here, not at the top: every command line imports this module, and most never
    # write a CSV; polars costs each a third of a second to start.
    import polars as pl

    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)
    ]
    return frame.with_columns(
        _neutralised(pl.col(name).cast(pl.String)).alias(name) for name in text
    )


def _neutralised(cell: pl.Expr) -> pl.Expr:
    import polars as pl

    risky = cell.str.contains(r"^[=+\-@\t\r]") & ~cell.str.contains(rf"^{_NUMBER.pattern}$")
    return pl.when(risky).then(pl.lit("'") + cell).otherwise(cell)


def write_csv(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as a CSV file, formula cells neutralised, atomically and owner-only."""
    return write_file(path, neutralise_formulas(frame).write_csv())


def refuse_inside(target: str | Path, inputs: Iterable[str | Path], what: str = "output") -> None:
    """Raise :class:`OutputPlaceError` if ``target`` is, or is inside, one of ``inputs``.

    ``inputs`` are the folders and files a command reads (a school folder, a scenarios
    file): an output there could overwrite the data or be mistaken for it.
    """
    place = Path(os.path.realpath(target))
    for given in inputs:
        source = Path(os.path.realpath(given))
        if place == source or (source.is_dir() and place.is_relative_to(source)):
            kind = "folder" if source.is_dir() else "file"
            raise OutputPlaceError(
                f"the {what} {shown_path(target)} would be written into the input {kind} "
                f"{shown_path(given)}; choose a place outside it."
            )


def refuse_folder_not_empty(folder: str | Path, force: bool) -> None:
    """Raise :class:`OutputPlaceError` if ``folder`` holds anything and ``force`` is not set."""
    folder = Path(folder)
    if not force and folder.is_dir() and any(folder.iterdir()):
        raise OutputPlaceError(
            f"{shown_path(folder)} is not empty; choose an empty or new folder, or add --force "
            "to write into it anyway."
        )


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (the folder's entry), where the system allows it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
