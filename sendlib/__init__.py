"""sendlib: SENDCo caseload, parent partnership and capacity analytics.

The domain rules of ``DOMAIN.md`` live here; notebooks and the command line only call them.
"""

from sendlib.calendar import Closure, SchoolCalendar, Term
from sendlib.errors import CalendarRangeError, DataValidationError, Problem
from sendlib.load import School, load_school
from sendlib.policy import Policy

__all__ = [
    "CalendarRangeError",
    "Closure",
    "DataValidationError",
    "Policy",
    "Problem",
    "School",
    "SchoolCalendar",
    "Term",
    "load_school",
]
__version__ = "0.1.0"
