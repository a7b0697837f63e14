"""Demand: the meetings a SENDCo owes in a term, each with its window, people and priority.

DOMAIN.md, "Parent meetings: the duties". For the term being planned:

- a termly **review** for every registered pupil not yet met (held or booked) this term;
- an **annual review** for every EHC plan whose deadline (the last day of the 12 months,
  or the phase-transfer deadline) falls in the term or within ``due_soon_days`` after it,
  or has passed; a transfer review aims at its hold-by date (``transfer_review_weeks``
  before the deadline) while that can still be met. It also counts as that pupil's
  termly review, so the pupil is not owed both. A plan with no review on record
  (``no_record``) has no deadline to plan to and is left to the report's data gaps;
- a **request meeting** for every meeting request awaiting one (offered or promised, or
  still open, and no meeting held or booked for it).

Each meeting's window opens on the planning date (the term's first day if that is
later), two weeks later for an annual review (SEND Regulations 2014, reg. 20: notice
and advice go out two weeks before), and closes at its deadline or the term's end; a
termly review closes by the review date of the pupil's current SEN support plan when that
falls in the window (a plan review is the termly review).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from sendlib.planning.scheduling.levers import SchedulingError, SchedulingLevers
from sendlib.rules.annual_reviews import NOTICE_DAYS, annual_reviews
from sendlib.rules.meetings import counting_meetings, review_coverage
from sendlib.rules.plans import plan_reviews, pupil_plans
from sendlib.school.asof import school_year
from sendlib.school.calendar import Term
from sendlib.school.load import School
from sendlib.school.schema import COUNTING_KINDS

#: Weight of placing one meeting: statutory deadlines first, then pupils not met this year.
PRIORITY_WEIGHTS = {
    "annual_review": 8,
    "never_met": 5,
    "missed_term": 4,
    "request": 3,
    "due_this_term": 3,
}
PRIORITY_LABELS = {
    "annual_review": "EHC plan annual review (statutory deadline)",
    "never_met": "not met this year",
    "missed_term": "missed a term",
    "request": "parent's meeting request",
    "due_this_term": "termly review owed",
}
#: How much an earlier day is worth, per school day, for meetings with a deadline.
EARLINESS = {"annual_review": 2, "request": 1}
AWAITING_RESPONSES = ("meeting_offered", "timescale_proposed")


@dataclass(frozen=True)
class MeetingOwed:
    """One meeting to place: who must be there, how long, when, and how much it matters.

    ``lead_staff_id`` is ``None`` when the SENDCo holds the meeting alone;
    ``sendco_attends`` is ``False`` for a review the lead staff member holds without the
    SENDCo. ``assistant_may_cover``: an assistant SENDCo may attend in the SENDCo's place.
    """

    key: str
    pupil_id: str | None
    kind: str
    minutes: int
    earliest: dt.date
    latest: dt.date
    lead_staff_id: str | None
    sendco_attends: bool
    weight: int
    priority: str
    deadline: dt.date | None = None
    request_id: str | None = None
    earliness: int = 0
    assistant_may_cover: bool = False
    #: A meeting for a request not yet answered: offered to the family, not yet agreed.
    provisional: bool = False

    def __post_init__(self) -> None:
        if not self.sendco_attends and self.lead_staff_id is None:
            raise ValueError(f"{self.key}: a meeting needs the SENDCo or a lead staff member")
        if self.minutes <= 0 or self.weight <= 0:
            raise ValueError(f"{self.key}: minutes and weight must be positive")


@dataclass(frozen=True)
class Demand:
    """The meetings owed in a term, and per registered pupil where their review stands."""

    term: Term
    planning_date: dt.date
    #: The first day meetings may be placed: the planning date or the term's first day.
    window_start: dt.date
    meetings: tuple[MeetingOwed, ...]
    #: One row per registered pupil: pupil_id, sen_status, met_this_term, booked_this_term,
    #: owed_key (the meeting owed that would count as this term's review, if any).
    pupils: pl.DataFrame

    def table(self) -> pl.DataFrame:
        """The meetings owed as a table (no names: pupil IDs only)."""
        return meetings_table(self.meetings)


def meetings_table(meetings: tuple[MeetingOwed, ...] | list[MeetingOwed]) -> pl.DataFrame:
    """Meetings owed, one row each, in the order given."""
    schema = {
        "meeting_key": pl.String,
        "pupil_id": pl.String,
        "kind": pl.String,
        "minutes": pl.Int64,
        "earliest": pl.Date,
        "latest": pl.Date,
        "lead_staff_id": pl.String,
        "sendco_attends": pl.Boolean,
        "weight": pl.Int64,
        "priority": pl.String,
        "deadline_on": pl.Date,
        "request_id": pl.String,
    }
    rows = [
        (
            m.key,
            m.pupil_id,
            m.kind,
            m.minutes,
            m.earliest,
            m.latest,
            m.lead_staff_id,
            m.sendco_attends,
            m.weight,
            m.priority,
            m.deadline,
            m.request_id,
        )
        for m in meetings
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def sendco_id(school: School) -> str:
    """The SENDCo's staff ID (the first with role sendco; ``SENDCO`` if none is listed)."""
    found = school.staff.filter(pl.col("role") == "sendco")["staff_id"]
    return found[0] if found.len() else "SENDCO"


def planning_window(
    school: School,
    term: str | Term,
    planning_date: dt.date | None,
    now: dt.datetime | None = None,
):
    """The term, the planning date and the first day meetings may go in.

    The scheduler never books the past: planning as of an earlier day starts on the day
    after it; planning as of today starts today, from ``now`` on (see ``build_supply``).
    Raises ``KeyError`` for an unknown term (listing the known ones),
    :class:`~sendlib.school.errors.CalendarRangeError` for a date outside the calendar and
    :class:`SchedulingError` when the term is already over.
    """
    found = term if isinstance(term, Term) else school.calendar.term_named(term)
    now = now or dt.datetime.now()
    planning_date = planning_date or now.date()
    school_year(school, planning_date)  # outside the calendar: a clear error
    first = planning_date if planning_date == now.date() else planning_date + dt.timedelta(days=1)
    if planning_date > found.end:
        raise SchedulingError(
            f"{found.name} ended on {found.end:%a %d %b %Y}, before the planning date "
            f"{planning_date:%a %d %b %Y}; choose a later term or an earlier --as-of"
        )
    if planning_date < first <= school.calendar.last_school_day:
        first = school.calendar.next_school_day(first)
    if first > found.end:
        raise SchedulingError(
            f"{found.name} has no school days left after {planning_date:%a %d %b %Y}; "
            "choose a later term or an earlier --as-of"
        )
    return found, planning_date, max(first, found.start)


def build_demand(
    school: School,
    term: str | Term,
    planning_date: dt.date | None = None,
    levers: SchedulingLevers | None = None,
    now: dt.datetime | None = None,
) -> Demand:
    """The meetings owed in ``term`` as planned on ``planning_date`` (default today)."""
    levers = levers or SchedulingLevers()
    term, p, start = planning_window(school, term, planning_date, now)
    policy = school.policy
    sendco = sendco_id(school)
    year = school_year(school, term.start)
    pupils = _review_status(school, term, p, start, year)

    # Annual reviews: deadline in the term, soon after it, or already passed.
    horizon = term.end + dt.timedelta(days=policy.due_soon_days)
    # An annual review already booked from the planning date on, in this term or an earlier
    # one (planning the summer in March while the review is booked for late March), is owed
    # no second meeting.
    booked_ar = _booked(school, p, term.end, ["annual_review"], p)
    reviews = annual_reviews(school, p).filter(
        (pl.col("status") != "no_record")
        & (pl.col("deadline_on") <= horizon)
        & ~pl.col("pupil_id").is_in(booked_ar.implode())
    )
    notice = max(start, p + dt.timedelta(days=NOTICE_DAYS))
    owed: list[MeetingOwed] = []
    for row in reviews.iter_rows(named=True):
        deadline = row["deadline_on"]
        # A transfer review is held by its hold-by date so the local authority can amend
        # the plan in time (reg. 18, 20(10), 22), while notice still allows it.
        transfer = row["transfer_deadline_on"] == deadline and row["hold_by"] is not None
        target = row["hold_by"] if transfer and row["hold_by"] >= notice else deadline
        # A deadline notice can no longer meet: hold it as soon as notice allows, in term.
        latest = target if notice <= target <= term.end else term.end
        lead = row["lead_staff_id"]
        owed.append(
            MeetingOwed(
                key=f"annual_review:{row['pupil_id']}",
                pupil_id=row["pupil_id"],
                kind="annual_review",
                minutes=policy.annual_review_minutes,
                earliest=notice,
                latest=latest,
                lead_staff_id=None if lead in (None, sendco) else lead,
                sendco_attends=True,
                weight=PRIORITY_WEIGHTS["annual_review"],
                priority="annual_review",
                deadline=deadline,
                earliness=EARLINESS["annual_review"],
            )
        )
    covered = {m.pupil_id for m in owed}

    # Termly reviews: registered pupils not met or booked this term, most in need first.
    need = pupils.filter(
        ~pl.col("met_this_term")
        & ~pl.col("booked_this_term")
        & ~pl.col("pupil_id").is_in(list(covered))
    ).sort(
        pl.col("sen_status") != "E",
        pl.col("status") != "never_met",
        pl.col("status") != "missed_term",
        "pupil_id",
    )
    share = levers.class_teacher_led_share
    if share is None:
        share = observed_led_share(school, term, p)
    with_sendco = _sendco_attended_reviews(need, sendco, share)
    review_minutes = levers.review_minutes or policy.meeting_minutes
    plan_due = _plan_reviews_due(school, p, start, term)
    for row in need.iter_rows(named=True):
        lead = row["lead_staff_id"]
        led_by_sendco = lead in (None, sendco)
        owed.append(
            MeetingOwed(
                key=f"review:{row['pupil_id']}",
                pupil_id=row["pupil_id"],
                kind="review",
                minutes=review_minutes,
                earliest=start,
                latest=plan_due.get(row["pupil_id"], term.end),
                lead_staff_id=None if led_by_sendco else lead,
                sendco_attends=led_by_sendco or row["pupil_id"] in with_sendco,
                weight=PRIORITY_WEIGHTS[row["status"]],
                priority=row["status"],
                assistant_may_cover=bool(levers.assistant_days),
            )
        )

    for row in _requests_awaiting(school, p, start, term).iter_rows(named=True):
        owed.append(
            MeetingOwed(
                key=f"request:{row['request_id']}",
                pupil_id=row["pupil_id"],
                kind="concern",
                minutes=policy.meeting_minutes,
                earliest=start,
                latest=term.end,
                lead_staff_id=None,
                sendco_attends=True,
                weight=PRIORITY_WEIGHTS["request"],
                priority="request",
                request_id=row["request_id"],
                earliness=EARLINESS["request"],
                provisional=row["acknowledged_on"] is None or row["acknowledged_on"] > p,
            )
        )

    owed_key = {m.pupil_id: m.key for m in owed if m.kind != "concern"}
    pupils = pupils.with_columns(
        owed_key=pl.col("pupil_id").replace_strict(owed_key, default=None, return_dtype=pl.String)
    ).select("pupil_id", "sen_status", "status", "met_this_term", "booked_this_term", "owed_key")
    return Demand(term, p, start, tuple(owed), pupils)


def _plan_reviews_due(school: School, p: dt.date, start: dt.date, term: Term) -> dict[str, dt.date]:
    """Each pupil's current plan's review date, where it falls in the planning window.

    A plan review is the pupil's termly review (DOMAIN.md, "Plans and the graduated
    approach"), so the review is due no later than the plan's review_due_on.
    """
    due = plan_reviews(school, p).filter(
        pl.col("plan_id").is_in(pupil_plans(school, p)["current_plan_id"].drop_nulls().implode()),
        pl.col("review_due_on").is_between(start, term.end),
    )
    return dict(due.select("pupil_id", "review_due_on").iter_rows())


def _review_status(school: School, term: Term, p: dt.date, start: dt.date, year) -> pl.DataFrame:
    """Registered pupils with this year's meetings, completed terms missed and a status.

    The statuses are review coverage's as of the planning date (DOMAIN.md, "Statuses"),
    so the rule lives in one place; for the term being planned, which may start after the
    planning date, a pupil not yet met in it is due_this_term unless never_met or
    missed_term comes first.
    """
    coverage = review_coverage(school, p)
    held = counting_meetings(school, p, year.start) if p >= year.start else None
    met_term = set() if held is None else set(held.filter(pl.col("day") >= term.start)["pupil_id"])
    booked = set(_booked(school, start, term.end, COUNTING_KINDS, p))
    frame = coverage.select(
        "pupil_id",
        "sen_status",
        "lead_staff_id",
        met_this_term=pl.col("pupil_id").is_in(list(met_term)),
        booked_this_term=pl.col("pupil_id").is_in(list(booked)),
        met_this_year=pl.col("meetings_this_year") > 0,
        completed_terms=pl.col("completed_terms").cast(pl.Int64),
        terms_missed=pl.col("terms_missed").cast(pl.Int64),
        status=pl.when(pl.col("status").is_in(["never_met", "missed_term"]))
        .then(pl.col("status"))
        .otherwise(pl.lit("due_this_term")),
    )
    return frame.sort("pupil_id")


def export_date(school: School) -> dt.date | None:
    """The last day the folder records activity on: requests, and meetings other than bookings.

    Bookings (status scheduled) are the diary on that day.
    """
    days = pl.concat(
        [
            school.requests.select(pl.col("received_on").alias("d")),
            school.requests.select(pl.col("acknowledged_on").alias("d")),
            school.meetings.filter(pl.col("status") != "scheduled").select(
                pl.col("starts_at").dt.date().alias("d")
            ),
        ]
    )["d"]
    return days.max()


def booked_meetings(school: School, planning_date: dt.date) -> pl.DataFrame:
    """Meetings already booked as of the planning date (status scheduled).

    A booking has no date of its own, only the day the data were exported: planning as
    of an earlier date replays the past, before those bookings were made (DOMAIN.md:
    records after the as-of date are ignored), so the diary is then empty.
    """
    exported = export_date(school)
    if exported is None or planning_date < exported:
        return school.meetings.clear()
    return school.meetings.filter(pl.col("status") == "scheduled")


def _booked(school: School, start: dt.date, end: dt.date, kinds, p: dt.date) -> pl.Series:
    """Pupils with a meeting of ``kinds`` already booked in the window."""
    return (
        booked_meetings(school, p)
        .filter(
            pl.col("kind").is_in(list(kinds))
            & pl.col("pupil_id").is_not_null()
            & pl.col("starts_at").dt.date().is_between(start, end)
        )["pupil_id"]
        .unique()
        .sort()
    )


def observed_led_share(school: School, term: str | Term, planning_date: dt.date) -> float:
    """Share of this year's held reviews led by someone else that the SENDCo did not attend.

    The default for the class-teacher-led lever: the school's own practice so far (half
    when no review has been held yet this year).
    """
    found = term if isinstance(term, Term) else school.calendar.term_named(term)
    since = school_year(school, found.start).start
    reviews = school.meetings.filter(
        (pl.col("kind") == "review")
        & (pl.col("status") == "held")
        & (pl.col("lead_staff_id") != sendco_id(school))
        & pl.col("starts_at").dt.date().is_between(since, planning_date)
    )
    return 1 - float(reviews["sendco_attended"].mean()) if reviews.height else 0.5


def _sendco_attended_reviews(need: pl.DataFrame, sendco: str, share: float) -> set[str]:
    """Pupils whose review the SENDCo attends although someone else leads it.

    The SENDCo decides which meetings to attend (seed 001; Code of Practice 6.67): a
    ``1 - share`` of the reviews others lead, going to the pupils ``need`` lists first
    (EHC plans, then pupils never met, then those who missed a term).
    """
    others = need.filter(
        pl.col("lead_staff_id").is_not_null() & (pl.col("lead_staff_id") != sendco)
    )
    places = round((1 - share) * others.height)
    return set(others["pupil_id"].head(places))


def _requests_awaiting(school: School, p: dt.date, start: dt.date, term: Term) -> pl.DataFrame:
    """Meeting requests received by ``p`` still awaiting a meeting.

    Offered or promised a meeting (or still open, for a meeting request), never routed
    away, and the parents not met since: no meeting for the request, and no parent
    meeting or surgery appointment for the pupil on or after the day it came in, held by
    ``p`` or booked in the window.
    """
    requests = school.requests.filter(pl.col("received_on") <= p)
    acknowledged = pl.col("acknowledged_on").is_not_null() & (pl.col("acknowledged_on") <= p)
    awaiting = requests.filter(
        pl.col("kind").is_in(["meeting", "information"])
        & (
            (acknowledged & pl.col("response").is_in(AWAITING_RESPONSES))
            | (~acknowledged & (pl.col("kind") == "meeting"))
        )
    )
    held = school.meetings.filter(
        (pl.col("status") == "held") & (pl.col("starts_at").dt.date() <= p)
    )
    booked = booked_meetings(school, p).filter(
        pl.col("starts_at").dt.date().is_between(start, term.end)
    )
    met = pl.concat([held, booked]).select(
        "request_id", "pupil_id", "kind", day=pl.col("starts_at").dt.date()
    )
    by_request = met["request_id"].drop_nulls()
    parents_met = (
        awaiting.join(
            met.filter(pl.col("kind").is_in([*COUNTING_KINDS, "surgery"])),
            on="pupil_id",
            how="inner",
        )
        .filter(pl.col("day") >= pl.col("received_on"))["request_id"]
        .unique()
    )
    return awaiting.filter(
        ~pl.col("request_id").is_in(by_request.implode())
        & ~pl.col("request_id").is_in(parents_met.implode())
    ).sort("received_on", "request_id")
