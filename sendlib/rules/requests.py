"""Response times to meeting requests (DOMAIN.md, "Meeting requests: the response duty").

Every request is acknowledged within ``acknowledge_within_school_days`` school days of its
effective receipt day. Safeguarding and urgent day-to-day requests are routed away and
counted as routed, never as late. The rule is written once, for any number of schools
(:func:`group_response_times`, over the frame of :mod:`sendlib.rules.frame`);
:func:`response_times` is that query for one school.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.rules.frame import (
    ENGINE,
    POSITION,
    SCHOOL,
    GroupYears,
    SchoolGroup,
    check_calendars,
)
from sendlib.school.asof import as_of_date, school_year
from sendlib.school.load import School
from sendlib.school.schema import ROUTED_KINDS, ROUTED_RESPONSES

__all__ = [
    "DECIDED",
    "STATUSES",
    "STATUS_LABELS",
    "group_response_times",
    "open_backlog",
    "requests_in_words",
    "response_summary",
    "response_times",
    "response_times_query",
]

#: A request's status as of a date (DOMAIN.md, "Statuses").
STATUSES = ("on_time", "late", "open_overdue", "open_not_due", "routed")
#: Statuses where the duty's outcome is decided (met or missed): the denominator of on-time share.
DECIDED = ("on_time", "late", "open_overdue")
STATUS_LABELS = {
    "on_time": "Acknowledged on time",
    "late": "Acknowledged late",
    "open_overdue": "Open, overdue",
    "open_not_due": "Open, not yet due",
    "routed": "Routed away",
}


def _first_meetings(group: SchoolGroup, as_of: dt.date) -> pl.LazyFrame:
    """The first meeting linked to each request (offered: any status) and the first held."""
    linked = group.meetings.lazy().filter(
        pl.col("request_id").is_not_null() & (pl.col("day") <= as_of)
    )
    return linked.group_by(POSITION, "request_id").agg(
        pl.col("day").min().alias("first_meeting_on"),
        pl.col("day").filter(pl.col("status") == "held").min().alias("first_meeting_held_on"),
    )


def response_times_query(group: SchoolGroup, years: GroupYears) -> pl.LazyFrame:
    """Response times of every school as one lazy query, as :func:`group_response_times`."""
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
    # This school year's figures count a request due in it, or still open whenever it came:
    # one answered last year belongs to last year's figures.
    this_year = (pl.col("due_on") >= years.setting("year_start")) | pl.col(
        "acknowledged_on"
    ).is_null()
    frame = frame.with_columns(
        status=status, term=days.term_name(pl.col("effective_on")), this_year=this_year
    )
    frame = frame.join(_first_meetings(group, a), on=[POSITION, "request_id"], how="left")
    frame = frame.with_columns(
        school_days_to_meeting=pl.when(pl.col("first_meeting_on").is_not_null()).then(
            taken(pl.col("first_meeting_on"))
        ),
        school_days_to_meeting_held=pl.when(pl.col("first_meeting_held_on").is_not_null()).then(
            taken(pl.col("first_meeting_held_on"))
        ),
    )
    return frame.sort(POSITION, "received_on", "request_id").select(
        group.school_column(),
        "request_id",
        "pupil_id",
        "received_on",
        "effective_on",
        "due_on",
        "acknowledged_on",
        "school_days_taken",
        "status",
        "this_year",
        "channel",
        "kind",
        "response",
        "term",
        "first_meeting_on",
        "school_days_to_meeting",
        "first_meeting_held_on",
        "school_days_to_meeting_held",
    )


def group_response_times(group: SchoolGroup, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per request received by ``as_of``, school by school, with its due date and status.

    Every request is acknowledged within ``acknowledge_within_school_days`` school days of
    its effective receipt day; safeguarding and urgent day-to-day requests are routed away
    and counted as routed, never as late (DOMAIN.md, "Meeting requests: the response duty").
    Columns: school, request_id, pupil_id, received_on, effective_on, due_on,
    acknowledged_on, school_days_taken (to acknowledgement, or to ``as_of`` while open),
    status, this_year (due in the school year of ``as_of``, or still open: what that
    year's figures count), channel, kind, response, term, first_meeting_on,
    school_days_to_meeting, first_meeting_held_on, school_days_to_meeting_held.

    Raises:
        CalendarRangeError: a school's arithmetic runs past its calendar
            (:func:`~sendlib.rules.frame.calendar_problems` lists every such school).
    """
    check_calendars(group, as_of or dt.date.today())
    return response_times_query(group, GroupYears.of(group, as_of)).collect(engine=ENGINE)


def response_summary(times: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    """Counts per status and the on-time share, overall or by a column of ``response_times``.

    ``by`` may be school, term, month, channel, kind or response. The on-time share is
    on-time requests over decided ones (on time, late, or open and overdue); routed
    requests and open ones not yet due are not in it. ``meeting_requests`` and
    ``information_requests`` split the decided ones by kind: a request for information is
    not a meeting request (DOMAIN.md, "Offered but not held").
    """
    frame = times
    if by == "month":
        frame = frame.with_columns(month=pl.col("effective_on").dt.truncate("1mo"))
    keys = [by] if by else []
    aggregations = [pl.len().alias("requests")]
    aggregations += [(pl.col("status") == s).sum().alias(s) for s in STATUSES]
    is_decided = pl.col("status").is_in(DECIDED)
    aggregations += [
        (is_decided & (pl.col("kind") == kind)).sum().alias(f"{kind}_requests")
        for kind in ("meeting", "information")
    ]
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


def requests_in_words(meeting: int, information: int) -> str:
    """Requests counted by kind, meeting requests apart from requests for information.

    For example ``"12 meeting requests and 1 request for information"``.
    """
    parts = []
    if meeting or not information:
        parts.append(f"{meeting:,} meeting request{'' if meeting == 1 else 's'}")
    if information:
        parts.append(f"{information:,} request{'' if information == 1 else 's'} for information")
    return " and ".join(parts)


def response_times(school: School, as_of: str | dt.date | None = None) -> pl.DataFrame:
    """One row per request received by ``as_of``, with its due date and status.

    Columns: request_id, pupil_id, received_on, effective_on, due_on, acknowledged_on,
    school_days_taken (to acknowledgement, or to ``as_of`` while open), status, this_year,
    channel, kind, response, term, first_meeting_on, school_days_to_meeting,
    first_meeting_held_on, school_days_to_meeting_held
    (:func:`group_response_times` for this school alone).
    """
    return group_response_times(SchoolGroup.of([school]), as_of_date(school, as_of)).drop(SCHOOL)


def open_backlog(school: School, times: pl.DataFrame, as_of: dt.date | None = None) -> pl.DataFrame:
    """Requests open (not routed, not yet acknowledged) at the end of each school day.

    Columns: day, open, overdue. Counted with sorted searches, not a loop over requests.
    """
    year = school_year(school, as_of)
    days = pl.Series("day", school.calendar.school_days(year.start, year.as_of), dtype=pl.Date)
    duty = times.filter(pl.col("status") != "routed")
    opened = duty["effective_on"].sort()
    closed = (
        duty.filter(pl.col("acknowledged_on").is_not_null())
        .select(pl.max_horizontal("acknowledged_on", "effective_on"))
        .to_series()
        .sort()
    )
    due_plus = duty["due_on"].sort()
    # Overdue on day d: due before d and not acknowledged by d.
    overdue_closed = (
        duty.filter(pl.col("acknowledged_on").is_not_null())
        .select(pl.max_horizontal("acknowledged_on", pl.col("due_on") + pl.duration(days=1)))
        .to_series()
        .sort()
    )
    open_now = opened.search_sorted(days, side="right") - closed.search_sorted(days, side="right")
    overdue = due_plus.search_sorted(days, side="left") - overdue_closed.search_sorted(
        days, side="right"
    )
    return pl.DataFrame({"day": days, "open": open_now, "overdue": overdue})
