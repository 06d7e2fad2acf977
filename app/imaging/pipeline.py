"""One photo from bytes to a measured outline: decode, find the card, propose or take an outline.

This is what `photo measure`, `photo attach` and the outline editor call (off the GUI thread).
Coordinates in and out are upright full-resolution image px; the work is done on the working
copy (long side <= 2048 px) and mapped back.
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.imaging.calibrate import Calibration, find_card
from app.imaging.decode import DecodedPhoto, decode_photo
from app.imaging.measure import WoundMeasurement, measure_outline

Outline = list[tuple[float, float]]


@dataclass(frozen=True)
class PhotoAnalysis:
    """A decoded photo, its calibration (None: no card found) and, if asked, an outline."""

    photo: DecodedPhoto
    calibration: Calibration | None
    outline_px: Outline | None
    measurement: WoundMeasurement | None

    def as_json(self) -> dict:
        """The `photo measure --json` document (docs/product.md, photos)."""
        c = self.calibration
        doc: dict = {"calibrated": c is not None,
                     "method": c.method if c else None,
                     "px_per_cm": round(c.px_per_cm, 3) if c else None,
                     "tilt_deg": round(c.tilt_deg, 2) if c else None,
                     "outline": [[round(x, 2), round(y, 2)] for x, y in self.outline_px]
                     if self.outline_px else None}
        m = self.measurement
        doc.update({"area_cm2": round(m.area_cm2, 3) if m else None,
                    "perimeter_cm": round(m.perimeter_cm, 3) if m else None,
                    "length_cm": round(m.length_cm, 3) if m else None,
                    "width_cm": round(m.width_cm, 3) if m else None})
        return doc


def to_working(photo: DecodedPhoto, point: Sequence[float]) -> tuple[float, float]:
    """Full-resolution px -> working-copy px (pixel centres at integers in both)."""
    k = photo.working_scale
    return (float(point[0]) + 0.5) / k - 0.5, (float(point[1]) + 0.5) / k - 0.5


def to_full(photo: DecodedPhoto, point: Sequence[float]) -> tuple[float, float]:
    """Working-copy px -> full-resolution px."""
    k = photo.working_scale
    return (float(point[0]) + 0.5) * k - 0.5, (float(point[1]) + 0.5) * k - 0.5


def propose_outline(photo: DecodedPhoto, *, box: Sequence[float] | None = None,
                    click: Sequence[float] | None = None) -> Outline:
    """A proposed wound outline (full-resolution px) from a box (x0, y0, x1, y1) or a click."""
    from app.imaging.segment import outline_from_box, outline_from_click

    if box is not None:
        x0, y0 = to_working(photo, box[:2])
        x1, y1 = to_working(photo, box[2:4])
        outline = outline_from_box(photo.working, (x0, y0, x1, y1))
    elif click is not None:
        outline = outline_from_click(photo.working, to_working(photo, click))
    else:
        raise ValueError("give a box or a click")
    return [to_full(photo, p) for p in outline]


def analyse_photo(data: bytes, *, outline: Sequence[Sequence[float]] | None = None,
                  box: Sequence[float] | None = None, click: Sequence[float] | None = None,
                  calibration: Calibration | None = None) -> PhotoAnalysis:
    """Decode, calibrate (the card, unless a calibration is given) and outline one photo.

    Raises PhotoError (bad file), SegmentationError (no outline proposed) or GeometryError
    (a degenerate outline). An uncalibrated photo gets an outline but no measurement.
    """
    photo = decode_photo(data)
    if calibration is None:
        calibration = find_card(photo.working, pixel_scale=photo.working_scale)
    traced: Outline | None = None
    if outline is not None:
        traced = [(float(p[0]), float(p[1])) for p in outline]
    elif box is not None or click is not None:
        traced = propose_outline(photo, box=box, click=click)
    measurement = measure_outline(traced, calibration) if traced and calibration else None
    return PhotoAnalysis(photo=photo, calibration=calibration, outline_px=traced,
                         measurement=measurement)


def parse_outline(text: str) -> Outline:
    """An outline from JSON text: a list of at least 3 [x, y] image-pixel points.
    ValueError with a clear message otherwise (`photo measure --outline FILE`)."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ValueError(f"the outline file is not JSON: {error}") from error
    if not isinstance(value, list) or len(value) < 3:
        raise ValueError("the outline must be a JSON list of at least 3 [x, y] points")
    points = []
    for k, point in enumerate(value):
        if (not isinstance(point, list) or len(point) != 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool)
                           and math.isfinite(c) for c in point)):
            raise ValueError(f"outline point {k + 1} is not an [x, y] pair of numbers")
        points.append((float(point[0]), float(point[1])))
    return points


def parse_box(text: str) -> tuple[float, float, float, float]:
    """A box "X0,Y0,X1,Y1" in image pixels (`photo measure --box`); ValueError otherwise."""
    parts = text.split(",")
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError as error:
        raise ValueError("the box must be four numbers X0,Y0,X1,Y1 (image pixels)") from error
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or x0 == x1 or y0 == y1:
        raise ValueError("the box must have a width and a height")
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
