"""PDF printing without a browser: what a user sees when playwright or chromium is missing,
and the fixed time stamps that make the same report the same bytes."""

import sys

import pytest
from conftest import TINY

from sendlib.cli import main
from sendlib.present import pdf
from sendlib.present.pdf import PdfPrinterMissing, find_chromium, pdf_path, timeless


def test_missing_chromium_is_one_line_naming_what_to_install(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(PdfPrinterMissing) as caught:
        find_chromium()
    message = str(caught.value)
    assert "\n" not in message
    assert "chromium on the PATH" in message and "apt-get install chromium" in message
    assert "pip install '.[pdf]'" in message


def test_missing_playwright_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(PdfPrinterMissing, match=r"needs playwright.*pip install '\.\[pdf\]'"):
        find_chromium()


@pytest.mark.parametrize(
    "argv",
    [
        ["report", str(TINY), "--as-of", "2026-03-06"],
        ["report", "--all", str(TINY.parent), "--as-of", "2026-03-06"],
        ["schedule", str(TINY), "--term", "Spring 2026", "--agenda", "AGENDA"],
    ],
)
def test_the_command_stops_before_rendering_with_exit_code_1(monkeypatch, tmp_path, capsys, argv):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    argv = [str(tmp_path / "agenda.html") if a == "AGENDA" else a for a in argv]
    assert main([*argv, "--out", str(tmp_path / "out"), "--pdf"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "apt-get install chromium" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "agenda.html").exists()


def test_time_stamps_are_fixed_and_every_offset_kept():
    made = (
        b"%PDF-1.4\n1 0 obj\n<</CreationDate (D:20261130085645+01'00')"
        b" /ModDate (D:20261130085645)>>\nendobj\n"
    )
    fixed = timeless(made)
    assert len(fixed) == len(made)
    assert fixed.count(b"D:20000101000000") == 2
    assert b"(D:20000101000000+00'00')" in fixed and b"2026" not in fixed


def test_the_pdf_goes_beside_its_html(tmp_path):
    assert pdf_path(tmp_path / "school" / "leadership_report.html") == (
        tmp_path / "school" / "leadership_report.pdf"
    )
