"""The previous school year, 2024/25: a whole year of records for the pupils on roll now.

The same record makers that write 2025/26 write 2024/25, each from its own random stream
(``SchoolSpec.previous_year``), for the school as it was then: every pupil a year group
lower (this year's Reception, or Year 7 in a secondary, had not joined), taught by last
year's class teacher, and with the status the register changes and plans give them on the
last day of 2024/25 (an EHC plan issued this year was SEN support; a pupil placed on SEN
support this year was monitored, if a concern was recorded then, or not on the lists; a
pupil who stepped down to monitoring was on SEN support until that day). Pupils who left
in July 2025 are not in ``pupils.csv`` and so are not in these records.

Last year's annual review of each EHC plan is held on the day ``pupils.csv`` and this
year's plans already date it, and reviews the plan made a year before. Loose ends are
tied at the year's end: a request still open is answered, and a plan whose review meeting
did not happen is reviewed when the pupil's next plan is written, that term or in the
autumn (or when the pupil stepped down); a pupil with no later plan keeps it, overdue.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import replace

from sendlib.synth.calendars import TERMS_2024_25, SchoolYear, add_months, due_of
from sendlib.synth.calibration import pick
from sendlib.synth.diary import Diary
from sendlib.synth.meetings import external_meetings, fill_surgeries
from sendlib.synth.records import Activity, Meeting, Plan, meeting_mode
from sendlib.synth.requests import make_requests
from sendlib.synth.reviews import support_plans, termly_reviews
from sendlib.synth.roll import Pupil, register_order

#: The first and last day of the 2024/25 terms.
FIRST, LAST = TERMS_2024_25[0].start, TERMS_2024_25[-1].end
#: A registration date for pupils on SEN support since before 2024/25 (not written).
_LONG_AGO = dt.date(2023, 9, 4)
_OUTCOMES = {"progress": 42, "some_progress": 30, "no_progress": 14, "met": 14}


def previous_year(act: Activity) -> None:
    """Write 2024/25's requests, meetings and plans into ``act``, for the pupils on roll now."""
    spec = act.spec.previous_year(LAST)
    year = SchoolYear.previous(spec.settings.working_days)
    originals: dict[int, Pupil] = {}
    roll = _last_years_roll(act, originals)
    staff = act.staff
    last = Activity(
        spec, year, roll, staff, Diary(year, spec.settings, staff.sendco_id, staff.assistant_id)
    )
    last.diary.reserve_surgeries()
    _annual_reviews(last, _reviews_held(act, year, originals))
    make_requests(last)
    termly_reviews(last)
    support_plans(last, act.struggling)
    external_meetings(last)
    fill_surgeries(last)
    rng = spec.rng("year-end")
    _answer_open_requests(last)
    _close_plans(act, last, rng, originals)
    for record in (*last.requests, *last.meetings, *last.plans):
        record.pupil = originals[id(record.pupil)]
    act.requests.extend(last.requests)
    act.meetings.extend(last.meetings)
    act.plans.extend(last.plans)


def earlier_concerns(act: Activity) -> None:
    """Date some concerns to last autumn: monitored pupils of long standing.

    About one in five monitored pupils whose concern is dated this year, and who were at
    the school last year, had it first recorded in the autumn term of 2024/25 instead;
    with the ones :func:`~sendlib.synth.roll.register` dates to 2024/25 already, about a
    fifth of the monitored pupils have been monitored for more than two whole terms.
    """
    rng = act.spec.rng("earlier-concerns")
    first_year = act.spec.settings.year_groups[0]
    autumn = act.year.prev.school_between(FIRST, TERMS_2024_25[0].end)
    for pupil in register_order(act.roll):
        if pupil.status != "M" or pupil.registered_on is None or pupil.registered_on <= LAST:
            continue
        if rng.random() < 0.2 and pupil.year != first_year:
            pupil.registered_on = rng.choice(autumn)


def _last_years_roll(act: Activity, originals: dict[int, Pupil]) -> list[Pupil]:
    """The pupils on roll now as they were in 2024/25 (``originals`` maps each back)."""
    years = act.spec.settings.year_groups
    staff_ids = {s for s, _ in act.staff.members}
    issued = {id(a.pupil) for a in act.assessments if a.final_on is not None}
    changes: dict[int, list] = {}
    for change in sorted(act.register_changes, key=lambda c: c.changed_on):
        changes.setdefault(id(change.pupil), []).append(change)
    roll = []
    for pupil in register_order(act.roll):
        index = years.index(pupil.year)
        then = _status_then(pupil, id(pupil) in issued, changes.get(id(pupil), []))
        if index == 0 or then is None:
            continue  # not yet at the school, or not on any list
        status, registered, until = then
        year = years[index - 1]
        group = f"T{year}{pupil.group[-1:]}"
        group = group if group in staff_ids else f"T{year}A"
        lead = pupil.lead
        if lead == pupil.group:
            lead = group
        elif lead.startswith("HOY"):
            lead = f"HOY{year}"
        copy = replace(
            pupil,
            year=year,
            status=status,
            group=group,
            lead=lead,
            registered_on=registered,
            until=until,
            last_review=None,
            never_met=False,
        )
        originals[id(copy)] = pupil
        roll.append(copy)
    return roll


def _status_then(
    pupil: Pupil, issued_this_year: bool, changes: Sequence
) -> tuple[str, dt.date | None, dt.date | None] | None:
    """Status, registration day and last day on SEN support in 2024/25 (``None``: no list)."""
    if pupil.status == "E":
        return ("K" if issued_this_year else "E"), pupil.registered_on, None
    if pupil.status == "K":
        if pupil.registered_on is not None and pupil.registered_on <= LAST:
            return "K", pupil.registered_on, None
        concern = [c.changed_on for c in changes if c.to_status == "M" and c.changed_on <= LAST]
        return ("M", concern[0], None) if concern else None
    stepped_down = [c.changed_on for c in changes if (c.from_status, c.to_status) == ("K", "M")]
    if stepped_down:
        return "K", _LONG_AGO, stepped_down[0] - dt.timedelta(days=1)
    if pupil.status == "M" and pupil.registered_on is not None and pupil.registered_on <= LAST:
        return "M", pupil.registered_on, None
    return None


def _reviews_held(
    act: Activity, year: SchoolYear, originals: dict[int, Pupil]
) -> dict[int, dt.date]:
    """Last year's annual review day of each EHC plan, by the 2024/25 pupil's id.

    The day this year's records give it moves back to the SENDCo's working day before,
    when it fell on another day (this year's plan and ``last_annual_review_on`` with it):
    the SENDCo chairs annual reviews.
    """
    sendco_days = year.days.sendco
    held: dict[int, dt.date] = {}
    for plan in act.plans:
        if plan.plan_type == "EHCP" and FIRST <= plan.starts <= LAST:
            held[id(plan.pupil)] = min(plan.starts, held.get(id(plan.pupil), plan.starts))
    moved: dict[int, dt.date] = {}
    for pupil in originals.values():
        day = held.get(id(pupil))
        if day is None or year.cal.is_sendco_day(day):
            continue
        i = bisect.bisect_left(sendco_days, day)
        moved[id(pupil)] = sendco_days[i - 1] if i else sendco_days[0]
        if pupil.last_review == day:
            pupil.last_review = moved[id(pupil)]
    for plan in act.plans:
        if (
            plan.plan_type == "EHCP"
            and moved.get(id(plan.pupil))
            and plan.starts == held[id(plan.pupil)]
        ):
            plan.starts = moved[id(plan.pupil)]
            plan.due = due_of(plan.starts)
    held.update(moved)
    return {key: held[id(p)] for key, p in originals.items() if id(p) in held}


def _annual_reviews(last: Activity, held: dict[int, dt.date]) -> None:
    """Each EHC plan's annual review on its day, and the plan made a year before it."""
    rng = last.spec.rng("annual-reviews")
    diary, sendco_id = last.diary, last.staff.sendco_id
    for pupil in register_order(last.roll):
        day = held.get(id(pupil))
        if pupil.status != "E" or day is None:
            continue
        lead = pupil.lead if pupil.lead in (sendco_id, last.staff.assistant_id) else sendco_id
        people = [lead] + ([sendco_id] if lead != sendco_id else [])
        times = list(range(diary.day_start, diary.day_end - 60 + 1, 15))
        rng.shuffle(times)
        start = next((t for t in times if diary.free(people, day, t, 60)), times[0])
        diary.book(people, day, start, 60)
        starts = dt.datetime.combine(day, dt.time(start // 60, start % 60))
        meeting = Meeting(
            pupil, "annual_review", starts, 60, lead, True, meeting_mode(rng, 0.2, 0.0), "held"
        )
        if rng.random() < 0.92:  # the review report, within two weeks (Code of Practice 9.169)
            lag = rng.randint(2, 9) if rng.random() < 0.8 else rng.randint(11, 20)
            meeting.record = last.year.days.add(day, lag)
        last.meetings.append(meeting)
        made = add_months(day + dt.timedelta(days=rng.randint(0, 35)), -12)
        outcome = pick(rng, {"progress": 5, "some_progress": 4, "no_progress": 1})
        if pupil.registered_on is None or made >= pupil.registered_on:
            last.plans.append(Plan(pupil, "EHCP", made, due_of(made), day, outcome))


def _answer_open_requests(last: Activity) -> None:
    """Answer the requests still open at the end of 2024/25, late, before the holiday."""
    days = last.year.days
    for request in last.requests:
        if request.acknowledged is None:
            answered = days.add(request.received, 8) or days.school[-1]
            request.acknowledged = max(answered, request.received)
            request.response = request.response or "answered_without_meeting"


def _close_plans(
    act: Activity, last: Activity, rng: random.Random, originals: dict[int, Pupil]
) -> None:
    """Review each plan left open when the pupil's next plan (this year or next) was written."""
    starts: dict[int, list[dt.date]] = {}
    for plan in act.plans:
        starts.setdefault(id(plan.pupil), []).append(plan.starts)
    for plan in last.plans:
        starts.setdefault(id(originals[id(plan.pupil)]), []).append(plan.starts)
    kept = []
    for plan in last.plans:
        pupil = plan.pupil
        until = pupil.until
        if until is not None and plan.starts > until:
            continue  # stepped down to monitoring before this cycle
        if until is not None and (plan.reviewed is None or plan.reviewed > until):
            plan.reviewed, plan.outcome = until, "met"
        elif plan.reviewed is None and (
            later := [d for d in starts[id(originals[id(pupil)])] if d > plan.starts]
        ):
            plan.reviewed = min(later)
            stuck = pupil.number in act.struggling
            plan.outcome = "no_progress" if stuck else pick(rng, _OUTCOMES)
        kept.append(plan)
    last.plans = kept
