"""Every school's report in one batch: on this machine's processes, or on a Dask cluster.

``sendlib report --all DIR`` renders the leadership report of every school folder under
``DIR`` in parallel processes; with ``--scheduler ADDRESS`` the renders run on a Dask
distributed cluster instead (``--scheduler local`` starts one on this machine). Pupil data
only travels encrypted: a scheduler on another machine must be ``tls://``, with the
trust's certificates (:func:`scheduler_security`). A failing school is named with its
reason and the others finish; a manifest in the output folder (``batch_manifest.json``)
records what each report was made from, so a run started again skips the schools whose
files, report date and sendlib version are unchanged. The trust overview follows
(:mod:`sendlib.present.trust`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sendlib.present.trust import declared_name, render_trust_overview, school_folders
from sendlib.school.errors import (
    CalendarRangeError,
    DataValidationError,
    Problem,
    ReportError,
    format_problems,
)
from sendlib.school.outputs import shown_path, write_file

#: Problems printed per file for a folder that fails validation (`sendlib validate` lists all).
PROBLEMS_SHOWN = 5
MANIFEST = "batch_manifest.json"
#: Hosts whose plain ``tcp://`` never leaves this machine.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class SchedulerRefused(ValueError):
    """A scheduler address that would send pupil data unencrypted, or TLS without certificates."""


@dataclass(frozen=True)
class SchoolOutcome:
    """How one school's report went: the HTML written, or the problems that stopped it."""

    folder: Path
    name: str
    html: Path | None = None
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    #: True when the manifest showed the report already made from these very inputs.
    kept: bool = False

    @property
    def label(self) -> str:
        """The school's name and folder, as the summary prints them."""
        return f"{self.name} ({self.folder.name})"

    def reason(self) -> str:
        """Why the report was not rendered, for the console (every problem, grouped)."""
        if self.problems:
            return format_problems(list(self.problems), limit_per_file=PROBLEMS_SHOWN)
        return self.error or "unknown error"


Render = Callable[[str, dt.date, str], SchoolOutcome]


def render_school(folder: str, as_of: dt.date, out_dir: str) -> SchoolOutcome:
    """Render one school's leadership report (on a worker); failures come back as data."""
    from sendlib.present.runner import render_leadership_report

    path = Path(folder)
    name = declared_name(path)
    start = time.perf_counter()
    try:
        html = render_leadership_report(path, as_of, out_dir, progress=False)
        return SchoolOutcome(path, name, html=html, seconds=time.perf_counter() - start)
    except DataValidationError as exc:
        return SchoolOutcome(path, name, problems=tuple(exc.problems))
    except (CalendarRangeError, ReportError, ValueError, OSError) as exc:
        return SchoolOutcome(path, name, error=str(exc))
    except Exception as exc:  # one school's surprise must not stop the others
        return SchoolOutcome(path, name, error=f"{type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- where it runs


def scheduler_security(address: str, tls: dict[str, Path | None] | None = None):
    """The ``distributed.Security`` for ``address``, or None where the link stays local.

    ``tls://`` needs the trust's CA certificate and this machine's certificate and key:
    ``tls`` (``ca_file``, ``cert``, ``key``) or else ``distributed.comm.tls`` in a Dask
    config file. Plain ``tcp://`` is allowed to this machine only. Raises
    :class:`SchedulerRefused` with the reason otherwise.
    """
    from distributed import Security
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme == "inproc":
        return None
    if scheme == "tcp":
        host = parse_host_port(location)[0].strip("[]")
        if host in LOOPBACK:
            return None
        raise SchedulerRefused(
            f"{address} is plain tcp:// to another machine: pupil data would travel "
            "unencrypted. Use a tls:// scheduler with the trust's certificates "
            "(--tls-ca-file, --tls-cert, --tls-key; README: a Dask cluster)."
        )
    if scheme != "tls":
        raise SchedulerRefused(f"{address}: only a tls:// scheduler (or tcp:// on this machine)")
    given = {k: str(v) for k, v in (tls or {}).items() if v is not None}
    fields = {"ca_file": "tls_ca_file", "cert": "tls_client_cert", "key": "tls_client_key"}
    security = Security(require_encryption=True, **{fields[k]: v for k, v in given.items()})
    missing = [k for k, f in fields.items() if not getattr(security, f)]
    if missing:
        raise SchedulerRefused(
            f"{address} needs TLS certificates; missing: {', '.join(missing)} "
            "(--tls-ca-file, --tls-cert, --tls-key, or distributed.comm.tls in a Dask config)"
        )
    unreadable = [getattr(security, f) for f in fields.values()]
    unreadable = [p for p in unreadable if not os.access(p, os.R_OK)]
    if unreadable:
        raise SchedulerRefused(f"cannot read the TLS file(s): {', '.join(unreadable)}")
    return security


def _quiet_worker() -> None:
    """Send a worker's stderr (and its kernels' start-up warnings) to nowhere.

    Outcomes, errors included, come back to the parent as data; only the parent's
    progress bar and summary should reach the console.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


@contextmanager
def open_executor(
    scheduler: str | None, workers: int, tls: dict[str, Path | None] | None = None
) -> Iterator[Executor]:
    """A pool for the renders: local processes, or a Dask cluster (``"local"``: a new one)."""
    if scheduler is None:
        # spawn, not fork: papermill's and polars' threads do not survive a fork.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet_worker) as pool:
            yield pool
        return
    from distributed import Client, LocalCluster

    if scheduler == "local":
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            ) as cluster,
            Client(cluster) as client,
        ):
            client.run(_quiet_worker)
            yield client.get_executor()
        return
    security = scheduler_security(scheduler, tls)
    with Client(scheduler, security=security, timeout="30s") as client:
        yield client.get_executor()


# --------------------------------------------------------------------------- the manifest


def input_hashes(folder: Path) -> dict[str, str]:
    """The sha256 of every file in a school folder, by its path inside the folder."""
    hashes = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        hashes[path.relative_to(folder).as_posix()] = digest.hexdigest()
    return hashes


def read_manifest(out: Path) -> dict[str, dict]:
    """The schools of the last run's manifest in ``out`` (none if missing or unreadable)."""
    try:
        schools = json.loads((out / MANIFEST).read_text("utf-8"))["schools"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return schools if isinstance(schools, dict) else {}


def write_manifest(out: Path, schools: dict[str, dict]) -> None:
    """Write the manifest atomically (no times, no absolute paths: the same run, the same bytes)."""
    text = json.dumps({"schools": dict(sorted(schools.items()))}, indent=2, sort_keys=True)
    write_file(out / MANIFEST, text + "\n")


def sendlib_version() -> str:
    """The installed sendlib's version: a new version renders every school again."""
    try:
        return version("sendlib")
    except PackageNotFoundError:
        return "unknown"


def _entry(inputs: dict[str, str], as_of: dt.date, report: str) -> dict:
    made = {"as_of": as_of.isoformat(), "sendlib": sendlib_version()}
    return made | {"inputs": inputs, "report": report}


def _unchanged(entry: dict | None, expected: dict, out: Path) -> bool:
    if not entry or not (out / str(entry.get("report", ""))).is_file():
        return False
    return all(entry.get(key) == expected[key] for key in ("as_of", "sendlib", "inputs"))


# --------------------------------------------------------------------------- the batch


def run_batch(
    folders: list[Path],
    as_of: dt.date,
    out: Path,
    pool: Executor,
    render: Render = render_school,
    resume: bool = True,
) -> list[SchoolOutcome]:
    """Render each folder's report on ``pool``, with a progress bar; outcomes by folder name.

    With ``resume``, a folder whose entry in the manifest matches its files, ``as_of`` and
    the sendlib version (and whose report is still there) is kept, not rendered again. The
    manifest is rewritten as each report lands, so a run stopped half way resumes too.
    """
    from tqdm import tqdm

    out = out.resolve()  # workers on other machines share paths, not a working folder
    manifest = read_manifest(out) if resume else {}
    hashes = {f.name: input_hashes(f) for f in folders}
    outcomes: list[SchoolOutcome] = []
    pending = []
    for folder in folders:
        entry = manifest.get(folder.name)
        if _unchanged(entry, _entry(hashes[folder.name], as_of, ""), out):
            html = out / entry["report"]
            outcomes.append(SchoolOutcome(folder, declared_name(folder), html=html, kept=True))
        else:
            manifest.pop(folder.name, None)
            pending.append(folder)
    futures = [pool.submit(render, str(f.resolve()), as_of, str(out)) for f in pending]
    with tqdm(
        total=len(folders), initial=len(outcomes), desc="school reports", unit="school"
    ) as bar:
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            if outcome.html is None:
                bar.write(f"failed: {outcome.label}")
            else:
                report = Path(outcome.html).resolve().relative_to(out).as_posix()
                manifest[outcome.folder.name] = _entry(hashes[outcome.folder.name], as_of, report)
                write_manifest(out, manifest)
            bar.update()
    return sorted(outcomes, key=lambda o: o.folder.name)


def report_all(
    parent_dir: str | Path,
    as_of: dt.date | None = None,
    out_dir: str | Path = "outputs",
    workers: int | None = None,
    scheduler: str | None = None,
    tls: dict[str, Path | None] | None = None,
    resume: bool = True,
    pdf: bool = False,
) -> int:
    """Render every school's leadership report under ``parent_dir``, then the trust overview.

    Schools render in parallel processes (``workers``, default the machine's CPUs) or on
    the Dask ``scheduler``. A folder that fails validation, or whose calendar does not
    cover ``as_of``, is reported with its problems and skipped; the others still render.
    With ``pdf``, each page rendered is then printed to a PDF beside it, here, with one
    chromium (the workers, perhaps on other machines, need none; the HTML is the same bytes
    either way). Returns the exit code: 0 when every report, the overview and each PDF
    were made, 1 otherwise, 2 when the scheduler is refused.
    """
    if scheduler not in (None, "local"):
        try:
            scheduler_security(scheduler, tls)
        except SchedulerRefused as exc:
            print(f"sendlib report --all: refused: {exc}", file=sys.stderr)
            return 2
    parent, out = Path(parent_dir), Path(out_dir)
    if not parent.is_dir():
        print(f"sendlib report --all: {parent} is not a folder", file=sys.stderr)
        return 1
    folders = school_folders(parent, exclude=out)
    if not folders:
        print(f"sendlib report --all: no school folders under {parent}", file=sys.stderr)
        return 1
    as_of = as_of or dt.date.today()
    workers = max(1, min(workers or os.cpu_count() or 1, len(folders)))
    where = f"Dask scheduler {scheduler}" if scheduler else f"{workers} processes"
    print(f"Rendering {len(folders)} school reports as of {as_of} ({where})")
    try:
        with open_executor(scheduler, workers, tls) as pool:
            outcomes = run_batch(folders, as_of, out, pool, resume=resume)
    except (OSError, TimeoutError) as exc:
        print(f"sendlib report --all: cannot reach {scheduler}: {exc}", file=sys.stderr)
        return 1
    rendered = [o for o in outcomes if o.html is not None]
    failed = [o for o in outcomes if o.html is None]

    overview: Path | None = None
    overview_error = None
    if rendered:
        try:
            overview = render_trust_overview(parent, as_of, out, progress=False)
        except (ReportError, CalendarRangeError, ValueError) as exc:
            overview_error = str(exc)
    else:
        overview_error = "no school rendered, so there is nothing to compare"
    _print_summary(outcomes, overview, overview_error)
    pages = [o.html for o in rendered] + ([overview] if overview is not None else [])
    printed = _print_pdfs(pages) if pdf else True
    return 1 if failed or overview is None or not printed else 0


def _print_pdfs(pages: list[Path]) -> bool:
    """Print each page's PDF (those already newer than their HTML are kept); say so."""
    from sendlib.present.pdf import print_stale

    print(f"\nPrinting {len(pages)} PDFs (A4) beside the HTML")
    try:
        pdfs = print_stale(pages)
    except (ReportError, OSError) as exc:
        print(f"PDFs not printed: {exc}", file=sys.stderr)
        return False
    for path in pdfs:
        print(f"  {shown_path(path)}")
    return True


def _print_summary(
    outcomes: list[SchoolOutcome], overview: Path | None, overview_error: str | None
) -> None:
    rendered = [o for o in outcomes if o.html is not None]
    failed = [o for o in outcomes if o.html is None]
    print(f"\nRendered {len(rendered)} of {len(outcomes)} school reports:")
    for outcome in rendered:
        kept = " (unchanged since the last run: kept)" if outcome.kept else ""
        print(f"  {outcome.label}: {shown_path(outcome.html)}{kept}")
    if failed:
        print(f"\nFailed {len(failed)} (skipped; fix the folder and run again):")
        for outcome in failed:
            print(f"  {outcome.label}:")
            for line in outcome.reason().splitlines():
                print(f"      {line}" if line else "")
    if overview is not None:
        print(f"\nTrust overview: {shown_path(overview)}")
    else:
        print(f"\nTrust overview not rendered: {overview_error}")
