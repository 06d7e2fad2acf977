"""Synthetic scenes shared by the imaging tests (small frames, so the tests stay fast)."""
from __future__ import annotations

import pytest

from app.imaging.synthetic import SyntheticPhoto, synthetic_photo

SMALL = (800, 600)


@pytest.fixture(scope="session")
def scenes() -> dict[str, SyntheticPhoto]:
    """A flat view, a medium tilt and a steep 40-degree tilt, each with a mid-sized wound."""
    return {
        "flat": synthetic_photo(101, size=SMALL, tilt_deg=0.0, area_cm2=12.0, jpeg_quality=90),
        "tilt25": synthetic_photo(102, size=SMALL, tilt_deg=25.0, area_cm2=6.0),
        "tilt40": synthetic_photo(103, size=SMALL, tilt_deg=40.0, area_cm2=20.0),
    }
