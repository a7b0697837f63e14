"""sendlib: SENDCo caseload, parent partnership and capacity analytics.

The domain rules of ``DOMAIN.md`` live here; notebooks and the command line only call them.
"""

from sendlib.rules.annual_reviews import annual_reviews
from sendlib.rules.assessments import needs_assessments
from sendlib.rules.meetings import record_timeliness, review_coverage
from sendlib.rules.plans import plan_reviews, pupil_plans
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
    "load_school",
    "needs_assessments",
    "plan_reviews",
    "pupil_plans",
    "record_timeliness",
    "response_times",
    "review_coverage",
]
__version__ = "0.1.0"
