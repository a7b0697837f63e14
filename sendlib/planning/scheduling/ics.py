"""Calendar export: the schedule as an iCalendar file for Outlook and Google Calendar.

One event per meeting placed and per surgery slot, in Europe/London time with the
time zone definition included (Outlook needs it). Each event's UID comes from the
meeting (its kind, pupil ID or request, and term), so importing a re-planned schedule
moves the event instead of duplicating it. Summaries and descriptions carry pupil and
staff IDs only, never names: a calendar is shared more widely than a SEND register.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from icalendar import Calendar, Event

from sendlib.planning.scheduling.result import Schedule
from sendlib.school.outputs import OutputPlaceError, shown_path, write_file

LONDON = ZoneInfo("Europe/London")
KIND_TITLES = {
    "review": "Termly SEN review",
    "annual_review": "EHC plan annual review",
    "concern": "Parent meeting (request)",
    "surgery": "Parent surgery (protected)",
}


def schedule_calendar(schedule: Schedule, school_slug: str, calendar_name: str) -> Calendar:
    """The schedule as an iCalendar object: one VEVENT per row of ``schedule.schedule``."""
    calendar = Calendar()
    calendar.add("prodid", "-//sendlib//SENDCo schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-wr-timezone", "Europe/London")
    planned = schedule.demand.planning_date if schedule.demand else min(schedule.supply.days)
    # The term in the UID: next term's review of the same pupil is another event.
    term = schedule.demand.term.name if schedule.demand else ""
    suffix = re.sub(r"[^a-z0-9]+", "-", f"-{term}".lower()).rstrip("-")
    # DTSTAMP is when the plan was made, so the same plan gives the same file.
    stamp = dt.datetime.combine(planned, dt.time(0, 0), tzinfo=dt.UTC)
    for row in schedule.schedule.iter_rows(named=True):
        event = Event()
        key = row["meeting_key"].replace(":", "-")
        event.add("uid", f"{key}{suffix}@{school_slug}.sendlib")
        event.add("dtstamp", stamp)
        event.add("dtstart", _local(row["date"], row["start"]))
        event.add("dtend", _local(row["date"], row["end"]))
        event.add("summary", event_summary(row))
        event.add("description", _description(row))
        event.add("categories", [row["kind"]])
        # A meeting for a request not yet answered is offered, not agreed: tentative.
        event.add("status", "TENTATIVE" if row["provisional"] else "CONFIRMED")
        calendar.add_component(event)
    # The time zone's rules for the year around the plan only, to keep the file small.
    calendar.add_missing_timezones(
        first_date=dt.date(planned.year - 1, 1, 1), last_date=dt.date(planned.year + 2, 1, 1)
    )
    return calendar


def event_summary(row: dict) -> str:
    """The event title: the kind of meeting and the pupil ID (never a name)."""
    title = KIND_TITLES.get(row["kind"], row["kind"])
    return f"{title}: {row['pupil_id']}" if row["pupil_id"] else title


def write_ics(schedule: Schedule, path: str | Path, school_slug: str, calendar_name: str) -> Path:
    """Write the schedule's calendar file (atomically, owner-only); returns its path."""
    refuse_non_calendar(path)
    return write_file(path, schedule_calendar(schedule, school_slug, calendar_name).to_ical())


def refuse_non_calendar(path: str | Path) -> None:
    """Raise :class:`OutputPlaceError` unless ``path`` is new or an iCalendar file already.

    A calendar may replace last week's calendar, never a spreadsheet or a folder that
    happens to be at the path given.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputPlaceError(
            f"{shown_path(path)} is a folder; give a file name for the calendar."
        )
    if path.exists():
        with open(path, "rb") as handle:
            start = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not start.upper().startswith(b"BEGIN:VCALENDAR"):
            raise OutputPlaceError(
                f"{shown_path(path)} exists and is not a calendar file; sendlib will not "
                "write over it (choose a new .ics name)."
            )


def read_ics(path: str | Path) -> pl.DataFrame:
    """The events of an iCalendar file: uid, summary, start and end (Europe/London)."""
    calendar = Calendar.from_ical(Path(path).read_bytes())
    rows = [
        {
            "uid": str(event["uid"]),
            "summary": str(event["summary"]),
            "start": event.decoded("dtstart").astimezone(LONDON).replace(tzinfo=None),
            "end": event.decoded("dtend").astimezone(LONDON).replace(tzinfo=None),
            "status": str(event.get("status", "")),
        }
        for event in calendar.walk("VEVENT")
    ]
    schema = {
        "uid": pl.String,
        "summary": pl.String,
        "start": pl.Datetime,
        "end": pl.Datetime,
        "status": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _local(day: dt.date, clock: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=LONDON)


def _description(row: dict) -> str:
    lines = [f"Attendees (staff IDs): {row['attendees']}"]
    if row["priority"]:
        lines.append(f"Priority: {row['priority']}")
    if row["deadline_on"]:
        lines.append(f"Statutory deadline: {row['deadline_on']:%a %d %b %Y}")
    if row["request_id"]:
        lines.append(f"Request: {row['request_id']}")
    if row["provisional"]:
        lines.append("Provisional: the request is not answered yet; confirm with the family")
    return "\n".join(lines)
