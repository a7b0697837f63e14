"""Trust and local-authority scale: the trust overview and sample trusts.

The figures of many schools at once are tested in tests/rules (test_frame, test_overview).
"""

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

import sendlib
from sendlib.cli import main
from sendlib.present.batch import report_all
from sendlib.present.trust import (
    overview_table,
    school_folders,
    trust_overview,
)
from sendlib.synth import generate_school, generate_trust

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data_samples"
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
AS_OF = dt.date(2026, 3, 6)
SMALL = (120, 300)


@pytest.fixture(scope="module")
def trust_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("trust")
    generate_trust(folder, schools=10, seed=7, pupils=SMALL)
    return folder


def toml(school) -> str:
    return (school.path / "school.toml").read_text()


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


# ------------------------------------------------------------------ sample-trust


def test_generate_trust_is_deterministic(tmp_path):
    a = generate_trust(tmp_path / "a", schools=4, seed=3, pupils=SMALL)
    b = generate_trust(tmp_path / "b", schools=4, seed=3, pupils=SMALL)
    assert [f.name for f in a] == [f.name for f in b]
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    generate_trust(tmp_path / "c", schools=4, seed=4, pupils=SMALL)
    assert files_of(tmp_path / "a") != files_of(tmp_path / "c")


def test_generated_schools_validate_and_vary(trust_dir):
    folders = school_folders(trust_dir)
    assert len(folders) == 10
    schools = [sendlib.load_school(f) for f in folders]  # raises on any problem
    assert {s.config.phase for s in schools} == {"primary", "secondary"}
    assert len({s.config.sendco.send_hours_per_day for s in schools}) >= 3
    assert len({s.config.sendco.working_days for s in schools}) >= 3
    assert [f.name for f in folders] == [s.name.lower().replace(" ", "-") for s in schools]
    rolls = [int(re.search(r"--pupils (\d+)", toml(s)).group(1)) for s in schools]
    assert all(SMALL[0] <= roll <= SMALL[1] for roll in rolls)
    on_time = [
        sendlib.rules.requests.response_summary(sendlib.response_times(s, AS_OF))["on_time_share"][
            0
        ]
        for s in schools
    ]
    assert max(on_time) - min(on_time) > 0.1  # they keep to the duties differently


def test_sample_knobs_keep_the_defaults_byte_identical(tmp_path):
    plain = generate_school(tmp_path / "a", "primary", 200, seed=9)
    knobs = generate_school(
        tmp_path / "b", "primary", 200, seed=9, send_hours=None, working_days=None, diligence=1.0
    )
    assert files_of(plain) == files_of(knobs)
    lax = generate_school(tmp_path / "c", "primary", 200, seed=9, diligence=0.5)
    assert (lax / "pupils.csv").read_bytes() == (plain / "pupils.csv").read_bytes()
    assert (lax / "requests.csv").read_bytes() != (plain / "requests.csv").read_bytes()
    with pytest.raises(ValueError, match="send_hours"):
        generate_school(tmp_path / "d", "primary", 200, send_hours=9.0)


def test_sample_trust_command_writes_the_folders(tmp_path, capsys):
    assert main(["sample-trust", str(tmp_path), "--schools", "3", "--seed", "2"]) == 0
    assert len(school_folders(tmp_path)) == 3
    assert "3 synthetic school folders" in capsys.readouterr().out


# ------------------------------------------------------------------ the overview


def test_overview_suppresses_small_counts_and_shows_no_pupil_ids():
    overview = trust_overview(SAMPLES, AS_OF)
    assert overview.excluded == []
    table = overview.table()
    heads = overview.headlines
    assert table["School"].to_list() == ["Harbourside Primary", "Northgate Academy"]
    # Harbourside: 79 registered (a whole-school total: shown), 2 reviews overdue (hidden).
    harbourside = table.row(0, named=True)
    assert harbourside["Registered pupils"] == "79"
    assert heads["reviews_overdue"][0] < 5 and harbourside["Annual reviews overdue"] == "<5"
    text = " ".join(str(v) for row in table.iter_rows() for v in row)
    for school in overview.group.schools:
        assert not any(pid in text for pid in school.pupils["pupil_id"])


def test_overview_table_hides_shares_of_small_groups():
    heads = pl.DataFrame(
        {
            "name": ["Tiny"],
            "phase": ["primary"],
            "registered": [4],
            "on_time": [3],
            "decided": [4],
            "open_overdue": [1],
            "on_track": [2],
            "never_met": [0],
            "reviews_overdue": [7],
            "utilisation_this_term": [0.8],
            "forecast_utilisation_rest_of_year": [None],
            "suppress_below": [5],
        }
    )
    row = overview_table(heads).row(0, named=True)
    assert row["Requests acknowledged in time"] == "<5"
    assert row["On track for three meetings"] == "<5"
    assert row["Annual reviews overdue"] == "7"
    assert row["SENDCo time used this term"] == "80%"
    assert row["SENDCo time needed, rest of year"] == "-"


def test_report_all_without_school_folders_says_so(tmp_path, capsys):
    (tmp_path / "README.md").write_text("not a school")
    assert report_all(tmp_path, AS_OF, tmp_path / "out") == 1
    assert "no school folders" in capsys.readouterr().err


@pytest.mark.notebook
def test_report_all_renders_nine_reports_and_the_overview_and_names_the_damaged_one(
    trust_dir, tmp_path, capsys
):
    folders = school_folders(trust_dir)
    damaged = folders[3]
    requests = damaged / "requests.csv"
    lines = requests.read_text().splitlines()
    cells = lines[1].split(",")
    cells[4] = "meetng"  # kind
    lines[1] = ",".join(cells)
    requests.write_text("\n".join(lines) + "\n")
    name = sendlib.present.trust.declared_name(damaged)
    out = tmp_path / "out"

    code = main(
        ["report", "--all", str(trust_dir), "--as-of", "2026-03-06", "--out", str(out)]
        + ["--workers", "2"]
    )

    printed = capsys.readouterr()
    assert code == 1
    reports = sorted(out.glob("*/leadership_report.html"))
    assert len(reports) == 9
    assert damaged.name not in {p.parent.name for p in reports}
    assert (out / "trust_overview.html").stat().st_size > 10_000
    summary = printed.out.split("Rendered 9 of 10 school reports")[1]
    failed = summary.split("Failed 1")[1]
    assert name in failed and "requests.csv row 2, kind: 'meetng'" in failed
    assert "school reports" in printed.err  # the progress bar
    overview = (out / "trust_overview.html").read_text()
    assert damaged.name in overview and "meetng" not in overview
