"""The SENDCo's caseload explorer: filter the caseload and see who needs what next.

Three layers, each usable without the next:

- data functions (pure, polars in and out): the caseload as of a date, filters, the
  headline strip, the to-do lists, one pupil's timeline and next due dates, chart counts;
- widget wiring (:class:`CaseloadExplorer`, :func:`build_explorer`): ipywidgets and
  plotly ``FigureWidget`` charts whose callbacks only call the data functions and update
  the widgets in place, so ``notebooks/caseload_explorer.ipynb`` is a few lines;
- :func:`serve`: runs that notebook as a Voila app on 127.0.0.1 (no code shown), with the
  school folder and as-of date passed to the kernel in environment variables.

This is the SENDCo's own tool, so groups are not suppressed and pupils appear by their
pseudonymous IDs; a ``display_name`` column, when the school's data has one, is shown
here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from sendlib.school.asof import SchoolYear, school_year
from sendlib.rules.annual_reviews import (
    ANNUAL_REVIEW_LABELS,
    ANNUAL_REVIEW_STATUSES,
    NOTICE_DAYS,
    annual_reviews,
)
from sendlib.rules.meetings import (
    COVERAGE_LABELS,
    COVERAGE_STATUSES,
    counting_meetings,
    record_timeliness,
    review_coverage,
)
from sendlib.present.figures import STATUS_COLOURS
from sendlib.school.load import School, load_school
from sendlib.present.notebook import REPOSITORY, parse_as_of, resolve_school_dir
from sendlib.rules.requests import response_times
from sendlib.school.schema import NEED_LABELS, SEN_STATUS_LABELS, YEAR_GROUPS

if TYPE_CHECKING:
    import ipywidgets
    import plotly.graph_objects as go

#: The notebook that ``sendlib explore`` serves.
NOTEBOOK = REPOSITORY / "notebooks" / "caseload_explorer.ipynb"
#: Environment variables through which ``serve`` passes its school to the notebook's kernel.
ENV_SCHOOL_DIR = "SENDLIB_SCHOOL_DIR"
ENV_AS_OF = "SENDLIB_AS_OF"
#: Where Voila serves plotly's widget bundle (set by ``serve``; see ``_figure_widget``).
ENV_PLOTLY_BUNDLE = "SENDLIB_PLOTLY_BUNDLE_URL"
#: A file the explorer creates once built, so ``serve`` opens the page only when it is ready.
ENV_READY_FILE = "SENDLIB_EXPLORER_READY_FILE"
#: How long ``serve`` waits for the pre-run notebook before opening the page anyway.
READY_TIMEOUT_SECONDS = 120
_BUNDLE_EXTENSION = "sendlib-explorer"
_BUNDLE_FILE = "plotly-widgetbundle.js"

#: The caseload status of a monitored pupil (not on the register, so no meeting duty).
MONITORED = "monitored"
CASELOAD_STATUSES = (*COVERAGE_STATUSES, MONITORED)
CASELOAD_STATUS_LABELS = {
    **{status: COVERAGE_LABELS[status] for status in COVERAGE_STATUSES},
    MONITORED: "Monitored (not on the register)",
}
ROLE_LABELS = {
    "sendco": "SENDCo",
    "assistant_sendco": "assistant SENDCo",
    "class_teacher": "class teacher",
    "head_of_year": "head of year",
    "other": "staff",
}
MEETING_KIND_LABELS = {
    "review": "Review meeting",
    "annual_review": "Annual review",
    "concern": "Meeting about a concern",
    "surgery": "Parent surgery",
    "external_agency": "External agency meeting",
    "other": "Other meeting",
}
MEETING_STATUS_LABELS = {
    "held": "held",
    "scheduled": "booked",
    "cancelled": "cancelled",
    "did_not_attend": "parents did not attend",
}
REQUEST_KIND_LABELS = {
    "meeting": "meeting request",
    "information": "request for information",
    "safeguarding": "safeguarding concern (routed to the DSL)",
    "urgent_day_to_day": "urgent day-to-day matter (routed to the class teacher)",
}
RESPONSE_LABELS = {
    "meeting_offered": "meeting offered",
    "more_information_needed": "more information needed",
    "timescale_proposed": "timescale proposed",
    "answered_without_meeting": "answered without a meeting",
    "routed_safeguarding": "routed to safeguarding",
    "routed_class_teacher": "routed to the class teacher",
}
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
#: Filter widths that fit one row at 1366 pixels, labels above the choices.
FILTER_WIDTHS = {
    "year_group": "170px",
    "primary_need": "300px",
    "sen_status": "210px",
    "lead_staff_id": "210px",
    "coverage_status": "250px",
}
#: The plan that an annual review reviews: its review is already the annual review's item.
_EHC_PLAN = r"(?i)\bEHC"
_YEAR_RANK = {group: rank for rank, group in enumerate(YEAR_GROUPS)}


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

    @property
    def has_names(self) -> bool:
        """Whether the school's data carries display names (shown only in this explorer)."""
        return self.pupils["display_name"].is_not_null().any()


def year_label(group: str) -> str:
    """A year group as a SENDCo says it: ``Year 7``, ``Reception``, ``Nursery 1``."""
    if group == "R":
        return "Reception"
    if group.startswith("N"):
        return f"Nursery {group[1:]}"
    return f"Year {group}"


def need_label(code: str | None) -> str:
    """A census primary need in words, with its code: ``Autistic spectrum disorder (ASD)``."""
    if code is None:
        return "none recorded"
    return f"{NEED_LABELS.get(code, code)} ({code})"


def caseload(school: School, as_of: dt.date) -> Caseload:
    """The caseload as of a date: one row per pupil, with status, counts and what is next.

    Pupil columns: pupil_id, display_name, year_group, sen_status, primary_need,
    lead_staff_id, registered_on, coverage_status (a coverage status, or ``monitored``),
    meetings_this_year, meetings_this_term, last_meeting_on, next_booked_on,
    open_requests, overdue_requests, annual_review_deadline_on, annual_review_status,
    records_missing, next_due_on, next_due.
    """
    year = school_year(school, as_of)
    a = year.as_of
    pupils = school.pupils
    if "display_name" not in pupils.columns:
        pupils = pupils.with_columns(display_name=pl.lit(None, pl.String))
    # A pupil placed on the register after as_of is not yet on it (records after as_of
    # are ignored); monitored pupils have no registration date.
    pupils = pupils.filter((pl.col("sen_status") == "M") | (pl.col("registered_on") <= a)).select(
        "pupil_id",
        "display_name",
        "year_group",
        "sen_status",
        "primary_need",
        "lead_staff_id",
        "registered_on",
    )
    on_caseload = pupils["pupil_id"].implode()
    coverage = review_coverage(school, a)
    requests = response_times(school, a).filter(pl.col("pupil_id").is_in(on_caseload))
    reviews = annual_reviews(school, a).filter(pl.col("pupil_id").is_in(on_caseload))
    records = record_timeliness(school, a).filter(pl.col("pupil_id").is_in(on_caseload))
    booked = (
        _booked_meetings(school, a)
        .group_by("pupil_id")
        .agg(pl.col("starts_at").min().dt.date().alias("next_booked_on"))
    )
    open_requests = requests.filter(pl.col("status").is_in(["open_overdue", "open_not_due"]))
    request_counts = open_requests.group_by("pupil_id").agg(
        pl.len().cast(pl.Int64).alias("open_requests"),
        (pl.col("status") == "open_overdue").sum().cast(pl.Int64).alias("overdue_requests"),
    )
    missing = (
        records.filter(pl.col("record_status") == "missing")
        .group_by("pupil_id")
        .agg(pl.len().cast(pl.Int64).alias("records_missing"))
    )
    due = due_items(school, year, coverage, requests, reviews, records)
    next_due = (
        due.sort("due_on", "item")
        .group_by("pupil_id", maintain_order=True)
        .first()
        .select("pupil_id", pl.col("due_on").alias("next_due_on"), pl.col("item").alias("next_due"))
    )
    frame = (
        pupils.join(
            coverage.select("pupil_id", pl.col("status").alias("coverage_status")),
            on="pupil_id",
            how="left",
        )
        .join(_meeting_counts(school, year), on="pupil_id", how="left")
        .join(booked, on="pupil_id", how="left")
        .join(request_counts, on="pupil_id", how="left")
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
        .join(next_due, on="pupil_id", how="left")
        .with_columns(
            pl.col("coverage_status").fill_null(MONITORED),
            pl.col("meetings_this_year", "meetings_this_term").fill_null(0).cast(pl.Int64),
            pl.col("open_requests", "overdue_requests", "records_missing").fill_null(0),
        )
        .sort("pupil_id")
    )
    return Caseload(school, a, year, frame, requests, reviews, records, due)


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


def _booked_meetings(school: School, as_of: dt.date) -> pl.DataFrame:
    """Meetings in the diary after ``as_of``: as of that date they were booked, not yet held.

    A meeting cancelled later cannot be told apart from one never booked, so it is left out.
    """
    return school.meetings.filter(
        pl.col("pupil_id").is_not_null()
        & (pl.col("starts_at").dt.date() > as_of)
        & (pl.col("status") != "cancelled")
    )


def due_items(
    school: School,
    year: SchoolYear,
    coverage: pl.DataFrame,
    requests: pl.DataFrame,
    reviews: pl.DataFrame,
    records: pl.DataFrame,
) -> pl.DataFrame:
    """Every dated thing owed for a pupil: pupil_id, due_on, item (a sentence), overdue.

    Acknowledging open requests (by their due date), a parent meeting owed this term (by
    the term's last day), annual review invitations (two weeks before the deadline) and the
    review itself, SEN support plan reviews (latest plan, not yet reviewed) and written
    records of meetings not yet sent.
    """
    a = year.as_of
    parts = [
        requests.filter(pl.col("status").is_in(["open_overdue", "open_not_due"])).select(
            "pupil_id",
            "due_on",
            pl.format(
                "Acknowledge request {} (received {})", "request_id", _day_expr("received_on")
            ).alias("item"),
        )
    ]
    term = year.current_term
    if term is not None:
        parts.append(
            coverage.filter(pl.col("meetings_this_term") == 0).select(
                "pupil_id",
                pl.lit(term.end).alias("due_on"),
                pl.lit(f"Parent meeting owed this term ({term.name})").alias("item"),
            )
        )
    transfer = pl.when(pl.col("transfer_deadline_on") == pl.col("deadline_on")).then(
        pl.lit(" (phase-transfer deadline)")
    )
    parts.append(
        reviews.select(
            "pupil_id",
            pl.col("invite_by").alias("due_on"),
            pl.format(
                "Send annual review invitations ({} days' notice)", pl.lit(NOTICE_DAYS)
            ).alias("item"),
        )
    )
    parts.append(
        reviews.select(
            "pupil_id",
            pl.col("deadline_on").alias("due_on"),
            pl.concat_str(pl.lit("Hold the annual review"), transfer.otherwise(pl.lit(""))).alias(
                "item"
            ),
        )
    )
    on_caseload = coverage["pupil_id"].implode()
    latest_plans = (
        school.plans.filter(
            (pl.col("starts_on") <= a)
            & pl.col("pupil_id").is_in(on_caseload)
            & ~pl.col("plan_type").str.contains(_EHC_PLAN)
        )
        .sort("starts_on", "plan_id")
        .group_by("pupil_id", maintain_order=True)
        .last()
    )
    parts.append(
        latest_plans.filter(pl.col("reviewed_on").is_null() | (pl.col("reviewed_on") > a)).select(
            "pupil_id",
            pl.col("review_due_on").alias("due_on"),
            pl.format("Review the {} (targets and outcomes)", "plan_type").alias("item"),
        )
    )
    parts.append(
        records.filter(pl.col("record_status").is_in(["missing", "not_yet_due"])).select(
            "pupil_id",
            pl.col("record_due_on").alias("due_on"),
            pl.format("Send the written record (meeting on {})", _day_expr("day")).alias("item"),
        )
    )
    return (
        pl.concat(parts, how="vertical_relaxed")
        .with_columns(overdue=pl.col("due_on") < a)
        .sort("due_on", "pupil_id", "item")
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
    ``EHC plan``, ``HOY7 (head of year)``, ``Never met this year``).
    """
    pupils = cases.pupils
    present = {c: set(pupils[c].drop_nulls().to_list()) for c in pupils.columns}
    roles = dict(cases.school.staff.select("staff_id", "role").iter_rows())
    years = sorted(present["year_group"], key=lambda g: _YEAR_RANK.get(g, 99))
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
    out of the registered pupils shown; never met this year; requests past their
    acknowledgement deadline; EHC plan annual reviews due within ``due_soon_days``.
    """
    ids = shown["pupil_id"].implode()
    registered = shown.filter(pl.col("coverage_status") != MONITORED)
    on_track = registered.filter(
        pl.col("coverage_status").is_in(["due_this_term", "done_this_term"])
    )
    never_met = registered.filter(pl.col("coverage_status") == "never_met")
    requests = cases.requests.filter(pl.col("pupil_id").is_in(ids))
    overdue = requests.filter(pl.col("status") == "open_overdue")
    reviews = cases.reviews.filter(pl.col("pupil_id").is_in(ids))
    due_soon = reviews.filter(pl.col("status") == "due_soon").height
    overdue_reviews = reviews.filter(pl.col("status") == "overdue").height
    policy = cases.school.policy
    window = _days_in_words(policy.due_soon_days)
    monitored = shown.height - registered.height
    return [
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
            "registered pupils with no term missed this year",
        ),
        Headline(
            "never_met",
            "Never met this year",
            never_met.height,
            None,
            "registered pupils with no parent meeting this school year",
        ),
        Headline(
            "overdue_acknowledgements",
            "Overdue acknowledgements",
            overdue.height,
            None,
            f"requests not acknowledged within {policy.acknowledge_within_school_days} school days",
        ),
        Headline(
            "annual_reviews_due",
            f"Annual reviews due in {window}",
            due_soon,
            None,
            f"EHC plans; {overdue_reviews} more already overdue"
            if overdue_reviews
            else "EHC plans; none overdue",
        ),
    ]


def _days_in_words(days: int) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
             8: "eight", 9: "nine", 10: "ten", 12: "twelve"}  # fmt: skip
    if days % 7 == 0:
        weeks = days // 7
        return f"{words.get(weeks, weeks)} week{'s' if weeks > 1 else ''}"
    return f"{days} days"


# ---------------------------------------------------------------------------------------
# Data: the SENDCo's to-do lists


def requests_to_acknowledge(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """Open requests for the pupils shown, due today (or overdue) or in the next seven days.

    Columns: when (``today`` or ``this_week``), request_id, pupil_id, display_name,
    year_group, received_on, channel, kind, due_on, overdue; most overdue first.
    """
    a = cases.as_of
    week_end = a + dt.timedelta(days=7)
    return (
        cases.requests.filter(
            pl.col("status").is_in(["open_overdue", "open_not_due"])
            & pl.col("pupil_id").is_in(shown["pupil_id"].implode())
            & (pl.col("due_on") <= week_end)
        )
        .join(cases.pupils.select("pupil_id", "display_name", "year_group"), on="pupil_id")
        .select(
            pl.when(pl.col("due_on") <= a)
            .then(pl.lit("today"))
            .otherwise(pl.lit("this_week"))
            .alias("when"),
            "request_id",
            "pupil_id",
            "display_name",
            "year_group",
            "received_on",
            "channel",
            "kind",
            "due_on",
            (pl.col("due_on") < a).alias("overdue"),
        )
        .sort("due_on", "received_on", "request_id")
    )


def pupils_without_meeting_this_term(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """Registered pupils shown with no parent meeting held yet this term, neediest first.

    Never met this year first, then those who missed a term, then those only owed this
    term's meeting; the longest since a meeting first within each. Empty in a holiday
    (no current term). Columns: pupil_id, display_name, year_group, lead_staff_id,
    coverage_status, meetings_this_year, last_meeting_on, next_booked_on.
    """
    if cases.year.current_term is None:
        return shown.head(0).select(_WITHOUT_MEETING_COLUMNS)
    return (
        shown.filter((pl.col("coverage_status") != MONITORED) & (pl.col("meetings_this_term") == 0))
        .with_columns(_status_rank=_status_rank_expr())
        .sort("_status_rank", "last_meeting_on", "pupil_id", nulls_last=False)
        .select(_WITHOUT_MEETING_COLUMNS)
    )


_WITHOUT_MEETING_COLUMNS = (
    "pupil_id",
    "display_name",
    "year_group",
    "lead_staff_id",
    "coverage_status",
    "meetings_this_year",
    "last_meeting_on",
    "next_booked_on",
)


def annual_reviews_to_invite(cases: Caseload, shown: pl.DataFrame) -> pl.DataFrame:
    """EHC plan annual reviews whose invitations are due within ``due_soon_days``, or late.

    Invitations go out at least two weeks before the meeting (SEND Regulations 2014,
    reg. 20), so the invite-by date is 14 days before the deadline and the earliest
    meeting that can still be booked is 14 days after ``as_of``. Columns: pupil_id,
    display_name, year_group, deadline_on, transfer_deadline, invite_by, invite_late,
    earliest_meeting_on, deadline_reachable, next_review_booked_on, status.
    """
    a = cases.as_of
    horizon = a + dt.timedelta(days=cases.school.policy.due_soon_days)
    earliest = a + dt.timedelta(days=NOTICE_DAYS)
    booked = (
        _booked_meetings(cases.school, a)
        .filter(pl.col("kind") == "annual_review")
        .group_by("pupil_id")
        .agg(pl.col("starts_at").min().dt.date().alias("next_review_booked_on"))
    )
    return (
        cases.reviews.filter(
            pl.col("pupil_id").is_in(shown["pupil_id"].implode()) & (pl.col("invite_by") <= horizon)
        )
        .join(cases.pupils.select("pupil_id", "display_name"), on="pupil_id")
        .join(booked, on="pupil_id", how="left")
        .select(
            "pupil_id",
            "display_name",
            "year_group",
            "deadline_on",
            (pl.col("transfer_deadline_on") == pl.col("deadline_on"))
            .fill_null(False)
            .alias("transfer_deadline"),
            "invite_by",
            (pl.col("invite_by") < a).alias("invite_late"),
            pl.lit(earliest).alias("earliest_meeting_on"),
            (pl.col("deadline_on") >= earliest).alias("deadline_reachable"),
            "next_review_booked_on",
            "status",
        )
        .sort("invite_by", "pupil_id")
    )


# ---------------------------------------------------------------------------------------
# Data: one pupil


def pupil_timeline(cases: Caseload, pupil_id: str) -> pl.DataFrame:
    """One pupil's year in date order: registration, requests, meetings, plans, reviews.

    Columns: on, event, detail, booked (a meeting in the diary after ``as_of``). Records
    dated after ``as_of`` are left out, except meetings already booked.
    """
    a = cases.as_of
    school = cases.school
    rows: list[dict] = []
    pupil = cases.pupils.filter(pl.col("pupil_id") == pupil_id).row(0, named=True)
    if pupil["registered_on"] is not None and pupil["sen_status"] != "M":
        rows.append(
            _event(
                pupil["registered_on"],
                "Placed on the SEN register",
                SEN_STATUS_LABELS[pupil["sen_status"]],
            )
        )
    elif pupil["registered_on"] is not None and pupil["registered_on"] <= a:
        rows.append(_event(pupil["registered_on"], "Recorded as a pupil of concern", "monitored"))
    for r in cases.requests.filter(pl.col("pupil_id") == pupil_id).iter_rows(named=True):
        rows.append(_event(r["received_on"], "Request from parents", _request_detail(r)))
    meetings = school.meetings.filter(
        (pl.col("pupil_id") == pupil_id) & (pl.col("starts_at").dt.date() <= a)
    )
    records = dict(
        cases.records.filter(pl.col("pupil_id") == pupil_id)
        .select("meeting_id", "record_status")
        .iter_rows()
    )
    for m in meetings.iter_rows(named=True):
        rows.append(
            _event(
                m["starts_at"].date(),
                MEETING_KIND_LABELS[m["kind"]],
                _meeting_detail(m, records.get(m["meeting_id"])),
            )
        )
    for m in (
        _booked_meetings(school, a).filter(pl.col("pupil_id") == pupil_id).iter_rows(named=True)
    ):
        detail = f"booked for {m['starts_at']:%H:%M}, {m['minutes']} minutes, led by {m['lead_staff_id']}"
        rows.append(_event(m["starts_at"].date(), MEETING_KIND_LABELS[m["kind"]], detail, True))
    held_reviews = set(
        meetings.filter((pl.col("kind") == "annual_review") & (pl.col("status") == "held"))[
            "starts_at"
        ]
        .dt.date()
        .to_list()
    )
    last_review = _last_annual_review(school, pupil_id)
    if last_review is not None and last_review <= a and last_review not in held_reviews:
        rows.append(_event(last_review, "Annual review", "recorded as the last annual review"))
    plans = school.plans.filter((pl.col("pupil_id") == pupil_id) & (pl.col("starts_on") <= a))
    for p in plans.iter_rows(named=True):
        rows.append(
            _event(
                p["starts_on"],
                f"{p['plan_type']} started",
                f"review due {_day(p['review_due_on'])}",
            )
        )
        if p["reviewed_on"] is not None and p["reviewed_on"] <= a:
            outcome = (p["outcome"] or "no outcome recorded").replace("_", " ")
            rows.append(
                _event(p["reviewed_on"], f"{p['plan_type']} reviewed", f"outcome: {outcome}")
            )
    frame = pl.DataFrame(
        rows,
        schema={"on": pl.Date, "event": pl.String, "detail": pl.String, "booked": pl.Boolean},
        orient="row",
    )
    return frame.sort("on", "booked", maintain_order=True)


def _last_annual_review(school: School, pupil_id: str) -> dt.date | None:
    column = school.pupils.filter(pl.col("pupil_id") == pupil_id)["last_annual_review_on"]
    return column[0] if column.len() else None


def _event(on: dt.date, event: str, detail: str, booked: bool = False) -> dict:
    return {"on": on, "event": event, "detail": detail, "booked": booked}


def _request_detail(r: dict) -> str:
    kind = REQUEST_KIND_LABELS[r["kind"]]
    via = r["channel"].replace("_", " ")
    if r["status"] == "routed":
        return f"{kind}, via {via}; routed away (not a SENDCo request)"
    if r["acknowledged_on"] is None:
        state = "overdue" if r["status"] == "open_overdue" else "not yet due"
        return f"{kind}, via {via}; not yet acknowledged, due {_day(r['due_on'])} ({state})"
    timing = "on time" if r["status"] == "on_time" else "late"
    response = RESPONSE_LABELS.get(r["response"] or "", "acknowledged")
    return (
        f"{kind}, via {via}; {response} on {_day(r['acknowledged_on'])} "
        f"({r['school_days_taken']} school days, {timing})"
    )


def _meeting_detail(m: dict, record_status: str | None) -> str:
    parts = [MEETING_STATUS_LABELS[m["status"]], f"led by {m['lead_staff_id']}"]
    if m["sendco_attended"]:
        parts.append("SENDCo attended")
    if record_status == "missing":
        parts.append("written record missing")
    elif record_status == "late":
        parts.append(f"written record sent late ({_day(m['record_sent_on'])})")
    elif record_status == "on_time":
        parts.append(f"written record sent {_day(m['record_sent_on'])}")
    elif record_status == "not_yet_due":
        parts.append("written record not yet due")
    return ", ".join(parts)


def pupil_next_due(cases: Caseload, pupil_id: str) -> pl.DataFrame:
    """What is owed for one pupil, soonest (or most overdue) first: due_on, item, overdue."""
    return cases.due.filter(pl.col("pupil_id") == pupil_id).select("due_on", "item", "overdue")


def pupil_records_missing(cases: Caseload, pupil_id: str) -> pl.DataFrame:
    """Held parent meetings whose written record is past due and not sent: day, kind, due."""
    return (
        cases.records.filter(
            (pl.col("pupil_id") == pupil_id) & (pl.col("record_status") == "missing")
        )
        .select("meeting_id", "day", "kind", "record_due_on")
        .sort("day")
    )


def sort_pupils(pupils: pl.DataFrame, order: str, reverse: bool = False) -> pl.DataFrame:
    """The pupils table in one of ``SORT_ORDERS``; empty values always last."""
    columns, descending = SORT_ORDERS[order]
    if reverse:
        descending = tuple(not d for d in descending)
    ranked = pupils.with_columns(
        _year_rank=pl.col("year_group").replace_strict(_YEAR_RANK, default=99),
        _status_rank=_status_rank_expr(),
    )
    return ranked.sort(list(columns), descending=list(descending), nulls_last=True).drop(
        "_year_rank", "_status_rank"
    )


def _status_rank_expr() -> pl.Expr:
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
    return status_counts(mine, "month", months, ANNUAL_REVIEW_STATUSES, "status")


# ---------------------------------------------------------------------------------------
# Presentation: HTML pieces (escaped) and figures


def _day(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%a} {day.day} {day:%b %Y}"


def _day_expr(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%a %-d %b %Y")


def _esc(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return _day(value)
    return html.escape(str(value))


def _pupil_name(row: dict, with_names: bool) -> str:
    name = f" {_esc(row['display_name'])}" if with_names and row.get("display_name") else ""
    return f"<strong>{_esc(row['pupil_id'])}</strong>{name}"


def _status_chip(status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#999999")
    return (
        f'<span class="chip"><span class="swatch" style="background:{colour}"></span>'
        f"{_esc(CASELOAD_STATUS_LABELS.get(status, status))}</span>"
    )


def headline_html(headlines: list[Headline]) -> str:
    """The headline strip as cards; a live region, so screen readers hear it change."""
    cards = "".join(
        f'<div class="card" data-key="{h.key}"><div class="value">{_esc(h.text)}</div>'
        f'<div class="title">{_esc(h.title)}</div><div class="note">{_esc(h.note)}</div></div>'
        for h in headlines
    )
    return f'<div class="headlines" role="status" aria-live="polite">{cards}</div>'


def todo_html(cases: Caseload, shown: pl.DataFrame) -> str:
    """The three to-do lists side by side, for the pupils shown."""
    names = cases.has_names
    requests = requests_to_acknowledge(cases, shown)
    items = []
    for when, heading in (("today", "Today"), ("this_week", "In the next seven days")):
        part = requests.filter(pl.col("when") == when)
        lines = [
            f"<li>{_pupil_name(r, names)}, {_esc(year_label(r['year_group']))}: request "
            f"{_esc(r['request_id'])} by {_esc(r['channel'].replace('_', ' '))}, received "
            f"{_day(r['received_on'])}; due {_day(r['due_on'])}"
            + (' <span class="late">overdue</span>' if r["overdue"] else "")
            + "</li>"
            for r in part.iter_rows(named=True)
        ]
        items.append(f"<h4>{heading} ({part.height})</h4>" + _list_or(lines, "Nothing due."))
    acknowledge = "".join(items)

    without = pupils_without_meeting_this_term(cases, shown)
    term = cases.year.current_term
    lines = [
        f"<li>{_pupil_name(r, names)}, {_esc(year_label(r['year_group']))}, lead "
        f"{_esc(r['lead_staff_id'])}: {_status_chip(r['coverage_status'])}; "
        + (
            f"last met {_day(r['last_meeting_on'])}"
            if r["last_meeting_on"]
            else "no meeting yet this year"
        )
        + (f"; booked {_day(r['next_booked_on'])}" if r["next_booked_on"] else "")
        + "</li>"
        for r in without.iter_rows(named=True)
    ]
    meeting = (
        f"<p>{without.height} registered pupil(s) with no parent meeting yet in {_esc(term.name)}"
        f" (ends {_day(term.end)}).</p>" + _list_or(lines, "Every pupil shown has met this term.")
        if term
        else "<p>The as-of date is in a school holiday: no current term.</p>"
    )

    invite = annual_reviews_to_invite(cases, shown)
    lines = []
    for r in invite.iter_rows(named=True):
        if not r["deadline_reachable"]:
            when = (
                f'<span class="late">invite now</span>: deadline {_day(r["deadline_on"])} '
                f"can no longer have two weeks' notice; earliest meeting "
                f"{_day(r['earliest_meeting_on'])}"
            )
        elif r["invite_late"]:
            when = (
                f'<span class="late">invite now</span> (invite-by date was '
                f"{_day(r['invite_by'])}); deadline {_day(r['deadline_on'])}"
            )
        else:
            when = f"invite by {_day(r['invite_by'])}; deadline {_day(r['deadline_on'])}"
        transfer = " (phase transfer)" if r["transfer_deadline"] else ""
        booked = (
            f"; review booked {_day(r['next_review_booked_on'])}"
            if r["next_review_booked_on"]
            else ""
        )
        lines.append(
            f"<li>{_pupil_name(r, names)}, {_esc(year_label(r['year_group']))}{transfer}: "
            f"{when}{booked}</li>"
        )
    window = _days_in_words(cases.school.policy.due_soon_days)
    reviews = (
        f"<p>Invitations go out at least two weeks before the meeting; "
        f"{invite.height} due within {window} or late.</p>" + _list_or(lines, "No invitations due.")
    )
    columns = (
        ("Requests to acknowledge", acknowledge),
        ("Pupils without a meeting this term", meeting),
        ("Annual reviews to invite for", reviews),
    )
    body = "".join(
        f'<section class="todo" aria-label="{_esc(title)}"><h3>{_esc(title)}</h3>'
        f'<div class="scroll" tabindex="0">{content}</div></section>'
        for title, content in columns
    )
    return f'<div class="todos">{body}</div>'


def _list_or(lines: list[str], empty: str) -> str:
    return f"<ul>{''.join(lines)}</ul>" if lines else f'<p class="empty">{_esc(empty)}</p>'


def pupils_table_html(cases: Caseload, pupils: pl.DataFrame) -> str:
    """The pupils table (already sorted), in a keyboard-scrollable box."""
    if pupils.is_empty():
        return '<p class="empty">No pupils match these filters.</p>'
    names = cases.has_names
    head = ["Pupil"] + (["Name"] if names else []) + [
        "Year", "SEN status", "Primary need", "Lead", "Parent meetings", "This year",
        "Last meeting", "Open requests", "Annual review by", "Records missing", "Next due",
    ]  # fmt: skip
    rows = []
    for r in pupils.iter_rows(named=True):
        overdue = r["next_due_on"] is not None and r["next_due_on"] < cases.as_of
        cells = [f"<th scope='row'>{_esc(r['pupil_id'])}</th>"]
        if names:
            cells.append(f"<td>{_esc(r['display_name'])}</td>")
        requests = f"{r['open_requests']}" + (
            f" ({r['overdue_requests']} overdue)" if r["overdue_requests"] else ""
        )
        cells += [
            f"<td class='nw'>{_esc(year_label(r['year_group']))}</td>",
            f"<td>{_esc(SEN_STATUS_LABELS[r['sen_status']])}</td>",
            f"<td title='{_esc(need_label(r['primary_need']))}'>{_esc(r['primary_need'] or '')}</td>",
            f"<td>{_esc(r['lead_staff_id'])}</td>",
            f"<td>{_status_chip(r['coverage_status'])}</td>",
            f"<td class='num'>{r['meetings_this_year']}</td>",
            f"<td>{_esc(r['last_meeting_on'])}</td>",
            f"<td class='num'>{requests}</td>",
            f"<td>{_esc(r['annual_review_deadline_on'])}</td>",
            f"<td class='num'>{r['records_missing'] or ''}</td>",
            f"<td class='next'><span{' class=late' if overdue else ''}>{_esc(r['next_due_on'])}</span>"
            f"{': ' + _esc(r['next_due']) if r['next_due'] else ''}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th scope='col'>{_esc(h)}</th>" for h in head)
    return (
        '<div class="scroll table-box" tabindex="0" role="region" aria-label="Pupils shown">'
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def pupil_html(cases: Caseload, pupil_id: str | None) -> str:
    """One pupil's drill-down: summary, next due dates, written records missing, timeline."""
    if pupil_id is None:
        return '<p class="empty">No pupil chosen.</p>'
    r = cases.pupils.filter(pl.col("pupil_id") == pupil_id).row(0, named=True)
    name = f" {_esc(r['display_name'])}" if cases.has_names and r["display_name"] else ""
    summary = (
        f"<h3>{_esc(pupil_id)}{name}</h3><p>{_esc(year_label(r['year_group']))}; "
        f"{_esc(SEN_STATUS_LABELS[r['sen_status']])}; primary need "
        f"{_esc(need_label(r['primary_need']))}; lead {_esc(r['lead_staff_id'])}; "
        f"{_status_chip(r['coverage_status'])}; {r['meetings_this_year']} parent meeting(s) "
        "this year.</p>"
    )
    due = pupil_next_due(cases, pupil_id)
    due_lines = [
        f"<li>{_day(d['due_on'])}: {_esc(d['item'])}"
        + (' <span class="late">overdue</span>' if d["overdue"] else "")
        + "</li>"
        for d in due.iter_rows(named=True)
    ]
    missing = pupil_records_missing(cases, pupil_id)
    missing_lines = [
        f"<li>{_esc(MEETING_KIND_LABELS[m['kind']])} on {_day(m['day'])}: record was due "
        f"{_day(m['record_due_on'])}</li>"
        for m in missing.iter_rows(named=True)
    ]
    timeline = pupil_timeline(cases, pupil_id)
    timeline_rows = "".join(
        f"<tr{' class=booked' if t['booked'] else ''}><td>{_day(t['on'])}</td>"
        f"<td>{_esc(t['event'])}</td><td>{_esc(t['detail'])}</td></tr>"
        for t in timeline.iter_rows(named=True)
    )
    return (
        f'<div class="pupil">{summary}<div class="pupil-columns">'
        f"<section><h4>Next due</h4>{_list_or(due_lines, 'Nothing owed.')}"
        f"<h4>Written records missing ({missing.height})</h4>"
        f"{_list_or(missing_lines, 'None missing.')}</section>"
        f'<section><h4>Timeline</h4><div class="scroll" tabindex="0"><table><thead><tr>'
        f"<th scope='col'>Date</th><th scope='col'>What</th><th scope='col'>Details</th>"
        f"</tr></thead><tbody>{timeline_rows}</tbody></table></div></section></div></div>"
    )


def pupil_choice_label(row: dict, with_names: bool) -> str:
    """How a pupil is listed in the drill-down chooser."""
    name = f" {row['display_name']}" if with_names and row.get("display_name") else ""
    return f"{row['pupil_id']}{name}, {year_label(row['year_group'])}"


# Okabe-Ito based styles, sized for a 1366x768 school laptop; focus is always visible.
STYLE = """
<style>
.sendlib-explorer { font-size: 15px; color: #1a1a1a; max-width: 1320px; }
.sendlib-explorer h1 { font-size: 1.6em; margin: 0.2em 0; }
.sendlib-explorer h2 { font-size: 1.25em; margin: 0.9em 0 0.3em; }
.sendlib-explorer h3 { font-size: 1.05em; margin: 0.2em 0; }
.sendlib-explorer h4 { font-size: 0.95em; margin: 0.5em 0 0.2em; }
/* Sticky needs every box between it and the page's scroller to let it overflow. */
.sendlib-explorer, .jp-OutputArea:has(.sendlib-explorer),
.jp-OutputArea-child:has(.sendlib-explorer),
.jp-OutputArea-output:has(.sendlib-explorer) { overflow: visible !important; min-width: 0; }
.sendlib-sticky { position: sticky; top: 0; z-index: 10; background: #fff;
  box-shadow: 0 -16px 0 0 #fff;
  border-bottom: 1px solid #ccc; padding-bottom: 4px; }
.sendlib-filters { flex-wrap: wrap; gap: 2px 10px; align-items: flex-end; }
.sendlib-filters .widget-dropdown { flex-direction: column; align-items: stretch; height: auto; }
.sendlib-filters .widget-dropdown > label { width: auto !important; text-align: left;
  margin: 0; line-height: 1.4; font-weight: 600; }
.sendlib-filters .widget-dropdown > select { width: 100%; flex: 0 0 auto; height: 30px; }
.sendlib-explorer select { font-size: 14px; }
.sendlib-explorer .widget-label { font-size: 14px; color: #1a1a1a; }
.sendlib-explorer :focus-visible, .sendlib-explorer select:focus,
.sendlib-explorer button:focus { outline: 3px solid #0072B2 !important; outline-offset: 1px; }
.sendlib-explorer .widget-html-content { line-height: 1.35; }
.sendlib-headlines .headlines { display: flex; gap: 8px; }
.sendlib-headlines .card { flex: 1; border: 1px solid #bbb; border-left: 6px solid #0072B2;
  border-radius: 4px; padding: 4px 8px; background: #f7f9fb; }
.sendlib-headlines .card[data-key=never_met] { border-left-color: #CC79A7; }
.sendlib-headlines .card[data-key=overdue_acknowledgements] { border-left-color: #D55E00; }
.sendlib-headlines .card[data-key=annual_reviews_due] { border-left-color: #E69F00; }
.sendlib-headlines .card[data-key=on_track] { border-left-color: #009E73; }
.sendlib-headlines .value { font-size: 1.6em; font-weight: 700; line-height: 1.2; }
.sendlib-headlines .title { font-weight: 600; }
.sendlib-headlines .note { font-size: 0.8em; color: #444; }
.sendlib-explorer > * { min-width: 0; }
.sendlib-explorer .todos { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr));
  gap: 10px; }
.sendlib-explorer .todo { border: 1px solid #ccc; border-radius: 4px; padding: 4px 8px; }
.sendlib-explorer .scroll { max-height: 260px; overflow-y: auto; }
.sendlib-explorer .table-box { max-height: 420px; }
.sendlib-explorer ul { margin: 0.2em 0; padding-left: 1.2em; }
.sendlib-explorer li { margin: 0.15em 0; line-height: 1.35; }
.sendlib-explorer .late { color: #A33D00; font-weight: 600; }
.sendlib-explorer .empty { color: #444; font-style: italic; }
.sendlib-explorer .chip { white-space: nowrap; }
.sendlib-explorer .swatch { display: inline-block; width: 0.8em; height: 0.8em;
  margin-right: 0.3em; border: 1px solid #333; vertical-align: -0.05em; }
.sendlib-explorer table { border-collapse: collapse; width: 100%; font-size: 13px; }
.sendlib-explorer th, .sendlib-explorer td { text-align: left; padding: 3px 6px;
  border-bottom: 1px solid #ddd; vertical-align: top; }
.sendlib-explorer thead th { position: sticky; top: 0; background: #eef2f6; }
.sendlib-explorer td.num { text-align: right; }
.sendlib-table td.nw { white-space: nowrap; }
.sendlib-table td.next { min-width: 14em; }
.sendlib-table .table-box { max-width: 100%; overflow-x: auto; }
.sendlib-explorer tr.booked td { color: #0b5a8c; font-style: italic; }
.sendlib-charts { display: grid !important; grid-template-columns: repeat(2, minmax(0, 1fr));
  gap: 8px; }
.sendlib-charts > :nth-child(3) { grid-column: 1 / span 2; }
.sendlib-explorer .pupil-columns { display: grid; grid-template-columns: 2fr 3fr; gap: 16px; }
</style>
"""


def _chart_layout(title: str, **extra) -> dict:
    return dict(
        title=dict(text=title, x=0, font=dict(size=15)),
        template="plotly_white",
        font=dict(size=13),
        height=330,
        margin=dict(l=50, r=10, t=40, b=40),
        barmode="stack",
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0),
        **extra,
    )


def _figure_widget(data: list, layout: dict) -> go.FigureWidget:
    """A plotly ``FigureWidget``; under ``serve``, one whose plotly.js is fetched once.

    A ``FigureWidget`` is an anywidget that sends its 5 MB JavaScript bundle with every
    figure, and the browser evaluates it once per figure: seconds on a school laptop.
    Under ``serve`` the bundle is a file Voila serves, and each figure's module is a
    two-line shim importing it by URL, which the browser loads and evaluates only once.
    """
    import plotly.graph_objects as go

    bundle = os.environ.get(ENV_PLOTLY_BUNDLE)
    if not bundle:
        return go.FigureWidget(data=data, layout=layout)
    shim = (
        f"const bundle = await import(new URL({json.dumps(bundle)}, location.href).href);\n"
        "export default bundle.default;\n"
    )
    shared = type("SharedBundleFigureWidget", (go.FigureWidget,), {"_esm": shim})
    return shared(data=data, layout=layout)


def _coverage_figure(
    categories: list[str], counts: dict[str, list[int]], title: str, horizontal: bool
) -> go.FigureWidget:
    """Stacked bars of registered pupils per coverage status, one bar per category."""
    import plotly.graph_objects as go

    bars = []
    for status, values in counts.items():
        axes = (
            dict(y=categories, x=values, orientation="h")
            if horizontal
            else dict(x=categories, y=values)
        )
        bars.append(
            go.Bar(
                **axes,
                name=COVERAGE_LABELS[status],
                marker_color=STATUS_COLOURS[status],
                hovertemplate=("%{y}: %{x}" if horizontal else "%{x}: %{y}")
                + " pupils<extra>"
                + COVERAGE_LABELS[status]
                + "</extra>",
            )
        )
    # Every category labelled: plotly would otherwise skip some of fourteen needs.
    extra = dict(yaxis=dict(autorange="reversed", automargin=True, dtick=1)) if horizontal else {}
    return _figure_widget(bars, _chart_layout(title, **extra))


def coverage_counts(shown: pl.DataFrame, by: str, categories: list[str]) -> dict[str, list[int]]:
    """Registered pupils shown per coverage status (stacking order) in each category of ``by``."""
    registered = shown.filter(pl.col("coverage_status") != MONITORED)
    return status_counts(
        registered, by, categories, tuple(reversed(COVERAGE_STATUSES)), "coverage_status"
    )


class CaseloadExplorer:
    """The widgets of the explorer, wired to the data functions.

    Every callback recomputes from :class:`Caseload` with the functions above and updates
    widgets in place (figures through ``batch_update``), so a filter change sends only the
    changed values to the browser.
    """

    def __init__(self, school: School, as_of: dt.date):
        import ipywidgets as widgets
        import plotly.graph_objects as go

        self.cases = caseload(school, as_of)
        cases = self.cases
        self.options = filter_options(cases)
        filter_labels = {
            "year_group": "Year group",
            "primary_need": "Primary need",
            "sen_status": "SEN status",
            "lead_staff_id": "Lead staff",
            "coverage_status": "Parent meetings",
        }
        self.filters = {
            key: widgets.Dropdown(
                options=self.options[key],
                value=ALL,
                description=label,
                style={"description_width": "initial"},
                layout=widgets.Layout(width=FILTER_WIDTHS[key]),
            )
            for key, label in filter_labels.items()
        }
        for key, dropdown in self.filters.items():
            dropdown.add_class(f"sendlib-filter-{key.replace('_', '-')}")
        self.clear = widgets.Button(
            description="Clear filters",
            tooltip="Show every pupil on the caseload",
            layout=widgets.Layout(width="auto"),
        )
        self.clear.add_class("sendlib-clear")
        self.headlines = widgets.HTML()
        self.headlines.add_class("sendlib-headlines")
        self.todos = widgets.HTML()
        self.todos.add_class("sendlib-todos")

        registered = cases.pupils.filter(pl.col("coverage_status") != MONITORED)
        self._years = sorted(
            registered["year_group"].unique().to_list(), key=lambda g: _YEAR_RANK.get(g, 99)
        )
        self._needs = sorted(registered["primary_need"].drop_nulls().unique().to_list())
        self._months = review_months(cases.reviews)
        # Figures start with their data: updates sent before the browser draws them are lost.
        everyone = cases.pupils
        self.by_year = _coverage_figure(
            [year_label(g) for g in self._years],
            coverage_counts(everyone, "year_group", self._years),
            "Registered pupils shown: parent meetings by year group",
            horizontal=False,
        )
        self.by_need = _coverage_figure(
            self._needs,
            coverage_counts(everyone, "primary_need", self._needs),
            "Registered pupils shown: parent meetings by primary need",
            horizontal=True,
        )
        self.by_month = _figure_widget(
            [
                go.Bar(
                    x=[f"{m:%b %Y}" for m in self._months],
                    y=values,
                    name=ANNUAL_REVIEW_LABELS[status],
                    marker_color=STATUS_COLOURS[status],
                    hovertemplate="%{x}: %{y} annual reviews<extra>"
                    + ANNUAL_REVIEW_LABELS[status]
                    + "</extra>",
                )
                for status, values in annual_review_counts(
                    cases.reviews, everyone, self._months
                ).items()
            ],
            _chart_layout("EHC plan annual review deadlines by month (pupils shown)"),
        )
        charts = widgets.GridBox([self.by_year, self.by_need, self.by_month])
        charts.add_class("sendlib-charts")

        self.sort = widgets.Dropdown(
            options=list(SORT_ORDERS),
            description="Sort pupils by",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.sort.add_class("sendlib-sort")
        self.reverse = widgets.Checkbox(description="Reverse order", indent=False)
        self.table = widgets.HTML()
        self.table.add_class("sendlib-table")
        self.pupil = widgets.Dropdown(
            description="Pupil",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.pupil.add_class("sendlib-pupil")
        self.detail = widgets.HTML()
        self.detail.add_class("sendlib-detail")

        name = html.escape(cases.school.name)
        header = widgets.HTML(
            STYLE
            + f"<h1>Caseload explorer: {name}</h1><p>As of <strong>{_day(cases.as_of)}</strong>"
            f" ({_esc(cases.year.current_term.name if cases.year.current_term else 'holiday')})."
            " Choose filters to narrow the caseload; everything below follows them. Use Tab"
            " to move between controls and the arrow keys to change a choice.</p>"
        )
        filters_row = widgets.HBox([*self.filters.values(), self.clear])
        filters_row.add_class("sendlib-filters")
        sticky = widgets.VBox([filters_row, self.headlines])
        sticky.add_class("sendlib-sticky")
        self.widget = widgets.VBox(
            [
                header,
                sticky,
                widgets.HTML("<h2>What to do next</h2>"),
                self.todos,
                widgets.HTML("<h2>The caseload at a glance</h2>"),
                charts,
                widgets.HTML(
                    "<h2>Pupils</h2><p>Pseudonymous pupil IDs"
                    + (", with the names in the school's data" if cases.has_names else "")
                    + ". This page is for the SENDCo only: do not share it.</p>"
                ),
                widgets.HBox([self.sort, self.reverse]),
                self.table,
                widgets.HTML("<h2>One pupil</h2>"),
                self.pupil,
                self.detail,
            ]
        )
        self.widget.add_class("sendlib-explorer")

        for dropdown in self.filters.values():
            dropdown.observe(self._on_filter, names="value")
        self.clear.on_click(self._on_clear)
        self.sort.observe(self._on_sort, names="value")
        self.reverse.observe(self._on_sort, names="value")
        self.pupil.observe(self._on_pupil, names="value")
        self._quiet = False
        self._refresh_text(self.shown)
        _announce_ready()

    @property
    def chosen(self) -> CaseloadFilter:
        """The filters as the SENDCo set them."""
        return CaseloadFilter(**{key: d.value for key, d in self.filters.items()})

    @property
    def shown(self) -> pl.DataFrame:
        """The pupils the filters show."""
        return filter_pupils(self.cases.pupils, self.chosen)

    def refresh(self) -> None:
        """Bring every part of the page in line with the filters."""
        shown = self.shown
        self._refresh_text(shown)
        self._update_bars(
            self.by_year, coverage_counts(shown, "year_group", self._years), horizontal=False
        )
        self._update_bars(
            self.by_need, coverage_counts(shown, "primary_need", self._needs), horizontal=True
        )
        self._update_bars(
            self.by_month,
            annual_review_counts(self.cases.reviews, shown, self._months),
            horizontal=False,
        )

    def _refresh_text(self, shown: pl.DataFrame) -> None:
        self.headlines.value = headline_html(headline_strip(self.cases, shown))
        self.todos.value = todo_html(self.cases, shown)
        self._show_table(shown)

    @staticmethod
    def _update_bars(fig: go.FigureWidget, counts: dict[str, list[int]], horizontal: bool) -> None:
        with fig.batch_update():
            for trace, values in zip(fig.data, counts.values(), strict=True):
                if horizontal:
                    trace.x = values
                else:
                    trace.y = values

    def _show_table(self, shown: pl.DataFrame) -> None:
        ordered = sort_pupils(shown, self.sort.value, self.reverse.value)
        self.table.value = pupils_table_html(self.cases, ordered)
        choices = [
            (pupil_choice_label(r, self.cases.has_names), r["pupil_id"])
            for r in ordered.select("pupil_id", "display_name", "year_group").iter_rows(named=True)
        ]
        current = self.pupil.value
        ids = [value for _, value in choices]
        # Replacing the options moves the choice; keep the pupil on screen if still shown.
        self._quiet = True
        try:
            self.pupil.options = choices
            self.pupil.value = current if current in ids else (ids[0] if ids else None)
        finally:
            self._quiet = False
        self.detail.value = pupil_html(self.cases, self.pupil.value)

    def _on_filter(self, _change: dict) -> None:
        if not self._quiet:
            self.refresh()

    def _on_clear(self, _button: object) -> None:
        # One refresh for the whole reset, not one per filter.
        self._quiet = True
        try:
            for dropdown in self.filters.values():
                dropdown.value = ALL
        finally:
            self._quiet = False
        self.refresh()

    def _on_sort(self, _change: dict) -> None:
        self._show_table(self.shown)

    def _on_pupil(self, change: dict) -> None:
        if not self._quiet:
            self.detail.value = pupil_html(self.cases, change["new"])

    def choose(self, **chosen: str | None) -> None:
        """Set filters by column name, as the SENDCo would; ``None`` means all."""
        for key, value in chosen.items():
            self.filters[key].value = ALL if value is None else value


def _announce_ready() -> None:
    """Under ``serve``, tell it the explorer is built (Voila pre-runs the notebook)."""
    ready = os.environ.get(ENV_READY_FILE)
    if ready:
        Path(ready).touch()


def build_explorer(school: School, as_of: dt.date) -> ipywidgets.Widget:
    """The whole explorer as one widget, for a notebook cell or Voila to display."""
    return CaseloadExplorer(school, as_of).widget


# ---------------------------------------------------------------------------------------
# Serving with Voila


def parameters_from_environment(school_dir: str, as_of: str) -> tuple[str, str]:
    """The notebook's parameters, overridden by ``serve``'s environment variables if set."""
    return os.environ.get(ENV_SCHOOL_DIR) or school_dir, os.environ.get(ENV_AS_OF) or as_of


def default_as_of(school: School, today: dt.date | None = None) -> dt.date:
    """Today when the school's calendar covers it, else the last day the records reach.

    A school exploring its own live export sees today; a folder whose calendar has ended
    (an old export, the synthetic samples) is shown as of its last recorded activity
    rather than failing.
    """
    today = today or dt.date.today()
    calendar = school.calendar
    if calendar.covers_from <= today <= calendar.covers_to:
        return today
    held = school.meetings.filter(pl.col("status") == "held")
    days = [
        school.requests["received_on"].max(),
        school.requests["acknowledged_on"].max(),
        held["starts_at"].max().date() if held.height else None,
        school.meetings["record_sent_on"].max(),
        school.plans["reviewed_on"].max(),
    ]
    recorded = [d for d in days if d is not None and d <= calendar.covers_to]
    return max(recorded) if recorded else calendar.covers_to


def voila_command(port: int, labextensions: Path | None = None) -> list[str]:
    """The Voila command line for the explorer: 127.0.0.1 only, no code, no tracebacks.

    ``labextensions`` is an extra folder Voila serves under ``/voila/labextensions/`` (the
    shared plotly bundle). The plotly mime renderer extension is left out: ``FigureWidget``
    brings its own plotly.js, and loading a second 4.8 MB copy only slows the page.
    """
    command = [
        sys.executable,
        "-m",
        "voila",
        str(NOTEBOOK),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--theme=light",
        "--VoilaConfiguration.extension_denylist=['jupyterlab-plotly']",
        "--Voila.log_level=WARN",
        # Run the notebook as soon as Voila starts, and again for the next visit only once
        # this one has drawn: on two cores, a second kernel starting at once halves the speed.
        "--preheat_kernel=True",
        "--VoilaKernelManager.fill_delay=20",
    ]
    if labextensions is not None:
        command.append(f"--VoilaConfiguration.extra_labextensions_path=[{str(labextensions)!r}]")
    headers = {"headers": {"Content-Security-Policy": content_security_policy(port)}}
    command.append(f"--Voila.tornado_settings={json.dumps(headers)}")
    return command


def content_security_policy(port: int) -> str:
    """What the page may load: only this server (and its own blob and data URLs).

    Voila's page template links an icon font from a CDN; on a school network that drops
    such requests it can hold up the page, and pupil pages should fetch nothing from the
    internet anyway. The browser refuses it at once (Voila bundles the font already).
    """
    here = f"http://127.0.0.1:{port} ws://127.0.0.1:{port}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' {here}",
            "frame-ancestors 'self'",
        ]
    )


def plotly_widget_bundle() -> Path | None:
    """Plotly's ``FigureWidget`` JavaScript bundle (the file its ``_esm`` names), if found."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        return None
    bundle = Path(spec.origin).parent / "package_data" / "widgetbundle.js"
    return bundle if bundle.is_file() else None


def serve(
    school_dir: str | Path,
    port: int = 8866,
    open_browser: bool = True,
    as_of: dt.date | str | None = None,
) -> int:
    """Serve the caseload explorer for a school with Voila on 127.0.0.1 until Ctrl-C.

    The folder is validated first (so problems show as the usual list, not in the page),
    then passed to the notebook's kernel in ``SENDLIB_SCHOOL_DIR`` with the as-of date in
    ``SENDLIB_AS_OF`` (``as_of``, else ``SENDLIB_AS_OF`` from the environment, else
    :func:`default_as_of`). Voila runs the notebook as it starts; the address is printed
    (and the browser opened) once the explorer is built, so the page then draws in a few
    seconds. Returns the exit code: 0 after a clean stop.

    Raises:
        DataValidationError: the school folder has problems.
        CalendarRangeError: the as-of date is outside the school's calendar.
    """
    folder = resolve_school_dir(school_dir).resolve()
    school = load_school(folder)
    day = parse_as_of(as_of or os.environ.get(ENV_AS_OF) or default_as_of(school))
    school_year(school, day)
    if not _port_free(port):
        print(
            f"sendlib explore: port {port} on 127.0.0.1 is in use (is the explorer already "
            f"open at http://127.0.0.1:{port}/ ?); choose another with --port",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory(prefix="sendlib-explore-") as work:
        return _run_voila(Path(work), school, folder, day, port, open_browser)


def _run_voila(
    work: Path, school: School, folder: Path, day: dt.date, port: int, open_browser: bool
) -> int:
    """Start Voila with its log and the shared plotly bundle in ``work``; wait for the end."""
    env = {**os.environ, ENV_SCHOOL_DIR: str(folder), ENV_AS_OF: day.isoformat()}
    labextensions = None
    bundle = plotly_widget_bundle()
    if bundle is not None:
        labextensions = work / "labextensions"
        (labextensions / _BUNDLE_EXTENSION).mkdir(parents=True)
        shutil.copyfile(bundle, labextensions / _BUNDLE_EXTENSION / _BUNDLE_FILE)
        env[ENV_PLOTLY_BUNDLE] = f"/voila/labextensions/{_BUNDLE_EXTENSION}/{_BUNDLE_FILE}"
    ready = work / "ready"
    env[ENV_READY_FILE] = str(ready)
    log_path = work / "voila.log"
    url = f"http://127.0.0.1:{port}/"
    with log_path.open("wb") as log:
        # Its own session, so Ctrl-C in the terminal reaches only us; we then stop Voila
        # (and its kernels) with SIGTERM. SIGTERM or a closed terminal stops us the same way.
        voila = subprocess.Popen(
            voila_command(port, labextensions),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        previous = _on_stop_signals(_raise_stop)
        try:
            print(f"Starting the caseload explorer for {school.name}...", flush=True)
            if not _wait_for_port(port, voila, timeout=60):
                print(
                    f"sendlib explore: Voila did not start; its log:\n{_tail(log_path)}",
                    file=sys.stderr,
                )
                return voila.poll() or 1
            if not _wait_for_file(ready, voila, timeout=READY_TIMEOUT_SECONDS):
                if voila.poll() is not None:
                    print(
                        f"sendlib explore: Voila stopped; its log:\n{_tail(log_path)}",
                        file=sys.stderr,
                    )
                    return voila.returncode or 1
                print(
                    "(still preparing the page; it will finish loading in the browser)",
                    flush=True,
                )
            print(
                f"Caseload explorer for {school.name}, as of {_day(day)}:\n  {url}\n"
                "Open it in your browser (only this computer can). Press Ctrl-C to stop.",
                flush=True,
            )
            if open_browser:
                webbrowser.open(url)
            # Poll rather than block in wait(): a signal caught by one of polars' threads
            # would not wake the main thread from waitpid, and Ctrl-C would hang.
            while (code := voila.poll()) is None:
                time.sleep(0.2)
            if code:
                print(
                    f"sendlib explore: Voila stopped (exit {code}); its log:\n{_tail(log_path)}",
                    file=sys.stderr,
                )
            return code
        except (KeyboardInterrupt, _StopRequested):
            print("\nStopping the caseload explorer.", flush=True)
            return 0
        finally:
            _stop(voila)
            _on_stop_signals(previous)


class _StopRequested(Exception):
    """SIGTERM or SIGHUP arrived: stop as after Ctrl-C, so Voila is never left running."""


def _raise_stop(_signum: int, _frame: object) -> None:
    raise _StopRequested


def _on_stop_signals(handler) -> dict:
    """Install ``handler`` (one for all, or a dict per signal); return the previous ones."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    chosen = handler if isinstance(handler, dict) else dict.fromkeys(_STOP_SIGNALS, handler)
    return {sig: signal.signal(sig, action) for sig, action in chosen.items()}


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _wait_for_file(path: Path, process: subprocess.Popen, timeout: float) -> bool:
    """Whether ``path`` appears before ``process`` exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists():
            return True
        time.sleep(0.1)
    return path.exists()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> bool:
    """Whether the server accepts connections before it exits or ``timeout`` passes.

    A TCP connection, not an HTTP request: a GET of the page would start a kernel.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    """Stop Voila and its kernels: SIGTERM (Voila shuts its kernels down), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    text = Path(path).read_text("utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])
