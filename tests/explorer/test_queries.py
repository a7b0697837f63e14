"""The caseload explorer's queries (caseload, to-do lists, one pupil), worked by hand on the tiny school.


Tiny school (tests/fixtures/tiny): Autumn 2025 Wed 3 Sep - Fri 19 Dec (half term 27-31 Oct,
INSET Mon 3 Nov), Spring 2026 Mon 5 Jan - Fri 27 Mar (half term 16-20 Feb), Summer 2026
Mon 13 Apr - Tue 21 Jul. Pupils: P1 K Y3 SLCN lead T1; P2 K Y4 SEMH lead T2; P3 E Y6 ASD
lead T1, last annual review Mon 10 Mar 2025 (Year 6 is a primary's transfer year: deadline
Sat 14 Feb 2026, the day before 15 February, DOMAIN.md; issue 12 point 4 corrected it from
15 Feb, and the invite-by date from 1 Feb to Sat 31 Jan); P4 K Y2 MLD lead T2, registered Mon 10 Nov 2025; P5 M (monitored).

As of Fri 6 Mar 2026 (Spring term; Autumn completed), DOMAIN.md "Statuses" gives: P1 met
in Autumn (M1) and Spring (M2) -> done_this_term; P2 met in Autumn (M3), M6 in Spring was
did_not_attend -> due_this_term; P3 no counting meeting this year (M5 cancelled) ->
never_met; P4 registered after Autumn began, nothing yet -> due_this_term. Requests: R5
(P4, Mon 26 Jan) due Mon 2 Feb and R6 (P2, Thu 29 Jan) due Thu 5 Feb are open and overdue;
R1-R3 acknowledged, R4 routed (safeguarding).
"""

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

import sendlib
from sendlib.explorer.queries import (
    ALL,
    CaseloadFilter,
    annual_review_counts,
    caseload,
    coverage_counts,
    filter_options,
    filter_pupils,
    headline_strip,
    sort_pupils,
)
from sendlib.explorer.timeline import pupil_next_due, pupil_records_missing, pupil_timeline
from sendlib.explorer.todo import (
    annual_reviews_to_invite,
    pupils_without_meeting_this_term,
    requests_to_acknowledge,
)

D = dt.date
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SCHOOL = sendlib.load_school(TINY)
AS_OF = D(2026, 3, 6)
CASES = caseload(SCHOOL, AS_OF)


def tiny_copy(tmp_path: Path, *, meetings: str = "") -> sendlib.School:
    """The tiny school copied to tmp_path, meeting rows appended."""
    folder = tmp_path / "school"
    shutil.copytree(TINY, folder)
    if meetings:
        with (folder / "meetings.csv").open("a", encoding="utf-8") as handle:
            handle.write(meetings)
    return sendlib.load_school(folder)


def ids(frame: pl.DataFrame) -> list[str]:
    return frame["pupil_id"].to_list()


def figures(headlines) -> dict[str, str]:
    return {h.key: h.text for h in headlines}


# ------------------------------------------------------------------ the caseload


def test_caseload_lists_registered_and_monitored_pupils_with_their_meeting_status():
    rows = {r["pupil_id"]: r for r in CASES.pupils.iter_rows(named=True)}
    assert list(rows) == ["P1", "P2", "P3", "P4", "P5"]
    assert {p: r["coverage_status"] for p, r in rows.items()} == {
        "P1": "done_this_term",
        "P2": "due_this_term",
        "P3": "never_met",
        "P4": "due_this_term",
        "P5": "monitored",
    }
    assert [rows[p]["meetings_this_year"] for p in rows] == [2, 1, 0, 0, 0]
    assert rows["P1"]["last_meeting_on"] == D(2026, 1, 14)
    # Open requests: R6 for P2, R5 for P4, both past their due dates.
    assert [(rows[p]["open_requests"], rows[p]["overdue_requests"]) for p in rows] == [
        (0, 0),
        (1, 1),
        (0, 0),
        (1, 1),
        (0, 0),
    ]
    # P3's annual review: phase-transfer deadline Sat 14 Feb 2026, passed.
    assert rows["P3"]["annual_review_deadline_on"] == D(2026, 2, 14)
    assert rows["P3"]["annual_review_status"] == "overdue"
    assert CASES.has_names is False


def test_a_pupil_registered_after_as_of_is_not_yet_on_the_caseload():
    # As of Fri 7 Nov 2025, P4 (registered Mon 10 Nov) is not on the register yet.
    early = caseload(SCHOOL, D(2025, 11, 7))
    assert ids(early.pupils) == ["P1", "P2", "P3", "P5"]


def test_next_due_is_the_most_overdue_thing_owed_for_each_pupil():
    # P2: plan L2's review was due Fri 12 Dec 2025 and is not recorded; P3: annual review
    # invitations by Sat 31 Jan 2026 (14 days before 14 Feb); P4: R5 due Mon 2 Feb.
    next_due = dict(CASES.pupils.select("pupil_id", "next_due_on").iter_rows())
    assert next_due == {
        "P1": None,
        "P2": D(2025, 12, 12),
        "P3": D(2026, 1, 31),
        "P4": D(2026, 2, 2),
        "P5": None,
    }


def test_monitored_pupils_show_their_meetings_without_a_meeting_duty(tmp_path):
    # M9: a concern meeting with P5's parents, held Thu 15 Jan 2026. P5 is monitored (M):
    # the meeting is shown, but P5 is not counted for the three-meeting duty.
    school = tiny_copy(
        tmp_path, meetings="M9,P5,concern,2026-01-15 10:00,30,S1,true,in_person,held,2026-01-16,\n"
    )
    cases = caseload(school, AS_OF)
    p5 = cases.pupils.filter(pl.col("pupil_id") == "P5").row(0, named=True)
    assert (p5["coverage_status"], p5["meetings_this_year"], p5["last_meeting_on"]) == (
        "monitored",
        1,
        D(2026, 1, 15),
    )
    assert figures(headline_strip(cases, cases.pupils))["on_track"] == "3 of 4"
    assert "P5" not in ids(pupils_without_meeting_this_term(cases, cases.pupils))
    assert ("Meeting about a concern") in pupil_timeline(cases, "P5")["event"].to_list()


# ------------------------------------------------------------------ filters and headlines


def test_headline_strip_for_the_whole_caseload():
    strip = headline_strip(CASES, CASES.pupils)
    assert figures(strip) == {
        "pupils_shown": "5",
        "on_track": "3 of 4",  # P1, P2, P4 of the four registered
        "never_met": "1",  # P3
        "overdue_acknowledgements": "2",  # R5, R6
        "annual_reviews_due": "0",  # P3's is already overdue, not due soon
    }
    notes = {h.key: h.note for h in strip}
    assert "1 monitored" in notes["pupils_shown"]
    assert "1 more already overdue" in notes["annual_reviews_due"]
    assert [h.title for h in strip][-1] == "Annual reviews due in six weeks"


def test_choosing_a_year_group_narrows_every_headline():
    year_4 = filter_pupils(CASES.pupils, CaseloadFilter(year_group="4"))
    assert ids(year_4) == ["P2"]
    assert figures(headline_strip(CASES, year_4)) == {
        "pupils_shown": "1",
        "on_track": "1 of 1",
        "never_met": "0",
        "overdue_acknowledgements": "1",  # R6
        "annual_reviews_due": "0",
    }


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (CaseloadFilter(), ["P1", "P2", "P3", "P4", "P5"]),
        (CaseloadFilter(year_group=ALL, sen_status=ALL), ["P1", "P2", "P3", "P4", "P5"]),
        (CaseloadFilter(lead_staff_id="T2", coverage_status="due_this_term"), ["P2", "P4"]),
        (CaseloadFilter(sen_status="M"), ["P5"]),
        (CaseloadFilter(primary_need="ASD", sen_status="E"), ["P3"]),
        (CaseloadFilter(coverage_status="missed_term"), []),
    ],
)
def test_filters_combine(chosen, expected):
    assert ids(filter_pupils(CASES.pupils, chosen)) == expected


def test_filter_choices_are_in_words_a_sendco_uses():
    options = filter_options(CASES)
    assert options["year_group"] == [
        ("All year groups", ALL),
        ("Year 2", "2"),
        ("Year 3", "3"),
        ("Year 4", "4"),
        ("Year 5", "5"),
        ("Year 6", "6"),
    ]
    assert ("Autistic spectrum disorder (ASD)", "ASD") in options["primary_need"]
    assert options["sen_status"][1:] == [
        ("SEN support", "K"),
        ("EHC plan", "E"),
        ("Monitored (not on register)", "M"),
    ]
    assert options["lead_staff_id"][1:] == [
        ("T1 (class teacher)", "T1"),
        ("T2 (class teacher)", "T2"),
    ]
    # Only statuses someone has: nobody has missed a term.
    assert [label for label, _ in options["coverage_status"]] == [
        "All meeting statuses",
        "Not met this year",
        "Meeting still owed this term",
        "Met this term",
        "Monitored (not on the register)",
    ]


# ------------------------------------------------------------------ the SENDCo's to-do lists (todo.py)


def test_requests_to_acknowledge_today_are_those_due_or_overdue():
    todo = requests_to_acknowledge(CASES, CASES.pupils)
    assert todo.select("when", "request_id", "pupil_id", "due_on", "overdue").rows() == [
        ("today", "R5", "P4", D(2026, 2, 2), True),
        ("today", "R6", "P2", D(2026, 2, 5), True),
    ]


def test_requests_due_in_the_next_seven_days_are_this_weeks():
    # As of Thu 29 Jan 2026: R5 (received Mon 26 Jan) is due Mon 2 Feb; R6 (received that
    # day) is due on the 5th school day after it, Thu 5 Feb: both within seven days.
    cases = caseload(SCHOOL, D(2026, 1, 29))
    todo = requests_to_acknowledge(cases, cases.pupils)
    assert todo.select("when", "request_id", "due_on", "overdue").rows() == [
        ("this_week", "R5", D(2026, 2, 2), False),
        ("this_week", "R6", D(2026, 2, 5), False),
    ]
    # Only for the pupils shown.
    year_2 = filter_pupils(cases.pupils, CaseloadFilter(year_group="2"))
    assert requests_to_acknowledge(cases, year_2)["request_id"].to_list() == ["R5"]


def test_pupils_without_a_meeting_this_term_neediest_first():
    # Never met first (P3), then those owed this term's meeting, longest since one first:
    # P4 (never met: registered mid-Autumn, so no completed term) before P2 (13 Nov).
    todo = pupils_without_meeting_this_term(CASES, CASES.pupils)
    assert todo.select("pupil_id", "coverage_status", "last_meeting_on").rows() == [
        ("P3", "never_met", None),
        ("P4", "due_this_term", None),
        ("P2", "due_this_term", D(2025, 11, 13)),
    ]


def test_no_meeting_list_in_a_holiday():
    # Wed 1 Apr 2026 is in the Easter holiday: there is no current term to meet in.
    cases = caseload(SCHOOL, D(2026, 4, 1))
    assert pupils_without_meeting_this_term(cases, cases.pupils).is_empty()


def test_annual_review_invitations_need_two_weeks_notice():
    # As of Fri 6 Mar 2026, P3's deadline (Sat 14 Feb, the day before 15 February: issue 12
    # point 4 corrected it from 15 Feb) has passed: invite now; with two weeks' notice
    # (reg. 20) the earliest meeting is Fri 20 Mar, too late for the deadline. Hold by
    # 14 Feb less 12 weeks = Sat 22 Nov 2025.
    invite = annual_reviews_to_invite(CASES, CASES.pupils)
    assert invite.row(0, named=True) | {"display_name": None} == {
        "pupil_id": "P3",
        "display_name": None,
        "year_group": "6",
        "deadline_on": D(2026, 2, 14),
        "transfer_deadline": True,
        "hold_by": D(2025, 11, 22),
        "invite_by": D(2026, 1, 31),
        "invite_late": True,
        "earliest_meeting_on": D(2026, 3, 20),
        "deadline_reachable": False,
        "next_review_booked_on": None,
        "short_notice": False,
        "status": "overdue",
    }
    # As of Sat 10 Jan 2026: invite by Sat 31 Jan, within the six-week window; still in time.
    january = caseload(SCHOOL, D(2026, 1, 10))
    row = annual_reviews_to_invite(january, january.pupils).row(0, named=True)
    assert (row["invite_by"], row["invite_late"], row["deadline_reachable"]) == (
        D(2026, 1, 31),
        False,
        True,
    )
    # As of Mon 1 Dec 2025 the invitation is more than six weeks away: not listed yet.
    december = caseload(SCHOOL, D(2025, 12, 1))
    assert annual_reviews_to_invite(december, december.pupils).is_empty()


# ------------------------------------------------------------------ one pupil (timeline.py)


def test_pupil_timeline_in_date_order():
    timeline = pupil_timeline(CASES, "P1")
    assert timeline.select("on", "event").rows() == [
        (D(2024, 9, 4), "Placed on the SEN register"),
        (D(2025, 9, 15), "SEN Support Plan started"),
        (D(2025, 10, 8), "Review meeting"),
        (D(2025, 10, 23), "Request from parents"),
        (D(2025, 12, 1), "Request from parents"),
        (D(2025, 12, 10), "SEN Support Plan reviewed"),
        (D(2026, 1, 14), "Review meeting"),
    ]
    details = timeline["detail"].to_list()
    # R1: received Thu 23 Oct, acknowledged Fri 7 Nov: 5 school days over half term and INSET.
    assert "meeting offered on Fri 7 Nov 2025 (5 school days, on time)" in details[3]
    assert "routed away" in details[4]
    # M2 held Wed 14 Jan; its record was due Wed 21 Jan and went on Mon 26 Jan.
    assert details[6] == (
        "held, led by T1, SENDCo attended, written record sent late (Mon 26 Jan 2026)"
    )


def test_pupil_timeline_leaves_out_later_records_but_shows_booked_meetings():
    # As of Sat 10 Jan 2026, M2 (Wed 14 Jan) is in the diary, not yet held.
    cases = caseload(SCHOOL, D(2026, 1, 10))
    timeline = pupil_timeline(cases, "P1")
    last = timeline.row(-1, named=True)
    assert (last["on"], last["event"], last["booked"]) == (D(2026, 1, 14), "Review meeting", True)
    assert last["detail"].startswith("booked for 15:30")
    assert timeline.filter(~pl.col("booked"))["on"].max() <= D(2026, 1, 10)


def test_next_due_for_one_pupil_soonest_first():
    # P3: invitations (Sat 31 Jan), the phase-transfer deadline (Sat 14 Feb), this term's
    # parent meeting (by the end of term, Fri 27 Mar). Its EHC plan's review is the annual
    # review, so the plan is not listed again.
    assert pupil_next_due(CASES, "P3").rows() == [
        (D(2026, 1, 31), "Send annual review invitations (14 days' notice)", True),
        (D(2026, 2, 14), "Hold the annual review (phase-transfer deadline)", True),
        (D(2026, 3, 27), "Parent meeting owed this term (Spring 2026)", False),
    ]


def test_written_records_missing(tmp_path):
    # M8: P2's review held Wed 25 Feb 2026 with no record; due on the 5th school day after,
    # Wed 4 Mar; as of Fri 6 Mar it is missing. It is also P2's Spring meeting.
    school = tiny_copy(
        tmp_path, meetings="M8,P2,review,2026-02-25 15:30,30,T2,false,in_person,held,,\n"
    )
    cases = caseload(school, AS_OF)
    assert pupil_records_missing(cases, "P2").rows() == [
        ("M8", D(2026, 2, 25), "review", D(2026, 3, 4))
    ]
    p2 = cases.pupils.filter(pl.col("pupil_id") == "P2").row(0, named=True)
    assert (p2["records_missing"], p2["coverage_status"]) == (1, "done_this_term")
    assert (D(2026, 3, 4), "Send the written record (meeting on Wed 25 Feb 2026)", True) in (
        pupil_next_due(cases, "P2").rows()
    )
    assert pupil_records_missing(cases, "P1").is_empty()


# ------------------------------------------------------------------ table and charts


def test_sorting_the_pupils_table():
    fewest = sort_pupils(CASES.pupils, "Meetings this year (fewest first)")
    assert ids(fewest) == ["P3", "P4", "P5", "P2", "P1"]
    assert ids(sort_pupils(CASES.pupils, "Meetings this year (fewest first)", reverse=True)) == [
        "P1",
        "P2",
        "P5",
        "P4",
        "P3",
    ]
    # Most overdue first; nothing due last.
    assert ids(sort_pupils(CASES.pupils, "Next due (most overdue first)")) == [
        "P2",
        "P3",
        "P4",
        "P1",
        "P5",
    ]
    assert ids(sort_pupils(CASES.pupils, "Year group")) == ["P4", "P1", "P2", "P5", "P3"]
    never_first = sort_pupils(CASES.pupils, "Parent-meeting status (never met first)")
    assert ids(never_first)[:1] == ["P3"] and ids(never_first)[-1] == "P5"


def test_chart_counts_follow_the_filter():
    years = ["2", "3", "4", "6"]
    # Stacking order: on track, behind, missed a term, never met.
    assert coverage_counts(CASES.pupils, "year_group", years) == {
        "done_this_term": [0, 1, 0, 0],
        "due_this_term": [1, 0, 1, 0],
        "missed_term": [0, 0, 0, 0],
        "never_met": [0, 0, 0, 1],
    }
    year_4 = filter_pupils(CASES.pupils, CaseloadFilter(year_group="4"))
    assert coverage_counts(year_4, "year_group", years)["due_this_term"] == [0, 0, 1, 0]
    months = [D(2026, 2, 1)]
    assert annual_review_counts(CASES.reviews, CASES.pupils, months) == {
        "overdue": [1],
        "due_soon": [0],
        "ok": [0],
    }
    assert annual_review_counts(CASES.reviews, year_4, months)["overdue"] == [0]
