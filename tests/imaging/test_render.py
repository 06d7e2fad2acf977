"""Outlines, scale bars, grids, rectified views and the previous outline (render.py)."""
from __future__ import annotations

import numpy as np
import pytest

from app.imaging.calibrate import find_card
from app.imaging.card import CARD_HEIGHT_MM, CARD_WIDTH_MM
from app.imaging.decode import decode_photo
from app.imaging.measure import measure_outline
from app.imaging.render import (
    draw_cm_grid,
    draw_outline,
    draw_scale_bar,
    native_px_per_mm,
    outline_region_mm,
    previous_outline_on,
    rectify,
)


@pytest.fixture(scope="module")
def tilted(scenes):
    scene = scenes["tilt40"]
    photo = decode_photo(scene.jpeg)
    return scene, photo, find_card(photo.working, pixel_scale=photo.working_scale)


def test_outline_is_drawn_on_a_copy(tilted):
    scene, photo, _ = tilted
    drawn = draw_outline(photo.working, scene.outline_px, rgb=(0, 255, 0))
    assert not np.array_equal(drawn, photo.working)
    x, y = (round(v) for v in scene.outline_px[0])
    assert drawn[y, x, 1] > 200 and photo.working[y, x, 1] < 200


def test_rectified_card_is_seen_from_straight_above_at_the_asked_scale(tilted):
    _, photo, calibration = tilted
    view = rectify(photo.working, calibration, region_mm=(-10, -10, CARD_WIDTH_MM + 10,
                                                          CARD_HEIGHT_MM + 10), px_per_mm=5)
    assert view.shape[:2] == (round((CARD_HEIGHT_MM + 20) * 5), round((CARD_WIDTH_MM + 20) * 5))
    again = find_card(view)
    assert again is not None and again.markers_found == 4
    assert again.px_per_cm == pytest.approx(50, rel=0.01)
    assert again.tilt_deg < 5  # foreshortening grows as tilt², so near 0 the estimate is ±3°


def test_native_resolution_and_region(tilted):
    scene, _, calibration = tilted
    assert native_px_per_mm(calibration) == pytest.approx(calibration.px_per_cm / 10)
    x0, y0, x1, y1 = outline_region_mm(scene.outline_px, calibration, margin_mm=0)
    measured = measure_outline(scene.outline_px, calibration)
    assert (x1 - x0) * (y1 - y0) / 100 >= measured.area_cm2


def test_previous_outline_keeps_its_true_size_on_another_photo(scenes, tilted):
    scene_a, _, cal_a = tilted
    scene_b = scenes["flat"]
    photo_b = decode_photo(scene_b.jpeg)
    cal_b = find_card(photo_b.working, pixel_scale=photo_b.working_scale)
    moved = previous_outline_on(scene_a.outline_px, cal_a, scene_b.outline_px, cal_b)
    assert measure_outline(moved, cal_b).area_cm2 == pytest.approx(
        measure_outline(scene_a.outline_px, cal_a).area_cm2, rel=1e-6)
    same = previous_outline_on(scene_b.outline_px, cal_b, scene_b.outline_px, cal_b)
    assert np.allclose(same, scene_b.outline_px, atol=1e-6)


def test_scale_bar_and_grid_mark_the_image():
    blank = np.full((300, 400, 3), 128, np.uint8)
    barred = draw_scale_bar(blank, px_per_cm=40)
    assert (barred[250:, :150] == 255).any() and (barred[:100, 300:] == 128).all()
    grid = draw_cm_grid(blank, px_per_mm=5)
    assert grid[25, 50].mean() > 140 and grid[25, 25].mean() == 128  # a line, between lines
