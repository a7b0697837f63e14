"""The ``sendlib`` command line: validate a school folder, render reports, make samples.

User mistakes (bad data, dates past the calendar) are printed as plain messages with a
non-zero exit code, never as a traceback: 1 for problems in the data, 2 for a wrong
command line (``sendlib`` alone prints the help and exits 2, as any incomplete command
line does). The command line is checked before anything is read: paths, counts, the port.
Every command is as of one date (:func:`sendlib.school.asof.resolve_as_of`), said in one
line when it is not today. Every "wrote" line prints a path to open, relative to the
working folder when inside it, absolute otherwise.
"""

from __future__ import annotations

import argparse
import signal
import sys

from sendlib import __version__
from sendlib.cli import folders, reports, sendco
from sendlib.cli.common import (
    CONFIDENTIAL,
    CommandLineError,
    Parser,
    check_paths,
    print_problems,
    say,
)
from sendlib.school.errors import (
    CalendarRangeError,
    DataValidationError,
    DateFormatError,
    ReportError,
)
from sendlib.school.outputs import OutputPlaceError

__all__ = ["CONFIDENTIAL", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``sendlib`` subcommand."""
    parser = Parser(
        prog="sendlib",
        description="SENDCo caseload analytics: validate a school folder, render reports, "
        "make synthetic sample schools.",
    )
    parser.add_argument("--version", action="version", version=f"sendlib {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for room in (folders, reports, sendco):
        room.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    # Piped into head or less: stop quietly when the reader goes away.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help()
        return 2
    args = parser.parse_args(argv)
    try:
        check_paths(args)
        code = args.run(args)
    except DataValidationError as exc:
        print_problems(args, exc, 25)
        return 1
    except (
        CalendarRangeError,
        CommandLineError,
        DateFormatError,
        FileNotFoundError,
        ReportError,
        OutputPlaceError,
    ) as exc:
        print(f"sendlib {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the disk is full, a folder is not ours to write, ...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"sendlib {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    if code != 2:  # a refusal is the one line printed
        say(args, getattr(args, "note", None))
    return code
