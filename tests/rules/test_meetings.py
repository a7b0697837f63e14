"""Review coverage and written records, worked by hand (DOMAIN.md "Statuses").

Tiny school (tests/fixtures/tiny): Autumn 2025 Wed 3 Sep - Fri 19 Dec (half term 27-31 Oct,
INSET Mon 3 Nov), Spring 2026 Mon 5 Jan - Fri 27 Mar (half term 16-20 Feb), Summer 2026
Mon 13 Apr - Tue 21 Jul. Pupils: P1 K Y3 (reg. 2024), P2 K Y4 (reg. 2024), P3 E Y6 (last annual
review Mon 10 Mar 2025), P4 K Y2 registered Mon 10 Nov 2025 (mid-Autumn), P5 M (monitored).
Meetings: M1 P1 review held Wed 8 Oct 2025 (class teacher led); M2 P1 review held Wed 14 Jan
2026; M3 P2 concern held Thu 13 Nov 2025; M4 P3 annual review held Mon 10 Mar 2025 (last
school year); M5 P3 review cancelled Wed 3 Dec 2025; M6 P2 review did_not_attend Wed 21 Jan
2026; M7 unbooked surgery Thu 22 Jan 2026.

DOMAIN.md "Statuses": a meeting counts when held and of kind review, annual_review or concern;
completed terms = terms that ended before as of in which the pupil was registered on the first
day; current term = the term containing as of (none in a holiday); status, first that applies:
never_met (no counting meeting this year and >= 1 completed term), missed_term (>= 1 completed
term without a counting meeting), due_this_term (none yet in the current term), done_this_term.
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
from sendlib.rules.frame import SchoolGroup
from sendlib.rules.meetings import (
    COVERAGE_LABELS,
    COVERAGE_STATUSES,
    ON_TRACK,
    RECORD_STATUSES,
    coverage_breakdown,
    group_review_coverage,
    meetings_by_term,
    record_timeliness,
    review_coverage,
)
from sendlib.school.schema import MEETING_KINDS, MEETING_STATUSES

D = dt.date
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SCHOOL = sendlib.load_school(TINY)
AS_OF = D(2026, 3, 6)  # Fri 6 Mar 2026, Spring term
COLUMNS = ("completed_terms", "meetings_this_year", "meetings_this_term", "terms_missed", "status")


def school_with(
    tmp_path: Path, *, pupils: str = "", meetings: str = "", toml: tuple[str, str] | None = None
) -> sendlib.School:
    """The tiny school copied to tmp_path, extra CSV rows appended, school.toml edited."""
    folder = tmp_path / "school"
    shutil.copytree(TINY, folder)
    for name, rows in (("pupils", pupils), ("meetings", meetings)):
        if rows:
            with (folder / f"{name}.csv").open("a", encoding="utf-8") as handle:
                handle.write(rows)
    if toml:
        path = folder / "school.toml"
        text = path.read_text(encoding="utf-8")
        assert toml[0] in text
        path.write_text(text.replace(*toml), encoding="utf-8")
    return sendlib.load_school(folder)


def by_pupil(frame: pl.DataFrame, columns=COLUMNS) -> dict[str, tuple]:
    return {r["pupil_id"]: tuple(r[c] for c in columns) for r in frame.iter_rows(named=True)}


# ------------------------------------------------------------- tiny school, 3 dates


def test_coverage_in_autumn_term():
    # As of Thu 20 Nov 2025: current term Autumn, no completed terms (so nobody is never_met).
    # P1: M1 (8 Oct, held review; led by the class teacher, still counts) -> done_this_term.
    # P2: M3 (13 Nov, held concern) -> done_this_term.
    # P3: M4 was last school year, M5 (3 Dec) is later and cancelled -> due_this_term.
    # P4: registered 10 Nov, nothing yet -> due_this_term. P5 is monitored: not listed.
    got = by_pupil(review_coverage(SCHOOL, D(2025, 11, 20)))
    assert got == {
        "P1": (0, 1, 1, 0, "done_this_term"),
        "P2": (0, 1, 1, 0, "done_this_term"),
        "P3": (0, 0, 0, 0, "due_this_term"),
        "P4": (0, 0, 0, 0, "due_this_term"),
    }


def test_coverage_in_the_christmas_holiday():
    # As of Mon 22 Dec 2025: no current term; Autumn (ended Fri 19 Dec) is completed.
    # P1, P2 met in Autumn -> nothing missed, nothing owed in a holiday -> done_this_term.
    # P3: Autumn completed, no counting meeting this year -> never_met (1 term missed too).
    # P4: registered Mon 10 Nov, after Autumn's first day (Wed 3 Sep), so Autumn is not a
    # completed term for P4: nothing missed, no current term -> done_this_term.
    got = by_pupil(review_coverage(SCHOOL, D(2025, 12, 22)))
    assert got == {
        "P1": (1, 1, 0, 0, "done_this_term"),
        "P2": (1, 1, 0, 0, "done_this_term"),
        "P3": (1, 0, 0, 1, "never_met"),
        "P4": (0, 0, 0, 0, "done_this_term"),
    }


def test_coverage_in_spring_term():
    # As of Fri 6 Mar 2026: current Spring, Autumn completed.
    # P1: M1 (Autumn) + M2 (14 Jan) -> 2 this year, 1 this term -> done_this_term.
    # P2: M3 (Autumn); M6 (21 Jan) did_not_attend does not count -> due_this_term.
    # P3: M5 cancelled does not count; none this year -> never_met.
    # P4: registered mid-Autumn, so 0 completed terms, not missing Autumn -> due_this_term.
    coverage = review_coverage(SCHOOL, AS_OF)
    assert by_pupil(coverage) == {
        "P1": (1, 2, 1, 0, "done_this_term"),
        "P2": (1, 1, 0, 0, "due_this_term"),
        "P3": (1, 0, 0, 1, "never_met"),
        "P4": (0, 0, 0, 0, "due_this_term"),
    }
    # "On track" means due_this_term or done_this_term.
    assert dict(coverage.select("pupil_id", "on_track").iter_rows()) == {
        "P1": True,
        "P2": True,
        "P3": False,
        "P4": True,
    }
    assert dict(coverage.select("pupil_id", "last_meeting_on").iter_rows()) == {
        "P1": D(2026, 1, 14),
        "P2": D(2025, 11, 13),
        "P3": None,
        "P4": None,
    }


def test_status_precedence_in_summer():
    # As of Wed 6 May 2026: Autumn and Spring completed, Summer current.
    # P1: met both terms, not yet in Summer -> due_this_term.
    # P2: met Autumn (M3), Spring only a did_not_attend -> 1 missed; missed_term beats
    #     due_this_term (nothing in Summer either).
    # P3: nothing all year, 2 completed terms -> never_met beats missed_term (2 missed).
    # P4: registered 10 Nov, so on Spring's first day (5 Jan): Spring is completed for P4 and
    #     missed; no meetings -> never_met.
    assert by_pupil(review_coverage(SCHOOL, D(2026, 5, 6))) == {
        "P1": (2, 2, 0, 0, "due_this_term"),
        "P2": (2, 1, 0, 1, "missed_term"),
        "P3": (2, 0, 0, 2, "never_met"),
        "P4": (1, 0, 0, 1, "never_met"),
    }


def test_half_term_is_inside_the_current_term():
    # As of Wed 29 Oct 2025 (October half term): the term dates contain half term, so the
    # current term is Autumn and nothing is completed. P1 met on 8 Oct -> done_this_term;
    # P2 (M3 on 13 Nov not yet) and P3 -> due_this_term; P4 is not registered until 10 Nov.
    assert by_pupil(review_coverage(SCHOOL, D(2025, 10, 29))) == {
        "P1": (0, 1, 1, 0, "done_this_term"),
        "P2": (0, 0, 0, 0, "due_this_term"),
        "P3": (0, 0, 0, 0, "due_this_term"),
    }


# ---------------------------------------------------------------- extra school

EXTRA_PUPILS = (
    "P6,1,K,SPLD,T1,2025-09-01,,F,false\n"  # met in Spring only
    "P7,1,K,SLCN,T1,2025-09-03,,M,false\n"  # registered on Autumn's first day; no counting meeting
    "P8,5,K,MLD,T2,2024-09-04,,F,false\n"  # met last school year and once in Autumn
    "P9,5,M,,T2,,,M,false\n"  # monitored, with a held review
    "P10,3,K,NSA,T1,2026-03-09,,F,false\n"  # registered after 6 Mar
)
EXTRA_MEETINGS = (
    "M10,P6,review,2026-01-20 15:30,30,T1,false,in_person,held,2026-01-22,\n"
    "M11,P7,external_agency,2025-10-01 10:00,60,S1,true,in_person,held,,\n"
    "M12,P7,surgery,2026-01-22 13:25,25,S1,true,in_person,held,,\n"
    "M13,P7,review,2026-02-04 15:30,30,T1,false,in_person,cancelled,,\n"
    "M14,P7,review,2026-02-25 15:30,30,T1,false,in_person,did_not_attend,,\n"
    "M15,P7,review,2026-03-20 15:30,30,T1,false,in_person,scheduled,,\n"
    "M16,P8,review,2025-07-10 15:30,30,T2,false,in_person,held,2025-07-11,\n"
    "M17,P8,concern,2025-12-10 09:00,30,S1,true,remote,held,2025-12-11,\n"
    "M18,P9,review,2025-10-10 15:30,30,T2,false,in_person,held,2025-10-13,\n"
)


@pytest.fixture
def extra(tmp_path):
    return school_with(tmp_path, pupils=EXTRA_PUPILS, meetings=EXTRA_MEETINGS)


def test_met_in_spring_but_not_autumn_is_missed_term(extra):
    # P6 registered Mon 1 Sep 2025 (before Autumn's first day), met only on Tue 20 Jan 2026:
    # as of 6 Mar Autumn is completed and missed -> missed_term, though done this term.
    got = by_pupil(review_coverage(extra, AS_OF))
    assert got["P6"] == (1, 1, 1, 1, "missed_term")


def test_non_counting_meetings_do_not_count(extra):
    # P7 (registered on Autumn's first day, Wed 3 Sep: counted for Autumn) had an external
    # agency meeting (held), a booked surgery (held), a cancelled review, a did_not_attend
    # review, and a review scheduled after as of: none counts -> never_met.
    got = by_pupil(review_coverage(extra, AS_OF))
    assert got["P7"] == (1, 0, 0, 1, "never_met")


def test_meetings_in_the_previous_school_year_do_not_count(extra):
    # P8: a held review on Thu 10 Jul 2025 (school year 2024/25) and a concern on Wed 10 Dec
    # 2025: only the latter counts -> 1 meeting, Autumn covered, due_this_term in Spring.
    got = by_pupil(review_coverage(extra, AS_OF))
    assert got["P8"] == (1, 1, 0, 0, "due_this_term")


def test_monitored_pupils_and_pupils_not_yet_registered_are_excluded(extra):
    # P5 and P9 are M (not on the register). P10 is registered Mon 9 Mar 2026: not yet on
    # 6 Mar; on 9 Mar it has no completed terms and nothing this term -> due_this_term.
    assert review_coverage(extra, AS_OF)["pupil_id"].to_list() == [
        "P1",
        "P2",
        "P3",
        "P4",
        "P6",
        "P7",
        "P8",
    ]
    later = by_pupil(review_coverage(extra, D(2026, 3, 9)))
    assert "P9" not in later and "P5" not in later
    assert later["P10"] == (0, 0, 0, 0, "due_this_term")


# ------------------------------------------------------------ by term, breakdown


def test_meetings_by_term():
    # Counting meetings per registered pupil per term so far (Summer not started on 6 Mar).
    got = meetings_by_term(SCHOOL, AS_OF)
    assert got.rows() == [
        ("P1", "Autumn 2025", 1),  # M1
        ("P2", "Autumn 2025", 1),  # M3
        ("P3", "Autumn 2025", 0),  # M5 cancelled
        ("P4", "Autumn 2025", 0),
        ("P1", "Spring 2026", 1),  # M2
        ("P2", "Spring 2026", 0),  # M6 did_not_attend
        ("P3", "Spring 2026", 0),
        ("P4", "Spring 2026", 0),
    ]


def test_coverage_breakdown_by_year_group_sums_to_the_pupils():
    # As of 6 Mar: Y2 P4 due; Y3 P1 done; Y4 P2 due; Y6 P3 never_met.
    coverage = review_coverage(SCHOOL, AS_OF)
    got = coverage_breakdown(coverage, "year_group")
    assert got.select("year_group", "pupils", *COVERAGE_STATUSES).rows() == [
        ("2", 1, 0, 0, 1, 0),
        ("3", 1, 0, 0, 0, 1),
        ("4", 1, 0, 0, 1, 0),
        ("6", 1, 1, 0, 0, 0),
    ]
    assert got["pupils"].sum() == coverage.height == 4
    assert got.select(pl.sum_horizontal(*COVERAGE_STATUSES) == pl.col("pupils")).to_series().all()


def test_coverage_breakdown_by_sen_status(extra):
    # As of 6 Mar with the extra pupils: E: P3 never_met. K: P1 done, P2 due, P4 due,
    # P6 missed_term, P7 never_met, P8 due -> on track 4 of 6.
    got = coverage_breakdown(review_coverage(extra, AS_OF), "sen_status")
    assert got.select("sen_status", "pupils", *COVERAGE_STATUSES).rows() == [
        ("E", 1, 1, 0, 0, 0),
        ("K", 6, 1, 1, 3, 1),
    ]
    assert got["on_track_share"].to_list() == pytest.approx([0.0, 4 / 6])


# ------------------------------------------------------------------- written records


def test_record_timeliness_tiny():
    # Policy: record within 5 school days of the meeting (DOMAIN.md "Policy (001)").
    # M1 Wed 8 Oct 2025: due 9, 10, 13, 14, 15 -> Wed 15 Oct; sent Fri 10 Oct: 2 -> on_time.
    # M2 Wed 14 Jan 2026: due 15, 16, 19, 20, 21 -> Wed 21 Jan; sent Mon 26 Jan: 8 -> late.
    # M3 Thu 13 Nov 2025: due 14, 17, 18, 19, 20 -> Thu 20 Nov; sent Fri 14 Nov: 1 -> on_time.
    # Only held counting meetings are listed (M4 last year, M5 cancelled, M6 DNA, M7 surgery).
    got = record_timeliness(SCHOOL, AS_OF).sort("meeting_id")
    assert got.select(
        "meeting_id", "record_due_on", "school_days_to_record", "record_status"
    ).rows() == [
        ("M1", D(2025, 10, 15), 2, "on_time"),
        ("M2", D(2026, 1, 21), 8, "late"),
        ("M3", D(2025, 11, 20), 1, "on_time"),
    ]


@pytest.mark.parametrize(
    ("as_of", "sent", "days", "status"),
    [
        (D(2026, 1, 21), None, None, "not_yet_due"),  # as of == due date, record not yet sent
        (D(2026, 1, 22), None, None, "missing"),  # past due, nothing sent by as of
        (D(2026, 1, 26), D(2026, 1, 26), 8, "late"),  # sent on the 8th school day
    ],
)
def test_record_status_of_m2_as_of_dates_around_its_due_date(as_of, sent, days, status):
    # M2 held Wed 14 Jan 2026, record due Wed 21 Jan, sent Mon 26 Jan (hidden before then).
    got = record_timeliness(SCHOOL, as_of).filter(pl.col("meeting_id") == "M2").row(0, named=True)
    assert (got["record_sent_on"], got["school_days_to_record"], got["record_status"]) == (
        sent,
        days,
        status,
    )


def test_record_timeliness_over_half_term(tmp_path):
    school = school_with(
        tmp_path,
        meetings=(
            # Wed 4 Feb 2026: due 5, 6, 9, 10, 11 -> Wed 11 Feb; sent that day: 5 -> on_time.
            "M8,P2,review,2026-02-04 15:30,30,T2,false,in_person,held,2026-02-11,\n"
            # Fri 13 Feb: half term 16-20 Feb skipped; due 23-27 Feb -> Fri 27 Feb;
            # sent Mon 2 Mar: 6 -> late.
            "M9,P4,review,2026-02-13 15:30,30,T2,false,in_person,held,2026-03-02,\n"
            # Mon 2 Mar: due 3, 4, 5, 6, 9 -> Mon 9 Mar; sent Thu 12 Mar.
            "M10,P4,concern,2026-03-02 09:00,30,S1,true,in_person,held,2026-03-12,\n"
        ),
    )

    def status(as_of):
        got = record_timeliness(school, as_of).filter(
            pl.col("meeting_id").is_in(["M8", "M9", "M10"])
        )
        return (
            got.sort("day").select("record_due_on", "school_days_to_record", "record_status").rows()
        )

    assert status(AS_OF) == [
        (D(2026, 2, 11), 5, "on_time"),
        (D(2026, 2, 27), 6, "late"),
        (D(2026, 3, 9), None, "not_yet_due"),  # M10: as of 6 Mar, record not yet due
    ]
    assert status(D(2026, 3, 10))[2] == (D(2026, 3, 9), None, "missing")
    # Sent Thu 12 Mar: 3, 4, 5, 6, 9, 10, 11, 12 Mar = 8 -> late.
    assert status(D(2026, 3, 12))[2] == (D(2026, 3, 9), 8, "late")
    assert set(record_timeliness(school, AS_OF)["record_status"]) <= set(RECORD_STATUSES)


def test_record_due_date_past_the_calendar_is_an_error_not_a_summer_date(tmp_path):
    # DOMAIN.md: arithmetic that runs past the last day the calendar covers is an error
    # (add next year's term dates), never a date in the summer holiday. A meeting on
    # Thu 16 Jul 2026 has its 5th school day after the calendar ends (17, 20, 21 Jul, then
    # nothing): due date unknown until next year's terms are added.
    school = school_with(
        tmp_path, meetings="M8,P1,review,2026-07-16 15:30,30,T1,false,in_person,held,,\n"
    )
    with pytest.raises(CalendarRangeError, match=r"add the next school year's \[\[terms\]\]"):
        record_timeliness(school, D(2026, 7, 21))


def test_coverage_after_the_calendar_is_an_error():
    for call in (review_coverage, record_timeliness, meetings_by_term):
        with pytest.raises(CalendarRangeError, match=r"\[\[terms\]\]"):
            call(SCHOOL, D(2026, 7, 22))


# ------------------------------------------------------------------------ property


@st.composite
def meeting_tables(draw):
    rows = []
    for number in range(draw(st.integers(0, 30))):
        day = draw(st.dates(D(2025, 6, 1), D(2026, 7, 21)))
        rows.append(
            {
                "meeting_id": f"G{number}",
                "pupil_id": draw(st.sampled_from(["P1", "P2", "P3", "P4", "P5"])),
                "kind": draw(st.sampled_from(MEETING_KINDS)),
                "starts_at": dt.datetime.combine(day, dt.time(15, 30)),
                "minutes": 30,
                "lead_staff_id": "T1",
                "sendco_attended": draw(st.booleans()),
                "mode": "in_person",
                "status": draw(st.sampled_from(MEETING_STATUSES)),
                "record_sent_on": None,
                "request_id": None,
            }
        )
    return pl.DataFrame(rows, schema=SCHOOL.meetings.schema)


YEAR = (D(2025, 8, 1), D(2026, 7, 21))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meetings=meeting_tables(), as_of=st.dates(*YEAR))
def test_coverage_statuses_partition_the_registered_pupils(meetings, as_of):
    school = dataclasses.replace(SCHOOL, meetings=meetings)
    coverage = review_coverage(school, as_of)
    registered = SCHOOL.pupils.filter(
        pl.col("sen_status").is_in(["K", "E"]) & (pl.col("registered_on") <= as_of)
    )
    assert sorted(coverage["pupil_id"]) == sorted(registered["pupil_id"])
    assert set(coverage["status"]) <= set(COVERAGE_STATUSES)
    counts = coverage_breakdown(coverage, "sen_status")
    assert counts.select(*COVERAGE_STATUSES).sum().sum_horizontal().item() == coverage.height
    for r in coverage.iter_rows(named=True):
        assert 0 <= r["terms_missed"] <= r["completed_terms"]
        assert r["meetings_this_term"] <= r["meetings_this_year"]
        assert r["on_track"] == (r["status"] in ("due_this_term", "done_this_term"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meetings=meeting_tables(), dates=st.lists(st.dates(*YEAR), min_size=2, max_size=2))
def test_later_as_of_never_decreases_meetings_this_year(meetings, dates):
    # One school year (2025/26) in the tiny calendar: counting meetings only accumulate.
    early, late = sorted(dates)
    school = dataclasses.replace(SCHOOL, meetings=meetings)
    before = dict(
        review_coverage(school, early).select("pupil_id", "meetings_this_year").iter_rows()
    )
    after = dict(review_coverage(school, late).select("pupil_id", "meetings_this_year").iter_rows())
    assert set(before) <= set(after)
    for pupil, count in before.items():
        assert after[pupil] >= count


# ------------------------------------------- issue 12 points 1, 2 and 6: words and counts


def test_no_meeting_yet_this_term_leaves_out_a_missed_term_met_since(extra):
    # DOMAIN.md "Statuses": "No meeting yet this term" is every due_this_term pupil, plus
    # missed_term or never_met pupils with no counting meeting in the current term.
    # As of Fri 6 Mar 2026 (Spring): P1 done (met 14 Jan); P2 due (met 13 Nov, its 21 Jan
    # review not attended); P3 never met; P4 due (registered mid-Autumn); P6 missed Autumn
    # but met 20 Jan; P7 never met; P8 due (met 10 Dec). P10 registers on 9 Mar.
    coverage = review_coverage(extra, AS_OF)
    without = set(coverage.filter(pl.col("no_meeting_this_term"))["pupil_id"])
    assert without == {"P2", "P3", "P4", "P7", "P8"}
    # Every status but met this term would also count P6: 6, not DOMAIN's 5.
    assert (coverage["status"] != "done_this_term").sum() == 6
    # In the Christmas holiday there is no current term, so nobody is "not met this term".
    holiday = review_coverage(extra, D(2025, 12, 27))
    assert not holiday["no_meeting_this_term"].any()


def test_on_track_and_the_plain_words_for_each_status():
    # DOMAIN.md "Statuses": on track is due_this_term or done_this_term, its only meaning;
    # plain words: met this term, meeting still owed this term, missed a term, not met this year.
    assert ON_TRACK == ("due_this_term", "done_this_term")
    assert {k: v.lower() for k, v in COVERAGE_LABELS.items()} == {
        "done_this_term": "met this term",
        "due_this_term": "meeting still owed this term",
        "missed_term": "missed a term",
        "never_met": "not met this year",
    }
    coverage = review_coverage(SCHOOL, AS_OF)
    assert coverage["on_track"].to_list() == [True, True, False, True]  # P1, P2, P3, P4


def test_terms_offered_but_not_held_are_kept_apart_from_terms_with_no_offer(tmp_path):
    # DOMAIN.md "Offered but not held": of the terms missed, those with a did_not_attend
    # meeting of a counting kind. P7 (never met) was offered a concern meeting on Thu 20 Nov
    # 2025 and did not come: Autumn missed, offered. Its Spring did_not_attend (M14) is in the
    # current term, not a missed one. P3's Autumn review was cancelled (M5): missed, no offer.
    # A surgery not attended is not of a counting kind: P6's Autumn stays "no offer".
    school = school_with(
        tmp_path,
        pupils=EXTRA_PUPILS,
        meetings=EXTRA_MEETINGS
        + "M19,P7,concern,2025-11-20 09:00,30,S1,true,in_person,did_not_attend,,\n"
        + "M20,P6,surgery,2025-11-20 13:00,25,S1,true,in_person,did_not_attend,,\n",
    )
    got = by_pupil(
        review_coverage(school, AS_OF), ("terms_missed", "terms_offered_not_held", "status")
    )
    assert got["P7"] == (1, 1, "never_met")
    assert got["P3"] == (1, 0, "never_met")
    assert got["P6"] == (1, 0, "missed_term")
    assert got["P2"] == (0, 0, "due_this_term")
    # The many-school path gives the same columns (rules/frame.py under review_coverage).
    group = group_review_coverage(SchoolGroup.of([SCHOOL, school]), AS_OF)
    mine = group.filter(pl.col("school") == school.slug).drop("school")
    assert mine.equals(review_coverage(school, AS_OF))
    assert group.filter(pl.col("school") == SCHOOL.slug)["terms_offered_not_held"].sum() == 0
