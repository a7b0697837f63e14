"""School-day arithmetic, DOMAIN.md "School-day arithmetic (exact semantics)".

The calendar is the tiny fixture's: England, Autumn 2025 3 Sep-19 Dec (half term 27-31 Oct,
INSET Mon 3 Nov), Spring 2026 5 Jan-27 Mar (half term 16-20 Feb), Summer 2026 13 Apr-21 Jul
(half term 25-29 May; May Day bank holiday Mon 4 May 2026 falls in term).
"""

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendlib import CalendarRangeError, SchoolCalendar, Term

D = dt.date
TOML = Path(__file__).resolve().parents[1] / "fixtures" / "tiny" / "school.toml"
CAL = SchoolCalendar.from_toml(TOML)


def test_domain_example_due_date_over_half_term_and_inset_day():
    # DOMAIN.md: received Thu 23 Oct 2025, due Fri 7 Nov 2025 (24 Oct, 4, 5, 6, 7 Nov).
    assert CAL.add_school_days(D(2025, 10, 23), 5) == D(2025, 11, 7)


def test_half_term_and_inset_days_are_not_school_days():
    assert not CAL.is_school_day(D(2025, 10, 29))  # half term
    assert not CAL.is_school_day(D(2025, 11, 3))  # INSET
    assert CAL.is_school_day(D(2025, 11, 4))


def test_bank_holiday_in_term_is_skipped():
    # Fri 1 May 2026 + 5: Mon 4 May is May Day, so Tue 5, Wed 6, Thu 7, Fri 8, Mon 11.
    assert not CAL.is_school_day(D(2026, 5, 4))
    assert CAL.add_school_days(D(2026, 5, 1), 5) == D(2026, 5, 11)


def test_count_runs_over_christmas():
    # Wed 17 Dec 2025: 18, 19 Dec, then 5, 6, 7 Jan 2026.
    assert CAL.add_school_days(D(2025, 12, 17), 5) == D(2026, 1, 7)


def test_weekend_receipt_counts_from_monday():
    # Sat 11 Oct 2025 -> effective Mon 13 Oct; 14, 15, 16, 17, 20 Oct.
    assert CAL.next_school_day(D(2025, 10, 11)) == D(2025, 10, 13)
    assert CAL.add_school_days(D(2025, 10, 11), 5) == D(2025, 10, 20)


def test_half_term_receipt_counts_from_first_day_back_after_inset():
    # Tue 28 Oct 2025 (half term) -> Mon 3 Nov is INSET -> effective Tue 4 Nov; due Tue 11 Nov.
    assert CAL.next_school_day(D(2025, 10, 28)) == D(2025, 11, 4)
    assert CAL.add_school_days(D(2025, 10, 28), 5) == D(2025, 11, 11)


def test_summer_receipt_before_first_term_counts_from_first_school_day():
    assert CAL.next_school_day(D(2025, 8, 15)) == D(2025, 9, 3)
    assert CAL.add_school_days(D(2025, 8, 15), 5) == D(2025, 9, 10)
    assert not CAL.is_school_day(D(2025, 8, 15))


def test_last_days_of_the_year():
    # Mon 13 Jul 2026: 14, 15, 16, 17, 20 Jul. Thu 16 Jul has only 17, 20, 21 left.
    assert CAL.add_school_days(D(2026, 7, 13), 5) == D(2026, 7, 20)
    assert CAL.add_school_days(D(2026, 7, 16), 3) == D(2026, 7, 21)
    with pytest.raises(CalendarRangeError, match="Summer 2026.*add the next school year"):
        CAL.add_school_days(D(2026, 7, 16), 5)


def test_past_the_calendar_is_an_error_not_a_guess():
    for call in (
        lambda: CAL.next_school_day(D(2026, 7, 22)),
        lambda: CAL.is_school_day(D(2026, 9, 7)),
        lambda: CAL.school_days_taken(D(2026, 7, 20), D(2026, 9, 3)),
    ):
        with pytest.raises(CalendarRangeError, match="add the next school year"):
            call()
    assert issubclass(CalendarRangeError, ValueError)


def test_before_the_calendar_is_an_error():
    with pytest.raises(CalendarRangeError, match="previous school year"):
        CAL.next_school_day(D(2025, 7, 1))


def test_school_days_taken_on_time_and_late():
    # Received Thu 23 Oct (a school day): 24 Oct, 4, 5, 6, 7 Nov -> 5; Mon 10 Nov -> 6.
    assert CAL.school_days_taken(D(2025, 10, 23), D(2025, 11, 7)) == 5
    assert CAL.school_days_taken(D(2025, 10, 23), D(2025, 11, 10)) == 6
    assert CAL.school_days_taken(D(2025, 10, 23), D(2025, 10, 23)) == 0


def test_school_days_taken_from_weekend_receipt():
    # Sat 25 Oct -> effective Tue 4 Nov; acknowledged Wed 5 Nov: one school day.
    assert CAL.school_days_taken(D(2025, 10, 25), D(2025, 11, 5)) == 1
    # Acknowledged Sunday, before the effective receipt day: nothing taken.
    assert CAL.school_days_taken(D(2025, 10, 25), D(2025, 10, 26)) == 0


def test_acknowledgement_before_receipt_is_rejected():
    with pytest.raises(ValueError, match="before it was received"):
        CAL.school_days_taken(D(2025, 10, 23), D(2025, 10, 22))


def test_sendco_days_follow_working_weekdays():
    # The fixture's SENDCo works Mon, Wed, Thu, Fri (seed policy 000).
    assert CAL.is_sendco_day(D(2025, 10, 8))  # Wednesday
    assert not CAL.is_sendco_day(D(2025, 10, 7))  # Tuesday
    week = CAL.sendco_days(D(2025, 10, 6), D(2025, 10, 12))
    assert week == [D(2025, 10, 6), D(2025, 10, 8), D(2025, 10, 9), D(2025, 10, 10)]


def test_bank_holidays_follow_the_nation():
    terms = [Term("Summer 2026", D(2026, 4, 13), D(2026, 7, 21))]
    # Scotland's bank holidays differ: no Late Summer holiday in August, but 4 May is shared.
    scotland = SchoolCalendar(terms, nation="scotland")
    none = SchoolCalendar(terms, nation="none")
    assert not scotland.is_school_day(D(2026, 5, 4))
    assert none.is_school_day(D(2026, 5, 4))


def test_term_lookup():
    assert CAL.term_of(D(2025, 10, 29)).name == "Autumn 2025"  # half term is inside the term
    assert CAL.term_of(D(2025, 12, 25)) is None
    assert CAL.term_named("spring 2026").start == D(2026, 1, 5)


# ---------------------------------------------------------------- column-wise


def test_column_wise_domain_example():
    dates = pl.Series("d", [D(2025, 10, 23), D(2025, 10, 28), D(2025, 8, 15)])
    assert CAL.add_school_days_series(dates, 5).to_list() == [
        D(2025, 11, 7),
        D(2025, 11, 11),
        D(2025, 9, 10),
    ]


def test_column_wise_past_the_calendar_is_an_error():
    dates = pl.Series("d", [D(2025, 10, 23), D(2026, 7, 16)])
    with pytest.raises(CalendarRangeError, match="Summer 2026"):
        CAL.add_school_days_series(dates, 5)
    with pytest.raises(CalendarRangeError):
        CAL.next_school_day_series(pl.Series([D(2026, 8, 3)]))


covered = st.dates(min_value=CAL.covers_from, max_value=CAL.last_school_day)


@settings(max_examples=200, deadline=None)
@given(day=covered, n=st.integers(min_value=0, max_value=25))
def test_add_school_days_lands_on_a_school_day_and_is_monotonic(day, n):
    try:
        result = CAL.add_school_days(day, n + 1)
    except CalendarRangeError:
        return
    assert CAL.is_school_day(result)
    assert result > CAL.add_school_days(day, n) >= day
    assert CAL.school_days_taken(day, result) == n + 1


@settings(max_examples=200, deadline=None)
@given(a=covered, b=covered)
def test_add_school_days_is_monotonic_in_the_start_date(a, b):
    early, late = sorted((a, b))
    try:
        assert CAL.add_school_days(early, 5) <= CAL.add_school_days(late, 5)
    except CalendarRangeError:
        pass


@settings(max_examples=50, deadline=None)
@given(
    days=st.lists(covered, min_size=1, max_size=40),
    n=st.integers(min_value=0, max_value=10),
    gaps=st.lists(st.integers(min_value=0, max_value=40), min_size=40, max_size=40),
)
def test_column_wise_agrees_with_scalar(days, n, gaps):
    acks = [min(d + dt.timedelta(days=g), CAL.covers_to) for d, g in zip(days, gaps, strict=False)]
    series = pl.Series("d", days, dtype=pl.Date)
    try:
        expected = [CAL.add_school_days(d, n) for d in days]
    except CalendarRangeError:
        with pytest.raises(CalendarRangeError):
            CAL.add_school_days_series(series, n)
        return
    assert CAL.add_school_days_series(series, n).to_list() == expected
    assert CAL.next_school_day_series(series).to_list() == [CAL.next_school_day(d) for d in days]
    taken = CAL.school_days_taken_series(series, pl.Series("a", acks, dtype=pl.Date))
    assert taken.to_list() == [
        CAL.school_days_taken(d, a) for d, a in zip(days, acks, strict=False)
    ]
    flags = pl.select(CAL.is_school_day_expr(pl.lit(series))).to_series().to_list()
    assert flags == [CAL.is_school_day(d) for d in days]
