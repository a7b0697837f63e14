"""Scheduling benchmark (issue #4): solve time and gap, notebook re-solves, CP-SAT vs greedy.

1. The secondary sample's Spring 2026 schedule, planned from the term's first day (the
   whole term: the largest instance) and from the data's last day, several times: median
   wall time (demand, supply, model and solve) and the proven gap on the weighted
   meetings placed. Target: gap <= 1% within 10 seconds.
2. Re-solves as the scenarios notebook makes them (one lever moved at a time, the
   notebook's 2-second limit), on a school already loaded: median and worst time.
   Target: <= 3 seconds.
3. CP-SAT against the earliest-deadline-first greedy baseline on default and tight
   instances (fewer SENDCo days, fewer hours, the SENDCo at every review): weighted
   meetings placed by each; the solver must never place fewer.

Timings depend on the machine and on what else runs on it; the load average is printed.
Run: .venv/bin/python benchmarks/bench_scheduling.py [--runs 5]
"""

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path

import sendlib
from sendlib.planning.scheduling import SchedulingLevers, plan_term, schedule_problems

ROOT = Path(__file__).resolve().parent.parent
PRIMARY = ROOT / "data_samples" / "harbourside-primary"
SECONDARY = ROOT / "data_samples" / "northgate-secondary"
TERM = "Spring 2026"
TERM_START, DATA_END = dt.date(2026, 1, 5), dt.date(2026, 3, 6)
NOTEBOOK_LEVERS = [
    SchedulingLevers(),
    SchedulingLevers(sendco_days_per_week=3),
    SchedulingLevers(sendco_days_per_week=5),
    SchedulingLevers(hours_per_day=3.0),
    SchedulingLevers(surgeries_per_week=1),
    SchedulingLevers(surgeries_per_week=4),
    SchedulingLevers(review_minutes=20),
    SchedulingLevers(review_minutes=45),
    SchedulingLevers(class_teacher_led_share=0.2),
    SchedulingLevers(class_teacher_led_share=0.8),
    SchedulingLevers(assistant_days=("tue", "thu")),
]
COMPARISONS = [
    ("whole term, the school's levers", SchedulingLevers()),
    ("2 SENDCo days, 2.5 hours", SchedulingLevers(sendco_days_per_week=2, hours_per_day=2.5)),
    (
        "2 days, 3.5 hours, SENDCo at every review",
        SchedulingLevers(sendco_days_per_week=2, hours_per_day=3.5, class_teacher_led_share=0),
    ),
    (
        "3 days, 3 hours, SENDCo at 80%, 3 surgeries",
        SchedulingLevers(
            sendco_days_per_week=3,
            hours_per_day=3.0,
            class_teacher_led_share=0.2,
            surgeries_per_week=3,
        ),
    ),
    (
        "2 days, 4 surgeries, 45-minute reviews",
        SchedulingLevers(sendco_days_per_week=2, surgeries_per_week=4, review_minutes=45),
    ),
    (
        "1 day, SENDCo at half the reviews",
        SchedulingLevers(sendco_days_per_week=1, class_teacher_led_share=0.5),
    ),
    (
        "4 days, 2 hours, SENDCo at 70%, 40-minute reviews",
        SchedulingLevers(
            sendco_days_per_week=4,
            hours_per_day=2.0,
            class_teacher_led_share=0.3,
            surgeries_per_week=3,
            review_minutes=40,
        ),
    ),
]


def timed_plan(school, as_of, levers=None, time_limit=10.0):
    started = time.perf_counter()
    result = plan_term(school, TERM, as_of, levers, time_limit=time_limit)
    seconds = time.perf_counter() - started
    problems = schedule_problems(result)
    assert not problems, problems[:3]
    return result, seconds


def headline(runs: int) -> None:
    school = sendlib.load_school(SECONDARY)
    print(f"1. {school.name}, {TERM}: median of {runs} runs, 10-second limit")
    for label, as_of in (("from the term's first day", TERM_START), ("from 6 Mar", DATA_END)):
        results = [timed_plan(school, as_of) for _ in range(runs)]
        times = [t for _, t in results]
        gaps = [r.gap for r, _ in results]
        first = results[0][0]
        print(
            f"   {label:26} {first.summary['placed']:3}/{first.summary['owed']:3} placed, "
            f"median {statistics.median(times):5.2f} s (max {max(times):5.2f} s), "
            f"median gap {statistics.median(gaps):.2%} (max {max(gaps):.2%}), "
            f"status {sorted({r.status for r, _ in results})}"
        )


def resolves(runs: int) -> None:
    print("2. Notebook re-solves (one lever at a time, 2-second limit, school loaded once)")
    cases = [
        ("primary, from 6 Mar (notebook default)", PRIMARY, DATA_END),
        ("secondary, from 6 Mar", SECONDARY, DATA_END),
        ("secondary, whole term", SECONDARY, TERM_START),
    ]
    for label, folder, as_of in cases:
        school = sendlib.load_school(folder)
        times, gaps = [], []
        for _ in range(max(1, runs // 2)):
            for levers in NOTEBOOK_LEVERS:
                result, seconds = timed_plan(school, as_of, levers, time_limit=2.0)
                times.append(seconds)
                gaps.append(result.gap)
        print(
            f"   {label:40} {len(times):3} re-solves: median {statistics.median(times):5.2f} s, "
            f"max {max(times):5.2f} s; median gap {statistics.median(gaps):.2%}, "
            f"max {max(gaps):.2%}"
        )


def comparisons() -> None:
    print("3. CP-SAT (10-second limit) against earliest-deadline-first greedy, whole term")
    print(f"   {'instance':62} {'owed':>5} {'greedy':>7} {'CP-SAT':>7} {'more':>5} {'gap':>6}")
    more_on_tight = []
    for name, folder in (("primary", PRIMARY), ("secondary", SECONDARY)):
        school = sendlib.load_school(folder)
        for label, levers in COMPARISONS:
            more = _compare(school, f"{name}, {label}", levers)
            if more is not None:
                more_on_tight.append(more)
    print(
        f"   weighted meetings: CP-SAT never fewer; on the {len(more_on_tight)} tight instances "
        f"{sum(more_on_tight)} more in all (median {statistics.median(more_on_tight or [0])}, "
        f"most {max(more_on_tight or [0])})"
    )


def _compare(school, label, levers):
    """Print one instance's row; the CP-SAT advantage when the greedy leaves some out."""
    greedy = plan_term(school, TERM, TERM_START, levers, method="greedy")
    best, _ = timed_plan(school, TERM_START, levers)
    assert best.weighted_placed >= greedy.weighted_placed, label
    more = best.weighted_placed - greedy.weighted_placed
    tight = greedy.weighted_placed < greedy.weighted_owed
    print(
        f"   {label:62} {greedy.weighted_owed:5} {greedy.weighted_placed:7} "
        f"{best.weighted_placed:7} {more:+5} {best.gap:6.1%}{'  tight' if tight else ''}"
    )
    return more if tight else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repeats for the medians")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"sendlib scheduling benchmark, {dt.date.today()}, {os.cpu_count()} CPUs, load {load}")
    headline(args.runs)
    resolves(args.runs)
    comparisons()


if __name__ == "__main__":
    main()
