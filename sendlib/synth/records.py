"""The records a sample school keeps, and what the record makers share while making them.

Requests, meetings and plans are built up here as they happen through the year, then
written by :mod:`sendlib.synth.tables`. Whether a meeting is held, cancelled or missed,
and whether its written record goes out and on time, depends on the school's diligence
(:class:`sendlib.synth.calibration.Staffing`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sendlib.synth.calendars import SchoolYear
from sendlib.synth.calibration import SchoolSpec
from sendlib.synth.diary import Diary
from sendlib.synth.roll import Pupil, Staff


@dataclass
class Request:
    """A request from a parent or carer (``rid`` is set when written)."""

    pupil: Pupil
    received: dt.date
    channel: str
    kind: str
    acknowledged: dt.date | None = None
    response: str = ""
    rid: str = ""


@dataclass
class Meeting:
    """A meeting booked in the diary, with its outcome and written record."""

    pupil: Pupil | None
    kind: str
    starts: dt.datetime
    minutes: int
    lead: str
    sendco: bool
    mode: str
    status: str
    record: dt.date | None = None
    request: Request | None = None


@dataclass
class Plan:
    """A plan: an SEN support plan for one term's APDR cycle, or an EHC plan's year."""

    pupil: Pupil
    plan_type: str
    starts: dt.date
    due: dt.date
    reviewed: dt.date | None = None
    outcome: str = ""


@dataclass
class Assessment:
    """A request for an EHC needs assessment and what the local authority did with it."""

    pupil: Pupil
    requested: dt.date
    requested_by: str
    decision_on: dt.date | None = None
    decision: str = ""
    advice_requested: dt.date | None = None
    advice_sent: dt.date | None = None
    final_on: dt.date | None = None
    outcome: str = ""


@dataclass
class RegisterChange:
    """A pupil's move between the lists (``""`` from no list, ``left`` off them)."""

    pupil: Pupil
    changed_on: dt.date
    from_status: str
    to_status: str
    reason: str


@dataclass
class Activity:
    """A school's year as it is generated: who it is, its diary, and the records so far."""

    spec: SchoolSpec
    year: SchoolYear
    roll: list[Pupil]
    staff: Staff
    diary: Diary
    requests: list[Request] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    register_changes: list[RegisterChange] = field(default_factory=list)
    #: Numbers of the pupils on SEN support who make no progress cycle after cycle.
    struggling: set[int] = field(default_factory=set)

    @classmethod
    def start(cls, spec: SchoolSpec, roll: list[Pupil], staff: Staff) -> Activity:
        """An empty diary and no records, for the school's 2025/26 year as of ``spec.as_of``."""
        year = SchoolYear.of(spec.settings.working_days, spec.as_of)
        diary = Diary(year, spec.settings, staff.sendco_id, staff.assistant_id)
        return cls(spec, year, roll, staff, diary)

    def status_for(self, rng: random.Random, day: dt.date, held: float = 0.88) -> str:
        """A meeting's status: scheduled after the as-of date, else mostly ``held``."""
        if day > self.year.activity_end:
            return "scheduled"
        r = rng.random()
        if r < held:
            return "held"
        return "cancelled" if r < held + (1 - held) / 2 else "did_not_attend"

    def add_record(self, rng: random.Random, meeting: Meeting, sent: float, late: float) -> None:
        """Date a held meeting's written record, if one was sent by the as-of date."""
        staffing = self.spec.staffing
        if meeting.status != "held" or rng.random() >= staffing.kept(sent):
            return
        if rng.random() < staffing.lapse(late):
            lag = rng.randint(6, 20)
        else:
            lag = rng.choices(range(6), weights=(14, 30, 22, 14, 10, 10))[0]
        day = self.year.days.add(meeting.starts.date(), lag)
        if day is not None and day <= self.year.activity_end:
            meeting.record = day


def meeting_mode(rng: random.Random, remote: float = 0.22, phone: float = 0.08) -> str:
    """In person, remote or by phone, with the given chances of the last two."""
    r = rng.random()
    return "remote" if r < remote else "phone" if r < remote + phone else "in_person"
