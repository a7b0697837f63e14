"""Mistakes a user can act on: one or two sentences, no traceback, exit 1 or 2.

Exit code 1 is a problem in the data (the school folder and its files), 2 a wrong
command line (a path that cannot be what the option needs, a count below 1, a port
out of range, a date that is not one).
"""

import re
import socket
from pathlib import Path

import pytest
from conftest import TINY, edit

from sendlib.cli import main
from sendlib.school import asof


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.err


def one_line(err: str, phrase: str) -> str:
    """The line of ``err`` holding ``phrase`` (there must be one)."""
    lines = [line for line in err.splitlines() if phrase in line]
    assert len(lines) == 1, err
    return lines[0]


# --- paths -------------------------------------------------------------------------------


def test_a_school_folder_that_does_not_exist(tmp_path, capsys):
    code, err = run(capsys, "validate", tmp_path / "nowhere")
    assert code == 1
    assert err.strip() == (
        f"sendlib validate: {tmp_path / 'nowhere'} does not exist: give the path of a school "
        "folder (its school.toml and tables)"
    )


def test_a_file_where_the_school_folder_is_expected(tmp_path, capsys):
    (tmp_path / "pupils.csv").write_text("pupil_id\n")
    code, err = run(capsys, "validate", tmp_path / "pupils.csv")
    assert code == 1
    assert "pupils.csv is a file, not a folder: give the path of a school folder" in err


def test_a_folder_where_a_table_file_is_expected(school, capsys):
    (school / "plans.csv").unlink()
    (school / "plans.csv").mkdir()
    code, err = run(capsys, "validate", school)
    assert code == 1
    one_line(err, "plans.csv is a folder, not a file: the school folder needs the file plans.csv")


def test_a_folder_named_school_toml(school, capsys):
    (school / "school.toml").unlink()
    (school / "school.toml").mkdir()
    code, err = run(capsys, "validate", school)
    assert code == 1
    one_line(err, "school.toml is a folder, not a file")


def test_a_school_folder_that_is_a_symlink_loop(tmp_path, capsys):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    code, err = run(capsys, "report", tmp_path / "a", "--out", tmp_path / "out")
    assert code == 1
    one_line(err, "a is a symbolic link that leads back to itself (a loop)")


def test_out_pointing_at_a_file(tmp_path, capsys):
    (tmp_path / "report.html").write_text("")
    code, err = run(capsys, "report", TINY, "--out", tmp_path / "report.html")
    assert code == 2
    one_line(err, "report.html is a file, not a folder; give a folder for the outputs")


def test_ics_pointing_at_a_folder(tmp_path, capsys):
    code, err = run(
        capsys, "schedule", TINY, "--term", "Spring 2026", "--ics", tmp_path, "--out", tmp_path
    )
    assert code == 2
    one_line(err, "is a folder, not a file; give a file name for the calendar")


def test_scenarios_file_that_does_not_exist(tmp_path, capsys):
    code, err = run(capsys, "whatif", TINY, "--scenarios", tmp_path / "none.toml")
    assert code == 2
    one_line(err, "none.toml does not exist; give a scenarios TOML file")


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["0", "80", "70000", "http"])
def test_a_port_out_of_range(capsys, port):
    with pytest.raises(SystemExit) as exit_:
        main(["explore", str(TINY), "--port", port, "--no-browser"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    one_line(err, f"argument --port: '{port}' is not a whole number from 1024 to 65535")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2


def test_a_port_in_use_is_found_before_starting(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        if port < 1024:
            pytest.skip("the system gave a port below 1024")
        code, err = run(
            capsys, "explore", TINY, "--port", port, "--no-browser", "--as-of", "2026-03-06"
        )
    assert code == 1
    one_line(err, f"port {port} on 127.0.0.1 is in use")


@pytest.mark.parametrize(
    ("argv", "option", "wanted"),
    [
        (["whatif", TINY, "--scenarios", "x.toml", "--runs", "0"], "--runs", "of at least 1"),
        (["report", "--all", TINY, "--workers", "-2"], "--workers", "of at least 1"),
        (["sample", "out", "--pupils", "0"], "--pupils", "of at least 30"),
        (["sample-trust", "out", "--schools", "0"], "--schools", "of at least 1"),
        (["sample", "out", "--seed", "-1"], "--seed", "of at least 0"),
        (["schedule", TINY, "--term", "T", "--time-limit", "0"], "--time-limit", "above 0"),
        (["schedule", TINY, "--term", "T", "--time-limit", "-5"], "--time-limit", "above 0"),
    ],
)
def test_zero_or_negative_counts(capsys, argv, option, wanted):
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}:" in one_line(err, wanted)
    assert "Traceback" not in err


def test_as_of_that_is_not_a_date(tmp_path, capsys):
    code, err = run(capsys, "report", TINY, "--as-of", "31/02/2026", "--out", tmp_path)
    assert code == 2
    assert err.strip() == "sendlib report: '31/02/2026' is not a date: write it as YYYY-MM-DD"


# --- files from a spreadsheet ---------------------------------------------------------------


def test_misspelt_header_is_named_with_the_nearest_and_other_problems_still_listed(school, capsys):
    edit(school, "requests.csv", "received_on", "recieved_on")
    edit(school, "requests.csv", "23,email,", "23,e-mail,")
    edit(school, "meetings.csv", "09:00,30,S1", "09:00,-5,S1")
    code, err = run(capsys, "validate", school)
    assert code == 1
    line = one_line(err, "recieved_on")
    assert "requests.csv row 1, received_on: 'recieved_on'" in line
    assert "(rename 'recieved_on' to received_on)" in line
    assert "requests.csv row 3, channel: 'e-mail'" in err  # the same file, still checked
    assert "meetings.csv row 4, minutes: '-5'" in err
    assert "3 problem(s)" in err


def test_windows_1252_export(school, capsys):
    path = school / "pupils.csv"
    lines = path.read_text().splitlines()
    text = "\n".join([lines[0] + ",display_name", *(line + ",Zoë" for line in lines[1:])])
    path.write_bytes((text + "\n").encode("cp1252"))
    code, err = run(capsys, "validate", school)
    assert code == 1
    assert one_line(err, "pupils.csv is not UTF-8").strip() == (
        '- pupils.csv is not UTF-8 (it looks like Windows-1252, Excel\'s plain "CSV"): save it '
        'as CSV UTF-8 (in Excel: Save As, "CSV UTF-8")'
    )


def test_semicolon_separated_export(school, capsys):
    path = school / "staff.csv"
    path.write_text(path.read_text().replace(",", ";"))
    code, err = run(capsys, "validate", school)
    assert code == 1
    one_line(err, "staff.csv is separated by semicolons, not commas: save it as CSV UTF-8")


def test_duplicated_header(school, capsys):
    edit(school, "staff.csv", "staff_id,role", "staff_id,role,role")
    code, err = run(capsys, "validate", school)
    assert code == 1
    one_line(err, "staff.csv row 1, role: 'role': expected each column name only once")


def test_validate_cut_short_says_how_to_list_every_problem(school, capsys):
    path = school / "staff.csv"
    path.write_text(path.read_text() + "".join(f"X{n},caretaker\n" for n in range(30)))
    code, err = run(capsys, "validate", school)
    assert code == 1
    one_line(err, "... and 5 more in staff.csv (sendlib validate --all lists every one)")


# --- the school year ---------------------------------------------------------------------


def test_a_new_school_year_is_said_in_one_line_by_every_command(
    school, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(asof, "current_date", lambda: asof.dt.date(2026, 11, 23))
    advice = (
        "add the 2026/27 [[terms]] from your local authority's published term dates to school.toml"
    )
    code, err = run(capsys, "validate", school)
    assert code == 0
    assert one_line(err, advice) == (
        "sendlib validate: as of Thu 29 Jan 2026, the last day of the records: the calendar in "
        f"school.toml ends Tue 21 Jul 2026; {advice}"
    )
    code, err = run(capsys, "schedule", school, "--term", "Spring 2026", "--out", tmp_path / "out")
    assert code == 0
    one_line(err, advice)


def test_as_of_in_the_schools_day_first_format(school, tmp_path, capsys):
    for name in ("pupils", "staff", "requests", "meetings", "plans"):
        path = school / f"{name}.csv"
        path.write_text(re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", path.read_text()))
    edit(
        school,
        "school.toml",
        'nation = "england"',
        'nation = "england"\ndate_format = "dd/mm/yyyy"',
    )
    argv = ["schedule", school, "--term", "Spring 2026", "--as-of", "06/03/2026"]
    code = main([str(a) for a in argv] + ["--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Confidential: contains pupil information" in out
    assert (tmp_path / "out" / "tiny" / "schedule_spring-2026.csv").exists()


def test_no_command_line_error_leaves_a_traceback(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "sendlib.cli", "validate", str(tmp_path / "gone")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent,
    )
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
