"""The one as-of rule (DOMAIN.md "Statuses"), worked by hand on the tiny school.

The tiny school's calendar runs from Fri 1 Aug 2025 (1 August before the first term) to
Tue 21 Jul 2026. Its last record is request R6, received Thu 29 Jan 2026 (later dates in
its files: none; meeting M7 is 22 Jan, the last record sent 26 Jan).
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import TINY, edit

import sendlib
from sendlib.present.leadership import leadership_summary
from sendlib.school import asof
from sendlib.school.asof import (
    batch_as_of,
    calendar_note,
    last_record_day,
    parse_date,
    resolve_as_of,
)
from sendlib.school.errors import CalendarRangeError, DateFormatError

D = dt.date
SCHOOL = sendlib.load_school(TINY)
NEXT_YEAR = """
[[terms]]
name = "Autumn 2026"
start = 2026-09-02
end = 2026-12-18
"""


def to_day_first(folder: Path) -> None:
    """Every date of the copy's tables as dd/mm/yyyy, declared in school.toml."""
    for name in ("pupils", "staff", "requests", "meetings", "plans"):
        path = folder / f"{name}.csv"
        path.write_text(re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", path.read_text()))
    edit(
        folder,
        "school.toml",
        'nation = "england"',
        'nation = "england"\ndate_format = "dd/mm/yyyy"',
    )


def test_today_inside_the_calendar_is_the_as_of_date_with_nothing_to_say():
    assert resolve_as_of(SCHOOL, None, today=D(2026, 1, 10)) == (D(2026, 1, 10), None)


def test_after_the_calendar_it_is_the_last_day_of_the_records_said_in_one_line():
    day, note = resolve_as_of(SCHOOL, None, today=D(2026, 11, 23))
    assert day == D(2026, 1, 29)  # R6, received Thu 29 Jan 2026
    assert note == (
        "as of Thu 29 Jan 2026, the last day of the records: the calendar in school.toml ends "
        "Tue 21 Jul 2026; add the 2026/27 [[terms]] from your local authority's published "
        "term dates to school.toml"
    )
    assert "\n" not in note


def test_default_as_of_is_today_inside_the_calendar_else_the_last_record():
    # Moved from tests/explorer/test_queries.py with the rule (was queries.default_as_of).
    assert resolve_as_of(SCHOOL, None, D(2026, 1, 10))[0] == D(2026, 1, 10)
    # Past the calendar: the latest record is R6, received Thu 29 Jan 2026.
    assert resolve_as_of(SCHOOL, None, D(2026, 11, 23))[0] == D(2026, 1, 29)
    assert last_record_day(SCHOOL) == D(2026, 1, 29)


def test_a_year_later_the_advice_names_every_missing_school_year():
    _, note = resolve_as_of(SCHOOL, None, today=D(2027, 10, 4))
    assert "add the 2026/27 to 2027/28 [[terms]]" in note


def test_a_date_asked_for_is_used_and_the_ended_calendar_still_said():
    assert resolve_as_of(SCHOOL, D(2026, 3, 6), today=D(2026, 3, 9)) == (D(2026, 3, 6), None)
    day, note = resolve_as_of(SCHOOL, "2026-03-06", today=D(2026, 11, 23))
    assert day == D(2026, 3, 6)
    assert note.startswith("the calendar in school.toml ends Tue 21 Jul 2026: add the 2026/27")
    with pytest.raises(CalendarRangeError, match=r"add that school year's \[\[terms\]\]"):
        resolve_as_of(SCHOOL, "2026-09-07")


def test_as_of_in_the_schools_own_day_first_format(school):
    to_day_first(school)
    day_first = sendlib.load_school(school)
    assert resolve_as_of(day_first, "06/03/2026", today=D(2026, 3, 9))[0] == D(2026, 3, 6)
    assert resolve_as_of(day_first, "2026-03-06", today=D(2026, 3, 9))[0] == D(2026, 3, 6)
    # An ISO school does not guess at day-first text.
    with pytest.raises(DateFormatError, match="'06/03/2026' is not a date: write it as YYYY-MM-DD"):
        resolve_as_of(SCHOOL, "06/03/2026")
    with pytest.raises(DateFormatError, match="YYYY-MM-DD or dd/mm/yyyy"):
        parse_date("31/02/2026", "dd/mm/yyyy")


def test_the_api_takes_an_iso_string_as_well_as_a_date():
    day = D(2026, 3, 6)
    assert sendlib.response_times(SCHOOL, "2026-03-06").equals(sendlib.response_times(SCHOOL, day))
    assert sendlib.review_coverage(SCHOOL, as_of="2026-03-06").equals(
        sendlib.review_coverage(SCHOOL, day)
    )
    assert sendlib.annual_reviews(SCHOOL, "2026-03-06").equals(sendlib.annual_reviews(SCHOOL, day))
    assert sendlib.plan_reviews(SCHOOL, "2026-03-06").equals(sendlib.plan_reviews(SCHOOL, day))
    assert leadership_summary(SCHOOL, "2026-03-06").year.as_of == day


def test_a_report_says_as_of_and_when_the_calendar_ends_only_once_it_has_ended():
    assert calendar_note(SCHOOL, D(2026, 3, 6), today=D(2026, 3, 9)) is None
    assert calendar_note(SCHOOL, D(2026, 1, 29), today=D(2026, 11, 23)) == (
        "As of Thu 29 Jan 2026; the calendar in school.toml ends Tue 21 Jul 2026 "
        "(add the 2026/27 terms to go further)."
    )


def test_a_new_school_year_keeps_last_years_records_as_history(school):
    # The 2026/27 terms added: every 2025/26 record still loads, and today is inside again.
    (school / "school.toml").write_text((school / "school.toml").read_text() + NEXT_YEAR)
    renewed = sendlib.load_school(school)
    assert renewed.requests.height == SCHOOL.requests.height
    assert renewed.meetings.height == SCHOOL.meetings.height
    assert resolve_as_of(renewed, None, today=D(2026, 11, 23)) == (D(2026, 11, 23), None)
    # Last year's figures are still there as of a day last year.
    assert sendlib.response_times(renewed, "2026-03-06").equals(
        sendlib.response_times(SCHOOL, "2026-03-06")
    )


def test_one_date_for_every_school_of_a_batch(school):
    (school / "school.toml").write_text((school / "school.toml").read_text() + NEXT_YEAR)
    renewed = sendlib.load_school(school)
    # Both calendars cover 12 Jan 2026: today for both.
    assert batch_as_of([SCHOOL, renewed], today=D(2026, 1, 12)) == (D(2026, 1, 12), None)
    # 23 Nov 2026: the renewed school would be as of today, the tiny one as of 29 Jan 2026;
    # the batch takes the earlier, so neither is measured past its records.
    day, note = batch_as_of([SCHOOL, renewed], today=D(2026, 11, 23))
    assert day == D(2026, 1, 29)
    assert note.startswith("as of Thu 29 Jan 2026 for every school, the last day of the records")
    assert "1 of 2 calendars end before today (Tiny Test School)" in note
    # A date asked for is every school's.
    assert batch_as_of([SCHOOL, renewed], "2026-03-06", today=D(2026, 3, 9)) == (
        D(2026, 3, 6),
        None,
    )


def test_school_year_without_a_date_follows_the_rule(monkeypatch):
    monkeypatch.setattr(asof, "current_date", lambda: D(2026, 11, 23))
    assert asof.school_year(SCHOOL).as_of == D(2026, 1, 29)
