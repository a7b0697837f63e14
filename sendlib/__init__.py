"""sendlib: SENDCo caseload, parent partnership and capacity analytics.

The domain rules of ``DOMAIN.md`` live here; notebooks and the command line only call them.
Each function here takes its as-of date as a date or as text (``"2026-03-06"``, or the
school's own ``date_format``).
"""

from sendlib.rules import annual_reviews as _annual_reviews
from sendlib.rules import meetings as _meetings
from sendlib.rules import requests as _requests
from sendlib.rules.assessments import needs_assessments
from sendlib.rules.impact import intervention_impact
from sendlib.rules.meetings import record_timeliness
from sendlib.rules.plans import plan_reviews, pupil_plans
from sendlib.rules.provision import provision_costs, pupil_provision
from sendlib.school.asof import accepts_date_text
from sendlib.school.calendar import Closure, SchoolCalendar, Term
from sendlib.school.errors import CalendarRangeError, DataValidationError, Problem
from sendlib.school.load import School, load_school
from sendlib.school.policy import Policy

# These reach the many-school rules with the date as given: text is read here first.
response_times = accepts_date_text(_requests.response_times)
review_coverage = accepts_date_text(_meetings.review_coverage)
record_timeliness = accepts_date_text(record_timeliness)
annual_reviews = accepts_date_text(_annual_reviews.annual_reviews)

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
