"""Attacks on the files: a killed run, two runs at once, outputs aimed at the inputs.

A report killed with SIGKILL half way leaves the previous report whole; two reports
rendered into one folder at once both succeed; no command writes into the school folder
or over an input file; ``sendlib sample`` keeps out of a folder in use; outputs are the
owner's alone; and a rendered report names no absolute path of the machine.
"""

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

AS_OF = "2026-03-06"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sendlib.cli", *args]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), cwd=cwd, capture_output=True, text=True, timeout=600)


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command(*args),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its kernel too can be killed, as a closed terminal would
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Two reports of one school rendered into one folder at the same time."""
    import shutil

    from conftest import TINY

    work = tmp_path_factory.mktemp("outputs")
    shutil.copytree(TINY, work / "tiny")
    runs = [start("report", "tiny", "--as-of", AS_OF, "--out", "out", cwd=work) for _ in range(2)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in runs]
    return work, results


def test_two_runs_into_one_folder_both_succeed(rendered):
    work, results = rendered
    for code, out, err in results:
        assert code == 0, err
        assert out.strip() == "wrote out/tiny/leadership_report.html"
    html = (work / "out" / "tiny" / "leadership_report.html").read_text("utf-8")
    assert html.rstrip().endswith("</html>")
    assert not list((work / "out" / "tiny").glob(".*")), "temporary files left behind"


def test_outputs_are_the_owners_alone(rendered):
    work, _ = rendered
    for folder in (work / "out", work / "out" / "tiny"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for file in (work / "out" / "tiny").iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name


def test_rendered_report_names_no_machine_path(rendered):
    work, _ = rendered
    machine = {str(work), str(Path.cwd()), "/work", "/tmp", str(Path.home()), sys.prefix}
    for name in ("leadership_report.ipynb", "leadership_report.html"):
        text = (work / "out" / "tiny" / name).read_text("utf-8")
        assert not [path for path in machine if path in text], name


def test_sigkill_in_the_middle_leaves_the_previous_report_whole(rendered):
    work, _ = rendered
    folder = work / "out" / "tiny"
    before = {
        name: (folder / name).read_bytes()
        for name in ("leadership_report.html", "leadership_report.ipynb")
    }
    run_ = start("report", "tiny", "--as-of", AS_OF, "--out", "out", cwd=work)
    deadline = time.monotonic() + 300
    # Kill once papermill has started writing the executed notebook.
    while not list(folder.glob(".leadership_report.*")) and time.monotonic() < deadline:
        assert run_.poll() is None, run_.communicate()
        time.sleep(0.05)
    time.sleep(1.0)
    os.killpg(run_.pid, signal.SIGKILL)
    run_.wait()
    for name, content in before.items():
        assert (folder / name).read_bytes() == content, f"{name} was damaged"


def test_report_into_the_school_folder_is_refused(school, tmp_path):
    before = {p.name: p.read_bytes() for p in school.iterdir()}
    for out in (school, school / "reports", school.parent):
        result = run("report", str(school), "--as-of", AS_OF, "--out", str(out), cwd=tmp_path)
        assert result.returncode == 2
        assert "input folder" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in school.iterdir()} == before


def test_ics_over_an_input_is_refused_and_the_input_unchanged(school, tmp_path):
    pupils = school / "pupils.csv"
    before = pupils.read_bytes()
    result = run("schedule", str(school), "--term", "Spring 2026", "--as-of", AS_OF,
                 "--out", str(tmp_path / "out"), "--ics", str(pupils), cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2 and "input folder" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert pupils.read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_ics_over_a_file_that_is_not_a_calendar_is_refused(school, tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("my,notes\n", "utf-8")
    result = run("schedule", str(school), "--term", "Spring 2026", "--as-of", AS_OF,
                 "--out", str(tmp_path / "out"), "--ics", str(notes), cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2 and "not a calendar" in result.stderr
    assert notes.read_text("utf-8") == "my,notes\n"


def test_schedule_writes_owner_only_files_and_may_replace_its_calendar(school, tmp_path):
    ics = tmp_path / "plan.ics"
    for _ in range(2):  # the second run replaces the first run's calendar
        result = run("schedule", str(school), "--term", "Spring 2026", "--as-of", AS_OF,
                     "--out", "out", "--ics", "plan.ics", "--time-limit", "2", cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert (
        "wrote plan.ics" in result.stdout
        and "wrote out/tiny/schedule_spring-2026.csv" in result.stdout
    )
    for file in [ics, *(tmp_path / "out" / "tiny").iterdir()]:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700


def test_sample_refuses_a_folder_in_use_without_force(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "pupils.csv").write_text("precious\n", "utf-8")
    result = run("sample", str(folder), "--pupils", "150", cwd=tmp_path)
    assert result.returncode == 2 and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert (folder / "pupils.csv").read_text("utf-8") == "precious\n"
    forced = run("sample", str(folder), "--pupils", "150", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.strip() == "wrote a synthetic school folder to mine"
    fresh = run("sample", "new", "--pupils", "150", cwd=tmp_path)
    assert fresh.returncode == 0
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_a_sample_school_is_written_owner_only(tmp_path):
    """Synthetic pupils are written as real ones would be: 0700 folder, 0600 files."""
    from sendlib.synth import generate_school

    folder = generate_school(tmp_path / "sample", pupils=60, seed=1)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    assert modes and set(modes.values()) == {0o600}, modes
