"""The week's agenda: a term's schedule as a printable page, one SENDCo day per section.

Each day lists its meetings in time order (those the schedule placed and those already
in the diary): the time, the pupil (display name and ID), what the meeting is, who leads
it, and ruled space for notes. The page names pupils, so it is marked "Confidential:
contains pupil information" at the top of the page and of every day, and at the foot of
every printed page. Every text from the school's files is escaped. The PDF is the same
page printed (:mod:`sendlib.present.pdf`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sendlib.planning.scheduling.demand import booked_meetings
from sendlib.planning.scheduling.result import Schedule
from sendlib.present.escape import html_text
from sendlib.school.load import School
from sendlib.school.outputs import OutputPlaceError, shown_path, write_file

CONFIDENTIAL = "Confidential: contains pupil information"
#: Marks a page as a sendlib agenda: only such a page is ever written over.
GENERATOR = '<meta name="generator" content="sendlib agenda">'
#: What each kind of meeting is, in words (schedule kinds and the meetings table's kinds).
KINDS = {
    "annual_review": "EHC plan annual review",
    "review": "termly review with parents",
    "concern": "meeting a parent asked for",
    "surgery": "surgery (drop-in slot)",
    "meeting": "meeting",
}
NOTE_LINES = 3


@dataclass(frozen=True)
class AgendaItem:
    """One meeting on the agenda, every field as text to show."""

    day: dt.date
    start: str
    end: str
    pupil: str
    kind: str
    lead: str
    note: str


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def default_week(schedule: Schedule) -> dt.date:
    """The coming week: the week of the first school day after the planning date.

    Planned on a Friday, the next week; planned on a Monday, the rest of that week.
    """
    days = schedule.supply.days
    planned = schedule.demand.planning_date if schedule.demand else None
    coming = [d for d in days if planned is None or d > planned] or list(days)
    return week_start(coming[0] if coming else schedule.demand.term.start)


def agenda_items(schedule: Schedule, school: School, monday: dt.date) -> list[AgendaItem]:
    """The week's meetings: placed by the schedule, and already booked, by day and time."""
    end = monday + dt.timedelta(days=6)
    names = _names(school)
    roles = dict(school.staff.select("staff_id", "role").iter_rows())
    placed = schedule.schedule.filter(pl.col("date").is_between(monday, end))
    items = [
        AgendaItem(
            r["date"],
            r["start"],
            r["end"],
            _pupil(r["pupil_id"], names),
            KINDS.get(r["kind"], r["kind"]),
            _lead(r["lead_staff_id"], roles),
            "provisional: to agree with the family" if r["provisional"] else r["priority"] or "",
        )
        for r in placed.iter_rows(named=True)
    ]
    planning = schedule.demand.planning_date if schedule.demand else monday - dt.timedelta(days=1)
    diary = booked_meetings(school, planning).filter(
        pl.col("starts_at").dt.date().is_between(monday, end)
    )
    for r in diary.iter_rows(named=True):
        starts = r["starts_at"]
        finish = starts + dt.timedelta(minutes=r["minutes"])
        items.append(
            AgendaItem(
                starts.date(),
                f"{starts:%H:%M}",
                f"{finish:%H:%M}",
                _pupil(r["pupil_id"], names),
                KINDS.get(r["kind"], r["kind"]),
                _lead(r["lead_staff_id"], roles),
                "already in the diary",
            )
        )
    return sorted(items, key=lambda i: (i.day, i.start, i.end, i.pupil))


def agenda_html(schedule: Schedule, school: School, monday: dt.date) -> str:
    """The week's agenda as a whole HTML page (offline, no script)."""
    items = agenda_items(schedule, school, monday)
    sendco_days = {d for d in schedule.supply.sendco_days if 0 <= (d - monday).days < 7}
    days = sorted(sendco_days | {i.day for i in items})
    title = f"{school.name}: SENDCo agenda, week of {monday:%A %d %B %Y}"
    sections = [_day(day, [i for i in items if i.day == day], day in sendco_days) for day in days]
    if not sections:
        sections = ['<p class="empty">No SENDCo days and no meetings in this week.</p>']
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en-GB"><head><meta charset="utf-8">',
            GENERATOR,
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'\">",
            f"<title>{html_text(title)}</title>",
            f"<style>{STYLE}</style></head><body>",
            f'<p class="confidential">{CONFIDENTIAL}</p>',
            f"<h1>{html_text(title)}</h1>",
            f"<p>{html_text(schedule.demand.term.name if schedule.demand else '')} "
            f"schedule: meetings placed by sendlib and those already in the diary. "
            f"{len(items)} meetings on {len(days)} days.</p>",
            *sections,
            "</body></html>",
        ]
    )


def _day(day: dt.date, items: list[AgendaItem], sendco_day: bool) -> str:
    what = "" if sendco_day else ' <span class="not-sendco">(not a SENDCo day)</span>'
    rows = "".join(_item(i) for i in items) or '<p class="empty">No meetings booked.</p>'
    return (
        f'<section class="day"><p class="confidential">{CONFIDENTIAL}</p>'
        f"<h2>{day:%A %d %B %Y}{what}</h2>{rows}"
        '<div class="notes day-notes"><div class="label">Notes for the day</div>'
        + '<div class="line"></div>' * NOTE_LINES
        + "</div></section>"
    )


def _item(item: AgendaItem) -> str:
    return (
        '<div class="meeting">'
        f'<div class="head"><span class="time">{html_text(item.start)}&ndash;'
        f'{html_text(item.end)}</span> <span class="pupil">{html_text(item.pupil)}</span></div>'
        f'<div class="what">{html_text(item.kind)}; lead: {html_text(item.lead)}'
        f"{'; ' + html_text(item.note) if item.note else ''}</div>"
        '<div class="notes">' + '<div class="line"></div>' * NOTE_LINES + "</div></div>"
    )


def _names(school: School) -> dict[str, str]:
    pupils = school.pupils
    if "display_name" not in pupils.columns:
        return {}
    return {
        pid: name for pid, name in pupils.select("pupil_id", "display_name").iter_rows() if name
    }


def _pupil(pupil_id: str | None, names: dict[str, str]) -> str:
    if pupil_id is None:
        return "any family (drop-in)"
    name = names.get(pupil_id)
    return f"{name} ({pupil_id})" if name else pupil_id


def _lead(staff_id: str | None, roles: dict[str, str]) -> str:
    if staff_id is None:
        return "SENDCo"
    role = roles.get(staff_id)
    return f"{staff_id} ({role.replace('_', ' ')})" if role else staff_id


def refuse_non_agenda(path: str | Path) -> None:
    """Raise :class:`OutputPlaceError` unless ``path`` is new or a sendlib agenda already.

    An agenda may replace last week's, never another file that happens to be there;
    likewise the PDF beside it, which may only replace a PDF.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise OutputPlaceError(f"--agenda {path}: give a file name ending in .html")
    for target, mark in ((path, GENERATOR.encode()), (path.with_suffix(".pdf"), b"%PDF-")):
        if target.is_dir() or (target.is_symlink() and not target.exists()):
            raise OutputPlaceError(f"{shown_path(target)} is a folder or a broken link")
        if target.exists():
            with open(target, "rb") as handle:
                head = handle.read(4096)
            if mark not in head:
                raise OutputPlaceError(
                    f"{shown_path(target)} exists and is not a sendlib agenda; sendlib will "
                    "not write over it (choose a new file name)."
                )
    if not path.parent.is_dir():
        raise OutputPlaceError(
            f"--agenda {path}: the folder {shown_path(path.parent)} does not exist"
        )


def write_agenda(
    schedule: Schedule,
    school: School,
    path: str | Path,
    week: dt.date | None = None,
    pdf: bool = False,
) -> list[Path]:
    """Write the agenda of ``week`` (any day in it; default the schedule's first week).

    With ``pdf``, the page is printed to a PDF beside it. Returns the files written.
    """
    monday = week_start(week) if week else default_week(schedule)
    html = write_file(path, agenda_html(schedule, school, monday))
    if not pdf:
        return [html]
    from sendlib.present.pdf import print_pdf

    return [html, print_pdf(html, note=f"{CONFIDENTIAL}. {school.name}")]


STYLE = """
body { font-family: sans-serif; max-width: 780px; margin: 0 auto; padding: 1rem; color: #111; }
.confidential { font-weight: 700; color: #8b0000; border: 2px solid #8b0000; padding: 0.3rem 0.6rem;
  display: inline-block; margin: 0.5rem 0; }
section.day .confidential { font-size: 0.8rem; border-width: 1px; padding: 0.1rem 0.4rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.25rem; margin: 0.4rem 0 0.6rem; }
.not-sendco { font-weight: 400; font-size: 0.95rem; color: #444; }
.meeting { border: 1px solid #999; border-radius: 4px; padding: 0.5rem 0.7rem; margin: 0 0 0.7rem; }
.meeting .head { font-size: 1.05rem; } .time { font-weight: 700; margin-right: 0.6rem; }
.pupil { font-weight: 600; } .what { color: #333; margin-top: 0.2rem; }
.notes .line { border-bottom: 1px solid #888; height: 1.7rem; }
.day-notes { margin-top: 0.8rem; } .day-notes .label { font-weight: 600; }
.empty { font-style: italic; }
@page { size: A4; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  section.day + section.day { break-before: page; }
  .meeting, .day-notes { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""
