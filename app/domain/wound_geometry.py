"""Geometry of a traced wound outline and of the plane it lies on (docs/metrics.md, section 2).

A wound outline is a simple polygon given as (x, y) vertices in one unit (image pixels or
card-plane millimetres); it is closed implicitly (the last vertex joins the first). Plain floats
and tuples only: the imaging layer maps pixels to the card plane and then calls these functions.

- area: shoelace formula (Gauss; see Foltynski 2018 for planimetry of wound photographs).
- length: maximum Feret diameter, the longest distance between two points of the outline.
- width: the outline's extent perpendicular to that length axis (a caliper held across the
  length line), so that width <= length and area <= length x width always hold.
- homographies: 3x3 row-major matrices; a 4-point direct linear transform (Hartley & Zisserman
  2004, 4.1) solves a plane-to-plane mapping exactly from four correspondences.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]
Matrix3 = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]


class GeometryError(ValueError):
    """An outline or a set of correspondences that has no meaningful measurement."""


@dataclass(frozen=True)
class OutlineMeasures:
    """Size of one outline, all in the outline's unit (or its square for the area)."""

    area: float
    perimeter: float
    length: float
    width: float
    length_ends: tuple[Point, Point]  # the two outline points that span the length


def _as_points(points: Sequence[Sequence[float]]) -> list[Point]:
    pts = [(float(p[0]), float(p[1])) for p in points]
    if len(pts) < 3:
        raise GeometryError("an outline needs at least 3 points")
    if not all(math.isfinite(c) for p in pts for c in p):
        raise GeometryError("an outline point is not a finite number")
    return pts


def signed_area(points: Sequence[Sequence[float]]) -> float:
    """Shoelace area, positive when the vertices run counter-clockwise (y axis up)."""
    pts = _as_points(points)
    total = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        total += x0 * y1 - x1 * y0
    return total / 2.0


def polygon_area(points: Sequence[Sequence[float]]) -> float:
    """Area enclosed by a simple polygon (shoelace formula), in the square of its unit."""
    return abs(signed_area(points))


def polygon_centroid(points: Sequence[Sequence[float]]) -> Point:
    """Centre of mass of the enclosed area (not the mean of the vertices)."""
    pts = _as_points(points)
    twice_area = 2.0 * signed_area(pts)
    if twice_area == 0:
        raise GeometryError("the outline encloses no area")
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (3.0 * twice_area), cy / (3.0 * twice_area)


def polygon_perimeter(points: Sequence[Sequence[float]]) -> float:
    """Length of the closed boundary."""
    pts = _as_points(points)
    return sum(math.dist(a, b) for a, b in zip(pts, pts[1:] + pts[:1]))


def convex_hull(points: Sequence[Sequence[float]]) -> list[Point]:
    """Convex hull, counter-clockwise, without collinear points (Andrew's monotone chain)."""
    pts = sorted(set(_as_points(points)))
    if len(pts) <= 2:
        return pts

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    upper: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _diameters(points: Sequence[Sequence[float]]) -> list[tuple[float, Point, Point]]:
    """Every pair of hull points as long as the longest (up to rounding), longest first."""
    hull = convex_hull(points)
    pairs = [(math.dist(a, b), a, b) for i, a in enumerate(hull) for b in hull[i + 1:]]
    if not pairs:
        return [(0.0, hull[0], hull[0])]
    longest = max(d for d, _, _ in pairs)
    return sorted((p for p in pairs if p[0] >= longest * (1 - 1e-9)), key=lambda p: -p[0])


def max_feret(points: Sequence[Sequence[float]]) -> tuple[float, Point, Point]:
    """Longest distance between two outline points, with the two points (on the convex hull)."""
    return _diameters(points)[0]


def extent_along(points: Sequence[Sequence[float]], direction: Point) -> float:
    """Extent of the outline's projection on a direction (a caliper reading across it)."""
    dx, dy = direction
    norm = math.hypot(dx, dy)
    if norm == 0:
        raise GeometryError("a direction needs a non-zero length")
    projections = [(x * dx + y * dy) / norm for x, y in _as_points(points)]
    return max(projections) - min(projections)


def outline_measures(points: Sequence[Sequence[float]]) -> OutlineMeasures:
    """Area, perimeter, length (max Feret) and width perpendicular to the length of an outline."""
    pts = _as_points(points)
    area = polygon_area(pts)
    if area <= 0:
        raise GeometryError("the outline encloses no area")
    # Where several diameters tie (a regular pentagon), the widest width across them wins, so
    # the result does not depend on rounding or on the outline's rotation.
    length, a, b, width = max(((d, p, q, extent_along(pts, (q[1] - p[1], p[0] - q[0])))
                               for d, p, q in _diameters(pts)), key=lambda t: t[3])
    return OutlineMeasures(area=area, perimeter=polygon_perimeter(pts), length=length,
                           width=min(width, length), length_ends=(a, b))


def point_in_polygon(point: Sequence[float], polygon: Sequence[Sequence[float]]) -> bool:
    """True when the point lies inside the polygon (even-odd ray casting; edges undefined)."""
    x, y = float(point[0]), float(point[1])
    pts = _as_points(polygon)
    inside = False
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        if (y0 > y) != (y1 > y):
            x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            if x < x_cross:
                inside = not inside
    return inside


def apply_homography(matrix: Sequence[Sequence[float]], point: Sequence[float]) -> Point:
    """Map one point through a 3x3 homography (projective division included)."""
    x, y = float(point[0]), float(point[1])
    (a, b, c), (d, e, f), (g, h, i) = matrix
    w = g * x + h * y + i
    if abs(w) < 1e-12:
        raise GeometryError("the point maps to infinity (it lies on the horizon line)")
    return ((a * x + b * y + c) / w, (d * x + e * y + f) / w)


def map_points(matrix: Sequence[Sequence[float]], points: Sequence[Sequence[float]]) -> list[Point]:
    """Map every point of an outline through a homography."""
    return [apply_homography(matrix, p) for p in points]


def _solve_linear(rows: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting; GeometryError when singular."""
    n = len(rhs)
    m = [row[:] + [v] for row, v in zip(rows, rhs)]
    scale = max(abs(v) for row in rows for v in row) or 1.0
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12 * scale:
            raise GeometryError("the points are degenerate (three of them on one line)")
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            for k in range(col, n + 1):
                m[r][k] -= factor * m[col][k]
    solution = [0.0] * n
    for r in range(n - 1, -1, -1):
        tail = sum(m[r][k] * solution[k] for k in range(r + 1, n))
        solution[r] = (m[r][n] - tail) / m[r][r]
    return solution


def homography_from_4_points(src: Sequence[Sequence[float]],
                             dst: Sequence[Sequence[float]]) -> Matrix3:
    """The homography H (h33 = 1) with H(src[k]) = dst[k] for four point pairs (DLT)."""
    if len(src) != 4 or len(dst) != 4:
        raise GeometryError("a 4-point homography needs exactly four point pairs")
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
        rhs.append(v)
    h = _solve_linear(rows, rhs)
    return ((h[0], h[1], h[2]), (h[3], h[4], h[5]), (h[6], h[7], 1.0))


def invert_3x3(matrix: Sequence[Sequence[float]]) -> Matrix3:
    """Inverse of a 3x3 matrix (the reverse mapping of a homography)."""
    (a, b, c), (d, e, f), (g, h, i) = matrix
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    if abs(det) < 1e-15:
        raise GeometryError("the mapping is singular")
    return (((e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det),
            ((f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det),
            ((d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det))


def local_scale_and_tilt(matrix: Sequence[Sequence[float]],
                         point: Sequence[float]) -> tuple[float, float]:
    """Local scale (output units per input unit, geometric mean) and apparent tilt in degrees
    of a homography at a point: the singular values s1 >= s2 of its Jacobian give
    scale = sqrt(s1*s2) and tilt = arccos(s2/s1) (a circle seen at that tilt becomes an ellipse
    with that axis ratio, weak-perspective approximation)."""
    x, y = float(point[0]), float(point[1])
    (a, b, c), (d, e, f), (g, h, i) = matrix
    w = g * x + h * y + i
    u = (a * x + b * y + c) / w
    v = (d * x + e * y + f) / w
    j11, j12 = (a - g * u) / w, (b - h * u) / w
    j21, j22 = (d - g * v) / w, (e - h * v) / w
    # singular values of a 2x2 matrix without cancellation: (Q + R, |Q - R|)
    q = math.hypot(j11 + j22, j21 - j12) / 2
    r = math.hypot(j11 - j22, j21 + j12) / 2
    s1, s2 = q + r, abs(q - r)
    if s1 == 0:
        raise GeometryError("the mapping collapses the plane")
    return math.sqrt(s1 * s2), math.degrees(math.acos(min(s2 / s1, 1.0)))
