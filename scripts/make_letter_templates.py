"""Rebuild the built-in letter templates (sendlib/present/templates/letters/*.docx).

Run from the repository root: ``python scripts/make_letter_templates.py``. The templates
are ordinary Word documents holding docxtpl placeholders (``{{ pupil_name }}``), so a
school can copy one into its folder's ``letter_templates/``, edit the wording in Word and
keep the placeholders it wants (the README lists them). The output is the same bytes on
every run, so a rebuild shows in git only when the wording changes.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from sendlib.present.letters import CONFIDENTIAL, fixed_zip

FOLDER = Path(__file__).resolve().parents[1] / "sendlib" / "present" / "templates" / "letters"

#: The address block, one paragraph per line; docxtpl's {%p %} tags drop their paragraph.
ADDRESS = ["{%p for line in address %}", "{{ line }}", "{%p endfor %}"]

#: How both letters end: another time, and who signs.
CLOSING = [
    "If this time does not suit you, please contact the school office as soon as you can so "
    "that we can find another time.",
    "Yours sincerely,",
    "",
    "{{ sender }}",
    "{{ school_name }}",
]

ANNUAL_REVIEW = [
    "Dear {{ salutation }},",
    "**Annual review of {{ pupil_name }}'s Education, Health and Care plan**",
    "I am writing to invite you to the annual review of {{ pupil_name }}'s EHC plan:",
    "**{{ meeting_day }} at {{ meeting_time }}**, about {{ minutes }} minutes, "
    "{{ meeting_place }}.",
    "The annual review looks at the outcomes in the plan, the progress {{ pupil_name }} "
    "has made and the support in place, and agrees whether the plan should stay as it is "
    "or change. Your views matter: please tell us what is going well and what worries you. "
    "{{ pupil_name }} is welcome to take part, for all or some of the meeting.",
    "The law asks schools to send this invitation, and the advice gathered for the review, "
    "to everyone invited at least two weeks before the meeting (SEND Regulations 2014, "
    "regulation 20). If you have advice or reports from professionals who know "
    "{{ pupil_name }}, or your own written views, please send them to the school by "
    "**{{ advice_by }}** so that we can share them with everyone invited in time.",
    "After the meeting we will send the review report to you and to the local authority "
    "within two weeks; the local authority then decides within four weeks of the meeting "
    "whether to keep, amend or cease the plan.",
    *CLOSING,
]

REVIEW = [
    "Dear {{ salutation }},",
    "**{{ pupil_name }}'s termly SEN support review**",
    "I am writing to invite you to this term's review of {{ pupil_name }}'s support:",
    "**{{ meeting_day }} at {{ meeting_time }}**, about {{ minutes }} minutes, "
    "{{ meeting_place }}.",
    "We meet each term to look at the progress {{ pupil_name }} has made towards the "
    "outcomes we agreed, to hear your views and {{ pupil_name }}'s, and to agree what "
    "each of us will do next. After the meeting we will send you a short written record "
    "of what was agreed.",
    "If you would like to share anything in writing before we meet, please send it to the "
    "school by {{ views_by }}.",
    *CLOSING,
]


def build(paragraphs: list[str], title: str) -> bytes:
    """A letter template: confidential footer and properties, address block, date, text."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    header = document.sections[0].header.paragraphs[0]
    header.text = "{{ school_name }}"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = CONFIDENTIAL
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in ["{{ addressee }}", *ADDRESS]:
        document.add_paragraph(line)
    dated = document.add_paragraph("{{ letter_date }}")
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for text in paragraphs:
        bold = text.startswith("**") and text.endswith("**") and text.count("**") == 2
        paragraph = document.add_paragraph()
        for number, part in enumerate(text.split("**")):
            if part:
                paragraph.add_run(part).bold = bold or number % 2 == 1
    properties = document.core_properties
    properties.title = title
    properties.subject = CONFIDENTIAL
    properties.keywords = CONFIDENTIAL
    properties.author = "sendlib"
    properties.last_modified_by = "sendlib"
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_zip(buffer.getvalue())


def main() -> None:
    """Write both templates."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, paragraphs, title in (
        ("annual_review.docx", ANNUAL_REVIEW, "Annual review invitation"),
        ("review.docx", REVIEW, "Termly review invitation"),
    ):
        (FOLDER / name).write_bytes(build(paragraphs, title))
        print(f"wrote {FOLDER / name}")


if __name__ == "__main__":
    main()
