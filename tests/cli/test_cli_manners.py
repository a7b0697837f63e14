"""Command-line manners: ``--version``, the help for a bare ``sendlib``, openable "wrote" paths."""

import subprocess
import sys
from pathlib import Path

import pytest

import sendlib
from sendlib.cli import main
from sendlib.school.outputs import shown_path


def test_version():
    result = subprocess.run(
        [sys.executable, "-m", "sendlib.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"sendlib {sendlib.__version__}"


def test_bare_sendlib_prints_the_help_and_exits_2():
    result = subprocess.run([sys.executable, "-m", "sendlib.cli"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stdout.startswith("usage: sendlib")
    for command in ("validate", "report", "schedule", "whatif", "sample", "explore"):
        assert command in result.stdout


def test_wrote_paths_are_relative_inside_the_working_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["sample", "inside", "--pupils", "150"]) == 0
    assert capsys.readouterr().out.strip() == "wrote a synthetic school folder to inside"


def test_wrote_paths_are_absolute_outside_the_working_folder(tmp_path, monkeypatch, capsys):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["sample", "../elsewhere", "--pupils", "150"]) == 0
    shown = capsys.readouterr().out.strip().removeprefix("wrote a synthetic school folder to ")
    assert shown == str(tmp_path / "elsewhere") and Path(shown).is_dir()


@pytest.mark.parametrize(
    ("given", "expected"),
    [("out/a.html", "out/a.html"), ("./out/../b.csv", "b.csv"), ("/abs/c.ics", "/abs/c.ics")],
)
def test_shown_path(tmp_path, monkeypatch, given, expected):
    monkeypatch.chdir(tmp_path)
    assert shown_path(given) == expected
