"""The "as of" date and the school year it falls in (DOMAIN.md "Statuses": one as-of rule).

Records dated after the as-of date are ignored, as if not yet written. The date is the one
asked for; otherwise today when the school's calendar covers it, otherwise the last day of
the records, said in one line (:func:`resolve_as_of`); a batch of schools shares one date
(:func:`batch_as_of`). A date may be given as text: ISO, or the school's ``date_format``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from sendlib.school.calendar import Term
from sendlib.school.errors import CalendarRangeError, DateFormatError
from sendlib.school.load import School

_FORMATS = {"iso": ("%Y-%m-%d", "YYYY-MM-DD"), "dd/mm/yyyy": ("%d/%m/%Y", "dd/mm/yyyy")}


@dataclass(frozen=True)
class SchoolYear:
    """The school year containing an as-of date: its terms and where the date falls."""

    as_of: dt.date
    terms: tuple[Term, ...]

    @property
    def start(self) -> dt.date:
        """The first day of the school year's first term."""
        return self.terms[0].start

    @property
    def end(self) -> dt.date:
        """The last day of the school year's last term."""
        return self.terms[-1].end

    @property
    def current_term(self) -> Term | None:
        """The term containing the as-of date (half terms included); ``None`` in a holiday."""
        return next((t for t in self.terms if t.start <= self.as_of <= t.end), None)

    @property
    def completed_terms(self) -> tuple[Term, ...]:
        """Terms of this year that ended before the as-of date."""
        return tuple(t for t in self.terms if t.end < self.as_of)

    @property
    def label(self) -> str:
        """``2025/26`` style label."""
        return year_label(self.start)


def current_date() -> dt.date:
    """Today's date (one place to read the clock, so tests can set it)."""
    return dt.date.today()


def academic_year_start(day: dt.date) -> dt.date:
    """1 August on or before ``day``: English school years run August to July."""
    return dt.date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def year_label(day: dt.date) -> str:
    """The ``2025/26`` label of the school year containing ``day``."""
    start = academic_year_start(day).year
    return f"{start}/{(start + 1) % 100:02d}"


def next_year_label(day: dt.date) -> str:
    """The label of the school year after the one containing ``day``."""
    return year_label(dt.date(academic_year_start(day).year + 1, 8, 1))


def parse_date(text: str | dt.date, date_format: str = "iso") -> dt.date:
    """A date given as ``YYYY-MM-DD`` or in ``date_format`` (the school's, e.g. dd/mm/yyyy).

    Raises:
        DateFormatError: the text is not a date in either form.
    """
    if isinstance(text, dt.date):
        return text
    value = str(text).strip()
    shapes = dict.fromkeys(("iso", date_format))
    for shape in shapes:
        try:
            return dt.datetime.strptime(value, _FORMATS[shape][0]).date()
        except (ValueError, KeyError):
            continue
    written = " or ".join(_FORMATS[s][1] for s in shapes if s in _FORMATS)
    raise DateFormatError(f"{value!r} is not a date: write it as {written}")


def as_of_date(school: School, as_of: str | dt.date | None) -> dt.date | None:
    """``as_of`` as a date (text in ISO or the school's ``date_format``); ``None`` stays."""
    return None if as_of is None else parse_date(as_of, school.config.date_format)


def add_terms_advice(ends: dt.date, today: dt.date) -> str:
    """Which ``[[terms]]`` to add to a calendar that ``ends`` before ``today``, in a clause."""
    first, last = next_year_label(ends), year_label(today)
    years = first if first == last else f"{first} to {last}"
    return (
        f"add the {years} [[terms]] from your local authority's published term dates to school.toml"
    )


def last_record_day(school: School) -> dt.date:
    """The last day the records reach, within the calendar (its last day if none do).

    Requests received or acknowledged, meetings held, records sent and plans reviewed:
    a meeting booked for later is not yet a record.
    """
    calendar = school.calendar
    held = school.meetings.filter(pl.col("status") == "held")
    days = [
        school.requests["received_on"].max(),
        school.requests["acknowledged_on"].max(),
        held["starts_at"].max().date() if held.height else None,
        school.meetings["record_sent_on"].max(),
        school.plans["reviewed_on"].max(),
    ]
    recorded = [
        d for d in days if d is not None and calendar.covers_from <= d <= calendar.covers_to
    ]
    return max(recorded) if recorded else calendar.covers_to


def resolve_as_of(
    school: School, requested: str | dt.date | None = None, today: dt.date | None = None
) -> tuple[dt.date, str | None]:
    """The as-of date of a command, and the one line to say about it (``None``: nothing).

    ``requested`` (a date, or text in ISO or the school's format) must lie inside the
    calendar. Without it: today when the calendar covers it, otherwise the last day of the
    records. Whenever today is past the calendar, the line says which terms to add.

    Raises:
        DateFormatError: ``requested`` is text that is not a date.
        CalendarRangeError: ``requested`` is outside the school's calendar.
    """
    today = today or current_date()
    calendar = school.calendar
    late = today > calendar.covers_to
    ends = f"the calendar in school.toml ends {calendar.covers_to:%a %d %b %Y}"
    if requested is not None and requested != "":
        day = school_year(school, as_of_date(school, requested)).as_of
        return day, f"{ends}: {add_terms_advice(calendar.covers_to, today)}" if late else None
    if calendar.covers_from <= today <= calendar.covers_to:
        return today, None
    if late:
        day = last_record_day(school)
        note = f"as of {day:%a %d %b %Y}, the last day of the records: {ends}; "
        return day, note + add_terms_advice(calendar.covers_to, today)
    day = calendar.first_school_day
    return day, (
        f"as of {day:%a %d %b %Y}, the first school day in school.toml: today is before "
        "its calendar begins"
    )


def calendar_note(school: School, as_of: dt.date, today: dt.date | None = None) -> str | None:
    """The line a report shows when the school's calendar ended before today, else ``None``."""
    today = today or current_date()
    ends = school.calendar.covers_to
    if today <= ends:
        return None
    return (
        f"As of {as_of:%a %d %b %Y}; the calendar in school.toml ends {ends:%a %d %b %Y} "
        f"(add the {next_year_label(ends)} terms to go further)."
    )


def batch_as_of(
    schools: Sequence[School], requested: str | dt.date | None = None, today: dt.date | None = None
) -> tuple[dt.date, str | None]:
    """One as-of date for every school of a batch, and the one line to say about it.

    Asked for a date, every school uses it. Otherwise today when every calendar covers it,
    else the earliest of the schools' own dates (:func:`resolve_as_of`): no school is then
    measured past the end of its records.

    Raises:
        DateFormatError: ``requested`` is text that is not a date.
    """
    today = today or current_date()
    behind = [s for s in schools if today > s.calendar.covers_to]
    advice = ""
    if behind:
        names = ", ".join(s.name for s in behind[:3]) + (", ..." if len(behind) > 3 else "")
        ends = min(s.calendar.covers_to for s in behind)
        advice = f"{len(behind)} of {len(schools)} calendars end before today ({names}): "
        advice += add_terms_advice(ends, today).replace("school.toml", "each school.toml")
    if requested is not None and requested != "":
        formats = {s.config.date_format for s in schools} - {"iso"}
        day = parse_date(requested, formats.pop() if len(formats) == 1 else "iso")
        return day, advice or None
    days = [(resolve_as_of(s, None, today)[0], s.name) for s in schools]
    if all(d == today for d, _ in days):
        return today, advice or None
    day, name = min(days)
    return day, (
        f"as of {day:%a %d %b %Y} for every school, the last day of the records of {name} "
        "(the earliest of the batch)" + (f"; {advice}" if advice else "")
    )


def school_year(school: School, as_of: str | dt.date | None = None) -> SchoolYear:
    """The school year of ``as_of`` (default: :func:`resolve_as_of`'s); outside is an error."""
    as_of = as_of_date(school, as_of) or resolve_as_of(school)[0]
    calendar = school.calendar
    if as_of > calendar.covers_to or as_of < calendar.covers_from:
        raise CalendarRangeError(
            f"as of {as_of:%a %d %b %Y} is outside the school calendar in school.toml "
            f"({calendar.covers_from:%d %b %Y} to {calendar.covers_to:%d %b %Y}); add that "
            f"school year's [[terms]] ({year_label(as_of)}, from your local authority's "
            "published term dates) or choose a date inside it (--as-of YYYY-MM-DD)"
        )
    start = academic_year_start(as_of)
    end = dt.date(start.year + 1, 7, 31)
    terms = tuple(t for t in calendar.terms if start <= t.start <= end)
    if not terms:
        raise CalendarRangeError(
            f"as of {as_of:%d %b %Y}: school.toml has no terms for the {year_label(as_of)} "
            "school year; add its [[terms]] from your local authority's published term dates"
        )
    return SchoolYear(as_of, terms)
