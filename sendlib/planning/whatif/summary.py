"""The what-if results in words: tables, comparison sentences and the model's assumptions.

Every scenario's runs become a median with its 10-90% band (80% of runs fall inside it);
:func:`comparison_sentences` sets each scenario against the baseline in plain English,
and :func:`assumptions` states the fitted inputs and what the model leaves out.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from sendlib.planning.whatif.plan import BOOKABLE_SHARE
from sendlib.planning.whatif.simulation import (
    ACK_MINUTES,
    DISRUPTED_SHARE,
    READY_PER_FREE_DAY,
    REPLY_SHARE,
    WhatIfResult,
)
from sendlib.rules.meetings import review_coverage
from sendlib.rules.requests import response_summary, response_times

#: Fewer school days or requests than this to fit from: the report says to take care.
THIN_HISTORY = 20

#: The metrics each run gives (the keys of a scenario result's ``metrics``), as readers see them.
METRICS = {
    "on_time_share": "Requests acknowledged within 5 school days",
    "median_days_to_meeting": "Median school days from request to meeting",
    "three_meetings_share": "Registered pupils with three meetings by year end",
    "annual_reviews_late": "Annual reviews late",
    "utilisation": "SENDCo utilisation",
    "backlog_year_end": "Requests waiting at year end",
}
#: How each metric is written: share (a percentage), days or count.
METRIC_KIND = {
    "on_time_share": "share",
    "median_days_to_meeting": "days",
    "three_meetings_share": "share",
    "annual_reviews_late": "count",
    "utilisation": "share",
    "backlog_year_end": "count",
}
#: Short names for the comparison sentences.
METRIC_PHRASE = {
    "on_time_share": "on-time acknowledgements",
    "median_days_to_meeting": "median school days to a meeting",
    "three_meetings_share": "pupils reaching three meetings",
    "annual_reviews_late": "annual reviews late",
    "utilisation": "SENDCo utilisation",
    "backlog_year_end": "requests waiting at year end",
}
#: A change smaller than this in the median is "no material change".
MATERIAL_CHANGE = {"share": 0.01, "days": 1.0, "count": 1.0}
#: Which way is better for each metric (+1: higher is better); utilisation is neither.
BETTER = {
    "on_time_share": 1,
    "median_days_to_meeting": -1,
    "three_meetings_share": 1,
    "annual_reviews_late": -1,
    "backlog_year_end": -1,
}
#: Why a lever can make a figure worse, by the scenario key that sets it.
WORSE_BECAUSE = {
    "surgeries_per_week": "surgeries are protected time that replies and booked meetings "
    "can then no longer use",
    "extra_surgeries_per_week": "surgeries are protected time that replies and booked meetings "
    "can then no longer use",
    "request_growth": "more requests arrive for the same SENDCo time",
    "meeting_minutes": "each meeting takes more of the SENDCo's time",
    "annual_review_minutes": "each annual review takes more of the SENDCo's time",
    "surgery_minutes": "each surgery takes more of the SENDCo's time",
    "class_teacher_led_share": "the SENDCo leads more of the termly reviews than now",
    "sendco_days": "the SENDCo has fewer working days",
    "send_hours_per_day": "the SENDCo has fewer protected hours",
}


#: Metrics that measure an English statutory clock (DOMAIN.md, "Where these rules apply").
STATUTORY_METRICS = ("annual_reviews_late",)


def shown_metrics(result: WhatIfResult) -> dict[str, str]:
    """The metrics reported for this school: English statutory clocks only where they apply."""
    if result.model.school.config.applies_english_law:
        return dict(METRICS)
    return {k: v for k, v in METRICS.items() if k not in STATUTORY_METRICS}


def summarise(result: WhatIfResult) -> pl.DataFrame:
    """One row per scenario and metric: the 10th, 50th and 90th percentiles and the mean."""
    rows = []
    for name, res in result.results.items():
        for key, label in shown_metrics(result).items():
            values = res.metrics[key]
            finite = values[np.isfinite(values)]
            p10, p50, p90 = np.percentile(finite, [10, 50, 90]) if finite.size else (np.nan,) * 3
            rows.append(
                {
                    "scenario": name,
                    "label": res.scenario.title,
                    "metric": key,
                    "metric_label": label,
                    "p10": float(p10),
                    "median": float(p50),
                    "p90": float(p90),
                    "mean": float(finite.mean()) if finite.size else float("nan"),
                }
            )
    return pl.DataFrame(rows)


def format_value(metric: str, value: float) -> str:
    """A metric's value as readers see it: 71%, 12 days, 3."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.0%}" if METRIC_KIND[metric] == "share" else f"{value:.0f}"


def summary_table(result: WhatIfResult) -> pl.DataFrame:
    """A table for readers: a row per scenario, each metric as "median (10-90%)"."""
    summary = summarise(result)
    metrics = shown_metrics(result)
    columns: dict[str, list[str]] = {"Scenario": []}
    for key in metrics:
        columns[metrics[key]] = []
    for name, res in result.results.items():
        columns["Scenario"].append(res.scenario.title)
        for key, label in metrics.items():
            row = summary.filter((pl.col("scenario") == name) & (pl.col("metric") == key)).row(
                0, named=True
            )
            columns[label].append(
                f"{format_value(key, row['median'])} ({_band(key, row['p10'], row['p90'])})"
            )
    return pl.DataFrame(columns)


def _band(metric: str, low: float, high: float) -> str:
    lo, hi = format_value(metric, low), format_value(metric, high)
    if METRIC_KIND[metric] == "share":
        lo = lo.rstrip("%")
    return f"{lo}-{hi}"


def comparison_sentences(result: WhatIfResult) -> list[str]:
    """Each scenario against the baseline in plain English, with its 80% band.

    e.g. "One more surgery a week: on-time acknowledgements 71% to 88% (80% band 83-92%)".
    Metrics whose median moves less than :data:`MATERIAL_CHANGE` are listed as unchanged.
    """
    summary = summarise(result)
    base = result.baseline.scenario.name

    def get(name: str, metric: str) -> dict:
        return summary.filter((pl.col("scenario") == name) & (pl.col("metric") == metric)).row(
            0, named=True
        )

    sentences = []
    metrics = shown_metrics(result)
    b = {m: get(base, m) for m in metrics}
    sentences.append(
        f"{result.baseline.scenario.title}: "
        + "; ".join(
            f"{METRIC_PHRASE[m]} {format_value(m, b[m]['median'])} "
            f"(80% band {_band(m, b[m]['p10'], b[m]['p90'])})"
            for m in metrics
        )
        + ". "
        + baseline_window(result)
    )
    for name, res in result.results.items():
        if name == base:
            continue
        changed, same, worse = [], [], []
        for m in metrics:
            s = get(name, m)
            before, after = b[m]["median"], s["median"]
            moved = (
                math.isfinite(before)
                and math.isfinite(after)
                and abs(after - before) >= MATERIAL_CHANGE[METRIC_KIND[m]]
            )
            if m == "on_time_share" or moved:
                changed.append(
                    f"{METRIC_PHRASE[m]} {format_value(m, before)} to {format_value(m, after)} "
                    f"(80% band {_band(m, s['p10'], s['p90'])})"
                )
            else:
                same.append(METRIC_PHRASE[m])
            if moved and (after - before) * BETTER.get(m, 0) < 0:
                worse.append((m, s["p10"] <= before <= s["p90"]))
        text = f"{res.scenario.title}: " + "; ".join(changed)
        if same:
            text += "; little change in " + _join(same)
        sentences.append(text + "." + _why_worse(res.scenario.changes, worse))
    return sentences


def baseline_window(result: WhatIfResult) -> str:
    """Why the baseline need not equal the leadership report's figures: a different window.

    The report counts the school's own records for the year so far; the simulation counts
    only the simulated school days (DOMAIN.md: everything as of a date).
    """
    model = result.model
    days = model.simulated_days
    times = response_times(model.school, model.as_of)
    share = response_summary(times.filter("this_year")).row(0, named=True)["on_time_share"]
    recorded = "-" if share is None else f"{share:.0%}"
    coverage = review_coverage(model.school, model.as_of)
    on_track = coverage["on_track"].mean() if coverage.height else None
    tracked = "-" if on_track is None else f"{on_track:.0%}"
    return (
        f"These figures are for the simulated days only, {days[0]:%d %b %Y} to "
        f"{days[-1]:%d %b %Y}; the leadership report's {recorded} of requests acknowledged in "
        f"time is the school's record for the year so far, to {model.as_of:%d %b %Y}, and its "
        f"{tracked} on track is pupils with a meeting in every term so far, not three "
        "meetings by the year's end, so the two reports measure different things."
    )


def _why_worse(changes: dict, worse: list[tuple[str, bool]]) -> str:
    """A sentence on the figures a lever makes worse: what the lever takes away, or chance."""
    if not worse:
        return ""
    phrases = " and ".join(METRIC_PHRASE[m] for m, _ in worse)
    reasons = list(dict.fromkeys(WORSE_BECAUSE[key] for key in changes if key in WORSE_BECAUSE))
    chance = all(inside for _, inside in worse)
    if reasons:
        why = " and ".join(reasons)
        if chance:
            why += (
                " (the baseline's figure is inside this scenario's 80% band, so it may be chance)"
            )
    elif chance:
        why = "within chance: the baseline's figure is inside this scenario's 80% band"
    else:
        why = "the added time goes first to meetings that were waiting, so other work waits longer"
    return f" Worse {phrases}: {why}."


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def describe(result: WhatIfResult) -> str:
    """One sentence saying what was simulated: school, period, runs and scenarios."""
    model = result.model
    days = model.simulated_days
    period = (
        "the whole school year"
        if model.first == 0 and model.last == len(model.days) - 1
        else "the rest of the school year"
        if model.last == len(model.days) - 1
        else "part of the school year"
    )
    return (
        f"**{model.school.name}**: {period}, {days[0]:%a %d %b %Y} to {days[-1]:%a %d %b %Y} "
        f"({len(days)} school days), starting from the school's records as of "
        f"{model.as_of:%d %b %Y}; each of {len(result.results)} scenarios simulated "
        f"{result.runs:,} times (seed {result.seed})."
    )


def assumptions(result: WhatIfResult) -> list[str]:
    """The fitted inputs and the model's assumptions, in sentences for the report."""
    model = result.model
    rates, fit = model.rates, model.request_meetings
    days = model.simulated_days
    notes = [
        f"Simulated {len(days)} school days, {days[0]:%d %b %Y} to {days[-1]:%d %b %Y}, "
        f"{result.runs:,} runs per scenario (seed {result.seed}).",
        f"Requests: {rates.base:.2f} a school day on average, fitted from {rates.requests} "
        f"requests over {rates.school_days} school days (by month and weekday); "
        f"{rates.routed_share:.0%} are routed away (safeguarding, urgent day-to-day).",
        f"{fit.meeting_share:.0%} of requests lead to a meeting, {fit.surgery_share:.0%} of "
        f"those at a parent surgery; a diary meeting comes a median "
        f"{int(np.median(fit.leads))} school days after the reply (the school's record).",
        f"The SENDCo leads {model.sendco_review_share:.0%} of termly reviews as now; "
        "class teachers lead the rest, which take no SENDCo time.",
        f"A waiting request is ready for a reply with a {READY_PER_FREE_DAY:.0%} chance on a "
        "day with nothing booked (less on a busier day, none on a day off); replies take "
        f"{ACK_MINUTES} minutes each, oldest first, within {REPLY_SHARE:.0%} of the free "
        "time (the rest goes on other SEND work). About "
        f"{DISRUPTED_SHARE:.0%} of days fall in spells with no replies at all (illness, "
        "courses, crises).",
        f"Meetings are booked into at most {BOOKABLE_SHARE:.0%} of a day's time outside "
        "surgeries; termly reviews with five school days' notice, annual reviews with "
        "two weeks' notice of their invitations.",
        "Booked meetings are assumed held; the register is as on the date (no new pupils).",
    ]
    if rates.school_days < THIN_HISTORY or rates.requests < THIN_HISTORY:
        notes.insert(
            0,
            f"Take care: the request rate is fitted from only {rates.requests} requests over "
            f"{rates.school_days} school days of this year; the results lean on very little "
            "history.",
        )
    if model.annual_reviews_overdue_at_start:
        notes.append(
            f"{model.annual_reviews_overdue_at_start} annual review(s) were already overdue at "
            "the start; they are held as soon as possible and not counted as late again."
        )
    for res in result.results.values():
        for note in res.plan.notes:
            notes.append(f"{res.scenario.title}: {note}.")
    return notes
