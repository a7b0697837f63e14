"""The leadership report: headline figures equal the API's, privacy rules hold, HTML is offline."""

import datetime as dt
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

import sendlib
from sendlib.cli import main
from sendlib.present.leadership import coverage_table, leadership_summary
from sendlib.present.privacy import WITHHELD, show_count, show_share
from sendlib.present.runner import render_leadership_report
from sendlib.rules.requests import response_summary

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "northgate-secondary"
AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="module")
def tiny_summary():
    return leadership_summary(sendlib.load_school(TINY), AS_OF)


def test_headlines_are_worked_by_hand_for_the_tiny_school(tiny_summary):
    # Requests as of 6 Mar 2026: R1 on time, R3 on time, R2 late (6 days), R5 and R6 open
    # past their due dates, R4 safeguarding (routed). On-time share = 2 / (2 + 1 + 2).
    assert tiny_summary.headline("on_time_share").number == pytest.approx(0.4)
    assert tiny_summary.headline("on_time_share").value == "40%"
    assert tiny_summary.headline("open_overdue").number == 2
    # Registered by 6 Mar: P1, P2, P3, P4. P3 (no meeting, autumn completed) never met;
    # the other three are on track (P2 and P4 still owe a spring meeting).
    assert tiny_summary.headline("on_track_share").number == pytest.approx(0.75)
    assert tiny_summary.headline("never_met").number == 1
    # P3 is in Year 6 (transfer year), last reviewed 10 Mar 2025: deadline 14 Feb 2026, overdue.
    assert tiny_summary.headline("annual_reviews").value == "1 / 0"


def test_headlines_equal_the_api(tiny_summary):
    school = tiny_summary.school
    overall = response_summary(sendlib.response_times(school, AS_OF)).row(0, named=True)
    coverage = sendlib.review_coverage(school, AS_OF)
    reviews = sendlib.annual_reviews(school, AS_OF)
    assert tiny_summary.headline("on_time_share").number == overall["on_time_share"]
    assert tiny_summary.headline("open_overdue").number == overall["open_overdue"]
    assert tiny_summary.headline("on_track_share").number == coverage["on_track"].mean()
    assert tiny_summary.headline("never_met").number == (coverage["status"] == "never_met").sum()
    assert tiny_summary.headline("annual_reviews").number == (reviews["status"] == "overdue").sum()
    every = {h.key for h in tiny_summary.headlines}
    assert every == {
        "on_time_share",
        "open_overdue",
        "on_track_share",
        "never_met",
        "annual_reviews",
        "utilisation",
    }
    assert all(h.sentence.endswith(".") for h in tiny_summary.headlines)


def test_actions_are_derived_from_the_data(tiny_summary):
    text = " ".join(tiny_summary.actions)
    # R5 is a request for information, R6 a meeting request (issue 12 point 6).
    assert "Acknowledge the 1 meeting request and 1 request for information" in text
    assert "26 January 2026" in text  # the oldest open request (R5)
    assert "overdue EHC plan annual reviews" in text
    # Small groups are never named with a count: 2 pupils owe a meeting; no year group named.
    assert "are in Year" not in text


def test_small_counts_are_suppressed():
    assert show_count(4, 5) == "<5"
    # DfE practice (issue 12 point 11): a true zero names no pupil and is shown.
    assert show_count(0, 5) == "0"
    assert show_count(5, 5) == "5"
    assert show_share(3, 40, 5) == "<5"
    assert show_share(2, 3, 5) == "<5"
    assert show_share(20, 40, 5) == "50%"
    assert [show_count(n, 5) for n in (3, 12)] == ["<5", "12"]


def test_coverage_table_suppresses_every_small_group(tiny_summary):
    table = coverage_table(tiny_summary, "year_group")
    # Every year group in the tiny school has one registered pupil: all hidden, the zeros
    # too (they would say which status each lone pupil is in).
    assert set(table["Pupils"].to_list()) == {"<5"}
    assert set(table["On track (%)"].to_list()) == {"<5"}
    statuses = [c for c in table.columns if c not in ("Year group", "Pupils", "On track (%)")]
    assert {table[c][i] for c in statuses for i in range(table.height)} == {"<5"}


def test_coverage_table_hides_shares_that_reveal_small_counts():
    school = sendlib.load_school(SAMPLE)
    summary = leadership_summary(school, AS_OF)
    table = coverage_table(summary, "year_group")
    raw = sendlib.review_coverage(school, AS_OF)
    shown = 0
    for row in table.iter_rows(named=True):
        group = raw.filter(("Year " + pl.col("year_group")) == row["Year group"])
        on_track = int(group["on_track"].sum())
        if min(on_track, group.height - on_track, group.height) < 5:
            # Issue 12 point 11: count, complement and total must all reach the threshold.
            assert row["On track (%)"] in ("<5", WITHHELD)
        elif row["On track (%)"] not in ("<5", WITHHELD):
            assert row["On track (%)"] == f"{round(on_track / group.height * 100)}%"
            shown += 1
        assert row["Pupils"] in (str(group.height), "<5", WITHHELD)
    assert shown >= 1


def test_report_cli_past_the_calendar_is_a_plain_error(capsys, tmp_path):
    code = main(["report", str(TINY), "--as-of", "2026-11-23", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "add that school year's [[terms]]" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    school = shutil.copytree(SAMPLE, out / "northgate-secondary")
    html = render_leadership_report(school, as_of=AS_OF, out_dir=out / "outputs", progress=False)
    return sendlib.load_school(school), html.read_text(encoding="utf-8"), html


def test_report_is_written_with_its_executed_notebook(rendered):
    _, _, html = rendered
    assert html.name == "leadership_report.html" and html.parent.name == "northgate-secondary"
    assert (html.parent / "leadership_report.ipynb").exists()


def test_report_fetches_nothing_and_shows_no_code(rendered):
    _, text, _ = rendered
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+href=\"https?:", text)
    assert 'class="jp-InputArea' not in text and "In&nbsp;[" not in text
    visible = re.sub(r"<(script|style).*?</\1>", "", text, flags=re.S)
    assert "Traceback" not in visible and "Warning" not in visible and "stderr" not in visible
    assert text.count("plotly.js v") >= 1  # embedded, not fetched
    assert text.count('class="plotly-graph-div"') >= 5


def test_report_carries_no_pupil_ids_or_names(rendered):
    school, text, _ = rendered
    visible = re.sub(r"<script.*?</script>", "", text, flags=re.S)
    ids = school.pupils["pupil_id"].to_list()
    found = [i for i in ids if re.search(rf"\b{re.escape(i)}\b", visible)]
    assert not found
    if "display_name" in school.pupils.columns:
        names = [n for n in school.pupils["display_name"].drop_nulls().to_list() if n in visible]
        assert not names
    # Chart data lives in scripts: no pupil ID there either.
    scripts = "".join(re.findall(r"Plotly.newPlot\((.*?)\)\s*};?", text, flags=re.S))
    assert not [i for i in ids if f'"{i}"' in scripts]


def test_report_headlines_match_the_api_on_the_sample(rendered):
    school, text, _ = rendered
    summary = leadership_summary(school, AS_OF)
    for headline in summary.headlines:
        assert headline.value.replace("/", "").split()[0] in text
        assert headline.title.split(":")[0] in text


def test_annual_review_actions_show_passed_dates_as_passed():
    # Issue 12 point 5: as of Mon 2 Feb 2026 the tiny school's P3 (deadline Sat 14 Feb, due
    # soon, not booked) had to be invited by Sat 31 Jan 2026: shown as passed, with its date
    # and the school day before it (Fri 30 Jan), never moved to the as-of date.
    summary = leadership_summary(sendlib.load_school(TINY), dt.date(2026, 2, 2))
    text = " ".join(summary.actions)
    assert (
        "the first invite-by date, Saturday 31 January 2026 (not a school day: by Friday 30 "
        "January 2026), has passed" in text
    )
    assert "02 February 2026" not in text


def test_annual_review_headline_counts_and_dates_as_of_1_december_2025():
    # Issue 12 points 3-4, primary sample as of Mon 1 Dec 2025: 4 overdue (not 2), one plan
    # with no review on record (a data gap, <5 through the threshold). The transfer deadline,
    # Sat 14 Feb 2026, is not a school day: Fri 13 Feb; hold by Sat 22 Nov 2025: Fri 21 Nov.
    school = sendlib.load_school(SAMPLE.parent / "harbourside-primary")
    summary = leadership_summary(school, dt.date(2025, 12, 1))
    assert "Hold the 4 overdue EHC plan annual reviews" in " ".join(summary.actions)
    sentence = summary.headline("annual_reviews").sentence
    assert "(not a school day: by Friday 13 February 2026)" in sentence
    assert "(not a school day: by Friday 21 November 2025)" in sentence
    assert "<5 EHC plans have no last review on record" in sentence
