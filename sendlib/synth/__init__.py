"""synth: deterministic synthetic sample schools, and sets of them for trust demonstrations."""

from sendlib.synth.calendars import (
    CLOSURES_2024_25,
    CLOSURES_2025_26,
    DEFAULT_AS_OF,
    TERMS_2024_25,
    TERMS_2025_26,
    term_dates_2025_26,
    term_dates_both_years,
)
from sendlib.synth.generator import (
    DEFAULT_NAMES,
    SyntheticSchool,
    generate_school,
    simulate_school,
)
from sendlib.synth.trust import generate_trust

__all__ = [
    "CLOSURES_2024_25",
    "CLOSURES_2025_26",
    "DEFAULT_AS_OF",
    "DEFAULT_NAMES",
    "TERMS_2024_25",
    "TERMS_2025_26",
    "SyntheticSchool",
    "generate_school",
    "generate_trust",
    "simulate_school",
    "term_dates_2025_26",
    "term_dates_both_years",
]
