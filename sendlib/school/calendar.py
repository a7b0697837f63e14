"""The school calendar and school-day arithmetic (DOMAIN.md, "School-day arithmetic").

A *school day* is a weekday inside one of the school's terms that is not a closure
(half term, INSET day, other closure) and not a bank holiday of the school's nation.
A *SENDCo day* is a school day on one of the SENDCo's working weekdays.

The scalar methods answer one date at a time (for people and tests); the ``*_expr``
and ``*_series`` methods do the same arithmetic on whole polars columns with
``dt.add_business_days`` and ``business_day_count``: every weekday inside the covered
range that is not a school day is handed to polars as a holiday.
"""

from __future__ import annotations

import bisect
import datetime as dt
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import holidays as holidays_lib
import polars as pl

from sendlib.school.errors import CalendarRangeError, DataValidationError, Problem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHOOL_WEEK = ("mon", "tue", "wed", "thu", "fri")

#: The ``holidays`` package's subdivision of the United Kingdom for each nation.
NATION_SUBDIVISIONS = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern-ireland": "NIR",
    "none": None,
}

PERIOD_KEYS = {"name", "start", "end"}

_ADD_TERMS = "add the next school year's [[terms]] (and its closures) to school.toml"


@dataclass(frozen=True)
class Term:
    """A school term, first and last day inclusive."""

    name: str
    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Closure:
    """Days inside a term when the school is closed (half term, INSET, other), inclusive."""

    name: str
    start: dt.date
    end: dt.date


def bank_holidays(nation: str, years: Iterable[int]) -> dict[dt.date, str]:
    """Bank holidays of a UK nation from the ``holidays`` package (``none``: no holidays)."""
    return dict(_bank_holidays(nation, tuple(years)))


@cache
def _bank_holidays(nation: str, years: tuple[int, ...]) -> tuple[tuple[dt.date, str], ...]:
    # Cached: the package takes milliseconds a call, once per school of a national group.
    subdivision = NATION_SUBDIVISIONS[nation]
    if subdivision is None:
        return ()
    found = holidays_lib.country_holidays("GB", subdiv=subdivision, years=list(years))
    return tuple(sorted(found.items()))


class SchoolCalendar:
    """A school's terms, closures and bank holidays, and arithmetic in school days.

    The calendar covers dates from ``covers_from`` (1 August before the first term, so
    that a request received in the summer holiday counts from the first school day) to
    the last day of the last term. Arithmetic that would leave that range raises
    :class:`CalendarRangeError` instead of guessing.
    """

    def __init__(
        self,
        terms: Sequence[Term],
        closures: Sequence[Closure] = (),
        nation: str = "england",
        sendco_working_days: Sequence[str] = SCHOOL_WEEK,
    ):
        if not terms:
            raise ValueError("a school calendar needs at least one term")
        if nation not in NATION_SUBDIVISIONS:
            raise ValueError(f"unknown nation {nation!r}; one of {', '.join(NATION_SUBDIVISIONS)}")
        unknown = [d for d in sendco_working_days if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday(s) {unknown}; use {', '.join(WEEKDAYS)}")
        self.terms: tuple[Term, ...] = tuple(sorted(terms, key=lambda t: t.start))
        self.closures: tuple[Closure, ...] = tuple(closures)
        self.nation = nation
        self.sendco_working_days: tuple[str, ...] = tuple(
            d for d in WEEKDAYS if d in set(sendco_working_days)
        )
        first = self.terms[0].start
        august = dt.date(first.year, 8, 1)
        self.covers_from: dt.date = august if august <= first else first
        self.covers_to: dt.date = max(t.end for t in self.terms)
        self.bank_holidays = bank_holidays(
            nation, range(self.covers_from.year, self.covers_to.year + 1)
        )
        closed: set[dt.date] = set(self.bank_holidays)
        for closure in self.closures:
            closed.update(_days(closure.start, closure.end))
        self._days: list[dt.date] = sorted(
            day
            for term in self.terms
            for day in _days(term.start, term.end)
            if day.weekday() < 5 and day not in closed
        )
        if not self._days:
            raise ValueError("the calendar's terms contain no school days")
        self._day_set = frozenset(self._days)

    @classmethod
    def from_toml(cls, path: str | Path) -> SchoolCalendar:
        """Read terms, closures, nation and SENDCo working days from a ``school.toml``."""
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
        problems: list[Problem] = []

        def problem(column: str, value: Any, expected: str) -> None:
            shown = None if value is None else str(value)
            problems.append(Problem("school.toml", None, column, shown, expected))

        terms = parse_periods(raw.get("terms"), "terms", problem, required=True)
        closures = parse_periods(raw.get("closures", []), "closures", problem, required=False)
        if problems:
            raise DataValidationError(problems)
        school = raw.get("school", {})
        sendco = raw.get("sendco", {})
        return cls(
            terms,
            closures,
            school.get("nation", "england"),
            sendco.get("working_days", SCHOOL_WEEK),
        )

    # ------------------------------------------------------------------ scalar

    @property
    def first_school_day(self) -> dt.date:
        """The first school day the calendar knows."""
        return self._days[0]

    @property
    def last_school_day(self) -> dt.date:
        """The last school day the calendar knows; arithmetic past it is an error."""
        return self._days[-1]

    def is_school_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a school day; outside the covered range is an error."""
        self._check_covered(day)
        return day in self._day_set

    def is_sendco_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a school day on which the SENDCo works."""
        return self.is_school_day(day) and WEEKDAYS[day.weekday()] in self.sendco_working_days

    def next_school_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a school day, otherwise the next school day."""
        self._check_covered(day)
        index = bisect.bisect_left(self._days, day)
        if index == len(self._days):
            raise CalendarRangeError(
                f"there is no school day on or after {day:%a %d %b %Y}: the calendar ends on "
                f"{self.last_school_day:%a %d %b %Y} ({self.terms[-1].name}); {_ADD_TERMS}"
            )
        return self._days[index]

    def add_school_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th school day after ``next_school_day(day)`` (``n`` = 0 gives that day)."""
        if n < 0:
            raise ValueError(f"add_school_days counts forward only; got n={n}")
        start = self.next_school_day(day)
        index = bisect.bisect_left(self._days, start) + n
        if index >= len(self._days):
            raise CalendarRangeError(
                f"{n} school days after {day:%a %d %b %Y} runs past the last school day the "
                f"calendar covers ({self.last_school_day:%a %d %b %Y}, {self.terms[-1].name}); "
                f"{_ADD_TERMS}"
            )
        return self._days[index]

    def school_days_taken(self, received: dt.date, acknowledged: dt.date) -> int:
        """School days ``d`` with ``effective receipt day < d <= acknowledged``.

        Within a 5-day duty exactly when the result is at most 5. An acknowledgement on
        a non-school day before the effective receipt day (a Saturday request answered on
        Sunday) took 0 school days.
        """
        if acknowledged < received:
            raise ValueError(
                f"acknowledged on {acknowledged:%d %b %Y}, before it was received "
                f"({received:%d %b %Y})"
            )
        effective = self.next_school_day(received)
        self._check_covered(acknowledged)
        if acknowledged <= effective:
            return 0
        return bisect.bisect_right(self._days, acknowledged) - bisect.bisect_right(
            self._days, effective
        )

    def school_days(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[dt.date]:
        """School days from ``start`` to ``end`` inclusive (default: the whole calendar)."""
        lo = 0 if start is None else bisect.bisect_left(self._days, start)
        hi = len(self._days) if end is None else bisect.bisect_right(self._days, end)
        return self._days[lo:hi]

    def sendco_days(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[dt.date]:
        """SENDCo days from ``start`` to ``end`` inclusive."""
        working = {WEEKDAYS.index(d) for d in self.sendco_working_days}
        return [d for d in self.school_days(start, end) if d.weekday() in working]

    def term_of(self, day: dt.date) -> Term | None:
        """The term whose dates contain ``day`` (half terms included), or ``None``."""
        return next((t for t in self.terms if day in t), None)

    def term_named(self, name: str) -> Term:
        """The term called ``name`` (case-insensitive); ``KeyError`` lists the known names."""
        for term in self.terms:
            if term.name.lower() == name.lower():
                return term
        raise KeyError(
            f"no term called {name!r}; terms are {', '.join(t.name for t in self.terms)}"
        )

    def _check_covered(self, day: dt.date) -> None:
        if day > self.covers_to:
            raise CalendarRangeError(
                f"{day:%a %d %b %Y} is after the last term the calendar covers "
                f"({self.terms[-1].name}, ending {self.covers_to:%d %b %Y}); {_ADD_TERMS}"
            )
        if day < self.covers_from:
            raise CalendarRangeError(
                f"{day:%a %d %b %Y} is before the calendar starts ({self.covers_from:%d %b %Y}, "
                f"the summer before {self.terms[0].name}); add the previous school year's "
                "[[terms]] to school.toml"
            )

    # ------------------------------------------------------------- column-wise

    @cached_property
    def holidays(self) -> list[dt.date]:
        """Every weekday in the covered range that is not a school day, for polars."""
        return [
            d
            for d in _days(self.covers_from, self.covers_to)
            if d.weekday() < 5 and d not in self._day_set
        ]

    def next_school_day_expr(self, dates: pl.Expr) -> pl.Expr:
        """Column-wise :meth:`next_school_day`; check the range with :meth:`check_series`."""
        return dates.dt.add_business_days(0, holidays=self.holidays, roll="forward")

    def add_school_days_expr(self, dates: pl.Expr, n: int | pl.Expr) -> pl.Expr:
        """Column-wise :meth:`add_school_days`; check the result with :meth:`check_series`."""
        return dates.dt.add_business_days(n, holidays=self.holidays, roll="forward")

    def school_days_taken_expr(self, received: pl.Expr, acknowledged: pl.Expr) -> pl.Expr:
        """Column-wise :meth:`school_days_taken` (null where ``acknowledged`` is null)."""
        effective = self.next_school_day_expr(received)
        one_day = pl.duration(days=1)
        counted = pl.business_day_count(
            effective + one_day, acknowledged + one_day, holidays=self.holidays
        )
        return counted.clip(lower_bound=0)

    def is_school_day_expr(self, dates: pl.Expr) -> pl.Expr:
        """Column-wise :meth:`is_school_day` (no range check)."""
        return dates.is_in(pl.Series(self._days, dtype=pl.Date).implode())

    def check_series(self, dates: pl.Series, what: str = "date") -> None:
        """Raise :class:`CalendarRangeError` if any date lies outside the covered range."""
        if dates.null_count() == dates.len():
            return
        latest, earliest = dates.max(), dates.min()
        if latest > self.covers_to:
            raise CalendarRangeError(
                f"{what} {latest:%a %d %b %Y} is after the last term the calendar covers "
                f"({self.terms[-1].name}, ending {self.covers_to:%d %b %Y}); {_ADD_TERMS}"
            )
        self._check_covered(earliest)

    def add_school_days_series(self, dates: pl.Series, n: int) -> pl.Series:
        """Column-wise :meth:`add_school_days`, range-checked like the scalar version."""
        if n < 0:
            raise ValueError(f"add_school_days counts forward only; got n={n}")
        self.check_series(dates, "date")
        result = pl.select(self.add_school_days_expr(pl.lit(dates), n)).to_series()
        self._check_landed(dates, result, n)
        return result.alias(dates.name)

    def next_school_day_series(self, dates: pl.Series) -> pl.Series:
        """Column-wise :meth:`next_school_day`, range-checked."""
        return self.add_school_days_series(dates, 0)

    def school_days_taken_series(self, received: pl.Series, acknowledged: pl.Series) -> pl.Series:
        """Column-wise :meth:`school_days_taken`, range-checked."""
        self.next_school_day_series(received)
        self.check_series(acknowledged, "acknowledged date")
        frame = pl.DataFrame({"r": received, "a": acknowledged})
        if frame.filter(pl.col("a") < pl.col("r")).height:
            raise ValueError("an acknowledgement is dated before its request was received")
        return frame.select(
            self.school_days_taken_expr(pl.col("r"), pl.col("a")).alias("school_days_taken")
        ).to_series()

    def _check_landed(self, dates: pl.Series, result: pl.Series, n: int) -> None:
        """Dates after the last school day are business days to polars: catch them here."""
        past = result > self.last_school_day
        if past.any():
            first = dates.filter(past).min()
            raise CalendarRangeError(
                f"{n} school days after {first:%a %d %b %Y} runs past the last school day the "
                f"calendar covers ({self.last_school_day:%a %d %b %Y}, {self.terms[-1].name}); "
                f"{_ADD_TERMS}"
            )


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_periods(values: Any, table: str, problem, required: bool) -> list:
    """Parse ``[[terms]]`` or ``[[closures]]``; each mistake goes to ``problem(column, value, expected)``."""
    kind = Term if table == "terms" else Closure
    if values is None or values == []:
        if required:
            problem(f"[[{table}]]", None, "at least one term with name, start and end dates")
        return []
    if not isinstance(values, list):
        problem(f"[[{table}]]", values, "an array of tables ([[terms]] blocks)")
        return []
    found = []
    for number, entry in enumerate(values, start=1):
        label = f"[[{table}]] #{number}"
        if not isinstance(entry, dict):
            problem(label, entry, "a table with name, start and end")
            continue
        for key in entry:
            if key not in PERIOD_KEYS:
                problem(f"{label} {key}", key, "a known key (end, name, start)")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problem(f"{label} name", name, 'a name such as "Autumn 2025"')
            name = f"{table} #{number}"
        start, end = _date(entry.get("start")), _date(entry.get("end"))
        if start is None:
            problem(f"{label} start", entry.get("start"), "a date such as 2025-09-03")
        if end is None:
            problem(f"{label} end", entry.get("end"), "a date such as 2025-12-19")
        if start is None or end is None:
            continue
        if end < start or (table == "terms" and end == start):
            problem(f"[[{table}]] {name}", f"{start} to {end}", "a start date before the end date")
            continue
        found.append(kind(name.strip(), start, end))
    return found
