"""The graduated approach for leadership: figures, actions and trust columns, suppressed.

On the tiny school (tests/fixtures/tiny, threshold 5) as of Fri 6 Mar 2026 every count
is small, so each shows as "<5" or 0; on the samples the trust overview gains its
columns.
"""

import datetime as dt
from pathlib import Path

from sendlib import load_school
from sendlib.present.graduated import (
    census_table,
    cover_table,
    graduated_approach,
    graduated_figures,
    review_status_table,
)
from sendlib.present.trust import trust_overview

AS_OF = dt.date(2026, 3, 6)
SAMPLES = Path(__file__).resolve().parents[2] / "data_samples"


def test_small_counts_show_as_under_the_threshold(school):
    g = graduated_approach(load_school(school), AS_OF)
    shown = dict(graduated_figures(g).select("Figure", "Shown").iter_rows())
    # L2 overdue (1 plan); P1, P4, P5 without a plan (3 pupils): both "<5"
    assert shown["Plan reviews overdue"] == "<5"
    assert shown["Pupils without a plan"] == "<5"
    assert shown["Needs assessments past 20 weeks"] == "0"
    assert any(a.startswith("Review the <5 SEN support plans") for a in g.actions)
    # every cell of a table of small counts is hidden
    assert set(review_status_table(g)["Plans"]) <= {"<5", "0", "hidden"}
    cells = {v for row in cover_table(g).drop("Pupils").iter_rows() for v in row}
    assert cells <= {"<5", "0", "hidden"}
    census = census_table(load_school(school), AS_OF)
    assert {v for row in census.drop("Primary need").iter_rows() for v in row} <= {
        "<5",
        "0",
        "hidden",
    }


def test_trust_overview_has_the_graduated_columns():
    table = trust_overview(SAMPLES, AS_OF).table()
    for column in ("Plan reviews overdue", "Pupils without a plan", "Assessments past 20 weeks"):
        assert column in table.columns
    assert table["School"].to_list() == ["Harbourside Primary", "Northgate Academy"]


def test_figures_and_status_table_show_the_same_review_counts():
    # The status table shows its total, so a figure shown beside it must not give away a
    # count the table hides (primary sample: 3 reviewed late, so one more is hidden).
    g = graduated_approach(load_school(SAMPLES / "harbourside-primary"), AS_OF)
    figures = dict(graduated_figures(g).select("Figure", "Shown").iter_rows())
    table = dict(review_status_table(g).iter_rows())
    assert figures["Plan reviews overdue"] == table["Overdue for review"]
    assert (
        figures["Plan reviews due in the next 14 days"] == table["Review due in the next 14 days"]
    )
    assert table["Reviewed late"] == "<5"


def test_outside_england_the_needs_assessment_clocks_are_left_out(school):
    """DOMAIN.md, "Where these rules apply": the 6- and 20-week EHC needs-assessment clocks
    are English law. P2's request of Wed 10 Sep 2025 has no decision by 6 Mar 2026 (more
    than 42 days): decision_overdue in England, shown and chased; in Wales, neither."""
    from conftest import edit

    from sendlib import load_school
    from sendlib.explorer.plans_todo import assessments_to_chase
    from sendlib.explorer.queries import caseload
    from sendlib.present.graduated import graduated_approach, graduated_figures

    (school / "assessments.csv").write_text(
        "assessment_id,pupil_id,requested_on,requested_by,decision_on,decision,"
        "advice_requested_on,advice_sent_on,final_on,outcome\n"
        "A1,P2,2025-09-10,school,,,,,,\n",
        encoding="utf-8",
    )
    day = dt.date(2026, 3, 6)
    english = graduated_approach(load_school(school), day)
    assert "Decisions to assess overdue" in graduated_figures(english)["Figure"].to_list()
    assert any("decision" in a for a in english.actions)
    cases = caseload(load_school(school), day)
    assert assessments_to_chase(cases, cases.pupils).height == 1

    edit(school, "school.toml", 'nation = "england"', 'nation = "wales"')
    welsh = graduated_approach(load_school(school), day)
    figures = graduated_figures(welsh)["Figure"].to_list()
    assert not any("assess" in f.lower() or "advice" in f.lower() for f in figures)
    assert "Plan reviews overdue" in figures
    assert not any("assessment" in a or "decision" in a for a in welsh.actions)
    cases = caseload(load_school(school), day)
    assert assessments_to_chase(cases, cases.pupils).height == 0
