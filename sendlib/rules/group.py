"""The analytics rules, once, for any number of schools: one polars query per figure.

Every rule of DOMAIN.md that the analytics apply (response times and statuses, review
coverage, annual reviews, SENDCo capacity and its what-if levers) is written here, once,
over a :class:`SchoolGroup`: the schools' tables stacked with a ``school`` column. The
per-school functions (:func:`sendlib.response_times`, :func:`sendlib.review_coverage`,
:func:`sendlib.annual_reviews`, :func:`sendlib.rules.capacity.capacity`) are these queries for a
group of one school, without the ``school`` column. A trust or a local authority asks
every school the same questions; calling per-school code in a loop costs tens of
milliseconds of fixed overhead per school, while here each figure is one query.

School-day arithmetic across many calendars: schools in one authority share term dates
but choose their own INSET days, so there may be as many calendars as schools, and
polars' ``add_business_days`` takes one holiday list per call. Instead each school's
calendar becomes a table of *day numbers* (how many school days fall before each date
it covers), and every date of every school is converted with one lookup: the effective
receipt day is the school day numbered ``before(received)``, the due date the one
numbered ``within`` later, and school days taken is a difference of day numbers.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from sendlib.school.asof import SchoolYear, school_year
from sendlib.school.calendar import WEEKDAYS
from sendlib.school.errors import CalendarRangeError, DataValidationError, Problem
from sendlib.school.load import School, load_school
from sendlib.school.schema import COUNTING_KINDS, ROUTED_KINDS, ROUTED_RESPONSES

#: The column naming each row's school (its folder name) in every multi-school frame.
SCHOOL = "school"
#: The school's position in the group: the key of every per-school lookup.
_AT = "_school"
_ONE_DAY = np.timedelta64(1, "D")
#: Every query runs in memory: for one school the streaming engine takes longer to start
#: than the query takes to run, and for 300 schools the two engines take the same time.
_ENGINE = "in-memory"

#: A request's status as of a date (DOMAIN.md, "Statuses").
STATUSES = ("on_time", "late", "open_overdue", "open_not_due", "routed")
#: Statuses where the duty's outcome is decided (met or missed): the denominator of on-time share.
DECIDED = ("on_time", "late", "open_overdue")
#: Regulation 20 (SEND Regulations 2014): invitations go out at least two weeks before.
NOTICE_DAYS = 14
#: Code of Practice 9.179: phase-transfer reviews by 15 February; 31 March for Year 11.
TRANSFER_DEADLINES = {11: (3, 31)}
TRANSFER_DEADLINE_DEFAULT = (2, 15)
#: The parts of the demand on SENDCo time, in minutes (DOMAIN.md, "Capacity").
COMPONENTS = ("meetings", "annual_reviews", "surgeries", "preparation_and_records")


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class LoadFailure:
    """A school folder that did not load: its validation problems, or the error's message."""

    folder: Path
    problems: tuple[Problem, ...]
    message: str


def _load_one(folder: str) -> School | LoadFailure:
    """Load one folder in a worker; failures travel back as data (exceptions lose .problems)."""
    try:
        return load_school(folder)
    except DataValidationError as exc:
        return LoadFailure(Path(folder), tuple(exc.problems), str(exc))
    except (ValueError, OSError) as exc:
        return LoadFailure(Path(folder), (), f"{type(exc).__name__}: {exc}")


def load_schools(
    folders: Iterable[str | Path], workers: int | None = None
) -> tuple[list[School], list[LoadFailure]]:
    """Load and validate many school folders, in parallel processes when ``workers`` > 1.

    Every folder is validated as :func:`sendlib.load_school` does; a folder with problems
    is returned as a :class:`LoadFailure` rather than stopping the others. ``workers``
    defaults to the machine's CPUs.
    """
    paths = [str(f) for f in folders]
    workers = min(workers or os.cpu_count() or 1, max(len(paths), 1))
    if workers <= 1:
        results = [_load_one(p) for p in paths]
    else:
        # spawn, not fork: polars' thread pool does not survive a fork.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            chunk = max(1, len(paths) // (workers * 4))
            results = list(pool.map(_load_one, paths, chunksize=chunk))
    schools = [r for r in results if isinstance(r, School)]
    failures = [r for r in results if isinstance(r, LoadFailure)]
    return schools, failures


# --------------------------------------------------------------------------- calendars


def _per_school(values: pl.Series) -> pl.Expr:
    """A per-school value on every row of a stacked table, by the row's school position."""
    return pl.lit(values).gather(pl.col(_AT))


@dataclass(frozen=True)
class _DayNumbers:
    """Every school's calendar as day numbers, for lookups over the stacked tables.

    For school ``i`` the lookup holds one entry per date from the day before its calendar
    starts to the day after it ends (dates outside are clamped onto those two, which hold
    0 and every school day), from position ``offset[i]``.
    """

    offset: pl.Series  # Int64: where school i's dates start in the lookups
    first: pl.Series  # Int32: school i's first looked-up date, as days since 1970
    last: pl.Series  # Int32: its last looked-up date
    day_offset: pl.Series  # Int64: where school i's school days start in ``days``
    day_count: pl.Series  # Int32: how many school days school i's calendar has
    before: pl.Series  # Int32: school days before each date
    upto: pl.Series  # Int32: school days on or before each date
    term: pl.Series  # Int32: the term containing each date (null in a holiday)
    term_names: pl.Series  # String: the name of each term
    days: pl.Series  # Date: every school's school days, school by school

    @classmethod
    def of(cls, schools: Sequence[School]) -> _DayNumbers:
        """Build the lookups from each school's validated calendar (a loop over schools)."""
        offsets, firsts, lasts, day_offsets, day_counts = [], [], [], [], []
        before, upto, terms, names, days = [], [], [], [], []
        position = day_position = 0
        for school in schools:
            calendar = school.calendar
            school_days = np.array(calendar.school_days(), dtype="datetime64[D]")
            dates = np.arange(
                np.datetime64(calendar.covers_from) - _ONE_DAY,
                np.datetime64(calendar.covers_to) + 2 * _ONE_DAY,
            )
            term = np.full(len(dates), -1, dtype=np.int32)
            for t in calendar.terms:
                inside = (dates >= np.datetime64(t.start)) & (dates <= np.datetime64(t.end))
                term[inside] = len(names)
                names.append(t.name)
            offsets.append(position)
            firsts.append(int(dates[0].astype(np.int64)))
            lasts.append(int(dates[-1].astype(np.int64)))
            day_offsets.append(day_position)
            day_counts.append(len(school_days))
            before.append(np.searchsorted(school_days, dates, side="left").astype(np.int32))
            upto.append(np.searchsorted(school_days, dates, side="right").astype(np.int32))
            terms.append(term)
            days.append(school_days)
            position += len(dates)
            day_position += len(school_days)
        term_ids = pl.Series(np.concatenate(terms))
        return cls(
            offset=pl.Series(offsets, dtype=pl.Int64),
            first=pl.Series(firsts, dtype=pl.Int32),
            last=pl.Series(lasts, dtype=pl.Int32),
            day_offset=pl.Series(day_offsets, dtype=pl.Int64),
            day_count=pl.Series(day_counts, dtype=pl.Int32),
            before=pl.Series(np.concatenate(before)),
            upto=pl.Series(np.concatenate(upto)),
            term=pl.select(pl.when(term_ids >= 0).then(term_ids)).to_series(),
            term_names=pl.Series(names, dtype=pl.String),
            days=pl.Series(np.concatenate(days)).cast(pl.Date),
        )

    def _key(self, day: pl.Expr) -> pl.Expr:
        first = _per_school(self.first)
        clamped = day.cast(pl.Int32).clip(first, _per_school(self.last))
        return _per_school(self.offset) + (clamped - first).cast(pl.Int64)

    def before_(self, day: pl.Expr) -> pl.Expr:
        """How many of the row's school's school days fall before ``day``."""
        return pl.lit(self.before).gather(self._key(day))

    def upto_(self, day: pl.Expr) -> pl.Expr:
        """How many of the row's school's school days fall on or before ``day``."""
        return pl.lit(self.upto).gather(self._key(day))

    def term_of(self, day: pl.Expr) -> pl.Expr:
        """The position of the term containing ``day`` (null in a holiday)."""
        return pl.lit(self.term).gather(self._key(day))

    def term_name(self, day: pl.Expr) -> pl.Expr:
        """The name of the term containing ``day`` (null in a holiday)."""
        return pl.lit(self.term_names).gather(self.term_of(day))

    def school_day(self, number: pl.Expr) -> pl.Expr:
        """The row's school's school day numbered ``number`` (0 is its first)."""
        return pl.lit(self.days).gather(_per_school(self.day_offset) + number.cast(pl.Int64))


# --------------------------------------------------------------------------- the group


@dataclass(frozen=True)
class SchoolGroup:
    """Validated schools stacked into one set of tables, each row tagged with its school.

    Build it with :meth:`of`. ``school`` (the folder name, an Enum) is the first column of
    every frame this module returns; folder names must therefore be unique in a group.
    """

    schools: tuple[School, ...]
    pupils: pl.DataFrame
    requests: pl.DataFrame
    meetings: pl.DataFrame
    days: _DayNumbers

    @classmethod
    def of(cls, schools: Sequence[School]) -> SchoolGroup:
        """Stack the schools' tables (the per-school frames are not changed)."""
        schools = tuple(schools)
        slugs = [s.slug for s in schools]
        repeated = sorted({s for s in slugs if slugs.count(s) > 1})
        if repeated:
            raise ValueError(f"school folder names must be unique in a group: {repeated}")
        if not schools:
            raise ValueError("a group needs at least one school")

        def stacked(table: str) -> pl.DataFrame:
            return pl.concat(
                [
                    getattr(s, table).with_columns(pl.lit(i, dtype=pl.UInt32).alias(_AT))
                    for i, s in enumerate(schools)
                ],
                how="diagonal_relaxed",
            )

        return cls(
            schools=schools,
            pupils=stacked("pupils"),
            requests=stacked("requests"),
            meetings=stacked("meetings").with_columns(day=pl.col("starts_at").dt.date()),
            days=_DayNumbers.of(schools),
        )

    @property
    def slugs(self) -> list[str]:
        """The schools' folder names, in the group's order."""
        return [s.slug for s in self.schools]

    def school_column(self) -> pl.Expr:
        """The ``school`` column (folder names as an Enum) for rows of the stacked tables."""
        names = pl.Series(self.slugs, dtype=pl.Enum(self.slugs))
        return pl.lit(names).gather(pl.col(_AT)).alias(SCHOOL)

    def about(self, school: School, message: str) -> str:
        """An error message about one school: named, unless it is the group's only school."""
        return message if len(self.schools) == 1 else f"{school.name} ({school.slug}): {message}"


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Levers:
    """Changes to a school's baseline; ``None`` keeps what the school has now."""

    #: The SENDCo's working weekdays, e.g. ("mon", "tue", "wed", "thu", "fri").
    working_days: tuple[str, ...] | None = None
    #: Protected SEND hours per working day.
    hours_per_day: float | None = None
    surgeries_per_week: int | None = None
    #: Share of termly reviews led by class teachers without the SENDCo (0 to 1).
    class_teacher_led_share: float | None = None
    #: Length of the reviews and other meetings the SENDCo attends, in minutes.
    meeting_minutes: int | None = None

    def staffing(self, school: School) -> dict:
        """The school's SENDCo working days, protected hours a day and weekly surgeries."""
        working = tuple(self.working_days or school.config.sendco.working_days)
        unknown = [d for d in working if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday(s) {unknown}; use {', '.join(WEEKDAYS)}")
        hours, surgeries = self.hours_per_day, self.surgeries_per_week
        return {
            "working_days": working,
            "hours_per_day": school.config.sendco.send_hours_per_day if hours is None else hours,
            "surgeries_per_week": school.policy.surgeries_per_week
            if surgeries is None
            else surgeries,
        }


@dataclass(frozen=True)
class _Years:
    """Each school's school year as of one date, and its settings, one row per school."""

    as_of: dt.date
    years: tuple[SchoolYear, ...]
    settings: pl.DataFrame
    completed_terms: pl.DataFrame  # _school, _term, _term_start
    sendco_weekdays: pl.Series  # Boolean, 7 per school: does the SENDCo work that weekday?
    levers: Levers
    staffing: tuple[dict, ...]  # each school's Levers.staffing

    @classmethod
    def of(cls, group: SchoolGroup, as_of: dt.date | None, levers: Levers | None = None) -> _Years:
        """Every school's year of ``as_of`` (default today); a date outside one is an error."""
        as_of = as_of or dt.date.today()
        levers = levers or Levers()
        years, rows, completed, sendco_weekdays, staffing = [], [], [], [], []
        term_ids = {}
        position = 0
        for school in group.schools:
            for term in school.calendar.terms:
                term_ids[(school.slug, term)] = position
                position += 1
        for index, school in enumerate(group.schools):
            try:
                year = school_year(school, as_of)
            except CalendarRangeError as exc:
                raise CalendarRangeError(group.about(school, str(exc))) from None
            years.append(year)
            calendar, policy = school.calendar, school.policy
            transfer_group = school.config.transfer_year_group
            month, day = TRANSFER_DEADLINES.get(transfer_group, TRANSFER_DEADLINE_DEFAULT)
            current = year.current_term
            year_days = calendar.school_days(year.start, year.end)
            first = len(calendar.school_days(None, year.start - dt.timedelta(days=1)))
            elapsed = len(calendar.school_days(year.start, as_of))
            staff = levers.staffing(school)
            staffing.append(staff)
            sendco_weekdays.extend(d in staff["working_days"] for d in WEEKDAYS)
            rows.append(
                {
                    "year_start": year.start,
                    "year_end": year.end,
                    "current_start": current.start if current else None,
                    "current_end": current.end if current else None,
                    "current_term": current.name if current else None,
                    "has_current": current is not None,
                    "terms_left": sum(1 for t in year.terms if t.start > as_of),
                    "year_first": first,
                    "year_days": len(year_days),
                    "elapsed": elapsed,
                    "within": policy.acknowledge_within_school_days,
                    "min_meetings": policy.min_parent_meetings_per_year,
                    "due_soon_days": policy.due_soon_days,
                    "transfer_group": str(transfer_group),
                    "transfer_deadline": dt.date(year.start.year + 1, month, day),
                    "hours": staff["hours_per_day"],
                    "meeting_minutes": policy.meeting_minutes,
                    "annual_review_minutes": policy.annual_review_minutes,
                    "preparation": policy.preparation_minutes,
                    "write_up": policy.write_up_minutes,
                    "overhead": policy.preparation_minutes + policy.write_up_minutes,
                    "weekly_surgery": staff["surgeries_per_week"]
                    * policy.meetings_per_surgery
                    * policy.surgery_minutes,
                }
            )
            for term in year.completed_terms:
                completed.append((index, term_ids[(school.slug, term)], term.start))
        settings = pl.DataFrame(rows).with_columns(pl.col("hours").cast(pl.Float64))
        completed_terms = pl.DataFrame(
            completed,
            schema={_AT: pl.UInt32, "_term": pl.Int32, "_term_start": pl.Date},
            orient="row",
        )
        works = pl.Series(sendco_weekdays, dtype=pl.Boolean)
        return cls(as_of, tuple(years), settings, completed_terms, works, levers, tuple(staffing))

    def setting(self, name: str) -> pl.Expr:
        """A school's setting on each of its rows."""
        return _per_school(self.settings[name])

    def is_sendco_day(self, day: pl.Expr) -> pl.Expr:
        """Whether ``day`` is one of the row's school's SENDCo weekdays."""
        weekday = day.dt.weekday().cast(pl.Int64) - 1
        return pl.lit(self.sendco_weekdays).gather(pl.col(_AT).cast(pl.Int64) * 7 + weekday)


# --------------------------------------------------------------------------- who counts


def is_registered(as_of: dt.date) -> pl.Expr:
    """Pupils on the SEND register (K or E) by ``as_of``: a filter on a pupils table."""
    return pl.col("sen_status").is_in(["K", "E"]) & (pl.col("registered_on") <= as_of)


def is_counting_meeting(since: dt.date | pl.Expr, as_of: dt.date) -> pl.Expr:
    """Held parent meetings that count towards the duty, on a ``day`` from since to as_of."""
    return (
        (pl.col("status") == "held")
        & pl.col("kind").is_in(COUNTING_KINDS)
        & pl.col("pupil_id").is_not_null()
        & pl.col("day").is_between(since, pl.lit(as_of))
    )


# --------------------------------------------------------------------------- response times


def calendar_problems(group: SchoolGroup, as_of: dt.date | None = None) -> dict[str, str]:
    """Schools whose figures cannot be worked out as of ``as_of``: folder name -> why.

    The reason is the error the school's own calendar raises: an as-of date outside it, a
    request received before it starts, or an acknowledgement deadline past its last school
    day (DOMAIN.md: never a guess). :func:`response_times` raises it; a trust overview
    leaves such schools out and says why, rather than failing for all.
    """
    as_of = as_of or dt.date.today()
    found: dict[str, str] = {}
    for school in group.schools:
        try:
            school_year(school, as_of)
        except CalendarRangeError as exc:
            found[school.slug] = str(exc)
    days = group.days
    within = pl.Series([s.policy.acknowledge_within_school_days for s in group.schools])
    starts = pl.Series([s.calendar.covers_from for s in group.schools], dtype=pl.Date)
    # Day numbers find the schools in trouble in one query; each one's calendar says why.
    suspects = (
        group.requests.lazy()
        .filter(pl.col("received_on") <= as_of)
        .with_columns(_due=days.before_(pl.col("received_on")) + _per_school(within))
        .group_by(_AT)
        .agg(
            pl.col("received_on").min().alias("earliest"),
            pl.col("_due").max().alias("due_number"),
        )
        .filter(
            (pl.col("earliest") < _per_school(starts))
            | (pl.col("due_number") >= _per_school(days.day_count))
        )
        .sort(_AT)
        .collect(engine=_ENGINE)
    )
    for index in suspects[_AT]:
        school = group.schools[index]
        if school.slug in found:
            continue
        received = school.requests.filter(pl.col("received_on") <= as_of)["received_on"]
        try:
            school.calendar.next_school_day_series(received)
            school.calendar.add_school_days_series(
                received, school.policy.acknowledge_within_school_days
            )
        except CalendarRangeError as exc:
            found[school.slug] = str(exc)
    return found


def _check_calendars(group: SchoolGroup, as_of: dt.date) -> None:
    """Raise the first school's calendar error (DOMAIN.md: arithmetic past it is an error)."""
    problems = calendar_problems(group, as_of)
    if problems:
        slug, why = next(iter(problems.items()))
        school = next(s for s in group.schools if s.slug == slug)
        more = f" (and {len(problems) - 1} more schools)" if len(problems) > 1 else ""
        raise CalendarRangeError(group.about(school, why) + more)


def _first_meetings(group: SchoolGroup, as_of: dt.date) -> pl.LazyFrame:
    """The first meeting linked to each request (offered: any status) and the first held."""
    linked = group.meetings.lazy().filter(
        pl.col("request_id").is_not_null() & (pl.col("day") <= as_of)
    )
    return linked.group_by(_AT, "request_id").agg(
        pl.col("day").min().alias("first_meeting_on"),
        pl.col("day").filter(pl.col("status") == "held").min().alias("first_meeting_held_on"),
    )


def _response_times(group: SchoolGroup, years: _Years) -> pl.LazyFrame:
    """Response times of every school, as :func:`response_times`."""
    a, days = years.as_of, group.days
    within = years.setting("within")
    acknowledged = pl.col("acknowledged_on") <= a
    requests = (
        group.requests.lazy()
        .filter(pl.col("received_on") <= a)
        .with_columns(
            # An acknowledgement or response dated after as_of has not happened yet.
            pl.when(acknowledged).then(pl.col("acknowledged_on")).alias("acknowledged_on"),
            pl.when(acknowledged).then(pl.col("response")).alias("response"),
            _effective=days.before_(pl.col("received_on")),
        )
    )

    def taken(day: pl.Expr) -> pl.Expr:
        # School days d with effective receipt day < d <= day: a difference of day numbers.
        return (days.upto_(day) - pl.col("_effective") - 1).clip(lower_bound=0).cast(pl.Int32)

    frame = requests.with_columns(
        effective_on=days.school_day(pl.col("_effective")),
        due_on=days.school_day(pl.col("_effective") + within),
        school_days_taken=taken(pl.coalesce("acknowledged_on", pl.lit(a))),
    )
    routed = pl.col("kind").is_in(ROUTED_KINDS) | pl.col("response").is_in(ROUTED_RESPONSES)
    status = (
        pl.when(routed)
        .then(pl.lit("routed"))
        .when(pl.col("acknowledged_on").is_not_null() & (pl.col("school_days_taken") <= within))
        .then(pl.lit("on_time"))
        .when(pl.col("acknowledged_on").is_not_null())
        .then(pl.lit("late"))
        .when(pl.lit(a) > pl.col("due_on"))
        .then(pl.lit("open_overdue"))
        .otherwise(pl.lit("open_not_due"))
    )
    frame = frame.with_columns(status=status, term=days.term_name(pl.col("effective_on")))
    frame = frame.join(_first_meetings(group, a), on=[_AT, "request_id"], how="left")
    frame = frame.with_columns(
        school_days_to_meeting=pl.when(pl.col("first_meeting_on").is_not_null()).then(
            taken(pl.col("first_meeting_on"))
        ),
        school_days_to_meeting_held=pl.when(pl.col("first_meeting_held_on").is_not_null()).then(
            taken(pl.col("first_meeting_held_on"))
        ),
    )
    return frame.sort(_AT, "received_on", "request_id").select(
        group.school_column(),
        "request_id",
        "pupil_id",
        "received_on",
        "effective_on",
        "due_on",
        "acknowledged_on",
        "school_days_taken",
        "status",
        "channel",
        "kind",
        "response",
        "term",
        "first_meeting_on",
        "school_days_to_meeting",
        "first_meeting_held_on",
        "school_days_to_meeting_held",
    )


def response_times(group: SchoolGroup, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per request received by ``as_of``, school by school, with its due date and status.

    Every request is acknowledged within ``acknowledge_within_school_days`` school days of
    its effective receipt day; safeguarding and urgent day-to-day requests are routed away
    and counted as routed, never as late (DOMAIN.md, "Meeting requests: the response duty").
    Columns: school, request_id, pupil_id, received_on, effective_on, due_on,
    acknowledged_on, school_days_taken (to acknowledgement, or to ``as_of`` while open),
    status, channel, kind, response, term, first_meeting_on, school_days_to_meeting,
    first_meeting_held_on, school_days_to_meeting_held.

    Raises:
        CalendarRangeError: a school's arithmetic runs past its calendar
            (:func:`calendar_problems` lists every such school).
    """
    _check_calendars(group, as_of or dt.date.today())
    return _response_times(group, _Years.of(group, as_of)).collect(engine=_ENGINE)


def response_summary(times: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    """Counts per status and the on-time share, overall or by a column of ``response_times``.

    ``by`` may be school, term, month, channel, kind or response. The on-time share is
    on-time requests over decided ones (on time, late, or open and overdue); routed
    requests and open ones not yet due are not in it.
    """
    frame = times
    if by == "month":
        frame = frame.with_columns(month=pl.col("effective_on").dt.truncate("1mo"))
    keys = [by] if by else []
    aggregations = [pl.len().alias("requests")]
    aggregations += [(pl.col("status") == s).sum().alias(s) for s in STATUSES]
    aggregations.append(
        pl.col("school_days_taken")
        .filter(pl.col("status").is_in(["on_time", "late"]))
        .median()
        .alias("median_school_days")
    )
    grouped = (
        frame.group_by(keys, maintain_order=True).agg(aggregations)
        if keys
        else frame.select(aggregations)
    )
    decided = sum(pl.col(s) for s in DECIDED)
    grouped = grouped.with_columns(
        decided=decided,
        on_time_share=pl.when(decided > 0).then(pl.col("on_time") / decided),
    )
    return grouped.sort(keys) if keys else grouped


# --------------------------------------------------------------------------- coverage


def _review_coverage(group: SchoolGroup, years: _Years) -> pl.LazyFrame:
    """Review coverage of every school (with ``_school``), as :func:`review_coverage`."""
    a, days = years.as_of, group.days
    pupils = group.pupils.lazy().filter(is_registered(a))
    meetings = group.meetings.lazy().filter(is_counting_meeting(years.setting("year_start"), a))
    met_in = meetings.select(_AT, "pupil_id", _term=days.term_of(pl.col("day"))).unique()
    # Per completed term: was the pupil registered on its first day, and if so, met in it?
    terms = (
        pupils.select(_AT, "pupil_id", "registered_on")
        .join(years.completed_terms.lazy(), on=_AT)
        .filter(pl.col("registered_on") <= pl.col("_term_start"))
        .join(met_in.with_columns(_met=pl.lit(True)), on=[_AT, "pupil_id", "_term"], how="left")
        .group_by(_AT, "pupil_id")
        .agg(
            pl.len().cast(pl.Int32).alias("completed_terms"),
            pl.col("_met").is_null().sum().cast(pl.Int32).alias("terms_missed"),
        )
    )
    in_current = pl.col("day").is_between(
        years.setting("current_start"), years.setting("current_end")
    )
    counts = (
        meetings.with_columns(_in_current=in_current.fill_null(False))
        .group_by(_AT, "pupil_id")
        .agg(
            pl.len().alias("meetings_this_year"),
            pl.col("day").max().alias("last_meeting_on"),
            pl.col("_in_current").sum().alias("meetings_this_term"),
        )
    )
    frame = (
        pupils.join(counts, on=[_AT, "pupil_id"], how="left")
        .join(terms, on=[_AT, "pupil_id"], how="left")
        .with_columns(
            pl.col("meetings_this_year").fill_null(0).cast(pl.Int32),
            pl.col("meetings_this_term").fill_null(0).cast(pl.Int32),
            pl.col("completed_terms").fill_null(0),
            pl.col("terms_missed").fill_null(0),
        )
    )
    status = (
        pl.when((pl.col("meetings_this_year") == 0) & (pl.col("completed_terms") > 0))
        .then(pl.lit("never_met"))
        .when(pl.col("terms_missed") > 0)
        .then(pl.lit("missed_term"))
        .when(years.setting("has_current") & (pl.col("meetings_this_term") == 0))
        .then(pl.lit("due_this_term"))
        .otherwise(pl.lit("done_this_term"))
    )
    frame = frame.with_columns(status=status).with_columns(
        on_track=pl.col("status").is_in(["due_this_term", "done_this_term"])
    )
    # Meetings by the end of the year at each pupil's pace so far (school days elapsed).
    year_start = years.setting("year_start")
    elapsed = years.setting("elapsed")
    since = pl.max_horizontal(pl.col("registered_on"), year_start)
    elapsed_days = pl.when(since <= a).then(
        elapsed - (days.before_(since) - years.setting("year_first")).cast(pl.Int64)
    )
    remaining = years.setting("year_days") - elapsed
    pace = pl.col("meetings_this_year") / pl.max_horizontal(elapsed_days, pl.lit(1))
    projected = pl.col("meetings_this_year") + pace * remaining
    frame = frame.with_columns(
        projected_meetings=projected.round(1),
        projected_to_meet_minimum=projected >= years.setting("min_meetings"),
    )
    return frame.sort(_AT, "pupil_id").select(
        group.school_column(),
        "pupil_id",
        "sen_status",
        "year_group",
        "primary_need",
        "lead_staff_id",
        "registered_on",
        "completed_terms",
        "meetings_this_year",
        "meetings_this_term",
        "terms_missed",
        "last_meeting_on",
        "status",
        "on_track",
        "projected_meetings",
        "projected_to_meet_minimum",
        _AT,
    )


def review_coverage(group: SchoolGroup, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per registered pupil, school by school: meetings this year, terms missed, status.

    DOMAIN.md, "Statuses": counting meetings this school year, completed terms missed, and
    a status (first that applies): never_met, missed_term, due_this_term, done_this_term;
    and meetings projected to the year's end at the pupil's pace so far (school days).
    Columns: school, pupil_id, sen_status, year_group, primary_need, lead_staff_id,
    registered_on, completed_terms, meetings_this_year, meetings_this_term, terms_missed,
    last_meeting_on, status, on_track, projected_meetings, projected_to_meet_minimum.
    """
    return _review_coverage(group, _Years.of(group, as_of)).drop(_AT).collect(engine=_ENGINE)


# --------------------------------------------------------------------------- annual reviews


def _annual_reviews(group: SchoolGroup, years: _Years) -> pl.LazyFrame:
    """Annual reviews of every school (with ``_school``), as :func:`annual_reviews`."""
    a = years.as_of
    held = (
        group.meetings.lazy()
        .filter(
            (pl.col("kind") == "annual_review")
            & (pl.col("status") == "held")
            & (pl.col("day") <= a)
        )
        .group_by(_AT, "pupil_id")
        .agg(pl.col("day").max().alias("held_on"))
    )
    # Only plans that exist by as_of: a pupil registered later is not yet this school's duty.
    plans = (
        group.pupils.lazy()
        .filter((pl.col("sen_status") == "E") & (pl.col("registered_on") <= a))
        .join(held, on=[_AT, "pupil_id"], how="left")
    )
    recorded = pl.when(pl.col("last_annual_review_on") <= a).then(pl.col("last_annual_review_on"))
    # The pupils table is a snapshot: a review recorded after as_of has not happened yet,
    # unless it is all we know.
    last = pl.coalesce(pl.max_horizontal(recorded, "held_on"), pl.col("last_annual_review_on"))
    transfer = (pl.col("year_group") == years.setting("transfer_group")) & (
        pl.col("last_review_on") < years.setting("year_start")
    )
    plans = plans.with_columns(last_review_on=last).with_columns(
        due_on=pl.col("last_review_on").dt.offset_by("12mo"),
        transfer_deadline_on=pl.when(transfer).then(years.setting("transfer_deadline")),
    )
    plans = plans.with_columns(
        deadline_on=pl.min_horizontal("due_on", "transfer_deadline_on")
    ).with_columns(
        invite_by=pl.col("deadline_on") - pl.duration(days=NOTICE_DAYS),
        days_to_deadline=(pl.col("deadline_on") - pl.lit(a)).dt.total_days(),
    )
    status = (
        pl.when(pl.col("deadline_on") < a)
        .then(pl.lit("overdue"))
        .when(pl.col("days_to_deadline") <= years.setting("due_soon_days"))
        .then(pl.lit("due_soon"))
        .otherwise(pl.lit("ok"))
    )
    return (
        plans.with_columns(status=status)
        .sort(_AT, "deadline_on", "pupil_id")
        .select(
            group.school_column(),
            "pupil_id",
            "year_group",
            "primary_need",
            "lead_staff_id",
            "last_review_on",
            "due_on",
            "transfer_deadline_on",
            "deadline_on",
            "invite_by",
            "days_to_deadline",
            "status",
            _AT,
        )
    )


def annual_reviews(group: SchoolGroup, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per pupil with an EHC plan, school by school: last review, deadline and status.

    Due 12 calendar months after the last review (29 February becomes 28 February); a
    pupil in the transfer year group whose last review was before this school year also
    has the phase-transfer deadline (15 February; 31 March for Year 11). The deadline is
    the earlier; invitations go out 14 days before it. Status: overdue (deadline before
    ``as_of``), due_soon (within ``due_soon_days``), ok.
    """
    return _annual_reviews(group, _Years.of(group, as_of)).drop(_AT).collect(engine=_ENGINE)


# --------------------------------------------------------------------------- capacity

#: A capacity summary's figures, in order: the columns of :func:`capacity_summary`.
CAPACITY_FIGURES = (
    "utilisation_this_term",
    "utilisation_year_to_date",
    "forecast_utilisation_rest_of_year",
    "supply_hours_rest_of_year",
    "demand_hours_rest_of_year",
    "headroom_hours_rest_of_year",
    "sendco_review_share",
    "observed_sendco_review_share",
    "hours_per_day",
    "surgeries_per_week",
    "reviews_owed",
    "reviews_owed_sendco",
    "annual_reviews_to_hold",
    "request_meetings_expected",
)


def _year_days(group: SchoolGroup, years: _Years) -> pl.LazyFrame:
    """Every school day of each school's year: week, term, SENDCo day, forecast, supply."""
    settings = years.settings
    first = settings["year_first"].to_numpy()
    count = settings["year_days"].to_numpy()
    at = np.repeat(np.arange(len(count), dtype=np.uint32), count)
    number = (
        np.arange(at.size) - np.repeat(np.cumsum(count) - count, count) + np.repeat(first, count)
    )
    frame = pl.LazyFrame({_AT: at, "_number": number})
    sendco_day = years.is_sendco_day(pl.col("day"))
    return (
        frame.with_columns(day=group.days.school_day(pl.col("_number")))
        .with_columns(
            week=pl.col("day").dt.truncate("1w"),
            term=group.days.term_name(pl.col("day")),
            sendco_day=sendco_day,
            forecast=pl.col("day") > years.as_of,
        )
        .with_columns(
            supply_minutes=pl.when("sendco_day").then(years.setting("hours") * 60.0).otherwise(0.0)
        )
        .drop("_number")
    )


def _recorded_demand(group: SchoolGroup, years: _Years, review_weight: pl.Series) -> pl.LazyFrame:
    """SENDCo minutes from recorded meetings up to as_of, re-weighted by the levers.

    ``review_weight`` (one per school): a review the SENDCo attends happens share/observed
    times as often when the levers change the share of reviews the SENDCo attends.
    """
    levers = years.levers
    meetings = group.meetings.lazy().filter(
        pl.col("sendco_attended")
        & pl.col("status").is_in(["held", "did_not_attend"])
        & pl.col("day").is_between(years.setting("year_start"), pl.lit(years.as_of))
    )
    weight = pl.when(pl.col("kind") == "review").then(_per_school(review_weight)).otherwise(1.0)
    minutes = pl.col("minutes").cast(pl.Float64)
    if levers.meeting_minutes is not None:
        minutes = (
            pl.when(pl.col("kind").is_in(["review", "concern", "other"]))
            .then(float(levers.meeting_minutes))
            .otherwise(minutes)
        )
    booked_surgery = (pl.col("kind") == "surgery") & pl.col("pupil_id").is_not_null()
    overhead = (
        pl.when(pl.col("kind") == "surgery")
        .then(
            pl.when(booked_surgery & (pl.col("status") == "held"))
            .then(years.setting("write_up"))
            .otherwise(0)
        )
        .when(pl.col("status") == "held")
        .then(years.setting("overhead"))
        .otherwise(years.setting("preparation"))
    ).cast(pl.Float64)
    return meetings.select(
        _AT,
        "day",
        meetings=pl.when(pl.col("kind").is_in(["annual_review", "surgery"]).not_())
        .then(minutes * weight)
        .otherwise(0.0),
        annual_reviews=pl.when(pl.col("kind") == "annual_review").then(minutes).otherwise(0.0),
        preparation_and_records=overhead * weight,
    )


def _capacity(
    group: SchoolGroup, years: _Years, coverage: pl.DataFrame, reviews: pl.DataFrame
) -> tuple[pl.DataFrame, list[dict]]:
    """Each school's capacity days (stacked, with ``_school``) and its summary.

    Up to as_of, demand is what the school recorded; after it, a forward look. Termly
    reviews: each registered pupil still needs max(minimum - met, one per term left
    including the current term if not yet met); the SENDCo attends their share of them
    (the share of held reviews attended this year, 0.5 if none yet, unless a lever sets
    it). Request-driven meetings continue at this year's rate per school day. Annual
    reviews due by the year's end are placed on their deadline, but no sooner than two
    weeks' notice allows. Surgeries are protected slots, booked or not.
    """
    a, settings, levers = years.as_of, years.settings, years.levers
    n_schools = len(group.schools)
    year_days = _year_days(group, years).collect(engine=_ENGINE)
    since = years.setting("year_start")
    in_year = pl.col("day").is_between(since, pl.lit(a))
    held = pl.col("status") == "held"
    meetings = group.meetings.lazy()
    observed = meetings.filter((pl.col("kind") == "review") & held & in_year)
    arising = meetings.filter(
        pl.col("sendco_attended")
        & held
        & (pl.col("request_id").is_not_null() | (pl.col("kind") == "concern"))
        & (pl.col("kind") != "annual_review")
        & in_year
    )
    still_this_term = pl.when(years.setting("has_current")).then(
        (pl.col("meetings_this_term") == 0).cast(pl.Int32)
    )
    owed = coverage.lazy().select(
        _AT,
        owed=pl.max_horizontal(
            years.setting("min_meetings") - pl.col("meetings_this_year"),
            years.setting("terms_left") + still_this_term.fill_null(0),
        ).clip(lower_bound=0),
    )
    to_hold = reviews.lazy().filter(pl.col("deadline_on") <= years.setting("year_end"))
    ahead = year_days.lazy().filter(pl.col("forecast") & pl.col("sendco_day"))
    per_school = pl.LazyFrame({_AT: np.arange(n_schools, dtype=np.uint32)})
    counts = [
        observed.group_by(_AT).agg(pl.col("sendco_attended").mean().alias("observed")),
        arising.group_by(_AT).agg(
            pl.len().alias("arising"), pl.col("minutes").mean().alias("arising_minutes")
        ),
        owed.group_by(_AT).agg(pl.col("owed").sum().alias("reviews_owed")),
        to_hold.group_by(_AT).agg(pl.len().alias("to_hold")),
        ahead.group_by(_AT).agg(pl.len().alias("ahead"), pl.col("day").max().alias("last_ahead")),
    ]
    for frame in counts:
        per_school = per_school.join(frame, on=_AT, how="left")
    look = per_school.sort(_AT).collect(engine=_ENGINE)

    # The forward look's scalars, school by school.
    spread, weights, figures = [], [], []
    for index, row in enumerate(look.iter_rows(named=True)):
        s = settings.row(index, named=True)
        observed_share = row["observed"] if row["observed"] is not None else 0.5
        share = (
            observed_share
            if levers.class_teacher_led_share is None
            else 1 - levers.class_teacher_led_share
        )
        weights.append(share / observed_share if observed_share else 1.0)
        elapsed, forecast_days = s["elapsed"], s["year_days"] - s["elapsed"]
        if not elapsed or not row["arising"]:
            rate, request_minutes = 0.0, float(s["meeting_minutes"])
        else:
            rate, request_minutes = row["arising"] / elapsed, float(row["arising_minutes"])
        if levers.meeting_minutes is not None:
            request_minutes = float(levers.meeting_minutes)
        review_minutes = float(levers.meeting_minutes or s["meeting_minutes"])
        reviews_owed = row["reviews_owed"] or 0
        requests_expected = rate * forecast_days
        reviews_sendco = reviews_owed * share
        n = row["ahead"] or 0
        if n:
            spread.append(
                (
                    index,
                    (reviews_sendco * review_minutes + requests_expected * request_minutes) / n,
                    (reviews_sendco + requests_expected) * s["overhead"] / n,
                )
            )
        figures.append(
            {
                "sendco_review_share": round(share, 3),
                "observed_sendco_review_share": round(observed_share, 3),
                **years.staffing[index],
                "reviews_owed": int(reviews_owed),
                "reviews_owed_sendco": round(reviews_sendco, 1),
                "annual_reviews_to_hold": row["to_hold"] or 0,
                "request_meetings_expected": round(requests_expected, 1),
            }
        )

    spread_frame = pl.LazyFrame(
        spread,
        schema={_AT: pl.UInt32, "meetings": pl.Float64, "preparation_and_records": pl.Float64},
        orient="row",
    )
    spread_days = (
        ahead.select(_AT, "day").join(spread_frame, on=_AT).with_columns(annual_reviews=pl.lit(0.0))
    )
    # Two weeks' notice of an annual review (SEND Regulations 2014, reg. 20).
    earliest = a + dt.timedelta(days=NOTICE_DAYS)
    last_ahead = _per_school(look["last_ahead"])
    wanted = (
        to_hold.select(
            _AT,
            _wanted=pl.max_horizontal("deadline_on", pl.lit(earliest)).clip(upper_bound=last_ahead),
        )
        .filter(last_ahead.is_not_null())
        .sort("_wanted")
    )
    placed = (
        wanted.join_asof(
            ahead.select(_AT, "day").sort("day"),
            left_on="_wanted",
            right_on="day",
            by=_AT,
            strategy="forward",
            check_sortedness=False,
        )
        .group_by(_AT, "day")
        .agg(_placed=pl.len().cast(pl.Float64))
        .with_columns(
            meetings=pl.lit(0.0),
            annual_reviews=pl.col("_placed") * years.setting("annual_review_minutes"),
            preparation_and_records=pl.col("_placed") * years.setting("overhead"),
        )
    )
    columns = [_AT, "day", "meetings", "annual_reviews", "preparation_and_records"]
    review_weight = pl.Series(weights, dtype=pl.Float64)
    parts = pl.collect_all(
        [
            _recorded_demand(group, years, review_weight).select(columns),
            spread_days.select(columns),
            placed.select(columns),
        ],
        engine=_ENGINE,
    )
    # Summed as one eager frame: a lazy query may add up each part on its own and then the
    # parts, and a lever's fractional minutes would then differ in the last bits.
    demand = pl.concat(parts).group_by(_AT, "day").agg(pl.col(c).sum() for c in columns[2:])
    daily = (
        year_days.join(demand, on=[_AT, "day"], how="left", maintain_order="left")
        .with_columns(pl.col(c).fill_null(0.0) for c in columns[2:])
        .with_columns(
            # Protected slots, booked or not: each week's spread over its SENDCo days.
            surgeries=pl.when("sendco_day")
            .then(
                years.setting("weekly_surgery")
                / pl.col("sendco_day").sum().over(_AT, "week").cast(pl.Float64)
            )
            .otherwise(0.0)
        )
        .with_columns(demand_minutes=pl.sum_horizontal(*COMPONENTS))
    )
    return daily, _summaries(daily, years, figures)


def _summaries(daily: pl.DataFrame, years: _Years, figures: list[dict]) -> list[dict]:
    """Each school's capacity summary: utilisation and headroom, then the forward look's figures."""
    this_term = ~pl.col("forecast") & (pl.col("term") == pl.col("_term_now"))
    subsets = {
        "this_term": this_term,
        "year_to_date": ~pl.col("forecast"),
        "rest": pl.col("forecast"),
    }
    # Sums school by school: a group-by adds floats in another order, and a total such as
    # 8,163 minutes could then round to a different tenth of an hour.
    totals = [
        pl.col(c).filter(when).sum().alias(f"{c}_{name}")
        for name, when in subsets.items()
        for c in ("supply_minutes", "demand_minutes")
    ]
    by_school = daily.select(_AT, "forecast", "term", "supply_minutes", "demand_minutes")
    by_school = by_school.with_columns(_term_now=years.setting("current_term"))
    sums = pl.concat(
        part.select(totals)
        for part in by_school.partition_by(_AT, maintain_order=True, include_key=False)
    )

    def ratio(demand: float, supply: float) -> float | None:
        return float(demand / supply) if supply else None

    summaries = []
    for row, school_figures in zip(sums.iter_rows(named=True), figures, strict=True):
        supply, demand_rest = row["supply_minutes_rest"], row["demand_minutes_rest"]
        summaries.append(
            {
                "utilisation_this_term": ratio(
                    row["demand_minutes_this_term"], row["supply_minutes_this_term"]
                ),
                "utilisation_year_to_date": ratio(
                    row["demand_minutes_year_to_date"], row["supply_minutes_year_to_date"]
                ),
                "forecast_utilisation_rest_of_year": ratio(demand_rest, supply),
                "supply_hours_rest_of_year": round(supply / 60, 1),
                "demand_hours_rest_of_year": round(demand_rest / 60, 1),
                "headroom_hours_rest_of_year": round((supply - demand_rest) / 60, 1),
                **school_figures,
            }
        )
    return summaries


def _summary_frame(group: SchoolGroup, summaries: Sequence[dict]) -> pl.DataFrame:
    """The summaries as a frame: one row per school, the :data:`CAPACITY_FIGURES` columns."""
    frame = pl.DataFrame(
        [{k: summary[k] for k in CAPACITY_FIGURES} for summary in summaries],
        schema={
            "utilisation_this_term": pl.Float64,
            "utilisation_year_to_date": pl.Float64,
            "forecast_utilisation_rest_of_year": pl.Float64,
            "supply_hours_rest_of_year": pl.Float64,
            "demand_hours_rest_of_year": pl.Float64,
            "headroom_hours_rest_of_year": pl.Float64,
            "sendco_review_share": pl.Float64,
            "observed_sendco_review_share": pl.Float64,
            "hours_per_day": pl.Float64,
            "surgeries_per_week": pl.Int64,
            "reviews_owed": pl.Int64,
            "reviews_owed_sendco": pl.Float64,
            "annual_reviews_to_hold": pl.Int64,
            "request_meetings_expected": pl.Float64,
        },
    )
    names = pl.Series(SCHOOL, group.slugs, dtype=pl.Enum(group.slugs))
    return frame.insert_column(0, names)


@dataclass(frozen=True)
class GroupCapacity:
    """Every school's SENDCo capacity as of one date, under the same levers."""

    #: One row per school day of each school's year: school, day, week, term, sendco_day,
    #: forecast, supply_minutes, then the demand in minutes: meetings, annual_reviews,
    #: preparation_and_records, surgeries, demand_minutes.
    daily: pl.DataFrame
    #: Each school's headline figures, in the group's order (see :data:`CAPACITY_FIGURES`).
    summaries: tuple[dict, ...]


def capacity(
    group: SchoolGroup, as_of: dt.date | None = None, levers: Levers | None = None
) -> GroupCapacity:
    """SENDCo supply and demand of every school for the school year of ``as_of``.

    DOMAIN.md, "Capacity": supply is the SENDCo's days in term times the protected hours a
    day; demand is the meetings the SENDCo attends at their length, preparation before and
    the written record after each, protected surgery slots and annual reviews. ``levers``
    (the same for every school) re-run it with another SENDCo day, more surgeries, more
    reviews led by class teachers or shorter meetings.
    """
    years = _Years.of(group, as_of, levers)
    coverage, reviews = pl.collect_all(
        [_review_coverage(group, years), _annual_reviews(group, years)], engine=_ENGINE
    )
    daily, summaries = _capacity(group, years, coverage, reviews)
    return GroupCapacity(
        daily=daily.select(group.school_column(), pl.exclude(_AT)), summaries=tuple(summaries)
    )


def capacity_summary(
    group: SchoolGroup, as_of: dt.date | None = None, levers: Levers | None = None
) -> pl.DataFrame:
    """Every school's capacity summary (:data:`CAPACITY_FIGURES`), one row per school."""
    return _summary_frame(group, capacity(group, as_of, levers).summaries)


# --------------------------------------------------------------------------- all at once


@dataclass(frozen=True)
class GroupFigures:
    """Every multi-school figure as of one date, computed together."""

    as_of: dt.date
    times: pl.DataFrame
    coverage: pl.DataFrame
    reviews: pl.DataFrame
    capacity: pl.DataFrame
    headlines: pl.DataFrame


def group_figures(group: SchoolGroup, as_of: dt.date | None = None) -> GroupFigures:
    """Response times, coverage, annual reviews, capacity and per-school headline figures.

    One pass of polars queries for the whole group (the independent ones run together),
    then one row per school of the figures a trust overview compares.
    """
    _check_calendars(group, as_of or dt.date.today())
    years = _Years.of(group, as_of)
    times, coverage, reviews = pl.collect_all(
        [
            _response_times(group, years),
            _review_coverage(group, years),
            _annual_reviews(group, years),
        ],
        engine=_ENGINE,
    )
    cap = _summary_frame(group, _capacity(group, years, coverage, reviews)[1])
    return GroupFigures(
        as_of=years.as_of,
        times=times,
        coverage=coverage.drop(_AT),
        reviews=reviews.drop(_AT),
        capacity=cap,
        headlines=_headlines(group, times, coverage, reviews, cap),
    )


def _headlines(
    group: SchoolGroup,
    times: pl.DataFrame,
    coverage: pl.DataFrame,
    reviews: pl.DataFrame,
    cap: pl.DataFrame,
) -> pl.DataFrame:
    """One row per school: the counts and shares behind each leadership headline."""
    requests = response_summary(times, SCHOOL)
    pupils = coverage.group_by(SCHOOL).agg(
        pl.len().alias("registered"),
        pl.col("on_track").sum().alias("on_track"),
        (pl.col("status") == "never_met").sum().alias("never_met"),
        (pl.col("status") == "missed_term").sum().alias("missed_term"),
    )
    plans = reviews.group_by(SCHOOL).agg(
        pl.len().alias("ehc_plans"),
        (pl.col("status") == "overdue").sum().alias("reviews_overdue"),
        (pl.col("status") == "due_soon").sum().alias("reviews_due_soon"),
    )
    schools = pl.DataFrame(
        {
            SCHOOL: pl.Series(group.slugs, dtype=pl.Enum(group.slugs)),
            "name": [s.name for s in group.schools],
            "phase": [s.config.phase for s in group.schools],
            "suppress_below": [s.policy.suppress_below for s in group.schools],
            "acknowledge_within": [s.policy.acknowledge_within_school_days for s in group.schools],
        }
    )
    counts = ["requests", *STATUSES, "decided", "registered", "on_track"]
    counts += ["never_met", "missed_term", "ehc_plans", "reviews_overdue", "reviews_due_soon"]
    frame = (
        schools.join(requests, on=SCHOOL, how="left")
        .join(pupils, on=SCHOOL, how="left")
        .join(plans, on=SCHOOL, how="left")
        .join(cap, on=SCHOOL, how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
    )
    return frame.select(
        pl.exclude("decided", "on_time_share"),
        "decided",
        "on_time_share",
        on_track_share=pl.when(pl.col("registered") > 0).then(
            pl.col("on_track") / pl.col("registered")
        ),
    )
