"""The what-if simulation: each scenario's school year, school day by school day, many times over.

The model, one school day at a time, every run at once (numpy arrays of runs x days):

1. **Requests arrive.** Meeting requests ~ Poisson(rate[month, weekday] x growth), the
   rate fitted from the school's own ``requests.csv``
   (:func:`~sendlib.planning.whatif.model.fit_arrival_rates`). Safeguarding and urgent
   day-to-day requests are routed away at once (DOMAIN.md) and never reach the SENDCo's
   queue; the routed share is fitted too. Requests landing on a non-school day count
   from the next school day, exactly as :func:`sendlib.response_times` does.
2. **The diary comes first.** Meetings already booked for the day (reviews, annual
   reviews, request meetings, with preparation and write-up, ``Policy``) and the
   protected surgery slots (booked or not, like :mod:`sendlib.rules.capacity`) take their
   time.
3. **Replies, by chance and by time.** A reply often needs something first (a word with
   the class teacher, the file, a call home), so each day every waiting request is
   *ready* with chance ``1 - (1 - READY_PER_FREE_DAY) ** (free / day)``: free is the
   protected time the diary leaves that day, day the school's protected minutes a day.
   A day with nothing booked gives :data:`READY_PER_FREE_DAY`; a half-booked day, half a
   day's chance; a day the SENDCo does not work, none. Ready requests are answered oldest
   first (:func:`~sendlib.planning.whatif.queue.serve_oldest_first`), :data:`ACK_MINUTES`
   each, within :data:`REPLY_SHARE` of the free time (the rest goes on SEND work that is
   in no table here: assessments, referrals, advice). Spells when the SENDCo (or an
   assistant) answers nothing at all (illness, a course, a crisis, cover) take
   :data:`DISRUPTED_SHARE` of days, :data:`DISRUPTION_SPELL_DAYS` long on average. More
   protected time, fewer booked meetings or a second person therefore mean quicker
   replies; more requests only matter once the time for replies runs out.
4. **On time** is exactly DOMAIN.md's: school days from the effective receipt day to the
   reply at most ``acknowledge_within_school_days``.
5. **Meetings are booked.** A share of replied requests needs a meeting (fitted). It is
   booked at the first day with room after a lead time drawn from the school's own record
   (days from reply to meeting), or into the first free surgery slot for the share the
   school holds at surgeries; surgery slots are also taken by parents booking directly
   (rate fitted). Termly reviews the SENDCo leads (the school's observed share, or the
   scenario's) are released evenly through each term with five school days' notice and
   booked into the same diary; a review that finds no room before the term ends is
   missed. Reviews led by class teachers take no SENDCo time and are assumed held.
   Annual reviews are invited six weeks before their deadline and booked at least two
   weeks after the invitation (SEND Regulations 2014, reg. 20); booked after the deadline,
   or not by the year's end, they are late. Bookings fill at most
   :data:`~sendlib.planning.whatif.plan.BOOKABLE_SHARE` of each day's protected time
   beyond surgeries, so replies always have some room.

Determinism: each scenario draws from ``numpy.random.Generator(PCG64(...))`` seeded by
``SeedSequence([seed, crc32(scenario name)])``, so results depend on the seed and the
scenario's name, never on the order of the scenarios.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sendlib.planning.whatif.booking import book_in_bulk, first_fit, first_free_slot
from sendlib.planning.whatif.model import SchoolModel, fit_model
from sendlib.planning.whatif.plan import Plan, plan_scenario
from sendlib.planning.whatif.queue import serve_oldest_first
from sendlib.planning.whatif.scenarios import Scenario, as_scenarios
from sendlib.school.load import School

#: SENDCo minutes to read, check the record, reply to and log one request.
ACK_MINUTES = 15
#: Share of the time the diary leaves that goes on replies; the rest is other SEND work.
REPLY_SHARE = 0.5
#: A reply often needs something first (a word with the class teacher, the file, a call):
#: a waiting request is ready to answer with this chance on a day whose protected time is
#: all free, and with the chance of a fraction of a day when part of it is booked
#: (1 - (1 - p) ** (free minutes / the school's protected minutes a day)).
READY_PER_FREE_DAY = 0.45
#: Spells when the SENDCo (or an assistant) writes no replies at all: illness, a course,
#: a crisis, cover. Share of school days in such a spell, and a spell's mean length.
DISRUPTED_SHARE = 0.1
DISRUPTION_SPELL_DAYS = 3.0
#: School days' notice for a termly review; the last two weeks of a term are a buffer.
REVIEW_NOTICE_DAYS = 5
REVIEW_BUFFER_DAYS = 10
#: A surgery slot can be booked from the next school day; after this many school days
#: without a free slot the meeting goes in the diary instead.
SURGERY_SEARCH_DAYS = 15
#: Longest wait kept exactly in the days-to-meeting histogram (longer are clipped).
MAX_WAIT_DAYS = 250


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's runs: each metric as an array over runs, and the waiting line."""

    scenario: Scenario
    plan: Plan
    metrics: dict[str, np.ndarray]
    #: Requests waiting for a reply at the end of each simulated day: 10th, 50th, 90th
    #: percentiles and the mean over runs (4 x days).
    waiting: np.ndarray


@dataclass(frozen=True)
class WhatIfResult:
    """Every scenario's runs for one school, as of one date."""

    model: SchoolModel
    results: dict[str, ScenarioResult]
    runs: int
    seed: int

    @property
    def baseline(self) -> ScenarioResult:
        """The baseline scenario's result."""
        return next(r for r in self.results.values() if r.scenario.is_baseline)


def scenario_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The scenario's own seed: the same for a seed and name, whatever the order."""
    return np.random.SeedSequence([int(seed), zlib.crc32(name.encode("utf-8"))])


def simulate(
    school: School | SchoolModel,
    scenarios: Sequence[Scenario] | Sequence[Mapping[str, Any]] | Mapping[str, Mapping] | None,
    as_of: dt.date | None = None,
    runs: int = 1000,
    seed: int = 1,
    *,
    from_start: bool = False,
) -> WhatIfResult:
    """Simulate each scenario ``runs`` times and collect the per-run results.

    ``school`` may be a fitted :class:`SchoolModel` (then ``as_of`` and ``from_start`` are
    the model's). ``scenarios`` may be parsed scenarios, a list of dicts or a mapping as in
    a TOML file; ``None`` simulates the baseline alone.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1 (got {runs})")
    model = (
        school
        if isinstance(school, SchoolModel)
        else fit_model(school, as_of, from_start=from_start)
    )
    parsed = as_scenarios(scenarios)
    plans = {s.name: plan_scenario(model, s) for s in parsed}
    results = {}
    for s in parsed:
        rng = np.random.Generator(np.random.PCG64(scenario_seed(seed, s.name)))
        results[s.name] = _run(model, plans[s.name], runs, rng)
    return WhatIfResult(model=model, results=results, runs=runs, seed=seed)


def _run(model: SchoolModel, plan: Plan, runs: int, rng: np.random.Generator) -> ScenarioResult:
    """One scenario, every run at once, one school day at a time."""
    year = _Year(model, plan, runs, rng)
    for t in range(model.first, model.last + 1):
        year.requests_arrive(t, rng)
        for_meeting = year.reply(t, rng)
        year.book_annual_reviews(t)
        year.book_request_meetings(t, for_meeting, rng)
        year.release_termly_reviews(t)
        year.close_day(t)
    metrics = year.metrics(rng)
    return ScenarioResult(scenario=plan.scenario, plan=plan, metrics=metrics, waiting=year.line)


@dataclass
class _TermReviews:
    """One term's termly reviews in every run: who the SENDCo leads, released and booked."""

    start: int
    end: int
    #: Reviews are released evenly up to this day, leaving the term's last days as a buffer.
    cut: int
    led: np.ndarray
    count: np.ndarray
    booked: np.ndarray
    released: np.ndarray


class _Year:
    """Every run's school year so far: the queues, the diary and the counts kept for metrics.

    Created with the school's state at the start (the draws for open requests, free
    surgery slots, spells away and reviews led come first, in that order), then moved on
    one school day at a time by the steps :func:`_run` calls.
    """

    def __init__(self, model: SchoolModel, plan: Plan, runs: int, rng: np.random.Generator):
        R, T = runs, len(model.days)
        self.model, self.plan, self.R = model, plan, R
        self.within = model.school.policy.acknowledge_within_school_days
        self.leads = np.array(model.request_meetings.leads)
        self.reference = model.school.config.sendco.send_hours_per_day * 60.0

        # Requests waiting for a reply, by effective receipt day: needing a meeting or not.
        self.need_meeting = np.zeros((R, T), dtype=np.int32)
        self.no_meeting = np.zeros((R, T), dtype=np.int32)
        if model.open_requests.size:
            draws = rng.random((R, model.open_requests.size)) < plan.meeting_share
            for j, day in enumerate(model.open_requests):
                self.need_meeting[:, day] += draws[:, j]
                self.no_meeting[:, day] += ~draws[:, j]
        self.booked = np.tile(model.booked_minutes, (R, 1))
        self.surgery_free = rng.binomial(
            np.clip(plan.surgery_slots - model.surgery_taken, 0, None)[None, :].repeat(R, 0),
            1.0 - plan.direct_take,
        )

        # Spells without replies, for the SENDCo and an assistant, from their stationary state.
        self.sendco_away = rng.random(R) < DISRUPTED_SHARE
        self.assistant_away = rng.random(R) < DISRUPTED_SHARE
        self.end_spell = 1.0 / DISRUPTION_SPELL_DAYS
        self.start_spell = DISRUPTED_SHARE / (1.0 - DISRUPTED_SHARE) * self.end_spell

        self.on_time = np.zeros(R)
        self.late = np.zeros(R)
        self.used = np.zeros(R)
        self.waits = np.zeros((R, MAX_WAIT_DAYS + 1), dtype=np.int32)
        self.request_meetings_held = np.zeros(R, dtype=np.int64)
        self.meetings_waiting = np.zeros(R, dtype=np.int64)
        self.line = np.zeros((4, model.last - model.first + 1))

        self.meetings = np.tile(model.meetings_so_far, (R, 1)).astype(np.int16)
        self.term_reviews = {
            ti: self._term_reviews(ti, need, rng) for ti, need in model.review_need.items()
        }
        # Annual reviews: already in the diary, or released on their day.
        ar = model.annual_reviews
        self.ar_day = np.full((R, len(ar)), -1)
        for i, (_, _, _, _, in_diary, _) in enumerate(ar):
            if in_diary >= 0:
                self.ar_day[:, i] = in_diary
        self.oldest = int(model.open_requests.min()) if model.open_requests.size else model.first

    def _term_reviews(self, ti: int, need: np.ndarray, rng: np.random.Generator) -> _TermReviews:
        """A term's reviews owed, each led by the SENDCo with the plan's share."""
        model, R = self.model, self.R
        term_days = np.flatnonzero(model.term_of_day == ti)
        start = max(int(term_days[0]), model.first)
        led = (rng.random((R, need.size)) < self.plan.sendco_review_share) & need[None, :]
        return _TermReviews(
            start=start,
            end=min(int(term_days[-1]), model.last),
            cut=max(start, int(term_days[-1]) - REVIEW_BUFFER_DAYS),
            led=led,
            count=led.sum(axis=1),
            booked=np.zeros(R, dtype=np.int64),
            released=np.zeros(R, dtype=np.int64),
        )

    def requests_arrive(self, t: int, rng: np.random.Generator) -> None:
        """Step 1: the day's requests (drawn, or as recorded) and who is away from replies."""
        plan, R, fixed = self.plan, self.R, self.model.fixed_arrivals
        if fixed is None:
            rate = plan.request_rate[t]
            self.need_meeting[:, t] += rng.poisson(rate * plan.meeting_share, R)
            self.no_meeting[:, t] += rng.poisson(rate * (1 - plan.meeting_share), R)
        else:
            self.need_meeting[:, t] += fixed[0][t]
            self.no_meeting[:, t] += fixed[1][t]
        self.sendco_away = _next_spell(rng, self.sendco_away, self.start_spell, self.end_spell)
        self.assistant_away = _next_spell(
            rng, self.assistant_away, self.start_spell, self.end_spell
        )

    def reply(self, t: int, rng: np.random.Generator) -> np.ndarray:
        """Steps 2-4: the diary first, then replies oldest first from a share of the time left.

        Returns the replied requests that need a meeting (runs x cohorts from the oldest).
        """
        plan, oldest = self.plan, self.oldest
        diary = self.booked[:, t] + plan.surgery_reserved[t]
        present = (
            plan.sendco_minutes[t] * ~self.sendco_away
            + plan.assistant_minutes[t] * ~self.assistant_away
        )
        free = np.clip(present - diary, 0.0, None)
        replies = np.floor(REPLY_SHARE * free / ACK_MINUTES).astype(np.int64)
        chance = 1.0 - (1.0 - READY_PER_FREE_DAY) ** (free / self.reference)
        waiting_m = self.need_meeting[:, oldest : t + 1]
        waiting_o = self.no_meeting[:, oldest : t + 1]
        total = waiting_m + waiting_o
        served = serve_oldest_first(rng.binomial(total, chance[:, None]), replies)
        share_m = np.divide(waiting_m, total, out=np.zeros(total.shape), where=total > 0)
        served_m = np.clip(rng.binomial(served, share_m), served - waiting_o, waiting_m).astype(
            np.int32
        )
        waiting_m -= served_m
        waiting_o -= served - served_m
        cohorts = np.arange(oldest, t + 1)
        measured = cohorts >= self.model.measure_from
        in_time = (t - cohorts <= self.within) & measured
        self.on_time += served[:, in_time].sum(axis=1)
        self.late += served[:, ~in_time & measured].sum(axis=1)
        self.used += np.minimum(diary, plan.capacity_minutes[t]) + served.sum(axis=1) * ACK_MINUTES
        return served_m

    def book_annual_reviews(self, t: int) -> None:
        """Step 5: book the annual reviews released today, after their notice."""
        ar, plan, R = self.model.annual_reviews, self.plan, self.R
        for i in np.flatnonzero((ar[:, 1] == t) & (ar[:, 4] < 0)):
            earliest = np.full(R, max(int(ar[i, 2]), t + 1))
            self.ar_day[:, i] = first_fit(
                self.booked,
                plan.bookable,
                earliest,
                plan.annual_review_cost,
                np.ones(R, bool),
                self.model.last,
            )

    def book_request_meetings(self, t: int, served_m: np.ndarray, rng: np.random.Generator) -> None:
        """Step 5: book a meeting for each replied request that needs one, oldest first.

        After a lead time from the school's record, in a free surgery slot for the share
        held at surgeries, otherwise (or when no slot is free soon) in the diary.
        """
        plan, R, last, oldest = self.plan, self.R, self.model.last, self.oldest
        wanted = served_m.sum(axis=1)
        if not wanted.any():
            return
        cumulative = np.cumsum(served_m, axis=1)
        for k in range(int(wanted.max())):
            active = wanted > k
            cohort = oldest + (cumulative > k).argmax(axis=1)
            at_surgery = active & (rng.random(R) < plan.surgery_share)
            lead = self.leads[rng.integers(0, self.leads.size, R)]
            day = np.full(R, -1)
            if at_surgery.any():
                day = first_free_slot(
                    self.surgery_free, t + lead, t + lead + SURGERY_SEARCH_DAYS, at_surgery, last
                )
                got = np.flatnonzero(day >= 0)
                self.surgery_free[got, day[got]] -= 1
                self.booked[got, day[got]] += plan.surgery_write_up
            diary_needed = active & (day < 0)
            if diary_needed.any():
                in_diary = first_fit(
                    self.booked, plan.bookable, t + lead, plan.meeting_cost, diary_needed, last
                )
                day = np.where(diary_needed, in_diary, day)
            held = active & (day >= 0)
            self.request_meetings_held += held
            self.meetings_waiting += active & (day < 0)
            wait = np.where(held, day - cohort, last + 1 - cohort)
            rows = np.flatnonzero(active)
            np.add.at(self.waits, (rows, np.minimum(wait[rows], MAX_WAIT_DAYS)), 1)

    def release_termly_reviews(self, t: int) -> None:
        """Step 5: release the term's SENDCo-led reviews evenly and book them with notice."""
        for reviews in self.term_reviews.values():
            if not reviews.start <= t <= reviews.end:
                continue
            span = reviews.cut - reviews.start + 1
            progress = min(t - reviews.start + 1, span) / span
            due = np.floor(reviews.count * progress + 1e-9).astype(np.int64)
            release = due - reviews.released
            reviews.released = due
            reviews.booked += book_in_bulk(
                self.booked,
                self.plan.bookable,
                release,
                t + REVIEW_NOTICE_DAYS,
                reviews.end,
                self.plan.meeting_cost,
            )

    def close_day(self, t: int) -> None:
        """Record the day's waiting line and move past cohorts every run has answered."""
        lines = self.need_meeting[:, self.oldest : t + 1].sum(axis=1) + self.no_meeting[
            :, self.oldest : t + 1
        ].sum(axis=1)
        day = t - self.model.first
        self.line[:3, day] = np.percentile(lines, [10, 50, 90])
        self.line[3, day] = lines.mean()
        while self.oldest < t and not (
            self.need_meeting[:, self.oldest].any() or self.no_meeting[:, self.oldest].any()
        ):
            self.oldest += 1

    def metrics(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Each metric per run at the year's end (draws which pupils request meetings were for)."""
        model, R = self.model, self.R
        decided, open_now = self._requests_at_year_end()
        self._hold_termly_reviews()
        ar_late = self._hold_annual_reviews()
        n_pupils = self.meetings.shape[1]
        if n_pupils:
            self._share_request_meetings(rng)
        minimum = model.school.policy.min_parent_meetings_per_year
        three = (self.meetings >= minimum).mean(axis=1) if n_pupils else np.full(R, np.nan)
        supply = self.plan.capacity_minutes[model.first : model.last + 1].sum()
        return {
            "on_time_share": np.where(decided > 0, self.on_time / np.maximum(decided, 1), np.nan),
            "median_days_to_meeting": _median_from_histogram(self.waits),
            "three_meetings_share": three,
            "annual_reviews_late": ar_late,
            "utilisation": self.used / supply if supply else np.full(R, np.nan),
            "backlog_year_end": (open_now + self.meetings_waiting).astype(float),
        }

    def _requests_at_year_end(self) -> tuple[np.ndarray, np.ndarray]:
        """Requests decided (on time, late, or never replied and past due) and still open.

        Requests never replied to count as late once past their due date; their meeting
        wait, as far as the year's end, joins the censored ones.
        """
        last = self.model.last
        still_m, still_o = self.need_meeting[:, : last + 1], self.no_meeting[:, : last + 1]
        cohorts = np.arange(last + 1)
        overdue = (last - cohorts > self.within) & (cohorts >= self.model.measure_from)
        open_overdue = still_m[:, overdue].sum(axis=1) + still_o[:, overdue].sum(axis=1)
        decided = self.on_time + self.late + open_overdue
        open_now = still_m.sum(axis=1) + still_o.sum(axis=1)
        for cohort in np.flatnonzero(still_m.any(axis=0)):
            self.waits[:, min(last + 1 - cohort, MAX_WAIT_DAYS)] += still_m[:, cohort]
        return decided, open_now

    def _hold_termly_reviews(self) -> None:
        """Count the reviews held: the first ``booked`` SENDCo-led ones, fewest meetings first.

        Reviews led by class teachers are all held.
        """
        R = self.R
        for ti, reviews in self.term_reviews.items():
            led, held_count, need = reviews.led, reviews.booked, self.model.review_need[ti]
            order_key = np.where(
                led, self.meetings.astype(np.int64) * 10_000 + np.arange(need.size), 1 << 40
            )
            order = np.argsort(order_key, axis=1, kind="stable")
            rank = np.empty_like(order)
            np.put_along_axis(rank, order, np.arange(need.size)[None, :].repeat(R, 0), axis=1)
            held = led & (rank < held_count[:, None])
            class_teacher = need[None, :] & ~led
            self.meetings += (held | class_teacher).astype(np.int16)

    def _hold_annual_reviews(self) -> np.ndarray:
        """Count annual reviews held by the year's end for their pupil; return those late per run.

        Those already in the diary were counted with it; those overdue at the start are not
        late again.
        """
        last = self.model.last
        ar_late = np.zeros(self.R)
        for i, (pupil, _, _, deadline, in_diary, overdue_at_start) in enumerate(
            self.model.annual_reviews
        ):
            held = (self.ar_day[:, i] >= 0) & (self.ar_day[:, i] <= last)
            if pupil >= 0 and in_diary < 0:
                self.meetings[:, pupil] += held
            if not overdue_at_start and deadline <= last:
                ar_late += ~held | (self.ar_day[:, i] > deadline)
        return ar_late

    def _share_request_meetings(self, rng: np.random.Generator) -> None:
        """Count request meetings for registered pupils, at the fitted share, spread evenly."""
        n_pupils = self.meetings.shape[1]
        registered_share = self.model.request_meetings.registered_share
        for_registered = rng.binomial(self.request_meetings_held, registered_share)
        self.meetings += rng.multinomial(for_registered, np.full(n_pupils, 1.0 / n_pupils)).astype(
            np.int16
        )


def _next_spell(rng: np.random.Generator, away: np.ndarray, start: float, end: float) -> np.ndarray:
    """Tomorrow's state of a two-state (available, away) Markov chain, per run."""
    draw = rng.random(away.shape[0])
    return np.where(away, draw >= end, draw < start)


def _median_from_histogram(counts: np.ndarray) -> np.ndarray:
    """Per-run median of a histogram over whole numbers (lower median; NaN when empty)."""
    total = counts.sum(axis=1)
    cumulative = np.cumsum(counts, axis=1)
    half = (total + 1) // 2
    median = (cumulative >= np.maximum(half, 1)[:, None]).argmax(axis=1).astype(float)
    return np.where(total > 0, median, np.nan)
