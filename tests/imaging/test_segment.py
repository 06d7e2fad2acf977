"""Outline proposals and tissue colours (app/imaging/segment.py, pipeline.py)."""
from __future__ import annotations

import numpy as np
import pytest

from app.imaging.decode import decode_photo
from app.imaging.pipeline import analyse_photo
from app.imaging.segment import (
    SegmentationError,
    outline_from_box,
    outline_from_click,
    rasterize,
    tissue_colours,
)


def dice(a: np.ndarray, b: np.ndarray) -> float:
    return 2 * float((a & b).sum()) / float(a.sum() + b.sum())


@pytest.fixture(scope="module")
def easy(scenes):
    scene = scenes["flat"]
    return scene, decode_photo(scene.jpeg)


def test_box_outline_matches_the_true_wound(easy):
    scene, photo = easy
    outline = outline_from_box(photo.working, scene.box)
    assert dice(rasterize(outline, scene.mask.shape), scene.mask) >= 0.9


def test_click_outline_matches_the_true_wound(easy):
    scene, photo = easy
    centre = tuple(np.mean(scene.outline_px, axis=0))
    outline = outline_from_click(photo.working, centre)
    assert dice(rasterize(outline, scene.mask.shape), scene.mask) >= 0.85


def test_tissue_colours_are_near_the_truth(easy):
    scene, photo = easy
    shares = tissue_colours(photo.working, scene.outline_px)
    assert sum(shares.values()) == pytest.approx(100, abs=0.2)
    for colour in ("red", "yellow", "black"):
        assert shares[colour] == pytest.approx(scene.tissue_pct[colour], abs=10)


def test_a_box_of_a_few_pixels_is_refused(easy):
    _, photo = easy
    with pytest.raises(SegmentationError):
        outline_from_box(photo.working, (100, 100, 101, 101))


def test_analysis_measures_the_box_proposal(scenes):
    scene = scenes["tilt25"]
    doc = analyse_photo(scene.jpeg, box=scene.box).as_json()
    assert doc["calibrated"] is True and doc["method"] == "card"
    assert set(doc) == {"calibrated", "method", "px_per_cm", "tilt_deg", "outline", "area_cm2",
                        "perimeter_cm", "length_cm", "width_cm"}
    assert doc["area_cm2"] == pytest.approx(scene.area_cm2, rel=0.1)
    assert doc["length_cm"] >= doc["width_cm"] > 0


def test_an_uncalibrated_photo_gets_no_measurement():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 150), (200, 160, 140)).save(out, format="PNG")
    analysis = analyse_photo(out.getvalue(), outline=[(10, 10), (50, 10), (50, 40)])
    assert analysis.calibration is None and analysis.measurement is None
    assert analysis.as_json()["calibrated"] is False


def test_outline_and_box_arguments_are_parsed_or_refused_clearly():
    from app.imaging.pipeline import parse_box, parse_outline

    assert parse_outline("[[1, 2], [3.5, 4], [5, 0]]") == [(1.0, 2.0), (3.5, 4.0), (5.0, 0.0)]
    assert parse_box("30,40,10,20") == (10.0, 20.0, 30.0, 40.0)
    for bad, words in [("not json", "not JSON"), ("[[1, 2]]", "at least 3"),
                       ('[[1, 2], [3, "x"], [5, 6]]', "point 2"), ("[[1,2],[3,4],[5]]", "point 3")]:
        with pytest.raises(ValueError, match=words):
            parse_outline(bad)
    for bad in ("1,2,3", "1,2,3,x", "1,2,1,5"):
        with pytest.raises(ValueError):
            parse_box(bad)


def test_white_balance_from_the_card_undoes_a_colour_cast(easy):
    from app.imaging.calibrate import card_white_rgb, find_card

    scene, photo = easy
    calibration = find_card(photo.working)
    cast = np.clip(photo.working * np.array([0.7, 0.95, 1.35]), 0, 255).astype(np.uint8)
    white = card_white_rgb(cast, calibration)
    assert white[2] > white[0] * 1.5  # the bluish light is seen on the white patch
    plain = tissue_colours(cast, scene.outline_px)
    balanced = tissue_colours(cast, scene.outline_px, white_rgb=white)

    def error(shares):
        return sum(abs(shares[c] - scene.tissue_pct[c]) for c in ("red", "yellow", "black"))

    assert error(balanced) < error(plain)
    assert error(balanced) <= 20
