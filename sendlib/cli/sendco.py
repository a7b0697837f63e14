"""The SENDCo's own commands: schedule (with the week's agenda), letters, explore."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sendlib.cli.common import (
    AS_OF_HELP,
    CONFIDENTIAL,
    CommandLineError,
    as_of,
    check_pdf,
    date_arg,
    seconds,
    whole,
)
from sendlib.school.outputs import refuse_inside


def _schedule(args: argparse.Namespace) -> int:
    from sendlib.planning.scheduling import schedule_command

    code = schedule_command(
        args.school_dir,
        term=args.term,
        as_of=as_of(args),
        out_dir=args.out,
        ics=args.ics,
        time_limit=args.time_limit,
        blocked_dates=tuple(args.blocked),
        then=_agenda(args),
        xlsx=args.xlsx,
    )
    if code == 0:
        print(CONFIDENTIAL)
    return code


def _agenda(args: argparse.Namespace):
    """With --agenda: check where it goes now, and return what writes it from the schedule."""
    if args.agenda is None:
        if args.pdf or args.week:
            raise CommandLineError("--week and --pdf go with --agenda FILE.html")
        return None
    from sendlib.present.agenda import refuse_non_agenda, write_agenda

    refuse_inside(args.agenda, [args.school_dir], "agenda")
    refuse_non_agenda(args.agenda)
    check_pdf(args)
    return lambda plan, school: write_agenda(plan, school, args.agenda, args.week, args.pdf)


def _explore(args: argparse.Namespace) -> int:
    from sendlib.explorer.serve import serve

    return serve(
        args.school_dir, port=args.port, open_browser=not args.no_browser, as_of=args.as_of
    )


def _letters(args: argparse.Namespace) -> int:
    from sendlib.present.letters import LetterError, letters_command

    options = {k: getattr(args, k) for k in ("kind", "source", "time_limit", "force")}
    try:
        lines, args.note = letters_command(
            args.school_dir, args.out, args.term, args.as_of, **options
        )
    except (KeyError, LetterError) as exc:  # an unknown term; a template that cannot be used
        print(f"sendlib letters: {exc.args[0]}", file=sys.stderr)
        return 1 if isinstance(exc, LetterError) else 2
    print("\n".join([*lines, CONFIDENTIAL.replace("(pupil IDs)", "(names)")]))
    return 0


def _add_letters(commands) -> None:
    letters = commands.add_parser("letters", help="write invitation letters for a term's reviews")
    letters.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    letters.add_argument(
        "--term", required=True, help='term name as in school.toml, e.g. "Spring 2026"'
    )
    letters.add_argument("--out", type=Path, required=True, help="folder for the letters (.docx)")
    letters.add_argument("--kind", choices=("annual_review", "review", "all"), default="all")
    letters.add_argument(
        "--from",
        dest="source",
        choices=("booked", "schedule", "both"),
        default="both",
        help="meetings booked in meetings.csv, those the schedule places, or both (default)",
    )
    letters.add_argument("--as-of", default=None, help=AS_OF_HELP + "; the letters' date")
    letters.add_argument(
        "--time-limit", type=seconds, default=10.0, help="solver time limit in seconds"
    )
    letters.add_argument("--force", action="store_true", help="replace letters already in --out")
    letters.set_defaults(run=_letters)


def add_commands(commands) -> None:
    """The SENDCo's commands, on the ``sendlib`` parser's subcommands."""
    schedule = commands.add_parser(
        "schedule", help="schedule a term's meetings into the SENDCo's calendar"
    )
    schedule.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    schedule.add_argument(
        "--term", required=True, help='term name as in school.toml, e.g. "Spring 2026"'
    )
    schedule.add_argument("--as-of", default=None, help=AS_OF_HELP)
    schedule.add_argument(
        "--out", type=Path, default=Path("outputs"), help="output folder (default: outputs/)"
    )
    schedule.add_argument("--ics", type=Path, default=None, help="also write an iCalendar file")
    schedule.add_argument("--xlsx", type=Path, default=None, help="also write an Excel workbook")
    schedule.add_argument(
        "--time-limit", type=seconds, default=10.0, help="solver time limit in seconds"
    )
    schedule.add_argument(
        "--blocked",
        type=date_arg,
        action="append",
        default=[],
        metavar="DATE",
        help="a date with no meetings (trips, exams, training); repeat for more",
    )
    schedule.add_argument(
        "--agenda",
        type=Path,
        default=None,
        metavar="FILE.html",
        help="also write a week's agenda to print, one SENDCo day per section (names pupils)",
    )
    schedule.add_argument(
        "--week",
        type=date_arg,
        default=None,
        metavar="DATE",
        help="with --agenda: any day of the week to show (default: the schedule's first week)",
    )
    schedule.add_argument(
        "--pdf", action="store_true", help="with --agenda: also print it to a PDF beside it"
    )
    schedule.set_defaults(run=_schedule)

    explore = commands.add_parser("explore", help="open the SENDCo's caseload explorer (Voila app)")
    explore.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    explore.add_argument(
        "--port",
        type=whole(1024, 65535),
        default=8866,
        help="port on 127.0.0.1, 1024 to 65535 (default 8866)",
    )
    explore.add_argument("--no-browser", action="store_true", help="do not open a browser")
    explore.add_argument("--as-of", default=None, help=AS_OF_HELP)
    explore.set_defaults(run=_explore)
    _add_letters(commands)
