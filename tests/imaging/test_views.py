"""Painted outlines, plane views and crops (app/imaging/views.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.wound_geometry import polygon_area
from app.imaging.calibrate import ruler_calibration
from app.imaging.segment import SegmentationError
from app.imaging.views import crop_working, outline_from_mask, paint_outline, plane_view


def circle(cx, cy, r, n=64):
    return [(cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n))
            for k in range(n)]


def test_painting_a_dot_on_nothing_gives_a_disc():
    outline = paint_outline(None, (200, 200), [([(100, 100)], 30, True)])
    assert polygon_area(outline) == pytest.approx(math.pi * 30 ** 2, rel=0.06)


def test_painting_in_grows_and_erasing_shrinks():
    base = circle(100, 100, 40)
    grown = paint_outline(base, (200, 200), [([(140, 100), (175, 100)], 10, True)])
    shrunk = paint_outline(base, (200, 200), [([(100, 60), (100, 140)], 10, False)])
    assert polygon_area(grown) > polygon_area(base) * 1.05
    assert polygon_area(shrunk) < polygon_area(base) * 0.8  # the largest half is kept


def test_erasing_everything_is_refused_with_a_message():
    with pytest.raises(SegmentationError, match="Nothing is left"):
        paint_outline(circle(50, 50, 10), (100, 100), [([(50, 50)], 30, False)])
    with pytest.raises(SegmentationError):
        outline_from_mask(np.zeros((10, 10), bool))


@settings(max_examples=60, deadline=None)
@given(st.integers(50, 900), st.integers(50, 700), st.floats(0, 1), st.floats(0, 1),
       st.floats(2, 200), st.integers(0, 800))
def test_a_crop_stays_inside_the_image_and_holds_the_wound(w, h, fx, fy, size, min_side):
    image = np.zeros((h, w, 3), np.uint8)
    cx, cy = fx * (w - 1), fy * (h - 1)
    outline = [(min(max(x, 0), w - 1), min(max(y, 0), h - 1))
               for x, y in circle(cx, cy, min(size, w / 2, h / 2), 16)]
    crop, (x0, y0) = crop_working(image, outline, min_side=min_side)
    ch, cw = crop.shape[:2]
    assert 0 <= x0 and 0 <= y0 and x0 + cw <= w and y0 + ch <= h
    assert cw >= min(min_side, w) - 1 and ch >= min(min_side, h) - 1
    assert all(x0 - 1 <= x <= x0 + cw and y0 - 1 <= y <= y0 + ch for x, y in outline)


def test_a_plane_view_keeps_real_distances():
    # 20 px per cm (2 px per mm) by a ruler; a 4-cm-wide wound
    calibration = ruler_calibration((0.0, 0.0), (200.0, 0.0), 10.0)
    image = np.full((400, 600, 3), 200, np.uint8)
    outline = circle(300, 200, 40)
    view = plane_view(image, 1.0, calibration, outline, px_per_mm=5.0, margin_mm=10.0)
    xs = [p[0] for p in view.outline]
    assert (max(xs) - min(xs)) / view.px_per_mm == pytest.approx(40.0, rel=0.01)  # mm
    assert view.width == pytest.approx((40 + 20) * 5.0, abs=2)
