"""Suppression that holds (issue 12 point 11): no hidden count can be worked back.

The property test checks the mechanism with an independent attacker: exact rational
elimination over every published total (row, column and grand), and plain repeated
subtraction. The hand-worked tests cite DOMAIN.md "Privacy" and DfE practice.
"""

import datetime as dt
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import sendlib
from sendlib.present import figures
from sendlib.present.leadership import coverage_table, leadership_summary
from sendlib.present.privacy import (
    WITHHELD,
    Sum,
    privacy_note,
    protect,
    protect_table,
    share_allowed,
    show_share,
)

SAMPLES = Path(__file__).resolve().parents[2] / "data_samples"
AS_OF = dt.date(2026, 3, 6)


# ------------------------------------------------------------------ an independent attacker


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank by exact Gaussian elimination."""
    rows = [list(r) for r in rows if any(r)]
    rank, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def _derivable(keys, sums, unknown, target) -> bool:
    """Whether ``target`` follows exactly from the sums once every key not unknown is read."""
    unknown = sorted(unknown, key=keys.index)
    matrix = [
        [Fraction((1 if k in s.parts else 0) - (1 if k == s.total else 0)) for k in unknown]
        for s in sums
    ]
    unit = [Fraction(int(k == target)) for k in unknown]
    return _rank([*matrix, unit]) == _rank(matrix)


def _by_subtraction(values, sums, shown) -> set:
    """Everything a reader gets by subtracting within one total at a time, repeatedly.

    Counts are never negative, so every part of a total of 0 is 0 too.
    """
    known = {k: values[k] for k in shown}
    changed = True
    while changed:
        changed = False
        for s in sums:
            members = [*s.parts, s.total]
            missing = [k for k in members if k not in known]
            if missing and known.get(s.total) == 0:
                known |= dict.fromkeys(missing, 0)
                changed = True
            elif len(missing) == 1:
                (k,) = missing
                parts = sum(known.get(p, 0) for p in s.parts)
                known[k] = known[s.total] - parts if k != s.total else parts
                changed = True
    return set(known)


def _table(counts: list[list[int]], row_totals: bool):
    """Entries and published sums of a table with its margins, as ``protect_table`` builds it."""
    values, sums = {}, []
    groups, columns = range(len(counts)), range(len(counts[0]))
    for g in groups:
        values |= {("cell", g, c): counts[g][c] for c in columns}
        if row_totals:
            values[("total", g)] = sum(counts[g])
            sums.append(Sum(("total", g), tuple(("cell", g, c) for c in columns)))
    for c in columns:
        values[("margin", c)] = sum(counts[g][c] for g in groups)
        sums.append(Sum(("margin", c), tuple(("cell", g, c) for g in groups)))
    values[("grand",)] = sum(values[("margin", c)] for c in columns)
    sums.append(Sum(("grand",), tuple(("margin", c) for c in columns)))
    if row_totals:
        sums.append(Sum(("grand",), tuple(("total", g) for g in groups)))
    return values, sums


tables = st.integers(1, 5).flatmap(
    lambda width: st.lists(
        st.lists(st.one_of(st.integers(0, 6), st.integers(0, 40)), min_size=width, max_size=width),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=tables, threshold=st.integers(3, 7), row_totals=st.booleans())
# Cases hypothesis found on the way: zeros under a zero total, a group's size given by the
# grand total less the other groups, and two "<4" cells making a column of 6.
@example(counts=[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]], threshold=3, row_totals=True)
@example(counts=[[0, 0, 0, 0, 0], [0, 0, 0, 1, 2]], threshold=3, row_totals=True)
@example(counts=[[3, 0, 0, 0], [3, 0, 0, 1]], threshold=4, row_totals=True)
def test_no_hidden_count_can_be_worked_back_from_what_is_shown(counts, threshold, row_totals):
    frame = pl.DataFrame(
        {"g": list(range(len(counts)))}
        | {f"c{c}": [row[c] for row in counts] for c in range(len(counts[0]))}
    )
    columns = [f"c{c}" for c in range(len(counts[0]))]
    table = protect_table(frame, "g", columns, threshold, total="n" if row_totals else None)
    values, sums = _table(counts, row_totals)
    # The table's keys name columns by name; map them onto the attacker's.
    rename = {
        ("cell", g, f"c{c}"): ("cell", g, c)
        for g in range(len(counts))
        for c in range(len(counts[0]))
    }
    rename |= {("margin", f"c{c}"): ("margin", c) for c in range(len(counts[0]))}
    hidden = {rename.get(k, k) for k in table.disclosure.hidden}
    keys = list(values)
    public = {k for k in keys if k[0] in ("margin", "grand")}
    shown = set(keys) - hidden
    assert not hidden & public
    # Primary suppression: every count from 1 to threshold - 1 is hidden (DfE practice).
    assert all(k in hidden for k in keys if 0 < values[k] < threshold and k not in public)
    known = _by_subtraction(values, sums, shown)
    from_public = _by_subtraction(values, sums, public)
    for k in hidden:
        # A zero names no pupil; and what the whole-school totals alone give is public.
        if values[k] == 0 or k in from_public:
            continue
        if _derivable(keys, sums, set(keys) - from_public, k):
            continue
        assert k not in known, (k, values[k])
        assert not _derivable(keys, sums, set(hidden) - known, k), (k, values[k])


@settings(max_examples=60, deadline=None)
@given(part=st.integers(0, 60), rest=st.integers(0, 60), threshold=st.integers(3, 7))
def test_a_share_shows_only_when_count_complement_and_total_reach_the_threshold(
    part, rest, threshold
):
    text = show_share(part, part + rest, threshold)
    if min(part, rest) >= threshold:
        assert text.endswith("%")
    else:
        assert not text.endswith("%")


# ------------------------------------------------------------------ worked by hand


def test_a_lone_small_cell_takes_its_row_and_column_partners_with_it():
    # Year A: 3 and 10 (13); Year B: 12 and 8 (20); column totals 15 and 18 are public.
    # Hiding 3 alone: 15 - 12 gives it. Hiding 3 and 12: 13 - 10 gives it. Only with all
    # four cells hidden are there more unknowns (4) than independent totals (3).
    frame = pl.DataFrame({"g": ["A", "B"], "x": [3, 12], "y": [10, 8]})
    table = protect_table(frame, "g", ["x", "y"], 5, total="pupils")
    assert table.labels().rows() == [("A", "13", "<5", WITHHELD), ("B", "20", WITHHELD, WITHHELD)]
    assert table.group_total("A") == 13 and table.count("A", "x") is None
    assert table.share("A", ["y"]) is None  # 10 of 13 would give the 3


def test_a_true_zero_is_shown_but_not_inside_a_small_group():
    # DfE shows true zeros (B's 0); but in group A of 2 the 0 would say where both pupils are.
    # Column totals 9 and 21 and the grand total 30 are public. A's 2 would be 21 - 12 - 7, so
    # C's 7 goes; then 16 - 7 would give C's 9, so it goes; then A's total would be
    # 30 - 12 - 16, so C's total goes too. B's row stays whole.
    frame = pl.DataFrame({"g": ["A", "B", "C"], "x": [0, 0, 9], "y": [2, 12, 7]})
    table = protect_table(frame, "g", ["x", "y"], 5, total="pupils")
    assert table.labels().rows() == [
        ("A", "<5", "<5", "<5"),
        ("B", "12", "0", "12"),
        ("C", WITHHELD, WITHHELD, WITHHELD),
    ]


def test_a_hidden_count_at_or_above_the_threshold_never_says_under_it():
    shown = protect({"a": 2, "b": 30, "all": 32}, [Sum("all", ("a", "b"))], 5, public=["all"])
    assert (shown.label("a"), shown.label("b"), shown.label("all")) == ("<5", WITHHELD, "32")
    assert shown.known(["a", "b"]) == 32 and shown.known(["a"]) is None


def test_shares_follow_the_count_complement_and_total_rule():
    assert share_allowed(5, 10, 5) and not share_allowed(6, 10, 5) and not share_allowed(4, 10, 5)
    assert show_share(38, 40, 5) == WITHHELD  # 95% would tell that 2 were not on time
    assert show_share(20, 40, 5) == "50%"


def test_the_threshold_comes_from_policy_in_every_sentence():
    assert '"<7"' in privacy_note(7) and "<5" not in privacy_note(7)
    assert "3 to 10" in privacy_note([3, 10, 5])


def test_the_primary_actions_no_longer_reveal_year_four():
    # Before: "13 are in Year 4" and "53% of its 17" beside a table hiding Year 4's total,
    # so 17 - 13 gave the 4 pupils met this term, and 9 on track - 5 owed gave them again.
    school = sendlib.load_school(SAMPLES / "harbourside-primary")
    summary = leadership_summary(school, AS_OF)
    text = " ".join(summary.actions)
    assert "Year 4" not in text and "of its" not in text
    table = coverage_table(summary, "year_group")
    year4 = table.filter(pl.col("Year group") == "Year 4").row(0, named=True)
    assert year4["Pupils"] == "17" and year4["Met this term"] == "<5"
    assert year4["On track (%)"] == WITHHELD


def test_a_group_figure_in_a_sentence_is_one_the_table_lets_be_worked_out():
    # Northgate Year 7: 42 registered, 16 met this term, 24 meeting still owed (all shown),
    # not met this year hidden, missed a term "<5". Before issue 12 point 1 the action said
    # "26 are in Year 7" (42 - 16). DOMAIN's "No meeting yet this term" gives 24 (the two
    # who missed a term were met this term), and 24 = 24 owed + 0 not met + 0 of those who
    # missed a term would reveal the hidden 0 and then 42 - 16 - 24 = 2 missed a term: so
    # the year group is not named. As of 1 Dec 2025 nothing in Year 7 is hidden: 19 is told.
    school = sendlib.load_school(SAMPLES / "northgate-secondary")
    summary = leadership_summary(school, AS_OF)
    assert any("100 registered pupils have had no parent meeting" in a for a in summary.actions)
    assert not any("are in Year 7" in a for a in summary.actions)
    table = summary.breakdown("year_group")
    assert table.group_total("7") == 42 and table.count("7", "done_this_term") == 16
    assert table.count("7", "due_this_term") == 24 and table.count("7", "never_met") is None
    december = leadership_summary(school, dt.date(2025, 12, 1))
    assert any("69 registered pupils" in a and "19 are in Year 7" in a for a in december.actions)


def test_charts_hide_exactly_what_the_table_hides():
    school = sendlib.load_school(SAMPLES / "harbourside-primary")
    summary = leadership_summary(school, AS_OF)
    table = summary.breakdown("year_group")
    fig = figures.coverage_by_group(summary.coverage, "year_group", 5, "t")
    for trace in fig.data:
        status = next(s for s, label in figures.COVERAGE_LABELS.items() if label == trace.name)
        assert list(trace.y) == table.shown_values(status)
        assert list(trace.customdata) == table.shown_labels(status)


def test_a_monthly_share_is_drawn_only_when_its_late_requests_are_not_few():
    school = sendlib.load_school(SAMPLES / "northgate-secondary")
    times = sendlib.response_times(school, AS_OF)
    fig = figures.on_time_by_month(times, 5)
    decided = times.filter(pl.col("status").is_in(["on_time", "late", "open_overdue"]))
    months = decided.group_by(m=pl.col("effective_on").dt.strftime("%b %Y")).agg(
        n=pl.len(), on_time=(pl.col("status") == "on_time").sum()
    )
    counts = {m: (n, k) for m, n, k in months.iter_rows()}
    for month, y in zip(fig.data[0].x, fig.data[0].y, strict=True):
        n, on_time = counts[month]
        if y is not None:
            assert min(on_time, n - on_time) >= 5
            assert y == pytest.approx(on_time / n * 100)
