"""Column-wise add_school_days on 1,000,000 dates against numpy.busday_offset, in one run.

Both get the same holidays (every non-school weekday of the calendar) and the same dates;
the script checks they agree, then prints the median of several timings and the ratio.
Run: .venv/bin/python benchmarks/bench_school_days.py
"""

import datetime as dt
import statistics
import time
from pathlib import Path

import numpy as np
import polars as pl

from sendlib import SchoolCalendar

N, REPEATS, DAYS = 1_000_000, 7, 5
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    calendar = SchoolCalendar.from_toml(ROOT / "tests" / "fixtures" / "tiny" / "school.toml")
    rng = np.random.default_rng(0)
    span = (calendar.last_school_day - calendar.covers_from).days - 20  # stay inside the year
    offsets = rng.integers(0, span, N)
    start = np.datetime64(calendar.covers_from)
    np_dates = start + offsets.astype("timedelta64[D]")
    series = pl.Series("d", np_dates).cast(pl.Date)
    holidays = np.array(calendar.holidays, dtype="datetime64[D]")
    calendar_np = np.busdaycalendar(weekmask="1111100", holidays=holidays)

    ours = calendar.add_school_days_series(series, DAYS)
    theirs = np.busday_offset(np_dates, DAYS, roll="forward", busdaycal=calendar_np)
    assert (ours.to_numpy() == theirs).all(), "sendlib and numpy disagree"

    def timed(fn) -> float:
        runs = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return statistics.median(runs)

    t_ours = timed(lambda: calendar.add_school_days_series(series, DAYS))
    t_numpy = timed(lambda: np.busday_offset(np_dates, DAYS, roll="forward", busdaycal=calendar_np))
    print(f"{N:,} dates, +{DAYS} school days, median of {REPEATS} runs ({dt.date.today()})")
    print(f"  sendlib (polars, range-checked): {t_ours * 1000:8.1f} ms")
    print(f"  numpy.busday_offset:             {t_numpy * 1000:8.1f} ms")
    print(f"  ratio sendlib / numpy:           {t_ours / t_numpy:8.2f}  (target <= 2)")


if __name__ == "__main__":
    main()
