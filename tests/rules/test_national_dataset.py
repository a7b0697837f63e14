"""The national benchmark's generator at five schools: valid school folders, same seed same data.

benchmarks/national_dataset.py draws every table for a batch of schools at once; these
tests check what the benchmark relies on, not timings: each school's rows, written out
as a school folder, pass :func:`sendlib.load_school`'s validation; the lazily scanned group
gives the same figures as the loaded schools; the proportions are the national ones.
"""

import datetime as dt
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sendlib.rules.frame import POSITION, SchoolGroup
from sendlib.rules.overview import group_figures
from sendlib.school.load import load_school

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import national_dataset  # noqa: E402

AS_OF = dt.date(2026, 7, 3)
SCHOOLS = 5
TABLES = ("schools", *national_dataset.TABLES)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national")
    national_dataset.generate_national(out, schools=SCHOOLS, seed=7)
    return out


def table(dataset: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(sorted((dataset / name).glob("part-*.parquet")))


def school_folder(dataset: Path, position: int, parent: Path) -> Path:
    """One school's rows of the dataset as a school folder (school.toml and five tables)."""
    school = table(dataset, "schools").row(position, named=True)
    folder = parent / school["slug"]
    folder.mkdir()
    (folder / "school.toml").write_text(school["toml"], "utf-8")
    for name in national_dataset.TABLES:
        own = table(dataset, name).filter(pl.col(POSITION) == position).drop(POSITION)
        own.write_parquet(folder / f"{name}.parquet")
    return folder


@pytest.fixture(scope="module")
def loaded(dataset, tmp_path_factory):
    parent = tmp_path_factory.mktemp("folders")
    return [load_school(school_folder(dataset, i, parent)) for i in range(SCHOOLS)]


def test_every_school_is_a_valid_school_folder(loaded):
    # load_school is strict: any problem in any table would raise DataValidationError.
    assert [s.slug for s in loaded] == [f"school-{i:05d}" for i in range(1, SCHOOLS + 1)]
    assert all(s.rejects.is_empty() for s in loaded)


def test_national_proportions(dataset):
    # National proportions: 1.7 million registered pupils over 20,000 schools (85 a
    # school on average, sizes log-normal, at least 3), four requests and three meetings
    # a registered pupil, 30% more pupils monitored (not registered), one plan each.
    sizes = national_dataset.school_sizes(SCHOOLS, 7)
    assert sizes.sum() == 425 and sizes.min() >= 3
    pupils = table(dataset, "pupils")
    registered = pupils.filter(pl.col("sen_status") != "M").group_by(POSITION).len()
    assert registered.sort(POSITION)["len"].to_list() == sizes.tolist()
    assert table(dataset, "requests").height == 4 * 425
    assert table(dataset, "meetings").height == 3 * 425
    assert table(dataset, "plans").height == 425


def test_scanned_group_gives_the_loaded_schools_figures(dataset, loaded):
    scanned = group_figures(SchoolGroup.scan(dataset), AS_OF, engine="streaming")
    in_memory = group_figures(SchoolGroup.scan(dataset, lazy=False), AS_OF)
    from_folders = group_figures(SchoolGroup.of(loaded), AS_OF)
    assert_frame_equal(scanned.headlines, from_folders.headlines)
    assert_frame_equal(in_memory.headlines, from_folders.headlines)
    assert_frame_equal(
        scanned.times.sort("school", "request_id"), from_folders.times.sort("school", "request_id")
    )
    # Every registered pupil counts for the three-meeting duty (all registered by as_of).
    assert scanned.headlines["registered"].sum() == 425


def test_same_seed_same_tables_other_seed_other_tables(dataset, tmp_path):
    national_dataset.generate_national(tmp_path / "again", schools=SCHOOLS, seed=7)
    national_dataset.generate_national(tmp_path / "other", schools=SCHOOLS, seed=8)
    for name in TABLES:
        assert_frame_equal(table(tmp_path / "again", name), table(dataset, name))
    assert not table(tmp_path / "other", "requests").equals(table(dataset, "requests"))
