"""What-if model fitting: request rates fitted from the school's own records."""

import datetime as dt
from pathlib import Path

import pytest

import sendlib
from sendlib.planning import whatif

ROOT = Path(__file__).resolve().parents[2]
SECONDARY = ROOT / "data_samples" / "northgate-secondary"
AS_OF = dt.date(2026, 3, 6)


def test_arrival_rates_reproduce_the_requests_seen(secondary):
    rates = whatif.fit_arrival_rates(secondary, AS_OF)
    seen = secondary.calendar.school_days(dt.date(2025, 9, 1), AS_OF)
    assert rates.per_day(seen).sum() == pytest.approx(rates.requests)
    # Requests received in the summer holiday are left out (they all land on 3 September).
    times = sendlib.response_times(secondary, AS_OF)
    times = times.filter(times["received_on"] >= dt.date(2025, 9, 3))
    assert rates.requests == times.height
    assert rates.routed_share == pytest.approx((times["status"] == "routed").mean())
    # A month not seen yet (May) is the average month.
    monday_in_may = dt.date(2026, 5, 4)
    assert rates.per_day([monday_in_may])[0] == pytest.approx(rates.base * rates.weekday_factor[0])
