"""sendlib: SENDCo caseload, parent partnership and capacity analytics.

The domain rules of ``DOMAIN.md`` live here; notebooks and the command line only call them.
Each function here takes its as-of date as a date or as text (``"2026-03-06"``, or the
school's own ``date_format``).

The names below are imported on first use (PEP 562 ``__getattr__``), not with the
package: every ``sendlib.X`` works as before, but importing one module of the package
(the explorer's kernel, ``sendlib --version``) no longer loads every rule and polars.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sendlib.rules.assessments import needs_assessments
    from sendlib.rules.impact import intervention_impact
    from sendlib.rules.plans import plan_reviews, pupil_plans
    from sendlib.rules.provision import provision_costs, pupil_provision
    from sendlib.school.calendar import Closure, SchoolCalendar, Term
    from sendlib.school.errors import CalendarRangeError, DataValidationError, Problem
    from sendlib.school.load import School, load_school
    from sendlib.school.policy import Policy

#: Each public name and the module it comes from.
_HOMES = {
    "CalendarRangeError": "sendlib.school.errors",
    "Closure": "sendlib.school.calendar",
    "DataValidationError": "sendlib.school.errors",
    "Policy": "sendlib.school.policy",
    "Problem": "sendlib.school.errors",
    "School": "sendlib.school.load",
    "SchoolCalendar": "sendlib.school.calendar",
    "Term": "sendlib.school.calendar",
    "annual_reviews": "sendlib.rules.annual_reviews",
    "intervention_impact": "sendlib.rules.impact",
    "load_school": "sendlib.school.load",
    "needs_assessments": "sendlib.rules.assessments",
    "plan_reviews": "sendlib.rules.plans",
    "provision_costs": "sendlib.rules.provision",
    "pupil_provision": "sendlib.rules.provision",
    "pupil_plans": "sendlib.rules.plans",
    "record_timeliness": "sendlib.rules.meetings",
    "response_times": "sendlib.rules.requests",
    "review_coverage": "sendlib.rules.meetings",
}

__all__ = [
    "CalendarRangeError",
    "Closure",
    "DataValidationError",
    "Policy",
    "Problem",
    "School",
    "SchoolCalendar",
    "Term",
    "annual_reviews",
    "intervention_impact",
    "load_school",
    "needs_assessments",
    "plan_reviews",
    "provision_costs",
    "pupil_provision",
    "pupil_plans",
    "record_timeliness",
    "response_times",
    "review_coverage",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Import a public name on first use and keep it, so later uses cost nothing."""
    if name not in _HOMES:
        raise AttributeError(f"module 'sendlib' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the ones not yet imported included."""
    return sorted({*globals(), *_HOMES})
