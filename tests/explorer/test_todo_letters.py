"""The to-do view's letters button: letters for the booked reviews of the pupils listed.

Tiny school as of Mon 2 Feb 2026, with P3's annual review booked for Wed 4 Mar and P2's
termly review for Wed 11 Mar. Listed: P3 (annual review invitations due 18 Feb, within
the due-soon window) and, without a meeting this term, P2 (did not attend on 21 Jan), P3
and P4 (no meeting yet); P1 met on 14 Jan and P5 is monitored. So two letters, and two
reviews listed with nothing booked (P3's and P4's termly reviews).
"""

import datetime as dt
import io

import docx
from conftest import edit

from sendlib import load_school
from sendlib.explorer.queries import caseload
from sendlib.explorer.todo_letters import LettersAction, listed_invitations

AS_OF = dt.date(2026, 2, 2)


def booked_caseload(folder):
    with open(folder / "meetings.csv", "a", encoding="utf-8") as handle:
        handle.write("M8,P3,annual_review,2026-03-04 10:00,60,S1,true,in_person,scheduled,,\n")
        handle.write("M9,P2,review,2026-03-11 15:30,30,T2,false,in_person,scheduled,,\n")
    return caseload(load_school(folder), AS_OF)


def test_the_listed_pupils_booked_reviews_get_letters(school):
    cases = booked_caseload(school)
    invitations, unbooked = listed_invitations(cases, cases.pupils)
    assert [(i.pupil_id, i.kind) for i in invitations] == [
        ("P3", "annual_review"),
        ("P2", "review"),
    ]
    assert unbooked == 2


def test_the_button_writes_them_into_the_folder_named(school, tmp_path):
    cases = booked_caseload(school)
    action = LettersAction(cases, lambda: cases.pupils)
    action.folder.value = str(tmp_path / "letters")
    action.button.click()
    assert "Wrote 2 letter(s)" in action.message.value
    assert "2 review(s) listed have no meeting booked yet" in action.message.value
    assert "Confidential: contains pupil information" in action.message.value
    letter = docx.Document(
        io.BytesIO((tmp_path / "letters" / "review_2026-03-11_P2.docx").read_bytes())
    )
    assert "Wednesday 11 March 2026 at 3:30pm" in "\n".join(p.text for p in letter.paragraphs)
    action.button.click()  # again: the letters written (perhaps edited since) are kept
    assert "were kept" in action.message.value


def test_the_button_refuses_the_school_folder_and_escapes_the_message(school):
    edit(school, "school.toml", 'name = "Tiny Test School"', 'name = "<b>Tiny</b>"')
    cases = booked_caseload(school)
    action = LettersAction(cases, lambda: cases.pupils)
    action.folder.value = str(school / "<i>letters</i>")
    action.button.click()
    assert "would be written into the input folder" in action.message.value
    assert "<i>" not in action.message.value and "&lt;i&gt;" in action.message.value
    assert not (school / "<i>letters</i>").exists()
