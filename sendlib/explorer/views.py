"""The explorer's HTML fragments: headline cards, to-do lists, the pupils table, one pupil.

Every value from the school's data is escaped here, display names included, so the
widgets in :mod:`sendlib.explorer.app` only place these strings on the page.
"""

from __future__ import annotations

import datetime as dt
import html

import polars as pl

from sendlib.explorer.labels import (
    CASELOAD_STATUS_LABELS,
    MEETING_KIND_LABELS,
    days_in_words,
    format_day,
    need_label,
    reader_day,
    year_label,
)
from sendlib.explorer.plans_todo import (
    advice_to_send,
    assessments_to_chase,
    plan_reviews_due,
    plans_to_write,
)
from sendlib.explorer.queries import Caseload, Headline
from sendlib.explorer.timeline import pupil_next_due, pupil_records_missing, pupil_timeline
from sendlib.explorer.todo import (
    annual_reviews_to_invite,
    pupils_without_meeting_this_term,
    requests_to_acknowledge,
)
from sendlib.present.figures import STATUS_COLOURS
from sendlib.school.schema import SEN_STATUS_LABELS


def _esc(value: object) -> str:
    """A value as page text: escaped, dates written out, nothing for a missing value."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return format_day(value)
    return html.escape(str(value))


def _pupil_name(row: dict, with_names: bool) -> str:
    name = f" {_esc(row['display_name'])}" if with_names and row.get("display_name") else ""
    return f"<strong>{_esc(row['pupil_id'])}</strong>{name}"


def _status_chip(status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#999999")
    return (
        f'<span class="chip"><span class="swatch" style="background:{colour}"></span>'
        f"{_esc(CASELOAD_STATUS_LABELS.get(status, status))}</span>"
    )


def headline_html(headlines: list[Headline]) -> str:
    """The headline strip as cards; a live region, so screen readers hear it change."""
    cards = "".join(
        f'<div class="card" data-key="{h.key}"><div class="value">{_esc(h.text)}</div>'
        f'<div class="title">{_esc(h.title)}</div><div class="note">{_esc(h.note)}</div></div>'
        for h in headlines
    )
    return f'<div class="headlines" role="status" aria-live="polite">{cards}</div>'


def todo_html(cases: Caseload, shown: pl.DataFrame) -> str:
    """The three to-do lists side by side, for the pupils shown."""
    columns = (
        ("Requests to acknowledge", _acknowledge_html(cases, shown)),
        ("Pupils without a meeting this term", _meeting_html(cases, shown)),
        ("Annual reviews to invite for", _invite_html(cases, shown)),
    )
    body = "".join(
        f'<section class="todo" aria-label="{_esc(title)}"><h3>{_esc(title)}</h3>'
        f'<div class="scroll" tabindex="0">{content}</div></section>'
        for title, content in columns
    )
    return f'<div class="todos">{body}</div>'


def plans_todo_html(cases: Caseload, shown: pl.DataFrame) -> str:
    """The graduated approach's four to-do lists side by side, for the pupils shown."""
    names = cases.has_names

    def who(r: dict) -> str:
        return f"{_pupil_name(r, names)}, {_esc(year_label(r['year_group']))}"

    def late(flag: bool, word: str = "overdue") -> str:
        return f' <span class="late">{word}</span>' if flag else ""

    write = [
        f"<li>{who(r)}: {_esc(SEN_STATUS_LABELS[r['sen_status']])}, plan due by "
        f"{format_day(r['due_by'])}{late(r['overdue'])}</li>"
        for r in plans_to_write(cases, shown).iter_rows(named=True)
    ]
    review = [
        f"<li>{who(r)}: {_esc(r['plan_type'])} review due {format_day(r['review_due_on'])}"
        f"{late(r['overdue'])}</li>"
        for r in plan_reviews_due(cases, shown).iter_rows(named=True)
    ]
    advice = [
        f"<li>{who(r)}: assessment {_esc(r['assessment_id'])}, advice due "
        f"{format_day(r['advice_due_on'])}{late(r['overdue'])}</li>"
        for r in advice_to_send(cases, shown).iter_rows(named=True)
    ]
    chase = [
        f"<li>{who(r)}: assessment {_esc(r['assessment_id'])}, "
        + ("decision" if r["status"] == "decision_overdue" else "final plan")
        + f" was due {format_day(r['due_on'])} ({r['weeks_since_request']} weeks since the "
        "request)</li>"
        for r in assessments_to_chase(cases, shown).iter_rows(named=True)
    ]
    columns = (
        ("Plans to write", _list_or(write, "Every pupil shown has a plan.")),
        ("Plan reviews due", _list_or(review, "No plan review due in the next 14 days.")),
        ("Advice to send", _list_or(advice, "No advice owed.")),
        ("Assessments to chase", _list_or(chase, "No assessment past its deadline.")),
    )
    body = "".join(
        f'<section class="todo" aria-label="{_esc(title)}"><h3>{_esc(title)}</h3>'
        f'<div class="scroll" tabindex="0">{content}</div></section>'
        for title, content in columns
    )
    return f'<div class="todos plans-todos">{body}</div>'


def _acknowledge_html(cases: Caseload, shown: pl.DataFrame) -> str:
    """Requests to acknowledge today (or overdue), then those due in the next seven days."""
    names = cases.has_names
    requests = requests_to_acknowledge(cases, shown)
    items = []
    for when, heading in (("today", "Today"), ("this_week", "In the next seven days")):
        part = requests.filter(pl.col("when") == when)
        lines = [
            f"<li>{_pupil_name(r, names)}, {_esc(year_label(r['year_group']))}: request "
            f"{_esc(r['request_id'])} by {_esc(r['channel'].replace('_', ' '))}, received "
            f"{format_day(r['received_on'])}; due {format_day(r['due_on'])}"
            + (' <span class="late">overdue</span>' if r["overdue"] else "")
            + "</li>"
            for r in part.iter_rows(named=True)
        ]
        items.append(f"<h4>{heading} ({part.height})</h4>" + _list_or(lines, "Nothing due."))
    return "".join(items)


def _meeting_html(cases: Caseload, shown: pl.DataFrame) -> str:
    """Registered pupils with no parent meeting yet this term; a note instead in a holiday."""
    names = cases.has_names
    without = pupils_without_meeting_this_term(cases, shown)
    term = cases.year.current_term
    lines = [
        f"<li>{_pupil_name(r, names)}, {_esc(year_label(r['year_group']))}, lead "
        f"{_esc(r['lead_staff_id'])}: {_status_chip(r['coverage_status'])}"
        f"{_terms_missed_text(r)}; "
        + (
            f"last met {format_day(r['last_meeting_on'])}"
            if r["last_meeting_on"]
            else "no meeting yet this year"
        )
        + (f"; booked {format_day(r['next_booked_on'])}" if r["next_booked_on"] else "")
        + "</li>"
        for r in without.iter_rows(named=True)
    ]
    return (
        f"<p>{without.height} registered pupil(s) with no parent meeting yet in {_esc(term.name)}"
        f" (ends {format_day(term.end)}).</p>"
        + _list_or(lines, "Every pupil shown has met this term.")
        if term
        else "<p>The as-of date is in a school holiday: no current term.</p>"
    )


def _terms_missed_text(r: dict) -> str:
    """A pupil's terms missed, "offered, family did not attend" apart from "no meeting offered"."""
    missed, offered = r["terms_missed"], r["terms_offered_not_held"]
    if not missed:
        return ""
    parts = []
    if offered:
        parts.append(f"{offered} offered, family did not attend")
    if missed - offered:
        parts.append(f"{missed - offered} no meeting offered")
    return f" ({missed} term{'s' if missed > 1 else ''} missed: {', '.join(parts)})"


def _invite_html(cases: Caseload, shown: pl.DataFrame) -> str:
    """Annual reviews whose invitations are due soon or late, saying when to invite by."""
    if not cases.statutory:
        return f"<p>{_esc(cases.school.config.law_note)}</p>"
    names = cases.has_names
    invite = annual_reviews_to_invite(cases, shown)
    lines = []
    for r in invite.iter_rows(named=True):
        transfer = " (phase transfer)" if r["transfer_deadline"] else ""
        lines.append(
            f"<li>{_pupil_name(r, names)}, {_esc(year_label(r['year_group']))}{transfer}: "
            f"{_invite_when(cases, r)}</li>"
        )
    window = days_in_words(cases.school.policy.due_soon_days)
    return (
        f"<p>Invitations go out at least two weeks before the meeting; "
        f"{invite.height} due within {window} or late.</p>" + _list_or(lines, "No invitations due.")
    )


def _invite_when(cases: Caseload, r: dict) -> str:
    """When to send one review's invitations: by a date, or passed (with its date), and why."""

    def day(d: dt.date | None) -> str:
        return _esc(reader_day(cases.school.calendar, d))

    deadline = f"deadline {day(r['deadline_on'])}"
    if r["hold_by"] is not None:
        deadline += f"; transfer review to be held by {day(r['hold_by'])}"
    if r["next_review_booked_on"] is not None:
        booked = f"review booked {day(r['next_review_booked_on'])}"
        if r["short_notice"]:
            return (
                f'<span class="late">short notice</span>: {booked}; the invite-by date '
                f"{day(r['invite_by'])} has passed (invitations: not recorded); {deadline}"
            )
        return f"{booked}; invite by {day(r['invite_by'])}; {deadline}"
    if not r["deadline_reachable"]:
        return (
            f'<span class="late">invite now</span>: deadline {day(r["deadline_on"])} '
            f"can no longer have two weeks' notice; earliest meeting "
            f"{day(r['earliest_meeting_on'])}"
        )
    if r["invite_late"]:
        return (
            f'<span class="late">invite now</span>: the invite-by date '
            f"{day(r['invite_by'])} has passed; {deadline}"
        )
    return f"invite by {day(r['invite_by'])}; {deadline}"


def _annual_review_cell(r: dict) -> str:
    """The pupils table's annual review date, or the data gap when none is on record."""
    if r["annual_review_status"] == "no_record":
        return '<span class="late">no review date on record</span>'
    return _esc(r["annual_review_deadline_on"])


def _list_or(lines: list[str], empty: str) -> str:
    return f"<ul>{''.join(lines)}</ul>" if lines else f'<p class="empty">{_esc(empty)}</p>'


def pupils_table_html(cases: Caseload, pupils: pl.DataFrame) -> str:
    """The pupils table (already sorted), in a keyboard-scrollable box."""
    if pupils.is_empty():
        return '<p class="empty">No pupils match these filters.</p>'
    names = cases.has_names
    head = ["Pupil"] + (["Name"] if names else []) + [
        "Year", "SEN status", "Primary need", "Lead", "Parent meetings", "This year",
        "Last meeting", "Open requests", "Annual review by", "Records missing", "Next due",
    ]  # fmt: skip
    rows = []
    for r in pupils.iter_rows(named=True):
        overdue = r["next_due_on"] is not None and r["next_due_on"] < cases.as_of
        cells = [f"<th scope='row'>{_esc(r['pupil_id'])}</th>"]
        if names:
            cells.append(f"<td>{_esc(r['display_name'])}</td>")
        requests = f"{r['open_requests']}" + (
            f" ({r['overdue_requests']} overdue)" if r["overdue_requests"] else ""
        )
        cells += [
            f"<td class='nw'>{_esc(year_label(r['year_group']))}</td>",
            f"<td>{_esc(SEN_STATUS_LABELS[r['sen_status']])}</td>",
            f"<td title='{_esc(need_label(r['primary_need']))}'>{_esc(r['primary_need'] or '')}</td>",
            f"<td>{_esc(r['lead_staff_id'])}</td>",
            f"<td>{_status_chip(r['coverage_status'])}</td>",
            f"<td class='num'>{r['meetings_this_year']}</td>",
            f"<td>{_esc(r['last_meeting_on'])}</td>",
            f"<td class='num'>{requests}</td>",
            f"<td>{_annual_review_cell(r)}</td>",
            f"<td class='num'>{r['records_missing'] or ''}</td>",
            f"<td class='next'><span{' class=late' if overdue else ''}>{_esc(r['next_due_on'])}</span>"
            f"{': ' + _esc(r['next_due']) if r['next_due'] else ''}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th scope='col'>{_esc(h)}</th>" for h in head)
    return (
        '<div class="scroll table-box" tabindex="0" role="region" aria-label="Pupils shown">'
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def pupil_html(cases: Caseload, pupil_id: str | None) -> str:
    """One pupil's drill-down: summary, next due dates, written records missing, timeline."""
    if pupil_id is None:
        return '<p class="empty">No pupil chosen.</p>'
    r = cases.pupils.filter(pl.col("pupil_id") == pupil_id).row(0, named=True)
    name = f" {_esc(r['display_name'])}" if cases.has_names and r["display_name"] else ""
    summary = (
        f"<h3>{_esc(pupil_id)}{name}</h3><p>{_esc(year_label(r['year_group']))}; "
        f"{_esc(SEN_STATUS_LABELS[r['sen_status']])}; primary need "
        f"{_esc(need_label(r['primary_need']))}; lead {_esc(r['lead_staff_id'])}; "
        f"{_status_chip(r['coverage_status'])}{_terms_missed_text(r)}; "
        f"{r['meetings_this_year']} parent meeting(s) this year.</p>"
    )
    due = pupil_next_due(cases, pupil_id)
    due_lines = [
        f"<li>{format_day(d['due_on'])}: {_esc(d['item'])}"
        + (' <span class="late">overdue</span>' if d["overdue"] else "")
        + "</li>"
        for d in due.iter_rows(named=True)
    ]
    missing = pupil_records_missing(cases, pupil_id)
    missing_lines = [
        f"<li>{_esc(MEETING_KIND_LABELS[m['kind']])} on {format_day(m['day'])}: record was due "
        f"{format_day(m['record_due_on'])}</li>"
        for m in missing.iter_rows(named=True)
    ]
    timeline = pupil_timeline(cases, pupil_id)
    timeline_rows = "".join(
        f"<tr{' class=booked' if t['booked'] else ''}><td>{format_day(t['on'])}</td>"
        f"<td>{_esc(t['event'])}</td><td>{_esc(t['detail'])}</td></tr>"
        for t in timeline.iter_rows(named=True)
    )
    return (
        f'<div class="pupil">{summary}<div class="pupil-columns">'
        f"<section><h4>Next due</h4>{_list_or(due_lines, 'Nothing owed.')}"
        f"<h4>Written records missing ({missing.height})</h4>"
        f"{_list_or(missing_lines, 'None missing.')}</section>"
        f'<section><h4>Timeline</h4><div class="scroll" tabindex="0"><table><thead><tr>'
        f"<th scope='col'>Date</th><th scope='col'>What</th><th scope='col'>Details</th>"
        f"</tr></thead><tbody>{timeline_rows}</tbody></table></div></section></div></div>"
    )


def pupil_choice_label(row: dict, with_names: bool) -> str:
    """How a pupil is listed in the drill-down chooser."""
    name = f" {row['display_name']}" if with_names and row.get("display_name") else ""
    return f"{row['pupil_id']}{name}, {year_label(row['year_group'])}"


# Okabe-Ito based styles, sized for a 1366x768 school laptop; focus is always visible.
STYLE = """
<style>
.sendlib-explorer { font-size: 15px; color: #1a1a1a; max-width: 1320px; }
.sendlib-explorer h1 { font-size: 1.6em; margin: 0.2em 0; }
.sendlib-explorer h2 { font-size: 1.25em; margin: 0.9em 0 0.3em; }
.sendlib-explorer h3 { font-size: 1.05em; margin: 0.2em 0; }
.sendlib-explorer h4 { font-size: 0.95em; margin: 0.5em 0 0.2em; }
/* Sticky needs every box between it and the page's scroller to let it overflow. */
.sendlib-explorer, .jp-OutputArea:has(.sendlib-explorer),
.jp-OutputArea-child:has(.sendlib-explorer),
.jp-OutputArea-output:has(.sendlib-explorer) { overflow: visible !important; min-width: 0; }
.sendlib-sticky { position: sticky; top: 0; z-index: 10; background: #fff;
  box-shadow: 0 -16px 0 0 #fff;
  border-bottom: 1px solid #ccc; padding-bottom: 4px; }
.sendlib-filters { flex-wrap: wrap; gap: 2px 10px; align-items: flex-end; }
.sendlib-filters .widget-dropdown { flex-direction: column; align-items: stretch; height: auto; }
.sendlib-filters .widget-dropdown > label { width: auto !important; text-align: left;
  margin: 0; line-height: 1.4; font-weight: 600; }
.sendlib-filters .widget-dropdown > select { width: 100%; flex: 0 0 auto; height: 30px; }
.sendlib-explorer select { font-size: 14px; }
.sendlib-explorer .widget-label { font-size: 14px; color: #1a1a1a; }
.sendlib-explorer :focus-visible, .sendlib-explorer select:focus,
.sendlib-explorer button:focus { outline: 3px solid #0072B2 !important; outline-offset: 1px; }
.sendlib-explorer .widget-html-content { line-height: 1.35; }
.sendlib-headlines .headlines { display: flex; gap: 8px; }
.sendlib-headlines .card { flex: 1; border: 1px solid #bbb; border-left: 6px solid #0072B2;
  border-radius: 4px; padding: 4px 8px; background: #f7f9fb; }
.sendlib-headlines .card[data-key=never_met] { border-left-color: #CC79A7; }
.sendlib-headlines .card[data-key=overdue_acknowledgements] { border-left-color: #D55E00; }
.sendlib-headlines .card[data-key=annual_reviews_due] { border-left-color: #E69F00; }
.sendlib-headlines .card[data-key=on_track] { border-left-color: #009E73; }
.sendlib-headlines .value { font-size: 1.6em; font-weight: 700; line-height: 1.2; }
.sendlib-headlines .title { font-weight: 600; }
.sendlib-headlines .note { font-size: 0.8em; color: #444; }
.sendlib-explorer > * { min-width: 0; }
.sendlib-explorer .todos { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr));
  gap: 10px; }
.sendlib-explorer .todo { border: 1px solid #ccc; border-radius: 4px; padding: 4px 8px; }
.sendlib-explorer .scroll { max-height: 260px; overflow-y: auto; }
.sendlib-explorer .table-box { max-height: 420px; }
.sendlib-explorer ul { margin: 0.2em 0; padding-left: 1.2em; }
.sendlib-explorer li { margin: 0.15em 0; line-height: 1.35; }
.sendlib-explorer .late { color: #A33D00; font-weight: 600; }
.sendlib-explorer .empty { color: #444; font-style: italic; }
.sendlib-explorer .chip { white-space: nowrap; }
.sendlib-explorer .swatch { display: inline-block; width: 0.8em; height: 0.8em;
  margin-right: 0.3em; border: 1px solid #333; vertical-align: -0.05em; }
.sendlib-explorer table { border-collapse: collapse; width: 100%; font-size: 13px; }
.sendlib-explorer th, .sendlib-explorer td { text-align: left; padding: 3px 6px;
  border-bottom: 1px solid #ddd; vertical-align: top; }
.sendlib-explorer thead th { position: sticky; top: 0; background: #eef2f6; }
.sendlib-explorer td.num { text-align: right; }
.sendlib-table td.nw { white-space: nowrap; }
.sendlib-table td.next { min-width: 14em; }
.sendlib-table .table-box { max-width: 100%; overflow-x: auto; }
.sendlib-explorer tr.booked td { color: #0b5a8c; font-style: italic; }
.sendlib-charts { display: grid !important; grid-template-columns: repeat(2, minmax(0, 1fr));
  gap: 8px; }
.sendlib-charts > :nth-child(3) { grid-column: 1 / span 2; }
.sendlib-explorer .pupil-columns { display: grid; grid-template-columns: 2fr 3fr; gap: 16px; }
.sendlib-explorer .confidential { margin: 0; font-weight: 700; color: #A33D00; }
</style>
"""


def header_html(cases: Caseload) -> str:
    """The page's styles, confidentiality mark and title: school, as-of date, term, how to use it.

    The mark is ordinary text at the top, so it is on the screen and at the top of a printout.
    """
    name = html.escape(cases.school.name)
    term = cases.year.current_term
    return (
        STYLE
        + '<p class="confidential" role="note">Confidential: contains pupil information.</p>'
        + f"<h1>Caseload explorer: {name}</h1><p>As of <strong>{format_day(cases.as_of)}</strong>"
        f" ({_esc(term.name if term else 'holiday')})."
        " Choose filters to narrow the caseload; everything below follows them. Use Tab"
        " to move between controls and the arrow keys to change a choice.</p>"
        + ("" if cases.statutory else f"<p>{_esc(cases.school.config.law_note)}</p>")
    )


def pupils_intro_html(cases: Caseload) -> str:
    """The heading of the pupils table, with a reminder that the page is for the SENDCo only."""
    return (
        "<h2>Pupils</h2><p>Pseudonymous pupil IDs"
        + (", with the names in the school's data" if cases.has_names else "")
        + ". This page is for the SENDCo only: do not share it.</p>"
    )
