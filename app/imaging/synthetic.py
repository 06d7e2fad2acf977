"""Synthetic wound photographs with a known truth, deterministic by seed (tests and bench).

A flat patch of skin-like texture lies on a drape. On it: an irregular wound of known area
(0.2-40 cm^2, red granulation with yellow slough and black necrosis) and the printed calibration
card. A pinhole camera views the plane with a tilt of 0-45 degrees, any roll and distance; then
come a lighting gradient, blur, noise and JPEG compression (quality 60-95).

Plane coordinates are mm. A texture pixel (u, v) has its centre at plane
(x0 + (u + 0.5) / ppm, y0 + (v + 0.5) / ppm); image pixel centres are at integer coordinates.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.wound_geometry import polygon_area
from app.imaging.card import CARD_HEIGHT_MM, CARD_WIDTH_MM

if TYPE_CHECKING:
    import numpy as np

AREA_RANGE_CM2 = (0.2, 40.0)
TILT_RANGE_DEG = (0.0, 45.0)
JPEG_QUALITY_RANGE = (60, 95)
DRAPE_RGB = (58, 108, 118)
MAX_TEXTURE_PIXELS = 16e6  # the plane's texture (generation time and memory)


@dataclass(frozen=True)
class SyntheticPhoto:
    """A rendered scene and its truth (image px, pixel centres at integers)."""

    jpeg: bytes
    width: int
    height: int
    outline_px: list[tuple[float, float]]
    area_cm2: float
    mask: np.ndarray  # bool, height x width: True inside the true outline
    box: tuple[int, int, int, int]  # x0, y0, x1, y1: the wound's bounding box
    tilt_deg: float
    card_to_image: np.ndarray  # 3x3 homography, card mm -> image px
    tissue_pct: dict[str, float]  # true "red", "yellow", "black" shares of the wound, %


def wound_outline_mm(rng: np.random.Generator, area_cm2: float,
                     vertices: int = 180) -> list[tuple[float, float]]:
    """An irregular star-shaped outline around (0, 0) with exactly `area_cm2` of area."""
    theta = [2 * math.pi * k / vertices for k in range(vertices)]
    harmonics = [(k, rng.uniform(0, 0.3 / k), rng.uniform(0, 2 * math.pi)) for k in range(2, 7)]
    stretch = rng.uniform(1.0, 1.8)
    turn = rng.uniform(0, 2 * math.pi)
    pts = []
    for t in theta:
        r = 1.0 + sum(a * math.cos(k * t + phase) for k, a, phase in harmonics)
        x, y = r * math.cos(t) * stretch, r * math.sin(t)
        c, s = math.cos(turn), math.sin(turn)
        pts.append((x * c - y * s, x * s + y * c))
    factor = math.sqrt(area_cm2 * 100.0 / polygon_area(pts))
    return [(x * factor, y * factor) for x, y in pts]


def _noise(rng: np.random.Generator, shape: tuple[int, int], cell: float) -> np.ndarray:
    """Smooth noise, zero mean and unit-ish spread, with features about `cell` px wide."""
    import cv2
    import numpy as np

    h, w = shape
    small = rng.standard_normal((max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)))
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)


def _camera(rng: np.random.Generator, tilt_deg: float, roi: tuple[float, float, float, float],
            size: tuple[int, int]) -> np.ndarray:
    """Plane mm -> image px homography of a pinhole camera tilted by `tilt_deg`, fitted so the
    region of interest fills 55-85% of the frame at a random place."""
    import numpy as np

    t, psi, roll = math.radians(tilt_deg), rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    axis = np.array([math.cos(psi), math.sin(psi), 0.0])
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    tilt = np.eye(3) + math.sin(t) * k + (1 - math.cos(t)) * (k @ k)
    spin = np.array([[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0],
                     [0, 0, 1]])
    rot = spin @ tilt
    centre = np.array([(roi[0] + roi[2]) / 2, (roi[1] + roi[3]) / 2, 0.0])
    distance = rng.uniform(250, 500)
    h = np.column_stack([rot[:, 0], rot[:, 1], -rot @ centre + np.array([0, 0, distance])])
    h = np.diag([distance, distance, 1.0]) @ h
    corners = np.array([[roi[0], roi[1], 1], [roi[2], roi[1], 1], [roi[2], roi[3], 1],
                        [roi[0], roi[3], 1]], float).T
    projected = h @ corners
    projected = projected[:2] / projected[2]
    lo, hi = projected.min(axis=1), projected.max(axis=1)
    width, height = size
    scale = rng.uniform(0.55, 0.85) * min(width / (hi[0] - lo[0]), height / (hi[1] - lo[1]))
    free_x = width - scale * (hi[0] - lo[0])
    free_y = height - scale * (hi[1] - lo[1])
    shift = np.array([[scale, 0, rng.uniform(0, free_x) - scale * lo[0]],
                      [0, scale, rng.uniform(0, free_y) - scale * lo[1]], [0, 0, 1]])
    return shift @ h


def _skin(rng: np.random.Generator, shape: tuple[int, int], ppm: int) -> np.ndarray:
    import numpy as np

    tone = rng.uniform(0, 1)
    base = (1 - tone) * np.array([226.0, 184, 160]) + tone * np.array([120.0, 78, 56])
    shade = 1 + 0.05 * _noise(rng, shape, 25 * ppm) + 0.025 * _noise(rng, shape, 0.7 * ppm)
    return base.astype(np.float32)[None, None, :] * shade[:, :, None]  # float32 like shade


def _wound_colour(rng: np.random.Generator, shape: tuple[int, int], ppm: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Wound bed colours and a label map (0 red, 1 yellow, 2 black) over a region."""
    import numpy as np

    red = np.array([rng.uniform(150, 190), rng.uniform(25, 55), rng.uniform(30, 60)])
    yellow = np.array([rng.uniform(195, 225), rng.uniform(170, 200), rng.uniform(90, 130)])
    black = np.array([rng.uniform(30, 55), rng.uniform(22, 40), rng.uniform(20, 35)])
    labels = np.zeros(shape, np.uint8)
    labels[_noise(rng, shape, 4 * ppm) > rng.uniform(0.6, 2.0)] = 1
    labels[_noise(rng, shape, 5 * ppm) > rng.uniform(1.0, 3.0)] = 2
    colours = np.stack([red, yellow, black]).astype(np.float32)[labels]
    bumps = 1 + 0.12 * _noise(rng, shape, 0.8 * ppm)
    colours *= bumps[:, :, None]
    # glare: a wet wound bed reflects the flash in small bright spots
    glare = np.clip((_noise(rng, shape, 1.5 * ppm) - rng.uniform(1.0, 2.5)) * 3, 0, 1)
    colours += (np.float32(245) - colours) * (0.8 * glare)[:, :, None]
    return colours, labels


def _coverage(outline_mm, origin: tuple[float, float], ppm: int, shape: tuple[int, int],
              supersample: int = 4) -> np.ndarray:
    """Area coverage (0-1) of the outline in each pixel of a texture region whose first pixel
    starts at `origin` (mm): the polygon filled on a 4x finer grid and averaged (OpenCV's
    anti-aliased fill would grow it by half a pixel)."""
    import cv2
    import numpy as np

    k = supersample
    pts = np.array([((x - origin[0]) * ppm, (y - origin[1]) * ppm) for x, y in outline_mm])
    fine = np.zeros((shape[0] * k, shape[1] * k), np.uint8)
    cv2.fillPoly(fine, [np.round((pts * k - 0.5) * 16).astype(np.int32)], 255, cv2.LINE_8,
                 shift=4)
    return cv2.resize(fine, (shape[1], shape[0]), interpolation=cv2.INTER_AREA
                      ).astype(np.float32) / 255


def _paint_wound(rng: np.random.Generator, texture: np.ndarray, outline_mm,
                 origin: tuple[float, float], ppm: int) -> dict[str, float]:
    """Paint the wound and a faint reddened rim into the texture, in the region around the
    wound only; returns the true tissue shares (%)."""
    import cv2
    import numpy as np

    reach = 10 * ppm  # the rim's blur reaches a few sigma (2.5 mm) beyond the edge
    xs = [(x - origin[0]) * ppm for x, _ in outline_mm]
    ys = [(y - origin[1]) * ppm for _, y in outline_mm]
    u0, v0 = max(0, math.floor(min(xs)) - reach), max(0, math.floor(min(ys)) - reach)
    u1 = min(texture.shape[1], math.ceil(max(xs)) + reach)
    v1 = min(texture.shape[0], math.ceil(max(ys)) + reach)
    shape = (v1 - v0, u1 - u0)
    alpha = _coverage(outline_mm, (origin[0] + u0 / ppm, origin[1] + v0 / ppm), ppm, shape)
    bed, labels = _wound_colour(rng, shape, ppm)
    inside = alpha > 0.5
    counts = np.bincount(labels[inside], minlength=3) / max(int(inside.sum()), 1) * 100
    rim = cv2.GaussianBlur(alpha, (0, 0), 2.5 * ppm)
    blush = (rng.uniform(0.0, 0.25) * np.clip(rim * 2, 0, 1))[:, :, None]
    region = texture[v0:v1, u0:u1]
    region = region * (1 - blush) + np.array([205.0, 95, 95], np.float32) * blush
    a = alpha[:, :, None]
    texture[v0:v1, u0:u1] = region * (1 - a) + bed * a
    return {"red": float(counts[0]), "yellow": float(counts[1]), "black": float(counts[2])}


def _texture(rng: np.random.Generator, outline_mm, card_origin_mm, plane_box, ppm: int
             ) -> tuple[np.ndarray, dict[str, float]]:
    """The plane as an RGB uint8 texture at `ppm` px/mm, with the true tissue shares."""
    import numpy as np

    from app.imaging.card import render_card

    x0, y0, x1, y1 = plane_box
    shape = (round((y1 - y0) * ppm), round((x1 - x0) * ppm))
    texture = _skin(rng, shape, ppm)
    tissue = _paint_wound(rng, texture, outline_mm, (x0, y0), ppm)
    card = render_card(ppm * 25.4).astype(np.float32) * np.float32(rng.uniform(0.85, 0.95)) + 12
    u0 = round((card_origin_mm[0] - x0) * ppm)
    v0 = round((card_origin_mm[1] - y0) * ppm)
    texture[v0:v0 + card.shape[0], u0:u0 + card.shape[1]] = card
    np.clip(texture, 0, 255, out=texture)
    return texture.astype(np.uint8), tissue


def _layout(rng: np.random.Generator, outline_mm):
    """Card origin beside the wound, region of interest, and the plane's extent (mm)."""
    radius = max(math.hypot(x, y) for x, y in outline_mm)
    phi = rng.uniform(0, 2 * math.pi)
    half = abs(math.cos(phi)) * CARD_WIDTH_MM / 2 + abs(math.sin(phi)) * CARD_HEIGHT_MM / 2
    reach = radius + rng.uniform(8, 20) + half
    card_x = round(reach * math.cos(phi) - CARD_WIDTH_MM / 2)
    card_y = round(reach * math.sin(phi) - CARD_HEIGHT_MM / 2)
    xs = [x for x, _ in outline_mm] + [card_x, card_x + CARD_WIDTH_MM]
    ys = [y for _, y in outline_mm] + [card_y, card_y + CARD_HEIGHT_MM]
    roi = (min(xs) - 15, min(ys) - 15, max(xs) + 15, max(ys) + 15)
    return (card_x, card_y), roi


def _plane_extent(to_image: np.ndarray, roi, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The part of the plane (mm) that the frame sees, capped at 1.5 ROI widths around it."""
    import numpy as np

    pad = 1.5 * max(roi[2] - roi[0], roi[3] - roi[1])
    cap = (roi[0] - pad, roi[1] - pad, roi[2] + pad, roi[3] + pad)
    back = np.linalg.inv(to_image) @ np.array([[0, size[0], size[0], 0], [0, 0, size[1], size[1]],
                                               [1, 1, 1, 1]], float)
    if np.any(back[2] <= 0):
        seen = cap
    else:
        xs, ys = back[0] / back[2], back[1] / back[2]
        seen = (max(cap[0], xs.min() - 5), max(cap[1], ys.min() - 5),
                min(cap[2], xs.max() + 5), min(cap[3], ys.max() + 5))
    return (math.floor(min(seen[0], roi[0])), math.floor(min(seen[1], roi[1])),
            math.ceil(max(seen[2], roi[2])), math.ceil(max(seen[3], roi[3])))


def _finish(rng: np.random.Generator, image: np.ndarray, quality: int) -> bytes:
    """Lighting gradient, blur, sensor noise, JPEG."""
    import io

    import cv2
    import numpy as np
    from PIL import Image

    h, w = image.shape[:2]
    beta = rng.uniform(0, 2 * math.pi)
    xx = (np.arange(w, dtype=np.float32) - w / 2)[None, :]
    yy = (np.arange(h, dtype=np.float32) - h / 2)[:, None]
    ramp = (xx * math.cos(beta) + yy * math.sin(beta)) / math.hypot(w, h)
    light = rng.uniform(0.85, 1.08) * (1 + rng.uniform(0.1, 0.5) * ramp)
    out = image.astype(np.float32) * light[:, :, None]
    sigma = rng.uniform(0.0, 1.2)
    if sigma > 0.3:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    out += rng.standard_normal(out.shape, dtype=np.float32) * np.float32(rng.uniform(1, 5))
    # Pillow encodes (4:2:0, as a phone does): the bundle's OpenCV has no image codecs.
    encoded = io.BytesIO()
    Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).save(encoded, format="JPEG",
                                                                 quality=int(quality))
    return encoded.getvalue()


def synthetic_photo(seed: int, *, size: tuple[int, int] = (1600, 1200),
                    tilt_deg: float | None = None, area_cm2: float | None = None,
                    jpeg_quality: int | None = None) -> SyntheticPhoto:
    """A wound photo with its truth; every unspecified parameter is drawn from `seed`."""
    import cv2
    import numpy as np

    from app.imaging.segment import rasterize

    rng = np.random.default_rng(seed)
    if area_cm2 is None:
        area_cm2 = math.exp(rng.uniform(*(math.log(a) for a in AREA_RANGE_CM2)))
    tilt = rng.uniform(*TILT_RANGE_DEG) if tilt_deg is None else float(tilt_deg)
    quality = int(rng.integers(JPEG_QUALITY_RANGE[0], JPEG_QUALITY_RANGE[1] + 1)) \
        if jpeg_quality is None else jpeg_quality
    outline_mm = wound_outline_mm(rng, area_cm2)
    card_origin, roi = _layout(rng, outline_mm)
    to_image = _camera(rng, tilt, roi, size)
    plane = _plane_extent(to_image, roi, size)
    centre = to_image @ np.array([(roi[0] + roi[2]) / 2, (roi[1] + roi[3]) / 2, 1.0])
    step = to_image @ np.array([(roi[0] + roi[2]) / 2 + 1, (roi[1] + roi[3]) / 2, 1.0])
    out_ppm = math.dist(centre[:2] / centre[2], step[:2] / step[2])
    area_mm2 = (plane[2] - plane[0]) * (plane[3] - plane[1])
    ppm = int(min(10, math.sqrt(MAX_TEXTURE_PIXELS / area_mm2), max(2, round(out_ppm))))
    texture, tissue = _texture(rng, outline_mm, card_origin, plane, ppm)
    from_texture = np.array([[1 / ppm, 0, plane[0] + 0.5 / ppm], [0, 1 / ppm, plane[1] + 0.5 / ppm],
                             [0, 0, 1]])
    image = cv2.warpPerspective(texture, to_image @ from_texture, size, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=DRAPE_RGB)
    pts = cv2.perspectiveTransform(np.array(outline_mm, np.float64).reshape(-1, 1, 2),
                                   to_image).reshape(-1, 2)
    mask = rasterize(pts, (size[1], size[0]))
    box = (math.floor(pts[:, 0].min()), math.floor(pts[:, 1].min()),
           math.ceil(pts[:, 0].max()), math.ceil(pts[:, 1].max()))
    card_to_image = to_image @ np.array([[1, 0, card_origin[0]], [0, 1, card_origin[1]], [0, 0, 1]])
    return SyntheticPhoto(jpeg=_finish(rng, image, quality), width=size[0], height=size[1],
                          outline_px=[(float(x), float(y)) for x, y in pts], area_cm2=area_cm2,
                          mask=mask, box=box, tilt_deg=tilt,
                          card_to_image=card_to_image, tissue_pct=tissue)
