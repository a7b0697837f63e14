"""Loading interventions.csv and provisions.csv: DOMAIN.md, "Provision".

Each test writes a valid pair of tables into a copy of the tiny school, damages one cell
and checks the exact problem (file, spreadsheet row, column, value as written, phrase).
"""

from pathlib import Path

import polars as pl
import pytest

from sendlib import DataValidationError, Problem, load_school

INTERVENTIONS = {
    "RD": "RD,Reading catch-up,small_group,teaching assistant,18.00,3,3,30,,",
    "SW": "SW,Reading software,resource,,,,,,600,",
    "SS": "SS,Social skills group,small_group,teaching assistant,18,4,2,45,,false",
}
INTERVENTION_HEADER = (
    "intervention_id,name,kind,staff_role,hourly_cost,group_size,sessions_per_week,"
    "minutes_per_session,annual_cost,higher_is_better\n"
)
PROVISIONS = {
    "V1": "V1,P1,RD,2025-10-20,2025-11-07,80,86,reading age (months)",
    "V2": "V2,P4,SW,2026-01-05,,,,",
}
PROVISION_HEADER = (
    "provision_id,pupil_id,intervention_id,starts_on,ends_on,entry_measure,exit_measure,"
    "measure_name\n"
)


def write(folder: Path, interventions=None, provisions=None) -> None:
    """The two tables, with rows replaced by those given (by key)."""
    i_rows = {**INTERVENTIONS, **(interventions or {})}
    p_rows = {**PROVISIONS, **(provisions or {})}
    (folder / "interventions.csv").write_text(
        INTERVENTION_HEADER + "".join(f"{r}\n" for r in i_rows.values()), encoding="utf-8"
    )
    (folder / "provisions.csv").write_text(
        PROVISION_HEADER + "".join(f"{r}\n" for r in p_rows.values()), encoding="utf-8"
    )


def only_problem(folder: Path) -> Problem:
    with pytest.raises(DataValidationError) as info:
        load_school(folder)
    problems = info.value.problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_valid_tables_load_typed(school):
    write(school)
    loaded = load_school(school)
    assert loaded.interventions.schema["hourly_cost"] == pl.Float64
    assert loaded.interventions.schema["group_size"] == pl.Int64
    assert loaded.interventions.schema["higher_is_better"] == pl.Boolean
    assert loaded.provisions.schema["ends_on"] == pl.Date
    assert loaded.provisions.schema["entry_measure"] == pl.Float64
    assert loaded.interventions["hourly_cost"].to_list()[0] == 18.0


def test_the_optional_columns_may_be_left_out(school):
    (school / "interventions.csv").write_text(
        "intervention_id,name,kind,staff_role,hourly_cost,group_size,sessions_per_week,"
        "minutes_per_session\nRD,Reading,small_group,TA,18,3,3,30\n",
        encoding="utf-8",
    )
    (school / "provisions.csv").write_text(
        "provision_id,pupil_id,intervention_id,starts_on,ends_on\nV1,P1,RD,2025-10-20,\n",
        encoding="utf-8",
    )
    assert load_school(school).provisions.height == 1


@pytest.mark.parametrize(
    ("interventions", "row", "column", "value", "phrase"),
    [
        ({"RD": "RD,Reading,small_group,TA,18,0,3,30,,"}, 2, "group_size", "0", "above 0"),
        ({"RD": "RD,Reading,small_group,TA,-18,3,3,30,,"}, 2, "hourly_cost", "-18", "0 or more"),
        ({"SW": "SW,Software,resource,,,,,,-600,"}, 3, "annual_cost", "-600", "0 or more"),
        ({"SW": "SW,Software,resource,,,,,,,"}, 3, "annual_cost", None, "annual_cost of a"),
        ({"RD": "RD,Reading,small_group,TA,,3,3,30,,"}, 2, "hourly_cost", None, "session-based"),
        ({"RD": "RD,Reading,small_group,TA,18,3,3,,,"}, 2, "minutes_per_session", None, "session"),
        ({"RD": "RD,Reading,small_group,TA,£18,3,3,30,,"}, 2, "hourly_cost", "£18", "a number"),
        ({"RD": "RD,Reading,catch_up,TA,18,3,3,30,,"}, 2, "kind", "catch_up", "one of small_group"),
    ],
)
def test_each_kind_of_bad_intervention_is_reported(
    school, interventions, row, column, value, phrase
):
    write(school, interventions=interventions)
    problem = only_problem(school)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "interventions.csv",
        row,
        column,
        value,
    )
    assert phrase in problem.expected, problem.expected


@pytest.mark.parametrize(
    ("provisions", "column", "value", "phrase"),
    [
        ({"V1": "V1,P9,RD,2025-10-20,,,,"}, "pupil_id", "P9", "listed in pupils.csv"),
        ({"V1": "V1,P1,XX,2025-10-20,,,,"}, "intervention_id", "XX", "listed in interventions"),
        ({"V1": "V1,P1,RD,2025-10-20,2025-10-01,,,"}, "ends_on", "2025-10-01", "on or after"),
        ({"V1": "V1,P1,RD,2025-10-20,,80,86,"}, "measure_name", None, "name of the measure"),
        ({"V1": "V1,P1,RD,2025-10-20,,,86,"}, "measure_name", None, "name of the measure"),
        ({"V1": "V1,P1,RD,,,,,"}, "starts_on", None, "a value"),
    ],
)
def test_each_kind_of_bad_provision_is_reported(school, provisions, column, value, phrase):
    write(school, provisions=provisions)
    problem = only_problem(school)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "provisions.csv",
        2,
        column,
        value,
    )
    assert phrase in problem.expected, problem.expected


def test_provisions_without_interventions_csv_are_unknown(school):
    write(school)
    (school / "interventions.csv").unlink()
    with pytest.raises(DataValidationError) as info:
        load_school(school)
    assert {p.column for p in info.value.problems} == {"intervention_id"}


def test_a_lenient_load_sets_bad_provisions_aside(school):
    write(school, provisions={"V1": "V1,P9,RD,2025-10-20,,,,"})
    loaded = load_school(school, lenient=True)
    assert loaded.provisions["provision_id"].to_list() == ["V2"]
    assert loaded.rejects.filter(pl.col("file") == "provisions.csv")["row"].to_list() == [2]
