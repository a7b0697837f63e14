"""Attack: IDs in a school's files that a spreadsheet would run as formulas.

OWASP's CSV-injection rule: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is prefixed with a single quote in every CSV sendlib writes; numbers
(negative ones included) stay numbers.
"""

import csv
import datetime as dt
import re

import polars as pl

from sendlib.planning.scheduling import schedule_command
from sendlib.school.outputs import neutralise_formulas, write_csv

FORMULA_PUPIL = '=HYPERLINK("http://x")'
FORMULA_STAFF = "@SUM(A1)"
PLUS_STAFF = "+T2"
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def test_formula_cells_are_neutralised_and_numbers_are_not():
    frame = pl.DataFrame(
        {
            "text": ["=1+2", "+x", "-x", "@x", "\tx", "\rx", "plain", None, "-3", "-2+3"],
            "number": [-1, -2.5, 0, 3, 4, 5, 6, 7, 8, -9],
        },
        strict=False,
    )
    shown = neutralise_formulas(frame)
    assert shown["text"].to_list() == [
        "'=1+2", "'+x", "'-x", "'@x", "'\tx", "'\rx", "plain", None, "-3", "'-2+3",
    ]  # fmt: skip
    assert shown["number"].to_list() == frame["number"].to_list()
    assert shown.schema == frame.schema


def test_written_csv_reads_back_with_numbers_as_numbers(tmp_path):
    path = write_csv(pl.DataFrame({"id": ["=cmd"], "minutes": [-30]}), tmp_path / "x.csv")
    assert path.read_text("utf-8") == "id,minutes\n'=cmd,-30\n"
    assert pl.read_csv(path)["minutes"].dtype == pl.Int64


def test_schedule_csvs_hold_no_formula(school, tmp_path, capsys):
    """A pupil ID and staff IDs that are formulas reach the schedule CSVs only quoted."""
    for file in ("pupils.csv", "meetings.csv", "plans.csv", "requests.csv"):
        path = school / file
        path.write_text(path.read_text("utf-8").replace("P1,", f"{FORMULA_PUPIL},"), "utf-8")
    for file in ("staff.csv", "pupils.csv", "meetings.csv"):
        path = school / file
        text = path.read_text("utf-8").replace("S1", FORMULA_STAFF).replace("T2", PLUS_STAFF)
        path.write_text(text, "utf-8")
    out = tmp_path / "out"
    code = schedule_command(
        school, term="Spring 2026", as_of=dt.date(2026, 3, 6), out_dir=out, time_limit=5
    )
    assert code == 0, capsys.readouterr().err
    cells = []
    for path in (out / "tiny").glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    risky = [
        c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not NUMBER.fullmatch(c)
    ]
    assert risky == []
    assert any(c.startswith("'" + FORMULA_STAFF) or ("'" + FORMULA_STAFF) in c for c in cells)
