"""Register changes over two school years: who joined, moved up, stepped down or left.

Each pupil registered or first monitored since September 2024 has the change that put
them there; about two in five pupils placed on SEN support were monitored first, and some
monitored pupils stepped down from SEN support. Pupils issued an EHC plan this year move
from SEN support to it. A few pupils now off the lists (not in ``pupils.csv``) came off
them: needs met, a concern closed, or a move to another school. Changes after the as-of
date are left out.
"""

from __future__ import annotations

import datetime as dt
import random

from sendlib.synth.records import Activity, RegisterChange
from sendlib.synth.roll import Pupil, register_order

#: register_changes.csv's columns, in order.
REGISTER_COLUMNS = ("pupil_id", "changed_on", "from_status", "to_status", "reason")
#: The first day of the two school years the changes cover (2024/25 and 2025/26).
SINCE = dt.date(2024, 9, 2)
#: The share of pupils with no SEN now who came off the lists in those two years.
_CAME_OFF = 0.035


def register_changes(act: Activity) -> None:
    """Every move between the lists since :data:`SINCE`, up to the as-of date."""
    rng = act.spec.rng("register")
    issued = _new_ehc_plan_days(act)
    days = [d for d in (*act.year.prev.school, *act.year.days.school) if d >= SINCE]
    days = [d for d in days if d <= act.year.activity_end]
    for pupil in register_order(act.roll):
        if pupil.status == "N":
            if rng.random() < _CAME_OFF:
                _came_off(act, rng, pupil, days)
            continue
        if pupil.status == "E" and id(pupil) in issued:
            _add(act, pupil, issued[id(pupil)], "K", "E", "EHC plan issued")
        joined = pupil.registered_on
        if joined is None or not SINCE <= joined <= act.year.activity_end:
            continue
        if pupil.status == "M":
            stepped_down = rng.random() < 0.15
            reason = "enough progress: monitored" if stepped_down else "concern recorded"
            _add(act, pupil, joined, "K" if stepped_down else "", "M", reason)
        elif pupil.status == "K":
            concern = joined - dt.timedelta(days=rng.randint(60, 200))
            if rng.random() < 0.4 and concern >= SINCE:
                _add(act, pupil, _weekday(concern), "", "M", "concern recorded")
                _add(act, pupil, joined, "M", "K", "placed on SEN support")
            else:
                _add(act, pupil, joined, "", "K", "placed on SEN support")


def register_rows(act: Activity) -> list[dict[str, str]]:
    """register_changes.csv's rows, by date then pupil."""
    act.register_changes.sort(key=lambda c: (c.changed_on, c.pupil.pid, c.to_status))
    return [
        {
            "pupil_id": c.pupil.pid,
            "changed_on": c.changed_on.isoformat(),
            "from_status": c.from_status,
            "to_status": c.to_status,
            "reason": c.reason,
        }
        for c in act.register_changes
    ]


def _came_off(act: Activity, rng: random.Random, pupil: Pupil, days: list) -> None:
    """A pupil who was on a list and came off it (their last change is ``left``)."""
    index = rng.randrange(len(days))
    was = "M" if rng.random() < 0.4 else "K"
    if was == "M" and index > 60:
        _add(act, pupil, days[index - rng.randint(40, 60)], "", "M", "concern recorded")
    reason = {"M": "concern closed", "K": "needs met: off the register"}[was]
    if rng.random() < 0.3:
        reason = "moved to another school"
    _add(act, pupil, days[index], was, "left", reason)


def _new_ehc_plan_days(act: Activity) -> dict[int, dt.date]:
    """The day each EHC plan first issued this year was issued, by pupil."""
    return {id(a.pupil): a.final_on for a in act.assessments if a.final_on is not None}


def _add(act: Activity, pupil: Pupil, day: dt.date, was: str, now: str, reason: str) -> None:
    act.register_changes.append(RegisterChange(pupil, day, was, now, reason))


def _weekday(day: dt.date) -> dt.date:
    """``day``, or the Friday before it when it falls at a weekend."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))
