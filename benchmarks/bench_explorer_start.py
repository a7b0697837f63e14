"""Time from ``sendlib explore`` to a usable page in chromium, with where the time goes.

Starts the real command on a school (the secondary sample unless one is named), reads
the address it prints (with its token), opens it in Debian's chromium at 1366x768 and
waits until the headline strip and every chart are drawn. For each start it prints the
seconds from the command to each milestone: the "Starting" line (the command line's
imports and the school's validation), the address (Voila up and a kernel running the
notebook), the page's head, plotly's bundle fetched, the notebook's cells shown, the
headline strip, and the usable page. Before the starts, the parts measured one at a
time in a fresh Python: the command line's imports, Voila's, and the kernel's imports,
school load and explorer build.

The machine is shared, so the figures are medians with the load average beside them;
``--baseline DIR`` also starts another checkout of sendlib (``PYTHONPATH=DIR``, e.g. the
main branch) alternately with this one, so the two are compared in one run as a ratio.
The first start after an install compiles bytecode: run 1 is "cold", the rest "warm".
Run: .venv/bin/python benchmarks/bench_explorer_start.py [SCHOOL_DIR] [--runs N] [--baseline DIR]
"""

import argparse
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data_samples" / "northgate-secondary"
AS_OF = "2026-03-06"
URL = re.compile(r"http://127\.0\.0\.1:\d+/\S*")
#: The page is usable when the headline strip shows and every chart has drawn its bars.
READY = """() => {
  const strip = document.querySelector('.sendlib-headlines .card');
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const drawn = plots.filter(p => p.querySelector('.main-svg .barlayer'));
  return strip && strip.offsetParent !== null && plots.length >= 3 && drawn.length === plots.length;
}"""
CELLS_SHOWN = """() => { const c = document.getElementById('rendered_cells');
  return c !== null && c.style.display !== 'none'; }"""
HEADLINES = "() => document.querySelector('.sendlib-headlines .card') !== null"
#: Avoids jsonschema's slow IRI checker, as the explorer's Voila and kernel do.
_QUIET = "import sys; sys.modules['rfc3987_syntax'] = None; "
#: The kernel's work, step by step, in one fresh Python: seconds since it started.
KERNEL_STEPS = f"""{_QUIET}
import time; t = [time.perf_counter()]
import ipykernel.kernelapp; t.append(time.perf_counter())
from sendlib.explorer.app import CaseloadExplorer
from sendlib.present.notebook import open_school; t.append(time.perf_counter())
school, day = open_school(sys.argv[1], "{AS_OF}"); t.append(time.perf_counter())
CaseloadExplorer(school, day).widget; t.append(time.perf_counter())
print(*(b - a for a, b in zip(t, t[1:])))
"""
MILESTONES = ("starting", "address", "head", "bundle", "cells", "headlines", "usable")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sendlib_command() -> list[str]:
    script = Path(sys.executable).with_name("sendlib")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sendlib.cli"]


def environment(tree: Path) -> dict[str, str]:
    """This environment with ``tree`` first on the import path (Voila and kernels inherit it)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}  # fmt: skip


def timed_python(code: str, tree: Path, *args: str) -> tuple[float, str]:
    """Seconds a fresh Python takes to run ``code`` (imports included), and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        env=environment(tree),
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, done.stdout


def parts(tree: Path, school: Path) -> None:
    """The parts of a start, each in a fresh Python, seconds of wall-clock time."""
    bare, _ = timed_python("pass", tree)
    cli, _ = timed_python("import sendlib.cli, sendlib.explorer.serve", tree)
    voila, _ = timed_python(_QUIET + "import voila.app", tree)
    _, steps = timed_python(KERNEL_STEPS, tree, str(school))
    kernel, imports, load, build = (float(s) for s in steps.splitlines()[-1].split())
    print(
        f"  fresh Python {bare:.2f} s; command line imports {cli:.2f} s; Voila's imports "
        f"{voila:.2f} s\n  kernel: ipykernel {kernel:.2f} s, explorer imports {imports:.2f} s, "
        f"school load {load:.2f} s, explorer build (frames, widgets, figures) {build:.2f} s"
    )


def one_start(school: Path, browser, tree: Path) -> dict[str, float]:
    """Start the explorer once; seconds from the command to each milestone."""
    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [*sendlib_command(), "explore", str(school), "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=environment(tree),
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put((time.monotonic(), line)) for line in server.stdout],
        daemon=True,
    ).start()
    times: dict[str, float] = {}

    def seen(name: str) -> None:
        times.setdefault(name, time.monotonic() - started)

    url = None
    try:
        while url is None:
            at, line = lines.get(timeout=180)
            if "Starting" in line:
                times.setdefault("starting", at - started)
            if found := URL.search(line):
                url = found.group(0)
                times["address"] = at - started
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.on("request", lambda r: seen("bundle") if "plotly" in r.url else None)
        page.on("requestfinished", lambda r: seen("head") if ".css" in r.url else None)
        page.goto(url, wait_until="commit")
        for name, check in (("cells", CELLS_SHOWN), ("headlines", HEADLINES), ("usable", READY)):
            page.wait_for_function(check, timeout=180_000, polling="raf")
            seen(name)
        page.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return times


def line(label: str, times: dict[str, float]) -> str:
    shown = ", ".join(f"{m} {times[m]:5.2f}" for m in MILESTONES if m in times)
    return f"{label}: {shown} s after the command"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("school", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another sendlib checkout to compare")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    trees = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    print(f"{os.cpu_count()} cores; school {args.school.name}")
    for name, tree in trees.items():
        print(f"{name} ({tree}), parts, load average {os.getloadavg()[0]:.1f}:")
        parts(tree, args.school)
    usable: dict[str, list[float]] = {name: [] for name in trees}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for run in range(1, args.runs + 1):
            for name, tree in trees.items():
                load = os.getloadavg()[0]
                times = one_start(args.school, browser, tree)
                usable[name].append(times["usable"])
                print(line(f"run {run} {name:8} (load {load:4.1f})", times))
        browser.close()
    for name, figures in usable.items():
        warm = figures[1:] or figures
        print(
            f"{name}: command to usable page, cold (run 1) {figures[0]:.2f} s, "
            f"warm median {statistics.median(warm):.2f} s of {len(warm)}"
        )
    if args.baseline:
        ratios = [a / b for a, b in zip(usable["this"], usable["baseline"], strict=True)]
        print(
            f"this / baseline, median of {len(ratios)} paired starts: {statistics.median(ratios):.2f}"
        )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
