"""EHC needs assessments: DOMAIN.md, "EHC needs assessments (statutory timeline)".

Expected values are worked out by hand in the comments: week periods are calendar days
(6 weeks = 42 days, 20 weeks = 140 days), and the status is the first that applies.
All as of Fri 6 Mar 2026 unless a test says otherwise.
"""

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from conftest import TINY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendlib import load_school, needs_assessments
from sendlib.rules.assessments import ADVICE_STATUSES, ASSESSMENT_STATUSES

D = dt.date
AS_OF = D(2026, 3, 6)
HEADER = (
    "assessment_id,pupil_id,requested_on,requested_by,decision_on,decision,"
    "advice_requested_on,advice_sent_on,final_on,outcome\n"
)
ROWS = {
    # outcome withdrawn comes first, even after a decision to assess.
    "W1": "P1,2025-10-01,parent,2025-11-01,assess,,,,withdrawn",
    # decision refuse: refused.
    "R1": "P2,2025-10-01,school,2025-11-10,refuse,,,,",
    # requested 10 Sep 2025: final_due_on = 10 Sep + 140 days = 28 Jan 2026 (20 days to
    # 30 Sep, 31+30+31 to 31 Dec: 112, + 28). Issued on 28 Jan: on or before, on time.
    "I1": "P1,2025-09-10,school,2025-10-15,assess,,,2026-01-28,plan_issued",
    # issued 29 Jan, a day after final_due_on: late.
    "I2": "P2,2025-09-10,parent,2025-10-15,assess,,,2026-01-29,plan_issued",
    # assessed, the local authority decided not to issue a plan: no_plan.
    "N1": "P4,2025-09-15,school,2025-10-20,assess,,,,no_plan",
    # requested 15 Jan 2026: decision_due_on = 26 Feb, before a, and no decision:
    # decision_overdue.
    "D1": "P5,2026-01-15,parent,,,,,,",
    # requested 23 Jan: decision_due_on = 6 Mar = a, not after it: awaiting_decision.
    "D2": "P1,2026-01-23,school,,,,,,",
    # requested 1 Oct 2025: final_due_on = 1 Oct + 140 = 18 Feb 2026 (30 to 31 Oct,
    # 30+31+31 to 31 Jan: 122, + 18), before a, assessing still: plan_overdue.
    "P1": "P2,2025-10-01,school,2025-11-05,assess,,,,",
    # requested 1 Dec 2025: final_due_on = 20 Apr 2026 (30+31+28+31 = 120 to 31 Mar,
    # + 20), decided to assess: assessing.
    "A1": "P4,2025-12-01,school,2026-01-10,assess,,,,",
    # The decision to refuse comes on 9 Mar, after a: not yet known, so requested 23 Jan,
    # decision due 6 Mar: awaiting_decision.
    "L1": "P5,2026-01-23,parent,2026-03-09,refuse,,,,",
    # The plan is issued on 10 Mar, after a: not yet known; final_due_on 18 Feb: plan_overdue.
    "L2": "P4,2025-10-01,school,2025-11-05,assess,,,2026-03-10,plan_issued",
    # A request made on 9 Mar, after a: "records dated after a are ignored".
    "F1": "P1,2026-03-09,parent,,,,,,",
}


def write_assessments(folder: Path, rows: dict[str, str]) -> None:
    lines = [f"{key},{row}\n" for key, row in rows.items()]
    (folder / "assessments.csv").write_text(HEADER + "".join(lines), encoding="utf-8")


@pytest.fixture
def assessed(school):
    write_assessments(school, ROWS)
    return load_school(school)


def test_each_assessment_status_as_worked_out_from_domain(assessed):
    found = needs_assessments(assessed, AS_OF)
    assert dict(zip(found["assessment_id"], found["status"], strict=True)) == {
        "W1": "withdrawn",
        "R1": "refused",
        "I1": "plan_issued_on_time",
        "I2": "plan_issued_late",
        "N1": "no_plan",
        "D1": "decision_overdue",
        "D2": "awaiting_decision",
        "P1": "plan_overdue",
        "A1": "assessing",
        "L1": "awaiting_decision",
        "L2": "plan_overdue",
    }


def test_deadlines_are_calendar_weeks_from_the_request(assessed):
    a1 = {r["assessment_id"]: r for r in needs_assessments(assessed, AS_OF).iter_rows(named=True)}[
        "A1"
    ]
    # requested 1 Dec 2025: decision by 1 Dec + 42 = 12 Jan 2026; final by 20 Apr 2026;
    # 1 Dec to 6 Mar is 31 + 31 + 28 + 5 = 95 days: 13 whole weeks.
    assert (a1["decision_due_on"], a1["final_due_on"], a1["weeks_since_request"]) == (
        D(2026, 1, 12),
        D(2026, 4, 20),
        13,
    )


def test_records_after_as_of_are_not_yet_known(assessed):
    rows = {r["assessment_id"]: r for r in needs_assessments(assessed, AS_OF).iter_rows(named=True)}
    assert (rows["L1"]["decision_on"], rows["L1"]["decision"]) == (None, None)
    assert (rows["L2"]["final_on"], rows["L2"]["outcome"]) == (None, None)
    # On 10 Mar both are known: refused; issued 10 Mar, after 18 Feb: late.
    later = needs_assessments(assessed, D(2026, 3, 10))
    assert dict(zip(later["assessment_id"], later["status"], strict=True))["L1"] == "refused"
    assert dict(zip(later["assessment_id"], later["status"], strict=True))["L2"] == (
        "plan_issued_late"
    )


#: The school's own advice, as of 6 Mar 2026; advice_due_on = advice_requested_on + 42.
ADVICE = {
    # never asked: not_requested.
    "V1": "P1,2025-12-01,school,2026-01-02,assess,,,,",
    # asked 5 Jan, due 16 Feb, sent 16 Feb: on_time.
    "V2": "P2,2025-12-01,school,2026-01-02,assess,2026-01-05,2026-02-16,,",
    # sent 17 Feb, a day late: late.
    "V3": "P4,2025-12-01,school,2026-01-02,assess,2026-01-05,2026-02-17,,",
    # not sent, due 16 Feb before a: overdue.
    "V4": "P5,2025-12-01,school,2026-01-02,assess,2026-01-05,,,",
    # asked 20 Feb, due 3 Apr: awaited.
    "V5": "P1,2026-01-20,parent,2026-02-19,assess,2026-02-20,,,",
    # asked 9 Mar, after a: not yet asked, not_requested.
    "V6": "P2,2026-01-20,parent,2026-02-19,assess,2026-03-09,,,",
    # asked 5 Jan, sent 9 Mar (after a): not sent yet and due 16 Feb: overdue.
    "V7": "P4,2025-12-01,school,2026-01-02,assess,2026-01-05,2026-03-09,,",
}


def test_each_advice_status_as_worked_out_from_domain(school):
    write_assessments(school, ADVICE)
    found = needs_assessments(load_school(school), AS_OF)
    assert dict(zip(found["assessment_id"], found["advice_status"], strict=True)) == {
        "V1": "not_requested",
        "V2": "on_time",
        "V3": "late",
        "V4": "overdue",
        "V5": "awaited",
        "V6": "not_requested",
        "V7": "overdue",
    }
    due = dict(zip(found["assessment_id"], found["advice_due_on"], strict=True))
    assert (due["V1"], due["V2"], due["V5"]) == (None, D(2026, 2, 16), D(2026, 4, 3))


def test_a_school_without_assessments_csv_has_none():
    found = needs_assessments(load_school(TINY), AS_OF)
    assert found.height == 0
    assert found.columns[:9] == [
        "assessment_id", "pupil_id", "requested_on", "decision_due_on", "advice_due_on",
        "advice_status", "final_due_on", "weeks_since_request", "status",
    ]  # fmt: skip


# --- properties -------------------------------------------------------------------------

BASE = load_school(TINY)
START = D(2025, 8, 1)
_offset = st.none() | st.integers(0, 250)


def _after(day: dt.date | None, offset: int | None) -> dt.date | None:
    return None if day is None or offset is None else day + dt.timedelta(days=offset)


@st.composite
def assessments_and_as_of(draw):
    """Assessments as recorded on an as-of date, and the same with later events added.

    Each later event lies after as_of and fills a cell that was empty on as_of, as the
    record would grow: a decision, an advice request or the advice, the final plan.
    """
    as_of = START + dt.timedelta(days=draw(st.integers(0, 350)))
    now, grown = [], []
    for number in range(draw(st.integers(0, 6))):
        requested = as_of - dt.timedelta(days=draw(st.integers(0, 300)))
        record = {
            "assessment_id": f"Q{number}",
            "pupil_id": "P1",
            "requested_on": requested,
            "requested_by": "school",
            "decision_on": _after(requested, draw(_offset)),
            "decision": draw(st.sampled_from(["assess", "refuse"])),
            "advice_requested_on": _after(requested, draw(_offset)),
            "advice_sent_on": None,
            "final_on": _after(requested, draw(_offset)),
            "outcome": draw(st.sampled_from([None, "no_plan", "withdrawn"])),
        }
        record["advice_sent_on"] = _after(record["advice_requested_on"], draw(_offset))
        if record["decision_on"] is None:
            record["decision"] = None
        if record["final_on"] is not None:
            record["outcome"] = "plan_issued"
        later = dict(record)
        for key, value in record.items():
            if key.endswith("_on") and key != "requested_on" and value is not None:
                if value > as_of:  # what is known on as_of: no later date yet
                    record[key] = None
        if record["decision_on"] is None:
            record["decision"] = None
        if record["final_on"] is None and record["outcome"] == "plan_issued":
            record["outcome"] = None
        if record["decision_on"] is None and record["outcome"] == "no_plan":
            record["outcome"] = None
        now.append(record)
        grown.append(later)
    schema = BASE.assessments.schema
    return pl.DataFrame(now, schema=schema), pl.DataFrame(grown, schema=schema), as_of


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assessments_and_as_of())
def test_one_status_each_and_later_events_change_nothing(drawn):
    now, grown, as_of = drawn
    found = needs_assessments(dataclasses.replace(BASE, assessments=now), as_of)
    assert found.height == now.height
    assert set(found["status"]) <= set(ASSESSMENT_STATUSES)
    assert set(found["advice_status"]) <= set(ADVICE_STATUSES)
    assert found["status"].null_count() == found["advice_status"].null_count() == 0
    assert found.equals(needs_assessments(dataclasses.replace(BASE, assessments=grown), as_of))
