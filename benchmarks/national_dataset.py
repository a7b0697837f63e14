"""A national-scale synthetic dataset: 20,000 schools as partitioned Parquet, for benchmarks.

England has about 20,000 schools and 1.7 million pupils with SEN: about 85 registered
pupils a school, with school sizes drawn log-normally. Each registered pupil has about four
requests to the SENDCo and three meetings with parents in the 2025/26 school year (the
three-meeting duty), as of Friday 3 July 2026. Every school's tables are drawn by
:func:`la_dataset.school_tables` (numpy, column-wise) with its own calendar; schools are
written in batches of ``BATCH``, one Parquet file per table per batch, each row tagged with
its school's position (``_school``), so the first N schools are the first N/BATCH files:

    OUT/schools/part-00000.parquet    _school, slug, toml (the school.toml text)
    OUT/{pupils,staff,requests,meetings,plans}/part-00000.parquet

Run: .venv/bin/python benchmarks/national_dataset.py OUT_DIR [--schools 20000] [--seed 2026]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import la_dataset  # noqa: E402

SCHOOLS, REGISTERED = 20_000, 1_700_000
REQUESTS_PER_PUPIL, MEETINGS_PER_PUPIL = 4.0, 3.0
BATCH = 100
VERSION = 1  # bump when the generator changes, so cached datasets are rebuilt
TABLES = ("pupils", "staff", "requests", "meetings", "plans")


def generate_national(out_dir: str | Path, schools: int = SCHOOLS, seed: int = 2026) -> int:
    """Write ``schools`` schools (pupils in national proportion) as partitioned Parquet."""
    out = Path(out_dir)
    for table in ("schools", *TABLES):
        (out / table).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    registered = la_dataset._apportion(
        round(REGISTERED * schools / SCHOOLS), rng.lognormal(0.0, 0.6, schools)
    )
    registered = np.maximum(registered, 3)
    for start in range(0, schools, BATCH):
        parts: dict[str, list[pl.DataFrame]] = {t: [] for t in ("schools", *TABLES)}
        for index in range(start, min(start + BATCH, schools)):
            school_rng = np.random.default_rng([seed, index])
            phase = "primary" if school_rng.random() < 0.8 else "secondary"
            calendar = la_dataset.school_calendar(school_rng, index)
            hours = float(school_rng.choice([1.5, 2.0, 2.5, 3.0, 4.0, 5.0]))
            name = f"School {index + 1:05d} {'Primary' if phase == 'primary' else 'Academy'}"
            slug = f"school-{index + 1:05d}"
            n = int(registered[index])
            tables = la_dataset.school_tables(
                school_rng,
                phase,
                calendar,
                n,
                round(n * REQUESTS_PER_PUPIL),
                round(n * MEETINGS_PER_PUPIL),
            )
            tag = pl.lit(index, dtype=pl.UInt32).alias("_school")
            toml = la_dataset.school_toml(name, phase, calendar, hours)
            parts["schools"].append(
                pl.DataFrame({"slug": [slug], "toml": [toml]}).with_columns(tag)
            )
            for table, frame in tables.items():
                parts[table].append(frame.with_columns(tag))
        for table, frames in parts.items():
            pl.concat(frames).write_parquet(out / table / f"part-{start // BATCH:05d}.parquet")
    (out / "COMPLETE").write_text(f"version {VERSION}\n")
    return int(registered.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--schools", type=int, default=SCHOOLS)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    start = time.perf_counter()
    pupils = generate_national(args.out_dir, args.schools, args.seed)
    print(
        f"wrote {args.schools} schools ({pupils:,} registered pupils) to {args.out_dir} "
        f"in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
