"""Requests for EHC needs assessments, with the local authority's published timeliness.

Every EHC plan first issued this school year had a needs assessment behind it, requested
some weeks before; whether the plan came within the statutory 20 weeks follows the
national share (:data:`~sendlib.synth.calibration.ISSUED_WITHIN_20_WEEKS`). A few pupils
on SEN support have a request under way: most of those whose last two plans showed no
progress, and a few others. The local authority decides within about six weeks (some
later), refuses about a quarter, and asks the school for its advice, which mostly goes
back within six weeks. A request still open has no plan yet (the pupil is still on SEN
support in ``pupils.csv``): it is being assessed, past its 20 weeks, or ended without a
plan. Records dated after the as-of date are left out.
"""

from __future__ import annotations

import datetime as dt
import random

from sendlib.synth.calibration import ISSUED_WITHIN_20_WEEKS, pick
from sendlib.synth.records import Activity, Assessment, Plan
from sendlib.synth.roll import Pupil, register_order

#: assessments.csv's columns, in order.
ASSESSMENT_COLUMNS = (
    "assessment_id", "pupil_id", "requested_on", "requested_by", "decision_on", "decision",
    "advice_requested_on", "advice_sent_on", "final_on", "outcome",
)  # fmt: skip
#: Who asks for an assessment (most requests come from schools or parents).
_REQUESTED_BY = {"school": 60, "parent": 35, "other": 5}
#: The first day an open request can date from: two school years of history.
_EARLIEST_REQUEST = dt.date(2025, 4, 1)
_DAY = dt.timedelta(days=1)


def needs_assessments(act: Activity) -> None:
    """The needs assessments behind this year's new EHC plans, and the requests under way."""
    rng = act.spec.rng("assessments")
    for plan in _new_ehc_plans(act):
        act.assessments.append(_issued(rng, plan))
    for pupil in register_order(act.roll):
        if pupil.status != "K":
            continue
        chance = 0.6 if _no_progress_run(act, pupil) else 0.05
        if rng.random() < chance:
            found = _under_way(act, rng, pupil)
            if found is not None:
                act.assessments.append(found)


def assessment_rows(act: Activity) -> list[dict[str, str]]:
    """assessments.csv's rows, by request date then pupil, with ids."""
    act.assessments.sort(key=lambda a: (a.requested, a.pupil.pid))
    return [
        {
            "assessment_id": f"NA{i:04d}",
            "pupil_id": a.pupil.pid,
            "requested_on": a.requested.isoformat(),
            "requested_by": a.requested_by,
            "decision_on": _iso(a.decision_on),
            "decision": a.decision,
            "advice_requested_on": _iso(a.advice_requested),
            "advice_sent_on": _iso(a.advice_sent),
            "final_on": _iso(a.final_on),
            "outcome": a.outcome,
        }
        for i, a in enumerate(act.assessments, start=1)
    ]


def _new_ehc_plans(act: Activity) -> list[Plan]:
    """EHC plans first issued this school year (the pupil's only EHC plan, starting in it)."""
    first_day = act.year.cal.terms[0].start
    ehc: dict[int, list[Plan]] = {}
    for plan in act.plans:
        if plan.plan_type == "EHCP":
            ehc.setdefault(id(plan.pupil), []).append(plan)
    return sorted(
        (plans[0] for plans in ehc.values() if len(plans) == 1 and plans[0].starts >= first_day),
        key=lambda p: (p.pupil.number, p.starts),
    )


def _issued(rng: random.Random, plan: Plan) -> Assessment:
    """The assessment that ended with ``plan`` issued, on time or late."""
    in_time = rng.random() < ISSUED_WITHIN_20_WEEKS
    weeks = rng.randint(100, 140) if in_time else rng.randint(141, 280)
    requested = plan.starts - dt.timedelta(days=weeks)
    decided = requested + dt.timedelta(days=rng.randint(28, 49))
    asked = decided + dt.timedelta(days=rng.randint(1, 7))
    sent = asked + dt.timedelta(days=rng.randint(14, 40) if rng.random() < 0.8 else 50)
    return Assessment(
        plan.pupil,
        requested,
        pick(rng, _REQUESTED_BY),
        decision_on=decided,
        decision="assess",
        advice_requested=asked,
        advice_sent=min(sent, plan.starts - _DAY),
        final_on=plan.starts,
        outcome="plan_issued",
    )


def _no_progress_run(act: Activity, pupil: Pupil) -> bool:
    """Whether the pupil's last two reviewed plans both showed no progress."""
    reviewed = sorted(
        (p for p in act.plans if p.pupil is pupil and p.reviewed is not None),
        key=lambda p: p.reviewed,
    )
    return len(reviewed) >= 2 and all(p.outcome == "no_progress" for p in reviewed[-2:])


def _under_way(act: Activity, rng: random.Random, pupil: Pupil) -> Assessment | None:
    """A request for a pupil still on SEN support: anything but a plan issued by the as-of date.

    The request comes at least a month after the pupil joined SEN support; ``None`` when
    that leaves no time before the as-of date.
    """
    end = act.year.activity_end
    joined = pupil.registered_on or _EARLIEST_REQUEST
    earliest = max(_EARLIEST_REQUEST, joined + dt.timedelta(days=30))
    span = (end - earliest).days - 7
    if span <= 0:
        return None
    requested = earliest + dt.timedelta(days=rng.randrange(span))
    found = Assessment(pupil, requested, pick(rng, _REQUESTED_BY))
    decided = requested + dt.timedelta(days=rng.randint(28, 56))
    if rng.random() < 0.05:
        found.outcome = "withdrawn"
    if decided > end:
        return found
    found.decision_on = decided
    found.decision = "refuse" if rng.random() < 0.25 else "assess"
    if found.decision == "refuse":
        return found
    asked = decided + dt.timedelta(days=rng.randint(1, 10))
    if asked <= end:
        found.advice_requested = asked
        lag = rng.randint(15, 42) if rng.random() < 0.7 else rng.randint(43, 75)
        sent = asked + dt.timedelta(days=lag)
        found.advice_sent = sent if sent <= end else None
    in_time = rng.random() < ISSUED_WITHIN_20_WEEKS
    final = requested + dt.timedelta(days=rng.randint(110, 140) if in_time else 200)
    if final <= end and not found.outcome and rng.random() < 0.35:
        found.outcome = "no_plan"  # assessed, and the authority decided not to issue a plan
    return found


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()
