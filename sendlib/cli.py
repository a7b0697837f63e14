"""The ``sendlib`` command line: validate a school folder, render reports, make samples.

User mistakes (bad data, dates past the calendar) are printed as plain messages with a
non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
from pathlib import Path

from sendlib.errors import CalendarRangeError, DataValidationError, ReportError, format_problems


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def _validate(args: argparse.Namespace) -> int:
    from sendlib.load import date_range, load_school

    try:
        school = load_school(args.school_dir)
    except DataValidationError as exc:
        limit = None if args.all else 25
        print(f"{args.school_dir}: NOT valid.\n", file=sys.stderr)
        print(format_problems(exc.problems, limit_per_file=limit), file=sys.stderr)
        return 1
    first, last = date_range(school)
    statuses = school.pupils["sen_status"].value_counts().sort("sen_status")
    by_status = dict(statuses.iter_rows())
    print(f"{school.name} ({school.config.phase}): valid.")
    print("Terms:")
    for term in school.calendar.terms:
        print(f"  {term.name}: {term.start:%a %d %b %Y} to {term.end:%a %d %b %Y}")
    print(
        f"School days: {len(school.calendar.school_days())}; SENDCo days: "
        f"{len(school.calendar.sendco_days())} ({', '.join(school.config.sendco.working_days)})"
    )
    print("Rows:")
    for name in ("pupils", "staff", "requests", "meetings", "plans"):
        print(f"  {name:<10}{school.table(name).height:>7}")
    print(
        f"Pupils: {by_status.get('K', 0)} on SEN support (K), {by_status.get('E', 0)} with an "
        f"EHC plan (E), {by_status.get('M', 0)} monitored (M)"
    )
    if first is not None:
        print(f"Activity from {first:%d %b %Y} to {last:%d %b %Y}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from sendlib.sample import generate_school

    folder = generate_school(
        args.out_dir,
        phase=args.phase,
        pupils=args.pupils,
        seed=args.seed,
        as_of=args.as_of,
        name=args.name,
    )
    print(f"wrote a synthetic school folder to {folder}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from sendlib.report import render_leadership_report

    html = render_leadership_report(args.school_dir, as_of=args.as_of, out_dir=args.out)
    print(f"wrote {html}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``sendlib`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="sendlib",
        description="SENDCo caseload analytics: validate a school folder, render reports, "
        "make synthetic sample schools.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a school folder and summarise it")
    validate.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    validate.add_argument(
        "--all", action="store_true", help="list every problem (default: 25 per file)"
    )
    validate.set_defaults(run=_validate)

    report = commands.add_parser("report", help="render the termly leadership report (HTML)")
    report.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    report.add_argument(
        "--as-of", type=_date, default=None, help="date to report as of (default: today)"
    )
    report.add_argument(
        "--out", type=Path, default=Path("outputs"), help="output folder (default: outputs/)"
    )
    report.set_defaults(run=_report)

    sample = commands.add_parser("sample", help="write a synthetic school folder")
    sample.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    sample.add_argument("--phase", choices=("primary", "secondary"), default="primary")
    sample.add_argument("--pupils", type=int, default=420, help="pupils on roll (default 420)")
    sample.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    sample.add_argument(
        "--as-of", type=_date, default=None, help="last day of data (default 2026-03-06)"
    )
    sample.add_argument("--name", default=None, help="the school's name")
    sample.set_defaults(run=_sample)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    # Piped into head or less: stop quietly when the reader goes away.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except DataValidationError as exc:
        print(format_problems(exc.problems, limit_per_file=25), file=sys.stderr)
        return 1
    except (CalendarRangeError, FileNotFoundError, ReportError) as exc:
        print(f"sendlib {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
