"""Where a path given by a user or a notebook parameter points: as given, else the repository's.

papermill runs in the caller's working directory and nbval in the notebook's folder, so
a sample path such as ``data_samples/harbourside-primary`` (or a scenarios file beside
the samples) is tried from both. Kept free of polars and the rules, so
``sendlib explore`` can settle its folder before it starts Voila.
"""

from __future__ import annotations

from pathlib import Path

#: The repository root (notebooks name sample schools relative to it).
REPOSITORY = Path(__file__).resolve().parents[2]


def from_repository(path: str | Path) -> Path:
    """``path`` as given (``~`` expanded) if absolute or found, else relative to the repository."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return REPOSITORY / candidate
