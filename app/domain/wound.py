"""Size of one wound assessment: area, perimeter, volume and closure (docs/metrics.md,
"Assessment values").

Lengths in cm, areas in cm², volumes in cm³. Pure functions over plain floats.
"""
from __future__ import annotations

import math
from enum import Enum


class AreaMethod(str, Enum):
    """How an area is computed from length and width when no traced area is recorded."""

    ELLIPSE = "ellipse"  # Kundin: π/4·L·W
    RECTANGLE = "rectangle"  # ruler L·W (PUSH, BWAT)


def is_closed(*, closed_marked: bool, length_cm: float | None, width_cm: float | None) -> bool:
    """Closed: marked as completely epithelialised, or L = W = 0."""
    return bool(closed_marked) or (length_cm == 0 and width_cm == 0)


def area_cm2(
    *,
    length_cm: float | None,
    width_cm: float | None,
    traced_area_cm2: float | None,
    closed: bool,
    method: AreaMethod = AreaMethod.ELLIPSE,
) -> float | None:
    """Area of one assessment: 0 when closed, else the traced area, else L·W by `method`.

    None when neither a traced area nor both L and W are known.
    """
    if closed:
        return 0.0
    if traced_area_cm2 is not None:
        return float(traced_area_cm2)
    if length_cm is None or width_cm is None:
        return None
    if AreaMethod(method) is AreaMethod.RECTANGLE:
        return float(length_cm) * float(width_cm)
    return math.pi / 4.0 * float(length_cm) * float(width_cm)


def ellipse_perimeter_cm(length_cm: float, width_cm: float) -> float:
    """Ramanujan's second approximation with semi-axes a = L/2, b = W/2 (Ramanujan 1914)."""
    a, b = length_cm / 2.0, width_cm / 2.0
    if a + b == 0:
        return 0.0
    h = ((a - b) / (a + b)) ** 2
    return math.pi * (a + b) * (1.0 + 3.0 * h / (10.0 + math.sqrt(4.0 - 3.0 * h)))


def perimeter_cm(
    *,
    length_cm: float | None,
    width_cm: float | None,
    traced_area_cm2: float | None,
    closed: bool,
    method: AreaMethod = AreaMethod.ELLIPSE,
) -> float | None:
    """Perimeter for Gilman's parameter: 0 for a zero-size wound; from L and W by `method`;
    with only a traced area, the perimeter of a circle of that area."""
    if closed:
        return 0.0
    if length_cm is not None and width_cm is not None:
        if AreaMethod(method) is AreaMethod.RECTANGLE:
            return 2.0 * (float(length_cm) + float(width_cm))
        return ellipse_perimeter_cm(float(length_cm), float(width_cm))
    if traced_area_cm2 is not None:
        return 2.0 * math.sqrt(math.pi * float(traced_area_cm2))
    return None


def volume_cm3(
    *, length_cm: float | None, width_cm: float | None, depth_cm: float | None, closed: bool
) -> float | None:
    """Half-ellipsoid cavity V = π/6·L·W·D; None when depth (or L, W) is not recorded,
    0 for a closed wound whose depth was recorded."""
    if depth_cm is None:
        return None
    if closed:
        return 0.0
    if length_cm is None or width_cm is None:
        return None
    return math.pi / 6.0 * float(length_cm) * float(width_cm) * float(depth_cm)
