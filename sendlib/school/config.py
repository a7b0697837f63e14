"""``school.toml``: the school, its SENDCo's working pattern, policy, terms and closures.

Every key is checked; an unknown key (a typo such as ``suppres_below``) is a problem,
never silently ignored, because a silently ignored policy is a wrong report.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sendlib.school.calendar import (
    NATION_SUBDIVISIONS,
    WEEKDAYS,
    Closure,
    SchoolCalendar,
    Term,
    parse_periods,
)
from sendlib.school.errors import DataValidationError, Problem
from sendlib.school.policy import Policy, policy_problems

PHASES = ("primary", "secondary", "all-through", "special")
DATE_FORMATS = ("iso", "dd/mm/yyyy")
#: Year groups whose EHC plans face a phase-transfer deadline (DOMAIN.md "An annual
#: review"); an infant school sets [2], a middle school its last year.
DEFAULT_TRANSFER_YEARS = {
    "primary": (6,),
    "secondary": (11,),
    "all-through": (6, 11),
    "special": (6, 11),
}
#: Nations with their own SEND law (ALN in Wales, ASL in Scotland, SEN in Northern Ireland).
OTHER_LAW_NATIONS = {
    "wales": "Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}

_SCHOOL_KEYS = {
    "name", "phase", "transfer_year_groups", "transfer_year_group", "sixth_form", "nation",
    "date_format",
}  # fmt: skip
_SENDCO_KEYS = {"working_days", "day_starts", "day_ends", "send_hours_per_day"}
_TOP_KEYS = {"school", "sendco", "policy", "terms", "closures"}
FILE = "school.toml"


@dataclass(frozen=True)
class SendcoPattern:
    """When the SENDCo works and how much of it is protected for SEND work."""

    working_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    day_starts: dt.time = dt.time(8, 30)
    day_ends: dt.time = dt.time(16, 0)
    send_hours_per_day: float = 5.0


@dataclass(frozen=True)
class SchoolConfig:
    """Everything in ``school.toml``, validated."""

    name: str
    phase: str
    #: The year groups with a phase-transfer deadline (``transfer_year_groups``).
    transfer_year_groups: tuple[int, ...]
    nation: str
    date_format: str
    sendco: SendcoPattern
    policy: Policy
    terms: tuple[Term, ...]
    closures: tuple[Closure, ...] = field(default=())
    #: Whether the school has a sixth form (Year 11 pupils may stay on: DOMAIN.md).
    sixth_form: bool = False

    def calendar(self) -> SchoolCalendar:
        """The school calendar these settings describe."""
        return SchoolCalendar(self.terms, self.closures, self.nation, self.sendco.working_days)

    @property
    def applies_english_law(self) -> bool:
        """Whether the English statutory clocks apply (DOMAIN.md, "Where these rules apply").

        They are English law; a school in Wales, Scotland or Northern Ireland is measured on
        its own policy figures only. A school without a nation (``none``) is taken as English.
        """
        return self.nation not in OTHER_LAW_NATIONS

    @property
    def law_note(self) -> str | None:
        """The one sentence outputs give where English law does not apply, else ``None``."""
        if self.applies_english_law:
            return None
        return (
            f"This school is in {OTHER_LAW_NATIONS[self.nation]}: the statutory clocks of "
            "England's SEND Code of Practice (three parent meetings a year, EHC plan annual "
            "reviews and needs-assessment deadlines) do not apply there, so this output shows "
            "the school's own policy figures only."
        )


def load_config(path: Path) -> SchoolConfig:
    """Read and validate ``school.toml``; every problem is reported at once."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DataValidationError(
            [Problem(FILE, None, None, str(path), "a school.toml file in the school folder")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataValidationError(
            [Problem(FILE, None, None, None, f"valid TOML ({exc})")]
        ) from None
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> SchoolConfig:
    """Validate the parsed TOML of ``school.toml``."""
    problems: list[Problem] = []

    def problem(column: str, value: Any, expected: str) -> None:
        problems.append(
            Problem(FILE, None, column, None if value is None else str(value), expected)
        )

    def unknown(table: str, values: dict, allowed: set[str]) -> None:
        for key in values:
            if key not in allowed:
                where = f"[{table}] {key}" if table else key
                problem(where, key, f"a known key ({', '.join(sorted(allowed))})")

    unknown("", raw, _TOP_KEYS)
    school = _table(raw, "school", problem)
    sendco = _table(raw, "sendco", problem)
    policy_raw = _table(raw, "policy", problem)
    unknown("school", school, _SCHOOL_KEYS)
    unknown("sendco", sendco, _SENDCO_KEYS)

    name = school.get("name")
    if not isinstance(name, str) or not name.strip():
        problem("[school] name", name, "the school's name")
        name = ""
    phase = school.get("phase")
    if phase not in PHASES:
        problem("[school] phase", phase, f"one of {', '.join(PHASES)}")
        phase = "primary"
    nation = school.get("nation", "england")
    if nation not in NATION_SUBDIVISIONS:
        problem("[school] nation", nation, f"one of {', '.join(NATION_SUBDIVISIONS)}")
        nation = "none"
    date_format = school.get("date_format", "iso")
    if date_format not in DATE_FORMATS:
        problem("[school] date_format", date_format, '"iso" or "dd/mm/yyyy"')
        date_format = "iso"
    transfer = _transfer_years(school, phase, problem)
    sixth_form = school.get("sixth_form", False)
    if not isinstance(sixth_form, bool):
        problem("[school] sixth_form", sixth_form, "true or false")
        sixth_form = False

    pattern = _sendco_pattern(sendco, problem)
    for key, expected in policy_problems(policy_raw):
        problem(f"[policy] {key}", policy_raw.get(key), expected)
    policy = Policy(**{k: v for k, v in policy_raw.items() if not policy_problems({k: v})})

    terms = parse_periods(raw.get("terms"), "terms", problem, required=True)
    closures = parse_periods(raw.get("closures", []), "closures", problem, required=False)
    ordered = sorted(terms, key=lambda t: t.start)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start <= before.end:
            problem(
                f"[[terms]] {after.name}",
                f"{after.start}",
                f"a start after the end of {before.name} ({before.end}): terms must not overlap",
            )
    names = [t.name for t in terms]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problem("[[terms]] name", duplicate, "a different name for each term")
    # A term left out for bad dates would make its half terms look misplaced: check
    # closures only once every term is valid, so each mistake is reported once.
    every_term_valid = isinstance(raw.get("terms"), list) and len(terms) == len(raw["terms"])
    for closure in closures:
        inside = any(t.start <= closure.start and closure.end <= t.end for t in terms)
        if terms and every_term_valid and not inside:
            problem(
                f"[[closures]] {closure.name}",
                f"{closure.start} to {closure.end}",
                "dates inside one term (half terms and INSET days fall within a term's dates)",
            )

    if problems:
        raise DataValidationError(problems)
    return SchoolConfig(
        name=name.strip(),
        phase=phase,
        transfer_year_groups=transfer,
        nation=nation,
        date_format=date_format,
        sendco=pattern,
        policy=policy,
        terms=tuple(ordered),
        closures=tuple(closures),
        sixth_form=sixth_form,
    )


def _is_year(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 1 <= value <= 13


def _transfer_years(school: dict, phase: str, problem) -> tuple[int, ...]:
    """``transfer_year_groups`` as a list; the older ``transfer_year_group = N`` reads as [N]."""
    default = DEFAULT_TRANSFER_YEARS[phase]
    if "transfer_year_groups" in school and "transfer_year_group" in school:
        problem(
            "[school] transfer_year_group",
            school["transfer_year_group"],
            "only one of transfer_year_groups or transfer_year_group (the older, single form)",
        )
        return default
    if "transfer_year_group" in school:
        single = school["transfer_year_group"]
        if not _is_year(single):
            problem("[school] transfer_year_group", single, "a year group from 1 to 13")
            return default
        return (single,)
    years = school.get("transfer_year_groups", list(default))
    if not isinstance(years, list) or not all(_is_year(y) for y in years):
        problem(
            "[school] transfer_year_groups",
            years,
            "a list of year groups from 1 to 13, such as [6] or [6, 11] (may be empty)",
        )
        return default
    return tuple(sorted(set(years)))


def _table(raw: dict, key: str, problem) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        problem(f"[{key}]", value, "a table")
        return {}
    return value


def _time(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.strptime(value.strip(), "%H:%M").time()
        except ValueError:
            return None
    return None


def _sendco_pattern(sendco: dict, problem) -> SendcoPattern:
    default = SendcoPattern()
    days = sendco.get("working_days", list(default.working_days))
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS[:5] for d in days):
        problem("[sendco] working_days", days, 'a list of weekdays such as ["mon", "wed", "thu"]')
        days = list(default.working_days)
    starts = _time(sendco.get("day_starts", "08:30"))
    ends = _time(sendco.get("day_ends", "16:00"))
    if starts is None:
        problem("[sendco] day_starts", sendco.get("day_starts"), 'a time such as "08:30"')
        starts = default.day_starts
    if ends is None:
        problem("[sendco] day_ends", sendco.get("day_ends"), 'a time such as "16:00"')
        ends = default.day_ends
    length_hours = dt.datetime.combine(dt.date.min, ends) - dt.datetime.combine(dt.date.min, starts)
    length = length_hours.total_seconds() / 3600
    if length <= 0:
        problem("[sendco] day_ends", sendco.get("day_ends"), "a time after day_starts")
    hours = sendco.get("send_hours_per_day", default.send_hours_per_day)
    if (
        isinstance(hours, bool)
        or not isinstance(hours, int | float)
        or not 0 < hours <= max(length, 0)
    ):
        problem(
            "[sendco] send_hours_per_day",
            hours,
            f"hours above 0 and no more than the working day ({length:g} hours)",
        )
        hours = default.send_hours_per_day
    return SendcoPattern(tuple(dict.fromkeys(days)), starts, ends, float(hours))
