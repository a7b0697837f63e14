"""Scheduling scenarios for the SENDCo: levers as widgets, re-solved on every change.

The planning itself is :mod:`sendlib.planning.scheduling`; this is its interactive face.

The notebook ``notebooks/scheduling_scenarios.ipynb`` only builds a
:class:`ScenarioExplorer` and displays it; the charts (weekly load, meetings placed
against owed, unplaced by reason, review coverage at the term's end) are built here,
and updated in place when a control moves.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from sendlib.explorer.chart import chart_of
from sendlib.planning.scheduling.command import plan_term
from sendlib.planning.scheduling.demand import observed_led_share
from sendlib.planning.scheduling.levers import SchedulingLevers, sendco_working_days
from sendlib.planning.scheduling.result import REASONS, Schedule
from sendlib.school.calendar import SCHOOL_WEEK
from sendlib.school.load import School

KIND_LABELS = {
    "review": "Termly reviews",
    "annual_review": "Annual reviews",
    "concern": "Request meetings",
}
TERM_END_LABELS = {
    "met_before_planning": "Met before planning",
    "already_booked": "Already booked",
    "placed": "Placed in this schedule",
    "not_placed": "Not placed",
}
#: Short forms of :data:`REASONS` for a chart's axis.
REASON_LABELS = {
    "notice_past_term_end": "notice runs past term end",
    "no_days_in_window": "no school days left",
    "no_sendco_day": "no SENDCo day",
    "sendco_never_free": "SENDCo's hours all taken",
    "lead_never_free_with_sendco": "lead staff never free with SENDCo",
    "lead_never_free": "lead staff never free",
    "sendco_full": "SENDCo's time full",
    "lead_full": "lead staff's time full",
    "no_common_time_left": "never free together",
    "time_limit": "time limit reached",
}
FIGURE_SIZE = {"width": 620, "height": 400}
LOAD_PARTS = {
    "meeting_minutes": "Meetings",
    "preparation_and_records_minutes": "Preparation and records",
    "surgery_minutes": "Surgery slots",
    "booked_minutes": "Already booked",
}


def weekly_load_figure(schedule: Schedule) -> go.Figure:
    """Hours of the SENDCo's protected time used each week, by part, against hours available."""
    weekly = schedule.weekly_load
    weeks = [f"w/c {d:%d %b}" for d in weekly["week_start"]]
    figure = go.Figure(
        [
            go.Bar(name=label, x=weeks, y=(weekly[column] / 60).round(1).to_list())
            for column, label in LOAD_PARTS.items()
        ]
        + [
            go.Scatter(
                name="Protected hours",
                x=weeks,
                y=(weekly["protected_minutes"] / 60).round(1).to_list(),
                mode="lines+markers",
                line={"color": "black"},
            )
        ]
    )
    figure.update_layout(
        barmode="stack",
        title="SENDCo's protected time each week",
        yaxis_title="hours",
        legend_orientation="h",
        **FIGURE_SIZE,
    )
    return figure


def placed_vs_owed_figure(schedule: Schedule) -> go.Figure:
    """Meetings owed and placed, by kind."""
    table = (
        pl.DataFrame({"kind": list(KIND_LABELS)})
        .join(schedule.placed_vs_owed(), on="kind", how="left")
        .fill_null(0)
    )
    labels = [KIND_LABELS[k] for k in table["kind"]]
    figure = go.Figure(
        [
            go.Bar(name="Owed", x=labels, y=table["owed"].to_list()),
            go.Bar(name="Placed", x=labels, y=table["placed"].to_list()),
        ]
    )
    figure.update_layout(
        barmode="group", title="Meetings placed against meetings owed", **FIGURE_SIZE
    )
    return figure


def unplaced_by_reason_figure(schedule: Schedule) -> go.Figure:
    """Meetings not placed, by reason (every reason listed, so the chart keeps its shape)."""
    counts = dict(schedule.unplaced.group_by("reason").len().iter_rows())
    reasons = list(REASONS)
    figure = go.Figure(
        go.Bar(
            x=[counts.get(r, 0) for r in reasons],
            y=[REASON_LABELS[r] for r in reasons],
            orientation="h",
            hovertext=[REASONS[r] for r in reasons],
        )
    )
    figure.update_layout(
        title="Meetings not placed, by reason",
        xaxis_title="meetings",
        yaxis={"autorange": "reversed"},
        **FIGURE_SIZE,
    )
    return figure


def coverage_figure(schedule: Schedule) -> go.Figure:
    """Registered pupils by whether their termly review happens by the term's end."""
    counts = dict(schedule.coverage_at_term_end.group_by("term_end").len().iter_rows())
    figure = go.Figure(
        go.Bar(
            x=list(TERM_END_LABELS.values()),
            y=[counts.get(k, 0) for k in TERM_END_LABELS],
        )
    )
    figure.update_layout(
        title="Registered pupils: this term's review by the term's end",
        yaxis_title="pupils",
        **FIGURE_SIZE,
    )
    return figure


FIGURES = (weekly_load_figure, placed_vs_owed_figure, unplaced_by_reason_figure, coverage_figure)


class ScenarioExplorer:
    """Widgets for the levers and four charts that follow them, for JupyterLab and Voila.

    Each control change re-plans the term (``time_limit`` seconds at most for the
    solver) and updates the charts in place; ``schedule`` holds the latest plan.
    """

    def __init__(
        self,
        school: School,
        term: str,
        as_of: dt.date,
        levers: SchedulingLevers | None = None,
        time_limit: float = 2.0,
    ):
        import ipywidgets as widgets

        self.school, self.term, self.as_of = school, term, as_of
        self.time_limit = time_limit
        base = levers or SchedulingLevers()
        config, policy = school.config, school.policy
        days = len(sendco_working_days(school, base))
        share = base.class_teacher_led_share
        # The slider shows this year's share, rounded; left there, it means "as now".
        self._observed_share = (
            None if share is not None else (round(observed_led_share(school, term, as_of), 2))
        )
        style = {"description_width": "240px"}
        layout = widgets.Layout(width="560px")

        def slider(kind, description, value, **bounds):
            return kind(
                value=value,
                description=description,
                continuous_update=False,
                style=style,
                layout=layout,
                **bounds,
            )

        self.controls = {
            "sendco_days_per_week": slider(
                widgets.IntSlider, "SENDCo days a week", days, min=1, max=5
            ),
            "hours_per_day": slider(
                widgets.FloatSlider,
                "Protected hours a day",
                base.hours_per_day or config.sendco.send_hours_per_day,
                min=0.5,
                max=8.0,
                step=0.5,
            ),
            "surgeries_per_week": slider(
                widgets.IntSlider,
                "Surgeries a week",
                policy.surgeries_per_week
                if base.surgeries_per_week is None
                else base.surgeries_per_week,
                min=0,
                max=6,
            ),
            "review_minutes": slider(
                widgets.IntSlider,
                "Review length (minutes)",
                base.review_minutes or policy.meeting_minutes,
                min=10,
                max=60,
                step=5,
            ),
            "class_teacher_led_share": slider(
                widgets.FloatSlider,
                "Reviews led without the SENDCo",
                self._observed_share if share is None else share,
                min=0.0,
                max=1.0,
                step=0.05,
            ),
            "assistant_days": widgets.SelectMultiple(
                options=list(SCHOOL_WEEK),
                value=tuple(base.assistant_days),
                description="Assistant SENDCo's days",
                style=style,
                layout=widgets.Layout(width="560px", height="110px"),
            ),
        }
        self.blocked_dates = base.blocked_dates
        self.status = widgets.HTML()
        self.schedule = self.solve_schedule()
        self.figures = [chart_of(build(self.schedule)) for build in FIGURES]
        self._show_status()
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.widget = widgets.VBox(
            [
                widgets.VBox(list(self.controls.values())),
                self.status,
                # Two charts a row on a wide screen, one on a narrow one.
                widgets.GridBox(
                    self.figures,
                    layout=widgets.Layout(
                        grid_template_columns="repeat(auto-fill, minmax(640px, 1fr))"
                    ),
                ),
            ]
        )

    def levers(self) -> SchedulingLevers:
        """The levers the controls are set to."""
        c = {name: control.value for name, control in self.controls.items()}
        return SchedulingLevers(
            sendco_days_per_week=c["sendco_days_per_week"],
            hours_per_day=c["hours_per_day"],
            surgeries_per_week=c["surgeries_per_week"],
            review_minutes=c["review_minutes"],
            class_teacher_led_share=(
                None
                if c["class_teacher_led_share"] == self._observed_share
                else c["class_teacher_led_share"]
            ),
            assistant_days=tuple(c["assistant_days"]),
            blocked_dates=self.blocked_dates,
        )

    def solve_schedule(self) -> Schedule:
        """Plan the term under the current levers."""
        return plan_term(
            self.school, self.term, self.as_of, self.levers(), time_limit=self.time_limit
        )

    def update(self, change=None) -> Schedule:
        """Re-plan and redraw the charts in place (the controls' observer)."""
        self.status.value = "<i>Re-planning...</i>"
        self.schedule = self.solve_schedule()
        for chart, build in zip(self.figures, FIGURES, strict=True):
            chart.show(build(self.schedule))
        self._show_status()
        return self.schedule

    def _show_status(self) -> None:
        s = self.schedule.summary
        self.status.value = (
            f"<b>{s['placed']} of {s['owed']}</b> meetings placed "
            f"(weighted {s['weighted_placed']} of {s['weighted_owed']}); "
            f"solver {s['status']}, gap {s['gap']:.1%}, {s['solve_seconds']:.1f} s"
        )
