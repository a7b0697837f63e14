"""The SENDCo's other meetings: parent surgeries, external agencies and phase transfer.

Surgery slots left after requests have taken theirs are filled by drop-in parents (most
of them before the as-of date, fewer booked after it; some slots stay unbooked). Some
registered pupils have a meeting with an external agency, and pupils in the
phase-transfer year (Year 6, Year 11) a transition meeting in the spring term.
"""

from __future__ import annotations

import datetime as dt
import random

from sendlib.synth.calibration import pick
from sendlib.synth.diary import SURGERY_MINUTES
from sendlib.synth.records import Activity, Meeting, meeting_mode
from sendlib.synth.roll import Pupil, register_order


def external_meetings(act: Activity) -> None:
    """Meetings with external agencies, then phase-transfer planning meetings."""
    rng = act.spec.rng("agency")
    registered = [p for p in register_order(act.roll) if p.status in ("K", "E")]
    _agency_meetings(act, rng, registered)
    _transfer_meetings(act, rng, registered)


def _agency_meetings(act: Activity, rng: random.Random, registered: list[Pupil]) -> None:
    """An external agency meeting for some registered pupils (more of those with a plan)."""
    sendco_id, horizon = act.staff.sendco_id, act.year.horizon
    start = act.year.cal.terms[0].start + dt.timedelta(days=14)
    for pupil in registered:
        if rng.random() >= (0.2 if pupil.status == "E" else 0.1):
            continue
        earliest = max(start, pupil.registered_on or start)
        span = (horizon - earliest).days
        if span <= 0:
            continue
        day = earliest + dt.timedelta(days=rng.randrange(span))
        minutes = int(pick(rng, {"60": 55, "45": 45}))
        starts = act.diary.place(rng, day, minutes, sendco_id, True, horizon)
        if starts is None:
            continue
        status = act.status_for(rng, starts.date(), held=0.9)
        if status == "did_not_attend":
            status = "cancelled"
        meeting = Meeting(
            pupil,
            "external_agency",
            starts,
            minutes,
            sendco_id,
            True,
            meeting_mode(rng, 0.4, 0.05),
            status,
        )
        act.add_record(rng, meeting, sent=0.85, late=0.2)
        act.meetings.append(meeting)


def _transfer_meetings(act: Activity, rng: random.Random, registered: list[Pupil]) -> None:
    """Phase-transfer planning: the next school's SENCO, the pupil and parents."""
    sendco_id = act.staff.sendco_id
    transfer = [p for p in registered if p.year == str(act.spec.settings.transfer_year)]
    spring = act.year.cal.terms[1]
    for pupil in transfer:
        if rng.random() >= (0.8 if pupil.status == "E" else 0.3):
            continue
        day = spring.start + dt.timedelta(days=rng.randrange((spring.end - spring.start).days))
        minutes = int(pick(rng, {"30": 1, "45": 1}))
        starts = act.diary.place(rng, day, minutes, sendco_id, True, act.year.horizon)
        if starts is None:
            continue
        status = act.status_for(rng, starts.date(), held=0.9)
        meeting = Meeting(
            pupil, "other", starts, minutes, sendco_id, True, meeting_mode(rng), status
        )
        act.add_record(rng, meeting, sent=0.8, late=0.1)
        act.meetings.append(meeting)


def fill_surgeries(act: Activity) -> None:
    """Drop-in parents in the surgery slots that requests did not take."""
    rng = act.spec.rng("surgeries")
    diary = act.diary
    pool = [p for p in act.roll if p.status in ("K", "E", "M")]
    weights = [{"M": 3.0, "K": 2.0, "E": 1.0}[p.status] * p.propensity for p in pool]
    for i, start in enumerate(diary.slots):
        if diary.slot_taken[i]:
            continue
        future = start.date() > act.year.activity_end
        if rng.random() >= (0.45 if future else 0.8):
            continue  # an unbooked slot: protected time, no meeting row
        pupil = rng.choices(pool, weights=weights)[0]
        status = act.status_for(rng, start.date(), held=0.85)
        meeting = Meeting(
            pupil,
            "surgery",
            start,
            SURGERY_MINUTES,
            act.staff.sendco_id,
            True,
            meeting_mode(rng, 0.3, 0.1),
            status,
        )
        act.add_record(rng, meeting, sent=0.6, late=0.1)
        act.meetings.append(meeting)
        diary.slot_taken[i] = True
