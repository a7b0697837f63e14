"""SENDCo capacity: supply, recorded demand, forward look and what-if levers (DOMAIN.md "Capacity").

Tiny school: the SENDCo works Mon, Wed, Thu, Fri with 4 protected hours a day; policy
30-minute meetings, 60-minute annual reviews, 2 surgeries a week of 2 x 25-minute meetings,
10 minutes' preparation and 15 minutes' write-up per meeting. Calendar: Autumn 2025 Wed 3 Sep -
Fri 19 Dec (half term 27-31 Oct, INSET Mon 3 Nov), Spring 2026 Mon 5 Jan - Fri 27 Mar (half
term 16-20 Feb), Summer 2026 Mon 13 Apr - Tue 21 Jul (May Day Mon 4 May, half term 25-29 May).

DOMAIN.md "Capacity": supply = the SENDCo's working days in term x the protected hours a day;
demand = meetings the SENDCo attends, annual reviews, surgeries (protected slots, booked or
not), preparation before and the written record after each meeting.
"""

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import sendlib
from sendlib import CalendarRangeError
from sendlib.rules.capacity import COMPONENTS, Levers, capacity, what_if

D = dt.date
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SCHOOL = sendlib.load_school(TINY)
AS_OF = D(2026, 3, 6)  # Fri 6 Mar 2026
END_OF_AUTUMN = D(2025, 12, 19)
WEEKDAYS_5 = ("mon", "tue", "wed", "thu", "fri")
SUMMED = ("sendco_days", "supply_minutes", *COMPONENTS, "demand_minutes")

# SENDCo days (Mon/Wed/Thu/Fri school days), counted by hand:
# Autumn: Wed 3 - Fri 5 Sep 3; weeks of 8 Sep - 20 Oct: 7 x 4 = 28; half term 27-31 Oct;
#   week of 3 Nov: INSET Mon, so Wed-Fri 3; weeks of 10 Nov - 15 Dec: 6 x 4 = 24 -> 58.
# Spring: weeks of 5 Jan - 9 Feb 6 x 4, half term, 23 Feb - 23 Mar 5 x 4 -> 44.
# Summer: weeks of 13 Apr - 18 May 6 x 4 minus May Day Mon 4 May = 23; half term;
#   weeks of 1 Jun - 13 Jul 7 x 4 = 28; Mon 20 Jul (Tue 21 is not a SENDCo day) 1 -> 52.
SENDCO_DAYS = {"Autumn 2025": 58, "Spring 2026": 44, "Summer 2026": 52}
# School weeks with at least one SENDCo day: Autumn 8 + 7 = 15; Spring 6 + 5 = 11;
# Summer 6 + 8 = 14 (the week of Mon 20 Jul included).
WEEKS = {"Autumn 2025": 15, "Spring 2026": 11, "Summer 2026": 14}


def school_with(tmp_path: Path, *, meetings: str = "") -> sendlib.School:
    folder = tmp_path / "school"
    shutil.copytree(TINY, folder)
    with (folder / "meetings.csv").open("a", encoding="utf-8") as handle:
        handle.write(meetings)
    return sendlib.load_school(folder)


def term(result, name: str) -> dict:
    return result.terms.filter(pl.col("term") == name).row(0, named=True)


# --------------------------------------------------------------------------- supply


@pytest.mark.parametrize("name", sorted(SENDCO_DAYS))
def test_supply_is_sendco_days_times_protected_hours(name):
    # Supply = SENDCo days in the term x 4 h x 60 min.
    got = term(capacity(SCHOOL, AS_OF), name)
    assert got["sendco_days"] == SENDCO_DAYS[name]
    assert got["supply_minutes"] == SENDCO_DAYS[name] * 4 * 60


def test_only_sendco_days_carry_supply():
    daily = capacity(SCHOOL, AS_OF).daily
    # Tuesdays are school days but not SENDCo days; the INSET day is not a school day at all.
    tuesday = daily.filter(pl.col("day") == D(2025, 11, 4)).row(0, named=True)
    assert (tuesday["sendco_day"], tuesday["supply_minutes"]) == (False, 0.0)
    assert D(2025, 11, 3) not in daily["day"].to_list()
    assert daily.filter(pl.col("sendco_day"))["supply_minutes"].unique().to_list() == [240.0]


# --------------------------------------------------------------------------- demand


def test_recorded_demand_for_autumn():
    # As of Fri 19 Dec 2025 all of Autumn is recorded (no forecast days in it).
    # SENDCo-attended held/did_not_attend meetings in Autumn: only M3 (concern, 30 min, held)
    # -> meetings 30; preparation 10 + write-up 15 = 25. M1 (SENDCo absent) and M5 (cancelled,
    # SENDCo absent) add nothing; M4 was last school year.
    # Surgeries: 15 weeks x 2 surgeries x 2 meetings x 25 min = 1500.
    # Demand 30 + 25 + 1500 = 1555; supply 58 x 240 = 13920.
    got = term(capacity(SCHOOL, END_OF_AUTUMN), "Autumn 2025")
    assert got["forecast"] is False
    assert (got["meetings"], got["annual_reviews"], got["preparation_and_records"]) == (
        30.0,
        0.0,
        25.0,
    )
    assert got["surgeries"] == 1500.0
    assert got["demand_minutes"] == 1555.0
    assert got["utilisation"] == pytest.approx(1555 / 13920)
    assert got["headroom_minutes"] == 13920 - 1555


def test_recorded_demand_for_spring_so_far(tmp_path):
    # As of 6 Mar, Spring days up to 6 Mar are recorded. Tiny: M2 (review, SENDCo attended,
    # held Wed 14 Jan) -> 30 + 25. M6 did_not_attend but the SENDCo was not there -> 0. M7, an
    # unbooked surgery, is inside the protected surgery time: no extra minutes.
    # Extra M8: a review the SENDCo attended but the parents did not (Wed 28 Jan): its 30
    # minutes and the 10 minutes' preparation count; no write-up.
    school = school_with(
        tmp_path, meetings="M8,P2,review,2026-01-28 15:30,30,S1,true,in_person,did_not_attend,,\n"
    )
    recorded = (
        capacity(school, AS_OF)
        .daily.filter((pl.col("term") == "Spring 2026") & ~pl.col("forecast"))
        .select(*COMPONENTS)
        .sum()
        .row(0, named=True)
    )
    # Surgeries: weeks of 5 Jan - 9 Feb (6) and 23 Feb, 2 Mar (2) = 8 weeks x 100.
    assert recorded == {
        "meetings": 60.0,
        "annual_reviews": 0.0,
        "surgeries": 800.0,
        "preparation_and_records": 35.0,
    }


def test_surgeries_are_100_protected_minutes_every_week():
    # 2 surgeries x 2 meetings x 25 min = 100 min per week, booked or not.
    result = capacity(SCHOOL, AS_OF)
    weeks = result.weekly.filter(pl.col("sendco_days") > 0)
    assert weeks["surgeries"].to_list() == pytest.approx([100.0] * weeks.height)
    for name, count in WEEKS.items():
        assert term(result, name)["surgeries"] == pytest.approx(100.0 * count)


def test_utilisation_is_demand_over_supply_and_weeks_sum_to_terms():
    result = capacity(SCHOOL, AS_OF)
    for frame in (result.weekly, result.terms):
        assert frame.select(
            (pl.col("utilisation") - pl.col("demand_minutes") / pl.col("supply_minutes"))
            .abs()
            .max()
        ).item() == pytest.approx(0.0)
    # Weeks never straddle terms here: sum the weeks of each term.
    weeks_by_term = (
        result.weekly.join(result.daily.select("day", "term"), left_on="first_day", right_on="day")
        .group_by("term")
        .agg(pl.col(c).sum() for c in SUMMED)
        .sort("term")
    )
    terms = result.terms.select("term", *SUMMED).sort("term")
    assert_frame_equal(weeks_by_term, terms, check_dtypes=False)
    assert result.weekly["demand_minutes"].sum() == pytest.approx(
        result.daily["demand_minutes"].sum()
    )


def test_forward_look_worked_by_hand():
    # As of Fri 6 Mar; one term (Summer) starts later.
    # Reviews still owed, max(3 - met, terms left + 1 if not met this term):
    #   P1 met 2, met in Spring: max(1, 1) = 1; P2 met 1, not in Spring: max(2, 2) = 2;
    #   P3 0: max(3, 2) = 3; P4 0: max(3, 2) = 3 -> 9.
    # The SENDCo attended 1 of the 2 held reviews this year (M2 yes, M1 no): share 0.5 -> 4.5.
    # Request meetings: 1 (M3) in the 112 school days so far; 81 school days left (Spring
    # 9-27 Mar 15, Summer 66: 29 before half term (May Day off), 35 after, 20-21 Jul 2)
    # -> 81/112 = 0.72 expected.
    # The annual review owed (P3, deadline 14 Feb, overdue) is placed no sooner than two
    # weeks' notice allows: Fri 20 Mar.
    result = capacity(SCHOOL, AS_OF)
    summary = result.summary
    assert summary["reviews_owed"] == 9
    assert summary["observed_sendco_review_share"] == 0.5
    assert summary["reviews_owed_sendco"] == 4.5
    assert summary["request_meetings_expected"] == 0.7
    assert summary["annual_reviews_to_hold"] == 1
    forecast = result.daily.filter(pl.col("forecast"))
    expected_meetings = (4.5 + 81 / 112) * 30
    assert forecast["meetings"].sum() == pytest.approx(expected_meetings)
    assert forecast["preparation_and_records"].sum() == pytest.approx((4.5 + 81 / 112) * 25 + 25)
    annual = forecast.filter(pl.col("annual_reviews") > 0)
    assert annual.select("day", "annual_reviews").rows() == [(D(2026, 3, 20), 60.0)]
    # Spring = recorded M2 (30) + its 12 of the 64 forecast SENDCo days' share.
    assert term(result, "Spring 2026")["meetings"] == pytest.approx(
        30 + expected_meetings * 12 / 64
    )


# ------------------------------------------------------------------------ what-if


def test_what_if_without_levers_is_the_baseline():
    base, same = capacity(SCHOOL, AS_OF), what_if(SCHOOL, AS_OF)
    for name in ("daily", "weekly", "terms"):
        assert_frame_equal(getattr(base, name), getattr(same, name))
    assert base.summary == same.summary
    assert_frame_equal(capacity(SCHOOL, AS_OF, Levers()).terms, base.terms)


def test_another_sendco_day_adds_supply_and_lowers_utilisation():
    # Mon-Fri: Autumn has 72 school days (3 + 35 + 4 + 30) -> 72 x 240 = 17280 minutes.
    base = capacity(SCHOOL, AS_OF)
    more = what_if(SCHOOL, AS_OF, working_days=WEEKDAYS_5)
    assert term(more, "Autumn 2025")["supply_minutes"] == 72 * 240
    assert more.terms["supply_minutes"].sum() > base.terms["supply_minutes"].sum()
    # The same work spread over more days: total demand unchanged, utilisation lower.
    assert more.terms["demand_minutes"].sum() == pytest.approx(base.terms["demand_minutes"].sum())
    for key in ("utilisation_year_to_date", "forecast_utilisation_rest_of_year"):
        assert more.summary[key] < base.summary[key]
    assert more.summary["headroom_hours_rest_of_year"] > base.summary["headroom_hours_rest_of_year"]


def test_more_protected_hours_add_supply():
    got = what_if(SCHOOL, AS_OF, hours_per_day=5.0)
    assert term(got, "Autumn 2025")["supply_minutes"] == 58 * 5 * 60


def test_reviews_all_led_by_class_teachers_leave_no_forecast_review_minutes():
    # class_teacher_led_share = 1: the SENDCo attends none of the 9 reviews owed; only
    # request meetings remain in the forecast: 81/112 x 30 minutes.
    got = what_if(SCHOOL, AS_OF, class_teacher_led_share=1.0)
    assert got.summary["sendco_review_share"] == 0.0
    assert got.summary["reviews_owed_sendco"] == 0.0
    forecast = got.daily.filter(pl.col("forecast"))
    assert forecast["meetings"].sum() == pytest.approx(81 / 112 * 30)
    base = capacity(SCHOOL, AS_OF)
    assert (
        got.summary["forecast_utilisation_rest_of_year"]
        < base.summary["forecast_utilisation_rest_of_year"]
    )


def test_shorter_meetings_mean_less_demand():
    # 20-minute meetings: Autumn's recorded M3 concern becomes 20 minutes instead of 30.
    base = capacity(SCHOOL, AS_OF)
    short = what_if(SCHOOL, AS_OF, meeting_minutes=20)
    assert term(short, "Autumn 2025")["meetings"] == 20.0
    assert term(base, "Autumn 2025")["meetings"] == 30.0
    assert short.terms["demand_minutes"].sum() < base.terms["demand_minutes"].sum()
    # Forecast meetings scale from 30 to 20 minutes.
    forecast_short = short.daily.filter(pl.col("forecast"))["meetings"].sum()
    assert forecast_short == pytest.approx((4.5 + 81 / 112) * 20)


def test_more_surgeries_mean_more_demand():
    # 3 surgeries a week: 3 x 2 x 25 = 150 min a week; Autumn 15 weeks -> 2250 (+750).
    base = capacity(SCHOOL, AS_OF)
    more = what_if(SCHOOL, AS_OF, surgeries_per_week=3)
    assert term(more, "Autumn 2025")["surgeries"] == pytest.approx(2250.0)
    assert term(more, "Autumn 2025")["demand_minutes"] == pytest.approx(
        term(base, "Autumn 2025")["demand_minutes"] + 750
    )
    assert more.summary["utilisation_year_to_date"] > base.summary["utilisation_year_to_date"]
    none = what_if(SCHOOL, AS_OF, surgeries_per_week=0)
    assert none.terms["surgeries"].sum() == 0.0


def test_capacity_after_the_calendar_is_an_error():
    with pytest.raises(CalendarRangeError, match=r"add that school year's \[\[terms\]\]"):
        capacity(SCHOOL, D(2026, 7, 22))
