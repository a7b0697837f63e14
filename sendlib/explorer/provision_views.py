"""The "Provision map" tab's HTML: its introduction, totals, the table and a CSV download.

Every value from the school's data is escaped here; :mod:`sendlib.explorer.provision_tab`
only places these strings on the page.
"""

from __future__ import annotations

import base64
import html

import polars as pl

from sendlib.explorer.labels import need_label, year_label
from sendlib.school.schema import SEN_STATUS_LABELS

#: Styles of the tab (the caseload's come with its header): the tab bar, and a print
#: layout that prints the map in full, without the controls.
PROVISION_STYLE = """
<style>
.sendlib-tabs .widget-toggle-button { font-size: 15px; font-weight: 600; }
.sendlib-provision .totals { display: flex; gap: 16px; flex-wrap: wrap; margin: 4px 0; }
.sendlib-provision .totals strong { font-size: 1.25em; }
.sendlib-provision a.download { display: inline-block; margin: 4px 0; font-weight: 600; }
@media print {
  .sendlib-tabs, .sendlib-sticky, .sendlib-provision-filters, .sendlib-provision a.download,
  .sendlib-clear { display: none !important; }
  .sendlib-explorer .scroll { max-height: none !important; overflow: visible !important; }
  .sendlib-explorer thead th { position: static; }
}
</style>
"""


def provision_intro_html(threshold: int) -> str:
    """The tab's heading and how to read, print and export it."""
    return (
        PROVISION_STYLE
        + "<h2>Provision map</h2><p>Pupils by their interventions this school year, the hours "
        "delivered and what they cost the school, the costliest first. The caseload filters "
        "above apply here too; with an intervention or a kind chosen, hours and cost are those "
        "of the matching support only. Pupils on SEN support projected to cost more than GBP "
        f"{threshold:,} this year are marked: candidates for top-up funding or an EHC needs "
        "assessment. Print with the browser's Print (Ctrl+P): the map prints in full, without "
        "the controls. This page names pupils: it is for the SENDCo only.</p>"
    )


def _money(value: float) -> str:
    return f"{value:,.2f}"


def map_totals_html(totals: dict[str, float | int]) -> str:
    """The totals of the pupils shown, a live region so screen readers hear it change."""
    return (
        '<div class="totals" role="status" aria-live="polite">'
        f"<span><strong>{totals['pupils']:,}</strong> pupils shown</span>"
        f"<span><strong>{totals['hours']:,.1f}</strong> hours this year</span>"
        f"<span><strong>GBP {_money(totals['cost'])}</strong> cost this year</span>"
        f"<span><strong>{totals['above_notional']:,}</strong> above the notional threshold</span>"
        "</div>"
    )


def map_table_html(table: pl.DataFrame, with_names: bool) -> str:
    """The provision map as a keyboard-scrollable table (already sorted and filtered)."""
    headings = ["Pupil", "Year", "SEN status", "Primary need", "Interventions", "Hours",
                "Cost (GBP)", "Projected (GBP)", "Above notional"]  # fmt: skip
    if not table.height:
        return '<p class="empty">No pupil with provision matches these filters.</p>'
    rows = []
    for r in table.iter_rows(named=True):
        name = f" {html.escape(r['display_name'])}" if with_names and r["display_name"] else ""
        cells = [
            f"<strong>{html.escape(r['pupil_id'])}</strong>{name}",
            html.escape(year_label(r["year_group"])),
            html.escape(SEN_STATUS_LABELS.get(r["sen_status"], r["sen_status"])),
            html.escape(need_label(r["primary_need"])) if r["primary_need"] else "",
            html.escape(r["interventions"]),
        ]
        numbers = [f"{r['hours_this_year']:,.1f}", _money(r["cost_this_year"]),
                   _money(r["projected_cost"])]  # fmt: skip
        flag = "yes" if r["above_notional"] else ""
        rows.append(
            "<tr>"
            + "".join(f"<td>{c}</td>" for c in cells)
            + "".join(f'<td class="num">{n}</td>' for n in numbers)
            + f"<td>{flag}</td></tr>"
        )
    header = "".join(f"<th>{h}</th>" for h in headings)
    return (
        '<div class="scroll table-box" tabindex="0" role="region" aria-label="Provision map">'
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def download_link_html(csv_text: str, filename: str = "provision_map.csv") -> str:
    """A link that downloads the map shown as a CSV (built in the page: nothing is sent)."""
    data = base64.b64encode(csv_text.encode("utf-8")).decode("ascii")
    return (
        f'<a class="download" download="{html.escape(filename)}" '
        f'href="data:text/csv;charset=utf-8;base64,{data}">Download this map as CSV</a>'
    )
