"""What every ``sendlib`` command shares: the parser, argument types, messages, the as-of date."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sendlib.school.errors import DataValidationError, format_problems, path_problem
from sendlib.school.outputs import shown_path

#: Printed after writing files that name pupils (schedules and calendars carry pupil IDs).
CONFIDENTIAL = "Confidential: contains pupil information (pupil IDs); keep these files to yourself."


AS_OF_HELP = (
    "the date to work as of, YYYY-MM-DD or the school's date_format (default: today, or the "
    "last day of the records when the calendar in school.toml has ended)"
)


PDF_HELP = "also print each report to an A4 PDF beside its HTML (needs the pdf extra and chromium)"


class Parser(argparse.ArgumentParser):
    """argparse, with a mistake said in one line and a pointer to the help (exit code 2)."""

    def error(self, message: str):
        """Say the mistake in one line with a pointer to the help; exit code 2."""
        self.exit(2, f"{self.prog}: {message}\nRun '{self.prog} --help' for the options.\n")


class CommandLineError(ValueError):
    """A value on the command line that cannot be used (exit code 2)."""


def date_arg(text: str) -> dt.date:
    """An argparse type: a date as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def whole(minimum: int, maximum: int | None = None):
    """An argparse type: a whole number from ``minimum`` (to ``maximum``)."""
    wanted = f"from {minimum} to {maximum}" if maximum else f"of at least {minimum}"

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or number < minimum or (maximum is not None and number > maximum):
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number {wanted}")
        return number

    return parse


def seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return seconds


def check_paths(args: argparse.Namespace) -> None:
    """Refuse paths that cannot be what the command needs, before anything is read."""
    out = getattr(args, "out", None)
    if out is not None:
        # The first part of --out that exists must be a folder: the rest is created.
        first = next((p for p in (out, *out.parents) if p.exists() or p.is_symlink()), None)
        problem = path_problem(first, "folder") if first is not None else None
        if problem is not None:
            raise CommandLineError(f"--out {out}: {problem}; give a folder for the outputs")
    ics = getattr(args, "ics", None)
    if ics is not None:
        problem = path_problem(ics, "file") if ics.exists() or ics.is_symlink() else None
        if problem is None and not ics.parent.is_dir():
            problem = path_problem(ics.parent, "folder")
        if problem is not None:
            raise CommandLineError(f"--ics {ics}: {problem}; give a file name for the calendar")
    scenarios = getattr(args, "scenarios", None)
    if scenarios is not None:
        from sendlib.school.paths import from_repository

        problem = path_problem(from_repository(scenarios), "file", shown=str(scenarios))
        if problem is not None:
            raise CommandLineError(f"--scenarios {problem}; give a scenarios TOML file")


def print_problems(args: argparse.Namespace, exc: DataValidationError, limit: int | None) -> None:
    """Every problem by file (``limit`` a file); a folder that is not there, in one line."""
    first = exc.problems[0]
    if len(exc.problems) == 1 and first.message and first.file == str(args.school_dir):
        print(f"sendlib {args.command}: {first.message}", file=sys.stderr)
        return
    print(f"{args.school_dir}: NOT valid.\n", file=sys.stderr)
    print(format_problems(exc.problems, limit_per_file=limit), file=sys.stderr)


def say(args: argparse.Namespace, note: str | None) -> None:
    """The one line about the as-of date or the calendar, when there is one."""
    if note:
        print(f"sendlib {args.command}: {note}", file=sys.stderr)


def as_of(args: argparse.Namespace) -> dt.date:
    """The command's as-of date for its school folder; its line is said once the command ran.

    Said after, so that a refusal (exit code 2) stays the one line printed.
    """
    from sendlib.school.asof import resolve_as_of
    from sendlib.school.load import load_school
    from sendlib.school.paths import from_repository

    school = load_school(from_repository(args.school_dir))
    day, args.note = resolve_as_of(school, args.as_of)
    return day


def check_pdf(args: argparse.Namespace) -> None:
    """With --pdf: playwright and chromium are there, before a report is rendered."""
    if args.pdf:
        from sendlib.present.pdf import find_chromium

        find_chromium()


def pdf_beside(args: argparse.Namespace, html: Path) -> None:
    """With --pdf: print the rendered page to an A4 PDF beside it."""
    if args.pdf:
        from sendlib.present.pdf import print_pdf

        print(f"wrote {shown_path(print_pdf(html))}")
