"""A trust's or a local authority's schools together: the trust overview.

``sendlib report --all DIR`` renders the leadership report of every school folder under
``DIR`` (:mod:`sendlib.present.batch`), skips (and names) the folders that fail validation,
then renders ``notebooks/trust_overview.ipynb``: the schools side by side on the duties, with
small counts suppressed and no pupil identifiers. (``sendlib sample-trust`` makes a set of
varied synthetic schools to try it on: ``sendlib.synth.trust``.)
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from sendlib.present.escape import plotly_text
from sendlib.present.figures import OKABE_ITO
from sendlib.present.graduated import graduated_columns
from sendlib.present.privacy import show_count, show_share, shown_share, suppressed
from sendlib.rules.frame import LoadFailure, SchoolGroup, calendar_problems, load_schools
from sendlib.rules.overview import GroupFigures, group_figures
from sendlib.school.paths import from_repository

TABLE_FILES = ("school.toml", *(f"{t}.{x}" for t in ("pupils", "staff", "requests", "meetings", "plans") for x in ("csv", "parquet")))  # fmt: skip


# --------------------------------------------------------------------------- folders


def school_folders(parent_dir: str | Path, exclude: Path | None = None) -> list[Path]:
    """The school folders directly under ``parent_dir``, by name.

    A school folder is a sub-folder holding ``school.toml`` or one of the five tables, so
    a damaged folder is still found (and reported); other files and folders (a README,
    scenario files, the output folder) are not schools.
    """
    parent = Path(parent_dir)
    skip = exclude.resolve() if exclude is not None else None
    return [
        child
        for child in sorted(parent.iterdir(), key=lambda p: p.name)
        if child.is_dir()
        and not child.name.startswith(".")
        and child.resolve() != skip
        and any((child / name).exists() for name in TABLE_FILES)
    ]


def declared_name(folder: Path) -> str:
    """The school's name from its ``school.toml``, or the folder's name if it cannot be read."""
    try:
        name = tomllib.loads((folder / "school.toml").read_text("utf-8-sig"))["school"]["name"]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return folder.name
    return name.strip() if isinstance(name, str) and name.strip() else folder.name


def render_trust_overview(
    trust_dir: str | Path,
    as_of: dt.date | None = None,
    out_dir: str | Path = "outputs",
    progress: bool = True,
) -> Path:
    """Execute ``notebooks/trust_overview.ipynb`` and write ``<out>/trust_overview.html``."""
    from sendlib.present.runner import NOTEBOOKS, execute_notebook, export_html

    folder = from_repository(trust_dir).resolve()
    as_of = as_of or dt.date.today()
    out = Path(out_dir)
    executed = out / "trust_overview.ipynb"
    execute_notebook(
        NOTEBOOKS / "trust_overview.ipynb",
        executed,
        {"trust_dir": str(folder), "as_of": as_of.isoformat()},
        progress=progress,
    )
    return export_html(executed, out / "trust_overview.html", f"{folder.name}: trust overview")


# --------------------------------------------------------------------------- the overview


@dataclass(frozen=True)
class TrustOverview:
    """The schools of a trust side by side, as of one date; what the overview shows."""

    trust_dir: Path
    as_of: dt.date
    group: SchoolGroup | None
    figures: GroupFigures | None
    #: Folders left out, and why (no values from the data: they may name pupils).
    excluded: list[tuple[str, str]] = field(default_factory=list)

    @property
    def headlines(self) -> pl.DataFrame:
        """One row per school: the counts and shares behind the overview (unsuppressed)."""
        return self.figures.headlines if self.figures else pl.DataFrame()

    def table(self) -> pl.DataFrame:
        """The overview table, every small count suppressed (see :func:`overview_table`)."""
        table = overview_table(self.headlines)
        if self.group is None:
            return table
        order = self.headlines["school"].cast(pl.String)
        return table.hstack(graduated_columns(self.group.schools, order, self.as_of))

    def introduction(self) -> str:
        """A sentence or two on what is compared, and which folders were left out."""
        count = self.headlines.height
        text = (
            f"**{count} school{'s' if count != 1 else ''}** in `{self.trust_dir.name}`, as of "
            f"**{self.as_of:%A %d %B %Y}**."
        )
        elsewhere = self.headlines.filter(~pl.col("statutory")) if count else self.headlines
        if elsewhere.height:
            names = ", ".join(elsewhere["name"].to_list())
            text += (
                f"\n\n{names}: outside England, where the statutory clocks of the SEND Code of "
                "Practice do not apply, so only their own policy figures are shown (no annual "
                "review deadlines)."
            )
        if self.excluded:
            text += "\n\nNot included (fix the folder and render again):\n\n" + "\n".join(
                f"- `{folder}`: {why}" for folder, why in self.excluded
            )
        return text


def _why(failure: LoadFailure) -> str:
    files = sorted({p.file for p in failure.problems})
    if not files:
        return "could not be read; run `sendlib validate` on the folder"
    return (
        f"{len(failure.problems)} problem(s) in {', '.join(files)}; "
        "run `sendlib validate` on the folder for the list"
    )


def trust_overview(trust_dir: str | Path, as_of: dt.date | None = None) -> TrustOverview:
    """Load every school folder under ``trust_dir`` and compute the overview's figures.

    Folders that fail validation, or whose calendar does not cover ``as_of``, are left out
    and listed in ``excluded``; the others are computed together (sendlib.rules.overview).
    """
    folder = from_repository(trust_dir)
    as_of = as_of or dt.date.today()
    folders = school_folders(folder)
    # Starting processes costs more than loading a few small folders.
    schools, failures = load_schools(folders, workers=1 if len(folders) < 20 else None)
    excluded = [(f.folder.name, _why(f)) for f in failures]
    if schools:
        outside = calendar_problems(SchoolGroup.of(schools), as_of)
        excluded += [
            (slug, "its school calendar does not cover the report date") for slug in outside
        ]
        schools = [s for s in schools if s.slug not in outside]
    excluded.sort()
    if not schools:
        return TrustOverview(folder, as_of, None, None, excluded)
    group = SchoolGroup.of(sorted(schools, key=lambda s: (s.name, s.slug)))
    return TrustOverview(folder, as_of, group, group_figures(group, as_of), excluded)


#: The overview table's columns, in the order shown.
OVERVIEW_COLUMNS = (
    "School",
    "Phase",
    "Registered pupils",
    "Requests acknowledged in time",
    "Requests open past deadline",
    "On track for three meetings",
    "Never met this year",
    "Annual reviews overdue",
    "SENDCo time used this term",
    "SENDCo time needed, rest of year",
)


#: Shown for a statutory figure of a school outside England (DOMAIN.md, "Where these rules apply").
NOT_ENGLISH_LAW = "not English law"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _no_record(count: int | None, threshold: int) -> str:
    """Beside a school's overdue reviews: its EHC plans with no review date on record."""
    if not count:
        return ""
    return f" ({show_count(count, threshold)} with no review date on record)"


def overview_table(headlines: pl.DataFrame) -> pl.DataFrame:
    """The schools side by side, as text, with every small count suppressed.

    Registered pupils is a whole-school total and is shown as it is; every other count is
    about a group within the school and shows as "<5" (the school's threshold) when small,
    and a share shows only where its count, the rest and the whole reach that threshold
    (``sendlib.present.privacy``). Utilisation is hours against hours, not pupils.
    """
    rows = []
    for h in headlines.iter_rows(named=True):
        t = h["suppress_below"]
        rows.append(
            (
                h["name"],
                h["phase"],
                f"{h['registered']:,}",
                show_share(h["on_time"], h["decided"], t),
                show_count(h["open_overdue"], t),
                show_share(h["on_track"], h["registered"], t),
                show_count(h["never_met"], t),
                show_count(h["reviews_overdue"], t) + _no_record(h.get("reviews_no_record"), t)
                if h.get("statutory", True)
                else NOT_ENGLISH_LAW,
                _pct(h["utilisation_this_term"]),
                _pct(h["forecast_utilisation_rest_of_year"]),
            )
        )
    return pl.DataFrame(rows, schema=list(OVERVIEW_COLUMNS), orient="row")


def side_by_side_chart(headlines: pl.DataFrame) -> go.Figure:
    """Four panels, one bar per school in each: the duties and the SENDCo's time.

    A bar whose figure the table suppresses is not drawn; its hover text says why.
    """
    names = [plotly_text(name) for name in headlines["name"]]
    rows = list(headlines.iter_rows(named=True))
    titles = (
        "Requests acknowledged in time",
        "On track for three meetings",
        "Annual reviews overdue",
        "SENDCo time used",
    )
    fig = make_subplots(rows=1, cols=4, shared_yaxes=True, subplot_titles=titles)
    on_time = [shown_share(r["on_time"], r["decided"], r["suppress_below"]) for r in rows]
    on_track = [shown_share(r["on_track"], r["registered"], r["suppress_below"]) for r in rows]
    overdue = [
        None
        if suppressed(r["reviews_overdue"], r["suppress_below"]) or not r.get("statutory", True)
        else r["reviews_overdue"]
        for r in rows
    ]
    labels = {
        "time": [show_share(r["on_time"], r["decided"], r["suppress_below"]) for r in rows],
        "track": [show_share(r["on_track"], r["registered"], r["suppress_below"]) for r in rows],
        "overdue": [
            show_count(r["reviews_overdue"], r["suppress_below"])
            if r.get("statutory", True)
            else NOT_ENGLISH_LAW
            for r in rows
        ],
    }
    percent = [None if v is None else v * 100 for v in on_time]
    fig.add_trace(_bar(names, percent, labels["time"], OKABE_ITO[0], "In time"), 1, 1)
    percent = [None if v is None else v * 100 for v in on_track]
    fig.add_trace(_bar(names, percent, labels["track"], OKABE_ITO[2], "On track"), 1, 2)
    fig.add_trace(_bar(names, overdue, labels["overdue"], OKABE_ITO[3], "Overdue"), 1, 3)
    for key, colour, label in (
        ("utilisation_this_term", OKABE_ITO[4], "This term"),
        ("forecast_utilisation_rest_of_year", OKABE_ITO[1], "Rest of year"),
    ):
        values = [None if r[key] is None else r[key] * 100 for r in rows]
        fig.add_trace(_bar(names, values, [_pct(r[key]) for r in rows], colour, label), 1, 4)
    for col in (1, 2, 4):
        fig.add_vline(x=100, line_dash="dot", line_color="#777", row=1, col=col)
    fig.update_xaxes(title_text="%", row=1, col=1)
    fig.update_xaxes(title_text="%", row=1, col=2)
    fig.update_xaxes(title_text="plans", row=1, col=3)
    fig.update_xaxes(title_text="% of protected hours", row=1, col=4)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        template="plotly_white",
        barmode="group",
        height=max(380, 34 * len(names) + 160),
        margin=dict(l=200, r=20, t=80, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.08, xanchor="right", x=1),
        font=dict(size=12),
    )
    return fig


def _bar(names, values, labels, colour: str, legend: str) -> go.Bar:
    return go.Bar(
        y=names,
        x=values,
        orientation="h",
        marker_color=colour,
        name=legend,
        customdata=labels,
        hovertemplate="%{y}: %{customdata}<extra>" + legend + "</extra>",
        showlegend=legend in ("This term", "Rest of year"),
    )


def time_and_timeliness_chart(headlines: pl.DataFrame) -> go.Figure:
    """Each school's SENDCo time used against its on-time share, to see if lateness is time."""
    rows = [
        r
        for r in headlines.iter_rows(named=True)
        if r["utilisation_this_term"] is not None
        and shown_share(r["on_time"], r["decided"], r["suppress_below"]) is not None
    ]
    fig = go.Figure(
        go.Scatter(
            x=[r["utilisation_this_term"] * 100 for r in rows],
            y=[r["on_time"] / r["decided"] * 100 for r in rows],
            text=[plotly_text(r["name"]) for r in rows],
            mode="markers",
            marker=dict(
                size=[max(8.0, min(30.0, r["registered"] ** 0.5 * 1.5)) for r in rows],
                color=[OKABE_ITO[0] if r["phase"] == "primary" else OKABE_ITO[1] for r in rows],
                line=dict(width=1, color="#333"),
            ),
            hovertemplate="%{text}<br>SENDCo time used this term: %{x:.0f}%<br>"
            "requests acknowledged in time: %{y:.0f}%<extra></extra>",
        )
    )
    fig.add_vline(x=100, line_dash="dot", line_color="#777")
    fig.update_layout(
        title=dict(text="SENDCo time used this term and requests acknowledged in time"),
        xaxis_title="SENDCo time used this term (% of protected hours)",
        yaxis_title="Requests acknowledged in time (%)",
        template="plotly_white",
        height=430,
        margin=dict(l=60, r=20, t=60, b=50),
        font=dict(size=13),
    )
    return fig
