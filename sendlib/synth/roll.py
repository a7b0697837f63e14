"""The sample school's roll and staff: pupils with their SEN status, need and lead, and staff.

The roll is drawn to the national figures in :mod:`sendlib.synth.calibration` (SEN
support and EHC plan shares, the need mix, boys' shares and free school meals, DfE
2024/25 and January 2024). Pupils are then placed in classes, given a lead member of staff
and a date they joined the SEND register. Names are a made-up first name and an initial.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sendlib.synth.calendars import SchoolYear
from sendlib.synth.calibration import (
    BOYS,
    EHC_NEEDS,
    FSM,
    PHASE_TILT,
    SUPPORT_NEEDS,
    SchoolSpec,
    pick,
    spread,
)

_GIRLS = (
    "Amara", "Ava", "Bella", "Chloe", "Daisy", "Ella", "Eliza", "Erin", "Evie", "Freya", "Grace",
    "Hana", "Imogen", "Isla", "Ivy", "Jasmine", "Layla", "Lily", "Maya", "Mia", "Nadia", "Niamh",
    "Olivia", "Poppy", "Priya", "Rosie", "Ruby", "Safa", "Sienna", "Sofia", "Zara", "Zoe",
)  # fmt: skip
_BOYS_NAMES = (
    "Adam", "Alfie", "Arlo", "Ayaan", "Ben", "Charlie", "Dylan", "Elijah", "Ethan", "Finley",
    "George", "Harry", "Hugo", "Isaac", "Jack", "Jacob", "Kai", "Leo", "Logan", "Luca", "Mason",
    "Musa", "Noah", "Oliver", "Oscar", "Reuben", "Rory", "Sami", "Theo", "Tomas", "Yusuf", "Zain",
)  # fmt: skip
_INITIALS = "ABCDEFGHJKLMNOPRSTWY"


@dataclass
class Pupil:
    """One pupil on roll, as the generator builds them up (``pid`` is set when written)."""

    number: int
    year: str
    status: str  # K, E, M or N (not written)
    sex: str
    fsm: bool
    group: str = ""
    need: str = ""
    lead: str = ""
    registered_on: dt.date | None = None
    last_review: dt.date | None = None
    name: str = ""
    propensity: float = 1.0
    never_met: bool = False
    pid: str = ""
    #: The last day on SEN support of a pupil who later stepped down to monitoring.
    until: dt.date | None = None


@dataclass
class Staff:
    """The school's staff as ``(staff_id, role)`` pairs, and the SENDCo's and assistant's ids."""

    members: list[tuple[str, str]] = field(default_factory=list)
    sendco_id: str = "SENDCO"
    assistant_id: str = ""


def register_order(roll: list[Pupil]) -> list[Pupil]:
    """The roll in pupil-number order, the order every record maker walks it in."""
    return sorted(roll, key=lambda p: p.number)


# --------------------------------------------------------------------------- the roll


def make_roll(spec: SchoolSpec) -> list[Pupil]:
    """Every pupil on roll, by year group, with SEN status, sex, free school meals and need."""
    rng = spec.rng("roll")
    p = spec.settings
    years = p.year_groups
    weights = [1 + rng.uniform(-0.05, 0.05) for _ in years]
    sizes = _apportion(spec.n_roll, weights)
    numbers = list(range(1, spec.n_roll + 1))
    rng.shuffle(numbers)
    it = iter(numbers)
    roll = []
    for year, size in zip(years, sizes, strict=True):
        for _ in range(size):
            roll.append(Pupil(next(it), year, "N", "", False))
    _assign_statuses(rng, spec, roll)

    deprivation = rng.uniform(0.8, 1.25)
    boys_n = _boys_rest(roll)
    for pupil in roll:
        boys = BOYS.get(pupil.status, boys_n)
        pupil.sex = "M" if rng.random() < boys else "F"
        pupil.fsm = rng.random() < min(0.9, FSM[pupil.status] * deprivation)
    _assign_needs_and_names(spec.rng("needs"), spec.phase, roll)
    return roll


def _assign_statuses(rng: random.Random, spec: SchoolSpec, roll: list[Pupil]) -> None:
    """Draw this school's EHC plan, SEN support and monitored shares, and who holds them."""
    p = spec.settings
    ehc_share = p.ehc_share * rng.uniform(0.88, 1.12)
    support_share = p.support_share * rng.uniform(0.9, 1.1)
    monitored_share = rng.uniform(0.05, 0.09)
    n_e = max(1, round(spec.n_roll * ehc_share))
    n_k = max(1, round(spec.n_roll * support_share))
    n_m = max(1, round(spec.n_roll * monitored_share))
    _assign(rng, roll, "E", n_e, lambda q: p.prevalence[q.year][0])
    transfer = str(p.transfer_year)
    if n_e >= 3 and not any(q.status == "E" and q.year == transfer for q in roll):
        # every sample shows a phase-transfer pupil with an EHC plan
        others = [q for q in roll if q.status == "E"]
        rng.choice(others).status = "N"
        rng.choice([q for q in roll if q.year == transfer]).status = "E"
    _assign(rng, roll, "K", n_k, lambda q: p.prevalence[q.year][1])
    _assign(rng, roll, "M", n_m, lambda q: p.prevalence[q.year][1])


def _assign(
    rng: random.Random,
    roll: list[Pupil],
    status: str,
    n: int,
    weight: Callable[[Pupil], float],
) -> None:
    """Weighted sampling without replacement (Efraimidis-Spirakis keys)."""
    free = [p for p in roll if p.status == "N"]
    keyed = sorted(
        free, key=lambda p: (rng.random() ** (1 / max(weight(p), 1e-6)), p.number), reverse=True
    )
    for pupil in keyed[: min(n, len(free))]:
        pupil.status = status


def _assign_needs_and_names(rng: random.Random, phase: str, roll: list[Pupil]) -> None:
    """Primary needs in the national mix (tilted by phase), names, and how often pupils ask."""
    tilt = PHASE_TILT[phase]
    mixes = {
        "K": {k: v * tilt.get(k, 1.0) for k, v in SUPPORT_NEEDS.items()},
        "E": {k: v * tilt.get(k, 1.0) for k, v in EHC_NEEDS.items()},
    }
    for status, mix in mixes.items():
        group = [p for p in roll if p.status == status]
        for pupil, need in zip(group, spread(rng, mix, len(group)), strict=True):
            pupil.need = need
    for pupil in roll:
        if pupil.status == "M" and rng.random() < 0.35:
            # an emerging area of concern, noted while monitoring
            pupil.need = pick(rng, {"SLCN": 3, "SEMH": 3, "SPLD": 2, "MLD": 1})
        girls_or_boys = _GIRLS if pupil.sex == "F" else _BOYS_NAMES
        pupil.name = f"{rng.choice(girls_or_boys)} {rng.choice(_INITIALS)}."
        pupil.propensity = rng.gammavariate(1.2, 1 / 1.2)


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    sizes = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - sizes[i], -i), reverse=True)
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _boys_rest(roll: list[Pupil]) -> float:
    """Boys' share among pupils without SEN so that the whole roll is about 51% boys."""
    n = len(roll)
    counts = {s: sum(1 for p in roll if p.status == s) for s in ("E", "K", "M", "N")}
    if counts["N"] == 0:
        return 0.5
    boys_sen = sum(counts[s] * BOYS[s] for s in ("E", "K", "M"))
    return min(0.6, max(0.4, (0.51 * n - boys_sen) / counts["N"]))


# --------------------------------------------------------------------------- staff


def make_staff(spec: SchoolSpec, roll: list[Pupil]) -> Staff:
    """The SENDCo, class teachers (and heads of year), pastoral staff; each pupil's class and lead."""
    rng = spec.rng("staff")
    p = spec.settings
    staff = Staff(assistant_id="ASENDCO" if p.assistant else "")
    staff.members.append((staff.sendco_id, "sendco"))
    if staff.assistant_id:
        staff.members.append((staff.assistant_id, "assistant_sendco"))
    by_year: dict[str, list[Pupil]] = {}
    for pupil in roll:
        by_year.setdefault(pupil.year, []).append(pupil)
    for year in p.year_groups:
        members = sorted(by_year.get(year, []), key=lambda q: q.number)
        classes = max(1, math.ceil(len(members) / p.class_size))
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"[:classes]
        for letter in letters:
            staff.members.append((f"T{year}{letter}", "class_teacher"))
        if spec.phase == "secondary":
            staff.members.append((f"HOY{year}", "head_of_year"))
        rng.shuffle(members)
        for i, pupil in enumerate(members):
            pupil.group = f"T{year}{letters[i % classes]}"
    pastoral = "ELSA" if spec.phase == "primary" else "PASTORAL"
    staff.members.append((pastoral, "other"))
    for pupil in roll:
        pupil.lead = _lead_of(rng.random(), pupil, spec.phase, staff, pastoral)
    return staff


def _lead_of(r: float, pupil: Pupil, phase: str, staff: Staff, pastoral: str) -> str:
    """Who leads a pupil's SEN support, given a uniform draw ``r`` (none for no SEN)."""
    if pupil.status == "E":
        if staff.assistant_id:
            return staff.sendco_id if r < 0.6 else staff.assistant_id
        return staff.sendco_id if r < 0.6 else pupil.group
    if pupil.status == "K":
        if phase == "secondary":
            if r < 0.45:
                return f"HOY{pupil.year}"
            return pupil.group if r < 0.8 else staff.assistant_id
        return pupil.group
    if pupil.status == "M":
        return pastoral if r < 0.15 else pupil.group
    return pupil.lead


# --------------------------------------------------------------------------- the register


def register(spec: SchoolSpec, year: SchoolYear, roll: list[Pupil]) -> None:
    """Date each pupil's joining the SEND register (or being first monitored)."""
    rng = spec.rng("registration")
    autumn = year.cal.terms[0]
    mid_year_days = year.days.school_between(
        autumn.start + dt.timedelta(days=14), year.activity_end - dt.timedelta(days=7)
    )
    for pupil in register_order(roll):
        year_index = 0 if pupil.year == "R" else int(pupil.year)
        first_year = 2025 - year_index  # the school year the pupil started Reception
        if pupil.status == "M":
            r = rng.random()
            if r < 0.1:
                pupil.registered_on = None
            elif r < 0.35 and first_year <= 2024:
                pupil.registered_on = year.past_day(rng, max(first_year, 2024), 2024)
            elif mid_year_days:
                pupil.registered_on = rng.choice(mid_year_days)
            continue
        if pupil.status not in ("K", "E"):
            continue
        mid_year = pupil.status == "K" and (pupil.year == "R" or rng.random() < 0.13)
        if mid_year and mid_year_days:
            autumn_half = [d for d in mid_year_days if d <= dt.date(2025, 12, 12)]
            pool = autumn_half if pupil.year == "R" and autumn_half else mid_year_days
            pupil.registered_on = rng.choice(pool)
        elif spec.phase == "secondary" and pupil.year == "7" and rng.random() < 0.7:
            pupil.registered_on = autumn.start  # joined with SEN from primary
        else:
            earliest = max(first_year, 2019)
            latest = 2023 if pupil.status == "E" else 2024
            pupil.registered_on = year.past_day(rng, min(earliest, latest), latest)
