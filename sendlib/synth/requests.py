"""Requests from parents and carers: when they arrive, how they are answered, what follows.

Requests arrive unevenly (busier in the autumn and in the days after reports go home,
a few by email at weekends and in the holidays). Most are acknowledged within 5 school
days, with a tail of late ones and a few left open; safeguarding and urgent day-to-day
requests are routed away. A request for a meeting is often followed by a concern meeting
or a surgery slot.
"""

from __future__ import annotations

import datetime as dt
import random

from sendlib.synth.calibration import pick, spread
from sendlib.synth.diary import SURGERY_MINUTES
from sendlib.synth.records import Activity, Meeting, Request, meeting_mode


def make_requests(act: Activity) -> None:
    """The year's requests up to the as-of date, and the meetings that follow them."""
    rng = act.spec.rng("requests")
    registered = [p for p in act.roll if p.status in ("K", "E")]
    pool = [p for p in act.roll if p.status in ("K", "E", "M")]
    if not pool:
        return
    weights = [{"E": 1.3, "K": 1.0, "M": 0.8}[p.status] * p.propensity for p in pool]
    total_days = len(act.year.days.school)
    elapsed = len(act.year.days.school_between(act.year.days.school[0], act.year.activity_end))
    rate = rng.uniform(1.25, 1.6)  # requests per registered pupil per whole school year
    n = round(max(len(registered), 1) * rate * elapsed / total_days)

    candidates, day_weights = [], []
    day = act.year.cal.terms[0].start - dt.timedelta(days=16)  # from mid-August
    while day <= act.year.activity_end:
        candidates.append(day)
        day_weights.append(_request_weight(act, day))
        day += dt.timedelta(days=1)
    chosen = sorted(rng.choices(candidates, weights=day_weights, k=n))

    kinds = spread(
        rng, {"meeting": 62, "information": 31, "safeguarding": 3, "urgent_day_to_day": 4}, n
    )
    for received, kind in zip(chosen, kinds, strict=True):
        pupil = rng.choices(pool, weights=weights)[0]
        school_day = act.year.cal.is_school_day(received)
        channel = (
            pick(rng, {"office": 40, "class_teacher": 30, "email": 20, "phone": 7, "other": 3})
            if school_day
            else pick(rng, {"email": 9, "other": 1})
        )
        request = Request(pupil, received, channel, kind)
        act.requests.append(request)
        _acknowledge(act, rng, request)

    _ensure_request_variety(act, rng)
    for request in act.requests:
        _meeting_from_request(act, rng, request)


def _request_weight(act: Activity, day: dt.date) -> float:
    """How likely a request is to arrive on ``day``, relative to an ordinary school day."""
    season = {8: 0.3, 9: 1.5, 10: 1.3, 11: 1.2, 12: 0.7, 1: 1.0, 2: 1.1, 3: 1.0, 4: 0.9}
    weight = season.get(day.month, 0.8)
    if any(0 <= (day - r).days <= 9 for r in act.spec.settings.report_dates):
        weight *= 2.2  # reports have gone home
    if not act.year.cal.is_school_day(day):
        return weight * 0.12  # emails at weekends and in the holidays
    return weight * (1.3 if day.weekday() == 0 else 0.8 if day.weekday() == 4 else 1.0)


def _acknowledge(act: Activity, rng: random.Random, request: Request) -> None:
    """Acknowledge a request (or leave it open) and record the response."""
    routed = request.kind in ("safeguarding", "urgent_day_to_day")
    if routed:
        taken = rng.choice((0, 0, 0, 1))
    elif rng.random() < act.spec.staffing.lapse(0.14):
        taken = rng.choices(range(6, 21), weights=[6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1])[0]
    else:
        taken = rng.choices(range(6), weights=(8, 24, 22, 16, 10, 8))[0]
    acknowledged = act.year.days.add(request.received, taken)
    if not routed and acknowledged is not None and rng.random() < 0.5:
        acknowledged = act.year.days.next_sendco(acknowledged)  # waits for a SENDCo day
    recent = (act.year.activity_end - request.received).days <= 45
    if routed and (acknowledged is None or acknowledged > act.year.activity_end):
        acknowledged = act.year.activity_end  # passed on at once, even out of term
    if acknowledged is None or acknowledged > act.year.activity_end:
        return  # still open as of the date
    if not routed and recent and rng.random() < act.spec.staffing.lapse(0.05):
        return  # fell through the cracks: open and overdue
    request.acknowledged = acknowledged
    if request.kind == "safeguarding":
        request.response = "routed_safeguarding"
    elif request.kind == "urgent_day_to_day":
        request.response = "routed_class_teacher"
    elif request.kind == "meeting":
        request.response = pick(
            rng,
            {
                "meeting_offered": 60,
                "timescale_proposed": 15,
                "more_information_needed": 10,
                "answered_without_meeting": 15,
            },
        )
    else:
        request.response = pick(
            rng,
            {
                "answered_without_meeting": 65,
                "more_information_needed": 20,
                "meeting_offered": 10,
                "timescale_proposed": 5,
            },
        )


def _ensure_request_variety(act: Activity, rng: random.Random) -> None:
    """Every sample shows a late acknowledgement, an open request and a routed one."""
    own = [r for r in act.requests if r.kind in ("meeting", "information")]
    if not own:
        return
    if not any(r.acknowledged is None for r in own):
        latest = max(own, key=lambda r: r.received)
        latest.acknowledged, latest.response = None, ""
    late = [
        r
        for r in own
        if r.acknowledged and act.year.cal.school_days_taken(r.received, r.acknowledged) > 5
    ]
    if not late:
        for request in own:
            day = act.year.days.add(request.received, 8)
            if request.acknowledged and day is not None and day <= act.year.activity_end:
                request.acknowledged = day
                break
    if not any(r.kind in ("safeguarding", "urgent_day_to_day") for r in act.requests):
        done = [r for r in own if r.acknowledged and act.year.cal.is_school_day(r.received)]
        if done:
            routed = rng.choice(done)
            routed.kind, routed.response = "urgent_day_to_day", "routed_class_teacher"
            routed.acknowledged = act.year.days.next_school(routed.received)


def _meeting_from_request(act: Activity, rng: random.Random, request: Request) -> None:
    """The meeting an answered request leads to, if any: a surgery slot or a concern meeting."""
    if request.acknowledged is None:
        return
    if request.response == "meeting_offered":
        gap, chance = rng.randint(3, 15), 0.88
    elif request.response == "timescale_proposed":
        gap, chance = rng.randint(12, 30), 0.6
    else:
        return
    if rng.random() >= chance:
        return
    start_day = act.year.days.add(request.acknowledged, gap)
    if start_day is None or start_day > act.year.horizon:
        return
    pupil = request.pupil
    if rng.random() < 0.2:
        starts = act.diary.take_slot(start_day, start_day + dt.timedelta(days=21))
        if starts is not None:
            status = act.status_for(rng, starts.date(), held=0.86)
            meeting = Meeting(
                pupil,
                "surgery",
                starts,
                SURGERY_MINUTES,
                act.staff.sendco_id,
                True,
                meeting_mode(rng, 0.3, 0.1),
                status,
                request=request,
            )
            act.add_record(rng, meeting, sent=0.65, late=0.1)
            act.meetings.append(meeting)
            return
    _concern_meeting(act, rng, request, start_day)


def _concern_meeting(
    act: Activity, rng: random.Random, request: Request, start_day: dt.date
) -> None:
    """A concern meeting about a request from ``start_day``, rebooked once if it falls through."""
    pupil = request.pupil
    lead = act.staff.sendco_id
    if act.staff.assistant_id and pupil.lead == act.staff.assistant_id and rng.random() < 0.7:
        lead = act.staff.assistant_id
    minutes = pick(rng, {"30": 85, "45": 10, "20": 5})
    starts = act.diary.place(
        rng, start_day, int(minutes), lead, lead == act.staff.sendco_id, act.year.horizon
    )
    if starts is None:
        return
    status = act.status_for(rng, starts.date(), held=0.86)
    meeting = Meeting(
        pupil,
        "concern",
        starts,
        int(minutes),
        lead,
        lead == act.staff.sendco_id,
        meeting_mode(rng),
        status,
        request=request,
    )
    act.add_record(rng, meeting, sent=0.8, late=0.15)
    act.meetings.append(meeting)
    if status in ("cancelled", "did_not_attend") and rng.random() < 0.6:
        again = act.diary.place(
            rng,
            starts.date() + dt.timedelta(days=rng.randint(5, 20)),
            meeting.minutes,
            lead,
            meeting.sendco,
            act.year.horizon,
        )
        if again is not None:
            retry = Meeting(
                pupil, "concern", again, meeting.minutes, lead, meeting.sendco, meeting.mode,
                act.status_for(rng, again.date(), held=0.92), request=request,
            )  # fmt: skip
            act.add_record(rng, retry, sent=0.8, late=0.15)
            act.meetings.append(retry)
