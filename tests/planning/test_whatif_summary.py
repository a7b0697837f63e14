"""What-if results in words: comparison sentences, the summary table and the stated assumptions."""

import datetime as dt
import re
from pathlib import Path

import pytest

from sendlib.planning import whatif
from sendlib.planning.whatif.summary import _why_worse
from sendlib.rules.requests import response_summary, response_times

ROOT = Path(__file__).resolve().parents[2]
SECONDARY = ROOT / "data_samples" / "northgate-secondary"
SCENARIOS = ROOT / "data_samples" / "scenarios.toml"
AS_OF = dt.date(2026, 3, 6)


@pytest.fixture(scope="module")
def secondary_result(secondary):
    return whatif.simulate(secondary, whatif.load_scenarios(SCENARIOS), AS_OF, runs=200, seed=3)


def test_comparison_sentences_read_as_the_issue_asks(secondary_result):
    sentences = whatif.comparison_sentences(secondary_result)
    assert len(sentences) == 6
    assert sentences[0].startswith("As now: on-time acknowledgements ")
    pattern = re.compile(
        r"^One more SENDCo day: on-time acknowledgements \d+% to \d+% \(80% band \d+-\d+%\)"
    )
    assert pattern.match(sentences[1]), sentences[1]
    table = whatif.summary_table(secondary_result)
    assert table.height == 6 and table.columns[0] == "Scenario"
    assert re.fullmatch(r"\d+% \(\d+-\d+%\)", table[whatif.METRICS["on_time_share"]][0])


def test_assumptions_state_the_fitted_inputs(secondary_result):
    notes = " ".join(whatif.assumptions(secondary_result))
    assert "200 runs per scenario" in notes and "requests" in notes
    assert "already works every weekday" in notes  # the extra day became hours


def test_the_baseline_says_why_it_differs_from_the_leadership_report(secondary, secondary_result):
    # Issue 12 point 10: the report's 86% (Northgate, year to date to 6 Mar 2026) is not the
    # simulated rest of the year; the baseline sentence names both windows and the figure.
    overall = response_summary(response_times(secondary, AS_OF).filter("this_year")).row(
        0, named=True
    )
    report = f"{overall['on_time_share']:.0%}"  # the leadership report's headline
    first = whatif.comparison_sentences(secondary_result)[0]
    assert report == "86%"
    assert f"the leadership report's {report} of requests acknowledged in time" in first
    assert "simulated days only, 09 Mar 2026 to 21 Jul 2026" in first
    assert "for the year so far, to 06 Mar 2026" in first


def test_a_lever_that_makes_a_figure_worse_says_why():
    # Worse beyond the baseline's band: the lever's reason; inside it: chance, said as such.
    surgeries = _why_worse({"extra_surgeries_per_week": 2}, [("median_days_to_meeting", False)])
    assert surgeries == (
        " Worse median school days to a meeting: surgeries are protected time that replies "
        "and booked meetings can then no longer use."
    )
    growth = _why_worse({"request_growth": 0.2}, [("backlog_year_end", True)])
    assert "more requests arrive for the same SENDCo time" in growth and "may be chance" in growth
    assert "within chance" in _why_worse({"extra_sendco_days": 1}, [("on_time_share", True)])
    assert _why_worse({"extra_sendco_days": 1}, []) == ""


def test_a_school_outside_england_is_not_measured_on_englands_annual_review_clock(school):
    """Issue 12 point 9 (DOMAIN.md, "Where these rules apply"): annual reviews within 12
    months are English law, so a school in Wales sees no "Annual reviews late" metric in
    the what-if table, sentences or chart; its own policy figures stay."""
    from conftest import edit

    from sendlib import load_school
    from sendlib.present import whatif_figures

    edit(school, "school.toml", 'nation = "england"', 'nation = "wales"')
    welsh = load_school(school)
    result = whatif.simulate(welsh, None, AS_OF, runs=20, seed=1)
    assert "annual_reviews_late" not in whatif.summarise(result)["metric"].to_list()
    columns = whatif.summary_table(result).columns
    assert "Annual reviews late" not in columns
    assert "Requests acknowledged within 5 school days" in columns
    assert not any("annual review" in s.lower() for s in whatif.comparison_sentences(result))
    titles = [a.text for a in whatif_figures.outcome_bands(result).layout.annotations]
    assert "Annual reviews late" not in titles and len(titles) == 5
