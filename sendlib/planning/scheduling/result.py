"""A schedule and what it says: meetings placed, those left unplaced and why, weekly load.

Both the CP-SAT solver and the greedy baseline return a :class:`Schedule`; the tables
here carry pupil IDs and staff IDs only, never names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from sendlib.planning.scheduling.candidates import Bookings, Candidate, CandidateFinder, persons_for
from sendlib.planning.scheduling.demand import PRIORITY_LABELS, Demand, MeetingOwed
from sendlib.planning.scheduling.supply import Supply

#: Why a meeting owed was not placed, in words a SENDCo can act on.
REASONS = {
    "notice_past_term_end": "two weeks' notice of the annual review runs past the term's end",
    "no_days_in_window": "no school days left in its window",
    "no_sendco_day": "no SENDCo day in its window",
    "sendco_never_free": "the SENDCo's hours in its window are all taken by fixed commitments",
    "lead_never_free_with_sendco": (
        "the lead staff member is never free when the SENDCo is (arrange cover, or widen "
        "staff_available_from/to in school.toml)"
    ),
    "lead_never_free": "the lead staff member is never free in its window",
    "sendco_full": "the SENDCo's time in its window is taken by meetings as important or more",
    "lead_full": "the lead staff member's free time in its window is already booked",
    "no_common_time_left": "the SENDCo and the lead staff member have time, but never together",
    "time_limit": "not placed within the time limit (a better schedule may exist)",
}
SURGERY_LABEL = "protected surgery slot"


@dataclass(frozen=True)
class Placement:
    """Where a meeting went: its day, start (minutes after midnight) and who covers."""

    meeting_key: str
    day: dt.date
    start: int
    cover: str | None


@dataclass(frozen=True)
class Schedule:
    """The meetings placed in a term, the proof of how good that is, and its tables."""

    meetings: tuple[MeetingOwed, ...]
    supply: Supply
    placements: tuple[Placement, ...]
    #: "cp-sat" or "greedy".
    method: str
    #: "optimal" (proven, both objectives), "feasible" (stopped by the time limit, or once
    #: the meetings placed were proven best: see ``gap``), or "heuristic" (greedy).
    status: str
    #: An upper bound on the weighted meetings any schedule could place.
    bound: int
    solve_seconds: float
    demand: Demand | None = None

    @cached_property
    def by_key(self) -> dict[str, MeetingOwed]:
        """Meetings owed by key."""
        return {m.key: m for m in self.meetings}

    @property
    def placed_keys(self) -> set[str]:
        """Keys of the meetings placed."""
        return {p.meeting_key for p in self.placements}

    @property
    def weighted_owed(self) -> int:
        """The weight of every meeting owed."""
        return sum(m.weight for m in self.meetings)

    @property
    def weighted_placed(self) -> int:
        """The weight of the meetings placed: the objective maximised first."""
        return sum(self.by_key[p.meeting_key].weight for p in self.placements)

    @property
    def gap(self) -> float:
        """Proven optimality gap of the weighted meetings placed (0 when proven optimal)."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.weighted_placed) / self.bound)

    @property
    def summary(self) -> dict:
        """Headline figures: placed and owed, weighted objective, bound, gap, time."""
        reasons = self.unplaced["reason"].value_counts(sort=True)
        return {
            "method": self.method,
            "status": self.status,
            "owed": len(self.meetings),
            "placed": len(self.placements),
            "weighted_owed": self.weighted_owed,
            "weighted_placed": self.weighted_placed,
            "bound": self.bound,
            "gap": round(self.gap, 4),
            "solve_seconds": round(self.solve_seconds, 2),
            "surgery_slots": len(self.supply.surgeries()),
            "unplaced_by_reason": dict(zip(reasons["reason"], reasons["count"], strict=True)),
        }

    @cached_property
    def schedule(self) -> pl.DataFrame:
        """One row per meeting placed and per surgery slot, by date and start."""
        rows = []
        for p in self.placements:
            m = self.by_key[p.meeting_key]
            rows.append(
                {
                    "meeting_key": m.key,
                    "pupil_id": m.pupil_id,
                    "kind": m.kind,
                    "date": p.day,
                    "start": _clock(p.start),
                    "end": _clock(p.start + m.minutes),
                    "minutes": m.minutes,
                    "attendees": "; ".join(persons_for(m, p.cover)),
                    "lead_staff_id": m.lead_staff_id or self.supply.sendco_id,
                    "priority": PRIORITY_LABELS.get(m.priority, m.priority),
                    "weight": m.weight,
                    "deadline_on": m.deadline,
                    "on_time": None if m.deadline is None else p.day <= m.deadline,
                    "request_id": m.request_id,
                    "provisional": m.provisional,
                }
            )
        for b in self.supply.surgeries():
            rows.append(
                {
                    "meeting_key": f"surgery:{b.day.isoformat()}:{_clock(b.start)}",
                    "pupil_id": None,
                    "kind": "surgery",
                    "date": b.day,
                    "start": _clock(b.start),
                    "end": _clock(b.end),
                    "minutes": b.end - b.start,
                    "attendees": b.person,
                    "lead_staff_id": b.person,
                    "priority": SURGERY_LABEL,
                    "weight": None,
                    "deadline_on": None,
                    "on_time": None,
                    "request_id": None,
                    "provisional": False,
                }
            )
        return pl.DataFrame(rows, schema=SCHEDULE_SCHEMA).sort("date", "start", "meeting_key")

    @cached_property
    def unplaced(self) -> pl.DataFrame:
        """One row per meeting owed but not placed, with the reason."""
        finder = CandidateFinder(self.supply)
        bookings = Bookings(self.supply)
        for p in self.placements:
            m = self.by_key[p.meeting_key]
            bookings.add(m, _candidate_of(m, p), p.start)
        placed = self.placed_keys
        rows = []
        for m in self.meetings:
            if m.key in placed:
                continue
            reason = unplaced_reason(m, finder, bookings)
            rows.append(
                {
                    "meeting_key": m.key,
                    "pupil_id": m.pupil_id,
                    "kind": m.kind,
                    "minutes": m.minutes,
                    "earliest": m.earliest,
                    "latest": m.latest,
                    "attendees": "; ".join(
                        persons_for(m, self.supply.sendco_id if m.sendco_attends else None)
                    ),
                    "priority": PRIORITY_LABELS.get(m.priority, m.priority),
                    "weight": m.weight,
                    "deadline_on": m.deadline,
                    "reason": reason,
                    "explanation": REASONS[reason],
                }
            )
        return pl.DataFrame(rows, schema=UNPLACED_SCHEMA).sort(
            pl.col("weight"), "meeting_key", descending=[True, False]
        )

    @cached_property
    def weekly_load(self) -> pl.DataFrame:
        """The SENDCo's protected time per week: what it holds and what is left.

        Columns: week_start, sendco_days, protected_minutes (the supply), meetings (all
        placed, whoever attends), sendco_meetings, and the protected minutes they use:
        meeting_minutes, preparation_and_records_minutes, surgery_minutes, booked_minutes
        (meetings already in the diary); used_minutes and utilisation.
        """
        s = self.supply
        overhead = s.overhead_minutes
        days = pl.DataFrame({"day": list(s.days)}, schema={"day": pl.Date}).with_columns(
            sendco_day=pl.col("day").is_in(list(s.sendco_days))
        )
        parts = [
            {
                "day": p.day,
                "meetings": 1,
                "sendco_meetings": int(p.cover == s.sendco_id),
                "meeting_minutes": self.by_key[p.meeting_key].minutes * (p.cover == s.sendco_id),
                "preparation_and_records_minutes": overhead * (p.cover == s.sendco_id),
                "surgery_minutes": 0,
                "booked_minutes": 0,
            }
            for p in self.placements
        ] + [
            {
                "day": b.day,
                "meetings": 0,
                "sendco_meetings": 0,
                "meeting_minutes": 0,
                "preparation_and_records_minutes": 0,
                "surgery_minutes": b.protected_minutes if b.kind == "surgery" else 0,
                "booked_minutes": b.protected_minutes if b.kind != "surgery" else 0,
            }
            for b in s.busy
            if b.person == s.sendco_id
        ]
        columns = [
            "meetings",
            "sendco_meetings",
            "meeting_minutes",
            "preparation_and_records_minutes",
            "surgery_minutes",
            "booked_minutes",
        ]
        load = pl.DataFrame(
            parts, schema={"day": pl.Date, **dict.fromkeys(columns, pl.Int64)}
        ).filter(pl.col("day").is_in(list(s.days)))
        per_day = load.group_by("day").agg(pl.col(c).sum() for c in columns)
        weekly = (
            days.join(per_day, on="day", how="left")
            .with_columns(pl.col(c).fill_null(0) for c in columns)
            .with_columns(week_start=pl.col("day").dt.truncate("1w"))
            .group_by("week_start")
            .agg(
                pl.col("sendco_day").sum().cast(pl.Int64).alias("sendco_days"),
                *(pl.col(c).sum() for c in columns),
            )
            .with_columns(protected_minutes=pl.col("sendco_days") * s.daily_minutes)
            .with_columns(
                used_minutes=pl.sum_horizontal(
                    "meeting_minutes",
                    "preparation_and_records_minutes",
                    "surgery_minutes",
                    "booked_minutes",
                )
            )
            .with_columns(
                # A share to a tenth of a percentage point: what a reader of the CSV needs.
                utilisation=pl.when(pl.col("protected_minutes") > 0).then(
                    (pl.col("used_minutes") / pl.col("protected_minutes")).round(3)
                )
            )
            .sort("week_start")
        )
        return weekly.select(
            "week_start",
            "sendco_days",
            "protected_minutes",
            *columns,
            "used_minutes",
            "utilisation",
        )

    @cached_property
    def coverage_at_term_end(self) -> pl.DataFrame:
        """Each registered pupil's termly review at the term's end if the schedule holds.

        ``term_end`` is met_before_planning, already_booked, placed or not_placed.
        """
        if self.demand is None:
            raise ValueError("coverage at term end needs the demand the schedule was built from")
        placed = list(self.placed_keys)
        outcome = (
            pl.when(pl.col("met_this_term"))
            .then(pl.lit("met_before_planning"))
            .when(pl.col("booked_this_term"))
            .then(pl.lit("already_booked"))
            .when(pl.col("owed_key").is_in(placed))
            .then(pl.lit("placed"))
            .otherwise(pl.lit("not_placed"))
        )
        return self.demand.pupils.with_columns(term_end=outcome)

    def placed_vs_owed(self) -> pl.DataFrame:
        """Meetings owed and placed by kind, with their weights."""
        placed = self.placed_keys
        frame = pl.DataFrame(
            {
                "kind": [m.kind for m in self.meetings],
                "weight": [m.weight for m in self.meetings],
                "placed": [m.key in placed for m in self.meetings],
            },
            schema={"kind": pl.String, "weight": pl.Int64, "placed": pl.Boolean},
        )
        return (
            frame.group_by("kind")
            .agg(
                pl.len().cast(pl.Int64).alias("owed"),
                pl.col("placed").sum().cast(pl.Int64).alias("placed"),
                pl.col("weight").sum().alias("weighted_owed"),
                pl.col("weight").filter(pl.col("placed")).sum().alias("weighted_placed"),
            )
            .sort("kind")
        )


SCHEDULE_SCHEMA = {
    "meeting_key": pl.String,
    "pupil_id": pl.String,
    "kind": pl.String,
    "date": pl.Date,
    "start": pl.String,
    "end": pl.String,
    "minutes": pl.Int64,
    "attendees": pl.String,
    "lead_staff_id": pl.String,
    "priority": pl.String,
    "weight": pl.Int64,
    "deadline_on": pl.Date,
    "on_time": pl.Boolean,
    "request_id": pl.String,
    #: A meeting for a request not yet answered: to offer, not yet agreed with the family.
    "provisional": pl.Boolean,
}
UNPLACED_SCHEMA = {
    "meeting_key": pl.String,
    "pupil_id": pl.String,
    "kind": pl.String,
    "minutes": pl.Int64,
    "earliest": pl.Date,
    "latest": pl.Date,
    "attendees": pl.String,
    "priority": pl.String,
    "weight": pl.Int64,
    "deadline_on": pl.Date,
    "reason": pl.String,
    "explanation": pl.String,
}


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _candidate_of(meeting: MeetingOwed, placement: Placement) -> Candidate:
    persons = persons_for(meeting, placement.cover)
    return Candidate(placement.day, placement.cover, persons, ((placement.start, placement.start),))


def unplaced_reason(meeting: MeetingOwed, finder: CandidateFinder, bookings: Bookings) -> str:
    """Why ``meeting`` is not placed, given everything else that is (a :data:`REASONS` key).

    First what rules it out whatever else is booked (its window, SENDCo days, hours that
    never meet), then which person's remaining time is full.
    """
    days = finder.window_days(meeting)
    if not days:
        return "notice_past_term_end" if meeting.kind == "annual_review" else "no_days_in_window"
    if meeting.sendco_attends and not any(finder.covers(meeting, d) for d in days):
        return "no_sendco_day"
    candidates = finder.candidates(meeting)
    lead = meeting.lead_staff_id
    if not candidates:
        if meeting.sendco_attends and lead:
            return "lead_never_free_with_sendco"
        return "lead_never_free" if lead else "sendco_never_free"
    if any(bookings.open_start(meeting, c) is not None for c in candidates):
        return "time_limit"
    if meeting.sendco_attends and not any(
        bookings.open_start(meeting, c, (c.cover,)) is not None for c in candidates
    ):
        return "sendco_full"
    if lead and not any(bookings.open_start(meeting, c, (lead,)) is not None for c in candidates):
        return "lead_full"
    return "no_common_time_left"
