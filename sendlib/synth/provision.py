"""The sample school's provision map: interventions at realistic costs, and who gets which.

Each phase has its own menu of interventions (:data:`MENUS`): reading and maths catch-up
groups, speech and language, social skills, one-to-one support for pupils with EHC plans,
in-class support, specialist visits (an educational psychologist, a speech and language
therapist) and a resource bought by the year. Their hourly costs are derived in
:mod:`sendlib.synth.calibration` (``STAFF_HOURLY_COST``) from published pay scales and
on-costs. Pupils get interventions that fit their need and SEN status, in half-term
blocks; a block that ended by the as-of date has its exit measure.

This part is made last, with its own random stream, after every other table is written:
the other files of a sample are exactly what they were before it existed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sendlib.synth.calibration import STAFF_HOURLY_COST
from sendlib.synth.records import Activity
from sendlib.synth.roll import Pupil, register_order

INTERVENTION_COLUMNS = (
    "intervention_id", "name", "kind", "staff_role", "hourly_cost", "group_size",
    "sessions_per_week", "minutes_per_session", "annual_cost", "higher_is_better",
)  # fmt: skip
PROVISION_COLUMNS = (
    "provision_id", "pupil_id", "intervention_id", "starts_on", "ends_on", "entry_measure",
    "exit_measure", "measure_name",
)  # fmt: skip
#: The two tables this module writes, with their columns.
PROVISION_TABLES = {"interventions": INTERVENTION_COLUMNS, "provisions": PROVISION_COLUMNS}

#: Half-term blocks of 2025/26 an intervention runs in (start, planned end).
BLOCKS = (
    (dt.date(2025, 9, 15), dt.date(2025, 10, 24)),
    (dt.date(2025, 11, 4), dt.date(2025, 12, 19)),
    (dt.date(2026, 1, 5), dt.date(2026, 2, 13)),
    (dt.date(2026, 2, 23), dt.date(2026, 3, 27)),
    (dt.date(2026, 4, 13), dt.date(2026, 5, 22)),
    (dt.date(2026, 6, 2), dt.date(2026, 7, 17)),
)


@dataclass(frozen=True)
class Measure:
    """A measure an intervention uses: its name, entry range and change (mean, spread)."""

    name: str
    entry: tuple[float, float]
    change: tuple[float, float]
    higher_is_better: bool = True


READING = Measure("reading age (months)", (60, 110), (4.0, 4.0))
MATHS = Measure("standardised maths score", (70, 88), (3.0, 4.5))
LANGUAGE = Measure("language screen score", (8, 20), (2.0, 2.5))
SDQ = Measure("SDQ total difficulties", (14, 28), (-2.0, 3.0), higher_is_better=False)
STEPS = Measure("teacher assessment steps", (0, 3), (0.3, 1.0))


@dataclass(frozen=True)
class Intervention:
    """One row of interventions.csv, the measure it uses and who it is for."""

    key: str
    name: str
    kind: str
    staff: str = ""
    group_size: int = 0
    sessions_per_week: float = 0
    minutes: int = 0
    annual_cost: float = 0
    measure: Measure | None = None
    blocks: int = 1  # consecutive half-term blocks a placement runs


#: Offered in both phases: part-time one-to-one support (pupils on SEN support) and the
#: educational psychologist's visits.
_PART_TIME = Intervention(
    "PART", "Part-time one-to-one support", "one_to_one", "teaching_assistant", 1, 5, 150, blocks=6
)
_EP_VISIT = Intervention(
    "EP",
    "Educational psychologist visit",
    "external_specialist",
    "educational_psychologist",
    1,
    0.5,
    180,
)

_PRIMARY = (
    Intervention(
        "READ",
        "Reading catch-up group",
        "small_group",
        "teaching_assistant",
        4,
        5,
        20,
        measure=READING,
    ),
    Intervention(
        "MATH", "Maths catch-up group", "small_group", "teaching_assistant", 4, 3, 30, measure=MATHS
    ),
    Intervention(
        "SLC",
        "Speech and language group",
        "small_group",
        "teaching_assistant",
        3,
        3,
        20,
        measure=LANGUAGE,
    ),
    Intervention(
        "SOC", "Social skills group", "small_group", "teaching_assistant", 6, 1, 45, measure=SDQ
    ),
    Intervention(
        "ONE",
        "One-to-one support (EHC plan)",
        "one_to_one",
        "teaching_assistant",
        1,
        5,
        270,
        blocks=6,
    ),
    _PART_TIME,
    Intervention(
        "INC",
        "In-class support",
        "in_class",
        "teaching_assistant",
        5,
        5,
        60,
        measure=STEPS,
        blocks=2,
    ),
    _EP_VISIT,
    Intervention(
        "SLT",
        "Speech and language therapist",
        "external_specialist",
        "speech_and_language_therapist",
        1,
        1,
        45,
        measure=LANGUAGE,
    ),
    Intervention("SOFT", "Reading software licence", "resource", annual_cost=1200),
)
_SECONDARY = (
    Intervention(
        "LIT",
        "Literacy catch-up group",
        "small_group",
        "teaching_assistant",
        6,
        3,
        50,
        measure=READING,
    ),
    Intervention(
        "NUM",
        "Numeracy catch-up group (teacher)",
        "small_group",
        "teacher",
        6,
        2,
        50,
        measure=MATHS,
    ),
    Intervention(
        "SLC",
        "Speech and language group",
        "small_group",
        "teaching_assistant",
        4,
        2,
        50,
        measure=LANGUAGE,
    ),
    Intervention(
        "ELSA",
        "Emotional literacy support",
        "one_to_one",
        "teaching_assistant",
        1,
        1,
        45,
        measure=SDQ,
    ),
    Intervention(
        "ONE",
        "One-to-one support (EHC plan)",
        "one_to_one",
        "teaching_assistant",
        1,
        5,
        240,
        blocks=6,
    ),
    _PART_TIME,
    Intervention(
        "INC",
        "In-class support",
        "in_class",
        "teaching_assistant",
        6,
        5,
        60,
        measure=STEPS,
        blocks=2,
    ),
    _EP_VISIT,
    Intervention(
        "SPLD",
        "Specialist teacher assessment (SpLD)",
        "external_specialist",
        "specialist_teacher",
        1,
        0.5,
        180,
    ),
    Intervention("SOFT", "Literacy software licence", "resource", annual_cost=2400),
)
#: A pupil's run of an intervention: pupil, intervention, start and planned end.
Placement = tuple[Pupil, Intervention, dt.date, dt.date]
#: Each phase's interventions.
MENUS = {"primary": _PRIMARY, "secondary": _SECONDARY}

#: What a pupil's need suggests, with the chance of each (by intervention key).
_BY_NEED = {
    "SLCN": {"SLC": 0.6, "SLT": 0.25, "READ": 0.3, "LIT": 0.3},
    "SPLD": {"READ": 0.7, "LIT": 0.7, "SOFT": 0.5, "SPLD": 0.2, "MATH": 0.2, "NUM": 0.2},
    "MLD": {"READ": 0.5, "LIT": 0.5, "MATH": 0.55, "NUM": 0.55, "INC": 0.3, "SOFT": 0.3},
    "SEMH": {"SOC": 0.55, "ELSA": 0.55, "INC": 0.25, "PART": 0.15},
    "ASD": {"SOC": 0.5, "ELSA": 0.3, "SLC": 0.2, "INC": 0.3, "PART": 0.15},
}
#: Any other need on the register.
_OTHER_NEED = {"INC": 0.35, "READ": 0.2, "LIT": 0.2, "MATH": 0.15, "NUM": 0.15}


def provision_rows(act: Activity) -> dict[str, list[dict[str, str]]]:
    """interventions.csv and provisions.csv as rows; pupil ids must be set already."""
    rng = act.spec.rng("provision")
    menu = {i.key: i for i in MENUS[act.spec.phase]}
    placements: list[Placement] = []
    for pupil in register_order(act.roll):
        if pupil.status == "N":
            continue
        for key in _chosen(rng, pupil, menu):
            placements.extend(_placements(rng, pupil, menu[key]))
    as_of = act.spec.as_of
    rows = []
    for pupil, intervention, starts, ends in sorted(
        placements, key=lambda p: (p[0].pid, p[2], p[1].key)
    ):
        if starts > as_of:
            continue  # not yet started: not yet written
        rows.append(_provision_row(rng, pupil, intervention, starts, ends, as_of))
    for number, row in enumerate(rows, start=1):
        row["provision_id"] = f"PV{number:05d}"
    return {"interventions": [_intervention_row(i) for i in menu.values()], "provisions": rows}


def _chosen(rng: random.Random, pupil: Pupil, menu: dict[str, Intervention]) -> list[str]:
    """The interventions a pupil gets this year, by SEN status and need."""
    chances = _BY_NEED.get(pupil.need, _OTHER_NEED)
    if pupil.status == "M":  # monitored pupils: a catch-up group now and then
        chances = {k: v * 0.35 for k, v in chances.items() if k not in ("PART", "SLT", "SOFT")}
    offered = {key: chance for key, chance in chances.items() if key in menu}
    chosen = [key for key, chance in offered.items() if rng.random() < chance]
    if pupil.status == "K" and not chosen and rng.random() < 0.8:
        # Most pupils on SEN support have something: the likeliest help for their need.
        chosen.append(max(offered, key=lambda key: offered[key]))
    if pupil.status == "E":
        if rng.random() < 0.85:
            chosen.append("ONE")
        if rng.random() < 0.35:
            chosen.append("EP")
    elif pupil.status == "K" and rng.random() < 0.06:
        chosen.append("EP")
    if pupil.status == "E" and "ONE" in chosen:
        chosen = [k for k in chosen if k != "PART"]
    return chosen


def _placements(rng: random.Random, pupil: Pupil, intervention: Intervention) -> list[Placement]:
    """When a pupil has an intervention: one or more runs of half-term blocks."""
    joined = pupil.registered_on or BLOCKS[0][0]
    usable = [b for b in range(len(BLOCKS)) if BLOCKS[b][0] >= joined] or [len(BLOCKS) - 1]
    if intervention.kind == "external_specialist":
        first = rng.choice(usable)
        starts = BLOCKS[first][0] + dt.timedelta(days=7 * rng.randint(0, 3))
        weeks = 2 if intervention.sessions_per_week < 1 else 6
        return [(pupil, intervention, starts, starts + dt.timedelta(days=7 * weeks - 3))]
    if intervention.kind == "resource":
        first = usable[0]
        return [(pupil, intervention, BLOCKS[first][0], BLOCKS[-1][1])]
    first = usable[0] if intervention.blocks >= len(BLOCKS) else rng.choice(usable)
    last = min(first + intervention.blocks - 1, len(BLOCKS) - 1)
    runs = [(pupil, intervention, BLOCKS[first][0], BLOCKS[last][1])]
    again = last + 2  # a second run after a half term's break, for some
    if intervention.blocks == 1 and again < len(BLOCKS) and rng.random() < 0.35:
        runs.append((pupil, intervention, BLOCKS[again][0], BLOCKS[again][1]))
    return runs


def _provision_row(
    rng: random.Random,
    pupil: Pupil,
    intervention: Intervention,
    starts: dt.date,
    ends: dt.date,
    as_of: dt.date,
) -> dict[str, str]:
    measure = intervention.measure
    entry = exit_ = ""
    if measure is not None:
        low, high = measure.entry
        start_score = round(rng.uniform(low, high))
        entry = str(start_score)
        mean, spread = measure.change
        change = rng.gauss(mean, spread)
        if ends <= as_of:  # the exit measure is taken when the block ends
            exit_ = str(max(0, round(start_score + change)))
    # A one-to-one support for a pupil with an EHC plan runs on: no planned end.
    running = intervention.blocks >= len(BLOCKS) or intervention.kind == "resource"
    return {
        "provision_id": "",
        "pupil_id": pupil.pid,
        "intervention_id": intervention.key,
        "starts_on": starts.isoformat(),
        "ends_on": "" if running else ends.isoformat(),
        "entry_measure": entry,
        "exit_measure": exit_,
        "measure_name": measure.name if measure else "",
    }


def _intervention_row(intervention: Intervention) -> dict[str, str]:
    measure = intervention.measure
    resource = intervention.kind == "resource"
    return {
        "intervention_id": intervention.key,
        "name": intervention.name,
        "kind": intervention.kind,
        "staff_role": intervention.staff.replace("_", " "),
        "hourly_cost": "" if resource else f"{STAFF_HOURLY_COST[intervention.staff]:.2f}",
        "group_size": "" if resource else str(intervention.group_size),
        "sessions_per_week": "" if resource else f"{intervention.sessions_per_week:g}",
        "minutes_per_session": "" if resource else str(intervention.minutes),
        "annual_cost": f"{intervention.annual_cost:.2f}" if resource else "",
        "higher_is_better": "" if measure is None else str(measure.higher_is_better).lower(),
    }
