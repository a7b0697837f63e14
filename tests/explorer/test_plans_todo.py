"""The graduated approach's to-do lists and timeline, worked by hand on the tiny school.

Tiny school (tests/fixtures/tiny) as of Fri 6 Mar 2026; plans.csv: L1 (P1) reviewed
10 Dec 2025, L2 (P2) due 12 Dec 2025 and not reviewed, L3 an EHC plan (left out). An
assessments.csv is added here. DOMAIN.md, "Plans and the graduated approach" and "EHC
needs assessments"; plan_within_school_days is 20 by default.
"""

import datetime as dt

import pytest

from sendlib import load_school
from sendlib.explorer.plans_todo import (
    advice_to_send,
    assessments_to_chase,
    plan_reviews_due,
    plans_to_write,
)
from sendlib.explorer.queries import caseload
from sendlib.explorer.timeline import pupil_timeline
from sendlib.explorer.views import plans_todo_html

D = dt.date
AS_OF = D(2026, 3, 6)
ASSESSMENTS = (
    "assessment_id,pupil_id,requested_on,requested_by,decision_on,decision,"
    "advice_requested_on,advice_sent_on,final_on,outcome\n"
    # advice asked 21 Oct, due 2 Dec, not sent: overdue; final due 19 Jan 2026: plan_overdue
    "A1,P2,2025-09-01,school,2025-10-20,assess,2025-10-21,,,\n"
    # no decision, due 16 Feb 2026 (+42 days): decision_overdue
    "A2,P4,2026-01-05,parent,,,,,,\n"
    # advice asked 2 Mar, due 13 Apr: awaited; final due 10 Jul: assessing
    "A3,P1,2026-02-20,school,2026-02-27,assess,2026-03-02,,,\n"
)


@pytest.fixture
def cases(school):
    (school / "assessments.csv").write_text(ASSESSMENTS, encoding="utf-8")
    return caseload(load_school(school), AS_OF)


def test_plans_to_write_longest_waiting_first(cases):
    found = plans_to_write(cases, cases.pupils)
    # P5 (monitored, no registered_on) waits from the calendar's first day, 1 Aug 2025:
    # its 20th school day is Tue 30 Sep. P4 (registered Mon 10 Nov): Mon 8 Dec. P1 (last
    # review Wed 10 Dec): 7 school days to 19 Dec, then 13 from 5 Jan: Wed 21 Jan. P2 has
    # L2 current, so no plan to write.
    rows = [(r["pupil_id"], r["due_by"], r["overdue"]) for r in found.iter_rows(named=True)]
    assert rows == [
        ("P5", D(2025, 9, 30), True),
        ("P4", D(2025, 12, 8), True),
        ("P1", D(2026, 1, 21), True),
    ]


def test_plan_reviews_due_and_assessment_lists(cases):
    assert plan_reviews_due(cases, cases.pupils)["plan_id"].to_list() == ["L2"]
    advice = advice_to_send(cases, cases.pupils)
    assert list(zip(advice["assessment_id"], advice["overdue"], strict=True)) == [
        ("A1", True),
        ("A3", False),
    ]
    chase = assessments_to_chase(cases, cases.pupils)
    rows = [(r["assessment_id"], r["status"], r["due_on"], r["weeks_since_request"])
            for r in chase.iter_rows(named=True)]  # fmt: skip
    # A1: 186 days since 1 Sep = 26 whole weeks; A2: 60 days since 5 Jan = 8 weeks
    assert rows == [
        ("A1", "plan_overdue", D(2026, 1, 19), 26),
        ("A2", "decision_overdue", D(2026, 2, 16), 8),
    ]
    # the filters apply: only P4 shown leaves only A2
    only_p4 = cases.pupils.filter(pupil_id="P4")
    assert assessments_to_chase(cases, only_p4)["assessment_id"].to_list() == ["A2"]


def test_the_view_lists_all_four_and_the_timeline_shows_the_assessment(cases):
    html = plans_todo_html(cases, cases.pupils)
    for title in ("Plans to write", "Plan reviews due", "Advice to send", "Assessments to chase"):
        assert title in html
    assert "A1" in html and "A2" in html
    events = pupil_timeline(cases, "P2")["event"].to_list()
    assert "EHC needs assessment requested" in events
    assert "Local authority decision" in events and "School's advice requested" in events
