"""Fixtures for the rules over many schools: the two samples, the tiny school and four generated."""

from pathlib import Path

import pytest

import sendlib
from sendlib.present.trust import generate_trust, school_folders

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data_samples"
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"


@pytest.fixture(scope="session")
def mixed_schools(tmp_path_factory) -> list[sendlib.School]:
    """Schools of both phases with different calendars, sizes and staffing, in one list."""
    trust_dir = tmp_path_factory.mktemp("trust")
    generate_trust(trust_dir, schools=10, seed=7, pupils=(120, 300))
    folders = [SAMPLES / "harbourside-primary", SAMPLES / "northgate-secondary", TINY]
    folders += school_folders(trust_dir)[:4]
    return [sendlib.load_school(f) for f in folders]
