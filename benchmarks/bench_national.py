"""National scale on one machine: the group analytics at 300, 2,000 and 20,000 schools.

Each size is the first N schools of one partitioned dataset (national_dataset.py), and
each way of computing runs in its own child process, so its peak memory (ru_maxrss) is
its own:

- lazy: ``SchoolGroup.scan`` (``pl.scan_parquet``), figures collected by the streaming
  engine (response times, review coverage, annual reviews, capacity, headlines);
- in-memory: the same tables read into memory first, the in-memory engine;
- pandas: the pandas baseline (benchmarks/pandas_baseline.py), school by school; at
  300 and 2,000 schools only (at 20,000 it would run for most of an hour).

Each row gives wall seconds and CPU seconds (user + system, all threads), milliseconds a
school, peak memory, the cost a school against the first size the mode ran at (wall, and
CPU in brackets: how cost grows with schools) and the time against the lazy run of the
same size, with the load average when it finished: on a shared machine the CPU figures
are the steadier ones.

Run: .venv/bin/python benchmarks/bench_national.py [--data DIR] [--sizes 300,2000,20000]
[--modes lazy,in-memory,pandas] (the dataset, about 1.7 million registered pupils, is
generated under the temporary folder on first use and kept there, outside git).
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
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = before.ru_utime + before.ru_stime
    group = SchoolGroup.scan(data, parts=parts, lazy=mode == "lazy")
    if mode == "pandas":
        import pandas_baseline

        names = ("pupils", "requests", "meetings", "plans")
        tables = {
            name: getattr(group, name)
            .drop("day", strict=False)
            .partition_by(POSITION, as_dict=True, include_key=False)
            for name in names
        }
        for position, school in enumerate(group.schools):
            own = {name: frames[(position,)] for name, frames in tables.items()}
            school = dataclasses.replace(school, **own)
            pandas_baseline.school_figures(school, AS_OF, pandas_baseline.tables(school))
        registered = len(group.schools)
    else:
        engine = "streaming" if mode == "lazy" else "in-memory"
        figures = group_figures(group, AS_OF, engine=engine)
        registered = int(figures.headlines["registered"].sum())
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime - cpu_start,
        "peak": usage.ru_maxrss * 1024,
        "schools": len(group.schools),
        "check": registered,
    }


def measure(mode: str, data: Path, schools: int) -> dict:
    """Run :func:`child` in a fresh process and read its figures."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--data", str(data), "--sizes", str(schools)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{mode} at {schools} schools failed:\n{done.stderr}")
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
    parser.add_argument(
        "--in-memory-up-to", type=int, default=20_000, help="largest size read into memory"
    )
    parser.add_argument("--modes", default="lazy,in-memory,pandas", help="which ways to run")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    wanted = args.modes.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        print(json.dumps(child(args.child, args.data, sizes[0])))
        return
    data = dataset(args.data, max(sizes))
    available = len(list((data / "schools").glob("part-*.parquet"))) * national_dataset.BATCH
    print(f"{os.cpu_count()} CPUs; load average before: {_load()}", flush=True)
    header = f"{'schools':>8} {'mode':>10} {'seconds':>8} {'CPU s':>8} {'ms/school':>10}"
    header += f" {'peak GiB':>9} {'per school vs first (CPU)':>26}"
    print(header + f" {'time vs lazy':>13} {'load 1/5/15':>15}")
    first: dict[str, dict] = {}
    for schools in sizes:
        if schools > available:
            print(f"{schools:>8}: the dataset holds {available} schools; skipped")
            continue
        limits = {"in-memory": args.in_memory_up_to, "pandas": args.pandas_up_to}
        modes = [m for m in wanted if schools <= limits.get(m, schools)]
        rows = {mode: measure(mode, data, schools) | {"load": _load()} for mode in modes}
        if {"lazy", "in-memory"} <= set(rows):
            assert rows["lazy"]["check"] == rows["in-memory"]["check"], "lazy and in-memory differ"
        lazy = rows.get("lazy")
        for mode, row in rows.items():
            per_school, cpu = row["seconds"] / schools, row["cpu"] / schools
            base = first.setdefault(mode, {"wall": per_school, "cpu": cpu, "size": schools})
            growth = (
                f"x{per_school / base['wall']:.2f} (x{cpu / base['cpu']:.2f}) vs {base['size']}"
            )
            print(
                f"{schools:>8} {mode:>10} {row['seconds']:>8.1f} {row['cpu']:>8.1f} "
                f"{1000 * per_school:>10.2f} {row['peak'] / GIB:>9.2f} {growth:>26} "
                f"{_ratio(row, lazy):>13} {row['load']:>15}",
                flush=True,
            )


def _ratio(row: dict, lazy: dict | None) -> str:
    """Time against the lazy run of the same size (``-`` when it did not run)."""
    return f"{row['seconds'] / lazy['seconds']:.2f}x" if lazy else "-"


def _load() -> str:
    """The load average (1, 5, 15 minutes): the machine is shared, so every figure gets it."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
