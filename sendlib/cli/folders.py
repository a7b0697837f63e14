"""Commands about a school folder itself: validate, sample, sample-trust, import, logbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sendlib.cli.common import (
    CommandLineError,
    date_arg,
    print_problems,
    say,
    whole,
)
from sendlib.school.errors import DataValidationError, format_problems
from sendlib.school.outputs import make_folder, refuse_folder_not_empty, shown_path


def _validate(args: argparse.Namespace) -> int:
    from sendlib.school.asof import resolve_as_of
    from sendlib.school.load import date_range, load_school

    try:
        school = load_school(args.school_dir)
    except DataValidationError as exc:
        print_problems(args, exc, None if args.all else 25)
        return 1
    say(args, resolve_as_of(school)[1])
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
    say(args, note)
    return _validate(args)


IMPORT_USAGE = "give --mapping MAPPING.toml EXPORT... SCHOOL_DIR, or --template NAME MAPPING.toml"


def _add_import(commands) -> None:
    from sendlib.school.mis_templates import TEMPLATES

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


def add_commands(commands) -> None:
    """The folder commands, on the ``sendlib`` parser's subcommands."""
    validate = commands.add_parser("validate", help="check a school folder and summarise it")
    validate.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    validate.add_argument(
        "--all", action="store_true", help="list every problem (default: 25 per file)"
    )
    validate.set_defaults(run=_validate)

    sample = commands.add_parser("sample", help="write a synthetic school folder")
    sample.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    sample.add_argument("--phase", choices=("primary", "secondary"), default="primary")
    sample.add_argument(
        "--pupils", type=whole(30), default=420, help="pupils on roll, 30 or more (default 420)"
    )
    sample.add_argument(
        "--seed", type=whole(0), default=1, help="random seed (same seed, same files)"
    )
    sample.add_argument(
        "--as-of", type=date_arg, default=None, help="last day of data (default 2026-03-06)"
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
    trust.add_argument("--schools", type=whole(1), default=10, help="how many schools (default 10)")
    trust.add_argument(
        "--seed", type=whole(0), default=1, help="random seed (same seed, same files)"
    )
    trust.add_argument(
        "--force", action="store_true", help="write into OUT_DIR even if it is not empty"
    )
    trust.set_defaults(run=_sample_trust)
    _add_import(commands)
    _add_logbook(commands)
