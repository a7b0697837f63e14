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
    # term on for a plan written late in its term (or at an early autumn review: 13
    # September 2024 to the spring review, 193 days, in the primary's 2024/25)
    spans = (reviews["review_due_on"] - reviews["starts_on"]).dt.total_days()
    assert spans.min() >= 28 and spans.max() <= 200
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
    # school.toml holds both school years, so 2024/25's flows come term by term too
    terms = {"Autumn 2024", "Spring 2025", "Summer 2025", "Autumn 2025", "Spring 2026"}
    assert terms <= set(flows["period"])
    moves = set(zip(flows["from_state"], flows["to_state"], strict=True))
    assert {("off", "M"), ("M", "K"), ("K", "E"), ("K", "off")} <= moves
    folder = ROOT / "data_samples" / sample.slug
    with open(folder / "register_changes.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert all(r["changed_on"] <= AS_OF.isoformat() for r in rows)


def test_monitored_pupils_of_long_standing(sample):
    # DOMAIN.md "Plans and the graduated approach": monitored_long after more than
    # monitor_max_terms (2) whole terms; a concern recorded by 6 January 2025 has Spring
    # and Summer 2025 and Autumn 2025 behind it on 6 March 2026: three.
    pupils = pupil_plans(sample, AS_OF).filter(sen_status="M")
    long = pupils.filter(monitored_long=True)
    assert 0.05 <= long.height / pupils.height <= 0.35
    registered = dict(zip(sample.pupils["pupil_id"], sample.pupils["registered_on"], strict=True))
    assert all(registered[p] <= dt.date(2025, 1, 6) for p in long["pupil_id"])
    assert (long["whole_terms_monitored"] >= 3).all()


def _rows(sample, table):
    with open(ROOT / "data_samples" / sample.slug / f"{table}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_previous_school_year_has_a_whole_year_of_records(sample):
    # A held meeting of a counting kind in Spring 2025, the same term last year, for most
    # pupils on the register then (registered before that term), as in Spring 2026.
    pupils = {p["pupil_id"]: p for p in _rows(sample, "pupils")}
    spring = ("2025-01-06", "2025-04-04")
    met = {
        m["pupil_id"]
        for m in _rows(sample, "meetings")
        if m["status"] == "held"
        and m["kind"] in ("review", "annual_review", "concern")
        and spring[0] <= m["starts_at"][:10] <= spring[1]
    }
    first = "R" if sample.config.phase == "primary" else "7"
    then = [
        p
        for p in pupils.values()
        if p["sen_status"] in ("K", "E")
        and p["registered_on"] < spring[0]
        and p["year_group"] != first
    ]
    assert len(met & {p["pupil_id"] for p in then}) / len(then) > 0.7
    # Nobody in this year's first year group was at the school in 2024/25.
    last_year = [
        r["pupil_id"]
        for table, day in (("meetings", "starts_at"), ("requests", "received_on"))
        for r in _rows(sample, table)
        if r[day][:10] < "2025-08-01"
    ]
    assert last_year and not any(pupils[p]["year_group"] == first for p in last_year)
    # Requests in each year: a whole year in 2024/25 and six months of 2025/26.
    received = [r["received_on"] for r in _rows(sample, "requests")]
    assert sum(d < "2025-08-01" for d in received) > sum(d >= "2025-08-01" for d in received)


def test_last_years_annual_reviews_are_records(sample):
    # Each EHC plan reviewed in 2024/25 and not yet this year has its 2024/25 meeting,
    # held on last_annual_review_on, on a SENDCo day, and the plan it reviewed; except
    # for pupils who joined this year (Reception, Year 7), reviewed before they came.
    meetings = [m for m in _rows(sample, "meetings") if m["kind"] == "annual_review"]
    held = {(m["pupil_id"], m["starts_at"][:10]) for m in meetings if m["status"] == "held"}
    reviewed = {(p["pupil_id"], p["reviewed_on"]) for p in _rows(sample, "plans")}
    first = "R" if sample.config.phase == "primary" else "7"
    last = [
        (p["pupil_id"], p["last_annual_review_on"])
        for p in _rows(sample, "pupils")
        if p["sen_status"] == "E"
        and "2024-09-01" <= p["last_annual_review_on"] < "2025-08-01"
        and p["year_group"] != first
    ]
    assert last and set(last) <= held
    # most with the plan it reviewed (not when the plan is older than the register entry)
    assert len(set(last) & reviewed) > 0.5 * len(last)
    for _, day in held:
        assert sample.calendar.is_sendco_day(dt.date.fromisoformat(day))
