"""Shared fixtures: a damageable copy of the tiny school, Debian's chromium for browser tests,
and a mixed set of schools for the rules over many schools.

Playwright's own browser download does not work here, so it launches the ``chromium``
executable on the PATH. Outside CI a missing chromium skips the browser tests with the
reason; in CI (``.ci/run`` sets CI=1 and installs chromium) it is a failure.
"""

import datetime as dt
import os
import shutil
import socket
from pathlib import Path

import pytest

from sendlib.present.pdf import CHROMIUM_ARGS

#: The tiny hand-built school every figure of which is worked out by hand in the tests.
TINY = Path(__file__).parent / "fixtures" / "tiny"

#: England's 2024/25 terms with their half terms, for a tiny school given the year before.
TERMS_2024_25 = """
[[terms]]
name = "Autumn 2024"
start = 2024-09-04
end = 2024-12-20

[[terms]]
name = "Spring 2025"
start = 2025-01-06
end = 2025-04-04

[[terms]]
name = "Summer 2025"
start = 2025-04-22
end = 2025-07-22

[[closures]]
name = "October half term 2024"
start = 2024-10-28
end = 2024-11-01

[[closures]]
name = "February half term 2025"
start = 2025-02-17
end = 2025-02-21

[[closures]]
name = "May half term 2025"
start = 2025-05-26
end = 2025-05-30
"""

CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def browser():
    """A headless chromium for one test module."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must run the browser tests: install Debian's chromium (apt-get install chromium)"
            )
        pytest.skip(
            "Debian's chromium is not on the PATH (apt-get install chromium); CI installs it"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture
def school(tmp_path: Path) -> Path:
    """A fresh copy of the tiny school, safe to damage."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def edit(folder: Path, file: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) by ``new`` in one file of the copy."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_pids(parent: int) -> list[int]:
    """Processes whose parent is ``parent`` (from /proc), exited ones not yet reaped too."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def process_state(pid: int) -> str:
    """One process's state letter from /proc (``Z`` once it has exited); ``""`` if gone."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


@pytest.fixture(scope="session")
def mixed_schools(tmp_path_factory):
    """Schools of both phases with different calendars, sizes and staffing, in one list.

    The two samples, the tiny school and four generated ones (imported here, so that tests
    which never ask for them do not load the generator).
    """
    import sendlib
    from sendlib.present.trust import school_folders
    from sendlib.synth import generate_trust

    trust_dir = tmp_path_factory.mktemp("trust")
    generate_trust(trust_dir, schools=10, seed=7, pupils=(120, 300))
    samples = Path(__file__).resolve().parents[1] / "data_samples"
    folders = [samples / "harbourside-primary", samples / "northgate-secondary", TINY]
    folders += school_folders(trust_dir)[:4]
    return [sendlib.load_school(f) for f in folders]


#: The two sample schools as of their last day of data (what-if and report tests share them).
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
SAMPLE_AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="session")
def primary():
    """The sample primary school, loaded once."""
    import sendlib

    return sendlib.load_school(SAMPLES / "harbourside-primary")


@pytest.fixture(scope="session")
def secondary():
    """The sample secondary school, loaded once."""
    import sendlib

    return sendlib.load_school(SAMPLES / "northgate-secondary")


@pytest.fixture(scope="session")
def primary_model(primary):
    """The what-if model fitted to the sample primary as of 6 March 2026."""
    from sendlib.planning import whatif

    return whatif.fit_model(primary, SAMPLE_AS_OF)
