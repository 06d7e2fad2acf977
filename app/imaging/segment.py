"""Proposing a wound outline from a box dragged around it or a click inside it, and tissue colours.

GrabCut (Rother, Kolmogorov & Blake 2004, OpenCV's cv2.grabCut) separates the wound bed from the
skin by colour, on a crop around the box reduced to at most PROPOSAL_SIDE px so that a proposal
takes a fraction of a second. The outline is traced at sub-pixel precision and returned as a
polygon in the coordinates of the image given (pixel centres at integers).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

PROPOSAL_SIDE = 300  # px: long side of the crop GrabCut works on
SEARCH_SIDE = 96  # px: the same while a click's search box grows
SEARCH_ITERATIONS = 2
SEARCH_STEPS = 8  # growths of the click's search box, by 1.6 each from 1.5% of the diagonal
GRABCUT_ITERATIONS = 4
CONTOUR_UPSAMPLE = 4
WHITE_TARGET = 235.0  # the white patch's grey level after white balance
EDGE_SIGMA = 3.0  # px: neighbourhood of the local wound and skin colours at the edge
OUTLINE_TOLERANCE_PX = 0.5  # polygon simplification, in image px
Box = tuple[float, float, float, float]


class SegmentationError(ValueError):
    """No outline could be proposed; str(error) is a message for the nurse."""


def _largest_filled_component(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected region of a binary mask, with its holes filled."""
    import cv2
    import numpy as np

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    if count <= 1:
        return np.zeros(mask.shape, bool)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = (labels == biggest).astype(np.uint8)
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    filled = np.zeros_like(region)
    cv2.drawContours(filled, contours, -1, 1, thickness=cv2.FILLED)
    return filled.astype(bool)


def _soft_edge(crop: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per-pixel wound fraction (0-1) near the mask's edge: each edge pixel's colour placed
    between the local wound and skin colours, so a blurred edge is cut at its middle."""
    import cv2
    import numpy as np

    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    m = mask.astype(np.uint8)
    core = cv2.erode(m, kernel).astype(np.float32)
    skin = 1 - cv2.dilate(m, kernel).astype(np.float32)
    colours = crop.astype(np.float32)

    def local_mean(weight: np.ndarray) -> np.ndarray:
        total = cv2.GaussianBlur(weight, (0, 0), EDGE_SIGMA) + 1e-6
        weighted = cv2.GaussianBlur(colours * weight[:, :, None], (0, 0), EDGE_SIGMA)
        return weighted / total[:, :, None]

    wound_mean, skin_mean = local_mean(core), local_mean(skin)
    contrast = wound_mean - skin_mean
    along = np.sum((colours - skin_mean) * contrast, axis=2)
    alpha = along / (np.sum(contrast ** 2, axis=2) + 1e-6)
    alpha = np.clip(alpha, 0, 1)
    band = (core == 0) & (skin == 0)
    return np.where(band, alpha, m.astype(np.float32))


def _outline_of(soft: np.ndarray, scale: float, origin: tuple[float, float]
                ) -> list[tuple[float, float]]:
    """Sub-pixel outline of a wound-fraction map (reduced by `scale`, cropped at `origin`),
    mapped to the full image: its 0.5 level traced on a 4x finer grid."""
    import cv2
    import numpy as np

    up = CONTOUR_UPSAMPLE
    h, w = soft.shape
    fine = cv2.resize(soft, (w * up, h * up), interpolation=cv2.INTER_LINEAR) >= 0.5
    contours, _ = cv2.findContours(fine.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise SegmentationError("No wound was found in that area. Draw the outline by hand.")
    contour = max(contours, key=cv2.contourArea)
    tolerance = OUTLINE_TOLERANCE_PX * scale * up
    contour = cv2.approxPolyDP(contour, tolerance, True).reshape(-1, 2).astype(np.float64)
    # fine px -> reduced crop px -> crop px -> image px (pixel centres at integers)
    reduced = (contour + 0.5) / up - 0.5
    crop = (reduced + 0.5) / scale - 0.5
    return [(float(x + origin[0]), float(y + origin[1])) for x, y in crop]


def _grabcut(crop: np.ndarray, inside: tuple[int, int, int, int],
             sure: tuple[int, int] | None, iterations: int = GRABCUT_ITERATIONS) -> np.ndarray:
    """GrabCut on an RGB crop with everything outside `inside` (x0, y0, x1, y1) as skin."""
    import cv2
    import numpy as np

    mask = np.full(crop.shape[:2], cv2.GC_BGD, np.uint8)
    x0, y0, x1, y1 = inside
    mask[y0:y1, x0:x1] = cv2.GC_PR_FGD
    if sure is not None:
        cv2.circle(mask, sure, 2, cv2.GC_FGD, -1)
    background = np.zeros((1, 65), np.float64)
    foreground = np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(crop, cv2.COLOR_RGB2BGR)
    cv2.grabCut(bgr, mask, None, background, foreground, iterations, cv2.GC_INIT_WITH_MASK)
    return (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)


def _segment(image: np.ndarray, box: Box, sure: tuple[float, float] | None,
             side: int = PROPOSAL_SIDE) -> tuple[list[tuple[float, float]], bool]:
    """Outline inside `box`, and whether the wound touched the box's edge (box too small)."""
    import cv2
    import numpy as np

    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    margin = max(8.0, 0.12 * max(x1 - x0, y1 - y0))
    cx0, cy0 = max(0, math.floor(x0 - margin)), max(0, math.floor(y0 - margin))
    cx1, cy1 = min(w, math.ceil(x1 + margin) + 1), min(h, math.ceil(y1 + margin) + 1)
    crop = image[cy0:cy1, cx0:cx1]
    scale = min(1.0, side / max(crop.shape[:2]))
    if scale < 1.0:
        reduced_size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        crop = cv2.resize(crop, reduced_size, interpolation=cv2.INTER_AREA)
    sx, sy = crop.shape[1] / (cx1 - cx0), crop.shape[0] / (cy1 - cy0)

    def reduced(x: float, y: float) -> tuple[int, int]:
        return round((x - cx0 + 0.5) * sx - 0.5), round((y - cy0 + 0.5) * sy - 0.5)

    ix0, iy0 = reduced(x0, y0)
    ix1, iy1 = reduced(x1, y1)
    inside = (max(ix0, 1), max(iy0, 1),
              min(ix1 + 1, crop.shape[1] - 1), min(iy1 + 1, crop.shape[0] - 1))
    if inside[2] - inside[0] < 3 or inside[3] - inside[1] < 3:
        raise SegmentationError("The box is too small: drag it around the whole wound.")
    iterations = GRABCUT_ITERATIONS if side >= PROPOSAL_SIDE else SEARCH_ITERATIONS
    fg = _largest_filled_component(_grabcut(np.ascontiguousarray(crop), inside,
                                            reduced(*sure) if sure else None, iterations))
    if fg.sum() < 6:
        raise SegmentationError("No wound was found in that area. Draw the outline by hand.")
    ys, xs = np.nonzero(fg)
    touches = bool(xs.min() <= inside[0] or ys.min() <= inside[1]
                   or xs.max() >= inside[2] - 1 or ys.max() >= inside[3] - 1)
    soft = _soft_edge(crop, fg)
    return _outline_of(soft, (sx + sy) / 2, (cx0, cy0)), touches


def outline_from_box(image: np.ndarray, box: Box) -> list[tuple[float, float]]:
    """Wound outline inside a box (x0, y0, x1, y1, image px) dragged around the whole wound."""
    x0, y0, x1, y1 = box
    box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return _segment(image, box, None)[0]


def _holds(outline: list[tuple[float, float]], point: tuple[float, float]) -> bool:
    from app.domain.wound_geometry import point_in_polygon

    return len(outline) >= 3 and point_in_polygon(point, outline)


def _search_from_click(image: np.ndarray, point: tuple[float, float]
                       ) -> list[tuple[float, float]] | None:
    """Grow a coarse search box around the click until three successive boxes propose about
    the same outline, and take the middle one. A small box can propose a patch of slough
    inside a red wound, or leak into the skin through a thin margin; the wound itself stays
    put while the box grows around it."""
    from app.domain.wound_geometry import polygon_area

    h, w = image.shape[:2]
    x, y = point
    half = 0.015 * math.hypot(w, h)
    chain: list[tuple[list[tuple[float, float]], float]] = []
    last: list[tuple[float, float]] | None = None
    for _ in range(SEARCH_STEPS):
        box = (max(0.0, x - half), max(0.0, y - half),
               min(w - 1.0, x + half), min(h - 1.0, y + half))
        half *= 1.6
        try:
            outline, touches = _segment(image, box, point, side=SEARCH_SIDE)
        except SegmentationError:
            chain = []
            continue
        if touches or not _holds(outline, point):
            chain = []
            continue
        area = polygon_area(outline)
        if chain and max(area, chain[-1][1]) > 1.3 * min(area, chain[-1][1]):
            chain = []
        chain.append((outline, area))
        last = outline
        if len(chain) == 3:
            return chain[1][0]
    return chain[-1][0] if chain else last


def outline_from_click(image: np.ndarray, point: tuple[float, float]) -> list[tuple[float, float]]:
    """Wound outline around a point clicked inside the wound: a coarse search from the click,
    then the box around what it found is segmented at full quality."""
    h, w = image.shape[:2]
    x, y = point
    if not (0 <= x < w and 0 <= y < h):
        raise SegmentationError("The click is outside the photo.")
    outline = _search_from_click(image, (x, y))
    if not outline:
        raise SegmentationError("No wound was found around that point. Drag a box around the "
                                "wound or draw the outline by hand.")
    xs, ys = [p[0] for p in outline], [p[1] for p in outline]
    pad = 0.08 * max(max(xs) - min(xs), max(ys) - min(ys)) + 2
    final_box = (max(0.0, min(xs) - pad), max(0.0, min(ys) - pad),
                 min(w - 1.0, max(xs) + pad), min(h - 1.0, max(ys) + pad))
    try:
        final, _ = _segment(image, final_box, (x, y))
    except SegmentationError:
        return outline
    return final if _holds(final, (x, y)) else outline


def rasterize(outline: Sequence[Sequence[float]], shape: tuple[int, int]) -> np.ndarray:
    """Boolean mask (rows x columns) of the pixels at least half covered by an outline (filled
    on a 4x finer grid: OpenCV's fill alone also takes every pixel the edge touches)."""
    import cv2
    import numpy as np

    k = 4
    pts = np.asarray(outline, np.float64)
    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int) - 1, 0)
    x1 = min(int(np.ceil(pts[:, 0].max())) + 2, shape[1])
    y1 = min(int(np.ceil(pts[:, 1].max())) + 2, shape[0])
    mask = np.zeros(shape, bool)
    if x1 <= x0 or y1 <= y0:
        return mask
    fine = np.zeros(((y1 - y0) * k, (x1 - x0) * k), np.uint8)
    poly = np.round(((pts - (x0, y0) + 0.5) * k - 0.5) * 16).astype(np.int32)
    cv2.fillPoly(fine, [poly], 255, cv2.LINE_8, shift=4)
    cover = cv2.resize(fine, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    mask[y0:y1, x0:x1] = cover >= 128
    return mask


def tissue_colours(image: np.ndarray, outline: Sequence[Sequence[float]], *,
                   white_rgb: Sequence[float] | None = None) -> dict[str, float]:
    """Suggested shares (%) of red (granulation), yellow (slough) and black (necrosis) pixels
    inside an outline, by hue and brightness. A suggestion for the nurse to confirm, never a
    recorded value. `white_rgb`, the card's white patch as photographed
    (app.imaging.calibrate.card_white_rgb), first corrects the light's colour cast."""
    import cv2
    import numpy as np

    inside = rasterize(outline, image.shape[:2])
    if not inside.any():
        raise SegmentationError("The outline encloses no pixels.")
    pixels = image[inside].reshape(-1, 1, 3)
    if white_rgb is not None:
        gains = WHITE_TARGET / np.maximum(np.asarray(white_rgb, np.float32), 1.0)
        pixels = np.clip(pixels.astype(np.float32) * gains, 0, 255).astype(np.uint8)
    hsv = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2HSV).reshape(-1, 3)
    hsv = hsv.astype(np.int32)
    hue, sat, val = hsv[:, 0], hsv[:, 1], hsv[:, 2]  # OpenCV hue is degrees / 2
    black = val < 75
    yellow = ~black & (hue >= 10) & (hue <= 35) & (sat >= 50)
    total = float(len(hsv))
    shares = {"black": 100 * black.sum() / total, "yellow": 100 * yellow.sum() / total}
    shares["red"] = 100.0 - shares["black"] - shares["yellow"]
    return {k: float(round(v, 1)) for k, v in shares.items()}
