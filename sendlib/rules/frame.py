"""The many-school frame every duty is computed over: stacked tables and day numbers.

Every rule in this room (:mod:`~sendlib.rules.requests`, :mod:`~sendlib.rules.meetings`,
:mod:`~sendlib.rules.annual_reviews`, :mod:`~sendlib.rules.capacity`) is written once, over a
:class:`SchoolGroup`: the schools' tables stacked with a ``school`` column. The per-school
functions (:func:`sendlib.response_times`, :func:`sendlib.review_coverage`,
:func:`sendlib.annual_reviews`, :func:`sendlib.rules.capacity.capacity`) are those queries for
a group of one school, without the ``school`` column. A trust or a local authority asks
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
import tomllib
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from sendlib.school.asof import SchoolYear, school_year
from sendlib.school.config import parse_config
from sendlib.school.errors import CalendarRangeError, DataValidationError, Problem
from sendlib.school.load import School, load_school
from sendlib.school.schema import COUNTING_KINDS

#: The column naming each row's school (its folder name) in every multi-school frame.
SCHOOL = "school"
#: The school's position in the group: the key of every per-school lookup.
POSITION = "_school"
_ONE_DAY = np.timedelta64(1, "D")
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
#: Every query runs in memory: for one school the streaming engine takes longer to start
#: than the query takes to run, and for 300 schools the two engines take the same time.
ENGINE = "in-memory"
#: A School's tables; a scanned group keeps only the staff per school, the rest stacked.
_SCHOOL_TABLES = (
    "pupils",
    "staff",
    "requests",
    "meetings",
    "plans",
    "assessments",
    "register_changes",
    "interventions",
    "provisions",
)


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


def per_school(values: pl.Series) -> pl.Expr:
    """A per-school value on every row of a stacked table, by the row's school position."""
    return pl.lit(values).gather(pl.col(POSITION))


@dataclass(frozen=True)
class DayNumbers:
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
    def of(cls, schools: Sequence[School]) -> DayNumbers:
        """Build the lookups from each school's validated calendar (a loop over schools)."""
        offsets, firsts, lasts, day_offsets, day_counts = [], [], [], [], []
        before, upto, terms, names, days = [], [], [], [], []
        position = day_position = 0
        for school in schools:
            calendar = school.calendar
            # Via ordinals: numpy converts a list of dates one slow step at a time.
            ordinals = np.array([d.toordinal() for d in calendar.school_days()], dtype=np.int64)
            school_days = (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
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
        first = per_school(self.first)
        clamped = day.cast(pl.Int32).clip(first, per_school(self.last))
        return per_school(self.offset) + (clamped - first).cast(pl.Int64)

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
        return pl.lit(self.days).gather(per_school(self.day_offset) + number.cast(pl.Int64))


# --------------------------------------------------------------------------- the group


@dataclass(frozen=True)
class SchoolGroup:
    """Validated schools stacked into one set of tables, each row tagged with its school.

    Build it with :meth:`of`, or with :meth:`scan` over partitioned Parquet, whose tables
    stay lazy (read as a query needs them) so memory stays bounded at national scale.
    ``school`` (the folder name, an Enum) is the first column of every frame the group
    rules return; folder names must therefore be unique in a group.
    """

    schools: tuple[School, ...]
    pupils: pl.DataFrame | pl.LazyFrame
    requests: pl.DataFrame | pl.LazyFrame
    meetings: pl.DataFrame | pl.LazyFrame
    plans: pl.DataFrame | pl.LazyFrame
    days: DayNumbers

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
                    getattr(s, table).with_columns(pl.lit(i, dtype=pl.UInt32).alias(POSITION))
                    for i, s in enumerate(schools)
                ],
                how="diagonal_relaxed",
            )

        return cls(
            schools=schools,
            pupils=stacked("pupils"),
            requests=stacked("requests"),
            meetings=stacked("meetings").with_columns(day=pl.col("starts_at").dt.date()),
            plans=stacked("plans"),
            days=DayNumbers.of(schools),
        )

    @classmethod
    def scan(cls, dataset: str | Path, parts: int | None = None, lazy: bool = True) -> SchoolGroup:
        """A group over partitioned Parquet, ``DATASET/<table>/part-*.parquet``.

        Rows are tagged with their school's position (``_school``); ``DATASET/schools``
        holds each school's folder name (``slug``) and ``school.toml`` text. The first ``parts`` files of each table (default all) are read; with ``lazy`` the
        pupils, requests, meetings and plans are ``pl.scan_parquet`` queries, otherwise read now
        (the in-memory path). Each school's settings are validated as ``school.toml`` is.
        """
        root = Path(dataset)

        def files(table: str) -> list[Path]:
            return sorted((root / table).glob("part-*.parquet"))[:parts]

        def table(name: str) -> pl.DataFrame | pl.LazyFrame:
            frame = pl.scan_parquet(files(name))
            return frame if lazy else frame.collect()

        listed = pl.read_parquet(files("schools")).sort(POSITION)
        if not listed[POSITION].equals(pl.Series(POSITION, range(listed.height), pl.UInt32)):
            raise ValueError(f"{root}: the schools' positions must run 0, 1, 2, ... in order")
        # One split of the staff for all schools: a drop per school costs a query each.
        staff = pl.read_parquet(files("staff")).partition_by(
            POSITION, as_dict=True, include_key=False
        )
        empty = pl.DataFrame()
        schools = []
        for position, slug, text in listed.select(POSITION, "slug", "toml").iter_rows():
            config = parse_config(tomllib.loads(text))
            own_staff = staff.get((position,), empty)
            tables = dict.fromkeys(_SCHOOL_TABLES, empty) | {"staff": own_staff}
            schools.append(School(root / slug, config, config.calendar(), **tables, rejects=empty))
        meetings = table("meetings")
        return cls(
            schools=tuple(schools),
            pupils=table("pupils"),
            requests=table("requests"),
            meetings=meetings.with_columns(day=pl.col("starts_at").dt.date()),
            plans=table("plans"),
            days=DayNumbers.of(schools),
        )

    @property
    def slugs(self) -> list[str]:
        """The schools' folder names, in the group's order."""
        return [s.slug for s in self.schools]

    def school_column(self) -> pl.Expr:
        """The ``school`` column (folder names as an Enum) for rows of the stacked tables."""
        names = pl.Series(self.slugs, dtype=pl.Enum(self.slugs))
        return pl.lit(names).gather(pl.col(POSITION)).alias(SCHOOL)

    def about(self, school: School, message: str) -> str:
        """An error message about one school: named, unless it is the group's only school."""
        return message if len(self.schools) == 1 else f"{school.name} ({school.slug}): {message}"


# --------------------------------------------------------------------------- school years


@dataclass(frozen=True)
class GroupYears:
    """Each school's school year as of one date, and the duties' limits, one row per school."""

    as_of: dt.date
    years: tuple[SchoolYear, ...]
    settings: pl.DataFrame
    completed_terms: pl.DataFrame  # _school, _term, _term_start

    @classmethod
    def of(cls, group: SchoolGroup, as_of: dt.date | None) -> GroupYears:
        """Every school's year of ``as_of`` (default today); a date outside one is an error."""
        as_of = as_of or dt.date.today()
        years, rows, completed = [], [], []
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
            current = year.current_term
            year_days = calendar.school_days(year.start, year.end)
            first = len(calendar.school_days(None, year.start - dt.timedelta(days=1)))
            elapsed = len(calendar.school_days(year.start, as_of))
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
                }
            )
            for term in year.completed_terms:
                completed.append((index, term_ids[(school.slug, term)], term.start))
        completed_terms = pl.DataFrame(
            completed,
            schema={POSITION: pl.UInt32, "_term": pl.Int32, "_term_start": pl.Date},
            orient="row",
        )
        return cls(as_of, tuple(years), pl.DataFrame(rows), completed_terms)

    def setting(self, name: str) -> pl.Expr:
        """A school's setting on each of its rows."""
        return per_school(self.settings[name])


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


def is_offered_not_held(since: dt.date | pl.Expr, as_of: dt.date) -> pl.Expr:
    """Meetings of a counting kind the family did not attend, on a ``day`` from since to as_of.

    DOMAIN.md, "Offered but not held": the school offered, the family did not come.
    """
    return (
        (pl.col("status") == "did_not_attend")
        & pl.col("kind").is_in(COUNTING_KINDS)
        & pl.col("pupil_id").is_not_null()
        & pl.col("day").is_between(since, pl.lit(as_of))
    )


# --------------------------------------------------------------------------- calendar problems


def calendar_problems(group: SchoolGroup, as_of: dt.date | None = None) -> dict[str, str]:
    """Schools whose figures cannot be worked out as of ``as_of``: folder name -> why.

    The reason is the error the school's own calendar raises: an as-of date outside it, a
    request received before it starts, or an acknowledgement deadline past its last school
    day (DOMAIN.md: never a guess).
    :func:`~sendlib.rules.requests.group_response_times` raises it; a trust overview
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
        .with_columns(_due=days.before_(pl.col("received_on")) + per_school(within))
        .group_by(POSITION)
        .agg(
            pl.col("received_on").min().alias("earliest"),
            pl.col("_due").max().alias("due_number"),
        )
        .filter(
            (pl.col("earliest") < per_school(starts))
            | (pl.col("due_number") >= per_school(days.day_count))
        )
        .sort(POSITION)
        .collect(engine=ENGINE)
    )
    for index in suspects[POSITION]:
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


def check_calendars(group: SchoolGroup, as_of: dt.date) -> None:
    """Raise the first school's calendar error (DOMAIN.md: arithmetic past it is an error)."""
    problems = calendar_problems(group, as_of)
    if problems:
        slug, why = next(iter(problems.items()))
        school = next(s for s in group.schools if s.slug == slug)
        more = f" (and {len(problems) - 1} more schools)" if len(problems) > 1 else ""
        raise CalendarRangeError(group.about(school, why) + more)
