"""The calibration card's raster: the 1:1 size law and detectable markers (app/imaging/card.py)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.imaging.calibrate import detect_marker_corners
from app.imaging.card import (
    CARD_HEIGHT_MM,
    CARD_WIDTH_MM,
    MARKERS,
    card_png,
    card_size_px,
)


@pytest.mark.parametrize("dpi", [72, 96, 150, 203, 300])
def test_card_png_is_exactly_one_to_one(dpi):
    image = Image.open(io.BytesIO(card_png(dpi)))
    assert image.size == (round(CARD_WIDTH_MM / 25.4 * dpi), round(CARD_HEIGHT_MM / 25.4 * dpi))
    assert image.size == card_size_px(dpi)
    assert image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.05)  # PNG stores px per metre


def test_card_has_a_white_margin():
    pixels = Image.open(io.BytesIO(card_png(150))).convert("L")
    width, height = pixels.size
    border = [pixels.getpixel((x, 0)) for x in range(width)] + \
        [pixels.getpixel((0, y)) for y in range(height)]
    assert min(border) == 255


def test_every_marker_is_found_where_the_design_puts_it():
    dpi = 150
    import cv2
    import numpy as np

    image = np.asarray(Image.open(io.BytesIO(card_png(dpi))).convert("L"))
    # as a camera or scanner sees it: edges spread over a pixel or so, not cut on pixel lines
    image_pts, card_pts, found = detect_marker_corners(cv2.GaussianBlur(image, (0, 0), 0.8))
    assert found == len(MARKERS)
    px_per_mm = dpi / 25.4
    for (x, y), (mx, my) in zip(image_pts, card_pts):
        # a corner at mm (mx, my) sits on the pixel edge mx * px_per_mm, i.e. centre - 0.5
        assert x == pytest.approx(mx * px_per_mm - 0.5, abs=0.6)
        assert y == pytest.approx(my * px_per_mm - 0.5, abs=0.6)


def test_zero_dpi_is_refused():
    with pytest.raises(ValueError):
        card_size_px(0)
