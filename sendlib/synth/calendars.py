"""The sample schools' calendars: realistic English term dates for two school years.

The samples describe the school year 2025/26 (:data:`TERMS_2025_26`, with half terms and
INSET days as :data:`CLOSURES_2025_26`; bank holidays come from ``nation = "england"``)
and hold the whole of the year before, 2024/25 (:data:`TERMS_2024_25`,
:data:`CLOSURES_2024_25`); ``school.toml`` has both.
"""

from __future__ import annotations

import bisect
import calendar as std_calendar
import datetime as dt
import random
from dataclasses import dataclass

from sendlib.school.calendar import Closure, SchoolCalendar, Term

#: Realistic 2025/26 term dates for a school in England (a typical local-authority
#: pattern; Easter 2026 falls in the spring-to-summer holiday).
TERMS_2025_26: tuple[Term, ...] = (
    Term("Autumn 2025", dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
    Term("Spring 2026", dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
    Term("Summer 2026", dt.date(2026, 4, 13), dt.date(2026, 7, 21)),
)
#: Half terms and INSET (training) days inside the 2025/26 terms; bank holidays (Christmas,
#: Easter, May Day, spring bank holiday) are added by the calendar for England.
CLOSURES_2025_26: tuple[Closure, ...] = (
    Closure("October half term", dt.date(2025, 10, 27), dt.date(2025, 10, 31)),
    Closure("INSET day (November)", dt.date(2025, 11, 3), dt.date(2025, 11, 3)),
    Closure("February half term", dt.date(2026, 2, 16), dt.date(2026, 2, 20)),
    Closure("May half term", dt.date(2026, 5, 25), dt.date(2026, 5, 29)),
    Closure("INSET day (June)", dt.date(2026, 6, 1), dt.date(2026, 6, 1)),
)
#: The previous school year, 2024/25 (Easter 2025 falls in the spring-to-summer holiday).
#: Its INSET days open the autumn term and close the summer term, so the days pupils are
#: in school are those the samples have dated last year's history by since before the
#: year was written out in full.
TERMS_2024_25: tuple[Term, ...] = (
    Term("Autumn 2024", dt.date(2024, 9, 2), dt.date(2024, 12, 20)),
    Term("Spring 2025", dt.date(2025, 1, 6), dt.date(2025, 4, 4)),
    Term("Summer 2025", dt.date(2025, 4, 22), dt.date(2025, 7, 23)),
)
#: Half terms and INSET days inside the 2024/25 terms (bank holidays as above).
CLOSURES_2024_25: tuple[Closure, ...] = (
    Closure("INSET days (September)", dt.date(2024, 9, 2), dt.date(2024, 9, 3)),
    Closure("October half term", dt.date(2024, 10, 28), dt.date(2024, 11, 1)),
    Closure("February half term", dt.date(2025, 2, 17), dt.date(2025, 2, 21)),
    Closure("May half term", dt.date(2025, 5, 26), dt.date(2025, 5, 30)),
    Closure("INSET day (July)", dt.date(2025, 7, 23), dt.date(2025, 7, 23)),
)

#: Spring term 2026, a Friday after February half term.
DEFAULT_AS_OF = dt.date(2026, 3, 6)
#: The last date a sample can describe: the end of the 2025/26 school year.
LAST_AS_OF = dt.date(2026, 8, 31)


def term_dates_2025_26() -> tuple[tuple[Term, ...], tuple[Closure, ...]]:
    """Return the realistic 2025/26 English terms and closures the samples use."""
    return TERMS_2025_26, CLOSURES_2025_26


def term_dates_both_years() -> tuple[tuple[Term, ...], tuple[Closure, ...]]:
    """Return the 2024/25 and 2025/26 terms and closures, as written to ``school.toml``."""
    return TERMS_2024_25 + TERMS_2025_26, CLOSURES_2024_25 + CLOSURES_2025_26


def hm(text: str) -> int:
    """Minutes after midnight of an ``HH:MM`` time."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months; 29 February (or a short month) clamps to the month end."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, std_calendar.monthrange(year, month)[1]))


def due_of(last_review: dt.date) -> dt.date:
    """Return the due date of an annual review: 12 months on (29 Feb -> 28 Feb)."""
    return add_months(last_review, 12)


class SchoolDays:
    """Fast lookups over a calendar's school days and SENDCo days."""

    def __init__(self, calendar: SchoolCalendar):
        self.cal = calendar
        self.school = calendar.school_days()
        self.sendco = calendar.sendco_days()

    def next_school(self, day: dt.date) -> dt.date | None:
        """The first school day on or after ``day``."""
        i = bisect.bisect_left(self.school, day)
        return self.school[i] if i < len(self.school) else None

    def next_sendco(self, day: dt.date) -> dt.date | None:
        """The first SENDCo working day on or after ``day``."""
        i = bisect.bisect_left(self.sendco, day)
        return self.sendco[i] if i < len(self.sendco) else None

    def add(self, day: dt.date, n: int) -> dt.date | None:
        """Return the n-th school day after the next school day on or after ``day``."""
        i = bisect.bisect_left(self.school, day) + n
        return self.school[i] if i < len(self.school) else None

    def school_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The school days from ``start`` to ``end``, both included."""
        lo, hi = bisect.bisect_left(self.school, start), bisect.bisect_right(self.school, end)
        return self.school[lo:hi]


@dataclass
class SchoolYear:
    """The sample's school year as of one date: its calendar, last year's, and the horizon.

    Activity (requests, held meetings, records) happens up to ``activity_end``; meetings
    are booked ahead up to ``horizon``, the end of the term holding the as-of date.
    """

    cal: SchoolCalendar
    days: SchoolDays
    prev: SchoolDays
    activity_end: dt.date
    horizon: dt.date
    current_terms: list[Term]

    @classmethod
    def of(cls, working_days: tuple[str, ...], as_of: dt.date) -> SchoolYear:
        """The 2025/26 year for a SENDCo working ``working_days``, as of ``as_of``."""
        cal = SchoolCalendar(TERMS_2025_26, CLOSURES_2025_26, "england", working_days)
        prev = SchoolDays(SchoolCalendar(TERMS_2024_25, CLOSURES_2024_25, "england"))
        return cls._as_of(cal, prev, as_of)

    @classmethod
    def previous(cls, working_days: tuple[str, ...]) -> SchoolYear:
        """The whole of 2024/25 for a SENDCo working ``working_days``, as of its last day."""
        cal = SchoolCalendar(TERMS_2024_25, CLOSURES_2024_25, "england", working_days)
        days = SchoolDays(cal)
        return cls._as_of(cal, days, cal.covers_to)

    @classmethod
    def _as_of(cls, cal: SchoolCalendar, prev: SchoolDays, as_of: dt.date) -> SchoolYear:
        activity_end = min(as_of, cal.covers_to)
        return cls(
            cal=cal,
            days=SchoolDays(cal),
            prev=prev,
            activity_end=activity_end,
            horizon=next((t.end for t in cal.terms if t.end >= as_of), cal.covers_to),
            current_terms=[t for t in cal.terms if t.start <= activity_end],
        )

    def past_day(self, rng: random.Random, first_year: int, last_year: int) -> dt.date:
        """Pick a school-looking day (weekday, in term months) in school years first..last."""
        year = rng.randint(first_year, last_year)
        if year == 2024:
            return rng.choice(self.prev.school)
        while True:
            day = dt.date(year, 9, 4) + dt.timedelta(days=rng.randrange(320))
            if (
                day.weekday() < 5
                and day.month != 8
                and not ((day.month == 12 and day.day > 19) or (day.month == 1 and day.day < 5))
            ):
                return day
