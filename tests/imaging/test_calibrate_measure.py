"""Finding the card and measuring on the skin plane (app/imaging/calibrate.py, measure.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.domain.wound_geometry import GeometryError, local_scale_and_tilt
from app.imaging.calibrate import CalibrationError, find_card, ruler_calibration
from app.imaging.card import CARD_HEIGHT_MM, CARD_WIDTH_MM
from app.imaging.decode import decode_photo
from app.imaging.measure import measure_outline


@pytest.fixture(scope="module")
def calibrated(scenes):
    result = {}
    for name, scene in scenes.items():
        photo = decode_photo(scene.jpeg)
        result[name] = (scene, find_card(photo.working, pixel_scale=photo.working_scale))
    return result


@pytest.mark.parametrize("name", ["flat", "tilt25", "tilt40"])
def test_card_is_found_up_to_a_40_degree_tilt(calibrated, name):
    scene, calibration = calibrated[name]
    assert calibration is not None and calibration.method == "card"
    assert calibration.markers_found == 4
    assert calibration.residual_mm < 0.5
    true_scale, true_tilt = local_scale_and_tilt(scene.card_to_image.tolist(),
                                                 (CARD_WIDTH_MM / 2, CARD_HEIGHT_MM / 2))
    assert calibration.px_per_cm == pytest.approx(true_scale * 10, rel=0.02)
    assert calibration.tilt_deg == pytest.approx(true_tilt, abs=3)


@pytest.mark.parametrize("name", ["flat", "tilt25", "tilt40"])
def test_area_from_the_true_outline_is_within_2_percent(calibrated, name):
    scene, calibration = calibrated[name]
    measured = measure_outline(scene.outline_px, calibration)
    assert measured.area_cm2 == pytest.approx(scene.area_cm2, rel=0.02)
    assert measured.width_cm <= measured.length_cm
    assert measured.area_cm2 <= measured.length_cm * measured.width_cm


def test_no_card_gives_none():
    rng = np.random.default_rng(5)
    skin = np.clip(rng.normal(170, 12, (300, 400, 3)), 0, 255).astype(np.uint8)
    assert find_card(skin) is None


def test_calibration_survives_a_json_round_trip(calibrated):
    _, calibration = calibrated["tilt25"]
    from app.imaging.calibrate import Calibration

    assert Calibration.from_json(calibration.as_json()) == calibration


def test_ruler_calibration_measures_a_square():
    calibration = ruler_calibration((10, 10), (10, 260), 5.0)  # 250 px for 5 cm
    assert calibration.px_per_cm == pytest.approx(50)
    square = [(100, 100), (200, 100), (200, 200), (100, 200)]  # 2 cm x 2 cm
    m = measure_outline(square, calibration)
    assert m.area_cm2 == pytest.approx(4.0)
    assert m.perimeter_cm == pytest.approx(8.0)
    assert m.length_cm == pytest.approx(2 * math.sqrt(2))
    assert m.width_cm == pytest.approx(2 * math.sqrt(2))


@pytest.mark.parametrize("points,distance", [(((0, 0), (3, 0)), 1.0), (((0, 0), (100, 0)), 0.0),
                                             (((0, 0), (100, 0)), float("nan"))])
def test_bad_ruler_input_is_refused(points, distance):
    with pytest.raises(CalibrationError):
        ruler_calibration(*points, distance)


def test_degenerate_outline_is_refused():
    calibration = ruler_calibration((0, 0), (100, 0), 2.0)
    with pytest.raises(GeometryError):
        measure_outline([(0, 0), (10, 10)], calibration)


def test_calibration_in_worker_threads_matches_the_main_thread(scenes, calibrated):
    from concurrent.futures import ThreadPoolExecutor

    photos = {name: decode_photo(scene.jpeg) for name, scene in scenes.items()}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(find_card, p.working, pixel_scale=p.working_scale)
                   for name, p in photos.items()}
        results = {name: f.result() for name, f in futures.items()}
    for name, result in results.items():
        assert result == calibrated[name][1]


def test_a_marker_covered_by_a_finger_still_calibrates(scenes):
    import cv2

    from app.imaging.card import MARKER_MM, MARKERS

    scene = scenes["tilt25"]
    photo = decode_photo(scene.jpeg)
    covered = photo.working.copy()
    m = MARKERS[2]
    square = np.array([[m.x_mm - 1, m.y_mm - 1], [m.x_mm + MARKER_MM + 1, m.y_mm - 1],
                       [m.x_mm + MARKER_MM + 1, m.y_mm + MARKER_MM + 1],
                       [m.x_mm - 1, m.y_mm + MARKER_MM + 1]], np.float64).reshape(-1, 1, 2)
    corners = cv2.perspectiveTransform(square, scene.card_to_image).reshape(-1, 2)
    cv2.fillConvexPoly(covered, np.round(corners).astype(np.int32), (205, 160, 140))
    calibration = find_card(covered)
    assert calibration is not None and calibration.markers_found == 3
    measured = measure_outline(scene.outline_px, calibration)
    assert measured.area_cm2 == pytest.approx(scene.area_cm2, rel=0.02)
