"""A scenario applied to a school: the per-day minutes, surgery slots and costs it simulates.

:func:`plan_scenario` turns a :class:`~sendlib.planning.whatif.scenarios.Scenario`'s
changes into arrays over the school year's days (the SENDCo's and an assistant's
protected minutes, surgery slots and the time meetings may be booked into) and the costs
and shares the simulation draws on, and says when a change does not fit the school.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sendlib.planning.whatif.model import SchoolModel
from sendlib.planning.whatif.scenarios import Scenario, ScenarioError
from sendlib.school.calendar import WEEKDAYS
from sendlib.school.config import SendcoPattern
from sendlib.school.policy import Policy

#: Bookings fill at most this share of a day's protected time outside surgeries.
BOOKABLE_SHARE = 0.6
#: The largest share of request meetings held at surgeries, however many there are.
MAX_SURGERY_SHARE = 0.9


@dataclass(frozen=True)
class Plan:
    """A scenario applied to a school: per-day minutes, slots and costs."""

    scenario: Scenario
    capacity_minutes: np.ndarray
    sendco_minutes: np.ndarray
    assistant_minutes: np.ndarray
    surgery_slots: np.ndarray
    surgery_reserved: np.ndarray
    bookable: np.ndarray
    meeting_cost: float
    annual_review_cost: float
    surgery_write_up: float
    sendco_review_share: float
    request_rate: np.ndarray
    meeting_share: float
    direct_take: float
    surgery_share: float
    working_days: tuple[str, ...]
    hours_per_day: float
    surgeries_per_week: int
    notes: tuple[str, ...] = ()


def plan_scenario(model: SchoolModel, scenario: Scenario) -> Plan:
    """Turn a scenario's changes into the per-day inputs of the simulation.

    Raises:
        ScenarioError: when a change does not fit the school (hours longer than the
            working day, fewer than no surgeries).
    """
    school = model.school
    pattern, policy = school.config.sendco, school.policy
    day_length = (
        dt.datetime.combine(dt.date.min, pattern.day_ends)
        - dt.datetime.combine(dt.date.min, pattern.day_starts)
    ).total_seconds() / 3600
    problems = _changes_that_do_not_fit(scenario, pattern, policy, day_length)
    if problems:
        raise ScenarioError(problems)
    working, hours, notes = _sendco_week(scenario, pattern, day_length)
    surgeries = _surgeries_per_week(scenario, policy)
    assistant_hours = scenario.assistant_hours_per_day or pattern.send_hours_per_day

    days = model.days
    weekday = np.array([d.weekday() for d in days])
    sendco_day = np.isin(weekday, [WEEKDAYS.index(d) for d in working])
    assistant_day = np.isin(weekday, _spread_weekdays(scenario.assistant_days_per_week))
    sendco_minutes = sendco_day * hours * 60.0
    assistant_minutes = assistant_day * assistant_hours * 60.0
    cap = sendco_minutes + assistant_minutes

    weekly_slots = surgeries * policy.meetings_per_surgery
    slots = _surgery_slots(days, sendco_day, weekly_slots)
    surgery_minutes = scenario.surgery_minutes or policy.surgery_minutes
    reserved = slots * float(surgery_minutes)
    overhead = policy.preparation_minutes + policy.write_up_minutes
    meeting_minutes = scenario.meeting_minutes or policy.meeting_minutes
    ar_minutes = scenario.annual_review_minutes or policy.annual_review_minutes
    share = (
        model.sendco_review_share
        if scenario.class_teacher_led_share is None
        else 1.0 - scenario.class_teacher_led_share
    )
    rates = model.rates
    direct_take, surgery_share = _surgery_use(model, policy, weekly_slots)
    return Plan(
        scenario=scenario,
        capacity_minutes=cap,
        sendco_minutes=sendco_minutes,
        assistant_minutes=assistant_minutes,
        surgery_slots=slots,
        surgery_reserved=reserved,
        bookable=BOOKABLE_SHARE * np.clip(cap - reserved, 0, None),
        meeting_cost=float(meeting_minutes + overhead),
        annual_review_cost=float(ar_minutes + overhead),
        surgery_write_up=float(policy.write_up_minutes),
        sendco_review_share=float(min(max(share, 0.0), 1.0)),
        request_rate=(
            rates.per_day(days) * (1.0 - rates.routed_share) * (1.0 + scenario.request_growth)
        ),
        meeting_share=model.request_meetings.meeting_share,
        direct_take=direct_take,
        surgery_share=surgery_share,
        working_days=tuple(d for d in WEEKDAYS if d in working),
        hours_per_day=float(hours),
        surgeries_per_week=int(surgeries),
        notes=tuple(notes),
    )


def _changes_that_do_not_fit(
    scenario: Scenario, pattern: SendcoPattern, policy: Policy, day_length: float
) -> list[str]:
    """Problems with a scenario on this school: hours past the working day, negative surgeries."""
    problems = []
    hours = scenario.send_hours_per_day or pattern.send_hours_per_day
    if hours > day_length:
        problems.append(
            f"[{scenario.name}] send_hours_per_day = {hours:g}: expected at most the working "
            f"day ({day_length:g} hours, day_starts to day_ends in school.toml)"
        )
    if _surgeries_per_week(scenario, policy) < 0:
        problems.append(
            f"[{scenario.name}] extra_surgeries_per_week = {scenario.extra_surgeries_per_week}: "
            f"expected at least -{policy.surgeries_per_week} (the school holds "
            f"{policy.surgeries_per_week} a week)"
        )
    assistant_hours = scenario.assistant_hours_per_day or pattern.send_hours_per_day
    if assistant_hours > day_length:
        problems.append(
            f"[{scenario.name}] assistant_hours_per_day = {assistant_hours:g}: expected at "
            f"most the working day ({day_length:g} hours)"
        )
    return problems


def _surgeries_per_week(scenario: Scenario, policy: Policy) -> int:
    """Surgeries a week under the scenario: its own number, or the school's plus its extra."""
    if scenario.surgeries_per_week is not None:
        return scenario.surgeries_per_week
    return policy.surgeries_per_week + scenario.extra_surgeries_per_week


def _sendco_week(
    scenario: Scenario, pattern: SendcoPattern, day_length: float
) -> tuple[list[str], float, list[str]]:
    """The SENDCo's working weekdays and protected hours a day, with notes on extra days.

    Extra days go on weekdays the SENDCo does not work yet; beyond those they become
    protected hours spread over the week (at most the working day).
    """
    hours = scenario.send_hours_per_day or pattern.send_hours_per_day
    working = list(scenario.sendco_days or pattern.working_days)
    notes = []
    extra = scenario.extra_sendco_days
    if extra:
        free = [d for d in WEEKDAYS[:5] if d not in working]
        added, spare = free[:extra], extra - len(free[:extra])
        working += added
        if spare:
            new_hours = min(day_length, hours * (len(working) + spare) / len(working))
            notes.append(
                f"the SENDCo already works every weekday, so {spare} extra day"
                f"{'s' if spare > 1 else ''} became protected hours: {hours:g} to "
                f"{new_hours:.2g} a day"
            )
            hours = new_hours
    return working, hours, notes


def _surgery_use(model: SchoolModel, policy: Policy, weekly_slots: int) -> tuple[float, float]:
    """The share of surgery slots parents book directly, and of request meetings at surgeries.

    Spare surgery slots (after parents' direct bookings) host request meetings in
    proportion: twice the spare slots, twice the share held at a surgery (at most
    :data:`MAX_SURGERY_SHARE`).
    """
    direct = model.request_meetings.direct_surgery_bookings_per_week
    direct_take = min(1.0, direct / weekly_slots) if weekly_slots else 1.0
    spare_now = policy.surgeries_per_week * policy.meetings_per_surgery - direct
    spare = weekly_slots - direct
    surgery_share = model.request_meetings.surgery_share
    if spare_now > 0:
        surgery_share = min(MAX_SURGERY_SHARE, surgery_share * max(spare, 0.0) / spare_now)
    return direct_take, float(surgery_share)


def _spread_weekdays(n: int) -> list[int]:
    """``n`` weekdays spread over the week (an assistant's days): 2 gives Tue and Thu."""
    return {0: [], 1: [2], 2: [1, 3], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 3, 4]}[n]


def _surgery_slots(days: Sequence[dt.date], sendco_day: np.ndarray, per_week: int) -> np.ndarray:
    """Surgery meeting slots per school day: each week's spread over its SENDCo days.

    A short week (half term, INSET) holds surgeries in proportion to its school days.
    """
    slots = np.zeros(len(days), dtype=int)
    weeks: dict[tuple[int, int], list[int]] = {}
    for i, d in enumerate(days):
        weeks.setdefault(d.isocalendar()[:2], []).append(i)
    for members in weeks.values():
        working = [i for i in members if sendco_day[i]]
        if not working:
            continue
        n = round(per_week * len(members) / 5)
        for k in range(n):
            slots[working[(k * len(working)) // max(n, 1) % len(working)]] += 1
    return slots
