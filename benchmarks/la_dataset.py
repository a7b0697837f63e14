"""A local-authority-scale synthetic dataset, generated column-wise with numpy, for benchmarks.

300 school folders (``school.toml`` plus the five tables as Parquet): about 60,000 pupils
on the SEND register, 1,000,000 meeting requests and 1,500,000 meetings in the 2025/26
school year, as of Friday 3 July 2026. It is much denser than ``sendlib.synth``'s samples (about
3,300 requests a school) and far less realistic, but every folder is valid: the benchmark
loads each one with ``sendlib.load_school``. Schools share one of three term-date
patterns and choose their own INSET days, so every school has its own calendar.

Run: .venv/bin/python benchmarks/la_dataset.py OUT_DIR [--schools 300] [--seed 2026]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from sendlib.school.calendar import Closure, SchoolCalendar, Term

AS_OF = dt.date(2026, 7, 3)
REGISTERED, REQUESTS, MEETINGS = 60_000, 1_000_000, 1_500_000
VERSION = 1  # bump when the generator changes, so cached datasets are rebuilt
D = dt.date

#: Three 2025/26 term-date patterns (a local authority's and two trusts').
PATTERNS = (
    (
        (
            Term("Autumn 2025", D(2025, 9, 3), D(2025, 12, 19)),
            Term("Spring 2026", D(2026, 1, 5), D(2026, 3, 27)),
            Term("Summer 2026", D(2026, 4, 13), D(2026, 7, 21)),
        ),
        (
            Closure("October half term", D(2025, 10, 27), D(2025, 10, 31)),
            Closure("February half term", D(2026, 2, 16), D(2026, 2, 20)),
            Closure("May half term", D(2026, 5, 25), D(2026, 5, 29)),
        ),
    ),
    (
        (
            Term("Autumn 2025", D(2025, 9, 2), D(2025, 12, 19)),
            Term("Spring 2026", D(2026, 1, 5), D(2026, 3, 27)),
            Term("Summer 2026", D(2026, 4, 13), D(2026, 7, 17)),
        ),
        (
            Closure("October half term", D(2025, 10, 20), D(2025, 10, 31)),
            Closure("February half term", D(2026, 2, 16), D(2026, 2, 20)),
            Closure("May half term", D(2026, 5, 25), D(2026, 5, 29)),
        ),
    ),
    (
        (
            Term("Autumn term", D(2025, 9, 4), D(2025, 12, 18)),
            Term("Spring term", D(2026, 1, 6), D(2026, 4, 1)),
            Term("Summer term", D(2026, 4, 20), D(2026, 7, 22)),
        ),
        (
            Closure("Autumn half term", D(2025, 10, 27), D(2025, 10, 31)),
            Closure("Spring half term", D(2026, 2, 16), D(2026, 2, 20)),
            Closure("Summer half term", D(2026, 5, 26), D(2026, 5, 29)),
        ),
    ),
)
PRIMARY_YEARS = np.array(["R", "1", "2", "3", "4", "5", "6"])
SECONDARY_YEARS = np.array(["7", "8", "9", "10", "11"])
NEEDS = np.array(["SLCN", "SEMH", "MLD", "SPLD", "ASD", "NSA", "OTH", "PD", "HI", "VI"])
NEED_WEIGHTS = np.array([26, 22, 16, 14, 12, 4, 3, 1.5, 1.5, 1.0])
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` in proportion to ``weights`` (largest remainder), as whole numbers."""
    raw = weights / weights.sum() * total
    sizes = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - sizes), kind="stable")
    sizes[order[: total - sizes.sum()]] += 1
    return sizes


def _choice(rng: np.random.Generator, values, n: int, weights=None) -> np.ndarray:
    p = None if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
    return rng.choice(np.asarray(values), size=n, p=p)


def request_draws(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each request's kind and how many school days its acknowledgement took.

    National proportions shared by the local-authority and national datasets: safeguarding
    and urgent requests are routed on the day or the next; others are mostly answered
    within five school days, 14% late (6 to 20 days).
    """
    kind = _choice(
        rng, ["meeting", "information", "safeguarding", "urgent_day_to_day"], n, [62, 31, 3, 4]
    )
    routed = np.isin(kind, ["safeguarding", "urgent_day_to_day"])
    prompt = _choice(rng, np.arange(6), n, [8, 24, 22, 16, 10, 8])
    slow = rng.integers(6, 21, n)
    taken = np.where(routed, rng.integers(0, 2, n), prompt)
    taken = np.where(~routed & (rng.random(n) < 0.14), slow, taken)
    return kind, taken


def request_responses(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Each request's response: routed ones as routed, the rest drawn in national shares."""
    own_response = _choice(
        rng,
        ["meeting_offered", "answered_without_meeting", "more_information_needed",
         "timescale_proposed"],
        len(kind), [45, 35, 12, 8],
    )  # fmt: skip
    return np.where(
        kind == "safeguarding",
        "routed_safeguarding",
        np.where(kind == "urgent_day_to_day", "routed_class_teacher", own_response),
    )


def meeting_draws(
    rng: np.random.Generator, kind: np.ndarray, day: np.ndarray, as_of
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each meeting's length, whether the SENDCo attends, its status and start, by its kind.

    National proportions shared by the local-authority and national datasets: about 86%
    held, a cancellation or a family not attending otherwise (an annual review is
    cancelled and rebooked, never missed), meetings after ``as_of`` still scheduled, and
    starts from 08:30 in quarter hours.
    """
    n = len(kind)
    minutes = np.select(
        [kind == "annual_review", kind == "surgery", kind == "external_agency"],
        [60, 25, 60],
        _choice(rng, [20, 30, 30, 30, 45], n),
    )
    sendco_chance = np.select(
        [np.isin(kind, ["annual_review", "surgery"]), kind == "concern", kind == "review"],
        [1.0, 0.7, 0.3],
        0.85,
    )
    sendco = rng.random(n) < sendco_chance
    outcome = rng.random(n)
    held_status = np.where(
        outcome < 0.86,
        "held",
        np.where((outcome < 0.93) | (kind == "annual_review"), "cancelled", "did_not_attend"),
    )
    status = np.where(day > as_of, "scheduled", held_status)
    starts = day.astype("datetime64[m]") + (510 + 15 * rng.integers(0, 29, n)).astype(
        "timedelta64[m]"
    )
    return minutes, sendco, status, starts


def _ids(prefix: str, n: int, width: int = 7) -> pl.Series:
    return pl.select(
        pl.lit(prefix) + pl.int_range(1, n + 1).cast(pl.String).str.zfill(width)
    ).to_series()


def _days(values) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


def school_calendar(rng: np.random.Generator, index: int) -> SchoolCalendar:
    """One of the term-date patterns, with three INSET days the school chose itself."""
    terms, closures = PATTERNS[index % len(PATTERNS)]
    base = SchoolCalendar(terms, closures, "england", WEEKDAYS)
    days = base.school_days()
    picks = sorted(rng.choice(len(days), size=3, replace=False))
    inset = tuple(Closure("INSET day", days[i], days[i]) for i in picks)
    working = tuple(WEEKDAYS[i] for i in sorted(rng.choice(5, rng.integers(3, 6), replace=False)))
    return SchoolCalendar(terms, closures + inset, "england", working)


def school_toml(name: str, phase: str, calendar: SchoolCalendar, hours: float) -> str:
    """The school's ``school.toml``: its name, SENDCo pattern, terms and closures."""
    working = ", ".join(f'"{d}"' for d in calendar.sendco_working_days)
    lines = [
        "# A synthetic school for the local-authority benchmark (benchmarks/la_dataset.py).",
        "[school]",
        f'name = "{name}"',
        f'phase = "{phase}"',
        'nation = "england"',
        "",
        "[sendco]",
        f"working_days = [{working}]",
        f"send_hours_per_day = {hours:.1f}",
    ]
    for table, periods in (("terms", calendar.terms), ("closures", calendar.closures)):
        for period in periods:
            lines += ["", f"[[{table}]]", f'name = "{period.name}"']
            lines += [f"start = {period.start.isoformat()}", f"end = {period.end.isoformat()}"]
    return "\n".join(lines) + "\n"


def school_tables(
    rng: np.random.Generator,
    phase: str,
    calendar: SchoolCalendar,
    registered: int,
    n_requests: int,
    n_meetings: int,
) -> dict[str, pl.DataFrame]:
    """The five tables of one school, every column drawn at once (no loop over rows)."""
    school_days = _days(calendar.school_days())
    as_of = np.datetime64(AS_OF)
    last_day = school_days[-1]
    year_start = np.datetime64(calendar.terms[0].start)

    # Staff: the SENDCo, an assistant in half the schools, class teachers, one other.
    teachers = _ids("T", max(7, registered // 10), 3)
    staff_ids = ["SENDCO", *(["ASENDCO"] if rng.random() < 0.5 else []), *teachers, "OTHER"]
    roles = ["sendco", *(["assistant_sendco"] if len(staff_ids) > len(teachers) + 2 else [])]
    roles += ["class_teacher"] * teachers.len() + ["other"]
    staff = pl.DataFrame({"staff_id": staff_ids, "role": roles})

    # Pupils: on the register (85% SEN support, 15% EHC plan) and 30% more monitored.
    monitored = max(1, round(registered * 0.3))
    n_pupils = registered + monitored
    status = np.where(rng.random(registered) < 0.15, "E", "K")
    status = np.concatenate([status, np.full(monitored, "M")])
    rng.shuffle(status)
    years = PRIMARY_YEARS if phase == "primary" else SECONDARY_YEARS
    on_register = status != "M"
    history = year_start - rng.integers(30, 2200, n_pupils)
    mid_year = school_days[rng.integers(5, np.searchsorted(school_days, as_of) - 5, n_pupils)]
    registered_on = np.where(rng.random(n_pupils) < 0.8, history, mid_year)
    last_review = as_of - rng.integers(0, 420, n_pupils)
    need = _choice(rng, NEEDS, n_pupils, NEED_WEIGHTS)
    pupils = (
        pl.DataFrame(
            {
                "pupil_id": _ids("P", n_pupils, 5),
                "year_group": _choice(rng, years, n_pupils),
                "sen_status": status,
                "primary_need": need,
                "_need_noted": on_register | (rng.random(n_pupils) < 0.3),
                "lead_staff_id": _choice(rng, [*teachers, "SENDCO"], n_pupils),
                "registered_on": registered_on,
                "last_annual_review_on": last_review,
            }
        )
        .with_columns(
            pl.when("_need_noted").then(pl.col("primary_need")).alias("primary_need"),
            pl.when(pl.col("sen_status") != "M")
            .then(pl.col("registered_on"))
            .alias("registered_on"),
            pl.when(pl.col("sen_status") == "E")
            .then(pl.col("last_annual_review_on"))
            .alias("last_annual_review_on"),
        )
        .drop("_need_noted")
    )

    # Requests: mostly on school days, a tenth as often on other days (emails).
    candidates = np.arange(np.datetime64("2025-08-18"), as_of + 1)
    weight = np.where(np.isin(candidates, school_days), 1.0, 0.1)
    received = np.sort(_choice(rng, candidates, n_requests, weight))
    kind, taken = request_draws(rng, n_requests)
    effective = np.searchsorted(school_days, received)
    ack_number = effective + taken
    ack = school_days[np.minimum(ack_number, len(school_days) - 1)]
    is_open = (ack_number >= len(school_days)) | (ack > as_of) | (rng.random(n_requests) < 0.02)
    response = request_responses(rng, kind)
    requests = (
        pl.DataFrame(
            {
                "request_id": _ids("R", n_requests),
                "pupil_id": pupils["pupil_id"].gather(rng.integers(0, n_pupils, n_requests)),
                "received_on": received,
                "channel": _choice(
                    rng,
                    ["office", "class_teacher", "email", "phone", "other"],
                    n_requests,
                    [40, 30, 20, 7, 3],
                ),  # fmt: skip
                "kind": kind,
                "acknowledged_on": ack,
                "response": response,
                "_open": is_open,
            }
        )
        .with_columns(
            pl.when(~pl.col("_open")).then(pl.col(c)).alias(c)
            for c in ("acknowledged_on", "response")
        )
        .drop("_open")
    )

    # Meetings: an annual review per EHC plan, meetings offered in reply to requests
    # (at most 40% of the school's meetings), then reviews, surgeries and the rest.
    ehc = np.flatnonzero(status == "E")
    offered = np.flatnonzero(~is_open & (response == "meeting_offered"))
    offered = rng.permutation(offered)[: int(n_meetings * 0.4)]
    n_other = max(0, n_meetings - len(ehc) - len(offered))
    gap = rng.integers(3, 16, len(offered))
    linked_day = school_days[np.minimum(ack_number[offered] + gap, len(school_days) - 1)]
    other_kind = _choice(
        rng, ["review", "surgery", "external_agency", "other", "concern"], n_other,
        [60, 15, 10, 10, 5],
    )  # fmt: skip
    registered_rows = np.flatnonzero(on_register)
    kind_m = np.concatenate(
        [
            np.full(len(ehc), "annual_review"),
            np.where(rng.random(len(offered)) < 0.8, "concern", "surgery"),
            other_kind,
        ]
    )
    pupil_row = np.concatenate(
        [
            ehc,
            rng.integers(0, n_pupils, len(offered)),  # replaced below by the request's pupil
            np.where(
                np.isin(other_kind, ["surgery", "concern"]),
                rng.integers(0, n_pupils, n_other),
                registered_rows[rng.integers(0, len(registered_rows), n_other)],
            ),
        ]
    )
    in_year = np.searchsorted(school_days, year_start)
    day = np.concatenate(
        [
            school_days[rng.integers(in_year, len(school_days), len(ehc))],
            linked_day,
            school_days[rng.integers(in_year, len(school_days), n_other)],
        ]
    )
    n = len(kind_m)
    minutes, sendco, meeting_status, starts = meeting_draws(rng, kind_m, day, as_of)
    record_number = np.searchsorted(school_days, day) + rng.integers(0, 11, n)
    record = school_days[np.minimum(record_number, len(school_days) - 1)]
    record_sent = (meeting_status == "held") & (rng.random(n) < 0.8) & (record <= last_day)
    unbooked = (kind_m == "surgery") & (rng.random(n) < 0.1)
    unbooked[len(ehc) : len(ehc) + len(offered)] = False
    request_rows = np.concatenate([np.full(len(ehc), -1), offered, np.full(n_other, -1)]).astype(
        np.int64
    )
    meetings = (
        pl.DataFrame(
            {
                "_pupil_row": pupil_row,
                "_request_row": request_rows,
                "kind": kind_m,
                "starts_at": starts.astype("datetime64[us]"),
                "minutes": minutes.astype(np.int64),
                "lead_staff_id": np.where(
                    sendco & (rng.random(n) < 0.5), "SENDCO", _choice(rng, teachers, n)
                ),
                "sendco_attended": sendco,
                "mode": _choice(rng, ["in_person", "remote", "phone"], n, [70, 22, 8]),
                "status": meeting_status,
                "record_sent_on": record,
                "_record_sent": record_sent,
                "_unbooked": unbooked,
            }
        )
        .with_columns(
            request_id=pl.when(pl.col("_request_row") >= 0).then(
                pl.lit(requests["request_id"]).gather(pl.col("_request_row").clip(0))
            ),
            pupil_id=pl.when(pl.col("_request_row") >= 0)
            .then(pl.lit(requests["pupil_id"]).gather(pl.col("_request_row").clip(0)))
            .when(~pl.col("_unbooked"))
            .then(pl.lit(pupils["pupil_id"]).gather(pl.col("_pupil_row"))),
            record_sent_on=pl.when("_record_sent").then(pl.col("record_sent_on")),
        )
        .sort("starts_at")
        .with_columns(meeting_id=_ids("M", n))
        .select(
            "meeting_id",
            "pupil_id",
            "kind",
            "starts_at",
            "minutes",
            "lead_staff_id",
            "sendco_attended",
            "mode",
            "status",
            "record_sent_on",
            "request_id",
        )
    )

    # Plans: one APDR plan per registered pupil this year.
    plans = (
        pupils.filter(pl.col("sen_status") != "M")
        .select(
            "pupil_id",
            plan_type=pl.when(pl.col("sen_status") == "E")
            .then(pl.lit("EHCP"))
            .otherwise(pl.lit("SEN Support Plan")),
            starts_on=pl.max_horizontal("registered_on", pl.lit(calendar.terms[0].start)),
        )
        .with_columns(
            review_due_on=pl.col("starts_on") + pl.duration(days=90),
            reviewed_on=pl.when(pl.col("starts_on") + pl.duration(days=60) <= AS_OF).then(
                pl.col("starts_on") + pl.duration(days=60)
            ),
        )
        .with_columns(
            outcome=pl.when(pl.col("reviewed_on").is_not_null()).then(pl.lit("some_progress"))
        )
        .with_columns(plan_id=_ids("PL", registered, 6))
        .select(
            "plan_id",
            "pupil_id",
            "plan_type",
            "starts_on",
            "review_due_on",
            "reviewed_on",
            "outcome",
        )  # fmt: skip
    )
    return {
        "staff": staff,
        "pupils": pupils,
        "requests": requests,
        "meetings": meetings,
        "plans": plans,
    }


def generate_la(
    out_dir: str | Path,
    schools: int = 300,
    seed: int = 2026,
    registered: int = REGISTERED,
    requests: int = REQUESTS,
    meetings: int = MEETINGS,
) -> list[Path]:
    """Write ``schools`` valid school folders (Parquet tables) into ``out_dir``."""
    out = Path(out_dir)
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 0.45, schools)
    per_school = _apportion(registered, size)
    request_counts = _apportion(requests, per_school.astype(float))
    meeting_counts = _apportion(meetings, per_school.astype(float))
    folders = []
    for index in range(schools):
        school_rng = np.random.default_rng([seed, index])
        phase = "primary" if school_rng.random() < 0.7 else "secondary"
        calendar = school_calendar(school_rng, index)
        hours = float(school_rng.choice([2.5, 3.0, 3.5, 4.0, 5.0, 6.0]))
        name = f"LA School {index + 1:03d} {'Primary' if phase == 'primary' else 'Academy'}"
        folder = out / f"school-{index + 1:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "school.toml").write_text(school_toml(name, phase, calendar, hours), "utf-8")
        tables = school_tables(
            school_rng,
            phase,
            calendar,
            int(per_school[index]),
            int(request_counts[index]),
            int(meeting_counts[index]),
        )
        for table, frame in tables.items():
            frame.write_parquet(folder / f"{table}.parquet")
        folders.append(folder)
    (out / "COMPLETE").write_text(f"version {VERSION}\n")
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    start = time.perf_counter()
    folders = generate_la(args.out_dir, args.schools, args.seed)
    print(
        f"wrote {len(folders)} school folders to {args.out_dir} "
        f"in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
