"""The explorer's Excel downloads: the to-do lists and the provision map as .xlsx.

Each workbook is built by :mod:`sendlib.school.workbook` (formatted header, frozen first
row, widths, dates as dates, text never a formula, the confidential mark) and offered as
a ``data:`` link built in the page, so nothing is sent anywhere: the explorer's
Content-Security-Policy governs what the page loads, and a download link is a navigation.
The workbook writer (openpyxl) is imported when a workbook is first built, not as the
explorer starts.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable

import polars as pl

from sendlib.explorer.plans_todo import (
    advice_to_send,
    assessments_to_chase,
    plan_reviews_due,
    plans_to_write,
)
from sendlib.explorer.queries import Caseload
from sendlib.explorer.todo import (
    annual_reviews_to_invite,
    pupils_without_meeting_this_term,
    requests_to_acknowledge,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def todo_sheets(cases: Caseload, shown: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Each to-do list for the pupils shown, one frame a sheet, names only if the page has them."""
    lists = {
        "Requests to acknowledge": requests_to_acknowledge(cases, shown),
        "No meeting this term": pupils_without_meeting_this_term(cases, shown),
        "Annual reviews to invite": annual_reviews_to_invite(cases, shown),
        "Plans to write": plans_to_write(cases, shown),
        "Plan reviews due": plan_reviews_due(cases, shown),
        "Advice to send": advice_to_send(cases, shown),
        "Assessments to chase": assessments_to_chase(cases, shown),
    }
    if not cases.has_names:
        lists = {k: v.drop("display_name", strict=False) for k, v in lists.items()}
    return lists


def todo_xlsx(cases: Caseload, shown: pl.DataFrame) -> bytes:
    """The to-do lists as an .xlsx workbook (bytes), one sheet a list."""
    notes = [
        f"{cases.school.name}: the SENDCo's to-do lists as of {cases.as_of:%d %B %Y}.",
        "One sheet a list, for the pupils the explorer's filters showed.",
    ]
    from sendlib.school.workbook import frames_workbook, workbook_bytes

    return workbook_bytes(frames_workbook(todo_sheets(cases, shown), notes))


def provision_xlsx(table: pl.DataFrame, with_names: bool, school_name: str) -> bytes:
    """The provision map shown as an .xlsx workbook (bytes); names only where the page shows them."""
    shown = table if with_names else table.drop("display_name", strict=False)
    notes = [f"{school_name}: the provision map as the explorer showed it."]
    from sendlib.school.workbook import frames_workbook, workbook_bytes

    return workbook_bytes(frames_workbook({"Provision map": shown}, notes))


def xlsx_link_html(data: bytes, filename: str, label: str) -> str:
    """A link that downloads ``data`` as ``filename`` (built in the page: nothing is sent)."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="download-xlsx" download="{html.escape(filename)}" '
        f'href="data:{XLSX_TYPE};base64,{encoded}">{html.escape(label)}</a>'
    )


class TodoDownload:
    """A button that makes the to-do lists shown into an Excel download link, when asked.

    Built on a click rather than at every filter change: the page stays as quick as before.
    ``current`` gives the caseload and the pupils the filters show at that moment.
    """

    def __init__(self, current: Callable[[], tuple[Caseload, pl.DataFrame]]):
        import ipywidgets as widgets

        self._current = current
        self.button = widgets.Button(
            description="Excel file of these lists",
            tooltip="Make the to-do lists shown into an .xlsx file to download",
            layout=widgets.Layout(width="auto"),
        )
        self.button.add_class("sendlib-todo-xlsx")
        self.link = widgets.HTML()
        self.link.add_class("sendlib-todo-xlsx-link")
        self.button.on_click(lambda _button: self.prepare())
        self.widget = widgets.HBox([self.button, self.link])

    def prepare(self) -> None:
        """Build the workbook for the lists shown now and offer it as a link."""
        cases, shown = self._current()
        data = todo_xlsx(cases, shown)
        name = f"todo_{cases.as_of:%Y-%m-%d}.xlsx"
        self.link.value = xlsx_link_html(data, name, f"Download {name}")

    def forget(self) -> None:
        """Drop a link made for other filters (the lists it holds are no longer shown)."""
        self.link.value = ""
