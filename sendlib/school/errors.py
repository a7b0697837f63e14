"""The exceptions a user can meet, one per kind of mistake, with messages they can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a school folder, located like a spreadsheet cell.

    ``row`` uses spreadsheet numbering (the header is row 1, the first record row 2);
    it is ``None`` for problems with a whole file or a setting in ``school.toml``.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
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
            lines.append(f"  ... and {len(found) - len(shown)} more in {file}")
    return "\n".join(lines)


class ReportError(RuntimeError):
    """A notebook failed while rendering; the message says where to read the details."""
