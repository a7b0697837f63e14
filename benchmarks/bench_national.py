"""National scale on one machine: the group analytics at 300, 2,000 and 20,000 schools.

Each size is the first N schools of one partitioned dataset (national_dataset.py), and
each way of computing runs in its own child process, so its peak memory (ru_maxrss) is
its own:

- lazy: ``SchoolGroup.scan`` (``pl.scan_parquet``), figures collected by the streaming
  engine (response times, review coverage, annual reviews, capacity, headlines);
- in-memory: the same tables read into memory first, the in-memory engine;
- pandas: the pandas baseline (benchmarks/pandas_baseline.py), school by school; at
  300 and 2,000 schools only (at 20,000 it would run for most of an hour).

Run: .venv/bin/python benchmarks/bench_national.py [--data DIR] [--sizes 300,2000,20000]
(the dataset, about 1.7 million registered pupils, is generated on first use).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import national_dataset  # noqa: E402

AS_OF = dt.date(2026, 7, 3)
PANDAS_UP_TO = 2_000
GIB = 1024**3


def child(mode: str, data: Path, schools: int) -> dict:
    """One measurement, in this (child) process: seconds and peak memory."""
    from sendlib.rules.frame import POSITION, SchoolGroup
    from sendlib.rules.overview import group_figures

    parts = math.ceil(schools / national_dataset.BATCH)
    start = time.perf_counter()
    group = SchoolGroup.scan(data, parts=parts, lazy=mode == "lazy")
    if mode == "pandas":
        import pandas_baseline

        tables = {
            name: getattr(group, name).partition_by(POSITION, as_dict=True)
            for name in ("pupils", "requests", "meetings")
        }
        for position, school in enumerate(group.schools):
            own = {
                name: frames[(position,)].drop(POSITION).drop("day", strict=False)
                for name, frames in tables.items()
            }
            school = dataclasses.replace(school, **own)
            pandas_baseline.school_figures(school, AS_OF, pandas_baseline.tables(school))
        registered = len(group.schools)
    else:
        engine = "streaming" if mode == "lazy" else "in-memory"
        figures = group_figures(group, AS_OF, engine=engine)
        registered = int(figures.headlines["registered"].sum())
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "peak": peak, "schools": len(group.schools), "check": registered}


def measure(mode: str, data: Path, schools: int) -> dict:
    """Run :func:`child` in a fresh process and read its figures."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--data", str(data), "--sizes", str(schools)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def dataset(data: Path | None, schools: int) -> Path:
    """The cached dataset (generated in a child process on first use)."""
    folder = data or Path(tempfile.gettempdir()) / (
        f"sendlib-national-{schools}-v{national_dataset.VERSION}"
    )
    if not (folder / "COMPLETE").exists():
        print(f"generating {schools} schools in {folder} ...", flush=True)
        script = HERE / "national_dataset.py"
        command = [sys.executable, str(script), str(folder), "--schools", str(schools)]
        subprocess.run(command, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="a national_dataset.py folder")
    parser.add_argument("--sizes", default="300,2000,20000")
    parser.add_argument(
        "--pandas-up-to", type=int, default=PANDAS_UP_TO, help="largest size the pandas run gets"
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        print(json.dumps(child(args.child, args.data, sizes[0])))
        return
    data = dataset(args.data, max(sizes))
    available = len(list((data / "schools").glob("part-*.parquet"))) * national_dataset.BATCH
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'schools':>8} {'mode':>10} {'seconds':>9} {'peak GiB':>9} {'time ratio':>11}")
    base: dict | None = None
    for schools in sizes:
        if schools > available:
            print(f"{schools:>8}: the dataset holds {available} schools; skipped")
            continue
        rows = {"lazy": measure("lazy", data, schools)}
        rows["in-memory"] = measure("in-memory", data, schools)
        if schools <= args.pandas_up_to:
            rows["pandas"] = measure("pandas", data, schools)
        assert rows["lazy"]["check"] == rows["in-memory"]["check"], "lazy and in-memory differ"
        base = base or rows["lazy"] | {"size": schools}
        for mode, row in rows.items():
            ratio = row["seconds"] / rows["lazy"]["seconds"]
            print(
                f"{schools:>8} {mode:>10} {row['seconds']:>9.1f} {row['peak'] / GIB:>9.2f} "
                f"{ratio:>10.2f}x"
            )
        growth = rows["lazy"]["seconds"] / base["seconds"]
        print(
            f"{'':>8} lazy time x{growth:.1f} for x{schools / base['size']:.1f} schools; "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
