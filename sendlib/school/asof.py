"""The "as of" date and the school year it falls in (DOMAIN.md: everything is measured as of a date).

Records dated after the as-of date are ignored, as if not yet written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sendlib.school.calendar import Term
from sendlib.school.errors import CalendarRangeError
from sendlib.school.load import School


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
        return f"{self.start.year}/{(self.start.year + 1) % 100:02d}"


def academic_year_start(day: dt.date) -> dt.date:
    """1 August on or before ``day``: English school years run August to July."""
    return dt.date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def school_year(school: School, as_of: dt.date | None = None) -> SchoolYear:
    """The school year of ``as_of`` (default today); outside the calendar is an error."""
    as_of = as_of or dt.date.today()
    calendar = school.calendar
    if as_of > calendar.covers_to or as_of < calendar.covers_from:
        raise CalendarRangeError(
            f"as of {as_of:%a %d %b %Y} is outside the school calendar in school.toml "
            f"({calendar.covers_from:%d %b %Y} to {calendar.covers_to:%d %b %Y}); add that "
            "school year's [[terms]] or choose a date inside it (--as-of YYYY-MM-DD)"
        )
    start = academic_year_start(as_of)
    end = dt.date(start.year + 1, 7, 31)
    terms = tuple(t for t in calendar.terms if start <= t.start <= end)
    if not terms:
        raise CalendarRangeError(
            f"as of {as_of:%d %b %Y}: school.toml has no terms for the {start.year}/"
            f"{(start.year + 1) % 100:02d} school year; add its [[terms]]"
        )
    return SchoolYear(as_of, terms)
