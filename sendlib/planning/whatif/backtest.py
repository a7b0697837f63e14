"""Trust in the what-if model: a replay of a term the school has already recorded.

Calibration. Two constants, :data:`~sendlib.planning.whatif.simulation.READY_PER_FREE_DAY`
and :data:`~sendlib.planning.whatif.simulation.DISRUPTED_SHARE`, were set once by hand
against both sample schools together, so that a replay of each school's first term (its
recorded requests arriving on their recorded days, everything else simulated:
:func:`back_test`) reproduces its observed on-time share within
:data:`BACK_TEST_TOLERANCE`. They are not refitted per school. Two schools and two
constants make the first-term back-test a calibration check, not an independent test;
the replay of the spring term to date (:func:`back_test` with ``term="Spring 2026"``),
which the constants were not set on, is the out-of-sample check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from sendlib.planning.whatif.model import day_index, fit_model
from sendlib.planning.whatif.simulation import simulate
from sendlib.rules.requests import response_summary, response_times
from sendlib.school.asof import school_year
from sendlib.school.load import School

#: Back-test: simulated median on-time share within this of the observed (absolute).
BACK_TEST_TOLERANCE = 0.10


@dataclass(frozen=True)
class BackTest:
    """A replay of one term against what the school recorded."""

    term: str
    observed_on_time_share: float
    observed_decided: int
    simulated_p10: float
    simulated_median: float
    simulated_p90: float
    tolerance: float = BACK_TEST_TOLERANCE

    @property
    def difference(self) -> float:
        """Simulated median minus observed share."""
        return self.simulated_median - self.observed_on_time_share

    @property
    def within_tolerance(self) -> bool:
        """Whether the simulated median is within the stated tolerance of the observed."""
        return abs(self.difference) <= self.tolerance

    @property
    def sentence(self) -> str:
        """The back-test in one sentence."""
        verdict = "within" if self.within_tolerance else "outside"
        return (
            f"Replaying {self.term} with the requests as recorded, the model acknowledges "
            f"{self.simulated_median:.0%} on time (80% band {self.simulated_p10:.0%}-"
            f"{self.simulated_p90:.0%}); the school recorded {self.observed_on_time_share:.0%} "
            f"of {self.observed_decided} requests, {verdict} the stated tolerance of "
            f"{self.tolerance * 100:.0f} percentage points."
        )


def back_test(
    school: School,
    term: str | None = None,
    as_of: dt.date | None = None,
    runs: int = 200,
    seed: int = 1,
) -> BackTest:
    """Replay the school year up to a term's end (or ``as_of``) and compare its on-time share.

    The recorded requests arrive on their recorded days (with whether they led to a
    meeting); replies, reviews, annual reviews and bookings are simulated as in
    :func:`simulate` from the year's first day, with the school's staffing as it is. The
    share compared is for requests received in ``term`` (default the first term of the
    school year holding ``as_of``), as
    :func:`sendlib.rules.requests.response_summary` counts it on the replay's last day.
    """
    terms = school.calendar.terms
    # By default the first term of the school year being measured, not of the calendar:
    # a calendar that keeps last year's terms still replays this year's autumn.
    first = school_year(school, as_of).terms[0] if term is None else None
    chosen = first or next((t for t in terms if t.name == term), None)
    if chosen is None:
        raise ValueError(f"no term named {term!r}; terms: {', '.join(t.name for t in terms)}")
    end = min(chosen.end, as_of) if as_of else chosen.end
    model = fit_model(school, end, from_start=True, until=end, recorded_arrivals=True)
    model = replace(model, measure_from=day_index(model.days, chosen.start))
    result = simulate(model, None, runs=runs, seed=seed)
    shares = result.baseline.metrics["on_time_share"]
    observed = (
        response_summary(response_times(school, end), by="term")
        .filter(pl.col("term") == chosen.name)
        .row(0, named=True)
    )
    p10, p50, p90 = np.percentile(shares[np.isfinite(shares)], [10, 50, 90])
    return BackTest(
        term=chosen.name if end == chosen.end else f"{chosen.name} to {end:%d %b %Y}",
        observed_on_time_share=float(observed["on_time_share"]),
        observed_decided=int(observed["decided"]),
        simulated_p10=float(p10),
        simulated_median=float(p50),
        simulated_p90=float(p90),
    )
