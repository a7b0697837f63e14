"""Booking meetings into every run's diary at once: first fit, in bulk, or a surgery slot.

A diary is an array of minutes booked (runs x school days) against the minutes each day
may take (``room``); surgery slots are counted per run and day.
"""

from __future__ import annotations

import numpy as np


def first_fit(
    booked: np.ndarray,
    room: np.ndarray,
    earliest: np.ndarray,
    cost: float,
    active: np.ndarray,
    last: int,
) -> np.ndarray:
    """For each active run, the first day from ``earliest`` to ``last`` with ``cost`` free.

    Books it (adds ``cost`` to ``booked``) and returns the day, or -1 when none is free.
    Searches in widening windows, since most bookings land within days.
    """
    found = np.full(booked.shape[0], -1)
    todo = active & (earliest <= last)
    start = int(earliest[todo].min()) if todo.any() else last + 1
    width = 16
    while todo.any() and start <= last:
        stop = min(start + width, last + 1)
        columns = np.arange(start, stop)
        fits = (booked[:, start:stop] + cost <= room[start:stop]) & (
            columns[None, :] >= earliest[:, None]
        )
        hit = fits.any(axis=1) & todo
        found[hit] = start + fits[hit].argmax(axis=1)
        todo &= ~hit
        start, width = stop, width * 2
    rows = np.flatnonzero(found >= 0)
    booked[rows, found[rows]] += cost
    return found


def book_in_bulk(
    booked: np.ndarray, room: np.ndarray, count: np.ndarray, start: int, last: int, cost: float
) -> np.ndarray:
    """Book ``count[r]`` items of ``cost`` minutes into the first days with room (bulk).

    Returns how many of each run's items found a day from ``start`` to ``last``.
    """
    if start > last or not count.any():
        return np.zeros_like(count)
    window = booked[:, start : last + 1]
    fits = np.floor((room[start : last + 1] - window) / cost).clip(0, None)
    taken = np.minimum(np.cumsum(fits, axis=1), count[:, None])
    taken[:, 1:] -= taken[:, :-1].copy()
    window += taken * cost
    return taken.sum(axis=1).astype(count.dtype)


def first_free_slot(
    free: np.ndarray, start: np.ndarray, stop: np.ndarray, active: np.ndarray, last: int
) -> np.ndarray:
    """Per run, the first day from ``start`` to ``stop`` (not past ``last``) with a free slot.

    -1 where there is none; used for surgery slots.
    """
    found = np.full(free.shape[0], -1)
    lo, hi = int(start[active].min()), min(int(stop[active].max()), last)
    if lo > hi:
        return found
    columns = np.arange(lo, hi + 1)
    has = (
        (free[:, lo : hi + 1] > 0)
        & (columns[None, :] >= start[:, None])
        & (columns[None, :] <= stop[:, None])
    )
    hit = has.any(axis=1) & active
    found[hit] = lo + has[hit].argmax(axis=1)
    return found
