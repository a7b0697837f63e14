"""Commands that render reports: report (one school, or --all with Dask), whatif."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sendlib.cli.common import AS_OF_HELP, PDF_HELP, as_of, check_pdf, pdf_beside, whole
from sendlib.school.errors import DataValidationError, path_problem
from sendlib.school.outputs import refuse_inside, shown_path


def _report(args: argparse.Namespace) -> int:
    if args.all:
        return _report_all(args)
    from sendlib.present.runner import render_leadership_report

    day = as_of(args)
    check_pdf(args)
    html = render_leadership_report(args.school_dir, as_of=day, out_dir=args.out)
    print(f"wrote {shown_path(html)}")
    pdf_beside(args, html)
    return 0


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
    check_pdf(args)
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


def _whatif(args: argparse.Namespace) -> int:
    from sendlib.planning.whatif import ScenarioError, load_scenarios
    from sendlib.present.runner import render_notebook

    try:  # a bad scenarios file is reported before a kernel starts
        load_scenarios(args.scenarios)
    except (ScenarioError, OSError) as exc:
        print(f"sendlib whatif: {args.scenarios}: {exc}", file=sys.stderr)
        return 2

    day = as_of(args)
    check_pdf(args)
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
    pdf_beside(args, html)
    return 0


def add_commands(commands) -> None:
    """The report commands, on the ``sendlib`` parser's subcommands."""
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
        type=whole(1),
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

    whatif = commands.add_parser(
        "whatif", help="simulate staffing scenarios and render the what-if report"
    )
    whatif.add_argument("school_dir", type=Path, metavar="SCHOOL_DIR")
    whatif.add_argument("--scenarios", type=Path, required=True, help="scenarios TOML file")
    whatif.add_argument("--runs", type=whole(1), default=1000, help="Monte Carlo runs per scenario")
    whatif.add_argument(
        "--seed", type=whole(0), default=1, help="random seed (same seed, same results)"
    )
    whatif.add_argument("--as-of", default=None, help=AS_OF_HELP)
    whatif.add_argument(
        "--out", type=Path, default=Path("outputs"), help="output folder (default: outputs/)"
    )
    whatif.add_argument("--pdf", action="store_true", help=PDF_HELP)
    whatif.set_defaults(run=_whatif)
