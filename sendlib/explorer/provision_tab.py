"""The explorer's "Provision map" tab as widgets, beside the caseload on a tab bar.

:class:`ProvisionTab` shows the map of :mod:`sendlib.explorer.provision_map` for its own
filters (intervention, kind) and the caseload filters, which it shares with the caseload
page (the same dropdowns, so a choice holds on both tabs). :func:`with_tabs` puts the
two pages behind a tab bar; the caseload's sticky filters stay above both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sendlib.explorer.provision_map import (
    ProvisionFilter,
    map_csv,
    map_totals,
    provision_options,
    provision_rows,
    provision_table,
)
from sendlib.explorer.provision_views import (
    download_link_html,
    map_table_html,
    map_totals_html,
    provision_intro_html,
)
from sendlib.explorer.queries import ALL
from sendlib.explorer.xlsx_exports import provision_xlsx, xlsx_link_html
from sendlib.school.load import School

if TYPE_CHECKING:
    import ipywidgets
    import polars as pl

#: The tab bar's pages, in order.
TABS = ("Caseload", "Provision map")


class ProvisionTab:
    """The provision map's filters, totals, table and download link, kept up to date.

    ``shown`` gives the caseload pupils the caseload filters show, ``None`` when none is
    set; ``caseload_filters`` are those dropdowns, observed so the map follows them.
    """

    def __init__(
        self,
        school: School,
        as_of: dt.date,
        caseload_filters: list[ipywidgets.Dropdown],
        shown: Callable[[], pl.DataFrame | None],
    ):
        import ipywidgets as widgets

        self.rows = provision_rows(school, as_of)
        self.school_name = school.name
        self.with_names = self.rows["display_name"].is_not_null().any()
        self._shown = shown
        options = provision_options(self.rows)
        self.intervention = _dropdown(options["intervention_id"], "Intervention", "320px")
        self.intervention.add_class("sendlib-filter-intervention")
        self.kind = _dropdown(options["kind"], "Kind", "220px")
        self.kind.add_class("sendlib-filter-kind")
        self.totals = widgets.HTML()
        self.totals.add_class("sendlib-provision-totals")
        self.table = widgets.HTML()
        self.table.add_class("sendlib-provision-table")
        self.download = widgets.HTML()
        filters = widgets.HBox([self.intervention, self.kind])
        filters.add_class("sendlib-filters")
        filters.add_class("sendlib-provision-filters")
        intro = widgets.HTML(provision_intro_html(school.policy.notional_threshold))
        self.widget = widgets.VBox([intro, filters, self.totals, self.download, self.table])
        self.widget.add_class("sendlib-provision")
        # Built when first shown: the caseload page's first render carries none of it.
        self.active = False
        for dropdown in (self.intervention, self.kind, *caseload_filters):
            dropdown.observe(lambda _change: self.refresh(), names="value")

    @property
    def chosen(self) -> ProvisionFilter:
        """The tab's own filters as the SENDCo set them."""
        return ProvisionFilter(self.intervention.value, self.kind.value)

    def table_shown(self) -> pl.DataFrame:
        """The map for the tab's filters and the caseload's."""
        pupils = self._shown()
        ids = None if pupils is None else pupils["pupil_id"].to_list()
        return provision_table(self.rows, self.chosen, ids)

    def show(self) -> None:
        """Start keeping the tab up to date (it is on screen)."""
        self.active = True
        self.refresh()

    def refresh(self) -> None:
        """Bring the totals, table and download link in line with every filter, once shown."""
        if not self.active:
            return
        table = self.table_shown()
        xlsx = provision_xlsx(table, self.with_names, self.school_name)
        # The links first, the totals last: once the totals change, the whole tab has.
        self.download.value = (
            download_link_html(map_csv(table, self.with_names))
            + " "
            + xlsx_link_html(xlsx, "provision_map.xlsx", "Download this map as Excel")
        )
        self.table.value = map_table_html(table, self.with_names)
        self.totals.value = map_totals_html(map_totals(table))


def _dropdown(options: list[tuple[str, str]], label: str, width: str) -> ipywidgets.Dropdown:
    import ipywidgets as widgets

    return widgets.Dropdown(
        options=options,
        value=ALL,
        description=label,
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width),
    )


def with_tabs(page: ipywidgets.VBox, provision: ProvisionTab) -> ipywidgets.VBox:
    """The explorer's page with a tab bar under its header: the caseload, or the map.

    ``page``'s first two children (header, sticky filters and headlines) stay above both
    tabs; the rest is the caseload tab. A toggle bar, not a ``Tab`` widget: a tab panel
    clips its content, which would stop the filters sticking to the top of the screen.
    """
    import ipywidgets as widgets

    header, sticky, *caseload = page.children
    caseload_page = widgets.VBox(caseload)
    bar = widgets.ToggleButtons(options=TABS, value=TABS[0], description="")
    bar.add_class("sendlib-tabs")
    provision.widget.layout.display = "none"

    def switch(change: dict) -> None:
        on_map = change["new"] == TABS[1]
        if on_map and not provision.active:
            provision.show()
        caseload_page.layout.display = "none" if on_map else None
        provision.widget.layout.display = None if on_map else "none"

    bar.observe(switch, names="value")
    page.children = [header, bar, sticky, caseload_page, provision.widget]
    return page
