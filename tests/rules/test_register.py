"""The register over time: flows term by term and the January census snapshot.

Every expected value is worked out by hand from the rules in sendlib.rules.register on a
copy of the tiny school (tests/fixtures/tiny/school.toml): terms Autumn 3 Sep - 19 Dec
2025, Spring 5 Jan - 27 Mar 2026, Summer 13 Apr - 21 Jul 2026; the calendar covers
1 Aug 2025 on. Its pupils: P1 K (SLCN), P2 K (SEMH), P3 E (ASD), P4 K (MLD) registered
10 Nov 2025, P5 M; P8 (M, SPLD) is added here.
"""

import datetime as dt

import pytest
from conftest import edit

from sendlib import load_school
from sendlib.rules.register import census_day, census_day_of, census_snapshot, register_flows

D = dt.date

CHANGES = (
    "pupil_id,changed_on,from_status,to_status,reason\n"
    # before the calendar (1 Aug 2025): counted in its school year, 2024/25
    "P5,2025-06-10,,M,new concern\n"
    # in the summer holiday the calendar covers: counted in the next term, Autumn 2025
    "P1,2025-08-20,M,K,placed on SEN support\n"
    # P6 left the school and is gone from pupils.csv: allowed, their last change is left
    "P6,2025-10-01,K,left,moved school\n"
    "P4,2025-11-10,,K,placed on SEN support\n"
    "P3,2025-12-01,K,E,EHC plan issued\n"
    # after the census day (15 Jan 2026)
    "P8,2026-02-02,K,M,enough progress: monitored\n"
    "P7,2026-02-10,K,left,moved school\n"
)


@pytest.fixture
def register_school(school):
    (school / "register_changes.csv").write_text(CHANGES, encoding="utf-8")
    edit(school, "pupils.csv", "P5,5,M,,T2,,,F,false\n", "P5,5,M,,T2,,,F,false\n"
         "P8,1,M,SPLD,T1,2026-02-02,,F,false\n")  # fmt: skip
    return load_school(school)


def test_census_day_is_the_third_thursday_of_january():
    # 1 Jan 2026 is a Thursday: Thursdays 1, 8, 15; 1 Jan 2025 a Wednesday: 2, 9, 16;
    # 1 Jan 2024 a Monday: 4, 11, 18 (the published spring census days).
    assert census_day(2026) == D(2026, 1, 15)
    assert census_day(2025) == D(2025, 1, 16)
    assert census_day(2024) == D(2024, 1, 18)
    assert census_day_of(D(2026, 1, 15)) == D(2026, 1, 15)
    assert census_day_of(D(2026, 1, 14)) == D(2025, 1, 16)


def test_flows_term_by_term(register_school):
    flows = register_flows(register_school, D(2026, 3, 6))
    rows = [
        (r["period"], r["from_state"], r["to_state"], r["changes"])
        for r in flows.iter_rows(named=True)
    ]
    assert rows == [
        ("2024/25", "off", "M", 1),  # P5, before the calendar
        ("Autumn 2025", "M", "K", 1),  # P1, in the holiday before the term
        ("Autumn 2025", "K", "E", 1),  # P3
        ("Autumn 2025", "K", "off", 1),  # P6 left
        ("Autumn 2025", "off", "K", 1),  # P4, on no list before
        ("Spring 2026", "K", "M", 1),  # P8
        ("Spring 2026", "K", "off", 1),  # P7 left
    ]
    # as of 5 Feb 2026, P7's change on 10 Feb has not happened yet
    later = register_flows(register_school, D(2026, 2, 5))
    assert later.filter(period="Spring 2026")["to_state"].to_list() == ["M"]


def test_census_snapshot_by_need_and_status(register_school):
    census = census_snapshot(register_school, D(2026, 3, 6))
    # On 15 Jan 2026: P1 K (M->K in Aug), P2 K (no change, registered 2024), P3 E
    # (K->E in Dec), P4 K (placed 10 Nov), P8 K (moved to M only on 2 Feb), P7 K (left
    # on 10 Feb, gone from pupils.csv: need not recorded); P5 is monitored, P6 had left.
    assert census["census_on"].unique().to_list() == [D(2026, 1, 15)]
    rows = [(r["primary_need"], r["K"], r["E"], r["all"]) for r in census.iter_rows(named=True)]
    assert rows == [
        ("SPLD", 1, 0, 1),
        ("MLD", 1, 0, 1),
        ("SEMH", 1, 0, 1),
        ("SLCN", 1, 0, 1),
        ("ASD", 0, 1, 1),
        ("not recorded", 1, 0, 1),
    ]


def test_census_before_this_januarys_is_last_years(register_school):
    census = census_snapshot(register_school, D(2026, 1, 14))
    # On 16 Jan 2025 each pupil's status is the from_status of their first later change:
    # P1 M (not counted), P3 K, P4 and P5 on no list, P6, P7 and P8 K; P2 unchanged, K.
    rows = [(r["primary_need"], r["K"], r["E"]) for r in census.iter_rows(named=True)]
    assert census["census_on"][0] == D(2025, 1, 16)
    assert rows == [("SPLD", 1, 0), ("SEMH", 1, 0), ("ASD", 1, 0), ("not recorded", 2, 0)]


def test_without_register_changes_the_census_is_pupils_csv(school):
    census = census_snapshot(load_school(school), D(2026, 3, 6))
    # P1, P2 (K, registered 2024), P3 (E); P4 registered 10 Nov 2025, after 16 Jan 2025
    # but before 15 Jan 2026: counted; P5 monitored.
    rows = [(r["primary_need"], r["K"], r["E"]) for r in census.iter_rows(named=True)]
    assert rows == [("MLD", 1, 0), ("SEMH", 1, 0), ("SLCN", 1, 0), ("ASD", 0, 1)]
    assert register_flows(load_school(school), D(2026, 3, 6)).is_empty()
