"""What-if queue mechanics: the serving core, checked against queueing theory.

Trust in the model, with the tolerance stated here and in the report's closing note:
the serving core's M/M/c mean wait is within 10% (relative) of the Erlang C formula.
"""

import math

import numpy as np
import pytest

from sendlib.planning import whatif

MMC_TOLERANCE = 0.10  # relative


def test_serve_oldest_first_takes_the_oldest_cohorts_first():
    queue = np.array([[2, 0, 3, 1], [1, 1, 1, 1]], dtype=np.int32)
    served = whatif.serve_oldest_first(queue, np.array([4, 1]))
    assert served.tolist() == [[2, 0, 2, 0], [1, 0, 0, 0]]
    assert queue.tolist() == [[0, 0, 1, 1], [0, 1, 1, 1]]


def test_mean_wait_matches_erlang_c():
    """M/M/c with lambda=3, mu=1, c=4 (load 75%): Erlang C gives Wq = 0.5094."""

    def erlang_c_wait(lam: float, mu: float, c: int) -> float:
        a = lam / mu
        top = a**c / math.factorial(c) / (1 - a / c)
        waiting = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
        return waiting / (c * mu - lam)

    exact = erlang_c_wait(3.0, 1.0, 4)
    assert exact == pytest.approx(0.5094, abs=1e-4)
    simulated = whatif.simulate_queue(3.0, 1.0, 4, horizon=600, runs=300, seed=1)
    assert abs(simulated - exact) / exact <= MMC_TOLERANCE, (simulated, exact)
    # Two servers at 80% load: a different queue, the same core.
    simulated = whatif.simulate_queue(1.6, 1.0, 2, horizon=600, runs=300, seed=1)
    assert abs(simulated - erlang_c_wait(1.6, 1.0, 2)) / erlang_c_wait(1.6, 1.0, 2) <= MMC_TOLERANCE
