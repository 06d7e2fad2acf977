"""From image pixels to millimetres on the skin: the calibration card, or two points on a ruler.

The card lies on the skin beside the wound, so card and wound share one plane. The homography
from image pixels to card millimetres (fitted to every detected marker corner) therefore maps
the wound outline to true lengths whatever the tilt, rotation and distance of the camera.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.wound_geometry import Matrix3, apply_homography, invert_3x3, local_scale_and_tilt
from app.imaging.card import CARD_HEIGHT_MM, CARD_WIDTH_MM, MARKERS

if TYPE_CHECKING:
    import numpy as np

RANSAC_THRESHOLD_MM = 1.0  # a corner further than this from the fit is a false detection
MIN_RULER_PX = 10.0
REFINE_MARGIN = 0.3  # crop around a marker for its refinement, in marker sizes
COARSE_ABOVE_PX = 1600  # images this long or longer are searched at half size first


class CalibrationError(ValueError):
    """A calibration that cannot be made; str(error) is a message for the nurse."""


@dataclass(frozen=True)
class Calibration:
    """How image pixels map to the skin plane.

    image_to_plane maps upright full-resolution image px to plane mm (card coordinates).
    px_per_cm is the image scale on the plane at the card (card) or along the ruler (ruler);
    tilt_deg is the camera's tilt from straight above at the card (0 for a ruler).
    """

    method: str  # "card" or "ruler"
    image_to_plane: Matrix3
    px_per_cm: float
    tilt_deg: float
    markers_found: int = 0
    residual_mm: float | None = None  # RMS distance of marker corners from the fit

    def as_json(self) -> dict:
        """Plain values for storage and the audit trail."""
        return {"method": self.method, "image_to_plane": [list(r) for r in self.image_to_plane],
                "px_per_cm": self.px_per_cm, "tilt_deg": self.tilt_deg,
                "markers_found": self.markers_found, "residual_mm": self.residual_mm}

    @classmethod
    def from_json(cls, value: dict) -> Calibration:
        rows = value["image_to_plane"]
        return cls(method=value["method"],
                   image_to_plane=tuple(tuple(float(v) for v in r) for r in rows),  # type: ignore[arg-type]
                   px_per_cm=float(value["px_per_cm"]), tilt_deg=float(value["tilt_deg"]),
                   markers_found=int(value.get("markers_found", 0)),
                   residual_mm=value.get("residual_mm"))


_PER_THREAD = threading.local()


def _detector(*, precise: bool = False):
    """ArUco detectors, one set per thread (calibration runs in worker threads): a fast one
    for the whole image, a precise one (AprilTag edge fitting) for crops around markers."""
    name = "precise" if precise else "fast"
    detector = getattr(_PER_THREAD, name, None)
    if detector is None:
        detector = _new_detector(precise)
        setattr(_PER_THREAD, name, detector)
    return detector


def _new_detector(precise: bool):
    import cv2

    from app.imaging.card import ARUCO_DICTIONARY

    parameters = cv2.aruco.DetectorParameters()
    parameters.cornerRefinementMethod = (cv2.aruco.CORNER_REFINE_APRILTAG if precise
                                         else cv2.aruco.CORNER_REFINE_SUBPIX)
    dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, ARUCO_DICTIONARY))
    return cv2.aruco.ArucoDetector(dictionary, parameters)


def _refined(gray: np.ndarray, quad: np.ndarray, marker_id: int) -> np.ndarray:
    """The marker's corners re-detected precisely in a crop around it (AprilTag edge fitting
    halves the area error of small or tilted markers; on the whole frame it would cost a
    second). The first detection when the crop finds nothing. (A reduced crop would be
    faster, but the edge fit then drifts by up to half a pixel.)"""
    import numpy as np

    h, w = gray.shape
    margin = REFINE_MARGIN * float(np.ptp(quad, axis=0).max())
    x0, y0 = (max(0, int(v - margin)) for v in quad.min(axis=0))
    x1, y1 = min(w, int(quad[:, 0].max() + margin) + 1), min(h, int(quad[:, 1].max() + margin) + 1)
    corners, ids, _ = _detector(precise=True).detectMarkers(
        np.ascontiguousarray(gray[y0:y1, x0:x1]))
    if ids is not None:
        for found, found_id in zip(corners, ids.ravel()):
            # AprilTag corners count from pixel corners, ours from pixel centres
            candidate = found.reshape(4, 2) + (x0 - 0.5, y0 - 0.5)
            if int(found_id) == marker_id and np.abs(candidate - quad).max() < 0.2 * margin + 2:
                return candidate
    return quad


def _gray(image: np.ndarray) -> np.ndarray:
    import cv2

    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _markers_in(gray: np.ndarray, shrink: int) -> dict[int, list[np.ndarray]]:
    """Marker quads by id, found in `gray` reduced `shrink` times (corners in full px)."""
    import cv2

    small = gray
    if shrink > 1:
        small = cv2.resize(gray, (gray.shape[1] // shrink, gray.shape[0] // shrink),
                           interpolation=cv2.INTER_AREA)
    corners, ids, _ = _detector().detectMarkers(small)
    seen: dict[int, list[np.ndarray]] = {}
    if ids is None:
        return seen
    fx, fy = gray.shape[1] / small.shape[1], gray.shape[0] / small.shape[0]
    for quad, marker_id in zip(corners, ids.ravel()):
        q = quad.reshape(4, 2).astype("float64")
        q[:, 0] = (q[:, 0] + 0.5) * fx - 0.5
        q[:, 1] = (q[:, 1] + 0.5) * fy - 0.5
        seen.setdefault(int(marker_id), []).append(q)
    return seen


def _coarse_markers(gray: np.ndarray) -> dict[int, list[np.ndarray]]:
    """Find the markers on a half-size copy of a large image (a quarter of the work; the
    corners are refined at full size after), and on the full image when that misses one."""
    if max(gray.shape) >= COARSE_ABOVE_PX:
        seen = _markers_in(gray, 2)
        if sum(1 for m in MARKERS if len(seen.get(m.marker_id, ())) == 1) == len(MARKERS):
            return seen
    return _markers_in(gray, 1)


def detect_marker_corners(image: np.ndarray, *, pixel_scale: float = 1.0
                          ) -> tuple[list[tuple[float, float]], list[tuple[float, float]], int]:
    """Matched (image px, card mm) corner pairs of the card's markers found in `image`.

    `image` may be a reduced copy: pixel_scale (full px per image px) maps its corners back to
    full-resolution coordinates (pixel centres at integers). Returns also the marker count.
    """
    gray = _gray(image)
    seen = _coarse_markers(gray)
    by_id = {m.marker_id: m for m in MARKERS}
    image_pts: list[tuple[float, float]] = []
    card_pts: list[tuple[float, float]] = []
    found = 0
    for marker_id, quads in seen.items():
        if marker_id not in by_id or len(quads) != 1:
            continue  # another dictionary id, or an ambiguous duplicate
        found += 1
        for (x, y), mm in zip(_refined(gray, quads[0], marker_id), by_id[marker_id].corners_mm()):
            image_pts.append(((x + 0.5) * pixel_scale - 0.5, (y + 0.5) * pixel_scale - 0.5))
            card_pts.append(mm)
    return image_pts, card_pts, found


def find_card(image: np.ndarray, *, pixel_scale: float = 1.0) -> Calibration | None:
    """Calibrate from the card in an RGB or grey image; None when no card marker is found."""
    import cv2
    import numpy as np

    image_pts, card_pts, found = detect_marker_corners(image, pixel_scale=pixel_scale)
    if found == 0:
        return None
    src = np.asarray(image_pts, np.float64)
    dst = np.asarray(card_pts, np.float64)
    if found == 1:
        matrix, inliers = cv2.findHomography(src, dst, 0)
    else:
        matrix, inliers = cv2.findHomography(src, dst, cv2.RANSAC, RANSAC_THRESHOLD_MM)
    if matrix is None:
        return None
    keep = inliers.ravel().astype(bool) if inliers is not None else np.ones(len(src), bool)
    projected = cv2.perspectiveTransform(src[keep].reshape(-1, 1, 2), matrix).reshape(-1, 2)
    residual = float(np.sqrt(np.mean(np.sum((projected - dst[keep]) ** 2, axis=1))))
    image_to_plane: Matrix3 = tuple(tuple(float(v) for v in row) for row in matrix)  # type: ignore[assignment]
    scale_px_per_mm, tilt = local_scale_and_tilt(
        invert_3x3(image_to_plane), (CARD_WIDTH_MM / 2, CARD_HEIGHT_MM / 2))
    return Calibration(method="card", image_to_plane=image_to_plane,
                       px_per_cm=scale_px_per_mm * 10.0, tilt_deg=tilt, markers_found=found,
                       residual_mm=residual)


def card_white_rgb(image: np.ndarray, calibration: Calibration, *,
                   pixel_scale: float = 1.0) -> tuple[float, float, float] | None:
    """The colour of the card's white patch in `image` (median RGB of its inner part), for
    white balance; None for a ruler calibration or a patch outside the image."""
    import numpy as np

    from app.imaging.card import WHITE_PATCH_MM

    if calibration.method != "card":
        return None
    x, y, w, h = WHITE_PATCH_MM
    inset = 2.0  # mm: clear of the patch's printed frame
    grid = [(x + inset + (w - 2 * inset) * i / 9, y + inset + (h - 2 * inset) * j / 9)
            for i in range(10) for j in range(10)]
    to_image = invert_3x3(calibration.image_to_plane)
    rows, cols = image.shape[:2]
    samples = []
    for px, py in (apply_homography(to_image, p) for p in grid):
        u, v = round((px + 0.5) / pixel_scale - 0.5), round((py + 0.5) / pixel_scale - 0.5)
        if not (0 <= u < cols and 0 <= v < rows):
            return None
        samples.append(image[v, u, :3])
    median = np.median(np.asarray(samples, np.float64), axis=0)
    return float(median[0]), float(median[1]), float(median[2])


def ruler_calibration(first: tuple[float, float], second: tuple[float, float],
                      distance_cm: float) -> Calibration:
    """Calibrate from two image points on a ruler and the distance typed between them.

    Assumes the ruler lies flat beside the wound and the camera looks straight down; a tilted
    view makes every measure wrong by the tilt's foreshortening, which the card would correct.
    """
    if not (isinstance(distance_cm, (int, float)) and math.isfinite(distance_cm)
            and distance_cm > 0):
        raise CalibrationError("Type the distance between the two ruler points, in cm (above 0).")
    pixels = math.dist(first, second)
    if pixels < MIN_RULER_PX:
        raise CalibrationError("The two ruler points are too close together; click two marks "
                               "further apart.")
    mm_per_px = distance_cm * 10.0 / pixels
    return Calibration(method="ruler",
                       image_to_plane=((mm_per_px, 0.0, 0.0), (0.0, mm_per_px, 0.0),
                                       (0.0, 0.0, 1.0)),
                       px_per_cm=pixels / distance_cm, tilt_deg=0.0)
