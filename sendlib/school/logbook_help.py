"""The logbook's words: the front sheet, and the input message on each column."""

from __future__ import annotations

from sendlib.school.schema import Column

FRONT_SHEET = """\
The SEN logbook for {school}
Keep this workbook somewhere only you and the people who help you can open it. It names pupils.

How to fill it in
- Each sheet is one log: Requests, Meetings, Plans (and Assessments, Interventions, Provision if \
your school keeps them). Add one row for each new request, meeting or plan, under the last row.
- Click a cell to see what goes in it. Most cells have a dropdown (the small arrow at the right \
of the cell): choose from it rather than typing, so the spelling is always right.
- Dates: type them as 14/10/2025. Meeting times: type 14/10/2025 15:30.
- pupil_id: choose the pupil from the dropdown. Their initials and year appear in the next \
column, so you can see you chose the right pupil. That column fills itself in; do not type in it.
- Leave a cell empty when you do not know yet (for example the date you replied). Fill it in later.
- Never change a row's ID once you have used it (request_id, meeting_id, plan_id): other rows \
and the reports refer to it.
- The grey header row is locked so that sendlib can always read the sheet. To add a column of \
your own notes, use Review > Unprotect Sheet (there is no password); sendlib ignores columns it \
does not know.
- The Pupils sheet is a copy of the register from your school's MIS. Change the register in the \
MIS, not here; a new logbook can be made from a new export with sendlib logbook.

Each week
- Add the week's requests, meetings and plan reviews. Fill in the dates you acknowledged \
requests and sent meeting records.
- Save the workbook in the school folder as logbook.xlsx, then run: sendlib validate SCHOOL_FOLDER. \
It names any cell it cannot use by sheet, row and column, as Excel shows them (for example \
"sheet Requests row 14, D (received_on)").
"""

#: Plain words for the columns whose name alone does not say enough (at most 255 characters).
_HELP = {
    "meeting_id": "A reference of your own for this meeting, e.g. M2025-112. Never reused.",
    "plan_id": "A reference of your own for this plan, e.g. P2025-017. Never reused.",
    "assessment_id": "A reference of your own for this needs assessment. Never reused.",
    "intervention_id": "The intervention's reference, as on the Interventions sheet.",
    "provision_id": "A reference of your own for this pupil's place in an intervention.",
    "pupil_id": "Choose the pupil from the list (their ID in the MIS).",
    "received_on": "The day the request reached you.",
    "acknowledged_on": "The day you replied. Leave empty until you have.",
    "response": "What your reply did. Leave empty until you have replied.",
    "starts_at": "Date and time, e.g. 14/10/2025 15:30.",
    "minutes": "How long the meeting is, in minutes.",
    "lead_staff_id": "Who leads it: choose from the list of staff.",
    "sendco_attended": "true if you (the SENDCo) were there.",
    "record_sent_on": "The day the meeting record went to the parents.",
    "plan_type": "e.g. SEN Support Plan, or EHCP for an EHC plan.",
    "review_due_on": "The day the plan must be reviewed by.",
    "reviewed_on": "The day it was reviewed. Leave empty until then.",
    "invited_on": "Annual reviews: the day the invitations went out.",
    "la_decision_on": "Annual reviews: the day the local authority decided.",
}


def column_help(table: str, column: Column) -> tuple[str, str]:
    """The input message for one column: a short title and a sentence or two."""
    if table == "meetings" and column.name == "request_id":
        text = "The request this meeting answers, if any (its request_id)."
    elif column.name == "request_id":
        text = "A reference of your own for this request, e.g. R2025-041. Never reused."
    else:
        text = _HELP.get(column.name, "")
    if column.codes and column.name not in ("pupil_id",):
        choose = f"Choose one: {', '.join(column.codes)}."
        text = f"{text} {choose}".strip()
    elif column.kind == "date" and "Date" not in text:
        text = f"{text} A date, e.g. 14/10/2025.".strip()
    elif column.kind in ("int", "number") and not text:
        text = "A number."
    elif column.kind == "bool" and not text:
        text = "Choose true or false."
    if not column.nullable and "Leave empty" not in text:
        text += " Needed on every row."
    return column.name[:32], text[:255]
