"""The clinic's calibration card: its design (the one place for every size), and its 1:1 raster.

Card coordinates are millimetres on the printed card, origin at its top-left corner, x to the
right, y down; the white margin is part of the card (CARD_WIDTH_MM includes it). Four ArUco
markers (OpenCV dictionary DICT_4X4_50, ids 0-3) sit in the corners, a 50 mm ruler runs along
the bottom between them, and a white and an 18% grey patch serve colour balance. The PDF
(app/reports/calibration_card.py) draws from the same constants.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

MM_PER_INCH = 25.4
CARD_WIDTH_MM = 100.0
CARD_HEIGHT_MM = 64.0
MARGIN_MM = 5.0  # white quiet zone around the markers, inside the card size
MARKER_MM = 18.0
MARKER_CELLS = 6  # 4x4 data bits plus a one-cell black border
ARUCO_DICTIONARY = "DICT_4X4_50"
RULER_START_MM = (25.0, 52.0)  # left end of the ruler's baseline
RULER_LENGTH_MM = 50.0
RULER_TICK_MM = (1.5, 2.5, 4.0)  # tick heights at 1 mm, 5 mm and 10 mm
WHITE_PATCH_MM = (27.0, 7.0, 22.0, 18.0)  # x, y, width, height
GREY_PATCH_MM = (51.0, 7.0, 22.0, 18.0)
GREY_LEVEL = 119  # sRGB value of an 18% reflectance grey
LABEL_MM = (27.0, 28.0)
LABEL = "DFU Monitor calibration card"
RULER_CHECK = f"Print at 100% (actual size): this ruler must measure {RULER_LENGTH_MM:.0f} mm"


@dataclass(frozen=True)
class Marker:
    """One fiducial: its dictionary id and the card position of its top-left corner (mm)."""

    marker_id: int
    x_mm: float
    y_mm: float

    def corners_mm(self) -> tuple[tuple[float, float], ...]:
        """Its four corners in OpenCV's order: top-left, top-right, bottom-right, bottom-left."""
        x, y, s = self.x_mm, self.y_mm, MARKER_MM
        return ((x, y), (x + s, y), (x + s, y + s), (x, y + s))


MARKERS = (
    Marker(0, MARGIN_MM, MARGIN_MM),
    Marker(1, CARD_WIDTH_MM - MARGIN_MM - MARKER_MM, MARGIN_MM),
    Marker(2, CARD_WIDTH_MM - MARGIN_MM - MARKER_MM, CARD_HEIGHT_MM - MARGIN_MM - MARKER_MM),
    Marker(3, MARGIN_MM, CARD_HEIGHT_MM - MARGIN_MM - MARKER_MM),
)


def card_size_px(dpi: float) -> tuple[int, int]:
    """Width and height in pixels of the card at `dpi`: round(mm / 25.4 * dpi)."""
    if not dpi > 0:
        raise ValueError("dpi must be positive")
    return round(CARD_WIDTH_MM / MM_PER_INCH * dpi), round(CARD_HEIGHT_MM / MM_PER_INCH * dpi)


def marker_bits(marker_id: int) -> np.ndarray:
    """The marker as a MARKER_CELLS x MARKER_CELLS array of 0 (black) and 255 (white)."""
    import cv2

    dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, ARUCO_DICTIONARY))
    return cv2.aruco.generateImageMarker(dictionary, marker_id, MARKER_CELLS)


def ruler_ticks() -> list[tuple[float, float]]:
    """(x_mm, tick height mm) of every millimetre tick of the ruler."""
    ticks = []
    for mm in range(int(RULER_LENGTH_MM) + 1):
        height = RULER_TICK_MM[2] if mm % 10 == 0 else RULER_TICK_MM[1] if mm % 5 == 0 \
            else RULER_TICK_MM[0]
        ticks.append((RULER_START_MM[0] + mm, height))
    return ticks


def render_card(dpi: float) -> np.ndarray:
    """The card as an RGB uint8 array at `dpi`, exactly card_size_px(dpi) pixels."""
    import cv2
    import numpy as np

    width, height = card_size_px(dpi)
    sx, sy = width / CARD_WIDTH_MM, height / CARD_HEIGHT_MM
    card = np.full((height, width, 3), 255, np.uint8)

    def box(x: float, y: float, w: float, h: float) -> tuple[int, int, int, int]:
        return round(x * sx), round(y * sy), round((x + w) * sx), round((y + h) * sy)

    for marker in MARKERS:
        x0, y0, x1, y1 = box(marker.x_mm, marker.y_mm, MARKER_MM, MARKER_MM)
        bits = cv2.resize(marker_bits(marker.marker_id), (x1 - x0, y1 - y0),
                          interpolation=cv2.INTER_NEAREST)
        card[y0:y1, x0:x1] = bits[:, :, None]
    x0, y0, x1, y1 = box(*GREY_PATCH_MM)
    card[y0:y1, x0:x1] = GREY_LEVEL
    x0, y0, x1, y1 = box(*WHITE_PATCH_MM)
    cv2.rectangle(card, (x0, y0), (x1 - 1, y1 - 1), (0, 0, 0), max(1, round(0.2 * sx)))
    line = max(1, round(0.25 * sx))
    base_y = RULER_START_MM[1]
    for x_mm, tick in ruler_ticks():
        cv2.line(card, (round(x_mm * sx), round(base_y * sy)),
                 (round(x_mm * sx), round((base_y + tick) * sy)), (0, 0, 0), line)
    cv2.line(card, (round(RULER_START_MM[0] * sx), round(base_y * sy)),
             (round((RULER_START_MM[0] + RULER_LENGTH_MM) * sx), round(base_y * sy)), (0, 0, 0),
             line)
    scale = 0.09 * sx  # Hershey simplex is about 22 px tall at scale 1: text about 2 mm tall
    cv2.putText(card, LABEL, (round(LABEL_MM[0] * sx), round((LABEL_MM[1] + 3) * sy)),
                cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), max(1, round(0.15 * sx)), cv2.LINE_AA)
    cv2.putText(card, "0 cm", (round(RULER_START_MM[0] * sx), round((base_y - 1.5) * sy)),
                cv2.FONT_HERSHEY_SIMPLEX, scale * 0.7, (0, 0, 0), max(1, round(0.12 * sx)),
                cv2.LINE_AA)
    cv2.putText(card, f"{RULER_LENGTH_MM / 10:.0f} cm",
                (round((RULER_START_MM[0] + RULER_LENGTH_MM - 6) * sx), round((base_y - 1.5) * sy)),
                cv2.FONT_HERSHEY_SIMPLEX, scale * 0.7, (0, 0, 0), max(1, round(0.12 * sx)),
                cv2.LINE_AA)
    return card


def card_png(dpi: float) -> bytes:
    """The card as PNG bytes, 1:1 at `dpi` (the resolution is also stored in the file)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(render_card(dpi)).save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()
