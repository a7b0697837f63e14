"""Small-number suppression for reports that leave the SENDCo's desk (DOMAIN.md, "Privacy").

Any count about a group smaller than the whole school that is below the threshold
(policy ``suppress_below``, default 5) is shown as "<5"; so is any share whose group is
smaller than the threshold, since a share of two pupils is as telling as the count.
"""

from __future__ import annotations

import polars as pl


def suppressed(count: int | None, threshold: int) -> bool:
    """Whether a group count must be hidden."""
    return count is not None and count < threshold


def show_count(count: int | None, threshold: int) -> str:
    """A group count as text: ``"<5"`` below the threshold, otherwise the number."""
    if count is None:
        return "-"
    return f"<{threshold}" if suppressed(count, threshold) else f"{count:,}"


def show_share(part: int, whole: int, threshold: int) -> str:
    """A share of a group as a percentage; hidden when the group or the part is small."""
    if whole == 0:
        return "-"
    if suppressed(whole, threshold) or suppressed(part, threshold):
        return f"<{threshold}" if suppressed(part, threshold) else "suppressed"
    return f"{part / whole:.0%}"


def suppress_counts(frame: pl.DataFrame, columns: list[str], threshold: int) -> pl.DataFrame:
    """Replace small counts in ``columns`` with ``"<threshold"`` text, for tables in reports."""
    return frame.with_columns(
        pl.when(pl.col(c) < threshold)
        .then(pl.lit(f"<{threshold}"))
        .otherwise(pl.col(c).cast(pl.Int64).cast(pl.String))
        .alias(c)
        for c in columns
    )


def hide_small(frame: pl.DataFrame, columns: list[str], threshold: int) -> pl.DataFrame:
    """Set small counts to null (for charts), keeping a ``<col>_label`` text column for hover."""
    return frame.with_columns(
        *(pl.when(pl.col(c) >= threshold).then(pl.col(c)).alias(c) for c in columns),
        *(
            pl.when(pl.col(c) >= threshold)
            .then(pl.col(c).cast(pl.String))
            .otherwise(pl.lit(f"<{threshold}"))
            .alias(f"{c}_label")
            for c in columns
        ),
    )
