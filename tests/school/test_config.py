"""school.toml: every key checked, every problem located (DESIGN.md "A school folder").

Problems with school.toml have ``row`` None; ``column`` names the setting as it is
written in the file ("[policy] suppres_below", "[[terms]] Spring 2026").
"""

import re
from pathlib import Path

import pytest
from conftest import edit as edit_file

from sendlib import DataValidationError, Problem, load_school

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
TOML = "school.toml"


def edit(folder: Path, old: str, new: str) -> None:
    """Edit the copy's school.toml (the shared ``school`` fixture comes from conftest)."""
    edit_file(folder, TOML, old, new)


def add_policy(folder: Path, lines: str) -> None:
    edit(folder, "[sendco]", f"[policy]\n{lines}\n\n[sendco]")


def only_problem(folder: Path) -> Problem:
    with pytest.raises(DataValidationError) as info:
        load_school(folder)
    problems = info.value.problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_problem(problem: Problem, column, value, phrase: str) -> None:
    assert (problem.file, problem.row, problem.column, problem.value) == (TOML, None, column, value)
    assert phrase in problem.expected, problem.expected


def test_policy_override_is_applied_and_other_defaults_kept(school):
    add_policy(school, "suppress_below = 10\nsurgeries_per_week = 0")
    policy = load_school(school).policy
    assert (policy.suppress_below, policy.surgeries_per_week) == (10, 0)
    assert policy.acknowledge_within_school_days == 5 and policy.annual_review_minutes == 60


def test_unknown_top_level_key_is_reported(school):
    edit(school, "[sendco]", "[sendco_hours]\nhours = 4\n\n[sendco]")
    assert_problem(only_problem(school), "sendco_hours", "sendco_hours", "a known key")


def test_unknown_school_key_is_reported(school):
    edit(school, 'phase = "primary"', 'phase = "primary"\nurn = 123456')
    problem = only_problem(school)
    assert_problem(problem, "[school] urn", "urn", "a known key")
    assert "transfer_year_group" in problem.expected


def test_misspelt_policy_key_is_reported_not_ignored(school):
    add_policy(school, "suppres_below = 3")
    problem = only_problem(school)
    assert_problem(problem, "[policy] suppres_below", "3", "a known policy key")
    assert "suppress_below" in problem.expected


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("meeting_minutes = 0", "0"),
        ("surgeries_per_week = -1", "-1"),
        ('suppress_below = "5"', "5"),
        ("annual_review_minutes = 60.5", "60.5"),
    ],
)
def test_policy_value_not_a_whole_number_in_range_is_reported(school, setting, value):
    add_policy(school, setting)
    key = setting.split(" =")[0]
    assert_problem(only_problem(school), f"[policy] {key}", value, "a whole number, at least")


@pytest.mark.parametrize("threshold", [0, 1, 2])
def test_suppression_threshold_below_three_is_refused(school, threshold):
    # DOMAIN "Privacy" and issue 12 point 11: groups of one or two pupils can be identified.
    add_policy(school, f"suppress_below = {threshold}")
    problem = only_problem(school)
    assert_problem(problem, "[policy] suppress_below", str(threshold), "at least 3")
    assert "identified" in problem.expected


def test_suppression_threshold_of_three_is_accepted(school):
    add_policy(school, "suppress_below = 3")
    assert load_school(school).policy.suppress_below == 3


def test_unknown_phase_is_reported(school):
    edit(school, 'phase = "primary"', 'phase = "infant"')
    assert_problem(only_problem(school), "[school] phase", "infant", "primary, secondary")


def test_unknown_nation_is_reported(school):
    edit(school, 'nation = "england"', 'nation = "England"')
    assert_problem(only_problem(school), "[school] nation", "England", "northern-ireland")


def test_unknown_date_format_is_reported(school):
    edit(school, 'nation = "england"', 'nation = "england"\ndate_format = "mm/dd/yyyy"')
    problem = only_problem(school)
    assert_problem(problem, "[school] date_format", "mm/dd/yyyy", '"dd/mm/yyyy"')


def test_transfer_year_group_outside_1_to_13_is_reported(school):
    edit(school, 'phase = "primary"', 'phase = "primary"\ntransfer_year_group = 0')
    problem = only_problem(school)
    assert_problem(problem, "[school] transfer_year_group", "0", "from 1 to 13")


def test_term_starting_after_it_ends_is_reported_once(school):
    edit(school, "start = 2026-01-05\nend = 2026-03-27", "start = 2026-03-27\nend = 2026-01-05")
    # Its February half term is not also reported as outside every term.
    problem = only_problem(school)
    assert_problem(
        problem, "[[terms]] Spring 2026", "2026-03-27 to 2026-01-05", "start date before"
    )


def test_overlapping_terms_are_reported(school):
    edit(school, "start = 2026-01-05", "start = 2025-12-15")
    problem = only_problem(school)
    assert_problem(problem, "[[terms]] Spring 2026", "2025-12-15", "must not overlap")
    assert "Autumn 2025" in problem.expected


def test_closure_outside_every_term_is_reported(school):
    edit(school, "start = 2025-10-27\nend = 2025-10-31", "start = 2025-12-22\nend = 2026-01-02")
    problem = only_problem(school)
    assert_problem(
        problem, "[[closures]] October half term", "2025-12-22 to 2026-01-02", "inside one term"
    )


@pytest.mark.parametrize("days", ['["monday", "wednesday"]', '["sat"]', "[]"])
def test_working_days_not_weekday_names_are_reported(school, days):
    edit(school, '["mon", "wed", "thu", "fri"]', days)
    problem = only_problem(school)
    assert problem.column == "[sendco] working_days"
    assert '["mon", "wed", "thu"]' in problem.expected


@pytest.mark.parametrize("hours", ["8.0", "0"])
def test_send_hours_not_within_the_working_day_are_reported(school, hours):
    edit(school, "send_hours_per_day = 4.0", f"send_hours_per_day = {hours}")
    problem = only_problem(school)
    assert_problem(problem, "[sendco] send_hours_per_day", hours, "no more than the working day")
    assert "7.5 hours" in problem.expected  # 08:30 to 16:00


def test_invalid_toml_syntax_is_reported_with_its_line(school):
    edit(school, 'name = "Tiny Test School"', 'name = "Tiny Test School')
    problem = only_problem(school)
    assert_problem(problem, None, None, "valid TOML")
    assert "line 3" in problem.expected


def test_missing_school_toml_is_reported(school):
    (school / TOML).unlink()
    problem = only_problem(school)
    assert_problem(problem, None, str(school / TOML), "a school.toml file")


def test_tables_are_still_read_with_the_date_format_of_a_school_toml_with_problems(school):
    for name in ("pupils", "requests", "meetings", "plans"):
        path = school / f"{name}.csv"
        path.write_text(re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", path.read_text()))
    edit(school, 'phase = "primary"', 'phase = "infant"\ndate_format = "dd/mm/yyyy"')
    # Only the phase is wrong: the day-first dates are not reported as well.
    assert_problem(only_problem(school), "[school] phase", "infant", "primary")


def test_transfer_year_groups_as_a_list(school):
    # DOMAIN "An annual review": an infant school sets [2]; all-through defaults to [6, 11].
    edit(school, 'phase = "primary"', 'phase = "primary"\ntransfer_year_groups = [2]')
    assert load_school(school).config.transfer_year_groups == (2,)


def test_transfer_year_groups_defaults_by_phase(school):
    assert load_school(school).config.transfer_year_groups == (6,)
    assert load_school(school).config.sixth_form is False
    edit(school, 'phase = "primary"', 'phase = "special"')
    assert load_school(school).config.transfer_year_groups == (6, 11)


def test_both_transfer_keys_are_reported(school):
    edit(
        school,
        'phase = "primary"',
        'phase = "primary"\ntransfer_year_groups = [6]\ntransfer_year_group = 6',
    )
    assert_problem(only_problem(school), "[school] transfer_year_group", "6", "only one of")


@pytest.mark.parametrize(("value", "shown"), [("[0]", "[0]"), ('"6"', "6"), ("[6, 14]", "[6, 14]")])
def test_transfer_year_groups_not_a_list_of_year_groups_is_reported(school, value, shown):
    edit(school, 'phase = "primary"', f'phase = "primary"\ntransfer_year_groups = {value}')
    assert_problem(only_problem(school), "[school] transfer_year_groups", shown, "a list of year")


def test_sixth_form_not_true_or_false_is_reported(school):
    edit(school, 'phase = "primary"', 'phase = "secondary"\nsixth_form = "yes"')
    assert_problem(only_problem(school), "[school] sixth_form", "yes", "true or false")


def test_transfer_review_weeks_policy(school):
    add_policy(school, "transfer_review_weeks = 10")
    assert load_school(school).policy.transfer_review_weeks == 10
