"""Time from ``sendlib explore`` to a usable page in chromium, with where the time goes.

Starts the real command on a school (the secondary sample unless one is named), reads
the address it prints (with its token), opens it in Debian's chromium at 1366x768 and
waits until the headline strip and every chart are drawn. Prints, from the moment the
command was started: its "Starting" line, the address (Voila listening and the
notebook pre-run in a kernel), and the usable page; plus the import time of the
notebook's modules in a fresh Python, the part a kernel spends before it can build
anything. Run twice: the first start after an install also compiles bytecode.
Run: .venv/bin/python benchmarks/bench_explorer_start.py [SCHOOL_DIR] [--runs N]
"""

import argparse
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data_samples" / "northgate-secondary"
URL = re.compile(r"http://127\.0\.0\.1:\d+/\S*")
#: The page is usable when the headline strip shows and every chart has drawn its bars.
READY = """() => {
  const strip = document.querySelector('.sendlib-headlines .card');
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const drawn = plots.filter(p => p.querySelector('.main-svg .barlayer'));
  return strip && strip.offsetParent !== null && plots.length >= 3 && drawn.length === plots.length;
}"""
#: What the notebook's kernel imports before it builds the explorer.
KERNEL_IMPORTS = (
    "import ipykernel.kernelapp, ipywidgets, plotly.graph_objects, sendlib.explorer.app, "
    "sendlib.present.notebook"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sendlib_command() -> list[str]:
    script = Path(sys.executable).with_name("sendlib")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sendlib.cli"]


def timed_python(code: str) -> float:
    """Seconds a fresh Python takes to run ``code`` (imports included)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})
    return time.perf_counter() - started


def one_start(school: Path, browser) -> dict[str, float]:
    """Start the explorer once; seconds from the command to each milestone."""
    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [*sendlib_command(), "explore", str(school), "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put((time.monotonic(), line)) for line in server.stdout],
        daemon=True,
    ).start()
    times: dict[str, float] = {}
    url = None
    try:
        while url is None:
            at, line = lines.get(timeout=180)
            if "Starting" in line and "starting" not in times:
                times["starting"] = at - started
            if found := URL.search(line):
                url = found.group(0)
                times["address"] = at - started
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(url, wait_until="commit")
        page.wait_for_function(READY, timeout=120_000, polling="raf")
        times["usable"] = time.monotonic() - started
        page.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("school", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"fresh Python, bare start:            {timed_python('pass'):5.2f} s")
    print(f"fresh Python, the kernel's imports:  {timed_python(KERNEL_IMPORTS):5.2f} s")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for run in range(1, args.runs + 1):
            times = one_start(args.school, browser)
            print(
                f"run {run}: 'Starting' printed {times.get('starting', float('nan')):5.2f} s, "
                f"address printed {times['address']:5.2f} s, "
                f"page usable {times['usable']:5.2f} s after the command"
            )
        browser.close()


if __name__ == "__main__":
    main()
