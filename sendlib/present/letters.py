"""Invitation letters to parents for annual reviews and termly reviews, as editable .docx.

A letter is a Word template (docxtpl placeholders such as ``{{ pupil_name }}``) filled for
one meeting and one addressee. The built-in templates live in
``sendlib/present/templates/letters/`` (made by ``scripts/make_letter_templates.py``); a
school overrides one by putting a file of the same name in its folder's
``letter_templates/``. Templates are rendered in jinja2's sandbox with autoescaping, so a
pupil's name holding ``<`` or ``&`` shows as text and a template cannot reach Python's
internals. Parents' names and addresses come only from the optional ``contacts.csv``
(:mod:`sendlib.school.contacts`); without a row for a pupil the letter says "Parent/carer
of ..." and leaves the address to fill in.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from jinja2 import StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from sendlib.rules.annual_reviews import NOTICE_DAYS, school_day_before
from sendlib.school.asof import resolve_as_of
from sendlib.school.contacts import CONTACTS_FILE, load_contacts
from sendlib.school.load import School, load_school
from sendlib.school.outputs import OutputPlaceError, refuse_inside, shown_path, write_file

#: The meetings a letter invites to, and the template each uses.
LETTER_KINDS = ("annual_review", "review")
KIND_LABELS = {"annual_review": "annual review", "review": "termly review"}
BUILT_IN = Path(__file__).parent / "templates" / "letters"
#: The folder in a school folder whose templates replace the built-in ones, by file name.
SCHOOL_TEMPLATES = "letter_templates"
CONFIDENTIAL = "Confidential: contains pupil information"
#: Written views for a termly review are asked for this many school days before it.
VIEWS_SCHOOL_DAYS = 2
PLACES = {
    "in_person": "at {school}",
    "remote": "online (we will send you the link)",
    "phone": "by telephone (we will call you)",
}
NO_ADDRESS = ("[address line 1]", "[town]", "[postcode]")


class LetterError(ValueError):
    """A letter template that cannot be used: not a .docx, bad syntax, unsafe or unknown names."""


@dataclass(frozen=True)
class Invitation:
    """One meeting to invite a pupil's parents to: which pupil, what kind, when, how long."""

    pupil_id: str
    kind: str
    starts_at: dt.datetime
    minutes: int
    mode: str = "in_person"

    @property
    def notice_by(self) -> dt.date:
        """The last day the invitation can go out with two weeks' notice (reg. 20(3))."""
        return self.starts_at.date() - dt.timedelta(days=NOTICE_DAYS)


def invitations_from_schedule(schedule: pl.DataFrame) -> list[Invitation]:
    """The annual reviews and termly reviews a schedule places (``Schedule.schedule``)."""
    rows = schedule.filter(pl.col("kind").is_in(LETTER_KINDS) & pl.col("pupil_id").is_not_null())
    return [
        Invitation(
            r["pupil_id"],
            r["kind"],
            dt.datetime.combine(r["date"], dt.time.fromisoformat(r["start"])),
            r["minutes"],
        )
        for r in rows.iter_rows(named=True)
    ]


def booked_invitations(
    school: School,
    after: dt.date,
    until: dt.date | None = None,
    pupil_ids: Iterable[str] | None = None,
) -> list[Invitation]:
    """Annual reviews and termly reviews booked in meetings.csv (status scheduled).

    Meetings on a day after ``after`` and up to ``until`` (inclusive, if given), for the
    pupils in ``pupil_ids`` (default every pupil), whose ``invited_on`` (an optional
    column) does not record the invitations as sent; earliest first.
    """
    day = pl.col("starts_at").dt.date()
    wanted = (
        (pl.col("status") == "scheduled")
        & pl.col("kind").is_in(LETTER_KINDS)
        & pl.col("pupil_id").is_not_null()
        & (day > after)
    )
    if "invited_on" in school.meetings.columns:  # invitations recorded as sent need no letter
        wanted &= pl.col("invited_on").is_null()
    if until is not None:
        wanted &= day <= until
    if pupil_ids is not None:
        wanted &= pl.col("pupil_id").is_in(list(pupil_ids))
    rows = school.meetings.filter(wanted).sort("starts_at", "meeting_id")
    return [
        Invitation(r["pupil_id"], r["kind"], r["starts_at"], r["minutes"], r["mode"])
        for r in rows.iter_rows(named=True)
    ]


def letter_context(
    school: School, invitation: Invitation, contact: dict | None, letter_date: dt.date
) -> dict:
    """The values a template can use, as the letter shows them (README, "Letters")."""
    pupil = pupil_name(school, invitation.pupil_id)
    day = invitation.starts_at.date()
    end = invitation.starts_at + dt.timedelta(minutes=invitation.minutes)
    place = PLACES.get(invitation.mode, PLACES["in_person"]).format(school=school.name)
    if contact is None:
        addressee, salutation, address = f"Parent/carer of {pupil}", "Parent/carer", NO_ADDRESS
    else:
        addressee = contact["addressee"]
        salutation = re.sub(r"(?i)^dear\s+", "", contact["salutation"] or addressee)
        lines = ("address_line_1", "address_line_2", "town", "postcode")
        address = tuple(contact[c] for c in lines if contact.get(c))
    views = school.calendar.school_days(None, day - dt.timedelta(days=1))
    return {
        "school_name": school.name,
        "pupil_id": invitation.pupil_id,
        "pupil_name": pupil,
        "kind": KIND_LABELS[invitation.kind],
        "addressee": addressee,
        "salutation": salutation,
        "address": list(address),
        "email": (contact or {}).get("email") or "",
        "letter_date": long_day(letter_date),
        "meeting_day": long_day(day),
        "meeting_time": clock(invitation.starts_at.time()),
        "end_time": clock(end.time()),
        "minutes": invitation.minutes,
        "meeting_place": place,
        "notice_days": NOTICE_DAYS,
        "notice_by": long_day(invitation.notice_by),
        # Advice is shared at least two weeks before the meeting (reg. 20(4)); a date that
        # is not a school day is shown as the school day before it (DOMAIN.md).
        "advice_by": long_day(
            school_day_before(school.calendar, invitation.notice_by) or invitation.notice_by
        ),
        "views_by": long_day(
            views[-VIEWS_SCHOOL_DAYS]
            if len(views) >= VIEWS_SCHOOL_DAYS
            else day - dt.timedelta(days=VIEWS_SCHOOL_DAYS)
        ),
        "sender": "SENDCo (special educational needs coordinator)",
        "confidential": CONFIDENTIAL,
    }


def pupil_name(school: School, pupil_id: str) -> str:
    """The pupil's ``display_name`` in pupils.csv (an optional column), else the pupil ID."""
    if "display_name" not in school.pupils.columns:
        return pupil_id
    found = school.pupils.filter(pl.col("pupil_id") == pupil_id)["display_name"]
    return (found.first() if found.len() else None) or pupil_id


def long_day(day: dt.date) -> str:
    """A date as a letter writes it: ``Tuesday 3 March 2026``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def clock(time: dt.time) -> str:
    """A time as a letter writes it: ``9:30am``, ``3:15pm``, ``12:00pm``."""
    return f"{time.hour % 12 or 12}:{time.minute:02d}{'am' if time.hour < 12 else 'pm'}"


def template_path(school: School, kind: str) -> Path:
    """The template for ``kind``: the school's own in ``letter_templates/``, else built in."""
    name = f"{kind}.docx"
    own = Path(school.path) / SCHOOL_TEMPLATES / name
    return own if own.is_file() else BUILT_IN / name


def render_letter(template: Path, context: dict) -> bytes:
    """Fill ``template`` with ``context`` in the sandbox; the .docx bytes, marked confidential.

    Raises:
        LetterError: naming the template and what is wrong with it.
    """
    from docxtpl import DocxTemplate

    environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    try:
        letter = DocxTemplate(template)
        letter.render(context, jinja_env=environment)
    except SecurityError as exc:
        raise LetterError(
            f"the letter template {shown_path(template)} was refused: it tries to reach "
            f"Python's internals ({exc}); use only the placeholders the README lists"
        ) from None
    except TemplateError as exc:
        raise LetterError(
            f"the letter template {shown_path(template)} cannot be filled: {exc}; "
            "use only the placeholders the README lists, each as {{ name }}"
        ) from None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LetterError(
            f"the letter template {shown_path(template)} is not a Word document (.docx): {exc}"
        ) from None
    properties = letter.docx.core_properties
    properties.subject = CONFIDENTIAL
    properties.keywords = CONFIDENTIAL
    buffer = io.BytesIO()
    letter.save(buffer)
    return fixed_zip(buffer.getvalue())


def fixed_zip(data: bytes) -> bytes:
    """The same .docx with every member dated 1980-01-01, so equal letters are equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(member.filename))
    return out.getvalue()


def letter_name(invitation: Invitation, addressee_number: int | None = None) -> str:
    """``annual_review_2026-03-24_HP0024.docx``: kind, date, pupil ID (no names in file names).

    ``addressee_number`` (2, 3, ...) tells apart the letters to a pupil's second home.
    """
    pupil = re.sub(r"[^A-Za-z0-9_-]+", "-", invitation.pupil_id).strip("-") or "pupil"
    extra = f"_{addressee_number}" if addressee_number else ""
    return f"{invitation.kind}_{invitation.starts_at:%Y-%m-%d}_{pupil}{extra}.docx"


def render_letters(
    school: School, invitations: Iterable[Invitation], letter_date: dt.date
) -> dict[str, bytes]:
    """Every letter by file name: one per invitation and addressee in ``contacts.csv``.

    Raises:
        DataValidationError: when ``contacts.csv`` has problems.
        LetterError: when a template cannot be used.
    """
    contacts = load_contacts(school)
    by_pupil: dict[str, list[dict]] = {}
    for row in contacts.iter_rows(named=True):
        by_pupil.setdefault(row["pupil_id"], []).append(row)
    letters: dict[str, bytes] = {}
    for invitation in invitations:
        template = template_path(school, invitation.kind)
        for number, contact in enumerate(by_pupil.get(invitation.pupil_id) or [None], start=1):
            name = letter_name(invitation, number if number > 1 else None)
            context = letter_context(school, invitation, contact, letter_date)
            letters[name] = render_letter(template, context)
    return letters


def write_letters(
    school: School,
    invitations: Iterable[Invitation],
    out_dir: str | Path,
    letter_date: dt.date,
    *,
    force: bool = False,
) -> list[Path]:
    """Write the letters into ``out_dir`` (never inside the school folder), 0600, atomically.

    A school edits its letters after they are written, so a letter already there is kept:
    nothing is written unless ``force`` is set. Every letter is filled before any is written.

    Raises:
        OutputPlaceError: ``out_dir`` is inside the school folder, or letters exist there.
    """
    folder = Path(out_dir)
    refuse_inside(folder, [school.path], "letters folder")
    letters = render_letters(school, invitations, letter_date)
    existing = sorted(name for name in letters if (folder / name).exists())
    if existing and not force:
        shown = ", ".join(existing[:3]) + (
            f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        )
        raise OutputPlaceError(
            f"{len(existing)} letter(s) already in {shown_path(folder)} ({shown}) were kept, "
            "as they may have been edited; choose another folder, or add --force to replace them"
        )
    return [write_file(folder / name, data) for name, data in letters.items()]


def short_notice(invitations: Iterable[Invitation], letter_date: dt.date) -> list[Invitation]:
    """Annual reviews whose two weeks' notice can no longer be given on ``letter_date``."""
    return [i for i in invitations if i.kind == "annual_review" and letter_date > i.notice_by]


def has_contacts(school: School) -> bool:
    """Whether the school folder has a ``contacts.csv``."""
    return (Path(school.path) / CONTACTS_FILE).exists()


def term_invitations(
    school: School,
    term: str,
    as_of: dt.date,
    *,
    kinds: Iterable[str] = LETTER_KINDS,
    source: str = "both",
    time_limit: float = 10.0,
) -> list[Invitation]:
    """The reviews to invite for in ``term``: booked in meetings.csv, placed by the schedule, or both.

    Booked meetings are those after ``as_of`` within the term; the schedule
    (:func:`~sendlib.planning.scheduling.plan_term`) places the meetings still owed, so the
    two never hold the same meeting. Earliest first.

    Raises:
        KeyError: no term of that name. SchedulingError: the term is over.
    """
    # Here, not at the top: the solver (OR-Tools, pandas) is a second of every explorer
    # start, and only letters from the schedule need it.
    from sendlib.planning.scheduling import plan_term

    found = school.calendar.term_named(term)
    invitations: list[Invitation] = []
    if source in ("booked", "both"):
        booked = booked_invitations(school, max(as_of, found.start - dt.timedelta(days=1)))
        invitations += [i for i in booked if i.starts_at.date() <= found.end]
    if source in ("schedule", "both"):
        schedule = plan_term(school, found.name, as_of, time_limit=time_limit)
        invitations += invitations_from_schedule(schedule.schedule)
    wanted = set(kinds)
    return sorted(
        (i for i in invitations if i.kind in wanted), key=lambda i: (i.starts_at, i.pupil_id)
    )


def letters_command(
    school_dir: str | Path,
    out_dir: str | Path,
    term: str,
    as_of: str | dt.date | None = None,
    *,
    kind: str = "all",
    source: str = "both",
    time_limit: float = 10.0,
    force: bool = False,
) -> tuple[list[str], str | None]:
    """``sendlib letters``: write a term's invitation letters; the lines to print, the as-of note.

    The letters are dated as of the command's date (:func:`~sendlib.school.asof.resolve_as_of`).
    Lines say how many letters of each kind went where, the annual reviews whose two
    weeks' notice has passed, and when contacts.csv is absent.

    Raises:
        OutputPlaceError: ``out_dir`` inside the school folder, or letters already there.
        KeyError: no term of that name. LetterError: a template that cannot be used.
    """
    from sendlib.planning.scheduling import SchedulingError

    refuse_inside(out_dir, [school_dir], "letters folder")
    school = load_school(school_dir)
    day, note = resolve_as_of(school, as_of)
    kinds = LETTER_KINDS if kind == "all" else (kind,)
    try:
        invitations = term_invitations(
            school, term, day, kinds=kinds, source=source, time_limit=time_limit
        )
    except SchedulingError as exc:
        raise LetterError(str(exc)) from None
    if not invitations:
        wanted = " or ".join(KIND_LABELS[k] + "s" for k in kinds)
        return [f"no letters written: no {wanted} to invite for in {term} ({source})"], note
    written = write_letters(school, invitations, out_dir, day, force=force)
    counts = {k: sum(i.kind == k for i in invitations) for k in kinds}
    said = ", ".join(f"{n} {KIND_LABELS[k]}(s)" for k, n in counts.items())
    lines = [f"wrote {len(written)} letter(s) for {said} into {shown_path(out_dir)}"]
    lines += [
        f"  short notice: the annual review of {i.pupil_id} on {long_day(i.starts_at.date())} "
        f"needed its invitations by {long_day(i.notice_by)} (two weeks' notice)"
        for i in short_notice(invitations, day)
    ]
    if not has_contacts(school):
        lines.append(
            f"  no {CONTACTS_FILE} in the school folder: letters say 'Parent/carer of ...' "
            "and leave the address to fill in"
        )
    return lines, note
