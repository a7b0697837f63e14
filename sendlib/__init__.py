"""sendlib: SENDCo caseload, parent partnership and capacity analytics.

The domain rules of ``DOMAIN.md`` live here; notebooks and the command line only call them.
"""

from sendlib.rules.annual_reviews import annual_reviews
from sendlib.rules.assessments import needs_assessments
from sendlib.rules.impact import intervention_impact
from sendlib.rules.meetings import review_coverage
from sendlib.rules.plans import plan_reviews, pupil_plans
from sendlib.rules.provision import provision_costs, pupil_provision
from sendlib.rules.requests import response_times
from sendlib.school.calendar import Closure, SchoolCalendar, Term
from sendlib.school.errors import CalendarRangeError, DataValidationError, Problem
from sendlib.school.load import School, load_school
from sendlib.school.policy import Policy

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
    "response_times",
    "review_coverage",
]
__version__ = "0.1.0"
