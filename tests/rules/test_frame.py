"""The many-school frame: calendar problems named per school, folder names unique."""

import datetime as dt

import pytest

import sendlib
from sendlib.rules.frame import SchoolGroup, calendar_problems
from sendlib.rules.requests import group_response_times


def test_a_school_outside_its_calendar_is_named(mixed_schools):
    group = SchoolGroup.of(mixed_schools)
    late = dt.date(2026, 9, 10)
    problems = calendar_problems(group, late)
    assert set(problems) == {s.slug for s in mixed_schools}
    with pytest.raises(sendlib.CalendarRangeError, match="Harbourside Primary"):
        group_response_times(group, late)


def test_folder_names_must_be_unique_in_a_group(mixed_schools):
    with pytest.raises(ValueError, match="unique"):
        SchoolGroup.of([mixed_schools[0], mixed_schools[0]])
