"""Termly reviews with parents, and the SEN support plans (APDR cycles) they review.

Every registered pupil is due a review meeting each term, usually led by the class
teacher or head of year, with the SENDCo at about 40-50% of them; they cluster in the
weeks of parents' evenings. One year group (Year 4 in a primary, Year 8 in a secondary)
is noticeably behind, and a few pupils have not been met at all this year. A pupil on SEN
support has one plan a term, reviewed at the term's review, and most reviews are followed
by the next cycle's plan; a few pupils have no plan written, and some make no progress
cycle after cycle.
"""

from __future__ import annotations

import datetime as dt
import random

from sendlib.school.calendar import Term
from sendlib.synth.calibration import pick
from sendlib.synth.records import Activity, Meeting, Plan, meeting_mode
from sendlib.synth.roll import Pupil, register_order

#: The first and last day a pupil's review can fall on in a term.
_Window = tuple[dt.date, dt.date]


def termly_reviews(act: Activity) -> None:
    """Book each term's review meetings up to the as-of date (and some just after it)."""
    rng = act.spec.rng("reviews")
    registered = [p for p in register_order(act.roll) if p.status in ("K", "E")]
    first_term = act.year.cal.terms[0]
    for pupil in registered:
        early = pupil.registered_on is not None and pupil.registered_on <= first_term.start
        chance = 0.08 if pupil.year == act.spec.settings.behind_year else 0.02
        pupil.never_met = early and rng.random() < act.spec.staffing.lapse(chance)
    ar_terms = {
        (id(m.pupil), act.year.cal.term_of(m.starts.date()))
        for m in act.meetings
        if m.kind == "annual_review" and m.status in ("held", "scheduled")
    }
    for term in act.year.cal.terms:
        if term.start > act.year.activity_end:
            break
        _reviews_of_term(act, rng, registered, term, ar_terms)


def _reviews_of_term(
    act: Activity,
    rng: random.Random,
    registered: list[Pupil],
    term: Term,
    ar_terms: set[tuple[int, Term | None]],
) -> None:
    """One term's reviews: who is due one, each year group's share held, and the booking."""
    current = term.start <= act.year.activity_end <= term.end
    windows = {}
    for pupil in registered:
        window = _review_window(act, pupil, term)
        if window is None:
            continue
        if (id(pupil), term) in ar_terms and rng.random() < 0.75:
            continue  # the annual review was this term's meeting
        windows[id(pupil)] = window
    # Quotas per year group, so that even a small year group shows its pattern;
    # pupils never met this year fill their year group's gap first.
    planned: set[int] = set()
    for year in act.spec.settings.year_groups:
        eligible = [p for p in registered if p.year == year and id(p) in windows]
        behind = year == act.spec.settings.behind_year
        chance = (0.62 if behind else 0.93) if current else (0.6 if behind else 0.92)
        chance = act.spec.staffing.kept(chance)
        pool = [p for p in eligible if not p.never_met]
        count = min(round(chance * len(eligible)), len(pool))
        planned.update(id(p) for p in rng.sample(pool, count))
    for pupil in registered:
        if id(pupil) in planned:
            _review_in_term(act, rng, pupil, term, windows[id(pupil)])
        elif pupil.never_met and current and id(pupil) in windows and rng.random() < 0.5:
            # booked at last, after the as-of date
            start, end = windows[id(pupil)]
            start = max(start, act.year.activity_end + dt.timedelta(days=1))
            if start <= end:
                _review_in_term(act, rng, pupil, term, (start, end))


def _review_window(act: Activity, pupil: Pupil, term: Term) -> _Window | None:
    """The days a pupil's review could fall on this term, if the pupil is due one."""
    registered = pupil.registered_on
    if registered is None or registered > min(
        term.end - dt.timedelta(days=14), act.year.activity_end
    ):
        return None
    window_start = act.year.days.add(max(term.start, registered), 7)
    window_end = act.year.days.add(term.end - dt.timedelta(days=6), 0)
    if window_end is not None and pupil.until is not None:
        window_end = min(window_end, pupil.until)  # no longer on SEN support after
    if window_start is None or window_end is None or window_start > window_end:
        return None
    return window_start, window_end


def _review_in_term(
    act: Activity, rng: random.Random, pupil: Pupil, term: Term, window: _Window
) -> None:
    """Book one pupil's review in ``window``, rebooked once if it falls through."""
    settings, staff = act.spec.settings, act.staff
    window_start, window_end = window
    behind = pupil.year == settings.behind_year
    days = act.year.days.school_between(window_start, window_end)
    peaks = [d for d in days if any(0 <= (d - p).days < 5 for p in settings.review_peaks)]
    day = rng.choice(peaks if peaks and rng.random() < 0.55 else days)

    lead = pupil.lead if rng.random() < 0.9 else staff.sendco_id
    if lead == staff.sendco_id:
        sendco = True
    elif lead == staff.assistant_id:
        sendco = rng.random() < 0.1
    else:
        sendco = rng.random() < (0.75 if pupil.status == "E" else 0.3)
    minutes = int(pick(rng, {"30": 80, "20": 8, "45": 7, "40": 5}))
    mode = meeting_mode(rng)
    # teachers meet parents after school; with the SENDCo, sometimes in the day
    after_school = lead not in (staff.sendco_id, staff.assistant_id) and (
        not sendco or rng.random() < 0.5
    )
    latest = min(window_end + dt.timedelta(days=3), term.end)
    starts = act.diary.place(rng, day, minutes, lead, sendco, latest, after_school)
    if starts is None:
        return
    status = act.status_for(rng, starts.date(), held=0.88)
    meeting = Meeting(pupil, "review", starts, minutes, lead, sendco, mode, status)
    act.add_record(rng, meeting, sent=0.62 if behind else 0.86, late=0.3 if behind else 0.12)
    act.meetings.append(meeting)
    if status in ("cancelled", "did_not_attend") and rng.random() < 0.7:
        again = act.diary.place(
            rng,
            starts.date() + dt.timedelta(days=rng.randint(5, 18)),
            minutes,
            lead,
            sendco,
            term.end,
            after_school,
        )
        if again is not None:
            retry = Meeting(
                pupil, "review", again, minutes, lead, sendco, mode,
                act.status_for(rng, again.date(), held=0.93),
            )  # fmt: skip
            act.add_record(rng, retry, sent=0.86, late=0.12)
            act.meetings.append(retry)


def support_plans(act: Activity, struggling: set[int] | None = None) -> None:
    """APDR cycles: one plan a term for most pupils on SEN support, reviewed at the review.

    ``struggling`` names the pupils who make no progress (another year's, so that the
    same pupils struggle in both); by default they are drawn, and kept in the activity.
    """
    rng = act.spec.rng("plans")
    held_reviews: dict[int, list[dt.date]] = {}
    for m in act.meetings:
        if m.kind == "review" and m.status == "held" and m.pupil is not None:
            held_reviews.setdefault(id(m.pupil), []).append(m.starts.date())
    outcomes = {"progress": 42, "some_progress": 30, "no_progress": 14, "met": 14}
    # Some pupils make no progress cycle after cycle: the runs that call for the next step.
    stuck = {"no_progress": 90, "some_progress": 10}
    for pupil in register_order(act.roll):
        if pupil.status != "K" or pupil.registered_on is None:
            continue
        stuck_here = rng.random() < 0.2
        if struggling is not None:
            stuck_here = pupil.number in struggling
        if stuck_here:
            act.struggling.add(pupil.number)
        if rng.random() < 0.06:
            continue  # a pupil on SEN support whose plan was never written
        reviews = sorted(held_reviews.get(id(pupil), []))
        _cycles(act, rng, pupil, reviews, stuck if stuck_here else outcomes)


def _cycles(
    act: Activity,
    rng: random.Random,
    pupil: Pupil,
    reviews: list[dt.date],
    outcomes: dict[str, float],
) -> None:
    """One pupil's plans: one a term, each reviewed at the term's review and followed by the next."""
    previous: dt.date | None = None
    terms = act.year.cal.terms
    for term in act.year.current_terms:
        if pupil.registered_on > min(term.end, act.year.activity_end):
            return
        if pupil.until is not None and term.start > pupil.until:
            return  # stepped down to monitoring
        starts = previous or act.year.days.add(
            max(term.start, pupil.registered_on), rng.randint(3, 9)
        )
        if starts is None or starts > act.year.activity_end:
            return
        in_term = [d for d in reviews if term.start <= d <= term.end]
        reviewed = in_term[0] if in_term else None
        if reviewed is not None and reviewed < starts:
            starts = reviewed
        plan = Plan(pupil, act.spec.settings.plan_type, starts, _review_due(act, term, starts))
        plan.reviewed = reviewed
        if reviewed is not None:
            plan.outcome = pick(rng, outcomes)
        act.plans.append(plan)
        if reviewed is not None and rng.random() < 0.1:
            return  # reviewed, but the next cycle's plan is not written yet
        previous = reviewed or None
    later_terms = [t for t in terms if t.start > act.year.activity_end]
    if previous is not None and later_terms:
        # the plan written at this term's review runs into next term
        due = _review_due(act, later_terms[0], previous)
        act.plans.append(Plan(pupil, act.spec.settings.plan_type, previous, due))


def _review_due(act: Activity, term: Term, starts: dt.date) -> dt.date:
    """A plan's review date: late in its term, or about a term on when written late in it."""
    due = act.year.days.add(term.end - dt.timedelta(days=10), 0) or term.end
    if (due - starts).days < 28:
        later = starts + dt.timedelta(weeks=12)
        due = act.year.days.add(later, 0) or later
    return due
