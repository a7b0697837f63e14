"""Annual reviews of EHC plans, worked by hand (DOMAIN.md "An annual review").

Tiny school (tests/fixtures/tiny): Autumn 2025 Wed 3 Sep - Fri 19 Dec, Spring 2026 Mon 5 Jan -
Fri 27 Mar (half term 16-20 Feb), Summer 2026 Mon 13 Apr - Tue 21 Jul; a primary (transfer
year groups [6]). P3 has an EHC plan (L3, from 10 Mar 2025), is in Year 6 and had its last
annual review (M4, report sent 20 Mar) on Mon 10 Mar 2025, in the last school year.

s.44 Children and Families Act 2014: due by the last day of the 12 months starting with the
last review (the same day a year later, less one day); reg. 18 SEND Regulations 2014: a
phase transfer by the day before 15 February (14 Feb), the day before 31 March (30 Mar) for a
move to a post-16 institution; reg. 20: invitations 14 days before the meeting, the report
within 14 days after it, the local authority's decision within 28. Issue 12 points 3-5
corrected the old rule, which was a day out (due 10 Mar 2026, 15 Feb, invite by 1 Feb): the
old assertions below are restated to the law, each with its hand working.
"""

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

import sendlib
from sendlib import CalendarRangeError
from sendlib.rules.annual_reviews import (
    ANNUAL_REVIEW_STATUSES,
    annual_review_reports,
    annual_reviews,
    group_annual_reviews,
    school_day_before,
)
from sendlib.rules.frame import SchoolGroup

D = dt.date
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SAMPLES = Path(__file__).resolve().parents[2] / "data_samples"
SCHOOL = sendlib.load_school(TINY)
AS_OF = D(2026, 3, 6)  # Fri 6 Mar 2026, Spring term


def _add_column(path: Path, name: str, values: dict[str, str]) -> None:
    """Add a column to a CSV, with a value for the rows whose first cell is a key."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + f",{name}"]
    out += [line + "," + values.get(line.split(",")[0], "") for line in lines[1:]]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def school_with(
    tmp_path: Path,
    *,
    pupils: str = "",
    meetings: str = "",
    plans: str = "",
    toml: tuple[str, str] | None = None,
    columns: dict[str, dict[str, dict[str, str]]] | None = None,
) -> sendlib.School:
    """The tiny school copied to tmp_path, extra CSV rows appended, school.toml edited.

    ``columns`` adds optional columns: {table: {column: {row id: value}}}.
    """
    folder = tmp_path / "school"
    shutil.copytree(TINY, folder)
    for name, rows in (("pupils", pupils), ("meetings", meetings), ("plans", plans)):
        if rows:
            with (folder / f"{name}.csv").open("a", encoding="utf-8") as handle:
                handle.write(rows)
    for table, added in (columns or {}).items():
        for column, values in added.items():
            _add_column(folder / f"{table}.csv", column, values)
    if toml:
        path = folder / "school.toml"
        text = path.read_text(encoding="utf-8")
        assert toml[0] in text
        path.write_text(text.replace(*toml), encoding="utf-8")
    return sendlib.load_school(folder)


def annual(school, as_of) -> dict[str, dict]:
    return {r["pupil_id"]: r for r in annual_reviews(school, as_of).iter_rows(named=True)}


def test_annual_review_transfer_deadline_for_year_6_in_a_primary():
    # P3: EHC plan, Year 6 in a primary (transfer year groups [6]); last review Mon 10 Mar
    # 2025, before this school year began -> due Mon 9 Mar 2026 (the last day of the 12
    # months starting 10 Mar 2025), transfer deadline Sat 14 Feb 2026 (the day before 15
    # February, reg. 18); deadline = the earlier = 14 Feb; invite by 14 days before = Sat
    # 31 Jan 2026; hold by 14 Feb less 12 weeks (84 days) = Sat 22 Nov 2025.
    got = annual(SCHOOL, AS_OF)["P3"]
    assert (got["last_review_on"], got["last_review_from"]) == (D(2025, 3, 10), "meeting")
    assert got["due_on"] == D(2026, 3, 9)
    assert got["transfer_deadline_on"] == D(2026, 2, 14)
    assert got["deadline_on"] == D(2026, 2, 14)
    assert got["invite_by"] == D(2026, 1, 31)
    assert got["hold_by"] == D(2025, 11, 22)
    assert (got["booked_on"], got["short_notice"], got["late_for_amendment"]) == (
        None,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("as_of", "days", "status"),
    [
        (D(2026, 1, 2), 43, "ok"),  # Fri 2 Jan -> 14 Feb: 29 + 14 = 43 days, beyond 42
        (D(2026, 1, 3), 42, "due_soon"),  # within 42 days
        (D(2026, 2, 14), 0, "due_soon"),  # the deadline itself is not yet overdue
        (D(2026, 2, 15), -1, "overdue"),  # deadline before as of
    ],
)
def test_annual_review_status_either_side_of_the_deadline(as_of, days, status):
    got = annual(SCHOOL, as_of)["P3"]
    assert (got["days_to_deadline"], got["status"]) == (days, status)


def test_annual_review_held_this_year_replaces_the_transfer_deadline(tmp_path):
    # An annual review for P3 held Mon 12 Jan 2026. As of Fri 9 Jan it has not happened:
    # still the 14 Feb transfer deadline (36 days -> due_soon). As of 12 Jan the last review
    # is this school year's: no transfer deadline; due and deadline Mon 11 Jan 2027 -> ok,
    # invite by 28 Dec 2026. Held after the hold-by date (22 Nov 2025): late_for_amendment.
    school = school_with(
        tmp_path,
        meetings="M8,P3,annual_review,2026-01-12 10:00,60,S1,true,in_person,held,2026-01-19,\n",
    )
    before = annual(school, D(2026, 1, 9))["P3"]
    assert (before["deadline_on"], before["status"]) == (D(2026, 2, 14), "due_soon")
    assert before["late_for_amendment"] is False
    after = annual(school, D(2026, 1, 12))["P3"]
    assert after["last_review_on"] == D(2026, 1, 12)
    assert after["transfer_deadline_on"] is None
    assert (after["due_on"], after["deadline_on"]) == (D(2027, 1, 11), D(2027, 1, 11))
    assert after["invite_by"] == D(2026, 12, 28)
    assert after["status"] == "ok"
    assert (after["hold_by"], after["late_for_amendment"]) == (D(2025, 11, 22), True)


def test_annual_reviews_in_a_secondary_school(tmp_path):
    school = school_with(
        tmp_path,
        toml=('phase = "primary"', 'phase = "secondary"'),
        pupils=(
            "P6,11,E,ASD,T1,2020-01-01,2025-06-20,F,false\n"
            "P7,4,E,HI,T2,2020-01-01,2024-02-29,M,false\n"
            "P8,11,E,SLCN,T2,2020-01-01,2025-10-15,M,false\n"
        ),
    )
    got = annual(school, AS_OF)
    # P6: Year 11 in a secondary without a sixth form (transfer year groups [11]); last
    # review Fri 20 Jun 2025, before this school year -> due Fri 19 Jun 2026, transfer
    # deadline (a move to a post-16 institution) Mon 30 Mar 2026 -> deadline 30 Mar, invite
    # by Mon 16 Mar; 24 days from 6 Mar -> due_soon. Year 11: preparing for adulthood.
    p6 = got["P6"]
    assert (p6["due_on"], p6["transfer_deadline_on"], p6["deadline_on"], p6["invite_by"]) == (
        D(2026, 6, 19),
        D(2026, 3, 30),
        D(2026, 3, 30),
        D(2026, 3, 16),
    )
    assert (p6["days_to_deadline"], p6["status"]) == (24, "due_soon")
    assert p6["preparing_for_adulthood"] is True
    # hold by: 30 Mar less 12 weeks = Mon 5 Jan 2026.
    assert p6["hold_by"] == D(2026, 1, 5)
    # P3 (Year 6) is not in a secondary's transfer year: deadline = due Mon 9 Mar 2026,
    # invite by Mon 23 Feb; 3 days away -> due_soon.
    p3 = got["P3"]
    assert p3["transfer_deadline_on"] is None
    assert (p3["deadline_on"], p3["invite_by"], p3["status"]) == (
        D(2026, 3, 9),
        D(2026, 2, 23),
        "due_soon",
    )
    assert p3["preparing_for_adulthood"] is False
    # P7: last review 29 Feb 2024 -> due 28 Feb 2025 (29 February becomes 28 February);
    # long overdue (371 days).
    p7 = got["P7"]
    assert (p7["due_on"], p7["deadline_on"], p7["days_to_deadline"], p7["status"]) == (
        D(2025, 2, 28),
        D(2025, 2, 28),
        -371,
        "overdue",
    )
    # P8: Year 11 but last reviewed Wed 15 Oct 2025, inside this school year: no transfer
    # deadline; due 14 Oct 2026, 222 days away -> ok.
    p8 = got["P8"]
    assert (p8["transfer_deadline_on"], p8["deadline_on"], p8["status"]) == (
        None,
        D(2026, 10, 14),
        "ok",
    )
    assert set(annual_reviews(school, AS_OF)["status"]) <= set(ANNUAL_REVIEW_STATUSES)


def test_transfer_year_group_override(tmp_path):
    # [school] transfer_year_group = 2 (an infant school, the older single form, read as [2]):
    # Year 6 P3 has no transfer deadline; a Year 2 pupil last reviewed in the previous school
    # year has 14 Feb 2026.
    school = school_with(
        tmp_path,
        toml=('phase = "primary"', 'phase = "primary"\ntransfer_year_group = 2'),
        pupils="P6,2,E,DS,T1,2024-06-01,2025-05-01,F,false\n",
    )
    got = annual(school, AS_OF)
    assert got["P3"]["transfer_deadline_on"] is None
    assert got["P3"]["deadline_on"] == D(2026, 3, 9)
    # P6: due Thu 30 Apr 2026; transfer 14 Feb 2026 is earlier -> overdue as of 6 Mar.
    assert (got["P6"]["due_on"], got["P6"]["deadline_on"], got["P6"]["status"]) == (
        D(2026, 4, 30),
        D(2026, 2, 14),
        "overdue",
    )
    assert school.config.transfer_year_groups == (2,)


def test_annual_reviews_after_the_calendar_are_an_error():
    with pytest.raises(CalendarRangeError, match=r"\[\[terms\]\]"):
        annual_reviews(SCHOOL, D(2026, 7, 22))


def test_due_on_the_last_day_of_the_twelve_months(tmp_path):
    # s.44: a review on Tue 15 Apr 2025 is due by Tue 14 Apr 2026; one on Thu 29 Feb 2024 by
    # Fri 28 Feb 2025; one on Fri 1 Mar 2024 by Fri 28 Feb 2025 too (12 months from 1 March
    # end on the last day of February).
    school = school_with(
        tmp_path,
        pupils=(
            "P6,4,E,HI,T1,2020-01-01,2025-04-15,F,false\n"
            "P7,4,E,HI,T1,2020-01-01,2024-02-29,F,false\n"
            "P8,4,E,HI,T1,2020-01-01,2024-03-01,F,false\n"
        ),
    )
    got = annual(school, AS_OF)
    assert got["P6"]["due_on"] == D(2026, 4, 14)
    assert got["P7"]["due_on"] == D(2025, 2, 28)
    assert got["P8"]["due_on"] == D(2025, 2, 28)
    assert {got[p]["last_review_from"] for p in ("P6", "P7", "P8")} == {"recorded"}


def test_under_fives_are_reviewed_every_six_months(tmp_path):
    # Code of Practice 9.178, policy 6 months less one day. P6 in Nursery 1, no date of birth:
    # last review Wed 15 Oct 2025 -> due Tue 14 Apr 2026. P7 in Reception born 1 Jun 2021 is
    # 4 on 6 Mar 2026: 6 months. P8 in Reception born 1 Sep 2020 is 5: 12 months.
    school = school_with(
        tmp_path,
        pupils=(
            "P6,N1,E,SLCN,T1,2025-01-01,2025-10-15,F,false\n"
            "P7,R,E,SLCN,T1,2025-01-01,2025-10-15,F,false\n"
            "P8,R,E,SLCN,T1,2025-01-01,2025-10-15,F,false\n"
        ),
        columns={"pupils": {"date_of_birth": {"P7": "2021-06-01", "P8": "2020-09-01"}}},
    )
    got = annual(school, AS_OF)
    assert (got["P6"]["under_five"], got["P6"]["due_on"]) == (True, D(2026, 4, 14))
    assert (got["P7"]["under_five"], got["P7"]["due_on"]) == (True, D(2026, 4, 14))
    assert (got["P8"]["under_five"], got["P8"]["due_on"]) == (False, D(2026, 10, 14))


SIXTH_FORM = ('phase = "primary"', 'phase = "secondary"\nsixth_form = true')


def test_who_has_the_30_march_deadline_in_a_school_with_a_sixth_form(tmp_path):
    # DOMAIN: in a school with a sixth form, Year 11 pupils whose post16_destination is not
    # own_sixth_form (college, other, or not recorded) and Year 13 pupils have 30 March; a
    # Year 11 pupil staying on has no transfer deadline. All last reviewed Fri 20 Jun 2025.
    school = school_with(
        tmp_path,
        toml=SIXTH_FORM,
        pupils=(
            "P6,11,E,ASD,T1,2020-01-01,2025-06-20,F,false\n"
            "P7,11,E,ASD,T1,2020-01-01,2025-06-20,F,false\n"
            "P8,11,E,ASD,T1,2020-01-01,2025-06-20,F,false\n"
            "P9,13,E,ASD,T1,2020-01-01,2025-06-20,F,false\n"
        ),
        columns={"pupils": {"post16_destination": {"P6": "own_sixth_form", "P7": "college"}}},
    )
    got = annual(school, AS_OF)
    assert got["P6"]["transfer_deadline_on"] is None
    assert got["P6"]["deadline_on"] == D(2026, 6, 19)
    for pupil in ("P7", "P8", "P9"):
        assert got[pupil]["transfer_deadline_on"] == D(2026, 3, 30), pupil
        assert got[pupil]["hold_by"] == D(2026, 1, 5), pupil


def test_transfer_year_groups_list_for_an_all_through_school(tmp_path):
    # All-through default [6, 11]: Year 6 has 14 Feb, Year 11 (no sixth form) 30 Mar.
    school = school_with(
        tmp_path,
        toml=('phase = "primary"', 'phase = "all-through"'),
        pupils="P6,11,E,ASD,T1,2020-01-01,2025-06-20,F,false\n",
    )
    assert school.config.transfer_year_groups == (6, 11)
    got = annual(school, AS_OF)
    assert got["P3"]["transfer_deadline_on"] == D(2026, 2, 14)
    assert got["P6"]["transfer_deadline_on"] == D(2026, 3, 30)


def test_as_of_a_past_date_nothing_from_after_it(tmp_path):
    # DOMAIN: the last review as of a is the latest held annual review on or before a, then
    # last_annual_review_on on or before a, then the latest EHCP start on or before a.
    # P6: recorded review 10 Jan 2026 and an EHCP from Fri 1 Nov 2024: as of Mon 1 Dec 2025
    # the plan start counts -> due Fri 31 Oct 2025 -> overdue. P7: recorded 10 Jan 2026, no
    # plan: no_record (a data gap). P3: a review held 12 Jan 2026 is not yet known on 1 Dec.
    school = school_with(
        tmp_path,
        pupils=(
            "P6,4,E,HI,T1,2024-01-01,2026-01-10,F,false\n"
            "P7,4,E,HI,T1,2024-01-01,2026-01-10,F,false\n"
        ),
        plans="L4,P6,ehc plan,2024-11-01,2025-11-01,,\n",
        meetings="M8,P3,annual_review,2026-01-12 10:00,60,S1,true,in_person,held,2026-01-19,\n",
    )
    got = annual(school, D(2025, 12, 1))
    assert (got["P6"]["last_review_on"], got["P6"]["last_review_from"]) == (
        D(2024, 11, 1),
        "plan",
    )
    assert (got["P6"]["due_on"], got["P6"]["status"]) == (D(2025, 10, 31), "overdue")
    p7 = got["P7"]
    assert (p7["last_review_on"], p7["deadline_on"], p7["invite_by"], p7["status"]) == (
        None,
        None,
        None,
        "no_record",
    )
    assert got["P3"]["last_review_on"] == D(2025, 3, 10)
    assert "no_record" in ANNUAL_REVIEW_STATUSES
    # As of 12 Jan 2026 the held meeting is the last review; the recorded date is next.
    later = annual(school, D(2026, 1, 12))
    assert later["P3"]["last_review_on"] == D(2026, 1, 12)
    assert (later["P7"]["last_review_on"], later["P7"]["last_review_from"]) == (
        D(2026, 1, 10),
        "recorded",
    )


BOOKED = "M8,P3,annual_review,2026-03-19 10:00,60,S1,true,in_person,scheduled,,\n"


def test_invite_by_a_booked_review_is_two_weeks_before_it(tmp_path):
    # Reg. 20(3): P3's review booked for Thu 19 Mar 2026 -> invite by Thu 5 Mar, passed on
    # Fri 6 Mar with no invited_on -> short_notice (outputs say "not recorded").
    school = school_with(tmp_path, meetings=BOOKED)
    got = annual(school, AS_OF)["P3"]
    assert (got["booked_on"], got["invite_by"], got["invited_on"]) == (
        D(2026, 3, 19),
        D(2026, 3, 5),
        None,
    )
    assert got["short_notice"] is True
    # As of Thu 5 Mar the invite-by date has not passed: not short notice.
    assert annual(school, D(2026, 3, 5))["P3"]["short_notice"] is False
    # Unbooked, the invite-by date is 14 days before the deadline (14 Feb -> 31 Jan).
    assert annual(SCHOOL, AS_OF)["P3"]["invite_by"] == D(2026, 1, 31)


@pytest.mark.parametrize(
    ("invited_on", "short_notice", "shown"),
    [
        ("2026-03-04", False, D(2026, 3, 4)),  # went before 5 Mar: in time
        ("2026-03-05", False, D(2026, 3, 5)),  # on the invite-by day: in time
        ("2026-03-06", True, D(2026, 3, 6)),  # a day late
        ("2026-03-10", True, None),  # dated after the as-of date: not yet sent
    ],
)
def test_short_notice_unless_invited_on_shows_the_invitations_went_in_time(
    tmp_path, invited_on, short_notice, shown
):
    school = school_with(
        tmp_path, meetings=BOOKED, columns={"meetings": {"invited_on": {"M8": invited_on}}}
    )
    got = annual(school, AS_OF)["P3"]
    assert (got["short_notice"], got["invited_on"]) == (short_notice, shown)


REPORTS = (
    "M8,P3,annual_review,2026-01-12 10:00,60,S1,true,in_person,held,2026-01-27,\n"
    "M9,P1,annual_review,2026-02-02 10:00,60,S1,true,in_person,held,,\n"
    "M10,P2,annual_review,2026-03-02 10:00,60,S1,true,in_person,held,,\n"
)


def test_review_report_judged_on_fourteen_calendar_days(tmp_path):
    # Reg. 20(7)-(8): M4 held Mon 10 Mar 2025, report sent Thu 20 Mar (10 days) -> on time;
    # M8 held Mon 12 Jan 2026, sent Tue 27 Jan (15 days) -> late; M9 held Mon 2 Feb, none
    # sent by Fri 6 Mar, due Mon 16 Feb -> missing; M10 held Mon 2 Mar, due Mon 16 Mar -> due.
    school = school_with(tmp_path, meetings=REPORTS)
    got = {r["meeting_id"]: r for r in annual_review_reports(school, AS_OF).iter_rows(named=True)}
    assert {m: (r["report_due_on"], r["report_status"]) for m, r in got.items()} == {
        "M4": (D(2025, 3, 24), "report_on_time"),
        "M8": (D(2026, 1, 26), "report_late"),
        "M9": (D(2026, 2, 16), "report_missing"),
        "M10": (D(2026, 3, 16), "report_due"),
    }
    # Without la_decision_on in meetings.csv the decision is not recorded: no status.
    assert all(r["la_decision_status"] is None for r in got.values())
    # The pupil row carries its last review's report status.
    assert annual(school, AS_OF)["P3"]["report_status"] == "report_late"
    # The SEN support record clock (5 school days) is for review and concern meetings only.
    kinds = set(sendlib.record_timeliness(school, AS_OF)["kind"])
    assert "annual_review" not in kinds


def test_a_good_report_is_not_late_on_the_school_day_clock(tmp_path):
    # Held Mon 12 Jan 2026, sent Fri 23 Jan: 9 school days (late on a 5-school-day clock)
    # but 11 calendar days, within reg. 20's two weeks.
    school = school_with(
        tmp_path,
        meetings="M8,P3,annual_review,2026-01-12 10:00,60,S1,true,in_person,held,2026-01-23,\n",
    )
    reports = annual_review_reports(school, AS_OF).filter(pl.col("meeting_id") == "M8")
    assert reports["report_status"].to_list() == ["report_on_time"]


def test_local_authority_decision_within_four_weeks(tmp_path):
    # Reg. 20(10): M8 held 12 Jan 2026, decided Tue 10 Feb (29 days) -> late; M9 held 2 Feb,
    # none by 6 Mar (due Mon 2 Mar) -> awaited; M10 held 2 Mar, due 30 Mar -> due;
    # M4 held 10 Mar 2025, decided 7 Apr 2025 (28 days) -> on time.
    school = school_with(
        tmp_path,
        meetings=REPORTS,
        columns={"meetings": {"la_decision_on": {"M8": "2026-02-10", "M4": "2025-04-07"}}},
    )
    got = {r["meeting_id"]: r for r in annual_review_reports(school, AS_OF).iter_rows(named=True)}
    assert {m: r["la_decision_status"] for m, r in got.items()} == {
        "M4": "la_decision_on_time",
        "M8": "la_decision_late",
        "M9": "la_decision_awaited",
        "M10": "la_decision_due",
    }
    assert got["M10"]["la_decision_due_on"] == D(2026, 3, 30)


def test_a_date_that_is_not_a_school_day_gives_the_school_day_before():
    calendar = SCHOOL.calendar
    assert school_day_before(calendar, D(2026, 2, 14)) == D(2026, 2, 13)  # Saturday
    assert school_day_before(calendar, D(2026, 2, 18)) == D(2026, 2, 13)  # half term
    assert school_day_before(calendar, D(2025, 11, 22)) == D(2025, 11, 21)  # Saturday
    assert school_day_before(calendar, D(2026, 3, 5)) is None  # a school day
    assert school_day_before(calendar, D(2025, 3, 1)) is None  # not covered: as it is


@pytest.mark.parametrize("as_of", [D(2026, 3, 6), D(2025, 12, 1)])
def test_group_and_single_school_paths_agree_on_the_samples(as_of):
    schools = [
        sendlib.load_school(SAMPLES / n) for n in ("harbourside-primary", "northgate-secondary")
    ]
    together = group_annual_reviews(SchoolGroup.of(schools), as_of)
    for school in schools:
        mine = together.filter(pl.col("school") == school.slug).drop("school")
        assert mine.equals(annual_reviews(school, as_of)), school.slug


def test_primary_sample_as_of_1_december_2025():
    # Issue 12 point 3: as of Mon 1 Dec 2025 the primary sample has 4 overdue annual reviews
    # (it showed 2, counting reviews recorded after that date) and one with no record.
    school = sendlib.load_school(SAMPLES / "harbourside-primary")
    counts = dict(annual_reviews(school, D(2025, 12, 1)).group_by("status").len().iter_rows())
    assert (counts.get("overdue"), counts.get("no_record")) == (4, 1)
