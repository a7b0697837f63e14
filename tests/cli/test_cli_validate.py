"""``sendlib validate SCHOOL_DIR``: a summary and exit 0, or problems by file and exit 1."""

import re
import subprocess
import sys
from pathlib import Path

from conftest import edit

from sendlib.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"


def damage(folder: Path) -> None:
    """Two problems in requests.csv, one in meetings.csv."""
    edit(folder, "requests.csv", "23,email,", "23,e-mail,")
    edit(folder, "requests.csv", "R1,P1,2025-10-23", "R1,P1,23/10/2025")
    edit(folder, "meetings.csv", "09:00,30,S1", "09:00,-5,S1")


def test_valid_school_exits_0_with_name_terms_and_row_counts(capsys):
    assert main(["validate", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "Tiny Test School (primary): valid." in out
    for term in ("Autumn 2025: Wed 03 Sep 2025", "Spring 2026", "Summer 2026: Mon 13 Apr 2026"):
        assert term in out
    counts = dict(re.findall(r"^\s+(\w+)\s+(\d+)$", out, flags=re.MULTILINE))
    assert counts == {"pupils": "5", "staff": "3", "requests": "6", "meetings": "7", "plans": "3"}
    assert "3 on SEN support (K), 1 with an EHC plan (E), 1 monitored (M)" in out


def test_damaged_school_exits_1_with_problems_grouped_by_file(school, capsys):
    damage(school)
    assert main(["validate", str(school)]) == 1
    captured = capsys.readouterr()
    err = captured.err
    assert "NOT valid" in err and "3 problem(s)" in err
    sections = dict(re.findall(r"^(\S+) \(\d+\):\n((?:  - .*\n?)+)", err, flags=re.MULTILINE))
    assert set(sections) == {"requests.csv", "meetings.csv"}
    assert "requests.csv row 2, received_on: '23/10/2025'" in sections["requests.csv"]
    assert "requests.csv row 3, channel: 'e-mail'" in sections["requests.csv"]
    assert "meetings.csv row 4, minutes: '-5'" in sections["meetings.csv"]
    assert "Traceback" not in captured.out + err


def test_many_problems_are_capped_per_file_unless_all_is_asked(school, capsys):
    path = school / "staff.csv"
    extra = "".join(f"X{n},caretaker\n" for n in range(30))
    path.write_text(path.read_text() + extra)
    assert main(["validate", str(school)]) == 1
    err = capsys.readouterr().err
    assert "staff.csv (30):" in err and "... and 5 more in staff.csv" in err
    assert main(["validate", "--all", str(school)]) == 1
    err = capsys.readouterr().err
    assert err.count("caretaker") == 30 and "more in staff.csv" not in err


def test_missing_folder_exits_1_without_traceback(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    captured = capsys.readouterr()
    assert "a school folder" in captured.err
    assert "Traceback" not in captured.out + captured.err


def test_installed_command_reports_a_damaged_school_without_traceback(school):
    damage(school)
    edit(school, "school.toml", 'name = "Tiny Test School"', 'name = "Tiny Test School')
    script = Path(sys.executable).with_name("sendlib")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sendlib.cli"]
    result = subprocess.run(
        [*command, "validate", str(school)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "school.toml" in result.stderr and "valid TOML" in result.stderr
    assert "meetings.csv row 4, minutes: '-5'" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
