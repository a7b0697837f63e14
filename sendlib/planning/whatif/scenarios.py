"""What-if scenarios: changes to the school's staffing, read from a TOML file or a list.

A :class:`Scenario` is a set of changes to the school's baseline (another SENDCo day, more
surgeries, more reviews led by class teachers, an assistant SENDCo, more requests); one
that changes nothing is the baseline the others are compared with. :func:`parse_scenarios`
checks every key and value at once and says what it expected, so a SENDCo can fix a file
in one go.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sendlib.school.calendar import WEEKDAYS
from sendlib.school.paths import from_repository

#: The repository root: relative scenario files are looked up there too (like school folders).


class ScenarioError(ValueError):
    """A scenario file or list that cannot be used; ``problems`` lists every problem."""

    def __init__(self, problems: list[str], source: str = "scenarios"):
        self.problems = problems
        self.source = source
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class Scenario:
    """A set of changes to the school's baseline; ``None`` or 0 keeps what the school has.

    ``extra_sendco_days`` adds weekdays the SENDCo does not yet work (Monday first); where
    the SENDCo already works every weekday, each extra day is added as protected hours
    spread over the week instead (capped at the length of the working day).
    """

    name: str
    label: str = ""
    #: The SENDCo's working weekdays, replacing the school's, e.g. ("mon", "tue", "wed").
    sendco_days: tuple[str, ...] | None = None
    extra_sendco_days: int = 0
    #: Protected SEND hours per working day.
    send_hours_per_day: float | None = None
    #: An assistant SENDCo (or more assistant time): days a week and hours a day.
    assistant_days_per_week: int = 0
    assistant_hours_per_day: float | None = None
    surgeries_per_week: int | None = None
    extra_surgeries_per_week: int = 0
    #: Length of reviews and request meetings; of annual reviews; of a surgery slot.
    meeting_minutes: int | None = None
    annual_review_minutes: int | None = None
    surgery_minutes: int | None = None
    #: Share of termly reviews led by class teachers without the SENDCo (0 to 1).
    class_teacher_led_share: float | None = None
    #: Growth in request volume: 0.2 means 20% more requests than the fitted rate.
    request_growth: float = 0.0

    @property
    def title(self) -> str:
        """The label, or the name in words."""
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def is_baseline(self) -> bool:
        """Whether the scenario changes nothing."""
        return not self.changes

    @property
    def changes(self) -> dict[str, Any]:
        """The keys this scenario sets, with their values."""
        found = {}
        for f in fields(self):
            if f.name in ("name", "label"):
                continue
            value = getattr(self, f.name)
            if value is not None and value != f.default:
                found[f.name] = value
        return found


def _check_int(low: int, high: int):
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"a whole number from {low} to {high}"
        return None

    return check


def _check_number(low: float, high: float, *, open_low: bool = False):
    def check(value: Any) -> str | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and math.isfinite(value):
            if (value > low if open_low else value >= low) and value <= high:
                return None
        return f"a number {'above' if open_low else 'from'} {low:g} {'and at most' if open_low else 'to'} {high:g}"

    return check


def _check_days(value: Any) -> str | None:
    if (
        not isinstance(value, list | tuple)
        or not value
        or any(d not in WEEKDAYS[:5] for d in value)
        or len(set(value)) != len(value)
    ):
        return 'a list of different weekdays such as ["mon", "wed", "thu"]'
    return None


def _check_label(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "some text to show in the report"


#: The baseline put first when no scenario leaves the school as it is.
AS_NOW = Scenario(name="baseline", label="As now")


#: Every key a scenario may set, with its check (``None`` when the value is fine).
SCENARIO_KEYS = {
    "label": _check_label,
    "sendco_days": _check_days,
    "extra_sendco_days": _check_int(0, 4),
    "send_hours_per_day": _check_number(0, 12, open_low=True),
    "assistant_days_per_week": _check_int(0, 5),
    "assistant_hours_per_day": _check_number(0, 12, open_low=True),
    "surgeries_per_week": _check_int(0, 15),
    "extra_surgeries_per_week": _check_int(-15, 15),
    "meeting_minutes": _check_int(5, 180),
    "annual_review_minutes": _check_int(15, 240),
    "surgery_minutes": _check_int(5, 60),
    "class_teacher_led_share": _check_number(0, 1),
    "request_growth": _check_number(-1, 5, open_low=True),
}
_EXCLUSIVE = (
    ("sendco_days", "extra_sendco_days"),
    ("surgeries_per_week", "extra_surgeries_per_week"),
)


def parse_scenarios(
    spec: Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]], source: str = "scenarios"
) -> list[Scenario]:
    """Scenarios from a mapping of name to changes (a TOML file) or a list of dicts.

    In a list, each dict has a ``name``. Every problem is reported at once (an unknown
    key with the nearest known one, a bad value with what was expected). A scenario that
    changes nothing is the baseline; if there is none, one called ``baseline`` ("As now")
    is put first.
    """
    problems: list[str] = []
    entries: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(spec, Mapping):
        for name, values in spec.items():
            if not isinstance(values, Mapping):
                problems.append(f"[{name}]: a table of changes (found {values!r})")
                continue
            entries.append((str(name), values))
    elif isinstance(spec, Sequence) and not isinstance(spec, str):
        for number, values in enumerate(spec, start=1):
            if not isinstance(values, Mapping):
                problems.append(f"scenario #{number}: a dict of changes (found {values!r})")
                continue
            name = values.get("name")
            if not isinstance(name, str) or not name.strip():
                problems.append(f"scenario #{number}: a 'name'")
                continue
            entries.append((name.strip(), {k: v for k, v in values.items() if k != "name"}))
    else:
        raise ScenarioError(["a table per scenario, or a list of dicts"], source)
    if not entries and not problems:
        problems.append("at least one scenario")
    names = [n for n, _ in entries]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"[{duplicate}]: a different name for each scenario")

    scenarios = []
    for name, values in entries:
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if key not in SCENARIO_KEYS:
                near = difflib.get_close_matches(key, list(SCENARIO_KEYS), n=1)
                hint = f" (did you mean {near[0]}?)" if near else ""
                problems.append(
                    f"[{name}] {key}: unknown key{hint}; known keys: {', '.join(SCENARIO_KEYS)}"
                )
                continue
            why = SCENARIO_KEYS[key](value)
            if why:
                problems.append(f"[{name}] {key} = {value!r}: expected {why}")
                continue
            clean[key] = tuple(value) if key == "sendco_days" else value
        for first, second in _EXCLUSIVE:
            if first in clean and second in clean:
                problems.append(f"[{name}]: set {first} or {second}, not both")
        scenarios.append(Scenario(name=name, **clean))
    if problems:
        raise ScenarioError(problems, source)
    if not any(s.is_baseline for s in scenarios):
        scenarios.insert(0, AS_NOW)
    return scenarios


def resolve_scenarios_file(path: str | Path) -> Path:
    """A scenarios file as given, or relative to the repository when that is where it is."""
    return from_repository(path)


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read scenarios from a TOML file, one table per scenario (see :func:`parse_scenarios`)."""
    file = resolve_scenarios_file(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no scenarios file at {file}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"valid TOML ({exc})"], file.name) from None
    return parse_scenarios(raw, source=file.name)


def baseline_of(scenarios: Sequence[Scenario]) -> Scenario:
    """The first scenario that changes nothing (the one others are compared with)."""
    return next(s for s in scenarios if s.is_baseline)


def as_scenarios(
    spec: Sequence[Scenario] | Sequence[Mapping[str, Any]] | Mapping[str, Mapping] | None,
) -> list[Scenario]:
    """The scenarios to simulate, a baseline among them.

    ``spec`` may be parsed scenarios, a list of dicts or a mapping as in a TOML file
    (checked by :func:`parse_scenarios`); ``None`` is the baseline alone.
    """
    if spec is None:
        return [AS_NOW]
    if all(isinstance(s, Scenario) for s in spec):
        parsed = list(spec)
        if not any(s.is_baseline for s in parsed):
            parsed.insert(0, AS_NOW)
        return parsed
    return parse_scenarios(spec)  # type: ignore[arg-type]
