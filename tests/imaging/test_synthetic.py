"""The synthetic photo generator is deterministic and true to its numbers (synthetic.py)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.domain.wound_geometry import polygon_area
from app.imaging.synthetic import synthetic_photo, wound_outline_mm


def test_same_seed_same_photo():
    a = synthetic_photo(7, size=(400, 300))
    b = synthetic_photo(7, size=(400, 300))
    assert a.jpeg == b.jpeg and a.outline_px == b.outline_px
    assert synthetic_photo(8, size=(400, 300)).jpeg != a.jpeg


def test_truth_is_consistent():
    scene = synthetic_photo(9, size=(400, 300), area_cm2=5.0, tilt_deg=30)
    assert Image.open(io.BytesIO(scene.jpeg)).size == (400, 300)
    assert scene.area_cm2 == 5.0 and scene.tilt_deg == 30
    assert scene.mask.shape == (300, 400) and scene.mask.any()
    x0, y0, x1, y1 = scene.box
    assert all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in scene.outline_px)
    assert polygon_area(scene.outline_px) == pytest.approx(scene.mask.sum(), rel=0.05)


@pytest.mark.parametrize("area", [0.2, 3.3, 40.0])
def test_outline_has_the_requested_area(area):
    import numpy as np

    outline = wound_outline_mm(np.random.default_rng(1), area)
    assert polygon_area(outline) / 100 == pytest.approx(area, rel=1e-9)
