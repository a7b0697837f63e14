"""The serving core of the simulation, and its check against queueing theory.

:func:`serve_oldest_first` answers waiting requests oldest first, every run at once;
:func:`simulate_queue` runs the same core as an M/M/c queue, so its mean wait can be
checked against the Erlang C formula (the queue mechanics' trust check).
"""

from __future__ import annotations

import numpy as np


def serve_oldest_first(queue: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Serve up to ``limit[r]`` items of each run from ``queue[r, :]``, oldest column first.

    ``queue`` (runs x cohorts, columns in arrival order) is reduced in place; the items
    served from each cohort are returned. This is the core both the school simulation
    and :func:`simulate_queue` use.
    """
    served = np.minimum(np.cumsum(queue, axis=1), limit[:, None])
    served[:, 1:] -= served[:, :-1].copy()
    queue -= served
    return served


def simulate_queue(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    horizon: float,
    runs: int,
    seed: int = 1,
    *,
    warm_up: float = 100.0,
) -> float:
    """Mean wait in queue of an M/M/c queue (FIFO), by the school simulation's serving core.

    Time moves in steps, as school days do in the what-if simulation, but here the steps
    are the ticks of a Poisson clock of rate ``arrival_rate + servers x service_rate``
    (uniformisation): at each tick one customer arrives, or one server (busy or not)
    finishes, with probabilities in proportion to the rates. Freed servers take waiting
    customers oldest first with :func:`serve_oldest_first`, and a customer's wait is
    counted in whole steps. Ticks are independent exponential gaps, so the mean wait is
    exactly the mean number of ticks waited over the clock's rate: no step-size error.
    Customers arriving in the first and last ``warm_up`` time units are not measured
    (the queue starts empty; the last may not be served yet).
    """
    if arrival_rate >= servers * service_rate:
        raise ValueError("an unstable queue (arrival rate at or above total service rate)")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 7919])))
    clock = arrival_rate + servers * service_rate
    ticks = int(round(horizon * clock))
    measured_from, measured_to = int(warm_up * clock), ticks - int(warm_up * clock)
    queue = np.zeros((runs, ticks), dtype=np.int32)
    busy = np.zeros(runs, dtype=np.int64)
    waited = np.zeros(runs)
    counted = np.zeros(runs)
    oldest = 0
    for t in range(ticks):
        draw = rng.random(runs) * clock
        arrives = draw < arrival_rate
        # A server finishes: server k (numbered busy ones first) is picked at rate mu each.
        finishes = ~arrives & ((draw - arrival_rate) // service_rate < busy)
        busy -= finishes
        queue[:, t] = arrives
        window = queue[:, oldest : t + 1]
        served = serve_oldest_first(window, servers - busy)
        busy += served.sum(axis=1)
        cohorts = np.arange(oldest, t + 1)
        measured = (cohorts >= measured_from) & (cohorts < measured_to)
        waited += (served[:, measured] * (t - cohorts[measured])).sum(axis=1)
        counted += served[:, measured].sum(axis=1)
        while oldest < t and not queue[:, oldest].any():
            oldest += 1
    return float(waited.sum() / counted.sum() / clock)
