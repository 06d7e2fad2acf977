"""Views of a photo for people: painted outlines corrected, and the skin plane seen from above.

- `paint_outline(outline, shape, strokes)`: the outline's mask with brush strokes added or
  removed, traced again (the outline editor's paint mode).
- `plane_view(...)`: the working copy warped onto the skin plane (the card's plane, mm) at a
  chosen px per mm, cropped around the wound: two photos shown at one real-world scale with a
  1-cm grid (the chart's Photos tab) and a true scale bar in print (app.reports.photos).

Pure functions of arrays and numbers, for any thread (docs/metrics.md, photos).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.wound_geometry import apply_homography, map_points

if TYPE_CHECKING:
    import numpy as np

    from app.imaging.calibrate import Calibration

Stroke = tuple[Sequence[Sequence[float]], float, bool]  # points, brush radius px, add?
MAX_VIEW_SIDE = 2400  # px: a plane view larger than this is drawn at a coarser scale


def paint_outline(outline: Sequence[Sequence[float]] | None, shape: tuple[int, int],
                  strokes: Sequence[Stroke]) -> list[tuple[float, float]]:
    """The outline (px of an image of `shape` rows x columns) after painting: each stroke is
    a polyline drawn with a round brush, adding to the wound or removing from it. Returns the
    largest region's outline; SegmentationError when nothing is left."""
    import cv2
    import numpy as np

    from app.imaging.segment import rasterize

    mask = rasterize(outline, shape).astype(np.uint8) if outline else np.zeros(shape, np.uint8)
    for points, radius, add in strokes:
        pts = np.round(np.asarray(points, np.float64)).astype(np.int32).reshape(-1, 1, 2)
        r = max(1, int(round(radius)))
        value = 1 if add else 0
        if len(pts) == 1:
            cv2.circle(mask, tuple(int(v) for v in pts[0, 0]), r, value, -1)
        else:
            cv2.polylines(mask, [pts], False, value, thickness=2 * r, lineType=cv2.LINE_8)
            for p in pts[:, 0]:
                cv2.circle(mask, (int(p[0]), int(p[1])), r, value, -1)
    return outline_from_mask(mask.astype(bool))


def outline_from_mask(mask: np.ndarray) -> list[tuple[float, float]]:
    """The outline (pixel centres at integers) of the largest region of a boolean mask."""
    import cv2
    import numpy as np

    from app.imaging.segment import SegmentationError

    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_NONE)
    contours = [c for c in contours if cv2.contourArea(c) > 0]
    if not contours:
        raise SegmentationError("Nothing is left of the outline: paint the wound again.")
    contour = max(contours, key=cv2.contourArea)
    contour = cv2.approxPolyDP(contour, 0.7, True).reshape(-1, 2).astype(np.float64)
    return [(float(x), float(y)) for x, y in contour]


@dataclass(frozen=True)
class PlaneView:
    """A region of the skin plane seen from straight above.

    `rgb` is rows x columns x 3; view px (u, v) shows plane mm (x0 + (u + 0.5) / px_per_mm,
    y0 + (v + 0.5) / px_per_mm). `outline` is the wound outline in view px (None: none drawn).
    """

    rgb: np.ndarray
    px_per_mm: float
    origin_mm: tuple[float, float]
    outline: list[tuple[float, float]] | None
    outline_mm: list[tuple[float, float]] | None

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


def native_px_per_mm(calibration: Calibration, working_scale: float) -> float:
    """The working copy's own resolution on the skin (px per mm) at the card or ruler."""
    return calibration.px_per_cm / 10.0 / working_scale


def plane_region(calibration: Calibration, outline_full: Sequence[Sequence[float]] | None,
                 image_size: tuple[int, int], *, margin_mm: float) -> tuple[float, ...]:
    """The plane rectangle (x0, y0, x1, y1 mm) to show: the wound with a margin, or the part
    of the plane around the image centre when there is no outline."""
    if outline_full:
        pts = map_points(calibration.image_to_plane, outline_full)
    else:
        w, h = image_size
        pts = [apply_homography(calibration.image_to_plane, (w / 2, h / 2))]
        margin_mm = max(margin_mm, 40.0)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs) - margin_mm, min(ys) - margin_mm, max(xs) + margin_mm, max(ys) + margin_mm)


def plane_view(working: np.ndarray, working_scale: float, calibration: Calibration,
               outline_full: Sequence[Sequence[float]] | None, *, px_per_mm: float,
               region_mm: Sequence[float] | None = None, margin_mm: float = 15.0,
               image_size: tuple[int, int] | None = None) -> PlaneView:
    """The working copy warped onto the skin plane at `px_per_mm` (see PlaneView)."""
    import cv2
    import numpy as np

    size = image_size or (round(working.shape[1] * working_scale),
                          round(working.shape[0] * working_scale))
    x0, y0, x1, y1 = region_mm or plane_region(calibration, outline_full, size,
                                               margin_mm=margin_mm)
    s = min(px_per_mm, MAX_VIEW_SIDE / max(x1 - x0, y1 - y0, 1e-6))
    cols, rows = max(1, math.ceil((x1 - x0) * s)), max(1, math.ceil((y1 - y0) * s))
    k = working_scale
    working_to_full = np.array([[k, 0, 0.5 * k - 0.5], [0, k, 0.5 * k - 0.5], [0, 0, 1]])
    plane_to_view = np.array([[s, 0, -x0 * s - 0.5], [0, s, -y0 * s - 0.5], [0, 0, 1]])
    matrix = plane_to_view @ np.asarray(calibration.image_to_plane, np.float64) @ working_to_full
    rgb = cv2.warpPerspective(np.ascontiguousarray(working), matrix, (cols, rows),
                              flags=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=(235, 235, 235))
    outline_mm = map_points(calibration.image_to_plane, outline_full) if outline_full else None
    outline = [((x - x0) * s - 0.5, (y - y0) * s - 0.5) for x, y in outline_mm] \
        if outline_mm else None
    return PlaneView(rgb=rgb, px_per_mm=s, origin_mm=(x0, y0), outline=outline,
                     outline_mm=outline_mm)


def crop_working(working: np.ndarray, outline_working: Sequence[Sequence[float]] | None, *,
                 margin: float = 0.8, min_side: int = 0) -> tuple[np.ndarray, tuple[int, int]]:
    """A crop of the working copy around the outline (its size plus `margin` of it on each
    side, at least `min_side` px each way where the image allows), or the whole image;
    returns the crop and its top-left corner (working px)."""
    h, w = working.shape[:2]
    if not outline_working:
        return working, (0, 0)
    xs = [p[0] for p in outline_working]
    ys = [p[1] for p in outline_working]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys), 40.0) * (0.5 + margin)
    half_w, half_h = min(max(half, min_side / 2), w / 2), min(max(half, min_side / 2), h / 2)
    x0 = int(min(max(cx - half_w, 0), w - 2 * half_w))
    y0 = int(min(max(cy - half_h, 0), h - 2 * half_h))
    return working[y0:y0 + int(2 * half_h), x0:x0 + int(2 * half_w)], (x0, y0)


def encode_jpeg(rgb: np.ndarray, quality: int = 90) -> bytes:
    """RGB pixels as JPEG bytes (for the report)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def decode_rgb(jpeg: bytes) -> np.ndarray:
    """A stored working copy or thumbnail (JPEG written by this program) as RGB pixels."""
    import io

    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as image:
        return np.asarray(image.convert("RGB"))
