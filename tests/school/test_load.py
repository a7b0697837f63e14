"""Loading a school folder: DESIGN.md "A school folder (the input contract)".

Each test copies the valid tiny fixture (tests/fixtures/tiny) into tmp_path, damages the
copy in one way and checks the exact problem: file, spreadsheet row (header = row 1),
column, the bad value as written, and a key phrase of what was expected. Most tests also
check that the damage gives exactly one problem, so a mistake is not reported twice.
"""

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from conftest import edit

from sendlib import DataValidationError, Problem, load_school

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
TABLE_NAMES = ("pupils", "staff", "requests", "meetings", "plans")
BASE = load_school(FIXTURE)


def append(folder: Path, file: str, line: str) -> None:
    with (folder / file).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(DataValidationError) as info:
        load_school(folder)
    return info.value.problems


def only_problem(folder: Path) -> Problem:
    problems = problems_of(folder)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_problem(problem: Problem, file, row, column, value, phrase: str) -> None:
    assert (problem.file, problem.row, problem.column, problem.value) == (file, row, column, value)
    assert phrase in problem.expected, problem.expected


def to_day_first(folder: Path) -> None:
    """Rewrite every date of the copy's tables as dd/mm/yyyy and declare it in school.toml."""
    for name in TABLE_NAMES:
        path = folder / f"{name}.csv"
        path.write_text(re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", path.read_text()))
    edit(
        folder,
        "school.toml",
        'nation = "england"',
        'nation = "england"\ndate_format = "dd/mm/yyyy"',
    )


def rows_in(folder: Path, file: str) -> int:
    return len((folder / file).read_text(encoding="utf-8").strip().splitlines()) - 1


# --- whole files ------------------------------------------------------------------------


def test_missing_required_column_is_reported_on_the_header_row(school):
    path = school / "requests.csv"
    lines = [line.split(",") for line in path.read_text().splitlines()]
    path.write_text("\n".join(",".join(cells[:3] + cells[4:]) for cells in lines) + "\n")
    assert_problem(
        only_problem(school), "requests.csv", 1, "channel", None, "a column named channel"
    )


def test_missing_table_file_is_reported(school):
    (school / "plans.csv").unlink()
    assert_problem(only_problem(school), "plans.csv", None, None, None, "a plans.csv file")


def test_csv_and_parquet_of_the_same_table_is_a_problem(school):
    pl.read_csv(school / "staff.csv").write_parquet(school / "staff.parquet")
    assert_problem(only_problem(school), "staff.csv", None, None, None, "only one of staff.csv")


def test_file_not_in_utf8_asks_for_csv_utf8(school):
    path = school / "pupils.csv"  # Excel's plain "CSV" on Windows writes cp1252
    lines = path.read_text().splitlines()
    text = "\n".join([lines[0] + ",display_name", *(line + ",Zoë" for line in lines[1:])])
    path.write_bytes((text + "\n").encode("cp1252"))
    assert_problem(only_problem(school), "pupils.csv", None, None, None, "CSV UTF-8")


def test_column_named_twice_after_trimming_spaces_is_a_problem_not_a_crash(school):
    edit(school, "staff.csv", "staff_id,role", "staff_id,role, role ")
    for staff in ("S1,sendco", "T1,class_teacher"):
        edit(school, "staff.csv", f"{staff}\n", f"{staff},x\n")
    edit(school, "staff.csv", "T2,class_teacher", "T2,class_teacher,x")
    assert_problem(only_problem(school), "staff.csv", 1, "role", "role", "only once")


# --- codes --------------------------------------------------------------------------------


def test_unknown_census_need_code_is_reported(school):
    edit(school, "pupils.csv", "P2,4,K,SEMH", "P2,4,K,BESD")  # pre-2014 code, no longer used
    problem = only_problem(school)
    assert_problem(problem, "pupils.csv", 3, "primary_need", "BESD", "one of SPLD")
    assert "SEMH" in problem.expected and "DS" in problem.expected


@pytest.mark.parametrize(
    ("file", "old", "new", "row", "column", "value", "phrase"),
    [
        ("pupils.csv", "P3,6,E,ASD", "P3,6,EHCP,ASD", 4, "sen_status", "EHCP", "one of K, E, M"),
        ("pupils.csv", ",,F,true", ",,Female,true", 3, "sex", "Female", "one of F, M"),
        ("staff.csv", "S1,sendco", "S1,SENCO", 2, "role", "SENCO", "assistant_sendco"),
        ("requests.csv", "23,email,", "23,e-mail,", 3, "channel", "e-mail", "class_teacher"),
        (
            "requests.csv",
            "25,office,meeting",
            "25,office,Meeting",
            4,
            "kind",
            "Meeting",
            "safeguard",
        ),
        ("requests.csv", "timescale_proposed", "timescale", 3, "response", "timescale", "routed_"),
        ("meetings.csv", "P3,annual_review", "P3,AR", 5, "kind", "AR", "annual_review"),
        ("meetings.csv", "remote", "video", 4, "mode", "video", "in_person, remote, phone"),
        ("meetings.csv", "did_not_attend", "DNA", 7, "status", "DNA", "did_not_attend"),
        ("plans.csv", "some_progress", "partial", 2, "outcome", "partial", "some_progress"),
    ],
)
def test_unknown_code_is_reported_with_the_allowed_codes(
    school, file, old, new, row, column, value, phrase
):
    edit(school, file, old, new)
    assert_problem(only_problem(school), file, row, column, value, phrase)


@pytest.mark.parametrize("year_group", ["Y3", "14"])
def test_year_group_outside_national_curriculum_years_is_reported(school, year_group):
    edit(school, "pupils.csv", "P1,3,K", f"P1,{year_group},K")
    assert_problem(only_problem(school), "pupils.csv", 2, "year_group", year_group, "N1, N2, R, 1")


# --- duplicates and references ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "line", "row", "column", "first"),
    [
        ("pupils.csv", "P2,4,K,SEMH,T2,2024-09-04,,F,true", 7, "pupil_id", 3),
        ("requests.csv", "R3,P3,2025-10-25,office,meeting,2025-11-05,meeting_offered", 8, "request_id", 4),
        ("meetings.csv", "M2,P1,review,2026-01-14 15:30,30,T1,true,in_person,held,2026-01-26,", 9, "meeting_id", 3),
        ("staff.csv", "T1,class_teacher", 5, "staff_id", 3),
        ("plans.csv", "L1,P1,SEN Support Plan,2025-09-15,2025-12-12,2025-12-10,some_progress", 5, "plan_id", 2),
    ],
)  # fmt: skip
def test_duplicate_id_reports_the_later_row_and_names_the_first(
    school, file, line, row, column, first
):
    append(school, file, line)
    value = line.split(",")[0]
    assert_problem(only_problem(school), file, row, column, value, f"first used on row {first}")


@pytest.mark.parametrize(
    ("file", "old", "new", "row"),
    [
        ("requests.csv", "R2,P2,", "R2,P22,", 3),
        ("meetings.csv", "M3,P2,", "M3,P22,", 4),
        ("plans.csv", "L2,P2,", "L2,P22,", 3),
    ],
)
def test_unknown_pupil_id_is_reported(school, file, old, new, row):
    edit(school, file, old, new)
    assert_problem(only_problem(school), file, row, "pupil_id", "P22", "listed in pupils.csv")


@pytest.mark.parametrize(
    ("file", "old", "new", "row"),
    [
        ("pupils.csv", "MLD,T2,", "MLD,T9,", 5),
        ("meetings.csv", "2026-01-21 15:30,30,T2,", "2026-01-21 15:30,30,T9,", 7),
    ],
)
def test_unknown_lead_staff_id_is_reported(school, file, old, new, row):
    edit(school, file, old, new)
    assert_problem(only_problem(school), file, row, "lead_staff_id", "T9", "listed in staff.csv")


def test_unknown_request_id_in_meetings_is_reported(school):
    edit(school, "meetings.csv", "2025-11-14,R2", "2025-11-14,R7")
    assert_problem(only_problem(school), "meetings.csv", 4, "request_id", "R7", "requests.csv")


# --- requests ------------------------------------------------------------------------------


def test_acknowledged_before_received_is_reported(school):
    edit(school, "requests.csv", "2025-11-10,timescale", "2025-10-20,timescale")
    problem = only_problem(school)
    assert_problem(problem, "requests.csv", 3, "acknowledged_on", "2025-10-20", "on or after")
    assert "2025-10-23" in problem.expected


def test_response_without_acknowledged_on_is_reported(school):
    edit(school, "requests.csv", "2025-11-05,meeting_offered", ",meeting_offered")
    problem = only_problem(school)
    assert_problem(problem, "requests.csv", 4, "acknowledged_on", None, "a response is recorded")


def test_request_received_after_the_last_term_asks_for_next_years_terms(school):
    edit(school, "requests.csv", "R6,P2,2026-01-29", "R6,P2,2026-07-22")
    problem = only_problem(school)
    assert_problem(problem, "requests.csv", 7, "received_on", "2026-07-22", "2026-07-21")
    assert "add the next school year's [[terms]]" in problem.expected


def test_request_received_before_august_before_the_first_term_is_reported(school):
    edit(school, "requests.csv", "R1,P1,2025-10-23", "R1,P1,2025-07-31")
    problem = only_problem(school)
    assert_problem(problem, "requests.csv", 2, "received_on", "2025-07-31", "2025-08-01")


def test_request_received_in_the_summer_holiday_before_the_first_term_loads(school):
    edit(school, "requests.csv", "R1,P1,2025-10-23", "R1,P1,2025-08-15")
    requests = load_school(school).requests
    assert requests.filter(pl.col("request_id") == "R1")["received_on"].item() == dt.date(
        2025, 8, 15
    )


# --- meetings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "phrase"),
    [
        ("0", "above 0"),
        ("-30", "above 0"),
        ("30.5", "a whole number"),
        ("30 mins", "a whole number"),
    ],
)
def test_meeting_minutes_not_a_positive_whole_number_are_reported(school, minutes, phrase):
    edit(school, "meetings.csv", "09:00,30,S1", f"09:00,{minutes},S1")
    assert_problem(only_problem(school), "meetings.csv", 4, "minutes", minutes, phrase)


def test_sendco_attended_not_true_or_false_is_reported(school):
    edit(school, "meetings.csv", "15:30,30,T1,true", "15:30,30,T1,yes")
    assert_problem(
        only_problem(school), "meetings.csv", 3, "sendco_attended", "yes", "true or false"
    )


def test_record_sent_before_the_meeting_is_reported(school):
    edit(school, "meetings.csv", "2025-11-14,R2", "2025-11-12,R2")
    problem = only_problem(school)
    assert_problem(
        problem, "meetings.csv", 4, "record_sent_on", "2025-11-12", "on or after the meeting"
    )
    assert "2025-11-13" in problem.expected


def test_meeting_without_pupil_is_reported_unless_a_surgery(school):
    edit(school, "meetings.csv", "M5,P3,", "M5,,")
    problem = only_problem(school)
    assert_problem(problem, "meetings.csv", 6, "pupil_id", None, "unbooked surgery slot")
    # The fixture's surgery slot M7 has no pupil and is not reported.
    assert BASE.meetings.filter(pl.col("meeting_id") == "M7")["pupil_id"].item() is None


def test_meeting_after_the_last_term_is_reported(school):
    edit(school, "meetings.csv", "2026-01-22 13:00", "2026-09-02 13:00")
    problem = only_problem(school)
    assert_problem(problem, "meetings.csv", 8, "starts_at", "2026-09-02 13:00", "[[terms]]")


# --- dates ---------------------------------------------------------------------------------


def test_day_first_date_in_iso_file_suggests_date_format(school):
    edit(school, "requests.csv", "R1,P1,2025-10-23", "R1,P1,14/10/2025")
    problem = only_problem(school)
    assert_problem(problem, "requests.csv", 2, "received_on", "14/10/2025", "YYYY-MM-DD")
    assert 'date_format = "dd/mm/yyyy"' in problem.expected


def test_day_first_school_loads_the_same_dates_as_iso(school):
    to_day_first(school)
    loaded = load_school(school)
    for name in TABLE_NAMES:
        assert loaded.table(name).equals(BASE.table(name)), name


def test_iso_date_in_day_first_file_is_reported(school):
    to_day_first(school)
    edit(
        school, "plans.csv", "15/09/2025,12/12/2025,10/12/2025", "15/09/2025,12/12/2025,2025-12-10"
    )
    problem = only_problem(school)
    assert_problem(problem, "plans.csv", 2, "reviewed_on", "2025-12-10", "dd/mm/yyyy")


def test_rule_problem_shows_the_date_as_written_in_a_day_first_file(school):
    to_day_first(school)
    edit(school, "requests.csv", "10/11/2025,timescale", "20/10/2025,timescale")
    problem = only_problem(school)
    assert_problem(problem, "requests.csv", 3, "acknowledged_on", "20/10/2025", "on or after")


def test_two_digit_year_is_reported_not_read_as_year_25(school):
    to_day_first(school)
    edit(school, "pupils.csv", "E,ASD,T1,10/05/2023,10/03/2025", "E,ASD,T1,10/05/2023,10/03/25")
    problem = only_problem(school)
    assert_problem(problem, "pupils.csv", 4, "last_annual_review_on", "10/03/25", "dd/mm/yyyy")


def test_impossible_date_is_reported(school):
    edit(school, "pupils.csv", "MLD,T2,2025-11-10", "MLD,T2,2025-02-30")
    problem = only_problem(school)
    assert_problem(problem, "pupils.csv", 5, "registered_on", "2025-02-30", "YYYY-MM-DD")


# --- pupils --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "row"),
    [("P1,3,K,SLCN,", "P1,3,K,,", 2), ("P3,6,E,ASD,", "P3,6,E,,", 4)],
    ids=["K", "E"],
)
def test_registered_pupil_without_primary_need_is_reported(school, old, new, row):
    edit(school, "pupils.csv", old, new)
    assert_problem(
        only_problem(school), "pupils.csv", row, "primary_need", None, "census primary need"
    )


def test_ehcp_pupil_without_last_annual_review_is_reported(school):
    edit(school, "pupils.csv", "2023-05-10,2025-03-10", "2023-05-10,")
    problem = only_problem(school)
    assert_problem(problem, "pupils.csv", 4, "last_annual_review_on", None, "last annual review")


def test_sen_support_pupil_without_registered_on_is_reported(school):
    edit(school, "pupils.csv", "MLD,T2,2025-11-10", "MLD,T2,")
    problem = only_problem(school)
    assert_problem(problem, "pupils.csv", 5, "registered_on", None, "placed on the SEN register")


def test_monitored_pupil_needs_no_primary_need_or_registration_date():
    p5 = BASE.pupils.filter(pl.col("pupil_id") == "P5").row(0, named=True)
    assert p5["sen_status"] == "M"
    assert p5["primary_need"] is None and p5["registered_on"] is None


# --- plans ---------------------------------------------------------------------------------


def test_outcome_without_reviewed_on_is_reported(school):
    edit(school, "plans.csv", "2025-12-10,some_progress", ",some_progress")
    assert_problem(
        only_problem(school), "plans.csv", 2, "reviewed_on", None, "an outcome is recorded"
    )


@pytest.mark.parametrize(
    ("old", "new", "row", "column", "value"),
    [
        ("2025-12-12,2025-12-10,", "2025-12-12,2025-09-01,", 2, "reviewed_on", "2025-09-01"),
        ("P2,SEN Support Plan,2025-09-15,2025-12-12", "P2,SEN Support Plan,2025-09-15,2025-09-01",
         3, "review_due_on", "2025-09-01"),
    ],
)  # fmt: skip
def test_plan_date_before_its_start_is_reported(school, old, new, row, column, value):
    edit(school, "plans.csv", old, new)
    problem = only_problem(school)
    assert_problem(problem, "plans.csv", row, column, value, "on or after starts_on (2025-09-15)")


# --- every problem, nothing silently dropped --------------------------------------------------


def test_every_problem_in_the_folder_is_reported_at_once(school):
    edit(
        school,
        "school.toml",
        '[[terms]]\nname = "Autumn',
        '[policy]\nsuppres_below = 3\n\n[[terms]]\nname = "Autumn',
    )
    edit(school, "pupils.csv", "P2,4,K,SEMH", "P2,4,X,SEMH")
    edit(school, "requests.csv", "R1,P1,2025-10-23", "R1,P1,23/10/2025")
    edit(school, "meetings.csv", "09:00,30,S1", "09:00,-5,S1")
    edit(school, "meetings.csv", "M5,P3,", "M5,P99,")
    found = {(p.file, p.row, p.column, p.value) for p in problems_of(school)}
    assert found == {
        ("school.toml", None, "[policy] suppres_below", "3"),
        ("pupils.csv", 3, "sen_status", "X"),
        ("requests.csv", 2, "received_on", "23/10/2025"),
        ("meetings.csv", 4, "minutes", "-5"),
        ("meetings.csv", 6, "pupil_id", "P99"),
    }


def test_lenient_load_keeps_good_rows_and_lists_every_rejected_row_with_its_record(school):
    edit(school, "pupils.csv", "P2,4,K,SEMH", "P2,4,X,SEMH")
    strict = problems_of(school)
    assert [(p.file, p.row, p.column) for p in strict] == [("pupils.csv", 3, "sen_status")]

    loaded = load_school(school, lenient=True)
    rejects = loaded.rejects
    assert rejects.columns == ["file", "row", "column", "value", "expected", "record"]
    pupil = rejects.filter(pl.col("file") == "pupils.csv").row(0, named=True)
    assert (pupil["row"], pupil["column"], pupil["value"]) == (3, "sen_status", "X")
    assert "pupil_id=P2" in pupil["record"] and "sen_status=X" in pupil["record"]
    assert loaded.pupils["pupil_id"].to_list() == ["P1", "P3", "P4", "P5"]
    # Rows that refer to the rejected pupil are rejected too, never kept dangling.
    meetings = rejects.filter(pl.col("file") == "meetings.csv")
    assert set(meetings["row"]) == {4, 7}  # M3 and M6 are P2's
    assert set(loaded.meetings["meeting_id"]) == {"M1", "M2", "M4", "M5", "M7"}
    assert "meeting_id=M6" in meetings.filter(pl.col("row") == 7)["record"][0]
    # Every row of every file is either loaded or listed in the rejects.
    for name in TABLE_NAMES:
        file = f"{name}.csv"
        rejected = rejects.filter(pl.col("file") == file)["row"].n_unique()
        assert loaded.table(name).height + rejected == rows_in(school, file), name


def test_lenient_load_still_stops_on_a_missing_file(school):
    (school / "staff.csv").unlink()
    with pytest.raises(DataValidationError) as info:
        load_school(school, lenient=True)
    assert [(p.file, p.row) for p in info.value.problems] == [("staff.csv", None)]


def test_strict_load_has_an_empty_rejects_table_with_the_same_columns():
    assert BASE.rejects.height == 0
    assert BASE.rejects.columns == ["file", "row", "column", "value", "expected", "record"]


# --- harmless export quirks -------------------------------------------------------------------


def test_utf8_byte_order_mark_loads(school):
    path = school / "pupils.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_school(school).pupils.equals(BASE.pupils)


def test_crlf_line_endings_load(school):
    for name in TABLE_NAMES:
        path = school / f"{name}.csv"
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    loaded = load_school(school)
    for name in TABLE_NAMES:
        assert loaded.table(name).equals(BASE.table(name)), name


def test_extra_columns_are_kept(school):
    path = school / "requests.csv"
    lines = path.read_text().splitlines()
    notes = ["notes"] + [f"note {n}" for n in range(1, len(lines))]
    path.write_text(
        "\n".join(f"{line},{note}" for line, note in zip(lines, notes, strict=True)) + "\n"
    )
    requests = load_school(school).requests
    assert requests["notes"].to_list()[:2] == ["note 1", "note 2"]
    assert requests.drop("notes").equals(BASE.requests)


def test_spaces_around_cells_and_headers_are_trimmed(school):
    edit(
        school, "pupils.csv", "pupil_id,year_group,sen_status", " pupil_id , year_group ,sen_status"
    )
    edit(school, "pupils.csv", "P1,3,K,SLCN,T1", " P1 , 3 ,K, SLCN,T1 ")
    edit(school, "meetings.csv", "M3,P2,", "M3, P2 ,")
    loaded = load_school(school)
    assert loaded.pupils.equals(BASE.pupils)
    assert loaded.meetings.equals(BASE.meetings)


def test_booleans_in_any_case_load(school):
    edit(
        school,
        "meetings.csv",
        "15:30,30,T1,false,in_person,held",
        "15:30,30,T1,False,in_person,held",
    )
    edit(school, "meetings.csv", "2026-01-14 15:30,30,T1,true", "2026-01-14 15:30,30,T1,TRUE")
    edit(school, "pupils.csv", "SEMH,T2,2024-09-04,,F,true", "SEMH,T2,2024-09-04,,F,True")
    loaded = load_school(school)
    assert loaded.meetings.equals(BASE.meetings)
    assert loaded.pupils.equals(BASE.pupils)


def test_t_between_date_and_time_in_starts_at_loads(school):
    edit(school, "meetings.csv", "2025-10-08 15:30", "2025-10-08T15:30")
    assert load_school(school).meetings.equals(BASE.meetings)


# --- parquet and types -------------------------------------------------------------------------


def write_parquet_tables(folder: Path) -> None:
    """Replace each CSV by a Parquet file with typed Date, Datetime and Boolean columns."""
    for name in TABLE_NAMES:
        BASE.table(name).write_parquet(folder / f"{name}.parquet")
        (folder / f"{name}.csv").unlink()


def test_parquet_tables_load_to_the_same_frames_as_csv(school):
    write_parquet_tables(school)
    assert pl.read_parquet(school / "meetings.parquet").schema["sendco_attended"] == pl.Boolean
    loaded = load_school(school)
    for name in TABLE_NAMES:
        assert loaded.table(name).equals(BASE.table(name)), name


def test_parquet_tables_load_in_a_day_first_school(school):
    write_parquet_tables(school)
    edit(
        school,
        "school.toml",
        'nation = "england"',
        'nation = "england"\ndate_format = "dd/mm/yyyy"',
    )
    loaded = load_school(school)
    for name in TABLE_NAMES:
        assert loaded.table(name).equals(BASE.table(name)), name


def test_missing_boolean_in_parquet_is_reported_not_read_as_false(school):
    write_parquet_tables(school)
    meetings = BASE.meetings.with_columns(
        sendco_attended=pl.when(pl.col("meeting_id") == "M2")
        .then(None)
        .otherwise("sendco_attended")
    )
    meetings.write_parquet(school / "meetings.parquet")
    problem = only_problem(school)
    assert_problem(problem, "meetings.parquet", 3, "sendco_attended", None, "true or false")


def test_loaded_tables_have_the_documented_types():
    assert BASE.pupils.schema["registered_on"] == pl.Date
    assert BASE.pupils.schema["last_annual_review_on"] == pl.Date
    assert BASE.pupils.schema["year_group"] == pl.String
    assert BASE.pupils.schema["fsm"] == pl.Boolean
    assert BASE.requests.schema["received_on"] == pl.Date
    assert BASE.requests.schema["acknowledged_on"] == pl.Date
    assert isinstance(BASE.meetings.schema["starts_at"], pl.Datetime)
    assert BASE.meetings.schema["minutes"].is_integer()
    assert BASE.meetings.schema["sendco_attended"] == pl.Boolean
    assert BASE.meetings.schema["record_sent_on"] == pl.Date
    for column in ("starts_on", "review_due_on", "reviewed_on"):
        assert BASE.plans.schema[column] == pl.Date
    m1 = BASE.meetings.row(0, named=True)
    assert m1["starts_at"] == dt.datetime(2025, 10, 8, 15, 30)
    assert (m1["minutes"], m1["sendco_attended"]) == (30, False)
    assert [BASE.table(n).height for n in TABLE_NAMES] == [5, 3, 6, 7, 3]


def test_row_with_too_many_cells_is_named_with_its_row(school):
    edit(school, "staff.csv", "T1,class_teacher", "T1,class_teacher,oops")
    problems = problems_of(school)
    assert [(p.file, p.row) for p in problems] == [("staff.csv", 3)]
    assert "2 cells, like the header row (found 3)" in problems[0].expected


def test_blank_rows_hold_no_record_and_are_skipped(school):
    append(school, "staff.csv", ",")
    append(school, "requests.csv", ",,,,,,")
    loaded = load_school(school)
    assert loaded.staff.height == 3 and loaded.requests.height == 6


# --- optional tables: assessments.csv and register_changes.csv ------------------------------

ASSESSMENTS_HEADER = (
    "assessment_id,pupil_id,requested_on,requested_by,decision_on,decision,"
    "advice_requested_on,advice_sent_on,final_on,outcome"
)
#: A valid assessment: requested 1 Oct, assess on 5 Nov, advice asked 10 Nov and sent
#: 1 Dec, plan issued 10 Feb.
GOOD_ASSESSMENT = (
    "A1,P1,2025-10-01,school,2025-11-05,assess,2025-11-10,2025-12-01,2026-02-10,plan_issued"
)
CHANGES_HEADER = "pupil_id,changed_on,from_status,to_status,reason"
GOOD_CHANGE = "P1,2024-09-04,M,K,plan reviews showed slower progress"


def with_assessments(folder: Path, *lines: str) -> None:
    (folder / "assessments.csv").write_text(
        "\n".join([ASSESSMENTS_HEADER, GOOD_ASSESSMENT, *lines]) + "\n", encoding="utf-8"
    )


def with_changes(folder: Path, *lines: str) -> None:
    (folder / "register_changes.csv").write_text(
        "\n".join([CHANGES_HEADER, GOOD_CHANGE, *lines]) + "\n", encoding="utf-8"
    )


def test_a_folder_without_the_optional_tables_loads_them_empty_and_typed():
    assert (BASE.assessments.height, BASE.register_changes.height) == (0, 0)
    for column in ("requested_on", "decision_on", "advice_requested_on", "advice_sent_on"):
        assert BASE.assessments.schema[column] == pl.Date
    assert BASE.register_changes.schema["changed_on"] == pl.Date
    assert BASE.register_changes.columns == [
        "pupil_id", "changed_on", "from_status", "to_status", "reason",
    ]  # fmt: skip


def test_valid_optional_tables_load_typed(school):
    with_assessments(school)
    with_changes(school, "P9,2025-07-18,K,left,moved to secondary school")
    loaded = load_school(school)
    assert loaded.assessments.row(0, named=True)["final_on"] == dt.date(2026, 2, 10)
    assert loaded.register_changes["to_status"].to_list() == ["K", "left"]


@pytest.mark.parametrize(
    ("line", "column", "value", "phrase"),
    [
        # requested 1 Oct, decision 30 Sep: "decision before request"
        ("A2,P2,2025-10-01,parent,2025-09-30,assess,,,,", "decision_on", "2025-09-30",
         "on or after requested_on (2025-10-01)"),
        # advice asked 10 Nov, sent 9 Nov
        ("A2,P2,2025-10-01,parent,2025-11-05,assess,2025-11-10,2025-11-09,,", "advice_sent_on",
         "2025-11-09", "on or after advice_requested_on (2025-11-10)"),
        # final plan 30 Sep, before the request of 1 Oct
        ("A2,P2,2025-10-01,parent,2025-11-05,assess,,,2025-09-30,plan_issued", "final_on",
         "2025-09-30", "on or after requested_on (2025-10-01)"),
        # a decision without its date
        ("A2,P2,2025-10-01,parent,,refuse,,,,", "decision_on", None,
         "the date of the local authority's decision"),
        # a decision date without the decision
        ("A2,P2,2025-10-01,parent,2025-11-05,,,,,", "decision", None, "the decision (assess or refuse)"),
        # outcome plan_issued without final_on
        ("A2,P2,2025-10-01,parent,2025-11-05,assess,,,,plan_issued", "final_on", None,
         "since the outcome is plan_issued"),
        # an unknown pupil
        ("A2,P22,2025-10-01,parent,,,,,,", "pupil_id", "P22", "listed in pupils.csv"),
        # an unknown code
        ("A2,P2,2025-10-01,health,,,,,,", "requested_by", "health", "one of school, parent, other"),
        # the same assessment twice
        ("A1,P2,2025-10-01,parent,,,,,,", "assessment_id", "A1", "first used on row 2"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_assessment_is_reported(school, line, column, value, phrase):
    with_assessments(school, line)
    assert_problem(only_problem(school), "assessments.csv", 3, column, value, phrase)


def test_assessments_without_a_required_column_are_reported(school):
    path = school / "assessments.csv"
    path.write_text("assessment_id,pupil_id,requested_on\nA1,P1,2025-10-01\n", encoding="utf-8")
    problems = problems_of(school)
    assert {(p.file, p.row, p.column) for p in problems} == {
        ("assessments.csv", 1, column) for column in ASSESSMENTS_HEADER.split(",")[3:]
    }


@pytest.mark.parametrize(
    ("lines", "row", "column", "value", "phrase"),
    [
        # P22 is not in pupils.csv and their last change is not to left
        (("P22,2025-09-10,,M,concern raised",), 3, "pupil_id", "P22", "must have left"),
        # P22 left, then (later) came back to K: the last change is not to left
        (("P22,2025-09-10,K,left,moved", "P22,2025-11-10,left,K,returned"), 3, "pupil_id",
         "P22", "last change in register_changes has to_status left"),
        # no such status
        (("P2,2025-09-10,K,N,no longer SEN",), 3, "to_status", "N", "one of K, E, M, left"),
        # a change to the same status
        (("P2,2025-09-10,K,K,",), 3, "to_status", "K", "different from from_status (K)"),
        # a date that will not parse
        (("P2,10/09/2025,K,M,",), 3, "changed_on", "10/09/2025", "ISO date"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_register_change_is_reported(school, lines, row, column, value, phrase):
    with_changes(school, *lines)
    problems = problems_of(school)
    assert_problem(problems[0], "register_changes.csv", row, column, value, phrase)
    assert all(p.file == "register_changes.csv" and p.column == column for p in problems)


def test_a_pupil_who_left_may_be_absent_from_pupils_csv(school):
    # P22's last change is to left: not in pupils.csv, and loads. The reason may be empty,
    # and the optional reason column may be absent altogether.
    with_changes(school, "P22,2025-09-10,,M,", "P22,2025-12-01,M,left,")
    assert load_school(school).register_changes.height == 3
    (school / "register_changes.csv").write_text(
        "pupil_id,changed_on,from_status,to_status\nP22,2025-12-01,K,left\n", encoding="utf-8"
    )
    assert load_school(school).register_changes["pupil_id"].to_list() == ["P22"]


def test_lenient_load_sets_aside_bad_assessments_and_keeps_the_rest(school):
    with_assessments(school, "A2,P22,2025-10-01,parent,,,,,,")
    loaded = load_school(school, lenient=True)
    assert loaded.assessments["assessment_id"].to_list() == ["A1"]
    assert loaded.rejects.filter(pl.col("file") == "assessments.csv")["row"].to_list() == [3]


def test_optional_annual_review_columns_are_validated(school):
    # pupils: date_of_birth (a date), post16_destination (a code); meetings: invited_on on or
    # before the meeting, la_decision_on on or after it.
    for file, header in (("pupils.csv", "fsm"), ("meetings.csv", "request_id")):
        text = (school / file).read_text(encoding="utf-8").splitlines()
        extra = (
            ",date_of_birth,post16_destination"
            if file == "pupils.csv"
            else ",invited_on,la_decision_on"
        )
        assert text[0].endswith(header)
        lines = [text[0] + extra] + [line + ",," for line in text[1:]]
        (school / file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    edit(school, "pupils.csv", "2025-03-10,M,false,,", "2025-03-10,M,false,2014-13-01,sixth_form")
    edit(school, "meetings.csv", "2025-03-20,,,", "2025-03-20,,2025-03-11,2025-03-01")
    found = {(p.file, p.column): p for p in problems_of(school)}
    assert set(found) == {
        ("pupils.csv", "date_of_birth"),
        ("pupils.csv", "post16_destination"),
        ("meetings.csv", "invited_on"),
        ("meetings.csv", "la_decision_on"),
    }
    assert "own_sixth_form" in found[("pupils.csv", "post16_destination")].expected
    assert "on or before the meeting" in found[("meetings.csv", "invited_on")].expected
    assert "on or after the meeting" in found[("meetings.csv", "la_decision_on")].expected
