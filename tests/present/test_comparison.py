"""This term against last (issue 16 point 2), worked by hand on a tiny school with two years.

The school is the TINY fixture plus the 2024/25 terms, two more pupils and more requests,
with ``suppress_below = 3``. The report is as of Fri 6 Mar 2026, the 40th school day of
Spring 2026; the previous term is Autumn 2025 on its last day (Fri 19 Dec 2025) and the
same term last year is Spring 2025 on its 40th school day, Fri 7 Mar 2025 (half term
17-21 Feb 2025, as 16-20 Feb 2026).
"""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from conftest import TERMS_2024_25

import sendlib
from sendlib.present.comparison import (
    LAST_YEAR,
    PREVIOUS,
    RULES,
    compare_terms,
    comparison_html,
)
from sendlib.present.leadership import leadership_summary
from sendlib.present.runner import render_leadership_report

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
AS_OF = dt.date(2026, 3, 6)

LAST_YEAR_TERMS = "\n[policy]\nsuppress_below = 3\n" + TERMS_2024_25

#: Two pupils on SEN support since Autumn 2024, never met: "not met this year" both years.
PUPILS = """P6,3,K,SLCN,T1,2024-09-04,,M,false
P7,4,K,SEMH,T2,2024-09-04,,F,false
"""

#: Q: 2024/25, S: Spring 2026. School days taken are counted after the receipt day.
REQUESTS = """Q1,P1,2024-09-16,office,meeting,2024-09-17,meeting_offered
Q2,P2,2024-09-16,office,meeting,2024-09-18,meeting_offered
Q3,P1,2025-01-13,office,meeting,2025-01-14,meeting_offered
Q4,P2,2025-01-13,office,meeting,2025-01-27,meeting_offered
Q5,P3,2025-01-20,office,meeting,2025-02-03,meeting_offered
Q6,P1,2025-02-03,office,meeting,2025-02-25,meeting_offered
Q7,P2,2025-02-24,office,meeting,2025-03-10,meeting_offered
S1,P1,2026-01-12,office,meeting,2026-01-13,meeting_offered
S2,P2,2026-01-12,office,meeting,2026-01-14,meeting_offered
S3,P4,2026-02-02,office,meeting,2026-02-03,meeting_offered
S4,P1,2026-02-02,office,meeting,2026-02-04,meeting_offered
S5,P2,2026-02-23,office,meeting,,
"""


def two_years(folder: Path, requests: str = REQUESTS, spring: str = "Spring 2025") -> Path:
    """The TINY school with 2024/25 added: terms, pupils P6 and P7, requests."""
    shutil.copytree(TINY, folder)
    toml = folder / "school.toml"
    text = toml.read_text(encoding="utf-8") + LAST_YEAR_TERMS.replace("Spring 2025", spring)
    toml.write_text(text, encoding="utf-8")
    for name, rows in (("pupils.csv", PUPILS), ("requests.csv", requests)):
        with (folder / name).open("a", encoding="utf-8") as f:
            f.write(rows)
    return folder


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    school = sendlib.load_school(two_years(tmp_path_factory.mktemp("compare") / "two-years"))
    return compare_terms(school, leadership_summary(school, AS_OF))


def row(comparison, key):
    return next(r for r in comparison.rows if r.key == key)


def test_the_dates_are_the_previous_term_end_and_the_same_school_day_last_year(compared):
    previous, last_year = compared.points
    assert (previous.term.name, previous.as_of) == ("Autumn 2025", dt.date(2025, 12, 19))
    # 6 Mar 2026 is Spring 2026's 40th school day; Spring 2025's 40th is Fri 7 Mar 2025.
    assert (last_year.term.name, last_year.as_of) == ("Spring 2025", dt.date(2025, 3, 7))
    assert not previous.missing and not last_year.missing
    assert "Spring 2025 on Fri 07 Mar 2025, as far into the term as" in compared.notes()[0]


def test_on_time_share_rises_on_last_year_and_hides_a_small_last_term(compared):
    on_time = row(compared, "on_time_share")
    # A year's figures count the requests due in that school year, or still open (rules.requests).
    # Now (2025/26): on time R1, R3, S1-S4 (6); late R2; overdue R5, R6, S5: 6 / 10 = 60%.
    # 7 Mar 2025 (2024/25): on time Q1-Q3; late Q4-Q6; Q7 open past its due date: 3 / 7 = 42.9%.
    # Autumn 2025 end: on time R1, R3 (2, below 3); late R2 (R4 routed): hidden, so is its change.
    assert on_time.now.label == "60%" and on_time.then[LAST_YEAR].label == "43%"
    assert on_time.then[PREVIOUS].value is None
    assert on_time.changes[PREVIOUS].words.startswith("not shown")
    assert on_time.changes[LAST_YEAR].words == "up 17 points on the same term last year, better"
    assert on_time.changes[LAST_YEAR].arrow == "\u25b2"


def test_fewer_is_better_for_counts(compared):
    # Not met this year: P3, P6, P7 now; P1, P2, P3, P6, P7 on 7 Mar 2025 (no meeting yet).
    never = row(compared, "never_met")
    assert (never.now.label, never.then[LAST_YEAR].label) == ("3", "5")
    assert never.changes[LAST_YEAR].words == "down 2 on the same term last year, better"
    assert never.changes[LAST_YEAR].arrow == "\u25bc"
    # Open past their deadline: R5, R6, S5 now; none on 19 Dec 2025.
    overdue = row(compared, "open_overdue")
    assert (overdue.now.label, overdue.then[PREVIOUS].label) == ("3", "0")
    assert overdue.changes[PREVIOUS].words == "up 3 on last term, worse"


def test_a_small_count_on_either_side_hides_the_change(compared):
    # The other side small: Q7 alone was open past its deadline on 7 Mar 2025.
    overdue = row(compared, "open_overdue")
    assert overdue.then[LAST_YEAR].label == "<3"
    assert overdue.then[LAST_YEAR].value is None
    assert overdue.changes[LAST_YEAR].words.startswith("not shown")
    assert overdue.changes[LAST_YEAR].arrow == ""
    # This side small: P3's annual review is overdue now (1), none was before.
    reviews = row(compared, "annual_reviews")
    assert reviews.now.label == "<3" and reviews.then[PREVIOUS].label == "0"
    assert all(c.words.startswith("not shown") for c in reviews.changes.values())
    # A share: 0 of 5 on track on 7 Mar 2025 may not be shown, so neither may its change.
    on_track = row(compared, "on_track_share")
    assert on_track.now.label == "50%" and on_track.then[LAST_YEAR].label == "<3"
    assert on_track.changes[LAST_YEAR].words.startswith("not shown")
    text = comparison_html(compared)
    assert "<3" not in text and "&lt;3" in text
    for hidden in ("down 5", "up 2 on the same term", "up 1 on last term"):
        assert hidden not in text


def test_a_term_with_nothing_completed_is_not_compared_for_missed_terms(compared):
    # On 19 Dec 2025 no term had ended: no pupil could have missed one, "0" says nothing.
    never = row(compared, "never_met")
    assert never.changes[PREVIOUS].words.startswith("not comparable")


def test_every_headline_has_a_rule_and_time_is_neither_better_nor_worse(compared):
    assert {r.key for r in compared.rows} == set(RULES)
    time = row(compared, "utilisation")
    assert all(c.verdict is None for c in time.changes.values())
    assert all("better" not in c.words and "worse" not in c.words for c in time.changes.values())


def test_no_terms_last_year_is_said_in_words():
    school = sendlib.load_school(TINY)
    compared = compare_terms(school, leadership_summary(school, AS_OF))
    assert compared.points[1].summary is None
    assert (
        "No comparison with the same term last year: the calendar in school.toml has no "
        "terms for 2024/25." in compared.notes()
    )
    html = comparison_html(compared)
    assert "Autumn 2025, at its end" in html and "the same term last year" in html
    autumn = compare_terms(school, leadership_summary(school, dt.date(2025, 11, 20)))
    assert (
        "No comparison with last term: the calendar in school.toml has no term before "
        "Autumn 2025." in autumn.notes()
    )


def test_a_term_without_records_is_said_in_words(tmp_path):
    without_spring = "".join(r + "\n" for r in REQUESTS.splitlines() if r[:2] in {"Q1", "Q2"})
    folder = two_years(tmp_path / "school", without_spring)
    # TINY's M4, P3's annual review on 10 Mar 2025, is a record of Spring 2025 too.
    meetings = folder / "meetings.csv"
    lines = meetings.read_text(encoding="utf-8").splitlines(keepends=True)
    meetings.write_text("".join(x for x in lines if not x.startswith("M4,")), encoding="utf-8")
    school = sendlib.load_school(folder)
    compared = compare_terms(school, leadership_summary(school, AS_OF))
    assert compared.points[1].summary is None and compared.points[0].summary is not None
    assert (
        "No comparison with the same term last year: no records for Spring 2025 (no request "
        "or meeting is dated in it)." in compared.notes()
    )
    assert LAST_YEAR not in row(compared, "on_time_share").then


def test_term_names_are_escaped(tmp_path):
    school = sendlib.load_school(two_years(tmp_path / "school", spring="Spring <b>2025</b>"))
    html = comparison_html(compare_terms(school, leadership_summary(school, AS_OF)))
    assert "Spring &lt;b&gt;2025&lt;/b&gt;" in html and "<b>" not in html


def test_the_sample_compares_with_autumn_and_last_year_where_it_has_it(primary):
    compared = compare_terms(primary, leadership_summary(primary, AS_OF))
    previous, last_year = compared.points
    assert previous.term.name == "Autumn 2025" and previous.summary is not None
    # The samples gain their 2024/25 terms and records in another branch: both shapes hold.
    if any(t.start < dt.date(2025, 8, 1) for t in primary.calendar.terms):
        assert last_year.summary is not None and last_year.term.name == "Spring 2025"
    else:
        assert "no terms for 2024/25" in last_year.missing
    on_time = row(compared, "on_time_share")
    now, then = on_time.now.value, on_time.then[PREVIOUS].value
    moved = f"up {now - then} points" if now > then else f"down {then - now} points"
    verdict = "better" if now > then else "worse"
    expected = "no change on last term" if now == then else f"{moved} on last term, {verdict}"
    assert on_time.changes[PREVIOUS].words == expected.replace(" 1 points", " 1 point")


def test_the_rendered_report_shows_the_comparison_offline(tmp_path):
    school = two_years(tmp_path / "two-years")
    html = render_leadership_report(school, AS_OF, tmp_path / "outputs", progress=False)
    page = html.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|link)[^>]+(src|href)=\"https?:", page)
    assert "Against earlier terms" in page and '<table class="comparison">' in page
    assert "Autumn 2025, at its end (Fri 19 Dec 2025)" in page
    assert "Spring 2025, at the same point (Fri 07 Mar 2025)" in page
    # The arrows are for the eye; screen readers read the words beside them.
    # (nbconvert's sanitiser orders attributes by name.)
    arrow = '<span aria-hidden="true" class="arrow">\u25b2</span> '
    assert arrow + "up 17 points on the same term last year, better" in page
    assert "down 2 on the same term last year, better" in page
    # A hidden count on one side: its marker, and no change.
    assert "&lt;3" in page and "not shown: a figure on one side is too small to show" in page


def test_in_a_holiday_last_year_is_as_far_into_its_holiday(tmp_path):
    # Wed 1 Apr 2026 is 5 days after Spring 2026 ended (Fri 27 Mar): the report's term is
    # still Spring 2026, and last year's point is 5 days after Spring 2025 ended (Fri 4 Apr).
    school = sendlib.load_school(two_years(tmp_path / "school"))
    compared = compare_terms(school, leadership_summary(school, dt.date(2026, 4, 1)))
    assert compared.term.name == "Spring 2026"
    previous, last_year = compared.points
    assert previous.as_of == dt.date(2025, 12, 19)
    assert (last_year.term.name, last_year.as_of) == ("Spring 2025", dt.date(2025, 4, 9))
