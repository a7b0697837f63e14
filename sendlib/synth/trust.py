"""A trust's worth of varied synthetic schools, for demonstrations and benchmarks.

``sendlib sample-trust`` writes them: schools that differ in phase, size, the SENDCo's
protected time and how well they keep to the duties, so the trust overview
(``sendlib report --all``) has something to compare. Each school is a sample school from
:func:`sendlib.synth.generator.generate_school`, calibrated as its docstring says.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from sendlib.synth.generator import generate_school

_PLACES = (
    "Ash", "Bramble", "Cedar", "Dove", "Elder", "Fox", "Gorse", "Hazel", "Kingfisher",
    "Lark", "Meadow", "Nettle", "Oak", "Pebble", "Quarry", "Rowan", "Salt", "Thorn",
    "Willow", "Yew", "Heron", "Linden", "Marsh", "Orchard", "Sorrel",
)  # fmt: skip
_ENDINGS = (
    "combe", "wood", "field", "brook", "gate", "ley", "ford", "hill", "mere", "bank",
    "dale", "well", "stead", "worth", "ton",
)  # fmt: skip


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _school_names(rng: random.Random, count: int) -> list[str]:
    """Distinct invented place names; a number is added only past the 375 combinations."""
    places = [f"{a}{b}" for a in _PLACES for b in _ENDINGS]
    rng.shuffle(places)
    return [
        places[i % len(places)] + (f" {i // len(places) + 1}" if i >= len(places) else "")
        for i in range(count)
    ]


def generate_trust(
    out_dir: str | Path,
    schools: int = 10,
    seed: int = 1,
    pupils: tuple[int, int] | None = None,
) -> list[Path]:
    """Write ``schools`` varied synthetic school folders into ``out_dir``; return them.

    Each school differs in phase (about a third secondary), size (150 to 630 pupils for a
    primary, 600 to 1,500 for a secondary, or ``pupils`` = (fewest, most) for all), the
    SENDCo's protected hours and days, and how well it keeps to the duties
    (:func:`~sendlib.synth.generator.generate_school`'s ``diligence``, 0.4 to 1.6). Folder
    names come from the school names. The same arguments write byte-identical folders.
    """
    if isinstance(schools, bool) or not isinstance(schools, int) or schools < 1:
        raise ValueError(f"schools must be a whole number of at least 1; got {schools!r}")
    out = Path(out_dir)
    rng = random.Random(f"sendlib-trust|{seed}|{schools}")
    names = _school_names(rng, schools)
    folders = []
    for index, place in enumerate(names):
        phase = "secondary" if rng.random() < 1 / 3 or (index == 1 and schools > 2) else "primary"
        if pupils is not None:
            roll = rng.randint(*pupils)
        else:
            roll = rng.randint(150, 630) if phase == "primary" else rng.randint(600, 1500)
        if phase == "primary":
            days = rng.choice((2, 3, 3, 4, 4, 5))
            hours = rng.choice((2.0, 2.5, 3.0, 3.5, 4.0, 5.0))
            name = f"{place} {rng.choice(('Primary School', 'Primary', 'Junior School'))}"
        else:
            days = rng.choice((4, 5, 5))
            hours = rng.choice((3.5, 4.0, 5.0, 6.0, 7.0))
            name = f"{place} {rng.choice(('Academy', 'High School', 'School'))}"
        working = sorted(rng.sample(range(5), days))
        diligence = round(rng.uniform(0.4, 1.6), 2)
        folder = generate_school(
            out / _slug(name),
            phase=phase,
            pupils=roll,
            seed=rng.randrange(1, 10**6),
            name=name,
            send_hours=hours,
            working_days=[("mon", "tue", "wed", "thu", "fri")[d] for d in working],
            diligence=diligence,
        )
        folders.append(folder)
    return folders
