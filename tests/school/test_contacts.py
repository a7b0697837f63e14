"""contacts.csv: parents' names and addresses, read only for letters and checked like a table."""

import dataclasses

import pytest

from sendlib import DataValidationError, Problem, load_school
from sendlib.school.contacts import CONTACT_COLUMNS, load_contacts

HEADER = "pupil_id,addressee,salutation,address_line_1,town,postcode\n"


def write(folder, text: str) -> None:
    (folder / "contacts.csv").write_text(text, encoding="utf-8")


def test_no_contacts_file_is_an_empty_table(school):
    contacts = load_contacts(load_school(school))
    assert contacts.height == 0 and contacts.columns == list(CONTACT_COLUMNS)


def test_a_valid_file_is_read_with_the_optional_columns_empty(school):
    write(school, HEADER + "P1,Ms A Khan,Ms Khan,1 High Street,Portsmouth,PO1 1AA\n")
    contacts = load_contacts(load_school(school))
    row = contacts.row(0, named=True)
    assert row["addressee"] == "Ms A Khan" and row["postcode"] == "PO1 1AA"
    assert row["address_line_2"] is None and row["email"] is None


def test_every_problem_is_listed_with_file_row_column_value_and_expected(school):
    write(
        school,
        HEADER
        + "P1,Ms A Khan,,1 High Street,Portsmouth,PO1 1AA\n"  # row 2: fine
        + "P9,Mr B Jones,,2 Low Road,Portsmouth,PO2 2BB\n"  # row 3: no such pupil
        + "P1,ms a khan,,1 High Street,Portsmouth,PO1 1AA\n"  # row 4: same addressee again
        + "P2,,,3 Mid Lane,Portsmouth,PO3 3CC\n",  # row 5: nobody to address
    )
    with pytest.raises(DataValidationError) as caught:
        load_contacts(load_school(school))
    assert caught.value.problems == [
        Problem("contacts.csv", 3, "pupil_id", "P9", "a pupil_id listed in pupils.csv"),
        Problem(
            "contacts.csv",
            4,
            "addressee",
            "ms a khan",
            "one row per addressee of a pupil (first on row 2)",
        ),
        Problem("contacts.csv", 5, "addressee", None, "a value"),
    ]


def test_a_misspelt_header_is_named_with_the_rename_to_make(school):
    write(school, HEADER.replace("address_line_1", "Address Line 1") + "P1,A,,1 X St,Y,Z\n")
    with pytest.raises(DataValidationError) as caught:
        load_contacts(load_school(school))
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("contacts.csv", 1, "address_line_1")
    assert "rename 'Address Line 1' to address_line_1" in problem.expected


def test_contacts_are_not_on_the_school_every_report_receives(school):
    """By construction: load_school never reads contacts.csv, and School has no field for it."""
    write(school, HEADER + "P9,broken row for a pupil who does not exist,,,,\n")
    loaded = load_school(school)  # the broken contacts file does not stop any report
    assert "contacts" not in {f.name for f in dataclasses.fields(loaded)}
