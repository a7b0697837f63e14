"""Parents' names and addresses for letters: the optional ``contacts.csv``, read on its own.

Contacts are read only by the code that writes letters, never by :func:`load_school`, so
they are not on the :class:`~sendlib.school.load.School` that every report receives: by
construction no leadership output can hold a parent's name or address. The file is
checked like every table (file, row, column, value, what was expected, every problem at
once).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sendlib.school.errors import DataValidationError, Problem
from sendlib.school.load import School, parse_table, read_table
from sendlib.school.schema import Column, Table
from sendlib.school.table_rules import ROW, problem_rows

CONTACTS_FILE = "contacts.csv"
#: One row per letter to send: a pupil whose parents live apart has a row for each home.
CONTACTS = Table(
    "contacts",
    None,
    (
        Column("pupil_id", "id"),
        Column("addressee", "text"),  # "Mr and Mrs A Khan", as on the envelope
        Column("salutation", "text", nullable=True),  # "Dear Mr and Mrs Khan"
        Column("address_line_1", "text", nullable=True),
        Column("address_line_2", "text", nullable=True, optional=True),
        Column("town", "text", nullable=True),
        Column("postcode", "text", nullable=True),
        Column("email", "text", nullable=True, optional=True),
    ),
    optional=True,
)
#: The columns of :func:`load_contacts`'s frame, optional ones included.
CONTACT_COLUMNS = tuple(c.name for c in CONTACTS.columns)


def load_contacts(school: School) -> pl.DataFrame:
    """The school folder's ``contacts.csv``, validated; an empty frame when there is none.

    Raises:
        DataValidationError: listing every problem: a missing column, an empty pupil_id
            or addressee, a pupil not in pupils.csv, the same addressee twice for a pupil.
    """
    empty = pl.DataFrame(schema=dict.fromkeys(CONTACT_COLUMNS, pl.String))
    raw, file, problems = read_table(Path(school.path), CONTACTS, school.config.date_format)
    if raw is None:
        if problems:
            raise DataValidationError(problems)
        return empty
    typed, found = parse_table(raw, CONTACTS, file, school.config.date_format)
    if not problems:  # with a column missing, the rules across rows cannot run
        known = school.pupils["pupil_id"].implode()
        unknown = pl.col("pupil_id").is_not_null() & ~pl.col("pupil_id").is_in(known)
        found = pl.concat(
            [
                found,
                problem_rows(typed, unknown, file, "pupil_id", "a pupil_id listed in pupils.csv"),
                _repeated(typed, file),
            ]
        )
    problems += [Problem(**row) for row in found.sort("row", "column").iter_rows(named=True)]
    if problems:
        raise DataValidationError(problems)
    missing = [c for c in CONTACT_COLUMNS if c not in typed.columns]
    return pl.concat(
        [empty, typed.with_columns(pl.lit(None, pl.String).alias(c) for c in missing)],
        how="diagonal_relaxed",
    ).select(CONTACT_COLUMNS)


def _repeated(typed: pl.DataFrame, file: str) -> pl.DataFrame:
    """A row whose pupil and addressee (in any case) an earlier row already has."""
    key = [pl.col("pupil_id"), pl.col("addressee").str.to_lowercase()]
    first = pl.col(ROW).min().over(key)
    repeat = pl.col("addressee").is_not_null() & (pl.col(ROW) != first)
    return problem_rows(
        typed.with_columns(_first=first),
        repeat,
        file,
        "addressee",
        pl.format("one row per addressee of a pupil (first on row {})", "_first"),
    )
