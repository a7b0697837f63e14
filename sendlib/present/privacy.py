"""Small-number suppression that holds, for every output that leaves the SENDCo's desk.

DOMAIN.md "Privacy", following DfE practice for published statistics:

- *Primary suppression*: a count from 1 to ``threshold - 1`` (policy ``suppress_below``)
  is hidden. A true zero is shown, as DfE publishes zeros: it names no pupil, and hiding
  every zero would grey out most breakdowns while protecting no one. The exception is a
  zero inside a small total (a year group of 3 with 0 never met): there the zeros would
  say where the few pupils are, so every part of a small total is hidden.
- *Complementary suppression*: more entries are hidden until no hidden count can be
  worked back from what is shown, by subtracting from a row, column or grand total,
  by any chain of such subtractions, or from the bounds the markers give within a total
  ("<5" means 1 to 4, or 0 to 4 inside a small total; ``WITHHELD`` says nothing).
- *Shares*: a percentage is shown only where its count, the complement (total - count)
  and the total are all at or above the threshold, and count and total can already be
  read from what is shown, so a share never adds an equation.

:func:`protect` takes any set of counts and the sums that tie them together;
:func:`protect_table` builds that for a frame of counts by group with its margins. A
sentence, hover text, change arrow or cost sum asks the result (:meth:`Disclosure.known`,
:meth:`Table.share`, :meth:`Table.may_describe`) rather than the raw counts.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

#: Shown for a count hidden only to protect another (it may be of any size).
WITHHELD = "hidden"
_TOLERANCE = 1e-9


def small(threshold: int) -> str:
    """The marker for a hidden count below the threshold: ``"<5"`` for the default policy."""
    return f"<{threshold}"


def suppressed(count: int | None, threshold: int) -> bool:
    """Whether a count is small enough to hide (primary suppression: 1 to threshold - 1)."""
    return count is not None and 0 < count < threshold


def show_count(count: int | None, threshold: int) -> str:
    """A lone group count whose totals are not shown: the number, or ``"<5"`` when small."""
    if count is None:
        return "-"
    return small(threshold) if suppressed(count, threshold) else f"{count:,}"


def share_allowed(part: int, whole: int, threshold: int) -> bool:
    """Whether a share may be shown: its count, complement and total all reach the threshold."""
    return min(part, whole - part, whole) >= threshold


def show_share(part: int, whole: int, threshold: int) -> str:
    """A share of a group as a percentage, or the marker that stands in for it."""
    if whole == 0:
        return "-"
    if share_allowed(part, whole, threshold):
        return f"{part / whole:.0%}"
    return small(threshold) if min(part, whole) < threshold else WITHHELD


def shown_share(part: int, whole: int, threshold: int) -> float | None:
    """A share for a chart or a sentence, or ``None`` where :func:`show_share` hides it."""
    return part / whole if whole and share_allowed(part, whole, threshold) else None


@dataclass(frozen=True)
class Sum:
    """One published relation between counts: ``total`` is the sum of ``parts``."""

    total: Hashable
    parts: tuple[Hashable, ...]


class Disclosure:
    """Which of a set of counts may be shown, and what may be said about the hidden ones.

    Built by :func:`protect`; ``hidden`` holds the keys not to show.
    """

    def __init__(
        self,
        values: Mapping[Hashable, int],
        sums: Sequence[Sum],
        threshold: int,
        public: Collection[Hashable],
    ) -> None:
        self.threshold = threshold
        self.keys = list(values)
        self.values = np.array([int(values[k]) for k in self.keys], dtype=np.int64)
        self._index = {k: i for i, k in enumerate(self.keys)}
        self.public = frozenset(self._index[k] for k in public if k in self._index)
        self.matrix = np.zeros((len(sums), len(self.keys)))
        small_ones = {i for i, v in enumerate(self.values) if suppressed(int(v), threshold)}
        for row, relation in enumerate(sums):
            parts = [self._index[part] for part in relation.parts]
            for part in parts:
                self.matrix[row, part] += 1
            total = self._index[relation.total]
            self.matrix[row, total] -= 1
            # Within a small total the zeros would say where its few pupils are.
            if suppressed(int(self.values[total]), threshold):
                small_ones.update(parts)
        self._primary = small_ones - self.public
        self._floor = self._floors(sums)
        self._hidden = self._complete(self._primary)

    def _floors(self, sums: Sequence[Sum]) -> dict[int, int]:
        """The least value a reader can give each count marked "<5": 1, or 0 in a small total."""
        floors = dict.fromkeys(self._primary, 1)
        for relation in sums:
            if suppressed(int(self.values[self._index[relation.total]]), self.threshold):
                floors |= {self._index[p]: 0 for p in relation.parts if self._index[p] in floors}
        return floors

    @property
    def hidden(self) -> frozenset[Hashable]:
        """The keys of every count not to show."""
        return frozenset(self.keys[i] for i in self._hidden)

    def shows(self, key: Hashable) -> bool:
        """Whether the count under ``key`` may be shown."""
        return self._index[key] not in self._hidden

    def count(self, key: Hashable) -> int | None:
        """The count under ``key``, or ``None`` when it is hidden."""
        i = self._index[key]
        return None if i in self._hidden else int(self.values[i])

    def label(self, key: Hashable) -> str:
        """The count as text: the number, ``"<5"`` when small, ``WITHHELD`` when hidden for another."""
        i = self._index[key]
        if i not in self._hidden:
            return f"{int(self.values[i]):,}"
        return small(self.threshold) if i in self._primary else WITHHELD

    def known(self, keys: Iterable[Hashable]) -> int | None:
        """The sum of ``keys`` if a reader can already work it out from what is shown."""
        weights = np.zeros(len(self.keys))
        for key in keys:
            weights[self._index[key]] += 1
        unknown = sorted(self._hidden - self._exposed(self._hidden))
        if unknown and np.abs(self._null_space(unknown).T @ weights[unknown]).max(initial=0) > 1e-6:
            return None
        return int(weights @ self.values)

    # ----------------------------------------------------------------- the suppression

    def _null_space(self, hidden: list[int]) -> np.ndarray:
        """A basis (as columns) of the hidden values a reader cannot tell apart."""
        sub = self.matrix[:, hidden]
        if sub.size == 0:
            return np.eye(len(hidden))
        _, singular, vt = np.linalg.svd(sub)
        rank = int((singular > _TOLERANCE * max(1.0, singular.max(initial=0))).sum())
        return vt[rank:].T

    def _bounds(self, i: int, markers: bool) -> tuple[float, float]:
        """What a hidden count's marker tells a reader (``WITHHELD``: only that it is a count)."""
        if markers and i in self._primary:
            return (self._floor[i], self.threshold - 1)
        return (0, math.inf)

    def _exposed(self, hidden: set[int], markers: bool = True) -> set[int]:
        """Hidden counts a reader can work out exactly from what ``hidden`` leaves shown.

        Each count worked out (by elimination over every total, or because the markers
        leave one value within a total) is used to work out more, until nothing changes.
        """
        unknown = set(hidden)
        while unknown:
            order = sorted(unknown)
            null = self._null_space(order)
            found = {k for row, k in enumerate(order) if np.abs(null[row]).max(initial=0) < 1e-6}
            for equation in self.matrix:
                found |= self._pinned_by_bounds(equation, unknown, markers)
            if not found:
                break
            unknown -= found
        return set(hidden) - unknown

    def _pinned_by_bounds(self, equation: np.ndarray, hidden: set[int], markers: bool) -> set[int]:
        """Hidden counts of one total that its other counts' markers leave a single value."""
        members = [i for i in np.flatnonzero(equation) if i in hidden]
        if len(members) < 2:
            return set()
        rest = -sum(
            equation[i] * self.values[i] for i in np.flatnonzero(equation) if i not in hidden
        )
        spans = {}
        for i in members:
            low, high = self._bounds(i, markers)
            spans[i] = sorted((equation[i] * low, equation[i] * high))
        pinned = set()
        for i in members:
            others_low = sum(spans[j][0] for j in members if j != i)
            others_high = sum(spans[j][1] for j in members if j != i)
            ends = sorted(((rest - others_high) / equation[i], (rest - others_low) / equation[i]))
            low, high = self._bounds(i, markers)
            if max(low, ends[0]) == min(high, ends[1]):
                pinned.add(i)
        return pinned

    def _complete(self, hidden: set[int]) -> set[int]:
        """Add complementary suppressions until no hidden count can be worked out.

        A count worked out by subtraction is always protected, unless the public totals
        alone give it (a one-row table's cells are its column totals). One pinned only by
        the markers' bounds (two "<5" making a total of 8) is protected where hiding one
        more count does it; otherwise the marker's bound is the accepted cost of saying "<5".
        """
        hidden, given = set(hidden), set()
        hideable = set(range(len(self.keys))) - self.public
        while True:
            # A zero worked out names no pupil; what it leads to is caught in its turn.
            plain = sorted(i for i in self._exposed(hidden, False) - given if self.values[i])
            marked = sorted(i for i in self._exposed(hidden) - given if self.values[i])
            if not marked:
                return hidden
            target = (plain or marked)[0]
            partner = self._partner(target, hidden, hideable, markers=not plain)
            if partner is None:
                given.add(target)
            else:
                hidden.add(partner)

    def _partner(
        self, target: int, hidden: set[int], hideable: set[int], markers: bool
    ) -> int | None:
        """The shown count to hide next so ``target`` cannot be worked out.

        DfE practice: the smallest cell that protects it, totals last, first beside it and
        then anywhere in a total with a hidden count; failing that, one step towards it.
        """
        beside = self._related({target}) & hideable - hidden
        linked = self._related(hidden) & hideable - hidden
        for candidates in (beside, linked):
            for j in sorted(candidates, key=self._cost):
                if target not in self._exposed(hidden | {j}, markers):
                    return j
        if markers or target in self._exposed(hideable, False):
            return None
        return min(beside or linked, key=self._cost, default=None)

    def _related(self, entries: set[int]) -> set[int]:
        """Every count in a total with one of ``entries``."""
        rows = self.matrix[:, sorted(entries)].any(axis=1)
        return {int(j) for j in np.flatnonzero(self.matrix[rows].any(axis=0))}

    def _cost(self, i: int) -> tuple[bool, int, int]:
        """Hide cells before totals, and small counts before large (the least lost)."""
        return (bool((self.matrix[:, i] < 0).any()), int(self.values[i]), i)


def protect(
    values: Mapping[Hashable, int],
    sums: Iterable[Sum],
    threshold: int,
    public: Collection[Hashable] = (),
) -> Disclosure:
    """Decide which counts may be shown: small ones hidden, then enough others to protect them.

    ``sums`` are the relations a reader knows (a total is the sum of its parts);
    ``public`` counts are shown whatever their size (whole-school figures in the school's
    own report) and are never hidden to protect another.
    """
    return Disclosure(values, list(sums), threshold, public)


# --------------------------------------------------------------------- tables by group


class Table:
    """A frame of counts by group with its margins, after suppression (see :func:`protect_table`)."""

    def __init__(
        self,
        frame: pl.DataFrame,
        by: str,
        columns: Sequence[str],
        threshold: int,
        total: str | None,
        public_margins: bool,
    ) -> None:
        self.by, self.columns, self.total, self.threshold = by, list(columns), total, threshold
        self.groups = frame[by].to_list()
        values: dict[Hashable, int] = {}
        sums: list[Sum] = []
        rows = list(frame.select(self.columns).iter_rows())
        for group, row in zip(self.groups, rows, strict=True):
            values |= {
                ("cell", group, c): int(v or 0) for c, v in zip(self.columns, row, strict=True)
            }
            if total is not None:
                values[("total", group)] = int(sum(v or 0 for v in row))
                sums.append(Sum(("total", group), tuple(("cell", group, c) for c in self.columns)))
        for i, column in enumerate(self.columns):
            values[("margin", column)] = int(sum(int(r[i] or 0) for r in rows))
            sums.append(Sum(("margin", column), tuple(("cell", g, column) for g in self.groups)))
        values[("grand",)] = sum(values[("margin", c)] for c in self.columns)
        sums.append(Sum(("grand",), tuple(("margin", c) for c in self.columns)))
        if total is not None:
            sums.append(Sum(("grand",), tuple(("total", g) for g in self.groups)))
        margins = [("margin", c) for c in self.columns] + [("grand",)]
        self.disclosure = protect(values, sums, threshold, margins if public_margins else ())

    def count(self, group: Hashable, column: str) -> int | None:
        """One cell's count, or ``None`` when it is hidden."""
        return self.disclosure.count(("cell", group, column))

    def group_total(self, group: Hashable) -> int | None:
        """A group's total (its row of the table), or ``None`` when it is hidden."""
        return None if self.total is None else self.disclosure.count(("total", group))

    def known(self, group: Hashable, columns: Iterable[str]) -> int | None:
        """The sum of some of a group's cells, if a reader can work it out from the table."""
        return self.disclosure.known(("cell", group, c) for c in columns)

    def share(self, group: Hashable, columns: Iterable[str]) -> float | None:
        """The share of a group in ``columns``, where it may be shown, else ``None``."""
        whole = self.group_total(group)
        part = self.known(group, columns)
        if whole is None or part is None:
            return None
        return shown_share(part, whole, self.threshold)

    def share_label(self, group: Hashable, columns: Sequence[str]) -> str:
        """A group's share as text: ``"60%"``, or the marker that stands in for it."""
        share = self.share(group, columns)
        if share is not None:
            return f"{share * 100:.0f}%"
        # The marker may depend only on what is shown, or it would tell about hidden cells.
        marker = self.disclosure.label(("total", group)) if self.total is not None else None
        return small(self.threshold) if marker == small(self.threshold) else WITHHELD

    def may_describe(self, group: Hashable, columns: Iterable[str]) -> bool:
        """Whether a figure about the pupils in ``columns`` of a group (a cost, a change) may be shown.

        Only where their number can be read from the table and reaches the threshold.
        """
        number = self.known(group, columns)
        return number is not None and number >= self.threshold

    def labels(self) -> pl.DataFrame:
        """The table as text, one row per group: counts, ``"<5"`` or ``WITHHELD``."""
        data = {self.by: self.groups}
        if self.total is not None:
            data[self.total] = [self.disclosure.label(("total", g)) for g in self.groups]
        for c in self.columns:
            data[c] = [self.disclosure.label(("cell", g, c)) for g in self.groups]
        return pl.DataFrame(data)

    def shown_values(self, column: str) -> list[int | None]:
        """One column's counts in group order for a chart: ``None`` where hidden."""
        return [self.count(g, column) for g in self.groups]

    def shown_labels(self, column: str) -> list[str]:
        """One column's counts as hover text, in group order."""
        return [self.disclosure.label(("cell", g, column)) for g in self.groups]

    @cached_property
    def any_hidden(self) -> bool:
        """Whether anything in the table is hidden (the chart or table then says so)."""
        return bool(self.disclosure.hidden)


def protect_table(
    frame: pl.DataFrame,
    by: str,
    columns: Sequence[str],
    threshold: int,
    *,
    total: str | None = None,
    public_margins: bool = True,
) -> Table:
    """Suppress a frame of counts by group (one row per ``by``) so no hidden count can be recovered.

    ``total`` names each group's row total when it is shown beside the cells; the column
    totals and the grand total are the whole school's figures, shown elsewhere in the
    report, so they are public unless ``public_margins`` is false.
    """
    return Table(frame, by, columns, threshold, total, public_margins)


def change(before: int | None, after: int | None) -> int | None:
    """A change between two shown figures (for change arrows), or ``None`` if either is hidden.

    Both must already be shown (or be :meth:`Disclosure.known`), so the change adds nothing.
    """
    return None if before is None or after is None else after - before


def privacy_note(thresholds: int | Iterable[int]) -> str:
    """What an output hides and how it marks it, in the configured threshold(s), never a literal.

    A trust's schools may each set their own ``suppress_below``; the note then gives the range.
    """
    values = sorted({thresholds} if isinstance(thresholds, int) else set(thresholds))
    if len(values) == 1:
        t = values[0]
        fewer, marker, enough = f"fewer than {t}", f'"{small(t)}"', f"{t} or more"
    else:
        low, high = values[0], values[-1]
        fewer = f"fewer than the school's threshold ({low} to {high})"
        marker = f'"<" and that threshold ("{small(low)}")'
        enough = "at least the threshold"
    return (
        f"No pupil is named or identified: a count about a group of {fewer} pupils is shown "
        f'as {marker}, and a count that would let one be worked out from a total as "{WITHHELD}"; '
        f"a percentage is shown only where its pupils, the rest of the group and the group "
        f"all number {enough}."
    )
