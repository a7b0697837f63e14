"""Issue 12 points 1, 2, 6, 8 and 9 in the outputs, worked by hand on the tiny school.

Tiny school (tests/fixtures/tiny), as of Fri 6 Mar 2026 (Spring 2026): P1 met 8 Oct and
14 Jan (met this term); P2 met 13 Nov, did not attend 21 Jan (meeting still owed this term);
P3 (EHC plan) no counting meeting this year, its 3 Dec review cancelled (not met this year);
P4 registered 10 Nov (meeting still owed this term); P5 monitored. Requests: R5 is a request
for information and R6 a meeting request, both open past their deadline.
"""

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

import sendlib
from sendlib.explorer.queries import caseload, headline_strip
from sendlib.explorer.views import todo_html
from sendlib.present import figures
from sendlib.present.leadership import coverage_table, leadership_summary
from sendlib.present.notebook import header
from sendlib.present.trust import NOT_ENGLISH_LAW, overview_table
from sendlib.rules.frame import SchoolGroup
from sendlib.rules.meetings import COVERAGE_LABELS
from sendlib.rules.overview import group_figures

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SAMPLES = Path(__file__).resolve().parents[2] / "data_samples"
AS_OF = dt.date(2026, 3, 6)


def tiny_copy(tmp_path: Path, meetings: dict[str, str] | None = None, nation: str = "") -> Path:
    """The tiny school with some meeting rows replaced (by id) and perhaps another nation."""
    folder = tmp_path / "tiny-copy"
    shutil.copytree(TINY, folder)
    path = folder / "meetings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    for meeting_id, row in (meetings or {}).items():
        found = [i for i, line in enumerate(lines) if line.startswith(f"{meeting_id},")]
        if found:
            lines[found[0]] = row
        else:
            lines.append(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if nation:
        toml = folder / "school.toml"
        toml.write_text(
            toml.read_text(encoding="utf-8").replace('nation = "england"', f'nation = "{nation}"'),
            encoding="utf-8",
        )
    return folder


def test_on_track_headline_names_both_statuses_in_domain_words():
    # Issue 12 point 2: on track = due_this_term or done_this_term: P1 met this term, P2 and
    # P4 with a meeting still owed this term: 3 of 4 (P3 not met this year).
    summary = leadership_summary(sendlib.load_school(TINY), AS_OF)
    sentence = summary.headline("on_track_share").sentence
    assert sentence.startswith("3 of 4 pupils")
    assert "1 met this term and 2 with a meeting still owed this term" in sentence
    assert "statutory three a year (Code of Practice 6.65)" in sentence
    assert summary.headline("never_met").title == "Pupils not met this year"
    chart = figures.coverage_status(summary.coverage)
    assert list(chart.data[0].y) == [
        "Not met this year",
        "Missed a term",
        "Meeting still owed this term",
        "Met this term",
    ]
    assert "On track" not in COVERAGE_LABELS.values()


def test_actions_count_no_meeting_yet_this_term_and_offers_not_taken_up(tmp_path):
    # Issue 12 points 1 and 6. P3's Autumn review (M5, 3 Dec) was offered and not attended,
    # and P3 is met on Wed 4 Feb: missed a term, met this term. DOMAIN's "No meeting yet this
    # term": P2 and P4 (due) = 2; every status but met this term would give 3 (P3 too).
    folder = tiny_copy(
        tmp_path,
        {
            "M5": "M5,P3,review,2025-12-03 15:30,30,T1,false,in_person,did_not_attend,,",
            "M8": "M8,P3,review,2026-02-04 15:30,30,T1,false,in_person,held,2026-02-05,",
        },
    )
    summary = leadership_summary(sendlib.load_school(folder), AS_OF)
    text = " ".join(summary.actions)
    assert "2 registered pupils have had no parent meeting in Spring 2026." in text
    assert "1 registered pupils missed a whole term" in text
    assert (
        'Of the term missed, 1 was "offered, family did not attend" (a review was booked and '
        'the family did not come) and 0 had "no meeting offered".'
    ) in text
    # Requests: one meeting request and one request for information, counted apart.
    assert "Acknowledge the 1 meeting request and 1 request for information open" in text
    assert "Of 4 meeting requests and 1 request for information whose deadline" in (
        summary.headline("on_time_share").sentence
    )
    cases = caseload(sendlib.load_school(folder), AS_OF)
    assert set(cases.pupils.filter(pl.col("no_meeting_this_term"))["pupil_id"]) == {"P2", "P4"}


def test_tables_have_words_for_headers_and_groups():
    # Issue 12 point 8: no column names (year_group, pupils) in a reader's table.
    summary = leadership_summary(sendlib.load_school(TINY), AS_OF)
    table = coverage_table(summary, "year_group")
    assert table.columns[:2] == ["Year group", "Pupils"]
    assert table["Year group"].to_list() == ["Year 2", "Year 3", "Year 4", "Year 6"]
    assert not any("_" in c or "suppressed" in c.lower() for c in table.columns)
    assert [header(c) for c in ("year_group", "pupils", "terms_missed", "Pupils")] == [
        "Year group",
        "Pupils",
        "Terms missed",
        "Pupils",
    ]


def test_a_chart_with_nothing_to_show_says_so_in_a_sentence():
    # Issue 12 point 8: every tiny year group has one registered pupil, so at threshold 5
    # every cell is hidden: no chart, a sentence. No EHC plan: no annual review chart.
    summary = leadership_summary(sendlib.load_school(TINY), AS_OF)
    _, empty = figures.chart_notes(
        figures.coverage_by_group(summary.coverage, "year_group", 5, "By year group")
    )
    assert empty and "smaller than 5 pupils" in empty
    _, empty = figures.chart_notes(figures.annual_review_deadlines(summary.reviews.head(0), 5))
    assert empty == "No EHC plan annual review falls due: no pupil has an EHC plan."
    # Three decided requests in Oct/Nov 2025 and two in Jan 2026: no month reaches 5.
    _, empty = figures.chart_notes(figures.on_time_by_month(summary.times, 5))
    assert empty and "fewer than 5 requests decided" in empty


def test_the_months_left_out_of_the_monthly_chart_are_named():
    # Issue 12 point 8: what the months under the threshold became is said, under the chart.
    school = sendlib.load_school(SAMPLES / "northgate-secondary")
    fig = figures.on_time_by_month(sendlib.response_times(school, AS_OF), 5)
    note, empty = figures.chart_notes(fig)
    hidden = [m for m, y in zip(fig.data[0].x, fig.data[0].y, strict=True) if y is None]
    assert empty is None and hidden
    assert note.startswith("No bar for ") and all(m in note for m in hidden)
    assert "still count in the year's share" in note
    assert not fig.layout.annotations  # printed as text under the chart, never clipped


@pytest.mark.parametrize("nation", ["wales", "scotland", "northern-ireland"])
def test_outside_england_only_the_schools_own_policy_figures_are_shown(tmp_path, nation):
    # Issue 12 point 9, DOMAIN.md "Where these rules apply": English statutory clocks only
    # for English schools. The tiny school's overdue annual review (P3) is left out.
    school = sendlib.load_school(tiny_copy(tmp_path, nation=nation))
    assert not school.config.applies_english_law
    summary = leadership_summary(school, AS_OF)
    assert "annual_reviews" not in {h.key for h in summary.headlines}
    assert "annual review" not in " ".join(summary.actions).lower()
    assert summary.law_note and "school's own policy figures only" in summary.law_note
    assert "the school's policy of three a year" in summary.headline("on_track_share").sentence
    assert "Code of Practice" not in summary.meetings_intro()
    cases = caseload(school, AS_OF)
    assert cases.reviews.is_empty()
    assert "annual_reviews_due" not in {h.key for h in headline_strip(cases, cases.pupils)}
    assert "school&#x27;s own policy figures only" in todo_html(cases, cases.pupils)
    england = sendlib.load_school(TINY)
    headlines = group_figures(SchoolGroup.of([england, school]), AS_OF).headlines
    table = overview_table(headlines)
    assert table["Annual reviews overdue"].to_list() == ["<5", NOT_ENGLISH_LAW]


def test_an_english_school_keeps_its_statutory_clocks():
    school = sendlib.load_school(TINY)
    assert school.config.applies_english_law and school.config.law_note is None
    assert "annual_reviews" in {h.key for h in leadership_summary(school, AS_OF).headlines}


def test_the_explorer_keeps_offered_apart_from_no_offer(tmp_path):
    # Issue 12 point 6 in the explorer: P3's Autumn review (M5) offered and not attended;
    # P3 is still without a meeting this term, listed as missed with the offer declined.
    folder = tiny_copy(
        tmp_path, {"M5": "M5,P3,review,2025-12-03 15:30,30,T1,false,in_person,did_not_attend,,"}
    )
    cases = caseload(sendlib.load_school(folder), AS_OF)
    page = todo_html(cases, cases.pupils)
    assert "(1 term missed: 1 offered, family did not attend)" in page
    plain = caseload(sendlib.load_school(TINY), AS_OF)
    assert "(1 term missed: 1 no meeting offered)" in todo_html(plain, plain.pupils)
