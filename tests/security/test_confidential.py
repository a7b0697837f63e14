"""Confidential by design: outputs that can name pupils say so on screen and in print."""

import datetime as dt

from conftest import TINY

import sendlib
from sendlib.cli import CONFIDENTIAL
from sendlib.explorer.queries import caseload
from sendlib.explorer.views import header_html

MARK = "Confidential: contains pupil information"


def test_the_explorer_page_is_marked_at_its_top_in_plain_text():
    cases = caseload(sendlib.load_school(TINY), dt.date(2026, 3, 6))
    header = header_html(cases)
    # Plain text before the title: on screen, and at the top of a printout.
    assert f'<p class="confidential" role="note">{MARK}.</p><h1>' in header
    assert "@media print" not in header  # nothing hides it when printed


def test_schedules_and_calendars_are_marked_where_they_are_written():
    # A CSV has no place for a comment line: the command says it beside its "wrote" lines.
    assert CONFIDENTIAL.startswith(MARK)
