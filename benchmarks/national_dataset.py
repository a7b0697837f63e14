"""A national-scale synthetic dataset: 20,000 schools as partitioned Parquet, for benchmarks.

England has about 20,000 schools and 1.7 million pupils with SEN: about 85 registered
pupils a school, with school sizes drawn log-normally. Each registered pupil has about four
requests to the SENDCo and three meetings with parents in the 2025/26 school year (the
three-meeting duty), as of Friday 3 July 2026. The tables follow :mod:`la_dataset`'s
proportions, but every column is drawn for ``BATCH`` schools at once (numpy, no loop over
schools or rows): each school's calendar is one of la_dataset's term-date patterns with its
own three INSET days, and per-school date arithmetic is one ``searchsorted`` over all the
batch's school days keyed by school. Each batch is one Parquet file per table, each row
tagged with its school's position (``_school``), so the first N schools are the first
N/BATCH files:

    OUT/schools/part-00000.parquet    _school, slug, toml (the school.toml text)
    OUT/{pupils,staff,requests,meetings,plans}/part-00000.parquet

The same seed and number of schools give the same tables (batch ``b`` draws from
``default_rng([seed, b])``).

Run: .venv/bin/python benchmarks/national_dataset.py OUT_DIR [--schools 20000] [--seed 2026]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import la_dataset  # noqa: E402
from la_dataset import AS_OF, NEED_WEIGHTS, NEEDS, PATTERNS, WEEKDAYS  # noqa: E402

from sendlib.school.calendar import SchoolCalendar  # noqa: E402

SCHOOLS, REGISTERED = 20_000, 1_700_000
REQUESTS_PER_PUPIL, MEETINGS_PER_PUPIL = 4.0, 3.0
BATCH = 100
VERSION = 2  # bump when the generator changes, so cached datasets are rebuilt
TABLES = ("pupils", "staff", "requests", "meetings", "plans")
POSITION = "_school"
#: Per-school date keys: school * SPAN + days since EPOCH (a school year spans < SPAN days).
EPOCH, SPAN = np.datetime64("2025-01-01"), 4096
_AS_OF = np.datetime64(AS_OF)
#: Each pattern's school days before INSET days (bank holidays and half terms out).
_PATTERN_DAYS = [
    np.array(SchoolCalendar(terms, closures, "england", WEEKDAYS).school_days(), "datetime64[D]")
    for terms, closures in PATTERNS
]
_YEAR_START = np.array([terms[0].start for terms, _ in PATTERNS], "datetime64[D]")
_YEARS = {"primary": la_dataset.PRIMARY_YEARS, "secondary": la_dataset.SECONDARY_YEARS}


@dataclass(frozen=True)
class _Days:
    """The batch's school days, school by school, and per-school lookups into them."""

    flat: np.ndarray  # datetime64[D]: school 0's days in order, then school 1's, ...
    start: np.ndarray  # where each school's days start in ``flat``
    count: np.ndarray  # how many school days each school has
    key: np.ndarray  # ``flat`` as sorted per-school keys

    @classmethod
    def of(cls, pattern: np.ndarray, inset: np.ndarray) -> _Days:
        """Each school's pattern days less its INSET day numbers (``inset``: schools x 3)."""
        width = max(len(d) for d in _PATTERN_DAYS)
        padded = np.stack([np.pad(d, (0, width - len(d)), mode="edge") for d in _PATTERN_DAYS])
        lengths = np.array([len(d) for d in _PATTERN_DAYS])
        keep = np.arange(width) < lengths[pattern][:, None]
        keep[np.arange(len(pattern))[:, None], inset] = False
        school = np.repeat(np.arange(len(pattern)), width).reshape(len(pattern), width)[keep]
        flat = padded[pattern][keep]
        count = keep.sum(axis=1)
        return cls(flat, np.cumsum(count) - count, count, _key(school, flat))

    def at(self, school: np.ndarray, number: np.ndarray) -> np.ndarray:
        """The school's school day numbered ``number`` (0 first), its last one beyond it."""
        return self.flat[self.start[school] + np.minimum(number, self.count[school] - 1)]

    def search(self, school: np.ndarray, dates: np.ndarray, side: str = "left") -> np.ndarray:
        """How many of the school's school days fall before (``right``: on or before) ``dates``."""
        return np.searchsorted(self.key, _key(school, dates), side=side) - self.start[school]


def _key(school: np.ndarray, dates: np.ndarray) -> np.ndarray:
    return school.astype(np.int64) * SPAN + (dates - EPOCH).astype(np.int64)


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... within each school, for rows grouped school by school."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _below(rng: np.random.Generator, high: np.ndarray) -> np.ndarray:
    """A uniform whole number from 0 to ``high`` - 1, row by row."""
    return np.minimum((rng.random(len(high)) * high).astype(np.int64), high - 1)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Expr:
    return pl.lit(prefix) + pl.lit(pl.Series(numbers + 1)).cast(pl.String).str.zfill(width)


def _positions(schools: np.ndarray) -> pl.Expr:
    return pl.lit(pl.Series(POSITION, schools, pl.UInt32))


def _toml(index: int, phase: str, pattern: int, inset: list, working: list, hours: float) -> str:
    """A school's ``school.toml``, as :func:`la_dataset.school_toml` writes it."""
    name = f"School {index + 1:05d} {'Primary' if phase == 'primary' else 'Academy'}"
    days = ", ".join(f'"{WEEKDAYS[d]}"' for d in working)
    lines = [
        "# A synthetic school for the national benchmark (benchmarks/national_dataset.py).",
        "[school]",
        f'name = "{name}"',
        f'phase = "{phase}"',
        'nation = "england"',
        "",
        "[sendco]",
        f"working_days = [{days}]",
        f"send_hours_per_day = {hours:.1f}",
    ]
    terms, closures = PATTERNS[pattern]
    periods = [("terms", t.name, t.start, t.end) for t in terms]
    periods += [("closures", c.name, c.start, c.end) for c in closures]
    periods += [("closures", "INSET day", day, day) for day in inset]
    for table, name, start, end in periods:
        lines += ["", f"[[{table}]]", f'name = "{name}"']
        lines += [f"start = {start.isoformat()}", f"end = {end.isoformat()}"]
    return "\n".join(lines) + "\n"


def batch_tables(
    rng: np.random.Generator, first: int, registered: np.ndarray
) -> dict[str, pl.DataFrame]:
    """The tables of schools ``first``, ``first + 1``, ... with ``registered`` pupils each.

    Every table is drawn column by column for all the schools at once, in the proportions
    of :func:`la_dataset.school_tables`; rows are grouped school by school.
    """
    n = len(registered)
    schools = np.arange(n)
    pattern = (first + schools) % len(PATTERNS)
    primary = rng.random(n) < 0.8
    lengths = np.array([len(d) for d in _PATTERN_DAYS])[pattern]
    inset_keys = rng.random((n, lengths.max()))
    inset_keys[np.arange(lengths.max()) >= lengths[:, None]] = np.inf
    inset = np.sort(np.argsort(inset_keys, axis=1)[:, :3], axis=1)
    working_count = rng.integers(3, 6, n)
    working_order = np.argsort(rng.random((n, 5)), axis=1)
    hours = rng.choice([1.5, 2.0, 2.5, 3.0, 4.0, 5.0], n)
    days = _Days.of(pattern, inset)
    year_start = _YEAR_START[pattern]
    last_day = days.at(schools, days.count)
    as_of_number = days.search(schools, np.full(n, _AS_OF))

    school_rows = pl.DataFrame(
        {
            POSITION: pl.Series(first + schools, dtype=pl.UInt32),
            "slug": [f"school-{first + s + 1:05d}" for s in schools],
            "toml": [
                _toml(
                    first + s,
                    "primary" if primary[s] else "secondary",
                    int(pattern[s]),
                    [_PATTERN_DAYS[pattern[s]][i].item() for i in inset[s]],
                    sorted(working_order[s, : working_count[s]]),
                    float(hours[s]),
                )
                for s in schools
            ],
        }
    ).select("slug", "toml", POSITION)

    # Staff: the SENDCo, an assistant in half the schools, class teachers, one other.
    teachers = np.maximum(7, registered // 10)
    assistant = (rng.random(n) < 0.5).astype(np.int64)
    staff_school = np.repeat(schools, 2 + assistant + teachers)
    rank = _ranks(2 + assistant + teachers)
    teacher = rank - 1 - assistant[staff_school]
    last = rank == 1 + assistant[staff_school] + teachers[staff_school]
    kind = np.select(
        [rank == 0, teacher < 0, last], ["sendco", "assistant_sendco", "other"], "class_teacher"
    )
    staff = pl.DataFrame({"_kind": kind, POSITION: first + staff_school}).select(
        staff_id=pl.when(pl.col("_kind") == "class_teacher")
        .then(_ids("T", teacher, 3))
        .otherwise(pl.col("_kind").replace_strict(_STAFF_IDS, default=None)),
        role=pl.col("_kind"),
        _school=pl.col(POSITION).cast(pl.UInt32),
    )

    # Pupils: on the register (85% SEN support, 15% EHC plan) and 30% more monitored.
    monitored = np.maximum(1, np.round(registered * 0.3).astype(np.int64))
    per_school = registered + monitored
    pupil_start = np.cumsum(per_school) - per_school
    pupil_school = np.repeat(schools, per_school)
    p = len(pupil_school)
    slot = _ranks(per_school) < registered[pupil_school]
    status = np.where(slot, np.where(rng.random(p) < 0.15, "E", "K"), "M")
    status = status[np.lexsort((rng.random(p), pupil_school))]  # shuffled within each school
    on_register = status != "M"
    year_group = np.where(
        primary[pupil_school],
        _YEARS["primary"][(rng.random(p) * 7).astype(np.int64)],
        _YEARS["secondary"][(rng.random(p) * 5).astype(np.int64)],
    )
    history = year_start[pupil_school] - rng.integers(30, 2200, p)
    mid_year = days.at(pupil_school, 5 + _below(rng, as_of_number[pupil_school] - 10))
    registered_on = np.where(rng.random(p) < 0.8, history, mid_year)
    last_review = _AS_OF - rng.integers(0, 420, p)
    need = la_dataset._choice(rng, NEEDS, p, NEED_WEIGHTS)
    need_noted = on_register | (rng.random(p) < 0.3)
    lead = _below(rng, teachers[pupil_school] + 1)
    pupils = pl.DataFrame(
        {
            "sen_status": status,
            "year_group": year_group,
            "primary_need": need,
            "_need_noted": need_noted,
            "_lead": lead,
            "_teachers": teachers[pupil_school],
            "registered_on": registered_on,
            "last_annual_review_on": last_review,
        }
    ).select(
        pupil_id=_ids("P", _ranks(per_school), 5),
        year_group="year_group",
        sen_status="sen_status",
        primary_need=pl.when("_need_noted").then("primary_need"),
        lead_staff_id=pl.when(pl.col("_lead") == pl.col("_teachers"))
        .then(pl.lit("SENDCO"))
        .otherwise(pl.lit("T") + (pl.col("_lead") + 1).cast(pl.String).str.zfill(3)),
        registered_on=pl.when(pl.col("sen_status") != "M").then("registered_on"),
        last_annual_review_on=pl.when(pl.col("sen_status") == "E").then("last_annual_review_on"),
        _school=_positions(first + pupil_school),
    )

    # Requests: mostly on school days, a tenth as often on other days (emails), sorted.
    per_school_requests = np.round(registered * REQUESTS_PER_PUPIL).astype(np.int64)
    request_school = np.repeat(schools, per_school_requests)
    r = len(request_school)
    candidates = np.arange(np.datetime64("2025-08-18"), _AS_OF + 1)
    is_day = np.isin(_key(schools[:, None], candidates[None, :]), days.key)
    cumulative = np.cumsum(np.where(is_day, 1.0, 0.1), axis=1)
    cumulative = cumulative / cumulative[:, -1:] + schools[:, None]
    draw = np.searchsorted(cumulative.ravel(), request_school + rng.random(r), side="right")
    candidate = np.clip(draw - request_school * len(candidates), 0, len(candidates) - 1)
    received = candidates[np.sort(candidate + request_school * len(candidates))
                          - request_school * len(candidates)]  # fmt: skip
    kind, taken = la_dataset.request_draws(rng, r)
    ack_number = days.search(request_school, received) + taken
    ack = days.at(request_school, ack_number)
    is_open = (ack_number >= days.count[request_school]) | (ack > _AS_OF)
    is_open |= rng.random(r) < 0.02
    response = la_dataset.request_responses(rng, kind)
    request_pupil = pupil_start[request_school] + _below(rng, per_school[request_school])
    channel = la_dataset._choice(
        rng, ["office", "class_teacher", "email", "phone", "other"], r, [40, 30, 20, 7, 3]
    )
    requests = pl.DataFrame(
        {
            "received_on": received,
            "channel": channel,
            "kind": kind,
            "acknowledged_on": ack,
            "response": response,
            "_open": is_open,
        }
    ).select(
        request_id=_ids("R", _ranks(per_school_requests), 7),
        pupil_id=pupils["pupil_id"].gather(request_pupil),
        received_on="received_on",
        channel="channel",
        kind="kind",
        acknowledged_on=pl.when(~pl.col("_open")).then("acknowledged_on"),
        response=pl.when(~pl.col("_open")).then("response"),
        _school=_positions(first + request_school),
    )

    # Meetings: an annual review per EHC plan, meetings offered in reply to requests
    # (at most 40% of the school's meetings), then reviews, surgeries and the rest.
    per_school_meetings = np.round(registered * MEETINGS_PER_PUPIL).astype(np.int64)
    ehc = np.flatnonzero(status == "E")
    offered = np.flatnonzero(~is_open & (response == "meeting_offered"))
    offered = offered[np.lexsort((rng.random(len(offered)), request_school[offered]))]
    offered_counts = np.bincount(request_school[offered], minlength=n)
    keep = (
        _ranks(offered_counts)
        < (per_school_meetings * 0.4).astype(np.int64)[request_school[offered]]
    )
    offered = offered[keep]
    ehc_counts = np.bincount(pupil_school[ehc], minlength=n)
    offered_counts = np.bincount(request_school[offered], minlength=n)
    other_counts = np.maximum(0, per_school_meetings - ehc_counts - offered_counts)
    other_school = np.repeat(schools, other_counts)
    n_other = len(other_school)
    other_kind = la_dataset._choice(
        rng, ["review", "surgery", "external_agency", "other", "concern"], n_other,
        [60, 15, 10, 10, 5],
    )  # fmt: skip
    registered_rows = np.flatnonzero(on_register)  # grouped by school, ``registered`` each
    any_pupil = pupil_start[other_school] + _below(rng, per_school[other_school])
    on_roll = registered_rows[
        (np.cumsum(registered) - registered)[other_school] + _below(rng, registered[other_school])
    ]
    other_pupil = np.where(np.isin(other_kind, ["surgery", "concern"]), any_pupil, on_roll)
    linked_school = request_school[offered]
    ehc_school = pupil_school[ehc]
    in_year = days.search(schools, year_start)

    def in_year_day(school: np.ndarray) -> np.ndarray:
        return days.at(school, in_year[school] + _below(rng, days.count[school] - in_year[school]))

    school_m = np.concatenate([ehc_school, linked_school, other_school])
    kind_m = np.concatenate(
        [
            np.full(len(ehc), "annual_review"),
            np.where(rng.random(len(offered)) < 0.8, "concern", "surgery"),
            other_kind,
        ]
    )
    day = np.concatenate(
        [
            in_year_day(ehc_school),
            days.at(linked_school, ack_number[offered] + rng.integers(3, 16, len(offered))),
            in_year_day(other_school),
        ]
    )
    m = len(kind_m)
    minutes, sendco, meeting_status, starts = la_dataset.meeting_draws(rng, kind_m, day, _AS_OF)
    record = days.at(school_m, days.search(school_m, day) + rng.integers(0, 11, m))
    record_sent = (
        (meeting_status == "held") & (rng.random(m) < 0.8) & (record <= last_day[school_m])
    )
    unbooked = (kind_m == "surgery") & (rng.random(m) < 0.1)
    linked = np.zeros(m, dtype=bool)
    linked[len(ehc) : len(ehc) + len(offered)] = True
    unbooked &= ~linked
    request_row = np.concatenate(
        [np.zeros(len(ehc), np.int64), offered, np.zeros(n_other, np.int64)]
    )
    pupil_row = np.concatenate([ehc, request_pupil[offered], other_pupil])
    lead_sendco = sendco & (rng.random(m) < 0.5)
    lead_teacher = _below(rng, teachers[school_m])
    mode = la_dataset._choice(rng, ["in_person", "remote", "phone"], m, [70, 22, 8])
    # School by school, in time order (stable, so the same seed gives the same order).
    order = np.lexsort((starts, school_m))
    meetings = (
        pl.DataFrame(
            {
                "kind": kind_m,
                "starts_at": starts.astype("datetime64[us]"),
                "minutes": minutes.astype(np.int64),
                "_lead_sendco": lead_sendco,
                "_lead": lead_teacher,
                "sendco_attended": sendco,
                "mode": mode,
                "status": meeting_status,
                "record_sent_on": record,
                "_record_sent": record_sent,
                "_linked": linked,
                "_unbooked": unbooked,
                "_request_row": request_row,
                "_pupil_row": pupil_row,
                POSITION: first + school_m,
            }
        )
        .pipe(lambda frame: frame[order])
        .select(
            meeting_id=_ids("M", _ranks(np.bincount(school_m, minlength=n)), 7),
            pupil_id=pl.when(~pl.col("_unbooked")).then(
                pl.lit(pupils["pupil_id"]).gather(pl.col("_pupil_row"))
            ),
            kind="kind",
            starts_at="starts_at",
            minutes="minutes",
            lead_staff_id=pl.when("_lead_sendco")
            .then(pl.lit("SENDCO"))
            .otherwise(pl.lit("T") + (pl.col("_lead") + 1).cast(pl.String).str.zfill(3)),
            sendco_attended="sendco_attended",
            mode="mode",
            status="status",
            record_sent_on=pl.when("_record_sent").then("record_sent_on"),
            request_id=pl.when("_linked").then(
                pl.lit(requests["request_id"]).gather(pl.col("_request_row"))
            ),
            _school=pl.col(POSITION).cast(pl.UInt32),
        )
    )

    # Plans: one APDR plan per registered pupil this year.
    plan_starts = np.maximum(registered_on, year_start[pupil_school])[on_register]
    plans = pl.DataFrame(
        {
            "pupil_id": pupils["pupil_id"].filter(pl.Series(on_register)),
            "sen_status": status[on_register],
            "starts_on": plan_starts,
        }
    ).select(
        plan_id=_ids("PL", _ranks(registered), 6),
        pupil_id="pupil_id",
        plan_type=pl.when(pl.col("sen_status") == "E")
        .then(pl.lit("EHCP"))
        .otherwise(pl.lit("SEN Support Plan")),
        starts_on="starts_on",
        review_due_on=pl.col("starts_on") + pl.duration(days=90),
        reviewed_on=pl.when(pl.col("starts_on") + pl.duration(days=60) <= AS_OF).then(
            pl.col("starts_on") + pl.duration(days=60)
        ),
        outcome=pl.when(pl.col("starts_on") + pl.duration(days=60) <= AS_OF).then(
            pl.lit("some_progress")
        ),
        _school=_positions(first + pupil_school[on_register]),
    )
    return {
        "schools": school_rows,
        "pupils": pupils,
        "staff": staff,
        "requests": requests,
        "meetings": meetings,
        "plans": plans,
    }


_STAFF_IDS = {"sendco": "SENDCO", "assistant_sendco": "ASENDCO", "other": "OTHER"}


def school_sizes(schools: int, seed: int) -> np.ndarray:
    """Registered pupils per school: the national total in proportion, log-normal sizes."""
    rng = np.random.default_rng(seed)
    registered = la_dataset._apportion(
        round(REGISTERED * schools / SCHOOLS), rng.lognormal(0.0, 0.6, schools)
    )
    return np.maximum(registered, 3)


def generate_national(out_dir: str | Path, schools: int = SCHOOLS, seed: int = 2026) -> int:
    """Write ``schools`` schools (pupils in national proportion) as partitioned Parquet."""
    out = Path(out_dir)
    for table in ("schools", *TABLES):
        (out / table).mkdir(parents=True, exist_ok=True)
    registered = school_sizes(schools, seed)
    for start in range(0, schools, BATCH):
        rng = np.random.default_rng([seed, start // BATCH])
        tables = batch_tables(rng, start, registered[start : start + BATCH])
        for table, frame in tables.items():
            frame.write_parquet(out / table / f"part-{start // BATCH:05d}.parquet")
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
