"""Rules across columns and tables, checked on each typed table as it loads.

A cell that will not parse is :mod:`sendlib.school.load`'s concern; here every table's
cells already have their types, and each rule turns the rows that break it into problem
rows (file, spreadsheet row, column, value, what was expected).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from sendlib.school.calendar import SchoolCalendar

#: The column holding each record's spreadsheet row number (header = row 1).
ROW = "_row"
PROBLEM_SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "expected": pl.String,
}

col = pl.col


def no_problems() -> pl.DataFrame:
    """An empty problems frame."""
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def problem_rows(
    frame: pl.DataFrame, mask: pl.Series | pl.Expr, file: str, column: str, expected: str | pl.Expr
) -> pl.DataFrame:
    """One problem row per row of ``frame`` where ``mask`` holds."""
    expected_expr = expected if isinstance(expected, pl.Expr) else pl.lit(expected)
    return frame.filter(mask).select(
        pl.lit(file).alias("file"),
        pl.col(ROW).alias("row"),
        pl.lit(column).alias("column"),
        pl.col(column).cast(pl.String).alias("value"),
        expected_expr.cast(pl.String).alias("expected"),
    )


def _unknown(
    frame: pl.DataFrame, file: str, column: str, known: pl.DataFrame, key: str, what: str
) -> pl.DataFrame:
    ids = known[key].drop_nulls().implode()
    mask = pl.col(column).is_not_null() & ~pl.col(column).is_in(ids)
    return problem_rows(frame, mask, file, column, f"a {key} listed in {what}")


def _not_before(frame: pl.DataFrame, file: str, later: str, earlier: str) -> pl.DataFrame:
    """``later`` dated before ``earlier`` on the same row."""
    return problem_rows(
        frame,
        col(later) < col(earlier),
        file,
        later,
        pl.format(f"a date on or after {earlier} ({{}})", col(earlier)),
    )


def _needs(frame: pl.DataFrame, file: str, given: str, missing: str, expected: str) -> pl.DataFrame:
    """``given`` recorded on a row whose ``missing`` is empty (an outcome without its date)."""
    return problem_rows(
        frame, col(given).is_not_null() & col(missing).is_null(), file, missing, expected
    )


class _Context:
    """What a table's rules may look at: the tables loaded before it and the calendar."""

    def __init__(
        self, frame: pl.DataFrame, file: str, loaded: dict[str, pl.DataFrame], calendar
    ) -> None:
        self.frame, self.file, self.loaded = frame, file, loaded
        self.calendar: SchoolCalendar | None = calendar

    def unknown(self, column: str, table: str, key: str) -> list[pl.DataFrame]:
        known = self.loaded.get(table)
        if known is None:
            return []
        return [_unknown(self.frame, self.file, column, known, key, f"{table}.csv")]

    def if_present(
        self, column: str, mask: Callable[[], pl.Expr], expected: pl.Expr
    ) -> list[pl.DataFrame]:
        """Problems of an optional column's rule, when the file has that column."""
        if column not in self.frame.columns:
            return []
        return [problem_rows(self.frame, mask(), self.file, column, expected)]

    def in_calendar(
        self, column: str, *, date_of: pl.Expr | None = None, from_start: bool = True
    ) -> list[pl.DataFrame]:
        # Requests are counted in school days, so they must lie within the calendar;
        # meetings from earlier years (last year's annual review) are history, kept.
        calendar = self.calendar
        if calendar is None:
            return []
        day = date_of if date_of is not None else col(column)
        last = calendar.terms[-1]
        found = [
            problem_rows(
                self.frame,
                day > calendar.covers_to,
                self.file,
                column,
                f"a date on or before {calendar.covers_to} (the end of {last.name}, the last "
                "term in school.toml); add the next school year's [[terms]] to school.toml",
            )
        ]
        if from_start:
            found.append(
                problem_rows(
                    self.frame,
                    day < calendar.covers_from,
                    self.file,
                    column,
                    f"a date on or after {calendar.covers_from} (the summer before "
                    f"{calendar.terms[0].name}); add the previous school year's [[terms]] "
                    "to school.toml to include it",
                )
            )
        return found


def _pupils(c: _Context) -> list[pl.DataFrame]:
    frame, file = c.frame, c.file
    registered = col("sen_status").is_in(["K", "E"])
    return [
        problem_rows(
            frame,
            registered & col("primary_need").is_null(),
            file,
            "primary_need",
            "a census primary need code for a pupil on the register (K or E)",
        ),
        problem_rows(
            frame,
            registered & col("registered_on").is_null(),
            file,
            "registered_on",
            "the date the pupil was placed on the SEN register (status K or E)",
        ),
        problem_rows(
            frame,
            (col("sen_status") == "E") & col("last_annual_review_on").is_null(),
            file,
            "last_annual_review_on",
            "for a pupil with an EHC plan, the date of the last annual review "
            "(or of the plan itself, if it has not been reviewed yet)",
        ),
        *c.unknown("lead_staff_id", "staff", "staff_id"),
        *c.if_present(
            "date_of_birth",
            lambda: col("date_of_birth") > col("registered_on"),
            pl.format("a date of birth before registered_on ({})", col("registered_on")),
        ),
    ]


def _requests(c: _Context) -> list[pl.DataFrame]:
    frame, file = c.frame, c.file
    return [
        *c.unknown("pupil_id", "pupils", "pupil_id"),
        _not_before(frame, file, "acknowledged_on", "received_on"),
        _needs(
            frame,
            file,
            "response",
            "acknowledged_on",
            "the date of the response, since a response is recorded",
        ),
        *c.in_calendar("received_on"),
        *c.in_calendar("acknowledged_on"),
    ]


def _meetings(c: _Context) -> list[pl.DataFrame]:
    frame, file = c.frame, c.file
    return [
        *c.unknown("pupil_id", "pupils", "pupil_id"),
        *c.unknown("lead_staff_id", "staff", "staff_id"),
        *c.unknown("request_id", "requests", "request_id"),
        problem_rows(
            frame,
            col("pupil_id").is_null() & (col("kind") != "surgery"),
            file,
            "pupil_id",
            "a pupil_id (only an unbooked surgery slot may have none)",
        ),
        problem_rows(frame, col("minutes") <= 0, file, "minutes", "a length in minutes above 0"),
        problem_rows(
            frame,
            col("record_sent_on") < col("starts_at").dt.date(),
            file,
            "record_sent_on",
            pl.format("a date on or after the meeting ({})", col("starts_at").dt.date()),
        ),
        *c.in_calendar("starts_at", date_of=col("starts_at").dt.date(), from_start=False),
        *c.in_calendar("record_sent_on", from_start=False),
        *c.if_present(
            "invited_on",
            lambda: col("invited_on") > col("starts_at").dt.date(),
            pl.format("a date on or before the meeting ({})", col("starts_at").dt.date()),
        ),
        *c.if_present(
            "la_decision_on",
            lambda: col("la_decision_on") < col("starts_at").dt.date(),
            pl.format("a date on or after the meeting ({})", col("starts_at").dt.date()),
        ),
    ]


def _plans(c: _Context) -> list[pl.DataFrame]:
    frame, file = c.frame, c.file
    return [
        *c.unknown("pupil_id", "pupils", "pupil_id"),
        _not_before(frame, file, "review_due_on", "starts_on"),
        _not_before(frame, file, "reviewed_on", "starts_on"),
        _needs(
            frame, file, "outcome", "reviewed_on", "the review date, since an outcome is recorded"
        ),
    ]


def _assessments(c: _Context) -> list[pl.DataFrame]:
    frame, file = c.frame, c.file
    return [
        *c.unknown("pupil_id", "pupils", "pupil_id"),
        _not_before(frame, file, "decision_on", "requested_on"),
        _not_before(frame, file, "advice_sent_on", "advice_requested_on"),
        _not_before(frame, file, "final_on", "requested_on"),
        _needs(
            frame,
            file,
            "decision",
            "decision_on",
            "the date of the local authority's decision, since a decision is recorded",
        ),
        _needs(
            frame,
            file,
            "decision_on",
            "decision",
            "the decision (assess or refuse), since decision_on is recorded",
        ),
        problem_rows(
            frame,
            (col("outcome") == "plan_issued") & col("final_on").is_null(),
            file,
            "final_on",
            "the date the final EHC plan was issued, since the outcome is plan_issued",
        ),
    ]


def _register_changes(c: _Context) -> list[pl.DataFrame]:
    frame, file = c.frame, c.file
    found = [
        problem_rows(
            frame,
            col("from_status") == col("to_status"),
            file,
            "to_status",
            pl.format("a status different from from_status ({})", col("from_status")),
        )
    ]
    pupils = c.loaded.get("pupils")
    if pupils is not None:
        # A pupil who has left the school may be gone from pupils.csv, but only if
        # their last recorded change says so.
        last = (
            frame.filter(col("changed_on").is_not_null())
            .sort("changed_on", ROW)
            .group_by("pupil_id", maintain_order=True)
            .last()
        )
        gone = last.filter(col("to_status") == "left")["pupil_id"].implode()
        known = pupils["pupil_id"].drop_nulls().implode()
        found.append(
            problem_rows(
                frame,
                col("pupil_id").is_not_null()
                & ~col("pupil_id").is_in(known)
                & ~col("pupil_id").is_in(gone),
                file,
                "pupil_id",
                "a pupil_id listed in pupils.csv (a pupil missing from it must have left: "
                "their last change in register_changes has to_status left)",
            )
        )
    return found


#: The figures a session-based intervention needs; a resource has annual_cost instead.
_HOURLY = ("hourly_cost", "group_size", "sessions_per_week", "minutes_per_session")


def _with_columns(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` with each optional column it lacks added as empty cells."""
    return frame.with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in columns.items() if name not in frame
    )


def _interventions(c: _Context) -> list[pl.DataFrame]:
    frame = _with_columns(c.frame, {"annual_cost": pl.Float64})
    file = c.file
    resource = col("kind") == "resource"
    found = [
        problem_rows(
            frame,
            ~resource & col(column).is_null(),
            file,
            column,
            f"the {column} of a session-based intervention (only a resource, bought by "
            "the year, has annual_cost instead)",
        )
        for column in _HOURLY
    ]
    found += [
        problem_rows(frame, col(column) < 0, file, column, "a cost of 0 or more")
        for column in ("hourly_cost", "annual_cost")
    ]
    found += [
        problem_rows(frame, col(column) <= 0, file, column, f"a {what} above 0")
        for column, what in (
            ("group_size", "group size (pupils in a session)"),
            ("sessions_per_week", "number of sessions a week"),
            ("minutes_per_session", "length in minutes"),
        )
    ]
    found.append(
        problem_rows(
            frame,
            resource & col("annual_cost").is_null(),
            file,
            "annual_cost",
            "the annual_cost of a resource bought by the year",
        )
    )
    return found


def _provisions(c: _Context) -> list[pl.DataFrame]:
    frame = _with_columns(
        c.frame,
        {"entry_measure": pl.Float64, "exit_measure": pl.Float64, "measure_name": pl.String},
    )
    file = c.file
    measured = col("entry_measure").is_not_null() | col("exit_measure").is_not_null()
    return [
        *c.unknown("pupil_id", "pupils", "pupil_id"),
        *c.unknown("intervention_id", "interventions", "intervention_id"),
        _not_before(frame, file, "ends_on", "starts_on"),
        problem_rows(
            frame,
            measured & col("measure_name").is_null(),
            file,
            "measure_name",
            "the name of the measure (the test or scale the entry and exit scores are on)",
        ),
    ]


_RULES: dict[str, Callable[[_Context], list[pl.DataFrame]]] = {
    "pupils": _pupils,
    "requests": _requests,
    "meetings": _meetings,
    "plans": _plans,
    "assessments": _assessments,
    "register_changes": _register_changes,
    "interventions": _interventions,
    "provisions": _provisions,
}


def table_problems(
    name: str,
    frame: pl.DataFrame,
    file: str,
    loaded: dict[str, pl.DataFrame],
    calendar: SchoolCalendar | None,
) -> list[pl.DataFrame]:
    """Problems with one typed table's cross-column and cross-table rules.

    ``loaded`` holds the tables loaded before it (references are checked only against a
    table that loaded); ``calendar`` is ``None`` when ``school.toml`` has problems.
    """
    rules = _RULES.get(name)
    return rules(_Context(frame, file, loaded, calendar)) if rules else []
