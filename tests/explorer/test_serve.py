"""``sendlib explore``'s Voila process: the command line, the checks before starting, the notebook."""

import os
import socket
import stat
from pathlib import Path

import nbformat
import pytest
from conftest import child_pids, free_port, process_state

import sendlib
from sendlib import DataValidationError
from sendlib.explorer.access import new_token, page_url, tornado_settings, write_browser_open_file
from sendlib.explorer.serve import NOTEBOOK, serve, voila_command

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"


def test_voila_command_serves_only_this_computer_and_no_code():
    command = voila_command(8899)
    assert NOTEBOOK.exists() and str(NOTEBOOK) in command
    for flag in ("--Voila.ip=127.0.0.1", "--strip_sources=True", "--no-browser", "--port=8899"):
        assert flag in command
    assert "--Voila.port_retries=0" in command  # never silently another port


def test_serve_refuses_a_port_in_use(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert serve(TINY, port=port, open_browser=False) == 1
    assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err


def children() -> list[int]:
    """The processes this one started that are still alive (Voila, its kernels)."""
    return [pid for pid in child_pids(os.getpid()) if process_state(pid) not in ("Z", "")]


def test_serve_stops_voila_when_the_school_folder_has_problems(tmp_path):
    """Voila starts first (the folder is read beside it); problems stop it, none left running."""
    (tmp_path / "school.toml").write_text("[school]\nname = 'Broken'\n", encoding="utf-8")
    before = set(children())
    with pytest.raises(DataValidationError):
        serve(tmp_path, port=free_port(), open_browser=False)
    with pytest.raises(sendlib.CalendarRangeError):
        serve(TINY, port=free_port(), open_browser=False, as_of="2030-01-01")
    assert set(children()) <= before
    # A path that is not a folder is said before anything starts.
    with pytest.raises(DataValidationError, match="does not exist"):
        serve(tmp_path / "nowhere", port=1, open_browser=False)


def test_notebook_is_stored_clean_with_one_parameters_cell():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'school_dir = "data_samples/harbourside-primary"' in tagged[0].source
    assert 'as_of = "2026-03-06"' in tagged[0].source
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_voila_command_asks_for_a_token_but_never_holds_it(tmp_path):
    command = voila_command(8899)
    assert "--Voila.auto_token=True" in command
    assert not any("JUPYTER_TOKEN" in part or "Voila.token=" in part for part in command)
    settings = tornado_settings(8899)
    assert settings["allow_remote_access"] is False
    assert settings["allow_origin"] == "http://127.0.0.1:8899"


def test_the_browser_open_file_is_created_owner_only(tmp_path):
    token = new_token()
    assert len(token) >= 40 and token != new_token()
    url = page_url(8899, token)
    opener = write_browser_open_file(tmp_path / "open.html", url, "<b>Tiny</b>")
    assert stat.S_IMODE(opener.stat().st_mode) == 0o600
    text = opener.read_text(encoding="utf-8")
    assert url in text and "<b>Tiny</b>" not in text
    with pytest.raises(FileExistsError):  # never written over, never through a planted link
        write_browser_open_file(opener, url, "Tiny")
