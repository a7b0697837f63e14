"""Invitation letters read back with python-docx: dates, notice, advice deadline, placeholders,
contacts, the school's own templates, hostile names and the sandbox.

The tiny school's P3 has an EHC plan; a booked annual review on Wed 4 Mar 2026 needs its
invitations out by Wed 18 Feb 2026 (14 days before, SEND Regulations 2014 reg. 20(3)),
which falls in the February half term (16-20 Feb), so advice is asked for by the school
day before it, Fri 13 Feb 2026 (DOMAIN.md: a date that is not a school day shows the
school day before). P1's termly review on Wed 11 Mar 2026 asks for written views two
school days before: Mon 9 Mar 2026.
"""

import datetime as dt
import io
import os
import stat

import docx
import pytest
from conftest import SAMPLE_AS_OF, SAMPLES

from sendlib import load_school
from sendlib.cli import main
from sendlib.planning.scheduling import plan_term
from sendlib.present.letters import (
    BUILT_IN,
    SCHOOL_TEMPLATES,
    Invitation,
    LetterError,
    booked_invitations,
    invitations_from_schedule,
    render_letter,
    render_letters,
    write_letters,
)
from sendlib.school.outputs import OutputPlaceError

LETTER_DAY = dt.date(2026, 2, 2)
ANNUAL = "M8,P3,annual_review,2026-03-04 10:00,60,S1,true,in_person,scheduled,,\n"
TERMLY = "M9,P1,review,2026-03-11 15:30,30,T1,false,remote,scheduled,,\n"
CONFIDENTIAL = "Confidential: contains pupil information"


def book(folder, *rows: str) -> None:
    with open(folder / "meetings.csv", "a", encoding="utf-8") as handle:
        handle.writelines(rows)


def name_pupils(folder, names: dict[str, str]) -> None:
    """Give the tiny school's pupils a display_name column."""
    path = folder / "pupils.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",display_name"]
    for line in lines[1:]:
        name = names.get(line.split(",")[0], "")
        rows.append(line + "," + ('"' + name.replace('"', '""') + '"' if name else ""))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def text_of(data: bytes) -> tuple[str, docx.Document]:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs), document


@pytest.fixture
def booked(school):
    book(school, ANNUAL, TERMLY)
    return school


def test_annual_review_letter_has_the_date_the_notice_and_the_advice_deadline(booked):
    tiny = load_school(booked)
    invitations = booked_invitations(tiny, LETTER_DAY)
    assert [(i.pupil_id, i.kind) for i in invitations] == [
        ("P3", "annual_review"),
        ("P1", "review"),
    ]
    letters = render_letters(tiny, invitations, LETTER_DAY)
    text, document = text_of(letters["annual_review_2026-03-04_P3.docx"])
    assert "annual review of P3's EHC plan" in text
    assert "Wednesday 4 March 2026 at 10:00am, about 60 minutes, at Tiny Test School." in text
    assert "at least two weeks before the meeting" in text
    assert "send them to the school by Friday 13 February 2026" in text
    assert "Monday 2 February 2026" in text  # the letter's date
    # No contacts.csv: placeholders the school fills in.
    assert text.startswith("Parent/carer of P3\n[address line 1]\n[town]\n[postcode]\n")
    assert "Dear Parent/carer," in text
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer == CONFIDENTIAL and document.core_properties.subject == CONFIDENTIAL


def test_invitations_recorded_as_sent_need_no_letter(booked):
    path = booked / "meetings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    invited = {"M8": "2026-02-01"}  # P3's annual review invitations went out on 1 Feb
    rows = [lines[0] + ",invited_on"]
    rows += [line + "," + invited.get(line.split(",")[0], "") for line in lines[1:]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    invitations = booked_invitations(load_school(booked), LETTER_DAY)
    assert [(i.pupil_id, i.kind) for i in invitations] == [("P1", "review")]


def test_termly_review_letter_asks_for_views_two_school_days_before(booked):
    tiny = load_school(booked)
    letters = render_letters(tiny, booked_invitations(tiny, LETTER_DAY), LETTER_DAY)
    text, _ = text_of(letters["review_2026-03-11_P1.docx"])
    assert "this term's review of P1's support" in text
    assert "Wednesday 11 March 2026 at 3:30pm, about 30 minutes, online" in text
    assert "by Monday 9 March 2026" in text


def test_contacts_give_names_and_addresses_one_letter_per_home(booked):
    (booked / "contacts.csv").write_text(
        "pupil_id,addressee,salutation,address_line_1,address_line_2,town,postcode\n"
        "P3,Ms A Khan,Dear Ms Khan,1 High Street,,Portsmouth,PO1 1AA\n"
        "P3,Mr B Khan,,2 Low Road,Flat 3,Fareham,PO14 2BB\n",
        encoding="utf-8",
    )
    tiny = load_school(booked)
    letters = render_letters(tiny, booked_invitations(tiny, LETTER_DAY), LETTER_DAY)
    assert sorted(letters) == [
        "annual_review_2026-03-04_P3.docx",
        "annual_review_2026-03-04_P3_2.docx",
        "review_2026-03-11_P1.docx",  # P1 has no row: placeholders
    ]
    first, _ = text_of(letters["annual_review_2026-03-04_P3.docx"])
    assert first.startswith("Ms A Khan\n1 High Street\nPortsmouth\nPO1 1AA\n")
    assert "Dear Ms Khan," in first  # "Dear" in the file is not doubled
    second, _ = text_of(letters["annual_review_2026-03-04_P3_2.docx"])
    assert second.startswith("Mr B Khan\n2 Low Road\nFlat 3\nFareham\nPO14 2BB\n")
    assert "Dear Mr B Khan," in second  # no salutation: the addressee
    review, _ = text_of(letters["review_2026-03-11_P1.docx"])
    assert review.startswith("Parent/carer of P1\n[address line 1]")


HOSTILE = '<w:t>Zoë & "Bo" O\'Neil</w:t> ]]> {{ 7*7 }}'


def test_hostile_names_show_as_text(booked):
    """XML-special characters and template syntax in the data are the letter's text, no more."""
    name_pupils(booked, {"P3": HOSTILE})
    (booked / "contacts.csv").write_text(
        "pupil_id,addressee,salutation,address_line_1,town,postcode\n"
        f'P3,"{HOSTILE.replace(chr(34), 2 * chr(34))}",,<b>1 & 2</b>,Town,PO1\n',
        encoding="utf-8",
    )
    tiny = load_school(booked)
    letters = render_letters(tiny, booked_invitations(tiny, LETTER_DAY), LETTER_DAY)
    text, _ = text_of(letters["annual_review_2026-03-04_P3.docx"])
    assert text.startswith(f"{HOSTILE}\n<b>1 & 2</b>\nTown\nPO1\n")
    assert f"annual review of {HOSTILE}'s EHC plan" in text
    assert "49" not in text  # the name's {{ 7*7 }} was not run


def test_the_schools_own_template_replaces_the_built_in_one(booked):
    own = docx.Document()
    own.add_paragraph(
        "OUR WORDING: {{ pupil_name }} on {{ meeting_day }}, advice by {{ advice_by }}"
    )
    (booked / SCHOOL_TEMPLATES).mkdir()
    own.save(booked / SCHOOL_TEMPLATES / "annual_review.docx")
    tiny = load_school(booked)
    letters = render_letters(tiny, booked_invitations(tiny, LETTER_DAY), LETTER_DAY)
    text, document = text_of(letters["annual_review_2026-03-04_P3.docx"])
    assert text == "OUR WORDING: P3 on Wednesday 4 March 2026, advice by Friday 13 February 2026"
    assert document.core_properties.subject == CONFIDENTIAL  # marked even in the school's own
    review, _ = text_of(letters["review_2026-03-11_P1.docx"])  # no override: built in
    assert "termly SEN support review" in review


@pytest.mark.parametrize(
    ("placeholder", "said"),
    [
        ("{{ ''.__class__.__mro__ }}", "refused: it tries to reach Python's internals"),
        ("{{ pupil_name.__class__.__base__.__subclasses__() }}", "refused"),
        ("{{ pupils_name }}", "cannot be filled: 'pupils_name' is undefined"),
        ("{{ pupil_name ", "cannot be filled"),
    ],
)
def test_a_template_reaching_for_python_internals_is_refused(tmp_path, placeholder, said):
    template = docx.Document()
    template.add_paragraph(f"Hello {placeholder}")
    path = tmp_path / "annual_review.docx"
    template.save(path)
    with pytest.raises(LetterError, match=said) as caught:
        render_letter(path, {"pupil_name": "Ann"})
    assert "annual_review.docx" in str(caught.value)


def test_a_file_that_is_not_a_word_document_is_named(tmp_path):
    path = tmp_path / "review.docx"
    path.write_text("not a docx", encoding="utf-8")
    with pytest.raises(LetterError, match="review.docx is not a Word document"):
        render_letter(path, {})


def test_letters_are_private_whole_reproducible_and_never_overwritten(booked, tmp_path):
    tiny = load_school(booked)
    invitations = booked_invitations(tiny, LETTER_DAY)
    out = tmp_path / "letters"
    written = write_letters(tiny, invitations, out, LETTER_DAY)
    assert sorted(p.name for p in written) == [
        "annual_review_2026-03-04_P3.docx",
        "review_2026-03-11_P1.docx",
    ]
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in written)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left
    first = written[0].read_bytes()
    written[0].write_bytes(b"edited by the SENDCo")
    with pytest.raises(OutputPlaceError, match="already in .* were kept"):
        write_letters(tiny, invitations, out, LETTER_DAY)
    assert written[0].read_bytes() == b"edited by the SENDCo"
    write_letters(tiny, invitations, out, LETTER_DAY, force=True)
    assert written[0].read_bytes() == first  # same input, same bytes
    with pytest.raises(OutputPlaceError, match="into the input folder"):
        write_letters(tiny, invitations, booked / "letters", LETTER_DAY)
    assert not (booked / "letters").exists()


def test_letters_from_a_schedule(school):
    tiny = load_school(school)
    schedule = plan_term(tiny, "Summer 2026", dt.date(2026, 3, 6), method="greedy")
    invitations = invitations_from_schedule(schedule.schedule)
    placed = schedule.schedule.filter(schedule.schedule["kind"].is_in(["review", "annual_review"]))
    assert len(invitations) == placed.height > 0
    first = invitations[0]
    row = placed.row(0, named=True)
    assert (first.pupil_id, first.kind, first.starts_at.date()) == (
        row["pupil_id"],
        row["kind"],
        row["date"],
    )
    letters = render_letters(tiny, invitations[:1], dt.date(2026, 3, 6))
    (data,) = letters.values()
    text, _ = text_of(data)
    assert f"{first.starts_at:%A} {first.starts_at.day} {first.starts_at:%B %Y}" in text


def test_cli_writes_the_samples_booked_letters(tmp_path, capsys):
    out = tmp_path / "letters"
    argv = ["letters", str(SAMPLES / "harbourside-primary"), "--term", "Spring 2026"]
    argv += ["--out", str(out), "--from", "booked", "--as-of", SAMPLE_AS_OF.isoformat()]
    assert main(argv) == 0
    said = capsys.readouterr().out
    primary = load_school(SAMPLES / "harbourside-primary")
    booked = booked_invitations(primary, SAMPLE_AS_OF, dt.date(2026, 3, 27))
    assert len(booked) > 0 and len(list(out.glob("*.docx"))) == len(booked)
    assert f"wrote {len(booked)} letter(s)" in said and CONFIDENTIAL in said
    # HP0319's annual review on Fri 13 Mar 2026 needed invitations by Fri 27 Feb 2026.
    assert "short notice: the annual review of HP0319 on Friday 13 March 2026" in said
    text, _ = text_of((out / "annual_review_2026-03-13_HP0319.docx").read_bytes())
    assert "Evie J." in text and "Friday 13 March 2026 at 10:15am" in text
    assert main(argv) == 2  # the second run keeps the letters the first wrote
    assert "add --force to replace them" in capsys.readouterr().err


def test_cli_mistakes_are_one_line(booked, tmp_path, capsys):
    base = ["letters", str(booked), "--from", "booked"]
    assert main([*base, "--term", "Winter 2026", "--out", str(tmp_path / "x")]) == 2
    assert "no term called 'Winter 2026'" in capsys.readouterr().err
    assert main([*base, "--term", "Spring 2026", "--out", str(booked / "out")]) == 2
    assert "would be written into the input folder" in capsys.readouterr().err
    (booked / SCHOOL_TEMPLATES).mkdir()
    (booked / SCHOOL_TEMPLATES / "review.docx").write_bytes(b"PK not really")
    argv = [*base, "--term", "Spring 2026", "--out", str(tmp_path / "y"), "--as-of", "2026-02-02"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "review.docx is not a Word document" in err and "Traceback" not in err
    assert not (tmp_path / "y").exists()  # every letter is filled before any is written


def test_built_in_templates_are_shipped():
    assert sorted(p.name for p in BUILT_IN.glob("*.docx")) == ["annual_review.docx", "review.docx"]
    assert Invitation("P1", "annual_review", dt.datetime(2026, 3, 4, 10), 60).notice_by == dt.date(
        2026, 2, 18
    )
