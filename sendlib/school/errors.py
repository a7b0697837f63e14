"""The exceptions a user can meet, one per kind of mistake, with messages they can act on."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a school folder, located like a spreadsheet cell.

    ``row`` uses spreadsheet numbering (the header is row 1, the first record row 2);
    it is ``None`` for problems with a whole file or a setting in ``school.toml``. A problem
    with a whole file that reads better as a plain sentence carries it in ``message``.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    message: str | None = None

    def __str__(self) -> str:
        if self.message:
            return self.message
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", {self.column}"
        shown = "(empty)" if self.value in (None, "") else repr(self.value)
        return f"{where}: {shown}: expected {self.expected}"


class DataValidationError(ValueError):
    """A school folder has problems; ``.problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(format_problems(self.problems))


class CalendarRangeError(ValueError):
    """School-day arithmetic ran outside the dates the school's calendar covers."""


class DateFormatError(ValueError):
    """A date given as text (``--as-of``, an API argument) that is not a date."""


def path_problem(path: Path, want: str, shown: str | None = None) -> str | None:
    """Why ``path`` cannot be used as a ``want`` ("file" or "folder"), or ``None`` if it can.

    The sentence names the path (or ``shown``) and what is wrong; callers add what to do.
    """
    name = shown or str(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{name} is a symbolic link that leads back to itself (a loop)"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR) and path.is_symlink():
            return f"{name} is a link to {os.readlink(path)}, which does not exist"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return f"{name} does not exist"
        return f"{name} cannot be read ({exc.strerror.lower() if exc.strerror else exc})"
    if want == "folder" and not stat.S_ISDIR(mode):
        return f"{name} is a file, not a folder"
    if want == "file" and stat.S_ISDIR(mode):
        return f"{name} is a folder, not a file"
    return None


def format_problems(problems: list[Problem], limit_per_file: int | None = None) -> str:
    """Render problems grouped by file, as a SENDCo would read them."""
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    lines = [f"{len(problems)} problem(s) found:"]
    for file, found in by_file.items():
        lines.append(f"\n{file} ({len(found)}):")
        shown = found if limit_per_file is None else found[:limit_per_file]
        lines.extend(f"  - {p}" for p in shown)
        if len(shown) < len(found):
            lines.append(
                f"  ... and {len(found) - len(shown)} more in {file} "
                "(sendlib validate --all lists every one)"
            )
    return "\n".join(lines)


class ReportError(RuntimeError):
    """A notebook failed while rendering; the message says where to read the details."""
