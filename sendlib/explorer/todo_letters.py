"""The to-do view's letters action: invitation letters for the pupils its lists show.

The lists "Annual reviews to invite for" and "Pupils without a meeting this term" name
the pupils; a letter needs a meeting, so each pupil listed whose annual review or termly
review is booked in meetings.csv gets one (:mod:`sendlib.present.letters`), and the
message counts those still to book.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import polars as pl

from sendlib.explorer.queries import Caseload
from sendlib.explorer.todo import annual_reviews_to_invite, pupils_without_meeting_this_term
from sendlib.present.letters import CONFIDENTIAL, Invitation, LetterError, booked_invitations
from sendlib.present.letters import write_letters as write_docx
from sendlib.school.errors import DataValidationError
from sendlib.school.outputs import OutputPlaceError, shown_path


def listed_invitations(cases: Caseload, shown: pl.DataFrame) -> tuple[list[Invitation], int]:
    """The booked meetings of the pupils the two lists show, and how many have none booked."""
    wanted = {
        "annual_review": set(annual_reviews_to_invite(cases, shown)["pupil_id"]),
        "review": set(pupils_without_meeting_this_term(cases, shown)["pupil_id"]),
    }
    listed = set().union(*wanted.values())
    booked = [
        i
        for i in booked_invitations(cases.school, cases.as_of, pupil_ids=listed)
        if i.pupil_id in wanted[i.kind]
    ]
    covered = {(i.kind, i.pupil_id) for i in booked}
    unbooked = sum((k, p) not in covered for k, pupils in wanted.items() for p in pupils)
    return booked, unbooked


def write_listed_letters(
    cases: Caseload, shown: pl.DataFrame, out_dir: str | Path, force: bool = False
) -> str:
    """Write the letters for the pupils listed into ``out_dir``; what happened, as HTML."""
    invitations, unbooked = listed_invitations(cases, shown)
    try:
        written = write_docx(cases.school, invitations, out_dir, cases.as_of, force=force)
    except (OutputPlaceError, LetterError, DataValidationError) as exc:
        return f'<p class="late">{html.escape(str(exc))}</p>'
    said = f"Wrote {len(written)} letter(s) into {html.escape(shown_path(out_dir))}."
    if unbooked:
        said += (
            f" {unbooked} review(s) listed have no meeting booked yet: book them first "
            "(or run <code>sendlib letters</code> with the schedule)."
        )
    return f"<p>{said} <strong>{CONFIDENTIAL}.</strong></p>"


class LettersAction:
    """A folder box, a button and a message: the letters action below the to-do lists."""

    def __init__(self, cases: Caseload, shown: Callable[[], pl.DataFrame]):
        import ipywidgets as widgets

        self.cases, self._shown = cases, shown
        default = Path("outputs") / "letters" / cases.school.slug
        self.folder = widgets.Text(
            value=str(default.resolve()),
            description="Letters folder",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="520px"),
        )
        self.button = widgets.Button(
            description="Write invitation letters",
            tooltip="Word letters for the booked reviews of the pupils listed above",
            layout=widgets.Layout(width="auto"),
        )
        self.message = widgets.HTML()
        self.button.on_click(self._on_click)
        self.widget = widgets.VBox([widgets.HBox([self.folder, self.button]), self.message])
        self.widget.add_class("sendlib-letters")

    def _on_click(self, _button: object) -> None:
        self.message.value = write_listed_letters(self.cases, self._shown(), self.folder.value)
