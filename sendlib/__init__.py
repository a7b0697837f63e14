"""sendlib: SENDCo caseload, parent partnership and capacity analytics.

The domain rules of ``DOMAIN.md`` live here; notebooks and the command line only call them.
"""

from sendlib.calendar import Closure, SchoolCalendar, Term
from sendlib.coverage import annual_reviews, review_coverage
from sendlib.errors import CalendarRangeError, DataValidationError, Problem
from sendlib.load import School, load_school
from sendlib.policy import Policy
from sendlib.responses import response_times

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
    "response_times",
    "review_coverage",
]
__version__ = "0.1.0"
