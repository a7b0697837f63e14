"""One pupil's year, in polars: the timeline of what happened and what is owed next.

The drill-down of :mod:`sendlib.explorer.views` shows these frames for the pupil chosen.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendlib.explorer.labels import (
    MEETING_KIND_LABELS,
    MEETING_STATUS_LABELS,
    REQUEST_KIND_LABELS,
    RESPONSE_LABELS,
    format_day,
    reader_day,
)
from sendlib.explorer.queries import Caseload, booked_meetings
from sendlib.rules.assessments import needs_assessments
from sendlib.school.schema import SEN_STATUS_LABELS


def pupil_timeline(cases: Caseload, pupil_id: str) -> pl.DataFrame:
    """One pupil's year in date order: registration, requests, meetings, plans, assessments.

    Columns: on, event, detail, booked (a meeting in the diary after ``as_of``). Records
    dated after ``as_of`` are left out, except meetings already booked.
    """
    meetings = cases.school.meetings.filter(
        (pl.col("pupil_id") == pupil_id) & (pl.col("starts_at").dt.date() <= cases.as_of)
    )
    requests = cases.requests.filter(pl.col("pupil_id") == pupil_id)
    # Same-day events keep this order: the sort below is stable.
    rows = [
        *_registration_events(cases, pupil_id),
        *(
            _event(r["received_on"], "Request from parents", _request_detail(r))
            for r in requests.iter_rows(named=True)
        ),
        *_meeting_events(cases, pupil_id, meetings),
        *_last_annual_review_events(cases, pupil_id, meetings),
        *_plan_events(cases, pupil_id),
        *_assessment_events(cases, pupil_id),
    ]
    frame = pl.DataFrame(
        rows,
        schema={"on": pl.Date, "event": pl.String, "detail": pl.String, "booked": pl.Boolean},
        orient="row",
    )
    return frame.sort("on", "booked", maintain_order=True)


def _registration_events(cases: Caseload, pupil_id: str) -> list[dict]:
    """Placement on the SEN register, or, for a monitored pupil, being recorded as a concern."""
    pupil = cases.pupils.filter(pl.col("pupil_id") == pupil_id).row(0, named=True)
    if pupil["registered_on"] is not None and pupil["sen_status"] != "M":
        return [
            _event(
                pupil["registered_on"],
                "Placed on the SEN register",
                SEN_STATUS_LABELS[pupil["sen_status"]],
            )
        ]
    if pupil["registered_on"] is not None and pupil["registered_on"] <= cases.as_of:
        return [_event(pupil["registered_on"], "Recorded as a pupil of concern", "monitored")]
    return []


def _meeting_events(cases: Caseload, pupil_id: str, meetings: pl.DataFrame) -> list[dict]:
    """Meetings up to ``as_of`` with their written records, then those booked after it."""
    records = dict(
        cases.records.filter(pl.col("pupil_id") == pupil_id)
        .select("meeting_id", "record_status")
        .iter_rows()
    )
    reports = dict(
        cases.reports.filter(pl.col("pupil_id") == pupil_id)
        .select("meeting_id", "report_status")
        .iter_rows()
    )
    rows = [
        _event(
            m["starts_at"].date(),
            MEETING_KIND_LABELS[m["kind"]],
            _meeting_detail(m, records.get(m["meeting_id"]))
            + _report_detail(m, reports.get(m["meeting_id"])),
        )
        for m in meetings.iter_rows(named=True)
    ]
    review = cases.reviews.filter(pl.col("pupil_id") == pupil_id)
    review = review.row(0, named=True) if review.height else None
    booked = booked_meetings(cases.school, cases.as_of).filter(pl.col("pupil_id") == pupil_id)
    for m in booked.iter_rows(named=True):
        detail = f"booked for {m['starts_at']:%H:%M}, {m['minutes']} minutes, led by {m['lead_staff_id']}"
        if m["kind"] == "annual_review" and review and review["booked_on"] == m["starts_at"].date():
            detail += _notice_detail(cases, review)
        rows.append(_event(m["starts_at"].date(), MEETING_KIND_LABELS[m["kind"]], detail, True))
    return rows


def _report_detail(m: dict, report_status: str | None) -> str:
    """An annual review's report, judged on 14 calendar days (reg. 20(7)-(8))."""
    words = {
        "report_on_time": f"; review report sent {format_day(m['record_sent_on'])} (within two weeks)",
        "report_late": f"; review report sent late ({format_day(m['record_sent_on'])})",
        "report_missing": "; review report not sent within two weeks",
        "report_due": "; review report due within two weeks",
    }
    return words.get(report_status or "", "")


def _notice_detail(cases: Caseload, review: dict) -> str:
    """A booked annual review's invite-by date (two weeks before it) and whether it was met."""
    invite_by = reader_day(cases.school.calendar, review["invite_by"])
    invited = review["invited_on"]
    if review["short_notice"]:
        sent = f"sent {format_day(invited)}" if invited else "not recorded"
        return f"; short notice: invitations were due by {invite_by} (invitations: {sent})"
    if invited:
        return f"; invitations sent {format_day(invited)}"
    return f"; invite by {invite_by} (invitations: not recorded)"


def _last_annual_review_events(
    cases: Caseload, pupil_id: str, meetings: pl.DataFrame
) -> list[dict]:
    """The last annual review as of the date when it is not a held meeting already shown."""
    review = cases.reviews.filter(pl.col("pupil_id") == pupil_id)
    if review.is_empty():
        return []
    r = review.row(0, named=True)
    if r["last_review_from"] == "recorded":
        return [_event(r["last_review_on"], "Annual review", "recorded as the last annual review")]
    if r["status"] == "no_record":
        return [
            _event(
                cases.as_of,
                "Annual review",
                "no last review on record as of this date (a gap in the data)",
            )
        ]
    return []


def _plan_events(cases: Caseload, pupil_id: str) -> list[dict]:
    """Each plan started by ``as_of``, and its review if that was recorded by then."""
    a = cases.as_of
    plans = cases.school.plans.filter((pl.col("pupil_id") == pupil_id) & (pl.col("starts_on") <= a))
    rows = []
    for p in plans.iter_rows(named=True):
        rows.append(
            _event(
                p["starts_on"],
                f"{p['plan_type']} started",
                f"review due {format_day(p['review_due_on'])}",
            )
        )
        if p["reviewed_on"] is not None and p["reviewed_on"] <= a:
            outcome = (p["outcome"] or "no outcome recorded").replace("_", " ")
            rows.append(
                _event(p["reviewed_on"], f"{p['plan_type']} reviewed", f"outcome: {outcome}")
            )
    return rows


def _assessment_events(cases: Caseload, pupil_id: str) -> list[dict]:
    """An EHC needs assessment's steps recorded by ``as_of``, with its status then."""
    found = needs_assessments(cases.school, cases.as_of).filter(pl.col("pupil_id") == pupil_id)
    rows = []
    for n in found.iter_rows(named=True):
        status = n["status"].replace("_", " ")
        rows.append(
            _event(
                n["requested_on"],
                "EHC needs assessment requested",
                f"by {n['requested_by']}; decision due {format_day(n['decision_due_on'])}, "
                f"final plan due {format_day(n['final_due_on'])}; now: {status}",
            )
        )
        if n["decision_on"] is not None:
            rows.append(_event(n["decision_on"], "Local authority decision", n["decision"]))
        if n["advice_requested_on"] is not None:
            rows.append(
                _event(
                    n["advice_requested_on"],
                    "School's advice requested",
                    f"due {format_day(n['advice_due_on'])}; {n['advice_status'].replace('_', ' ')}",
                )
            )
        if n["advice_sent_on"] is not None:
            rows.append(
                _event(
                    n["advice_sent_on"],
                    "School's advice sent",
                    n["advice_status"].replace("_", " "),
                )
            )
        if n["final_on"] is not None:
            rows.append(_event(n["final_on"], "Final EHC plan issued", status))
    return rows


def _event(on: dt.date, event: str, detail: str, booked: bool = False) -> dict:
    return {"on": on, "event": event, "detail": detail, "booked": booked}


def _request_detail(r: dict) -> str:
    kind = REQUEST_KIND_LABELS[r["kind"]]
    via = r["channel"].replace("_", " ")
    if r["status"] == "routed":
        return f"{kind}, via {via}; routed away (not a SENDCo request)"
    if r["acknowledged_on"] is None:
        state = "overdue" if r["status"] == "open_overdue" else "not yet due"
        return f"{kind}, via {via}; not yet acknowledged, due {format_day(r['due_on'])} ({state})"
    timing = "on time" if r["status"] == "on_time" else "late"
    response = RESPONSE_LABELS.get(r["response"] or "", "acknowledged")
    return (
        f"{kind}, via {via}; {response} on {format_day(r['acknowledged_on'])} "
        f"({r['school_days_taken']} school days, {timing})"
    )


def _meeting_detail(m: dict, record_status: str | None) -> str:
    parts = [MEETING_STATUS_LABELS[m["status"]], f"led by {m['lead_staff_id']}"]
    if m["sendco_attended"]:
        parts.append("SENDCo attended")
    if record_status == "missing":
        parts.append("written record missing")
    elif record_status == "late":
        parts.append(f"written record sent late ({format_day(m['record_sent_on'])})")
    elif record_status == "on_time":
        parts.append(f"written record sent {format_day(m['record_sent_on'])}")
    elif record_status == "not_yet_due":
        parts.append("written record not yet due")
    return ", ".join(parts)


def pupil_next_due(cases: Caseload, pupil_id: str) -> pl.DataFrame:
    """What is owed for one pupil, soonest (or most overdue) first: due_on, item, overdue."""
    return cases.due.filter(pl.col("pupil_id") == pupil_id).select("due_on", "item", "overdue")


def pupil_records_missing(cases: Caseload, pupil_id: str) -> pl.DataFrame:
    """Held parent meetings whose written record is past due and not sent: day, kind, due."""
    return (
        cases.records.filter(
            (pl.col("pupil_id") == pupil_id) & (pl.col("record_status") == "missing")
        )
        .select("meeting_id", "day", "kind", "record_due_on")
        .sort("day")
    )
