"""The explorer as ipywidgets: filters, headline strip, to-do lists, charts, pupils table.

:class:`CaseloadExplorer` builds the widgets from :mod:`sendlib.explorer.queries` and
the HTML of :mod:`sendlib.explorer.views`; its callbacks only call those functions and
update the widgets in place, so ``notebooks/caseload_explorer.ipynb`` is a few lines.
The charts are plotly.js figures in :class:`~sendlib.explorer.chart.Chart` widgets. Under
:func:`sendlib.explorer.serve.serve` the notebook's kernel reads its school, as-of date and
plotly.js address from the environment variables of :mod:`sendlib.explorer.startup`.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

import polars as pl

from sendlib.explorer.chart import Chart, chart
from sendlib.explorer.labels import MONITORED, YEAR_RANK, year_label
from sendlib.explorer.provision_tab import ProvisionTab, with_tabs
from sendlib.explorer.queries import (
    ALL,
    SORT_ORDERS,
    Caseload,
    CaseloadFilter,
    annual_review_counts,
    caseload,
    coverage_counts,
    filter_options,
    filter_pupils,
    headline_strip,
    review_months,
    sort_pupils,
)
from sendlib.explorer.todo_letters import LettersAction
from sendlib.explorer.views import (
    header_html,
    headline_html,
    plans_todo_html,
    pupil_choice_label,
    pupil_html,
    pupils_intro_html,
    pupils_table_html,
    todo_html,
)
from sendlib.explorer.xlsx_exports import TodoDownload
from sendlib.present.figures import STATUS_COLOURS
from sendlib.rules.annual_reviews import ANNUAL_REVIEW_LABELS
from sendlib.rules.meetings import COVERAGE_LABELS
from sendlib.school.load import School

if TYPE_CHECKING:
    import ipywidgets

#: The filters, by column, with their labels.
FILTER_LABELS = {
    "year_group": "Year group",
    "primary_need": "Primary need",
    "sen_status": "SEN status",
    "lead_staff_id": "Lead staff",
    "coverage_status": "Parent meetings",
}
#: Filter widths that fit one row at 1366 pixels, labels above the choices.
FILTER_WIDTHS = {
    "year_group": "170px",
    "primary_need": "300px",
    "sen_status": "210px",
    "lead_staff_id": "210px",
    "coverage_status": "250px",
}


def build_explorer(school: School, as_of: dt.date) -> ipywidgets.Widget:
    """The whole explorer as one widget, for a notebook cell or Voila to display."""
    return CaseloadExplorer(school, as_of).widget


class CaseloadExplorer:
    """The widgets of the explorer, wired to the data functions.

    Every callback recomputes from :class:`~sendlib.explorer.queries.Caseload` with the
    query functions and updates widgets in place (a chart gets new bars, not a new
    chart), so a filter change sends only the changed values to the browser.
    """

    def __init__(self, school: School, as_of: dt.date):
        import ipywidgets as widgets

        self.cases = caseload(school, as_of)
        self.options = filter_options(self.cases)
        self.filters = _filter_dropdowns(self.options)
        self.clear = widgets.Button(
            description="Clear filters",
            tooltip="Show every pupil on the caseload",
            layout=widgets.Layout(width="auto"),
        )
        self.clear.add_class("sendlib-clear")
        self.headlines = _html_widget("sendlib-headlines")
        self.todos = _html_widget("sendlib-todos")
        self.letters = LettersAction(self.cases, lambda: self.shown)
        self.todo_download = TodoDownload(lambda: (self.cases, self.shown))

        self._build_charts()

        self.sort = widgets.Dropdown(
            options=list(SORT_ORDERS),
            description="Sort pupils by",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.sort.add_class("sendlib-sort")
        self.reverse = widgets.Checkbox(description="Reverse order", indent=False)
        self.table = _html_widget("sendlib-table")
        self.pupil = widgets.Dropdown(
            description="Pupil",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.pupil.add_class("sendlib-pupil")
        self.detail = _html_widget("sendlib-detail")

        self.provision = ProvisionTab(
            school, as_of, list(self.filters.values()), self._shown_if_filtered
        )
        self.widget = with_tabs(self._page(), self.provision)
        self._quiet = False
        self._observe()
        self._refresh_text(self.shown)

    def _build_charts(self) -> None:
        """The three charts for the whole caseload, with the categories they keep.

        Categories stay fixed while filters change, so bars do not jump.
        """
        cases = self.cases
        registered = cases.pupils.filter(pl.col("coverage_status") != MONITORED)
        self._years = sorted(
            registered["year_group"].unique().to_list(), key=lambda g: YEAR_RANK.get(g, 99)
        )
        self._year_labels = [year_label(g) for g in self._years]
        self._needs = sorted(registered["primary_need"].drop_nulls().unique().to_list())
        self._months = review_months(cases.reviews)
        # The charts start with the whole caseload; a filter redraws their bars in place.
        everyone = cases.pupils
        self.by_year = _coverage_chart(
            self._year_labels,
            coverage_counts(everyone, "year_group", self._years),
            "Registered pupils shown: parent meetings by year group",
            horizontal=False,
        )
        self.by_need = _coverage_chart(
            self._needs,
            coverage_counts(everyone, "primary_need", self._needs),
            "Registered pupils shown: parent meetings by primary need",
            horizontal=True,
        )
        # No empty chart (issue 12 point 8): with no annual review to show, a sentence says why.
        self.by_month = (
            chart(
                _annual_review_bars(
                    self._months, annual_review_counts(cases.reviews, everyone, self._months)
                ),
                _chart_layout("EHC plan annual review deadlines by month (pupils shown)"),
            )
            if self._months
            else None
        )

    def _page(self) -> ipywidgets.VBox:
        """The page, top to bottom; the filters and headline strip stay on screen."""
        import ipywidgets as widgets

        filters_row = widgets.HBox([*self.filters.values(), self.clear])
        filters_row.add_class("sendlib-filters")
        sticky = widgets.VBox([filters_row, self.headlines])
        sticky.add_class("sendlib-sticky")
        third = self.by_month or widgets.HTML(f'<p class="empty">{_no_reviews(self.cases)}</p>')
        charts = widgets.GridBox([self.by_year, self.by_need, third])
        charts.add_class("sendlib-charts")
        page = widgets.VBox(
            [
                widgets.HTML(header_html(self.cases)),
                sticky,
                widgets.HTML("<h2>What to do next</h2>"),
                self.todos,
                self.letters.widget,
                self.todo_download.widget,
                widgets.HTML("<h2>The caseload at a glance</h2>"),
                charts,
                widgets.HTML(pupils_intro_html(self.cases)),
                widgets.HBox([self.sort, self.reverse]),
                self.table,
                widgets.HTML("<h2>One pupil</h2>"),
                self.pupil,
                self.detail,
            ]
        )
        page.add_class("sendlib-explorer")
        return page

    def _observe(self) -> None:
        """Connect each control to the callback that brings the page in line with it."""
        for dropdown in self.filters.values():
            dropdown.observe(self._on_filter, names="value")
        self.clear.on_click(self._on_clear)
        self.sort.observe(self._on_sort, names="value")
        self.reverse.observe(self._on_sort, names="value")
        self.pupil.observe(self._on_pupil, names="value")

    @property
    def chosen(self) -> CaseloadFilter:
        """The filters as the SENDCo set them."""
        return CaseloadFilter(**{key: d.value for key, d in self.filters.items()})

    @property
    def shown(self) -> pl.DataFrame:
        """The pupils the filters show."""
        return filter_pupils(self.cases.pupils, self.chosen)

    def _shown_if_filtered(self) -> pl.DataFrame | None:
        """The pupils the filters show, or ``None`` when no filter is set.

        With no filter the provision map shows every pupil with provision, on the caseload or not.
        """
        return self.shown if self.chosen.chosen else None

    def refresh(self) -> None:
        """Bring every part of the page in line with the filters."""
        shown = self.shown
        self._refresh_text(shown)
        self.by_year.redraw(
            _coverage_bars(
                self._year_labels, coverage_counts(shown, "year_group", self._years), False
            )
        )
        self.by_need.redraw(
            _coverage_bars(self._needs, coverage_counts(shown, "primary_need", self._needs), True)
        )
        if self.by_month is not None:
            self.by_month.redraw(
                _annual_review_bars(
                    self._months, annual_review_counts(self.cases.reviews, shown, self._months)
                )
            )

    def _refresh_text(self, shown: pl.DataFrame) -> None:
        self.headlines.value = headline_html(headline_strip(self.cases, shown))
        self.todos.value = todo_html(self.cases, shown)
        self.todos.value += plans_todo_html(self.cases, shown)
        self.todo_download.forget()
        self._show_table(shown)

    def _show_table(self, shown: pl.DataFrame) -> None:
        ordered = sort_pupils(shown, self.sort.value, self.reverse.value)
        self.table.value = pupils_table_html(self.cases, ordered)
        choices = [
            (pupil_choice_label(r, self.cases.has_names), r["pupil_id"])
            for r in ordered.select("pupil_id", "display_name", "year_group").iter_rows(named=True)
        ]
        current = self.pupil.value
        ids = [value for _, value in choices]
        # Replacing the options moves the choice; keep the pupil on screen if still shown.
        self._quiet = True
        try:
            self.pupil.options = choices
            self.pupil.value = current if current in ids else (ids[0] if ids else None)
        finally:
            self._quiet = False
        self.detail.value = pupil_html(self.cases, self.pupil.value)

    def _on_filter(self, _change: dict) -> None:
        if not self._quiet:
            self.refresh()

    def _on_clear(self, _button: object) -> None:
        # One refresh for the whole reset, not one per filter.
        self._quiet = True
        try:
            for dropdown in self.filters.values():
                dropdown.value = ALL
        finally:
            self._quiet = False
        self.refresh()

    def _on_sort(self, _change: dict) -> None:
        self._show_table(self.shown)

    def _on_pupil(self, change: dict) -> None:
        if not self._quiet:
            self.detail.value = pupil_html(self.cases, change["new"])

    def choose(self, **chosen: str | None) -> None:
        """Set filters by column name, as the SENDCo would; ``None`` means all."""
        for key, value in chosen.items():
            self.filters[key].value = ALL if value is None else value


def _no_reviews(cases: Caseload) -> str:
    """Why there is no annual review chart: English law does not apply, or no EHC plans."""
    if not cases.statutory:
        return html.escape(cases.school.config.law_note)
    return "No EHC plan annual review falls due: no pupil on the caseload has an EHC plan."


def _filter_dropdowns(options: dict[str, list[tuple[str, str]]]) -> dict[str, ipywidgets.Dropdown]:
    """One dropdown per filter, set to "All ...", with a class the browser test finds it by."""
    import ipywidgets as widgets

    filters = {
        key: widgets.Dropdown(
            options=options[key],
            value=ALL,
            description=label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width=FILTER_WIDTHS[key]),
        )
        for key, label in FILTER_LABELS.items()
    }
    for key, dropdown in filters.items():
        dropdown.add_class(f"sendlib-filter-{key.replace('_', '-')}")
    return filters


def _html_widget(css_class: str) -> ipywidgets.HTML:
    """An empty HTML widget with the class the page's styles give it."""
    import ipywidgets as widgets

    widget = widgets.HTML()
    widget.add_class(css_class)
    return widget


# ---------------------------------------------------------------------------------------
# Charts: plotly.js figures (sendlib.explorer.chart), redrawn in place


def _chart_layout(title: str, **extra) -> dict:
    return dict(
        title=dict(text=title, x=0, font=dict(size=15)),
        font=dict(size=13),
        height=330,
        margin=dict(l=50, r=10, t=40, b=40),
        barmode="stack",
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0),
        **extra,
    )


def _coverage_bars(
    categories: list[str], counts: dict[str, list[int]], horizontal: bool
) -> list[dict]:
    """Stacked bars of registered pupils per coverage status, one bar per category."""
    bars = []
    for status, values in counts.items():
        axes = (
            dict(y=categories, x=values, orientation="h")
            if horizontal
            else dict(x=categories, y=values)
        )
        bars.append(
            dict(
                type="bar",
                **axes,
                name=COVERAGE_LABELS[status],
                marker=dict(color=STATUS_COLOURS[status]),
                hovertemplate=("%{y}: %{x}" if horizontal else "%{x}: %{y}")
                + " pupils<extra>"
                + COVERAGE_LABELS[status]
                + "</extra>",
            )
        )
    return bars


def _coverage_chart(
    categories: list[str], counts: dict[str, list[int]], title: str, horizontal: bool
) -> Chart:
    """The chart of :func:`_coverage_bars`, every category labelled."""
    # Every category labelled: plotly would otherwise skip some of fourteen needs.
    extra = dict(yaxis=dict(autorange="reversed", automargin=True, dtick=1)) if horizontal else {}
    return chart(_coverage_bars(categories, counts, horizontal), _chart_layout(title, **extra))


def _annual_review_bars(months: list[dt.date], counts: dict[str, list[int]]) -> list[dict]:
    """Stacked bars of annual reviews per status, one bar per month of deadline."""
    return [
        dict(
            type="bar",
            x=[f"{m:%b %Y}" for m in months],
            y=values,
            name=ANNUAL_REVIEW_LABELS[status],
            marker=dict(color=STATUS_COLOURS[status]),
            hovertemplate="%{x}: %{y} annual reviews<extra>"
            + ANNUAL_REVIEW_LABELS[status]
            + "</extra>",
        )
        for status, values in counts.items()
    ]
