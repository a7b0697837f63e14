"""``sendlib import``: an MIS-style export of the sample primary becomes the same school.

The export is written here as an MIS would: other headers, day-first dates, status words,
need names, yes/no, a date and a time in two columns, the register as an Excel workbook.
Imported, it must validate and give the report's figures exactly as the original does.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import stat
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import SAMPLE_AS_OF, SAMPLES
from polars.testing import assert_frame_equal

import sendlib
from sendlib.cli import main
from sendlib.present.leadership import leadership_summary
from sendlib.school.schema import NEED_LABELS, TABLES

ORIGINAL = SAMPLES / "harbourside-primary"
STATUS_WORDS = {"K": "SEN Support", "E": "EHC Plan", "M": "Monitoring"}

#: The register's headers in the export, by sendlib column.
PUPIL_HEADERS = {
    "pupil_id": "UPN",
    "year_group": "NC Year",
    "sen_status": "SEN Status",
    "primary_need": "Primary Need",
    "lead_staff_id": "Key Worker",
    "registered_on": "SEN Start Date",
    "last_annual_review_on": "Last Annual Review",
    "sex": "Gender",
    "fsm": "FSM Eligible",
    "display_name": "Preferred Name",
}
REQUEST_HEADERS = {
    "request_id": "Ref",
    "pupil_id": "Pupil UPN",
    "received_on": "Date Received",
    "channel": "Received Via",
    "kind": "Request Type",
    "acknowledged_on": "Date Acknowledged",
    "response": "Response",
}

MAPPING = """
date_format = "dd/mm/yyyy"

[school]
toml = "school.toml"

[tables.pupils]
file = "SEN Register.xlsx"
ignore = ["Tutor Group"]

[tables.pupils.columns]
{pupil_columns}

[tables.pupils.values.sen_status]
"SEN Support" = "K"
"EHC Plan" = "E"
"monitoring" = "M"

[tables.pupils.values.primary_need]
{need_names}

[tables.pupils.values.sex]
Female = "F"
Male = "M"

[tables.requests]
file = "Parent requests.csv"

[tables.requests.columns]
{request_columns}

[tables.meetings]
file = "meetings.csv"

[tables.meetings.columns]
starts_at = ["Meeting Date", "Start Time"]
sendco_attended = "SENDCo Present"

[tables.staff]
file = "staff.csv"

[tables.plans]
file = "plans.csv"

[tables.assessments]
file = "assessments.csv"

[tables.register_changes]
file = "register_changes.csv"

[tables.interventions]
file = "interventions.csv"

[tables.provisions]
file = "provisions.csv"
"""


def _toml_table(pairs: dict[str, str]) -> str:
    return "\n".join(f"{json.dumps(key)} = {json.dumps(value)}" for key, value in pairs.items())


def _day_first(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Every date column of a sample table rewritten day-first, as a UK export writes it."""
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    return frame.with_columns(
        pl.col(name).str.to_date().dt.strftime("%d/%m/%Y")
        for name in frame.columns
        if kinds.get(name) == "date"
    )


def _raw(table: str) -> pl.DataFrame:
    return pl.read_csv(ORIGINAL / f"{table}.csv", infer_schema=False)


def _year_words(year: str) -> str:
    return "Reception" if year == "R" else f"Year {year}"


def write_register(path: Path) -> None:
    """pupils.csv as an MIS register workbook: words for codes, real Excel dates for reviews."""
    pupils = _raw("pupils")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*PUPIL_HEADERS.values(), "Tutor Group"])
    for row in pupils.iter_rows(named=True):
        review = row["last_annual_review_on"]
        registered = row["registered_on"]
        sheet.append(
            [
                row["pupil_id"],
                _year_words(row["year_group"]),
                STATUS_WORDS[row["sen_status"]],
                NEED_LABELS[row["primary_need"]] if row["primary_need"] else None,
                row["lead_staff_id"],
                dt.date.fromisoformat(registered).strftime("%d/%m/%Y") if registered else None,
                dt.date.fromisoformat(review) if review else None,  # a real date cell
                {"F": "Female", "M": "Male"}.get(row["sex"]),
                {"true": "Yes", "false": "No"}[row["fsm"]],
                row["display_name"],
                "3B",
            ]
        )
    book.save(path)


def write_export(folder: Path) -> Path:
    """The sample primary as an MIS export with its mapping; returns the mapping's path."""
    folder.mkdir()
    write_register(folder / "SEN Register.xlsx")
    requests = _day_first(_raw("requests"), "requests").with_columns(
        pl.col("channel").str.to_titlecase(),
        pl.col("kind").str.replace_all("_", " ").str.to_titlecase(),
        pl.col("response").str.replace_all("_", " ").str.to_uppercase(),
    )
    requests.rename(REQUEST_HEADERS).write_csv(folder / "Parent requests.csv")
    meetings = _day_first(_raw("meetings"), "meetings")
    starts = pl.col("starts_at").str.to_datetime("%Y-%m-%d %H:%M")
    meetings = meetings.with_columns(
        starts.dt.strftime("%d/%m/%Y").alias("Meeting Date"),
        starts.dt.strftime("%H:%M").alias("Start Time"),
        pl.col("sendco_attended").replace({"true": "Yes", "false": "No"}).alias("SENDCo Present"),
        pl.col("status").str.replace_all("_", " ").str.to_titlecase(),
    ).drop("starts_at", "sendco_attended")
    meetings.write_csv(folder / "meetings.csv")
    for table in ("staff", "plans", "assessments", "register_changes"):
        _day_first(_raw(table), table).write_csv(folder / f"{table}.csv")
    for table in ("interventions", "provisions"):
        _day_first(_raw(table), table).write_csv(folder / f"{table}.csv")
    shutil.copy(ORIGINAL / "school.toml", folder / "school.toml")
    needs = {label: code for code, label in NEED_LABELS.items()}
    mapping = folder / "mapping.toml"
    mapping.write_text(
        MAPPING.format(
            pupil_columns=_toml_table(PUPIL_HEADERS),
            need_names=_toml_table(needs),
            request_columns=_toml_table(REQUEST_HEADERS),
        )
    )
    return mapping


def exports_in(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.iterdir() if p.name not in ("mapping.toml", "school.toml"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """The sample primary exported MIS-style and imported into a new folder."""
    base = tmp_path_factory.mktemp("mis")
    mapping = write_export(base / "export")
    target = base / "imported"
    assert (
        main(["import", "--mapping", str(mapping), *exports_in(base / "export"), str(target)]) == 0
    )
    return target


def test_the_imported_folder_validates(imported, capsys):
    code, out, err = run(capsys, "validate", imported)
    assert code == 0, err
    assert "Harbourside Primary (primary): valid." in out


def test_the_import_gives_the_original_figures(imported):
    original, copy = sendlib.load_school(ORIGINAL), sendlib.load_school(imported)
    for table in TABLES:
        assert copy.table(table).height == original.table(table).height, table
    for figures in (sendlib.response_times, sendlib.review_coverage, sendlib.annual_reviews):
        assert_frame_equal(figures(copy, SAMPLE_AS_OF), figures(original, SAMPLE_AS_OF))
    ours = leadership_summary(copy, SAMPLE_AS_OF).headlines
    theirs = leadership_summary(original, SAMPLE_AS_OF).headlines
    assert [(h.key, h.value, h.number, h.sentence) for h in ours] == [
        (h.key, h.value, h.number, h.sentence) for h in theirs
    ]
    assert len(ours) >= 4


def test_the_folder_is_owner_only(imported):
    assert stat.S_IMODE(imported.stat().st_mode) == 0o700
    for path in imported.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
