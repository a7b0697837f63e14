"""Annual reviews of EHC plans, and the EHC plans they review.

Each pupil with an EHC plan had last year's review on a school day of 2024/25 (a few
plans are new this year, with no review due yet); this year's review falls due 12 months
on, earlier for a pupil in the phase-transfer year (15 February for Year 6, 31 March for
Year 11). Most are held a few weeks before the deadline; some slip past it, held late or
still overdue. Every sample shows one review due in the next six weeks and, when it can,
one overdue. The review report goes to parents within two weeks of the meeting (SEND
Code of Practice 9.169), usually.
"""

from __future__ import annotations

import datetime as dt
import random

from sendlib.synth.calendars import add_months, due_of
from sendlib.synth.calibration import pick
from sendlib.synth.records import Activity, Meeting, Plan, meeting_mode
from sendlib.synth.roll import Pupil, register_order

#: A pupil's annual review to hold: the pupil, last year's review and this year's deadline.
_Due = tuple[Pupil, dt.date, dt.date]


def annual_reviews(act: Activity) -> None:
    """Book every EHC plan's annual review this year, and write the plans they review."""
    rng = act.spec.rng("annual-reviews")
    first_day = act.year.cal.terms[0].start + dt.timedelta(days=7)
    deadlines = _deadlines(act, rng, first_day)
    due_soon = _ensure_one_due_soon(act, rng, deadlines)
    slipped = _slipped(act, rng, deadlines, due_soon)
    for pupil, previous, deadline in deadlines:
        _review_and_plans(act, rng, (pupil, previous, deadline), first_day, due_soon, slipped)


def _deadlines(act: Activity, rng: random.Random, first_day: dt.date) -> list[_Due]:
    """Last year's review and this year's deadline for each plan (new plans get none)."""
    year, transfer_year = act.year, act.spec.settings.transfer_year
    deadlines: list[_Due] = []
    for pupil in (p for p in register_order(act.roll) if p.status == "E"):
        if rng.random() < 0.12 and year.activity_end > first_day + dt.timedelta(days=30):
            # a new plan issued this school year: no annual review due yet
            issued = year.days.next_school(
                first_day
                + dt.timedelta(days=rng.randrange((year.activity_end - first_day).days - 7))
            )
            pupil.last_review = issued
            act.plans.append(Plan(pupil, "EHCP", issued, add_months(issued, 12)))
            continue
        previous = rng.choice(year.prev.school)
        if pupil.registered_on and previous < pupil.registered_on:
            pupil.registered_on = previous - dt.timedelta(days=rng.randint(200, 500))
            while pupil.registered_on.weekday() >= 5:
                pupil.registered_on -= dt.timedelta(days=1)
        due = add_months(previous, 12)
        deadline = due
        if int(pupil.year if pupil.year.isdigit() else 0) == transfer_year:
            transfer = dt.date(2026, 2, 15) if transfer_year != 11 else dt.date(2026, 3, 31)
            deadline = min(due, transfer)
        deadlines.append((pupil, previous, deadline))
    return deadlines


def _ensure_one_due_soon(act: Activity, rng: random.Random, deadlines: list[_Due]) -> set[int]:
    """Make sure the sample shows a review due in the next six weeks, when it can.

    Returns the ids of the pupils whose review is due soon; a later review may be moved
    into the window (``deadlines`` is changed in place).
    """
    end = act.year.activity_end
    soon = end + dt.timedelta(days=42)
    due_soon: set[int] = set()
    in_window = [p for p, _, d in deadlines if end < d <= soon]
    if in_window:
        due_soon.add(id(rng.choice(in_window)))
        return due_soon
    later = [
        i
        for i, (p, _, d) in enumerate(deadlines)
        if d > soon and p.year != str(act.spec.settings.transfer_year)
    ]
    window = [
        d
        for d in act.year.prev.school
        if end + dt.timedelta(days=7) <= due_of(d) <= end + dt.timedelta(days=40)
    ]
    if later and window:
        i = rng.choice(later)
        pupil, previous = deadlines[i][0], rng.choice(window)
        deadlines[i] = (pupil, previous, due_of(previous))
        due_soon.add(id(pupil))
    return due_soon


def _slipped(
    act: Activity, rng: random.Random, deadlines: list[_Due], due_soon: set[int]
) -> dict[int, dt.date]:
    """Reviews that slip past their deadline (held late, or still overdue), by pupil id.

    Makes sure the sample shows at least one overdue review when it can.
    """
    end = act.year.activity_end
    slipped: dict[int, dt.date] = {}
    for pupil, _, deadline in deadlines:
        if rng.random() < act.spec.staffing.lapse(0.25) and id(pupil) not in due_soon:
            slipped[id(pupil)] = deadline + dt.timedelta(days=rng.randint(10, 90))
    passed = [(p, d) for p, _, d in deadlines if d < end]
    if passed and not any(slipped.get(id(p), d) > end for p, d in passed):
        pupil, deadline = rng.choice(passed)
        slipped[id(pupil)] = end + dt.timedelta(days=rng.randint(5, 40))
    return slipped


def _review_and_plans(
    act: Activity,
    rng: random.Random,
    due: _Due,
    first_day: dt.date,
    due_soon: set[int],
    slipped: dict[int, dt.date],
) -> None:
    """Book one pupil's annual review and write the EHC plan (and its successor if held)."""
    pupil, previous, deadline = due
    sendco_id, assistant_id = act.staff.sendco_id, act.staff.assistant_id
    lead = pupil.lead if pupil.lead in (sendco_id, assistant_id) else sendco_id
    early = rng.randint(0, 35)
    if pupil.year == str(act.spec.settings.transfer_year) and deadline < due_of(previous):
        early = rng.randint(7, 80)
    if id(pupil) in due_soon:  # booked for after the as-of date
        early = rng.randint(0, max(0, (deadline - act.year.activity_end).days - 1))
    target = max(deadline - dt.timedelta(days=early), first_day)
    latest = deadline
    if id(pupil) in slipped:
        if rng.random() < 0.5 and target <= act.year.activity_end - dt.timedelta(days=7):
            _annual_review(act, rng, pupil, lead, target, deadline, force="cancelled")
        target = slipped[id(pupil)]
        latest = act.year.horizon
    if target > act.year.horizon:
        pupil.last_review = previous
    else:
        held = _annual_review(act, rng, pupil, lead, target, max(latest, target))
        pupil.last_review = held or previous
    plan = Plan(pupil, "EHCP", previous, due_of(previous))
    if pupil.last_review != previous:
        plan.reviewed = pupil.last_review
        plan.outcome = pick(rng, {"progress": 5, "some_progress": 4, "no_progress": 1})
        act.plans.append(plan)
        act.plans.append(Plan(pupil, "EHCP", pupil.last_review, due_of(pupil.last_review)))
    else:
        act.plans.append(plan)


def _annual_review(
    act: Activity,
    rng: random.Random,
    pupil: Pupil,
    lead: str,
    target: dt.date,
    latest: dt.date,
    force: str = "",
) -> dt.date | None:
    """Book an annual review; the date it was held, if it was held by as_of."""
    latest = min(max(latest, target + dt.timedelta(days=14)), act.year.horizon)
    starts = act.diary.place(rng, target, 60, lead, True, latest)
    if starts is None:
        return None
    if force and starts.date() <= act.year.activity_end:
        status = force
    else:
        status = act.status_for(rng, starts.date(), held=0.94)
    if status == "did_not_attend":
        status = "cancelled"  # annual reviews are rearranged, not missed
    meeting = Meeting(
        pupil, "annual_review", starts, 60, lead, True, meeting_mode(rng, 0.2, 0.0), status
    )
    if status == "held":
        # the review report goes to parents within two weeks (Code of Practice 9.169)
        if rng.random() < 0.92:
            lag = rng.randint(2, 9) if rng.random() < 0.8 else rng.randint(11, 20)
            day = act.year.days.add(starts.date(), lag)
            if day is not None and day <= act.year.activity_end:
                meeting.record = day
    act.meetings.append(meeting)
    if status == "cancelled" and not force and rng.random() < 0.8:
        return _annual_review(
            act,
            rng,
            pupil,
            lead,
            starts.date() + dt.timedelta(days=rng.randint(14, 35)),
            latest + dt.timedelta(days=40),
        )
    return starts.date() if status == "held" else None
