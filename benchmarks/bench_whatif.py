"""What-if staffing: 1,000 runs of each of the 6 sample scenarios on the secondary sample.

The target (issue #6) is at most 30 seconds on the 2-core CI machine. Each repeat fits the
school's model and simulates every scenario (sendlib.planning.whatif.simulate), as the report does;
loading the school folder is timed once, separately. Prints the median of three wall
times, then each scenario's key results (median and 80% band over the runs).
Run: .venv/bin/python benchmarks/bench_whatif.py [--runs N] [--repeats K]
"""

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path

import sendlib
from sendlib.planning import whatif

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = ROOT / "data_samples" / "northgate-secondary"
SCENARIOS = ROOT / "data_samples" / "scenarios.toml"
AS_OF = dt.date(2026, 3, 6)
BUDGET_SECONDS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    school = sendlib.load_school(SCHOOL)
    load_seconds = time.perf_counter() - t0
    scenarios = whatif.load_scenarios(SCENARIOS)

    timings, result = [], None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = whatif.simulate(school, scenarios, AS_OF, runs=args.runs, seed=1)
        timings.append(time.perf_counter() - t0)
    assert result is not None
    wall = statistics.median(timings)

    print(f"school: {school.name} ({SCHOOL.name}), as of {AS_OF}, {os.cpu_count()} CPUs")
    print(
        f"{args.runs} runs x {len(scenarios)} scenarios = {args.runs * len(scenarios):,} simulated years"
    )
    print(f"{len(result.model.simulated_days)} school days simulated per run")
    print(f"load school folder: {load_seconds:.2f} s (once)")
    print(
        f"fit + simulate: median {wall:.2f} s of {args.repeats} "
        f"({', '.join(f'{t:.2f}' for t in timings)}); budget {BUDGET_SECONDS:.0f} s: "
        f"{'PASS' if wall <= BUDGET_SECONDS else 'FAIL'}"
    )
    print()
    print(whatif.summary_table(result))
    print()
    for sentence in whatif.comparison_sentences(result):
        print("-", sentence)


if __name__ == "__main__":
    main()
