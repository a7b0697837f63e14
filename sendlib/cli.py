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
import datetime as dt
import signal
import sys
from pathlib import Path

from sendlib import __version__
from sendlib.school.errors import (
    CalendarRangeError,
    DataValidationError,
    DateFormatError,
    ReportError,
    format_problems,
    path_problem,
)
from sendlib.school.outputs import (
    OutputPlaceError,
    make_folder,
    refuse_folder_not_empty,
    refuse_inside,
    shown_path,
)

#: Printed after writing files that name pupils (schedules and calendars carry pupil IDs).
CONFIDENTIAL = "Confidential: contains pupil information (pupil IDs); keep these files to yourself."


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake said in one line and a pointer to the help (exit code 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message}\nRun '{self.prog} --help' for the options.\n")


class CommandLineError(ValueError):
    """A value on the command line that cannot be used (exit code 2)."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def _whole(minimum: int, maximum: int | None = None):
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


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return seconds


def _check_paths(args: argparse.Namespace) -> None:
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
        from sendlib.present.notebook import resolve_school_dir

        problem = path_problem(resolve_school_dir(scenarios), "file", shown=str(scenarios))
        if problem is not None:
            raise CommandLineError(f"--scenarios {problem}; give a scenarios TOML file")


def _print_problems(args: argparse.Namespace, exc: DataValidationError, limit: int | None) -> None:
    """Every problem by file (``limit`` a file); a folder that is not there, in one line."""
    first = exc.problems[0]
    if len(exc.problems) == 1 and first.message and first.file == str(args.school_dir):
        print(f"sendlib {args.command}: {first.message}", file=sys.stderr)
        return
    print(f"{args.school_dir}: NOT valid.\n", file=sys.stderr)
    print(format_problems(exc.problems, limit_per_file=limit), file=sys.stderr)


def _say(args: argparse.Namespace, note: str | None) -> None:
    """The one line about the as-of date or the calendar, when there is one."""
    if note:
        print(f"sendlib {args.command}: {note}", file=sys.stderr)


def _as_of(args: argparse.Namespace) -> dt.date:
    """The command's as-of date for its school folder; its line is said once the command ran.

    Said after, so that a refusal (exit code 2) stays the one line printed.
    """
    from sendlib.present.notebook import resolve_school_dir
    from sendlib.school.asof import resolve_as_of
    from sendlib.school.load import load_school

    school = load_school(resolve_school_dir(args.school_dir))
    day, args.note = resolve_as_of(school, args.as_of)
    return day


def _validate(args: argparse.Namespace) -> int:
    from sendlib.school.asof import resolve_as_of
    from sendlib.school.load import date_range, load_school

    try:
        school = load_school(args.school_dir)
    except DataValidationError as exc:
        _print_problems(args, exc, None if args.all else 25)
        return 1
    _say(args, resolve_as_of(school)[1])
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
    from sendlib.synth.generator import generate_school

    refuse_folder_not_empty(args.out_dir, args.force)
    make_folder(args.out_dir)
    folder = generate_school(
        args.out_dir,
        phase=args.phase,
        pupils=args.pupils,
        seed=args.seed,
        as_of=args.as_of,
        name=args.name,
    )
    print(f"wrote a synthetic school folder to {shown_path(folder)}")
    return 0


def _report(args: argparse.Namespace) -> int:
    if args.all:
        return _report_all(args)
    from sendlib.present.runner import render_leadership_report

    day = _as_of(args)
    _check_pdf(args)
    html = render_leadership_report(args.school_dir, as_of=day, out_dir=args.out)
    print(f"wrote {shown_path(html)}")
    _print_pdf(args, html)
    return 0


def _check_pdf(args: argparse.Namespace) -> None:
    """With --pdf: playwright and chromium are there, before a report is rendered."""
    if args.pdf:
        from sendlib.present.pdf import find_chromium

        find_chromium()


def _print_pdf(args: argparse.Namespace, html: Path) -> None:
    """With --pdf: print the rendered page to an A4 PDF beside it."""
    if args.pdf:
        from sendlib.present.pdf import print_pdf

        print(f"wrote {shown_path(print_pdf(html))}")


def _report_all(args: argparse.Namespace) -> int:
    from sendlib.present.batch import report_all
    from sendlib.present.trust import school_folders
    from sendlib.school.asof import batch_as_of
    from sendlib.school.load import load_school

    problem = path_problem(args.school_dir, "folder")
    if problem is not None:
        print(f"sendlib report --all: {problem}: give a folder of school folders", file=sys.stderr)
        return 1
    folders = school_folders(args.school_dir)
    # Each school's report goes to OUT/<its folder's name>: never into a school folder.
    for folder in folders:
        refuse_inside(args.out / folder.name, [folder], "output folder")
    schools = []
    for folder in folders:  # a folder with problems is reported by report_all, with them
        try:
            schools.append(load_school(folder))
        except DataValidationError:
            continue
    day, args.note = batch_as_of(schools, args.as_of)
    _check_pdf(args)
    tls = {"ca_file": args.tls_ca_file, "cert": args.tls_cert, "key": args.tls_key}
    return report_all(
        args.school_dir,
        as_of=day,
        out_dir=args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        tls=tls,
        resume=not args.fresh,
        pdf=args.pdf,
    )


def _schedule(args: argparse.Namespace) -> int:
    from sendlib.planning.scheduling import schedule_command

    code = schedule_command(
        args.school_dir,
        term=args.term,
        as_of=_as_of(args),
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
    _check_pdf(args)
    return lambda plan, school: write_agenda(plan, school, args.agenda, args.week, args.pdf)


def _explore(args: argparse.Namespace) -> int:
    from sendlib.explorer.serve import serve

    return serve(
        args.school_dir, port=args.port, open_browser=not args.no_browser, as_of=args.as_of
    )


def _whatif(args: argparse.Namespace) -> int:
    from sendlib.planning.whatif import ScenarioError, load_scenarios
    from sendlib.present.runner import render_notebook

    try:  # a bad scenarios file is reported before a kernel starts
        load_scenarios(args.scenarios)
    except (ScenarioError, OSError) as exc:
        print(f"sendlib whatif: {args.scenarios}: {exc}", file=sys.stderr)
        return 2

    day = _as_of(args)
    _check_pdf(args)
    html = render_notebook(
        "staffing_what_if",
        args.school_dir,
        day,
        args.out,
        "staffing what-if",
        inputs=[args.scenarios],
        scenarios_file=str(args.scenarios.resolve()),
        runs=args.runs,
        seed=args.seed,
    )
    print(f"wrote {shown_path(html)}")
    _print_pdf(args, html)
    return 0


def _sample_trust(args: argparse.Namespace) -> int:
    from sendlib.synth.trust import generate_trust

    refuse_folder_not_empty(args.out_dir, args.force)
    make_folder(args.out_dir)
    folders = generate_trust(args.out_dir, schools=args.schools, seed=args.seed)
    print(f"wrote {len(folders)} synthetic school folders to {shown_path(args.out_dir)}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from sendlib.school.mis_folder import copy_template, import_folder

    if args.template or args.mapping is None or len(args.paths) < 2:
        if not args.template or args.mapping is not None or len(args.paths) != 1:
            raise CommandLineError(IMPORT_USAGE)
        print(f"wrote {shown_path(copy_template(args.template, args.paths[0], args.force))}")
        return 0
    *exports, args.school_dir = args.paths
    try:
        folder, note = import_folder(args.mapping, exports, args.school_dir, force=args.force)
    except DataValidationError as exc:  # the exports' or the mapping's: nothing was written
        print(f"Nothing written. {format_problems(exc.problems)}", file=sys.stderr)
        return 1
    print(f"wrote {shown_path(folder)}")
    _say(args, note)
    return _validate(args)


IMPORT_USAGE = "give --mapping MAPPING.toml EXPORT... SCHOOL_DIR, or --template NAME MAPPING.toml"


def _add_import(commands) -> None:
    from sendlib.school.mis_folder import TEMPLATES

    imp = commands.add_parser("import", help="make a school folder from MIS exports (CSV, Excel)")
    imp.add_argument(
        "paths", type=Path, nargs="+", metavar="PATH", help="the exports, then SCHOOL_DIR"
    )
    imp.add_argument("--mapping", type=Path, help="the mapping TOML (README: From your MIS)")
    imp.add_argument("--template", choices=TEMPLATES, help="write a mapping template to start from")
    imp.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    imp.set_defaults(run=_import, all=False)


def _add_logbook(commands) -> None:
    logbook = commands.add_parser(
        "logbook", help="write the SENDCo's Excel logbook from a school folder's records"
    )
    logbook.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    logbook.add_argument(
        "--out", dest="workbook", type=Path, required=True, metavar="LOGBOOK.xlsx",
        help="the new workbook to write",
    )  # fmt: skip
    logbook.add_argument("--force", action="store_true", help="replace the file if it exists")
    logbook.set_defaults(run=_logbook)


def _logbook(args: argparse.Namespace) -> int:
    from sendlib.school.logbook import logbook_command

    path = logbook_command(args.school_dir, args.workbook, force=args.force)
    print(f"wrote {shown_path(path)}")
    print("Confidential: contains pupil information; keep the logbook where only you can open it.")
    return 0


AS_OF_HELP = (
    "the date to work as of, YYYY-MM-DD or the school's date_format (default: today, or the "
    "last day of the records when the calendar in school.toml has ended)"
)

PDF_HELP = "also print each report to an A4 PDF beside its HTML (needs the pdf extra and chromium)"


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
        "--time-limit", type=_seconds, default=10.0, help="solver time limit in seconds"
    )
    letters.add_argument("--force", action="store_true", help="replace letters already in --out")
    letters.set_defaults(run=_letters)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``sendlib`` subcommand."""
    parser = _Parser(
        prog="sendlib",
        description="SENDCo caseload analytics: validate a school folder, render reports, "
        "make synthetic sample schools.",
    )
    parser.add_argument("--version", action="version", version=f"sendlib {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a school folder and summarise it")
    validate.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    validate.add_argument(
        "--all", action="store_true", help="list every problem (default: 25 per file)"
    )
    validate.set_defaults(run=_validate)

    report = commands.add_parser("report", help="render the termly leadership report (HTML)")
    report.add_argument(
        "school_dir",
        type=Path,
        metavar="SCHOOL_DIR",
        help="a school folder (with --all: a folder of them)",
    )
    report.add_argument(
        "--all",
        action="store_true",
        help="render every school folder under SCHOOL_DIR, then the trust overview",
    )
    report.add_argument(
        "--workers",
        type=_whole(1),
        default=None,
        help="parallel renders with --all (default: CPUs)",
    )
    report.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="with --all: render on this Dask scheduler (tls://HOST:PORT; 'local' starts one here)",
    )
    for option, what in (
        ("--tls-ca-file", "the trust's CA certificate"),
        ("--tls-cert", "this machine's certificate"),
        ("--tls-key", "this machine's private key"),
    ):
        report.add_argument(
            option, type=Path, default=None, help=f"for a tls:// scheduler: {what} (PEM)"
        )
    report.add_argument(
        "--fresh",
        action="store_true",
        help="with --all: render every school, even those unchanged since the last run",
    )
    report.add_argument("--as-of", default=None, help=AS_OF_HELP)
    report.add_argument(
        "--out", type=Path, default=Path("outputs"), help="output folder (default: outputs/)"
    )
    report.add_argument("--pdf", action="store_true", help=PDF_HELP)
    report.set_defaults(run=_report)

    sample = commands.add_parser("sample", help="write a synthetic school folder")
    sample.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    sample.add_argument("--phase", choices=("primary", "secondary"), default="primary")
    sample.add_argument(
        "--pupils", type=_whole(30), default=420, help="pupils on roll, 30 or more (default 420)"
    )
    sample.add_argument(
        "--seed", type=_whole(0), default=1, help="random seed (same seed, same files)"
    )
    sample.add_argument(
        "--as-of", type=_date, default=None, help="last day of data (default 2026-03-06)"
    )
    sample.add_argument("--name", default=None, help="the school's name")
    sample.add_argument(
        "--force", action="store_true", help="write into OUT_DIR even if it is not empty"
    )
    sample.set_defaults(run=_sample)

    trust = commands.add_parser(
        "sample-trust", help="write a set of varied synthetic school folders"
    )
    trust.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    trust.add_argument(
        "--schools", type=_whole(1), default=10, help="how many schools (default 10)"
    )
    trust.add_argument(
        "--seed", type=_whole(0), default=1, help="random seed (same seed, same files)"
    )
    trust.add_argument(
        "--force", action="store_true", help="write into OUT_DIR even if it is not empty"
    )
    trust.set_defaults(run=_sample_trust)

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
        "--time-limit", type=_seconds, default=10.0, help="solver time limit in seconds"
    )
    schedule.add_argument(
        "--blocked",
        type=_date,
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
        type=_date,
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
        type=_whole(1024, 65535),
        default=8866,
        help="port on 127.0.0.1, 1024 to 65535 (default 8866)",
    )
    explore.add_argument("--no-browser", action="store_true", help="do not open a browser")
    explore.add_argument("--as-of", default=None, help=AS_OF_HELP)
    explore.set_defaults(run=_explore)

    whatif = commands.add_parser(
        "whatif", help="simulate staffing scenarios and render the what-if report"
    )
    whatif.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    whatif.add_argument("--scenarios", type=Path, required=True, help="scenarios TOML file")
    whatif.add_argument(
        "--runs", type=_whole(1), default=1000, help="Monte Carlo runs per scenario"
    )
    whatif.add_argument(
        "--seed", type=_whole(0), default=1, help="random seed (same seed, same results)"
    )
    whatif.add_argument("--as-of", default=None, help=AS_OF_HELP)
    whatif.add_argument(
        "--out", type=Path, default=Path("outputs"), help="output folder (default: outputs/)"
    )
    whatif.add_argument("--pdf", action="store_true", help=PDF_HELP)
    whatif.set_defaults(run=_whatif)
    _add_import(commands)
    _add_letters(commands)
    _add_logbook(commands)
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
        _check_paths(args)
        code = args.run(args)
    except DataValidationError as exc:
        _print_problems(args, exc, 25)
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
        _say(args, getattr(args, "note", None))
    return code


if __name__ == "__main__":
    sys.exit(main())
