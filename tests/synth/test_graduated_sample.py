"""The samples live the graduated approach (issue 14, point 5): plans, assessments, register.

Checked on the committed samples as of their date (6 March 2026), through the rules'
own functions, and on the raw files for what the rules do not see.
"""

import csv
import datetime as dt
from pathlib import Path

import pytest

from sendlib import load_school, needs_assessments, plan_reviews, pupil_plans
from sendlib.rules.register import register_flows

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 3, 6)
SAMPLES = ("harbourside-primary", "northgate-secondary")


@pytest.fixture(scope="module", params=SAMPLES)
def sample(request):
    return load_school(ROOT / "data_samples" / request.param)


def test_plans_are_reviewed_about_termly_with_successors(sample):
    reviews = plan_reviews(sample, AS_OF)
    # a review date four weeks to two terms after the start: the term's review, or a
    # term on for a plan written late in its term
    spans = (reviews["review_due_on"] - reviews["starts_on"]).dt.total_days()
    assert spans.min() >= 28 and spans.max() <= 190
    assert {"reviewed_on_time", "overdue", "due_soon"} <= set(reviews["status"])
    # most reviews are followed by the next cycle's plan, starting on the review day
    reviewed = reviews.filter(reviews["reviewed_on"].is_not_null())
    starts = set(zip(reviews["pupil_id"], reviews["starts_on"], strict=True))
    followed = sum(
        (p, d) in starts for p, d in zip(reviewed["pupil_id"], reviewed["reviewed_on"], strict=True)
    )
    assert followed / reviewed.height > 0.75


def test_some_pupils_without_a_plan_and_runs_of_no_progress(sample):
    pupils = pupil_plans(sample, AS_OF)
    on_support = pupils.filter(sen_status="K")
    assert 0 < on_support.filter(plan_cover="without_plan").height < on_support.height / 2
    assert pupils["consider_next_step"].sum() >= 1


def test_needs_assessments_follow_the_statutory_timeline(sample):
    found = needs_assessments(sample, AS_OF)
    assert found.height >= 3
    issued = found.filter(found["status"].is_in(["plan_issued_on_time", "plan_issued_late"]))
    assert issued.height >= 1
    # a plan issued is the pupil's EHC plan; an open request is for a pupil on SEN support
    status = dict(zip(sample.pupils["pupil_id"], sample.pupils["sen_status"], strict=True))
    assert {status[p] for p in issued["pupil_id"]} == {"E"}
    open_ = found.filter(found["final_on"].is_null())
    assert {status[p] for p in open_["pupil_id"]} <= {"K"}


def test_register_changes_span_two_school_years(sample):
    flows = register_flows(sample, AS_OF)
    assert {"2024/25", "Autumn 2025", "Spring 2026"} <= set(flows["period"])
    moves = set(zip(flows["from_state"], flows["to_state"], strict=True))
    assert {("off", "M"), ("M", "K"), ("K", "E"), ("K", "off")} <= moves
    folder = ROOT / "data_samples" / sample.slug
    with open(folder / "register_changes.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert all(r["changed_on"] <= AS_OF.isoformat() for r in rows)
