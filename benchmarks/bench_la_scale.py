"""Local-authority scale, in one run: load, analytics, the pandas baseline, school days, memory.

A local authority's data team holds a year of records for all its schools. This script
builds (or reuses) a 300-school dataset (``la_dataset.py``: about 60,000 registered
pupils, 1,000,000 requests, 1,500,000 meetings), then measures

1. loading and validating every folder (``sendlib.rules.frame.load_schools``, one process
   per CPU, each folder through ``sendlib.load_school``);
2. the analytics for all schools at once (``SchoolGroup.of`` +
   ``sendlib.rules.overview.group_figures``: response times, review coverage, annual
   reviews, capacity, per-school headlines), three runs;
3. the same per-school functions called in a loop over schools (a check that the
   multi-school queries give identical rows, and what the loop costs);
4. a straightforward pandas implementation (``pandas_baseline.py``, row-wise apply),
   checked to give the same numbers;
5. column-wise school-day arithmetic (due dates of all requests) against
   ``numpy.busday_offset``;
6. peak memory (resident set size) of this process after the analytics.

Targets (issue #7): analytics <= 5 s and <= 4 GiB on a 2-core machine, >= 10x faster than
the pandas baseline. Run: .venv/bin/python benchmarks/bench_la_scale.py [--help]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

import sendlib
from sendlib.rules.capacity import CAPACITY_FIGURES, capacity
from sendlib.rules.frame import SCHOOL, SchoolGroup, load_schools
from sendlib.rules.overview import group_figures

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import la_dataset  # noqa: E402
import pandas_baseline  # noqa: E402

AS_OF = la_dataset.AS_OF
GIB = 1024**3


def peak_rss() -> int:
    """This process's peak resident set size, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def dataset(args: argparse.Namespace) -> Path:
    """The cached dataset folder, generated in a child process (its memory is not ours)."""
    folder = args.data or Path(tempfile.gettempdir()) / (
        f"sendlib-la-{args.schools}-{args.seed}-v{la_dataset.VERSION}"
    )
    if not (folder / "COMPLETE").exists():
        print(f"generating the dataset in {folder} ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "la_dataset.py"),
                str(folder),
                "--schools",
                str(args.schools),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
    return folder


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def per_school_loop(schools) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """sendlib's per-school functions, school by school, stacked like the group's frames."""
    names = [s.slug for s in schools]
    enum = pl.Enum(names)
    parts: dict[str, list[pl.DataFrame]] = {"times": [], "coverage": [], "reviews": []}
    summaries = []
    for school in schools:
        tag = pl.lit(school.slug, dtype=enum).alias(SCHOOL)
        parts["times"].append(sendlib.response_times(school, AS_OF).select(tag, pl.all()))
        parts["coverage"].append(sendlib.review_coverage(school, AS_OF).select(tag, pl.all()))
        parts["reviews"].append(sendlib.annual_reviews(school, AS_OF).select(tag, pl.all()))
        summary = capacity(school, AS_OF).summary
        summaries.append({k: summary[k] for k in CAPACITY_FIGURES})
    frames = {name: pl.concat(frames) for name, frames in parts.items()}
    return frames, pl.DataFrame(summaries).insert_column(0, pl.Series(SCHOOL, names, dtype=enum))


def pandas_run(schools, tables) -> dict[str, pl.DataFrame]:
    """The pandas baseline for every school, results gathered into polars for comparison."""
    out: dict[str, list] = {"times": [], "coverage": [], "reviews": [], "capacity": []}
    for school in schools:
        figures = pandas_baseline.school_figures(school, AS_OF, tables[school.slug])
        for name in ("times", "coverage", "reviews"):
            frame = figures[name].copy()
            frame.insert(0, "school", school.slug)
            out[name].append(frame)
        out["capacity"].append({"school": school.slug, **figures["capacity"]})
    import pandas as pd

    result = {
        name: pl.from_pandas(pd.concat(frames, ignore_index=True))
        for name, frames in out.items()
        if name != "capacity"
    }
    result["capacity"] = pl.DataFrame(out["capacity"])
    return result


def same_rows(ours: pl.DataFrame, theirs: pl.DataFrame, key: list[str], what: str) -> None:
    """Assert the baseline's columns equal ours, row for row (by key)."""
    columns = theirs.columns
    mine = ours.select(columns).with_columns(pl.col("school").cast(pl.String)).sort(key)
    other = theirs.with_columns(
        pl.col(c).cast(mine.schema[c]) for c in columns if c != "school"
    ).sort(key)
    if not mine.equals(other):
        for c in columns:
            if not mine[c].equals(other[c]):
                bad = mine.with_row_index().filter(mine[c].ne_missing(other[c]))
                raise AssertionError(f"{what}: column {c} differs, e.g.\n{bad.head(3)}")
        raise AssertionError(f"{what}: rows differ")


def same_summary(ours: pl.DataFrame, theirs: pl.DataFrame) -> float:
    """Assert capacity summaries agree; floats within 1e-9 (relative). Returns the largest gap."""
    worst = 0.0
    mine = ours.with_columns(pl.col("school").cast(pl.String))
    for left, right in zip(mine.iter_rows(named=True), theirs.iter_rows(named=True), strict=True):
        for key in CAPACITY_FIGURES:
            a, b = left[key], right[key]
            if isinstance(a, float) and isinstance(b, float):
                gap = abs(a - b) / max(1.0, abs(a))
                worst = max(worst, gap)
                assert gap <= 1e-9, (left["school"], key, a, b)
            else:
                assert a == b, (left["school"], key, a, b)
    return worst


def busday(schools, group: SchoolGroup) -> dict[str, float]:
    """Due dates (5 school days) of every request: sendlib column-wise vs numpy."""
    received = [s.requests["received_on"] for s in schools]
    calendars = [
        np.busdaycalendar(
            weekmask="1111100", holidays=np.array(s.calendar.holidays, "datetime64[D]")
        )
        for s in schools
    ]
    np_dates = [r.to_numpy().astype("datetime64[D]") for r in received]
    days = group.days

    def lookup():
        return group.requests.select(
            days.school_day(days.before_(pl.col("received_on")) + 5)
        ).to_series()

    def polars_per_school():
        return [
            s.calendar.add_school_days_series(r, 5) for s, r in zip(schools, received, strict=True)
        ]

    def numpy_per_school():
        return [
            np.busday_offset(d, 5, roll="forward", busdaycal=c)
            for d, c in zip(np_dates, calendars, strict=True)
        ]

    ours, theirs, each = lookup(), numpy_per_school(), polars_per_school()
    assert (ours.to_numpy().astype("datetime64[D]") == np.concatenate(theirs)).all()
    assert all((a.to_numpy() == b).all() for a, b in zip(each, theirs, strict=True))
    runs = {name: [] for name in ("lookup", "per_school", "numpy")}
    for _ in range(5):
        runs["lookup"].append(timed(lookup)[1])
        runs["per_school"].append(timed(polars_per_school)[1])
        runs["numpy"].append(timed(numpy_per_school)[1])
    return {name: statistics.median(values) for name, values in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--data", type=Path, default=None, help="dataset folder (default: a temp dir)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="loading processes")
    args = parser.parse_args()
    folders = sorted(dataset(args).glob("school-*"))
    print(
        f"sendlib LA-scale benchmark, {dt.date.today()}, Python {platform.python_version()}, "
        f"polars {pl.__version__}, {os.cpu_count()} CPUs"
    )

    (schools, failures), load_s = timed(lambda: load_schools(folders, args.workers))
    assert not failures, failures[:3]
    rows = {
        "requests": sum(s.requests.height for s in schools),
        "meetings": sum(s.meetings.height for s in schools),
        "registered": sum(s.pupils["sen_status"].is_in(["K", "E"]).sum() for s in schools),
    }
    print(
        f"dataset: {len(schools)} schools, {rows['registered']:,} registered pupils, "
        f"{rows['requests']:,} requests, {rows['meetings']:,} meetings; as of {AS_OF}"
    )
    print(f"1. load + validate, {args.workers} processes:   {load_s:7.2f} s")

    runs = []
    for _ in range(3):
        group, stack_s = timed(lambda: SchoolGroup.of(schools))
        figures, figures_s = timed(lambda: group_figures(group, AS_OF))  # noqa: B023
        runs.append((stack_s, figures_s))
    rss_analytics = peak_rss()
    worst = max(s + f for s, f in runs)
    median = statistics.median(s + f for s, f in runs)
    print(
        f"2. analytics, all schools (stack + figures): {worst:7.2f} s slowest of 3, "
        f"median {median:.2f} s (stack {runs[-1][0]:.2f} s)"
    )

    (loop, loop_capacity), loop_s = timed(lambda: per_school_loop(schools))
    for name in ("times", "coverage", "reviews"):
        assert loop[name].equals(getattr(figures, name)), f"{name}: group != per-school"
    assert loop_capacity.equals(figures.capacity), "capacity: group != per-school"
    print(f"3. sendlib per-school loop, same figures:    {loop_s:7.2f} s (rows identical)")

    tables, convert_s = timed(lambda: {s.slug: pandas_baseline.tables(s) for s in schools})
    theirs, pandas_s = timed(lambda: pandas_run(schools, tables))
    same_rows(figures.times, theirs["times"], ["school", "request_id"], "response times")
    same_rows(figures.coverage, theirs["coverage"], ["school", "pupil_id"], "coverage")
    same_rows(figures.reviews, theirs["reviews"], ["school", "pupil_id"], "annual reviews")
    gap = same_summary(figures.capacity, theirs["capacity"])
    print(
        f"4. pandas baseline (row-wise apply):         {pandas_s:7.2f} s "
        f"(+{convert_s:.1f} s to convert tables); same numbers "
        f"(largest relative float gap {gap:.1e})"
    )

    days = busday(schools, group)
    print(
        f"5. due dates of {rows['requests']:,} requests: day-number lookup "
        f"{days['lookup'] * 1000:.0f} ms, polars add_business_days per school "
        f"{days['per_school'] * 1000:.0f} ms, numpy.busday_offset per school "
        f"{days['numpy'] * 1000:.0f} ms (medians of 5)"
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(
        f"6. peak RSS after analytics: {rss_analytics / GIB:.2f} GiB (this process, with every "
        f"school loaded); at the end {peak_rss() / GIB:.2f} GiB; largest child {children / GIB:.2f} GiB"
    )
    print("\nratios (measured in this run):")
    print(f"  pandas baseline / sendlib analytics:        {pandas_s / worst:8.1f}x  (target >= 10)")
    print(f"  per-school loop / sendlib analytics:        {loop_s / worst:8.1f}x")
    print(f"  numpy.busday_offset / day-number lookup:    {days['numpy'] / days['lookup']:8.2f}x")
    print(
        f"  add_business_days per school / lookup:      {days['per_school'] / days['lookup']:8.2f}x"
    )
    print(f"  analytics seconds / 5 s target:             {worst / 5:8.2f}   (target <= 1)")
    print(
        f"  peak RSS / 4 GiB target:                    {rss_analytics / (4 * GIB):8.2f}   (target <= 1)"
    )


if __name__ == "__main__":
    main()
