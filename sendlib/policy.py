"""School policy: the defaults of DOMAIN.md, each overridable in ``school.toml [policy]``.

Statutory rules (three meetings a year as a minimum, annual reviews every 12 months,
two weeks' notice of an annual review, phase-transfer deadlines) are not here: a school
cannot switch them off. Everything a school may set differently is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Policy:
    """A school's local choices; field defaults are the seed policies' values."""

    #: Acknowledge every SENDCo meeting request within this many school days (seed 000).
    acknowledge_within_school_days: int = 5
    #: Most SENDCo meetings last about 30 minutes (seed 000).
    meeting_minutes: int = 30
    #: Annual reviews may last up to 60 minutes (seed 000).
    annual_review_minutes: int = 60
    #: Parent surgeries: 20-25 minute meetings, two per protected lesson (seed 001).
    surgery_minutes: int = 25
    surgeries_per_week: int = 2
    meetings_per_surgery: int = 2
    #: Code of Practice 6.65: at least three meetings a year with parents on SEN support.
    min_parent_meetings_per_year: int = 3
    #: Leadership reports show counts under this as "<5".
    suppress_below: int = 5
    #: The written record of a meeting goes to parents within this many school days (seed 001).
    record_within_school_days: int = 5
    #: SENDCo time before a meeting (agreeing its purpose, reading) and after it
    #: (the written record, following up actions), in minutes.
    preparation_minutes: int = 10
    write_up_minutes: int = 15
    #: Annual reviews are flagged "due soon" when their deadline is this many days away.
    due_soon_days: int = 42

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Policy:
        """Build a policy from ``[policy]``; unknown keys and bad values raise ``ValueError``."""
        problems = policy_problems(values)
        if problems:
            raise ValueError("; ".join(f"{key}: {why}" for key, why in problems))
        return cls(**values)

    def as_dict(self) -> dict[str, int]:
        """The policy as plain values, for reports and notebooks."""
        return asdict(self)


POLICY_KEYS = tuple(f.name for f in fields(Policy))

#: Keys that may be zero; every other policy number must be at least 1.
_MAY_BE_ZERO = {"surgeries_per_week", "preparation_minutes", "write_up_minutes", "due_soon_days"}


def policy_problems(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem with a ``[policy]`` table, as ``(key, what was expected)`` pairs."""
    problems = []
    for key, value in values.items():
        if key not in POLICY_KEYS:
            problems.append((key, f"a known policy key ({', '.join(POLICY_KEYS)})"))
            continue
        minimum = 0 if key in _MAY_BE_ZERO else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            problems.append((key, f"a whole number, at least {minimum}"))
    return problems
