"""Pictures of measured photos for the Photos tab and the reports: outlines, scale bars, cm
grids, views rectified to a common real-world scale, and a previous outline on today's photo.

All functions return new RGB uint8 arrays (the input is never drawn on). Outlines are in the
coordinates of the image given; `pixel_scale` (full-resolution px per image px) maps stored
full-resolution outlines and calibrations to a working copy or thumbnail.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.domain.wound_geometry import invert_3x3, map_points, polygon_centroid
from app.imaging.calibrate import Calibration

if TYPE_CHECKING:
    import numpy as np

OUTLINE_RGB = (0, 230, 255)
PREVIOUS_RGB = (255, 210, 0)
GRID_RGB = (255, 255, 255)
Points = Sequence[Sequence[float]]


def _scaled(points: Points, pixel_scale: float) -> list[tuple[float, float]]:
    """Full-resolution px -> image px for an image reduced by `pixel_scale`."""
    return [((x + 0.5) / pixel_scale - 0.5, (y + 0.5) / pixel_scale - 0.5) for x, y in points]


def draw_outline(image: np.ndarray, outline: Points, *, rgb: tuple[int, int, int] = OUTLINE_RGB,
                 width: int = 2, pixel_scale: float = 1.0) -> np.ndarray:
    """A copy of `image` with the closed outline drawn (anti-aliased, sub-pixel)."""
    import cv2
    import numpy as np

    out = image.copy()
    pts = np.round(np.asarray(_scaled(outline, pixel_scale)) * 16).astype(np.int32)
    cv2.polylines(out, [pts], True, rgb, width, cv2.LINE_AA, shift=4)
    return out


def draw_scale_bar(image: np.ndarray, px_per_cm: float, *, label: str | None = None
                   ) -> np.ndarray:
    """A copy with a 1, 2, 5 or 10 cm bar in the lower left corner, on a dark plate.

    The bar is true to the scale at the calibration point only when the view is tilted;
    rectified views (`rectify`) are true everywhere."""
    import cv2

    out = image.copy()
    h, w = out.shape[:2]
    cm = next((c for c in (1, 2, 5, 10) if c * px_per_cm >= w / 8), 10)
    length = round(cm * px_per_cm)
    thick = max(2, h // 150)
    x0, y0 = max(8, w // 40), h - max(12, h // 30)
    text = label or f"{cm} cm"
    scale = max(0.4, h / 1200)
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    cv2.rectangle(out, (x0 - 6, y0 - th - 3 * thick - 10), (x0 + max(length, tw) + 6, y0 + 6),
                  (0, 0, 0), -1)
    cv2.line(out, (x0, y0), (x0 + length, y0), (255, 255, 255), thick)
    cv2.putText(out, text, (x0, y0 - 2 * thick - 2), cv2.FONT_HERSHEY_SIMPLEX, scale,
                (255, 255, 255), 1, cv2.LINE_AA)
    return out


def rectify(image: np.ndarray, calibration: Calibration, *, region_mm: Sequence[float],
            px_per_mm: float, pixel_scale: float = 1.0) -> np.ndarray:
    """The skin plane seen from straight above at `px_per_mm`, over region_mm = (x0, y0, x1,
    y1) in card millimetres: two photos rectified at one px_per_mm are at the same real scale.
    Never upscales beyond what the photo holds unless asked: choose px_per_mm from
    `native_px_per_mm`."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = region_mm
    size = (max(1, round((x1 - x0) * px_per_mm)), max(1, round((y1 - y0) * px_per_mm)))
    # output px -> plane mm -> full-resolution px -> image px
    out_to_plane = np.array([[1 / px_per_mm, 0, x0 + 0.5 / px_per_mm],
                             [0, 1 / px_per_mm, y0 + 0.5 / px_per_mm], [0, 0, 1]])
    plane_to_full = np.array(invert_3x3(calibration.image_to_plane))
    k = pixel_scale
    full_to_image = np.array([[1 / k, 0, 0.5 / k - 0.5], [0, 1 / k, 0.5 / k - 0.5], [0, 0, 1]])
    matrix = full_to_image @ plane_to_full @ out_to_plane
    return cv2.warpPerspective(image, matrix, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(40, 40, 40))


def native_px_per_mm(calibration: Calibration, pixel_scale: float = 1.0) -> float:
    """The image's own resolution on the skin (px per mm at the card): rectifying at or below
    it never upscales the photo."""
    return calibration.px_per_cm / 10.0 / pixel_scale


def outline_region_mm(outline: Points, calibration: Calibration, *,
                      margin_mm: float = 10.0) -> tuple[float, float, float, float]:
    """The outline's bounding box on the skin plane (mm), with a margin."""
    plane = map_points(calibration.image_to_plane, outline)
    xs, ys = [p[0] for p in plane], [p[1] for p in plane]
    return (min(xs) - margin_mm, min(ys) - margin_mm, max(xs) + margin_mm, max(ys) + margin_mm)


def draw_cm_grid(image: np.ndarray, px_per_mm: float, *, rgb: tuple[int, int, int] = GRID_RGB,
                 alpha: float = 0.35) -> np.ndarray:
    """A copy of a rectified image with a 1 cm grid blended over it."""
    import numpy as np

    out = image.astype(np.float32)
    h, w = image.shape[:2]
    step = px_per_mm * 10
    colour = np.array(rgb, np.float32)
    for k in range(1, int(max(w, h) / step) + 1):
        pos = round(k * step)
        if pos < w:
            out[:, pos] = out[:, pos] * (1 - alpha) + colour * alpha
        if pos < h:
            out[pos, :] = out[pos, :] * (1 - alpha) + colour * alpha
    return out.astype(np.uint8)


def previous_outline_on(previous: Points, previous_calibration: Calibration, current: Points,
                        current_calibration: Calibration) -> list[tuple[float, float]]:
    """The previous visit's outline drawn in today's photo at its true size: mapped to the
    skin plane, moved so its centroid sits on today's outline's centroid (the card lies in a
    different place each visit), and mapped into today's image. Rotation is not matched."""
    old = map_points(previous_calibration.image_to_plane, previous)
    new = map_points(current_calibration.image_to_plane, current)
    (ox, oy), (nx, ny) = polygon_centroid(old), polygon_centroid(new)
    moved = [(x - ox + nx, y - oy + ny) for x, y in old]
    return map_points(invert_3x3(current_calibration.image_to_plane), moved)
