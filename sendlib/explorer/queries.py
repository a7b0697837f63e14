"""The caseload as of a date, in polars: filters, the headline strip, sort orders, chart counts.

No HTML here: :mod:`sendlib.explorer.views` turns these frames into the page. What is
owed and by when comes from :mod:`sendlib.explorer.due`; :mod:`sendlib.explorer.todo`
and :mod:`sendlib.explorer.timeline` ask the caseload for the to-do lists and one
pupil's year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields

import polars as pl

from sendlib.explorer.due import due_items
from sendlib.explorer.labels import (
    CASELOAD_STATUS_LABELS,
    CASELOAD_STATUSES,
    MONITORED,
    ROLE_LABELS,
    YEAR_RANK,
    days_in_words,
    need_label,
    year_label,
)
from sendlib.rules.annual_reviews import DEADLINE_STATUSES, annual_review_reports, annual_reviews
from sendlib.rules.meetings import (
    COVERAGE_STATUSES,
    ON_TRACK,
    counting_meetings,
    record_timeliness,
    review_coverage,
)
from sendlib.rules.requests import requests_in_words, response_times
from sendlib.school.asof import SchoolYear, school_year
from sendlib.school.load import School
from sendlib.school.schema import NEED_LABELS, SEN_STATUS_LABELS

#: The pupils table's sort orders: label -> (columns, descending flags).
SORT_ORDERS: dict[str, tuple[tuple[str, ...], tuple[bool, ...]]] = {
    "Next due (most overdue first)": (("next_due_on", "_year_rank", "pupil_id"), (False,) * 3),
    "Parent-meeting status (never met first)": (
        ("_status_rank", "last_meeting_on", "pupil_id"),
        (False,) * 3,
    ),
    "Pupil ID": (("pupil_id",), (False,)),
    "Year group": (("_year_rank", "pupil_id"), (False, False)),
    "Primary need": (("primary_need", "pupil_id"), (False, False)),
    "Lead staff": (("lead_staff_id", "pupil_id"), (False, False)),
    "Meetings this year (fewest first)": (("meetings_this_year", "pupil_id"), (False, False)),
    "Last meeting (longest ago first)": (("last_meeting_on", "pupil_id"), (False, False)),
    "Annual review deadline (soonest first)": (
        ("annual_review_deadline_on", "pupil_id"),
        (False, False),
    ),
    "Open requests (most first)": (("open_requests", "pupil_id"), (True, False)),
}


# ---------------------------------------------------------------------------------------
# Data: the caseload as of a date


@dataclass(frozen=True)
class Caseload:
    """Everything the explorer shows, computed once per school and as-of date.

    ``pupils`` has one row per pupil on the caseload (registered by ``as_of``, or
    monitored); the other frames are sendlib's per-record frames for those pupils.
    """

    school: School
    as_of: dt.date
    year: SchoolYear
    pupils: pl.DataFrame
    requests: pl.DataFrame
    reviews: pl.DataFrame
    records: pl.DataFrame
    due: pl.DataFrame
    #: Held annual reviews with their report (14 days) and the LA's decision (28 days).
    reports: pl.DataFrame

    @property
    def statutory(self) -> bool:
        """Whether England's statutory clocks apply (DOMAIN.md, "Where these rules apply")."""
        return self.school.config.applies_english_law

    @property
    def has_names(self) -> bool:
        """Whether the school's data carries display names (shown only in this explorer)."""
        return self.pupils["display_name"].is_not_null().any()


def caseload(school: School, as_of: dt.date) -> Caseload:
    """The caseload as of a date: one row per pupil, with status, counts and what is next.

    Pupil columns: pupil_id, display_name, year_group, sen_status, primary_need,
    lead_staff_id, registered_on, coverage_status (a coverage status, or ``monitored``),
    meetings_this_year, meetings_this_term, no_meeting_this_term, terms_missed,
    terms_offered_not_held (from :func:`~sendlib.rules.meetings.review_coverage`),
    last_meeting_on, next_booked_on,
    open_requests, overdue_requests, annual_review_deadline_on, annual_review_status,
    records_missing, next_due_on, next_due.
    """
    year = school_year(school, as_of)
    a = year.as_of
    pupils = _caseload_pupils(school, a)
    on_caseload = pupils["pupil_id"].implode()
    coverage = review_coverage(school, a)
    requests = response_times(school, a).filter(pl.col("pupil_id").is_in(on_caseload))
    reviews = annual_reviews(school, a).filter(pl.col("pupil_id").is_in(on_caseload))
    if not school.config.applies_english_law:
        # Annual-review clocks are English law: a school elsewhere sees its own policy only.
        reviews = reviews.head(0)
    records = record_timeliness(school, a).filter(pl.col("pupil_id").is_in(on_caseload))
    reports = annual_review_reports(school, a).filter(pl.col("pupil_id").is_in(on_caseload))
    booked = (
        booked_meetings(school, a)
        .group_by("pupil_id")
        .agg(pl.col("starts_at").min().dt.date().alias("next_booked_on"))
    )
    missing = (
        pl.concat(
            [
                records.filter(pl.col("record_status") == "missing").select("pupil_id"),
                reports.filter(pl.col("report_status") == "report_missing").select("pupil_id"),
            ]
        )
        .group_by("pupil_id")
        .agg(pl.len().cast(pl.Int64).alias("records_missing"))
    )
    due = due_items(school, year, coverage, requests, reviews, records, reports)
    frame = (
        pupils.join(
            coverage.select(
                "pupil_id",
                pl.col("status").alias("coverage_status"),
                "no_meeting_this_term",
                "terms_missed",
                "terms_offered_not_held",
            ),
            on="pupil_id",
            how="left",
        )
        .join(_meeting_counts(school, year), on="pupil_id", how="left")
        .join(booked, on="pupil_id", how="left")
        .join(_open_request_counts(requests), on="pupil_id", how="left")
        .join(
            reviews.select(
                "pupil_id",
                pl.col("deadline_on").alias("annual_review_deadline_on"),
                pl.col("status").alias("annual_review_status"),
            ),
            on="pupil_id",
            how="left",
        )
        .join(missing, on="pupil_id", how="left")
        .join(_next_due(due), on="pupil_id", how="left")
        .with_columns(
            pl.col("coverage_status").fill_null(MONITORED),
            pl.col("meetings_this_year", "meetings_this_term").fill_null(0).cast(pl.Int64),
            pl.col("open_requests", "overdue_requests", "records_missing").fill_null(0),
            pl.col("no_meeting_this_term").fill_null(False),
            pl.col("terms_missed", "terms_offered_not_held").fill_null(0),
        )
        .sort("pupil_id")
    )
    return Caseload(school, a, year, frame, requests, reviews, records, due, reports)


def _caseload_pupils(school: School, as_of: dt.date) -> pl.DataFrame:
    """The pupils on the caseload as of a date, with a display_name column (empty if none).

    A pupil placed on the register after ``as_of`` is not yet on it (records after
    ``as_of`` are ignored); monitored pupils have no registration date.
    """
    pupils = school.pupils
    if "display_name" not in pupils.columns:
        pupils = pupils.with_columns(display_name=pl.lit(None, pl.String))
    return pupils.filter((pl.col("sen_status") == "M") | (pl.col("registered_on") <= as_of)).select(
        "pupil_id",
        "display_name",
        "year_group",
        "sen_status",
        "primary_need",
        "lead_staff_id",
        "registered_on",
    )


def _open_request_counts(requests: pl.DataFrame) -> pl.DataFrame:
    """Open requests per pupil, and how many of them are past their acknowledgement date."""
    open_requests = requests.filter(pl.col("status").is_in(["open_overdue", "open_not_due"]))
    return open_requests.group_by("pupil_id").agg(
        pl.len().cast(pl.Int64).alias("open_requests"),
        (pl.col("status") == "open_overdue").sum().cast(pl.Int64).alias("overdue_requests"),
    )


def _next_due(due: pl.DataFrame) -> pl.DataFrame:
    """Each pupil's soonest (or most overdue) due item: next_due_on and next_due."""
    return (
        due.sort("due_on", "item")
        .group_by("pupil_id", maintain_order=True)
        .first()
        .select("pupil_id", pl.col("due_on").alias("next_due_on"), pl.col("item").alias("next_due"))
    )


def _meeting_counts(school: School, year: SchoolYear) -> pl.DataFrame:
    """Counting parent meetings this year and term, and the last, for every pupil.

    The same counts as ``review_coverage`` for registered pupils, and for monitored pupils
    too: they have no duty to meet, but the SENDCo still sees the meetings held.
    """
    term = year.current_term
    this_term = (
        pl.col("day").is_between(term.start, term.end).sum() if term else pl.lit(0, pl.UInt32)
    )
    return (
        counting_meetings(school, year.as_of, year.start)
        .group_by("pupil_id")
        .agg(
            pl.len().alias("meetings_this_year"),
            this_term.alias("meetings_this_term"),
            pl.col("day").max().alias("last_meeting_on"),
        )
    )


def booked_meetings(school: School, as_of: dt.date) -> pl.DataFrame:
    """Meetings in the diary after ``as_of``: as of that date they were booked, not yet held.

    A meeting cancelled later cannot be told apart from one never booked, so it is left out.
    """
    return school.meetings.filter(
        pl.col("pupil_id").is_not_null()
        & (pl.col("starts_at").dt.date() > as_of)
        & (pl.col("status") != "cancelled")
    )


# ---------------------------------------------------------------------------------------
# Data: filters and the headline strip


#: The "All ..." choice of a filter (a dropdown shows ``None`` as no choice at all).
ALL = ""


@dataclass(frozen=True)
class CaseloadFilter:
    """The SENDCo's choice in each filter; ``None`` or ``ALL`` means every pupil."""

    year_group: str | None = None
    primary_need: str | None = None
    sen_status: str | None = None
    lead_staff_id: str | None = None
    coverage_status: str | None = None

    @property
    def chosen(self) -> dict[str, str]:
        """The filters set, by column."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if value not in (None, ALL)}


def filter_pupils(pupils: pl.DataFrame, chosen: CaseloadFilter) -> pl.DataFrame:
    """The caseload's pupils that match every chosen filter."""
    conditions = [pl.col(column) == value for column, value in chosen.chosen.items()]
    return pupils.filter(*conditions) if conditions else pupils


def filter_options(cases: Caseload) -> dict[str, list[tuple[str, str]]]:
    """Each filter's choices as (label, value), "All ..." first, only values on the caseload.

    Labels are the words a SENDCo uses (``Year 7``, ``Autistic spectrum disorder (ASD)``,
    ``EHC plan``, ``HOY7 (head of year)``, ``Not met this year``).
    """
    pupils = cases.pupils
    present = {c: set(pupils[c].drop_nulls().to_list()) for c in pupils.columns}
    roles = dict(cases.school.staff.select("staff_id", "role").iter_rows())
    years = sorted(present["year_group"], key=lambda g: YEAR_RANK.get(g, 99))
    needs = sorted(present["primary_need"], key=lambda c: NEED_LABELS.get(c, c))
    return {
        "year_group": [("All year groups", ALL), *((year_label(g), g) for g in years)],
        "primary_need": [("All needs", ALL), *((need_label(c), c) for c in needs)],
        "sen_status": [
            ("All SEN statuses", ALL),
            *((SEN_STATUS_LABELS[s], s) for s in SEN_STATUS_LABELS if s in present["sen_status"]),
        ],
        "lead_staff_id": [
            ("All lead staff", ALL),
            *(
                (f"{s} ({ROLE_LABELS.get(roles.get(s, 'other'), 'staff')})", s)
                for s in sorted(present["lead_staff_id"])
            ),
        ],
        "coverage_status": [
            ("All meeting statuses", ALL),
            *(
                (CASELOAD_STATUS_LABELS[s], s)
                for s in CASELOAD_STATUSES
                if s in present["coverage_status"]
            ),
        ],
    }


@dataclass(frozen=True)
class Headline:
    """One figure of the headline strip: a count, out of how many where that helps."""

    key: str
    title: str
    value: int
    out_of: int | None
    note: str

    @property
    def text(self) -> str:
        """The figure as shown: ``12`` or ``12 of 40``."""
        return f"{self.value}" if self.out_of is None else f"{self.value} of {self.out_of}"


def headline_strip(cases: Caseload, shown: pl.DataFrame) -> list[Headline]:
    """The five figures above everything else, for the pupils the filters show.

    Pupils shown; on track for three meetings (DOMAIN.md: due_this_term or done_this_term)
    out of the registered pupils shown; not met this year; requests past their
    acknowledgement deadline (meeting requests and requests for information apart); EHC
    plan annual reviews due within ``due_soon_days``, where English law applies.
    """
    ids = shown["pupil_id"].implode()
    registered = shown.filter(pl.col("coverage_status") != MONITORED)
    on_track = registered.filter(pl.col("coverage_status").is_in(ON_TRACK))
    never_met = registered.filter(pl.col("coverage_status") == "never_met")
    requests = cases.requests.filter(pl.col("pupil_id").is_in(ids))
    overdue = requests.filter(pl.col("status") == "open_overdue")
    overdue_kinds = requests_in_words(
        int((overdue["kind"] == "meeting").sum()), int((overdue["kind"] == "information").sum())
    )
    reviews = cases.reviews.filter(pl.col("pupil_id").is_in(ids))
    due_soon = reviews.filter(pl.col("status") == "due_soon").height
    overdue_reviews = reviews.filter(pl.col("status") == "overdue").height
    no_record = reviews.filter(pl.col("status") == "no_record").height
    policy = cases.school.policy
    window = days_in_words(policy.due_soon_days)
    monitored = shown.height - registered.height
    strip = [
        Headline(
            "pupils_shown",
            "Pupils shown",
            shown.height,
            None,
            f"of {cases.pupils.height} on the caseload"
            + (f"; {monitored} monitored, not on the register" if monitored else ""),
        ),
        Headline(
            "on_track",
            "On track for three meetings",
            on_track.height,
            registered.height,
            "registered pupils met this term or with a meeting still owed this term",
        ),
        Headline(
            "never_met",
            "Not met this year",
            never_met.height,
            None,
            "registered pupils with no parent meeting this school year",
        ),
        Headline(
            "overdue_acknowledgements",
            "Overdue acknowledgements",
            overdue.height,
            None,
            f"{overdue_kinds} not acknowledged within "
            f"{policy.acknowledge_within_school_days} school days",
        ),
    ]
    if not cases.statutory:
        return strip
    return [
        *strip,
        Headline(
            "annual_reviews_due",
            f"Annual reviews due in {window}",
            due_soon,
            None,
            (
                f"EHC plans; {overdue_reviews} more already overdue"
                if overdue_reviews
                else "EHC plans; none overdue"
            )
            + (f"; {no_record} with no review date on record" if no_record else ""),
        ),
    ]


# ---------------------------------------------------------------------------------------
# Data: the pupils table's order


def sort_pupils(pupils: pl.DataFrame, order: str, reverse: bool = False) -> pl.DataFrame:
    """The pupils table in one of ``SORT_ORDERS``; empty values always last."""
    columns, descending = SORT_ORDERS[order]
    if reverse:
        descending = tuple(not d for d in descending)
    ranked = pupils.with_columns(
        _year_rank=pl.col("year_group").replace_strict(YEAR_RANK, default=99),
        _status_rank=caseload_status_rank(),
    )
    return ranked.sort(list(columns), descending=list(descending), nulls_last=True).drop(
        "_year_rank", "_status_rank"
    )


def caseload_status_rank() -> pl.Expr:
    """Each pupil's caseload status as its place in ``CASELOAD_STATUSES`` (neediest first)."""
    ranks = {status: rank for rank, status in enumerate(CASELOAD_STATUSES)}
    return pl.col("coverage_status").replace_strict(ranks, default=len(ranks))


# ---------------------------------------------------------------------------------------
# Data: chart counts (categories stay fixed while filters change, so bars do not jump)


def status_counts(
    shown: pl.DataFrame, by: str, categories: list[str], statuses: Iterable[str], status: str
) -> dict[str, list[int]]:
    """Rows of ``shown`` per ``status`` value within each of ``categories`` of ``by``."""
    counts = shown.group_by(by, status).len()
    table = {(g, s): n for g, s, n in counts.iter_rows()}
    return {s: [table.get((g, s), 0) for g in categories] for s in statuses}


def review_months(reviews: pl.DataFrame) -> list[dt.date]:
    """First days of the months in which annual review deadlines fall, in order."""
    return sorted(reviews["deadline_on"].dt.truncate("1mo").unique().drop_nulls().to_list())


def annual_review_counts(
    reviews: pl.DataFrame, shown: pl.DataFrame, months: list[dt.date]
) -> dict[str, list[int]]:
    """Annual reviews of the pupils shown per status, by month of deadline."""
    mine = reviews.filter(pl.col("pupil_id").is_in(shown["pupil_id"].implode())).with_columns(
        month=pl.col("deadline_on").dt.truncate("1mo")
    )
    return status_counts(mine, "month", months, DEADLINE_STATUSES, "status")


def coverage_counts(shown: pl.DataFrame, by: str, categories: list[str]) -> dict[str, list[int]]:
    """Registered pupils shown per coverage status (stacking order) in each category of ``by``."""
    registered = shown.filter(pl.col("coverage_status") != MONITORED)
    return status_counts(
        registered, by, categories, tuple(reversed(COVERAGE_STATUSES)), "coverage_status"
    )
