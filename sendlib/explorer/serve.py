"""``sendlib explore``: the explorer notebook as a Voila app on 127.0.0.1, until Ctrl-C.

:func:`serve` starts Voila on ``notebooks/caseload_explorer.ipynb`` (no code shown) with
the school folder and as-of date in environment variables for the notebook's kernel,
validates the folder while Voila starts, and with a new token that only the
person who started it gets (:mod:`sendlib.explorer.access`), prints the address and
opens the page as soon as a kernel runs the notebook, and stops Voila and its kernels on
Ctrl-C, SIGTERM or SIGHUP. Kernels of closed pages are shut down by Voila's page; any
left without a page (a crashed browser) are culled after ``CULL_IDLE_SECONDS``.

Start-up time: Voila is started before anything else (no plotly, widgets or the rules
imported first), and the command validates the folder beside it; Voila runs the notebook
in a preheated kernel as it starts; the address is printed as soon as that kernel runs
the notebook's first cell, so the browser loads the page (which says what is starting,
:func:`write_page_template`) and runs plotly.js while the kernel builds the explorer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path
from typing import IO

from sendlib.explorer.access import (
    COOKIE_OPTIONS,
    ENV_TOKEN,
    new_token,
    page_url,
    tornado_settings,
    write_browser_open_file,
)
from sendlib.explorer.startup import (
    ENV_AS_OF,
    ENV_PLOTLY_BUNDLE,
    ENV_SCHOOL_DIR,
    ENV_STARTED_FILE,
    PLOTLY_BASIC,
    PLOTLY_SCRIPT_ID,
)

#: The notebook that ``sendlib explore`` serves (``sendlib`` is at the repository's top).
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "caseload_explorer.ipynb"
#: How long ``serve`` waits for a kernel to run the notebook before opening the page anyway.
STARTED_TIMEOUT_SECONDS = 120
#: A kernel with no page connected for this long is shut down (its page was closed
#: without Voila's goodbye, e.g. a crashed browser); one with a page open is kept.
CULL_IDLE_SECONDS = 600
#: jsonschema's IRI format checker (rfc3987_syntax) compiles 38 grammars as it is
#: imported: 2 to 8 seconds of each start of Voila and of each kernel (through plotly and
#: nbformat), for a format that no Jupyter schema uses. Made unimportable in those
#: processes only; jsonschema then skips that one checker (jsonschema issue 1428).
_WITHOUT_IRI_CHECKER = "import sys; sys.modules['rfc3987_syntax'] = None; "
_VOILA_MAIN = _WITHOUT_IRI_CHECKER + "from voila.app import main; sys.exit(main())"
_KERNEL_MAIN = (
    _WITHOUT_IRI_CHECKER
    + "sys.path[0] == '' and sys.path.pop(0); "
    + "from ipykernel.kernelapp import launch_new_instance; launch_new_instance()"
)
_BUNDLE_EXTENSION = "sendlib-explorer"
_BUNDLE_FILE = "plotly-basic.min.js"
_BUNDLE_URL = f"/voila/labextensions/{_BUNDLE_EXTENSION}/{_BUNDLE_FILE}"
#: The explorer's Voila page template: Voila's own ``lab`` page with two additions.
TEMPLATE = "sendlib-explorer"
#: Voila's spinner says "Running caseload_explorer.ipynb..." then "Executing 2 of 3": the
#: SENDCo reads what is happening instead. The page's head arrives at once, before the
#: notebook has run, so the browser fetches and runs plotly.js (1.2 MB) while the kernel
#: builds the explorer, not after, when the first chart asks for it.
_TEMPLATE_PAGE = """{%- extends 'lab/index.html.j2' -%}
{%- block notebook_css -%}
{{ super() }}
PRELOAD<style>
#loading_text { display: none; }
#loading::after {
  content: "Starting the caseload explorer: reading the school's records and drawing the page.";
  font: 1.2rem sans-serif; margin: 0 2em; text-align: center;
}
</style>
{%- endblock notebook_css -%}
"""


def voila_command(
    port: int, labextensions: Path | None = None, template: str | None = None
) -> list[str]:
    """The Voila command line for the explorer: 127.0.0.1 only, a token, no code.

    The token itself is not on it (``ps`` shows command lines to every user): with
    ``auto_token`` jupyter_server reads it from ``JUPYTER_TOKEN``. ``labextensions`` is
    an extra folder Voila serves under ``/voila/labextensions/`` (plotly.js, for every
    chart). The plotly mime renderer extension is left out: the explorer's charts use
    that one plotly.js, and loading a second 4.8 MB copy only slows the page. ``template`` is
    the page template (:func:`write_page_template`), Voila's ``lab`` if ``None``.
    """
    command = [
        sys.executable,
        "-c",
        _VOILA_MAIN,
        str(NOTEBOOK),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--theme=light",
        "--VoilaConfiguration.extension_denylist=['jupyterlab-plotly']",
        "--Voila.log_level=WARN",
        "--Voila.auto_token=True",
        # Kernels talk to Voila over Unix sockets in Voila's private (0700) connection
        # folder, not over TCP ports: any account on the computer can subscribe to a
        # kernel's TCP output port and read what it sends the page (messages are signed,
        # not encrypted). Voila makes that folder with mkdtemp and removes it as it stops.
        "--KernelManager.transport=ipc",
        f"--IdentityProvider.cookie_options={COOKIE_OPTIONS!r}",
        # Run the notebook as soon as Voila starts, and again for the next visit only once
        # this one has drawn: on two cores, a second kernel starting at once halves the speed.
        "--preheat_kernel=True",
        "--VoilaKernelManager.fill_delay=20",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
    ]
    if template is not None:
        command.append(f"--template={template}")
    if labextensions is not None:
        command.append(f"--VoilaConfiguration.extra_labextensions_path=[{str(labextensions)!r}]")
    # A Python literal: traitlets reads a dict on the command line with literal_eval.
    command.append(f"--Voila.tornado_settings={tornado_settings(port)!r}")
    return command


def write_kernel_spec(jupyter_path: Path) -> Path:
    """The explorer's own ``python3`` kernel spec, in a folder for ``JUPYTER_PATH``.

    The same kernel as ipykernel's, started without jsonschema's slow IRI checker (see
    ``_WITHOUT_IRI_CHECKER``); the kernel still runs this Python, with the notebook's
    folder as its working directory.
    """
    spec = jupyter_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-c", _KERNEL_MAIN, "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1), encoding="utf-8")
    return jupyter_path


def write_page_template(jupyter_path: Path, bundle_url: str | None) -> str:
    """Write the explorer's page template (:data:`TEMPLATE`) for ``JUPYTER_PATH``; its name.

    With ``bundle_url`` (where Voila serves plotly.js) the page's head loads and runs it
    as soon as it arrives (``async``), for the charts to find (:mod:`sendlib.explorer.chart`).
    """
    folder = jupyter_path / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True)
    (folder / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    preload = (
        f'<script async id="{PLOTLY_SCRIPT_ID}" src="{bundle_url}"></script>\n'
        if bundle_url
        else ""
    )
    page = _TEMPLATE_PAGE.replace("PRELOAD", preload)
    (folder / "index.html.j2").write_text(page, encoding="utf-8")
    return TEMPLATE


def serve(
    school_dir: str | Path,
    port: int = 8866,
    open_browser: bool = True,
    as_of: dt.date | str | None = None,
) -> int:
    """Serve the caseload explorer for a school with Voila on 127.0.0.1 until Ctrl-C.

    Voila starts first, and the folder is validated while it starts (so problems show as
    the usual list, not in the page, and Voila is stopped). Its kernel gets the folder in
    ``SENDLIB_SCHOOL_DIR`` and the as-of date as given in ``SENDLIB_AS_OF`` (``as_of``,
    else ``SENDLIB_AS_OF`` from the environment, else empty: the kernel settles it by
    the same rule, :func:`~sendlib.school.asof.resolve_as_of`, as this command does).
    Voila runs the notebook in a kernel as it starts; as soon as that kernel runs, the
    address with this start's token is printed and the browser opened, so the page
    loads while the explorer is built. Returns the exit code: 0 after a clean stop.

    Raises:
        DataValidationError: the school folder has problems.
        CalendarRangeError: the as-of date is outside the school's calendar.
    """
    from sendlib.school.paths import from_repository

    folder = from_repository(school_dir).resolve()
    if not folder.is_dir():
        # Says what is wrong with the path, before anything starts. The rules (polars) are
        # imported here only then; otherwise while Voila starts.
        from sendlib.school.load import load_school

        load_school(folder)
    given = as_of or os.environ.get(ENV_AS_OF) or ""
    if not _port_free(port):
        print(
            f"sendlib explore: port {port} on 127.0.0.1 is in use (is the explorer already "
            f"open at http://127.0.0.1:{port}/ ?); choose another with --port",
            file=sys.stderr,
        )
        return 1
    # A private (0700) folder: it holds the page that opens the browser with the token.
    with tempfile.TemporaryDirectory(prefix="sendlib-explore-") as work:
        return _run_voila(Path(work), folder, given, port, open_browser)


def _run_voila(
    work: Path, folder: Path, given: dt.date | str, port: int, open_browser: bool
) -> int:
    """Start Voila with its log, kernel spec and plotly.js in ``work``; wait for the end.

    The school is validated while Voila starts: on two cores the command's own imports
    and reading of the folder (about a second) run beside Voila's start, not before it.
    """
    token = new_token()
    as_of = given.isoformat() if isinstance(given, dt.date) else str(given)
    env = _voila_environment(work, folder, as_of, token)
    started = Path(env[ENV_STARTED_FILE])
    log_path = work / "voila.log"
    url = page_url(port, token)
    with log_path.open("wb") as log:
        print("Starting the caseload explorer...", flush=True)
        command = voila_command(port, _share_plotly_js(work), TEMPLATE)
        voila = _start_voila(command, env, log)
        previous = _on_stop_signals(_raise_stop)
        try:
            # Imported while Voila starts, not before: the rules, and the page's words.
            from sendlib.explorer.labels import format_day
            from sendlib.school.asof import resolve_as_of
            from sendlib.school.load import load_school

            school = load_school(folder)
            day, note = resolve_as_of(school, given or None)
            if note:
                print(f"sendlib explore: {note}", file=sys.stderr)

            failed = _wait_until_started(voila, port, started, log_path)
            if failed is not None:
                return failed
            opener = write_browser_open_file(work / "open-explorer.html", url, school.name)
            print(
                f"Caseload explorer for {school.name}, as of {format_day(day)}:\n  {url}\n"
                "Only you can open it: the address carries a key made for this start, and "
                "only this computer is served.\n"
                f"(The same page, without typing the key: {opener.as_uri()})\n"
                "Press Ctrl-C to stop.",
                flush=True,
            )
            if open_browser:
                webbrowser.open(opener.as_uri())
            return _wait_for_exit(voila, log_path)
        except (KeyboardInterrupt, _StopRequested):
            print("\nStopping the caseload explorer.", flush=True)
            return 0
        finally:
            _stop(voila)
            _on_stop_signals(previous)


def _voila_environment(work: Path, folder: Path, as_of: str, token: str) -> dict[str, str]:
    """Voila's environment (its kernels inherit it): school, date, token, files in ``work``.

    ``as_of`` is the date as the user gave it, or empty: the kernel settles it.
    ``work/jupyter`` (first on ``JUPYTER_PATH``) holds the kernel spec and page template.
    """
    jupyter_path = write_kernel_spec(work / "jupyter")
    write_page_template(jupyter_path, _BUNDLE_URL)
    env = {
        **os.environ,
        ENV_SCHOOL_DIR: str(folder),
        ENV_AS_OF: as_of,
        ENV_TOKEN: token,
        ENV_STARTED_FILE: str(work / "kernel-started"),
        ENV_PLOTLY_BUNDLE: _BUNDLE_URL,
        "JUPYTER_PATH": os.pathsep.join(
            filter(None, [str(jupyter_path), os.environ.get("JUPYTER_PATH")])
        ),
    }
    return env


def _share_plotly_js(work: Path) -> Path:
    """Copy plotly.js into a labextensions folder in ``work`` for Voila to serve; that folder."""
    labextensions = work / "labextensions"
    (labextensions / _BUNDLE_EXTENSION).mkdir(parents=True)
    shutil.copyfile(PLOTLY_BASIC, labextensions / _BUNDLE_EXTENSION / _BUNDLE_FILE)
    return labextensions


def _start_voila(command: list[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen:
    """Start Voila writing to ``log``, in its own session.

    Its own session, so Ctrl-C in the terminal reaches only us; we then stop Voila (and
    its kernels) with SIGTERM. SIGTERM or a closed terminal stops us the same way.
    """
    return subprocess.Popen(
        command,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_until_started(
    voila: subprocess.Popen, port: int, started: Path, log_path: Path
) -> int | None:
    """Wait for Voila to listen and its first kernel to run the notebook; an exit code if not.

    Opening the page before that kernel is registered would make Voila start a second
    kernel for it. ``None`` means go on: the kernel runs, or is still starting after
    ``STARTED_TIMEOUT_SECONDS`` (the page then waits for it in the browser).
    """
    if not _wait_for_port(port, voila, timeout=60):
        print(
            f"sendlib explore: Voila did not start; its log:\n{_tail(log_path)}",
            file=sys.stderr,
        )
        return voila.poll() or 1
    if not _wait_for_file(started, voila, timeout=STARTED_TIMEOUT_SECONDS):
        if voila.poll() is not None:
            print(
                f"sendlib explore: Voila stopped; its log:\n{_tail(log_path)}",
                file=sys.stderr,
            )
            return voila.returncode or 1
        print("(still starting; the page will finish loading in the browser)", flush=True)
    return None


def _wait_for_exit(voila: subprocess.Popen, log_path: Path) -> int:
    """Wait until Voila exits; its exit code, with its log shown if it failed."""
    # Poll rather than block in wait(): a signal caught by one of polars' threads
    # would not wake the main thread from waitpid, and Ctrl-C would hang.
    while (code := voila.poll()) is None:
        time.sleep(0.2)
    if code:
        print(
            f"sendlib explore: Voila stopped (exit {code}); its log:\n{_tail(log_path)}",
            file=sys.stderr,
        )
    return code


class _StopRequested(Exception):
    """SIGTERM or SIGHUP arrived: stop as after Ctrl-C, so Voila is never left running."""


def _raise_stop(_signum: int, _frame: object) -> None:
    raise _StopRequested


def _on_stop_signals(handler) -> dict:
    """Install ``handler`` (one for all, or a dict per signal); return the previous ones."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    chosen = handler if isinstance(handler, dict) else dict.fromkeys(_STOP_SIGNALS, handler)
    return {sig: signal.signal(sig, action) for sig, action in chosen.items()}


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _wait_for_file(path: Path, process: subprocess.Popen, timeout: float) -> bool:
    """Whether ``path`` appears before ``process`` exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists():
            return True
        time.sleep(0.1)
    return path.exists()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> bool:
    """Whether the server accepts connections before it exits or ``timeout`` passes.

    A TCP connection, not an HTTP request: a GET of the page would start a kernel.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    """Stop Voila and its kernels: SIGTERM (Voila shuts its kernels down), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    text = Path(path).read_text("utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])
