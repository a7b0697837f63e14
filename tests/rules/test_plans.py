"""Plan reviews and pupils' plan cover: DOMAIN.md, "Plans and the graduated approach".

Every expected value is worked out by hand in the comments from DOMAIN.md's rules on a
copy of the tiny school (tests/fixtures/tiny/school.toml): terms Autumn 3 Sep - 19 Dec
2025, Spring 5 Jan - 27 Mar 2026, Summer 13 Apr - 21 Jul 2026; October half term
27-31 Oct 2025 and an INSET day on Mon 3 Nov 2025; the calendar covers 1 Aug 2025 on.
"""

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from conftest import TERMS_2024_25, TINY, edit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendlib import load_school, plan_reviews, pupil_plans
from sendlib.rules.plans import PLAN_COVERS, PLAN_STATUSES, is_ehc_plan

D = dt.date
PLANS_HEADER = "plan_id,pupil_id,plan_type,starts_on,review_due_on,reviewed_on,outcome\n"


def write(folder: Path, file: str, text: str) -> None:
    (folder / file).write_text(text, encoding="utf-8")


def add_pupils(folder: Path, *lines: str) -> None:
    with (folder / "pupils.csv").open("a", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))


def by_id(frame: pl.DataFrame, key: str) -> dict[str, dict]:
    return {row[key]: row for row in frame.iter_rows(named=True)}


# --- plan_reviews -----------------------------------------------------------------------

#: As of Wed 19 Nov 2025; DOMAIN: "Plan review status (one per plan that started by a)".
REVIEW_PLANS = (
    PLANS_HEADER
    # reviewed by a, on review_due_on itself ("on or before review_due_on"): reviewed_on_time
    + "A1,P1,SEN Support Plan,2025-09-08,2025-11-14,2025-11-14,progress\n"
    # reviewed by a, five days after review_due_on: reviewed_late
    + "A2,P2,SEN Support Plan,2025-09-08,2025-11-07,2025-11-12,no_progress\n"
    # not reviewed, review_due_on (18 Nov) before a: overdue
    + "A3,P1,SEN Support Plan,2025-11-14,2025-11-18,,\n"
    # not reviewed, due 3 Dec = a + 14 days ("within 14 days from a"): due_soon
    + "A4,P2,SEN Support Plan,2025-11-12,2025-12-03,,\n"
    # not reviewed, due 4 Dec = a + 15 days: current
    + "A5,P1,Pupil Support Plan,2025-11-18,2025-12-04,,\n"
    # reviewed on 20 Nov, the day after a: not yet known, so not reviewed; due 28 Nov is
    # within 14 days: due_soon, with reviewed_on and outcome empty
    + "A6,P4,SEN Support Plan,2025-11-10,2025-11-28,2025-11-20,met\n"
    # starts on 20 Nov, after a: "Plans that start after a are ignored"
    + "A7,P2,SEN Support Plan,2025-11-20,2026-01-30,,\n"
    # EHC plans are reviewed at the annual review and left out, whatever the spelling
    + "A8,P3,EHCP,2025-03-10,2026-03-10,,\n"
    + "A9,P3, ehc Plan ,2025-03-10,2026-03-10,,\n"
)
REVIEW_AS_OF = D(2025, 11, 19)


@pytest.fixture
def review_school(school):
    write(school, "plans.csv", REVIEW_PLANS)
    return load_school(school)


def test_each_plan_review_status_as_worked_out_from_domain(review_school):
    reviews = plan_reviews(review_school, REVIEW_AS_OF)
    assert dict(zip(reviews["plan_id"], reviews["status"], strict=True)) == {
        "A1": "reviewed_on_time",
        "A2": "reviewed_late",
        "A3": "overdue",
        "A4": "due_soon",
        "A5": "current",
        "A6": "due_soon",
    }
    assert reviews.columns == [
        "plan_id", "pupil_id", "plan_type", "starts_on", "review_due_on", "reviewed_on",
        "outcome", "status", "this_year",
    ]  # fmt: skip


def test_this_years_figures_leave_out_a_plan_reviewed_last_school_year(school):
    # The TINY calendar's 2025/26 starts Wed 3 Sep 2025. A plan due and reviewed in July 2025
    # belongs to 2024/25's figures; one due then and never reviewed is still owed this
    # year; one due this year counts whatever happened to it (rules.plans, this_year).
    write(
        school,
        "plans.csv",
        PLANS_HEADER
        + "B1,P1,SEN Support Plan,2025-04-01,2025-07-10,2025-07-10,progress\n"
        + "B2,P2,SEN Support Plan,2025-04-01,2025-07-10,,\n"
        + "B3,P1,SEN Support Plan,2025-07-10,2025-10-10,2025-10-10,progress\n",
    )
    reviews = plan_reviews(load_school(school), REVIEW_AS_OF)
    assert dict(zip(reviews["plan_id"], reviews["this_year"], strict=True)) == {
        "B1": False,
        "B2": True,
        "B3": True,
    }
    assert dict(zip(reviews["plan_id"], reviews["status"], strict=True))["B2"] == "overdue"


def test_a_review_after_as_of_is_not_yet_known(review_school):
    plan = by_id(plan_reviews(review_school, REVIEW_AS_OF), "plan_id")["A6"]
    assert (plan["reviewed_on"], plan["outcome"]) == (None, None)
    # A day later the review of 20 Nov is known: on or before 28 Nov, so on time.
    later = by_id(plan_reviews(review_school, D(2025, 11, 20)), "plan_id")["A6"]
    assert (later["reviewed_on"], later["outcome"], later["status"]) == (
        D(2025, 11, 20),
        "met",
        "reviewed_on_time",
    )


def test_ehc_plans_are_recognised_in_any_case_and_spacing():
    types = pl.DataFrame({"plan_type": ["EHCP", "ehcp", " EHC plan ", "EHC Plan", "LSP", "PSP"]})
    assert types.select(is_ehc_plan())["plan_type"].to_list() == [True] * 4 + [False] * 2


def test_plan_reviews_of_the_unchanged_tiny_school():
    # tiny plans.csv: L1 reviewed 10 Dec, due 12 Dec: on time; L2 due 12 Dec, unreviewed:
    # as of 6 Mar 2026 overdue; L3 is an EHCP, left out.
    reviews = plan_reviews(load_school(TINY), D(2026, 3, 6))
    assert dict(zip(reviews["plan_id"], reviews["status"], strict=True)) == {
        "L1": "reviewed_on_time",
        "L2": "overdue",
    }


# --- pupil_plans ------------------------------------------------------------------------

#: As of Wed 5 Nov 2025. School days "d with since < d <= a", counted on the calendar:
#: since Fri 3 Oct: 6-10, 13-17, 20-24 Oct (15); 27-31 Oct half term (0); Mon 3 Nov INSET
#: (0); Tue 4, Wed 5 Nov (2): 17. Counting plain weekdays instead would give 23.
#: since Tue 30 Sep: 1-3 Oct (3) + 17 = 20; since Mon 29 Sep: 21.
#: since 1 Aug 2025 (the first day the calendar covers): 3-5 Sep (3), 8 Sep - 24 Oct
#: (7 weeks, 35), 4-5 Nov (2): 40.
COVER_AS_OF = D(2025, 11, 5)
COVER_PUPILS = (
    # (the tiny school's P5 is monitored, the date its concern was recorded unknown)
    "P6,1,M,,T1,2025-10-03,,F,false",  # concern recorded Fri 3 Oct, no plan
    "P7,2,K,MLD,T1,2025-09-29,,M,false",  # on SEN support from Mon 29 Sep, no plan
    "P8,2,K,MLD,T2,2025-09-30,,F,false",  # from Tue 30 Sep, no plan
    "P9,5,K,SPLD,T2,2025-09-03,,F,true",
)
COVER_PLANS = (
    PLANS_HEADER
    # P1 (K since 4 Sep 2024): two cycles, the last reviewed Tue 30 Sep, no plan since.
    + "X0,P1,SEN Support Plan,2025-09-03,2025-09-10,2025-09-10,no_progress\n"
    + "X1,P1,SEN Support Plan,2025-09-10,2025-09-30,2025-09-30,some_progress\n"
    # P2 (K): two cycles with no progress, and a third plan current.
    + "Y1,P2,SEN Support Plan,2025-09-03,2025-09-24,2025-09-24,no_progress\n"
    + "Y2,P2,SEN Support Plan,2025-09-24,2025-10-22,2025-10-22,no_progress\n"
    + "Y3,P2,SEN Support Plan,2025-10-22,2025-12-10,,\n"
    # P9 (K): one cycle with no progress; the second is reviewed on 6 Nov, after a.
    + "Z1,P9,SEN Support Plan,2025-09-03,2025-10-01,2025-10-01,no_progress\n"
    + "Z2,P9,SEN Support Plan,2025-10-01,2025-11-06,2025-11-06,no_progress\n"
    + "L3,P3,EHCP,2025-03-10,2026-03-10,,\n"
)


@pytest.fixture
def cover_folder(school):
    add_pupils(school, *COVER_PUPILS)
    write(school, "plans.csv", COVER_PLANS)
    return school


def test_plan_cover_of_each_pupil_as_worked_out_from_domain(cover_folder):
    pupils = by_id(pupil_plans(load_school(cover_folder), COVER_AS_OF), "pupil_id")
    # P3 has an EHC plan (E) and P4 joins SEN support on 10 Nov, after a: not listed.
    assert sorted(pupils) == ["P1", "P2", "P5", "P6", "P7", "P8", "P9"]
    cover = {p: (r["plan_cover"], r["since"], r["school_days_waiting"]) for p, r in pupils.items()}
    assert cover == {
        # since = the later of registered_on (4 Sep 2024) and the last review (30 Sep): 20
        # school days, at most plan_within_school_days (20): plan_pending.
        "P1": ("plan_pending", D(2025, 9, 30), 20),
        # Y3 started 22 Oct and is not reviewed: current, so has_plan (since = Y2's review).
        "P2": ("has_plan", D(2025, 10, 22), None),
        # 17 school days across the half term and the INSET day: still within the grace.
        "P6": ("plan_pending", D(2025, 10, 3), 17),
        # 21 school days: without_plan.
        "P7": ("without_plan", D(2025, 9, 29), 21),
        # 20 school days: the last day of the grace.
        "P8": ("plan_pending", D(2025, 9, 30), 20),
        # no registered_on, no review: counted from the calendar's first day, 40 days.
        "P5": ("without_plan", D(2025, 8, 1), 40),
        # Z2's review on 6 Nov is not yet known, so Z2 is current.
        "P9": ("has_plan", D(2025, 10, 1), None),
    }
    assert pupils["P2"]["current_plan_id"] == "Y3"
    assert pupils["P9"]["current_plan_id"] == "Z2"
    assert pupils["P1"]["current_plan_id"] is None


def test_reviewed_cycles_and_escalation_as_worked_out_from_domain(cover_folder):
    pupils = by_id(pupil_plans(load_school(cover_folder), COVER_AS_OF), "pupil_id")
    cycles = {
        p: (r["cycles_reviewed"], r["last_outcome"], r["consider_next_step"])
        for p, r in pupils.items()
    }
    assert cycles == {
        # Last two reviewed: no_progress then some_progress: not all no_progress.
        "P1": (2, "some_progress", False),
        # "last escalate_after (2) plans reviewed by a all have outcome no_progress".
        "P2": (2, "no_progress", True),
        "P6": (0, None, False),
        "P7": (0, None, False),
        "P8": (0, None, False),
        "P5": (0, None, False),
        # One reviewed plan is fewer than escalate_after: not flagged (yet).
        "P9": (1, "no_progress", False),
    }


def test_a_review_after_as_of_counts_once_as_of_reaches_it(cover_folder):
    # As of Fri 7 Nov, Z2's review of 6 Nov is known: two no_progress in a row, and no
    # current plan; since = 6 Nov, one school day (7 Nov) has passed: plan_pending.
    p9 = by_id(pupil_plans(load_school(cover_folder), D(2025, 11, 7)), "pupil_id")["P9"]
    assert (p9["cycles_reviewed"], p9["consider_next_step"]) == (2, True)
    assert (p9["plan_cover"], p9["since"], p9["school_days_waiting"]) == (
        "plan_pending",
        D(2025, 11, 6),
        1,
    )


def test_policy_keys_change_the_grace_and_the_escalation(cover_folder):
    edit(
        cover_folder,
        "school.toml",
        'nation = "england"',
        'nation = "england"\n\n[policy]\nplan_within_school_days = 17\nescalate_after = 1',
    )
    pupils = by_id(pupil_plans(load_school(cover_folder), COVER_AS_OF), "pupil_id")
    # 17 days is still within a 17-day grace; 20 is not.
    assert pupils["P6"]["plan_cover"] == "plan_pending"
    assert pupils["P8"]["plan_cover"] == "without_plan"
    # One no_progress review is enough with escalate_after = 1; P1's last was some_progress.
    assert pupils["P9"]["consider_next_step"] is True
    assert pupils["P1"]["consider_next_step"] is False


def test_policy_keys_must_be_whole_numbers_at_least_one(cover_folder):
    edit(
        cover_folder,
        "school.toml",
        'nation = "england"',
        'nation = "england"\n\n[policy]\nescalate_after = 0',
    )
    with pytest.raises(ValueError, match="escalate_after"):
        load_school(cover_folder)


# --- monitored_long ---------------------------------------------------------------------


def test_monitored_long_counts_whole_terms_started_on_or_after_registration(school):
    with (school / "school.toml").open("a", encoding="utf-8") as handle:
        handle.write(TERMS_2024_25)
    add_pupils(
        school,
        "P6,1,M,,T1,2025-01-06,,F,false",  # concern on Spring 2025's first day
        "P7,1,M,,T1,2025-01-07,,F,false",  # a day later
    )  # (the tiny school's P5 is monitored, the date its concern was recorded unknown)
    folder_school = load_school(school)
    # As of Fri 6 Mar 2026, terms that ended before a: Autumn 2024 (started before both
    # concerns), Spring 2025, Summer 2025, Autumn 2025 (Spring 2026 is running). P5: all three started on or after 6 Jan 2025: 3 > 2
    # (monitor_max_terms): monitored_long. P7: Spring 2025 started before 7 Jan, so 2
    # whole terms, not more than 2. P5: unknown. P1 is on SEN support: never flagged.
    pupils = by_id(pupil_plans(folder_school, D(2026, 3, 6)), "pupil_id")
    flags = {p: (r["whole_terms_monitored"], r["monitored_long"]) for p, r in pupils.items()}
    assert flags["P6"] == (3, True)
    assert flags["P7"] == (2, False)
    assert flags["P5"] == (None, None)
    assert flags["P1"] == (None, False)
    # As of Fri 19 Dec 2025, Autumn's last day, Autumn has not ended before a: P6 has 2.
    on_last_day = by_id(pupil_plans(folder_school, D(2025, 12, 19)), "pupil_id")["P6"]
    assert (on_last_day["whole_terms_monitored"], on_last_day["monitored_long"]) == (2, False)


# --- properties -------------------------------------------------------------------------

BASE = load_school(TINY)
FIRST, LAST = D(2025, 8, 1), D(2026, 7, 21)
_days = st.integers(0, (LAST - FIRST).days).map(lambda n: FIRST + dt.timedelta(days=n))


@st.composite
def plans_and_as_of(draw):
    """Plans of P1, P2 and P4 with any dates in the calendar, and an as-of date."""
    rows = []
    for number in range(draw(st.integers(0, 8))):
        starts = draw(_days)
        due = starts + dt.timedelta(days=draw(st.integers(0, 120)))
        reviewed = draw(st.none() | st.integers(0, 150))
        rows.append(
            {
                "plan_id": f"Q{number}",
                "pupil_id": draw(st.sampled_from(["P1", "P2", "P4"])),
                "plan_type": draw(st.sampled_from(["SEN Support Plan", "LSP", "EHCP"])),
                "starts_on": starts,
                "review_due_on": due,
                "reviewed_on": None if reviewed is None else starts + dt.timedelta(reviewed),
                "outcome": None
                if reviewed is None
                else draw(st.sampled_from(["progress", "no_progress", None])),
            }
        )
    frame = pl.DataFrame(rows, schema=BASE.plans.schema)
    return frame, draw(_days)


def _forget_after(plans: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The plans as written on ``as_of``: later plans and reviews not yet there."""
    known = (pl.col("reviewed_on") <= as_of).fill_null(False)
    return plans.filter(pl.col("starts_on") <= as_of).with_columns(
        reviewed_on=pl.when(known).then("reviewed_on"), outcome=pl.when(known).then("outcome")
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans_and_as_of())
def test_one_status_per_plan_started_and_none_depends_on_later_records(drawn):
    plans, as_of = drawn
    school = dataclasses.replace(BASE, plans=plans)
    reviews = plan_reviews(school, as_of)
    expected = plans.filter(pl.col("starts_on") <= as_of, pl.col("plan_type") != "EHCP")
    assert sorted(reviews["plan_id"]) == sorted(expected["plan_id"])
    assert set(reviews["status"]) <= set(PLAN_STATUSES)
    assert reviews["status"].null_count() == 0
    forgetful = dataclasses.replace(BASE, plans=_forget_after(plans, as_of))
    assert reviews.equals(plan_reviews(forgetful, as_of))
    cover = pupil_plans(school, as_of)
    assert cover.equals(pupil_plans(forgetful, as_of))
    assert set(cover["plan_cover"]) <= set(PLAN_COVERS)
    assert cover["pupil_id"].is_unique().all()
