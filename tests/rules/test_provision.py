"""Provision costs, the year projection, above_notional and impact: DOMAIN.md, "Provision".

Expected values are worked out by hand in the comments, on the tiny school's calendar
(tests/fixtures/tiny/school.toml): autumn term 3 Sep to 19 Dec 2025 with the October half
term (27-31 Oct) and an INSET day (Mon 3 Nov); spring 5 Jan to 27 Mar 2026 with the
February half term; summer 13 Apr to 21 Jul 2026 with the May half term and the Early May
bank holiday (Mon 4 May). The year has 193 school days: 112 from 3 Sep to Fri 6 Mar 2026,
40 from 5 Jan to 6 Mar, 121 from 5 Jan to 21 Jul. All as of Fri 6 Mar 2026 unless a test
says otherwise.
"""

import datetime as dt
from pathlib import Path

import pytest

from sendlib import intervention_impact, load_school, provision_costs, pupil_provision

D = dt.date
AS_OF = D(2026, 3, 6)
INTERVENTIONS = """\
intervention_id,name,kind,staff_role,hourly_cost,group_size,sessions_per_week,minutes_per_session,annual_cost,higher_is_better
RD,Reading catch-up,small_group,teaching assistant,18.00,3,3,30,,
TA,One-to-one support,one_to_one,teaching assistant,27.50,1,5,60,,
EP,Educational psychologist,external_specialist,educational psychologist,120,1,1,60,,
SW,Reading software,resource,,,,,,600,
SS,Social skills group,small_group,teaching assistant,18,4,2,45,,false
"""
PROVISIONS = {
    # Mon 20 Oct to Fri 7 Nov 2025: 20-24 Oct (5), half term (0), INSET Mon 3 Nov (0),
    # 4-7 Nov (4) = 9 school days. Sessions 3 x 9 / 5 = 5.4; hours 5.4 x 30 / 60 = 2.7;
    # cost 2.7 x 18 / 3 = 16.20. Reading age 80 -> 86 months: +6, progress.
    "V1": "P1,RD,2025-10-20,2025-11-07,80,86,reading age (months)",
    # The same dates and cost; 90 -> 88: -2, no progress.
    "V2": "P2,RD,2025-10-20,2025-11-07,90,88,reading age (months)",
    # One-to-one since the first day, running: 112 days to 6 Mar; 5 x 112 / 5 = 112
    # sessions of an hour, cost 112 x 27.50 = 3,080; projected 193 x 27.50 = 5,307.50.
    "V3": "P2,TA,2025-09-03,,,,",
    # The EP: 5 Jan to Fri 13 Feb = 20 + 10 = 30 days x 0.2 h x 120 = 720.
    # P2 (SEN support) projects 16.20 + 5,307.50 + 720 = 6,043.70 > 6,000: above_notional.
    "V4": "P2,EP,2026-01-05,2026-02-13,,,",
    # P3 (EHC plan) from 1 Sep (a holiday: counted from 3 Sep), the same 5,307.50 + 720
    # = 6,027.50 > 6,000, but not on SEN support: not above_notional.
    "V5": "P3,TA,2025-09-01,,,,",
    "V6": "P3,EP,2026-01-05,2026-02-13,,,",
    # P4 one-to-one from 5 Jan: 40 days, 40 hours, 1,100; projected 121 x 27.50 = 3,327.50.
    "V7": "P4,TA,2026-01-05,,,,",
    # Reading software (600 a year) shared pro rata to school days this year: P1 112 days,
    # P4 40 days: P1 600 x 112 / 152, P4 600 x 40 / 152. Projected: 193 and 121 days.
    "V8": "P1,SW,2025-09-03,,,,",
    "V9": "P4,SW,2026-01-05,,,,",
    # Social skills, a difficulties score (lower is better): 10 Nov to 19 Dec = 30 days;
    # sessions 2 x 30 / 5 = 12; hours 12 x 45 / 60 = 9; cost 9 x 18 / 4 = 40.50.
    # P1 20 -> 14: impact +6, progress. P4 15 -> 17: impact -2.
    "V10": "P1,SS,2025-11-10,2025-12-19,20,14,SDQ total difficulties",
    "V11": "P4,SS,2025-11-10,2025-12-19,15,17,SDQ total difficulties",
    # Starts after 6 Mar: not yet delivered, left out.
    "V12": "P1,RD,2026-03-09,,,,",
}
HEADER = (
    "provision_id,pupil_id,intervention_id,starts_on,ends_on,entry_measure,exit_measure,"
    "measure_name\n"
)


def write_provision(folder: Path, rows: dict[str, str] = PROVISIONS) -> None:
    """Write the two provision tables into a copy of the tiny school."""
    (folder / "interventions.csv").write_text(INTERVENTIONS, encoding="utf-8")
    lines = "".join(f"{key},{row}\n" for key, row in rows.items())
    (folder / "provisions.csv").write_text(HEADER + lines, encoding="utf-8")


@pytest.fixture
def costed(school):
    """The tiny school with the provision above, loaded."""
    write_provision(school)
    return load_school(school)


def by_id(frame, key: str) -> dict[str, dict]:
    """Rows of ``frame`` by their ``key`` column."""
    return {row[key]: row for row in frame.iter_rows(named=True)}


def test_days_across_a_half_term_and_an_inset_day(costed):
    rows = by_id(provision_costs(costed, AS_OF), "provision_id")
    assert rows["V1"]["days_delivered"] == 9
    assert rows["V1"]["sessions"] == pytest.approx(5.4)
    assert rows["V1"]["hours"] == pytest.approx(2.7)
    assert rows["V1"]["cost"] == pytest.approx(16.20)
    assert rows["V1"]["running"] is False
    assert "V12" not in rows


def test_days_across_a_bank_holiday(school):
    # Thu 30 Apr to Fri 8 May 2026: 30 Apr, 1 May (2), Early May bank holiday Mon 4 May,
    # 5-8 May (4) = 6 days; sessions 3 x 6 / 5 = 3.6; hours 1.8; cost 1.8 x 18 / 3 = 10.80.
    write_provision(school, {"B1": "P1,RD,2026-04-30,2026-05-08,,,"})
    row = provision_costs(load_school(school), D(2026, 6, 1)).row(0, named=True)
    assert (row["days_delivered"], row["sessions"]) == (6, pytest.approx(3.6))
    assert row["cost"] == pytest.approx(10.80)


def test_delivery_stops_at_as_of_and_a_running_provision_is_running(costed):
    rows = by_id(provision_costs(costed, AS_OF), "provision_id")
    assert rows["V3"]["days_delivered"] == 112 and rows["V3"]["running"] is True
    assert rows["V3"]["hours"] == pytest.approx(112.0)
    # Starting on 1 Sep, a holiday before the first term: counted from 3 Sep.
    assert rows["V5"]["days_delivered"] == 112
    assert rows["V7"]["cost"] == pytest.approx(1100.0)


def test_cost_with_group_sizes(costed):
    rows = by_id(provision_costs(costed, AS_OF), "provision_id")
    # Group of 3 at 18 an hour: 6 a pupil-hour; group of 4 at 18: 4.50; one-to-one: 27.50.
    assert rows["V1"]["cost"] / rows["V1"]["hours"] == pytest.approx(6.0)
    assert rows["V10"]["cost"] == pytest.approx(40.50)
    assert rows["V10"]["hours"] == pytest.approx(9.0)
    assert rows["V4"]["cost"] == pytest.approx(720.0)


def test_a_resource_is_shared_pro_rata_to_school_days(costed):
    rows = by_id(provision_costs(costed, AS_OF), "provision_id")
    assert rows["V8"]["days_this_year"] == 112 and rows["V9"]["days_this_year"] == 40
    assert rows["V8"]["cost_this_year"] == pytest.approx(600 * 112 / 152)
    assert rows["V9"]["cost_this_year"] == pytest.approx(600 * 40 / 152)
    assert rows["V8"]["hours"] is None
    assert rows["V8"]["projected_cost"] == pytest.approx(600 * 193 / 314)
    assert rows["V9"]["projected_cost"] == pytest.approx(600 * 121 / 314)


def test_the_year_projection(costed):
    rows = by_id(provision_costs(costed, AS_OF), "provision_id")
    assert rows["V3"]["projected_days"] == 193
    assert rows["V3"]["projected_cost"] == pytest.approx(5307.50)
    assert rows["V7"]["projected_days"] == 121
    assert rows["V7"]["projected_cost"] == pytest.approx(3327.50)
    # An ended provision projects what it delivered.
    assert rows["V1"]["projected_cost"] == pytest.approx(16.20)


def test_pupil_totals_and_above_notional(costed):
    pupils = by_id(pupil_provision(costed, AS_OF), "pupil_id")
    assert pupils["P2"]["projected_cost"] == pytest.approx(16.20 + 5307.50 + 720)
    assert pupils["P2"]["above_notional"] is True
    assert pupils["P3"]["projected_cost"] == pytest.approx(5307.50 + 720)
    assert pupils["P3"]["above_notional"] is False  # an EHC plan, not SEN support
    assert pupils["P4"]["above_notional"] is False
    # P1: reading 16.20 + software 600 x 112 / 152 + social skills 40.50 so far;
    # hours 2.7 + 9 (the software has none).
    assert pupils["P1"]["interventions"] == 3
    assert pupils["P1"]["cost_this_year"] == pytest.approx(16.20 + 600 * 112 / 152 + 40.50)
    assert pupils["P1"]["hours_this_year"] == pytest.approx(11.7)


def test_the_threshold_is_a_policy(school):
    write_provision(school)
    with (school / "school.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[policy]\nnotional_threshold = 7000\n")
    pupils = by_id(pupil_provision(load_school(school), AS_OF), "pupil_id")
    assert pupils["P2"]["above_notional"] is False


def test_impact_per_intervention(costed):
    rows = by_id(intervention_impact(costed, AS_OF), "intervention_id")
    reading = rows["RD"]
    # +6 and -2: one of two with progress, median change 2; cost 2 x 16.20 for one pupil.
    assert (reading["pupils"], reading["measured"], reading["with_progress"]) == (2, 2, 1)
    assert reading["share_with_progress"] == pytest.approx(0.5)
    assert reading["median_change"] == pytest.approx(2.0)
    assert reading["cost_per_pupil_with_progress"] == pytest.approx(32.40)
    # Nothing measured: no share, no cost per pupil with progress.
    assert rows["TA"]["measured"] == 0 and rows["TA"]["share_with_progress"] is None
    assert rows["TA"]["cost_per_pupil_with_progress"] is None


def test_impact_turns_the_sign_when_lower_is_better(costed):
    social = by_id(intervention_impact(costed, AS_OF), "intervention_id")["SS"]
    # P1 20 -> 14 is +6 (fewer difficulties), P4 15 -> 17 is -2: median 2, one with progress.
    assert social["with_progress"] == 1
    assert social["median_change"] == pytest.approx(2.0)
    assert social["cost_per_pupil_with_progress"] == pytest.approx(81.0)


def test_a_school_without_provision_tables_has_none(school):
    loaded = load_school(school)
    assert loaded.interventions.is_empty() and loaded.provisions.is_empty()
    assert provision_costs(loaded, AS_OF).is_empty()
    assert pupil_provision(loaded, AS_OF).is_empty()
    assert intervention_impact(loaded, AS_OF).is_empty()
