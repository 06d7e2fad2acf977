"""Size of a wound outline on the skin: image outline -> card plane -> cm (docs/metrics.md).

The outline (upright full-resolution image px) is mapped through the calibration's homography
to the skin plane in mm, measured there by app.domain.wound_geometry, and converted to cm here,
the one place where photo millimetres become centimetres.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.wound_geometry import GeometryError, map_points, outline_measures
from app.imaging.calibrate import Calibration

MM_PER_CM = 10.0


@dataclass(frozen=True)
class WoundMeasurement:
    """Size of one traced wound on the skin."""

    area_cm2: float
    perimeter_cm: float
    length_cm: float  # longest length (max Feret diameter)
    width_cm: float  # widest width perpendicular to the length

    def as_json(self) -> dict:
        return {"area_cm2": self.area_cm2, "perimeter_cm": self.perimeter_cm,
                "length_cm": self.length_cm, "width_cm": self.width_cm}


def measure_outline(outline_px: Sequence[Sequence[float]],
                    calibration: Calibration) -> WoundMeasurement:
    """Area, perimeter, length and width of an image outline on the calibrated skin plane.

    Raises GeometryError for fewer than 3 points, no enclosed area, or a point beyond the
    plane's horizon.
    """
    if len(outline_px) < 3:
        raise GeometryError("an outline needs at least 3 points")
    plane = map_points(calibration.image_to_plane, outline_px)
    m = outline_measures(plane)
    return WoundMeasurement(area_cm2=m.area / MM_PER_CM ** 2, perimeter_cm=m.perimeter / MM_PER_CM,
                            length_cm=m.length / MM_PER_CM, width_cm=m.width / MM_PER_CM)
