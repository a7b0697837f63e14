"""Response times to meeting requests, worked by hand (DOMAIN.md "Meeting requests").

The tiny school's calendar (tests/fixtures/tiny/school.toml): England; Autumn 2025 Wed 3 Sep -
Fri 19 Dec (half term Mon 27 - Fri 31 Oct, INSET Mon 3 Nov); Spring 2026 Mon 5 Jan - Fri 27 Mar
(half term 16-20 Feb); Summer 2026 Mon 13 Apr - Tue 21 Jul (May Day Mon 4 May, half term
25-29 May). Policy: acknowledge within 5 school days.

Rules used throughout (DOMAIN.md "School-day arithmetic" and "Statuses"):
- effective receipt day = the receipt day if a school day, else the next school day;
- due = the 5th school day after the effective receipt day;
- school days taken = school days d with effective < d <= acknowledgement (or as of, while open);
- routed (kind safeguarding / urgent_day_to_day, or a routing response) is never late;
- records dated after as of are ignored; as of == due date is not yet overdue.
"""

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sendlib
from sendlib import CalendarRangeError
from sendlib.rules.requests import (
    STATUSES,
    open_backlog,
    requests_in_words,
    response_summary,
    response_times,
)
from sendlib.school.asof import school_year
from sendlib.school.schema import CHANNELS, REQUEST_KINDS, RESPONSES

D = dt.date
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SCHOOL = sendlib.load_school(TINY)
AS_OF = D(2026, 3, 6)  # Fri 6 Mar 2026, Spring term


def school_with(tmp_path: Path, *, requests: str = "", meetings: str = "") -> sendlib.School:
    """The tiny school copied to tmp_path with extra CSV rows appended."""
    folder = tmp_path / "school"
    shutil.copytree(TINY, folder)
    for name, rows in (("requests", requests), ("meetings", meetings)):
        if rows:
            with (folder / f"{name}.csv").open("a", encoding="utf-8") as handle:
                handle.write(rows)
    return sendlib.load_school(folder)


def row(times: pl.DataFrame, request_id: str) -> dict:
    (found,) = times.filter(pl.col("request_id") == request_id).to_dicts()
    return found


# ---------------------------------------------------------------- every tiny request


TINY_AS_OF_6_MARCH = {
    # R1 received Thu 23 Oct 2025 (a school day, so effective that day). Due: 24 Oct (1), half
    # term 27-31 Oct, INSET Mon 3 Nov, 4, 5, 6, 7 Nov (2-5) -> Fri 7 Nov (DOMAIN.md example).
    # Acknowledged Fri 7 Nov: 5 school days taken -> on_time.
    "R1": (D(2025, 10, 23), D(2025, 11, 7), D(2025, 11, 7), 5, "on_time"),
    # R2 same receipt and due date; acknowledged Mon 10 Nov: 5 + 10 Nov = 6 -> late.
    "R2": (D(2025, 10, 23), D(2025, 11, 7), D(2025, 11, 10), 6, "late"),
    # R3 received Sat 25 Oct: half term, then INSET Mon 3 Nov -> effective Tue 4 Nov.
    # Due 5, 6, 7, 10, 11 Nov -> Tue 11 Nov. Acknowledged Wed 5 Nov: 1 school day -> on_time.
    "R3": (D(2025, 11, 4), D(2025, 11, 11), D(2025, 11, 5), 1, "on_time"),
    # R4 received Mon 1 Dec, kind safeguarding: due 2, 3, 4, 5, 8 Dec -> Mon 8 Dec;
    # acknowledged the same day (0 days); routed by its kind.
    "R4": (D(2025, 12, 1), D(2025, 12, 8), D(2025, 12, 1), 0, "routed"),
    # R5 received Mon 26 Jan 2026; due 27, 28, 29, 30 Jan, Mon 2 Feb. Open as of Fri 6 Mar,
    # after the due date -> open_overdue; 24 school days: 27-30 Jan 4, 2-6 Feb 5, 9-13 Feb 5,
    # half term skipped, 23-27 Feb 5, 2-6 Mar 5.
    "R5": (D(2026, 1, 26), D(2026, 2, 2), None, 24, "open_overdue"),
    # R6 received Thu 29 Jan; due 30 Jan, 2, 3, 4, 5 Feb -> Thu 5 Feb. Open, overdue;
    # 21 school days: 30 Jan 1, then 5 + 5 + 5 + 5 as for R5.
    "R6": (D(2026, 1, 29), D(2026, 2, 5), None, 21, "open_overdue"),
}


@pytest.mark.parametrize("request_id", sorted(TINY_AS_OF_6_MARCH))
def test_each_tiny_request_as_of_6_march(request_id):
    effective, due, acknowledged, taken, status = TINY_AS_OF_6_MARCH[request_id]
    got = row(response_times(SCHOOL, AS_OF), request_id)
    assert got["effective_on"] == effective
    assert got["due_on"] == due
    assert got["acknowledged_on"] == acknowledged
    assert got["school_days_taken"] == taken
    assert got["status"] == status


def test_tiny_terms_and_sort_order():
    times = response_times(SCHOOL, AS_OF)
    assert times["request_id"].to_list() == ["R1", "R2", "R3", "R4", "R5", "R6"]
    # The term is the term of the effective receipt day: R3's is Tue 4 Nov, in Autumn.
    assert times["term"].to_list() == ["Autumn 2025"] * 4 + ["Spring 2026"] * 2


# ------------------------------------------------------------------------- routed


def test_routed_by_kind_is_never_late_even_when_never_acknowledged(tmp_path):
    # DOMAIN.md: urgent day-to-day matters go to the class teacher; counted as routed.
    # R8 received Tue 3 Feb 2026, never acknowledged: without routing it would be
    # open_overdue as of 6 Mar (due 4, 5, 6, 9, 10 Feb -> Tue 10 Feb).
    school = school_with(tmp_path, requests="R8,P2,2026-02-03,other,urgent_day_to_day,,\n")
    got = row(response_times(school, AS_OF), "R8")
    assert got["due_on"] == D(2026, 2, 10)
    assert got["status"] == "routed"
    # R4 (safeguarding, tiny) likewise routed, never late.
    assert row(response_times(school, AS_OF), "R4")["status"] == "routed"


def test_routed_by_response_is_never_late(tmp_path):
    # R7: a "meeting" request received Mon 2 Feb 2026, due 3, 4, 5, 6, 9 Feb -> Mon 9 Feb,
    # answered Mon 2 Mar by routing it to the class teacher: 15 school days (3-6 Feb 4,
    # 9-13 Feb 5, half term, 23-27 Feb 5, 2 Mar 1) would be late, but routed is never late.
    school = school_with(
        tmp_path, requests="R7,P1,2026-02-02,office,meeting,2026-03-02,routed_class_teacher\n"
    )
    got = row(response_times(school, AS_OF), "R7")
    assert (got["due_on"], got["school_days_taken"], got["status"]) == (
        D(2026, 2, 9),
        15,
        "routed",
    )
    summary = response_summary(response_times(school, AS_OF)).row(0, named=True)
    assert summary["routed"] == 2 and summary["late"] == 1  # R4 + R7 routed; only R2 late


def test_routing_response_after_as_of_has_not_happened_yet(tmp_path):
    # As-of rule: as of Sun 1 Mar the routing answer of Mon 2 Mar is not yet written, so R7
    # is an ordinary open request, past its due date (Mon 9 Feb) -> open_overdue;
    # 14 school days to 1 Mar (3-6 Feb 4, 9-13 Feb 5, 23-27 Feb 5).
    school = school_with(
        tmp_path, requests="R7,P1,2026-02-02,office,meeting,2026-03-02,routed_class_teacher\n"
    )
    got = row(response_times(school, D(2026, 3, 1)), "R7")
    assert got["acknowledged_on"] is None and got["response"] is None
    assert (got["school_days_taken"], got["status"]) == (14, "open_overdue")


# ----------------------------------------------------------------------- as-of rule


def test_acknowledgement_after_as_of_is_treated_as_open():
    # As of Thu 6 Nov 2025: R1 and R2 (due Fri 7 Nov) are acknowledged later (7 and 10 Nov),
    # so they are open and not yet due; 4 school days so far (24 Oct, 4, 5, 6 Nov).
    # R3 was acknowledged Wed 5 Nov, before as of -> on_time with 1 day.
    times = response_times(SCHOOL, D(2025, 11, 6))
    assert times["request_id"].to_list() == ["R1", "R2", "R3"]
    assert times["acknowledged_on"].to_list() == [None, None, D(2025, 11, 5)]
    assert times["school_days_taken"].to_list() == [4, 4, 1]
    assert times["status"].to_list() == ["open_not_due", "open_not_due", "on_time"]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # R4 was received Mon 1 Dec 2025: not there on Fri 28 Nov, there on the day itself.
        (D(2025, 11, 28), ["R1", "R2", "R3"]),
        (D(2025, 12, 1), ["R1", "R2", "R3", "R4"]),
        # R6 (Thu 29 Jan 2026) is not yet received on Tue 27 Jan.
        (D(2026, 1, 27), ["R1", "R2", "R3", "R4", "R5"]),
    ],
)
def test_requests_received_after_as_of_are_excluded(as_of, expected):
    assert response_times(SCHOOL, as_of)["request_id"].to_list() == expected


# ------------------------------------------------------------ effective receipt day


def test_bank_holiday_receipt_counts_from_the_next_school_day(tmp_path):
    # Received on May Day, Mon 4 May 2026 (bank holiday) -> effective Tue 5 May;
    # due 6, 7, 8, 11, 12 May -> Tue 12 May. R9 acknowledged Tue 12 May: 5 -> on_time;
    # R10 acknowledged Wed 13 May: 6 -> late.
    school = school_with(
        tmp_path,
        requests=(
            "R9,P1,2026-05-04,email,meeting,2026-05-12,meeting_offered\n"
            "R10,P2,2026-05-04,email,meeting,2026-05-13,meeting_offered\n"
        ),
    )
    times = response_times(school, D(2026, 5, 20))
    for request_id, taken, status in (("R9", 5, "on_time"), ("R10", 6, "late")):
        got = row(times, request_id)
        assert got["effective_on"] == D(2026, 5, 5)
        assert got["due_on"] == D(2026, 5, 12)
        assert (got["school_days_taken"], got["status"], got["term"]) == (
            taken,
            status,
            "Summer 2026",
        )


def test_summer_holiday_receipt_counts_from_the_first_school_day(tmp_path):
    # Received Fri 15 Aug 2025 (summer holiday) -> effective Wed 3 Sep (first day of term);
    # due 4, 5, 8, 9, 10 Sep -> Wed 10 Sep; acknowledged that day: 5 -> on_time.
    school = school_with(
        tmp_path, requests="R11,P1,2025-08-15,email,meeting,2025-09-10,meeting_offered\n"
    )
    got = row(response_times(school, D(2025, 9, 30)), "R11")
    assert (got["effective_on"], got["due_on"]) == (D(2025, 9, 3), D(2025, 9, 10))
    assert (got["school_days_taken"], got["status"], got["term"]) == (5, "on_time", "Autumn 2025")


# ------------------------------------------------------------- overdue boundary


@pytest.mark.parametrize(
    ("request_id", "as_of", "taken", "status"),
    [
        # R2 due Fri 7 Nov 2025, acknowledged Mon 10 Nov.
        ("R2", D(2025, 11, 7), 5, "open_not_due"),  # as of == due date: not yet overdue
        ("R2", D(2025, 11, 8), 5, "open_overdue"),  # Sat: after due, no extra school day
        ("R2", D(2025, 11, 10), 6, "late"),  # acknowledged on the 6th school day
        # R6 due Thu 5 Feb 2026, never acknowledged: 30 Jan, 2, 3, 4, 5 Feb = 5 on the due date.
        ("R6", D(2026, 2, 5), 5, "open_not_due"),
        ("R6", D(2026, 2, 6), 6, "open_overdue"),
    ],
)
def test_open_not_due_until_the_due_date_then_overdue(request_id, as_of, taken, status):
    got = row(response_times(SCHOOL, as_of), request_id)
    assert (got["school_days_taken"], got["status"]) == (taken, status)


# -------------------------------------------------------------- days to meeting


def test_school_days_to_linked_meeting():
    # R2 received Thu 23 Oct 2025; linked meeting M3 held Thu 13 Nov:
    # 24 Oct (1), half term, INSET 3 Nov, 4-7 Nov (4), 10-13 Nov (4) = 9 school days.
    got = row(response_times(SCHOOL, AS_OF), "R2")
    assert got["first_meeting_on"] == D(2025, 11, 13)
    assert got["school_days_to_meeting"] == 9
    assert got["first_meeting_held_on"] == D(2025, 11, 13)
    assert got["school_days_to_meeting_held"] == 9
    # Requests without a linked meeting have none.
    assert row(response_times(SCHOOL, AS_OF), "R1")["school_days_to_meeting"] is None


def test_meeting_not_yet_held_as_of_is_ignored():
    # As of Wed 12 Nov 2025, M3 (13 Nov) has not happened: no meeting for R2 yet.
    got = row(response_times(SCHOOL, D(2025, 11, 12)), "R2")
    assert got["first_meeting_on"] is None and got["school_days_to_meeting"] is None


def test_first_offered_and_first_held_meetings_differ_when_one_was_cancelled(tmp_path):
    # R6 received Thu 29 Jan 2026. A meeting on Tue 10 Feb was cancelled: 30 Jan (1),
    # 2-6 Feb (5), 9-10 Feb (2) = 8 school days. The held one on Tue 24 Feb: + 11-13 Feb (3),
    # half term skipped, 23-24 Feb (2) = 13 school days.
    school = school_with(
        tmp_path,
        meetings=(
            "M8,P2,concern,2026-02-10 09:00,30,S1,true,in_person,cancelled,,R6\n"
            "M9,P2,concern,2026-02-24 09:00,30,S1,true,in_person,held,2026-02-25,R6\n"
        ),
    )
    got = row(response_times(school, AS_OF), "R6")
    assert (got["first_meeting_on"], got["school_days_to_meeting"]) == (D(2026, 2, 10), 8)
    assert (got["first_meeting_held_on"], got["school_days_to_meeting_held"]) == (
        D(2026, 2, 24),
        13,
    )


# ------------------------------------------------------------------------- summary


def test_response_summary_overall():
    # As of 6 Mar: on_time R1, R3; late R2; open_overdue R5, R6; routed R4.
    # on_time_share = on_time / (on_time + late + open_overdue) = 2 / 5.
    # Median school days over acknowledged duty requests: R1 5, R2 6, R3 1 -> 5.
    got = response_summary(response_times(SCHOOL, AS_OF)).row(0, named=True)
    assert {k: got[k] for k in ("requests", *STATUSES, "decided")} == {
        "requests": 6,
        "on_time": 2,
        "late": 1,
        "open_overdue": 2,
        "open_not_due": 0,
        "routed": 1,
        "decided": 5,
    }
    assert got["on_time_share"] == pytest.approx(0.4)
    assert got["median_school_days"] == 5


def test_open_not_due_is_outside_the_on_time_share():
    # As of Mon 2 Feb 2026: R5 is due that day and R6 on Thu 5 Feb: both open_not_due, so
    # the share is on_time / (on_time + late + open_overdue) = 2 / (2 + 1 + 0).
    got = response_summary(response_times(SCHOOL, D(2026, 2, 2))).row(0, named=True)
    assert (got["open_not_due"], got["open_overdue"], got["decided"]) == (2, 0, 3)
    assert got["on_time_share"] == pytest.approx(2 / 3)


def test_response_summary_by_term():
    # Autumn: R1, R3 on time, R2 late, R4 routed -> 2 / 3. Spring: R5, R6 overdue -> 0 / 2.
    got = response_summary(response_times(SCHOOL, AS_OF), by="term")
    assert got.select("term", "requests", "on_time", "late", "open_overdue", "routed").rows() == [
        ("Autumn 2025", 4, 2, 1, 0, 1),
        ("Spring 2026", 2, 0, 0, 2, 0),
    ]
    assert got["on_time_share"].to_list() == pytest.approx([2 / 3, 0.0])


def test_response_summary_by_channel():
    # class_teacher: R4 routed, nothing decided -> no share; email: R2 late -> 0;
    # office: R1, R3 on time, R6 overdue -> 2 / 3; phone: R5 overdue -> 0.
    got = response_summary(response_times(SCHOOL, AS_OF), by="channel")
    assert got["channel"].to_list() == ["class_teacher", "email", "office", "phone"]
    assert got["requests"].to_list() == [1, 1, 3, 1]
    assert got["decided"].to_list() == [0, 1, 3, 1]
    shares = got["on_time_share"].to_list()
    assert shares[0] is None
    assert shares[1:] == pytest.approx([0.0, 2 / 3, 0.0])


# --------------------------------------------------------------------- open backlog


@pytest.mark.parametrize(
    ("day", "open_", "overdue"),
    [
        (D(2025, 10, 24), 2, 0),  # R1, R2 received Thu 23 Oct; due Fri 7 Nov
        (D(2025, 11, 4), 3, 0),  # + R3, effective Tue 4 Nov
        (D(2025, 11, 5), 2, 0),  # R3 acknowledged Wed 5 Nov
        (D(2025, 11, 7), 1, 0),  # R1 acknowledged Fri 7 Nov; R2 due today, not yet overdue
        (D(2025, 11, 10), 0, 0),  # R2 acknowledged (late) Mon 10 Nov: closed by day's end
        (D(2025, 12, 1), 0, 0),  # R4 is routed: never in the backlog
        (D(2026, 1, 26), 1, 0),  # R5 received Mon 26 Jan
        (D(2026, 2, 2), 2, 0),  # + R6 (29 Jan); R5 due today
        (D(2026, 2, 3), 2, 1),  # R5 overdue (due Mon 2 Feb)
        (D(2026, 2, 5), 2, 1),  # R6 due today
        (D(2026, 2, 6), 2, 2),  # R6 overdue (due Thu 5 Feb)
        (D(2026, 3, 6), 2, 2),
    ],
)
def test_open_backlog_on_days_worked_by_hand(day, open_, overdue):
    backlog = open_backlog(SCHOOL, response_times(SCHOOL, AS_OF), AS_OF)
    got = backlog.filter(pl.col("day") == day).row(0, named=True)
    assert (got["open"], got["overdue"]) == (open_, overdue)


def test_open_backlog_has_one_row_per_school_day_of_the_year_so_far():
    # Autumn: 3-5 Sep 3, 8 Sep-24 Oct 35, 4-7 Nov 4 (INSET Mon 3 Nov), 10 Nov-19 Dec 30 = 72;
    # Spring to Fri 6 Mar: 5 Jan-13 Feb 30, 23 Feb-6 Mar 10 = 40. Total 112.
    backlog = open_backlog(SCHOOL, response_times(SCHOOL, AS_OF), AS_OF)
    assert backlog.height == 112
    assert backlog["day"].min() == D(2025, 9, 3) and backlog["day"].max() == AS_OF
    assert D(2025, 11, 3) not in backlog["day"].to_list()  # INSET day


# ------------------------------------------------------------------ calendar range


def test_as_of_after_the_calendar_is_an_error_about_adding_terms():
    # DOMAIN.md: arithmetic past the calendar is an error with a clear message, never a guess.
    with pytest.raises(CalendarRangeError, match=r"add that school year's \[\[terms\]\]"):
        school_year(SCHOOL, D(2026, 7, 22))
    with pytest.raises(CalendarRangeError, match=r"\[\[terms\]\]"):
        response_times(SCHOOL, D(2026, 9, 7))


# ------------------------------------------------------------------------ property


FIRST, LAST_RECEIPT, LAST = D(2025, 8, 1), D(2026, 7, 14), D(2026, 7, 21)


@st.composite
def request_tables(draw):
    """Requests anywhere in the calendar (received by 14 Jul, so the due date exists)."""
    rows = []
    for number in range(draw(st.integers(0, 25))):
        received = draw(st.dates(FIRST, LAST_RECEIPT))
        delay = draw(st.none() | st.integers(0, 40))
        acknowledged = None if delay is None else min(received + dt.timedelta(days=delay), LAST)
        response = None if acknowledged is None else draw(st.sampled_from(RESPONSES))
        rows.append(
            {
                "request_id": f"G{number}",
                "pupil_id": "P1",
                "received_on": received,
                "channel": draw(st.sampled_from(CHANNELS)),
                "kind": draw(st.sampled_from(REQUEST_KINDS)),
                "acknowledged_on": acknowledged,
                "response": response,
            }
        )
    return pl.DataFrame(rows, schema=SCHOOL.requests.schema)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests=request_tables(), as_of=st.dates(FIRST, LAST))
def test_statuses_partition_the_requests_received_by_as_of(requests, as_of):
    # DOMAIN.md "Statuses": every request received by as of has exactly one of the five.
    school = dataclasses.replace(SCHOOL, requests=requests)
    times = response_times(school, as_of)
    assert set(times["status"]) <= set(STATUSES)
    received = requests.filter(pl.col("received_on") <= as_of).height
    assert times.height == received
    summary = response_summary(times).row(0, named=True)
    assert sum(summary[s] for s in STATUSES) == summary["requests"] == received
    # Routed whenever the kind routes it away, whatever happened to it.
    routed_kinds = times.filter(pl.col("kind").is_in(["safeguarding", "urgent_day_to_day"]))
    assert (routed_kinds["status"] == "routed").all()
    # Open exactly when not acknowledged by as of (and not routed).
    duty = times.filter(pl.col("status") != "routed")
    open_ = duty["status"].is_in(["open_overdue", "open_not_due"])
    assert (open_ == duty["acknowledged_on"].is_null()).all()
    # The backlog's last day agrees with the statuses when as of is a school day.
    if school.calendar.is_school_day(as_of) and as_of >= D(2025, 9, 3):
        last = open_backlog(school, times, as_of).row(-1, named=True)
        assert last["day"] == as_of
        assert last["open"] == summary["open_overdue"] + summary["open_not_due"]
        assert last["overdue"] == summary["open_overdue"]


def test_requests_for_information_are_not_meeting_requests():
    # DOMAIN.md "Offered but not held": "meeting requests" are requests of kind meeting;
    # requests for information are counted on their own line. Tiny, 6 Mar 2026: decided are
    # R1, R2, R3 (meeting: on time, late, on time), R5 (information, open past due) and R6
    # (meeting, open past due); R4 is safeguarding (routed).
    overall = response_summary(response_times(SCHOOL, AS_OF)).row(0, named=True)
    assert (overall["meeting_requests"], overall["information_requests"]) == (4, 1)
    assert overall["meeting_requests"] + overall["information_requests"] == overall["decided"]
    assert requests_in_words(4, 1) == "4 meeting requests and 1 request for information"
    assert requests_in_words(1, 0) == "1 meeting request"
    assert requests_in_words(0, 2) == "2 requests for information"
