"""Outline geometry and plane rectification (app/domain/wound_geometry.py)."""
from __future__ import annotations

import math

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from app.domain.wound_geometry import (
    GeometryError,
    apply_homography,
    convex_hull,
    homography_from_4_points,
    invert_3x3,
    local_scale_and_tilt,
    map_points,
    outline_measures,
    point_in_polygon,
    polygon_area,
    polygon_centroid,
    polygon_perimeter,
    signed_area,
)

sides = st.floats(min_value=0.05, max_value=500, allow_nan=False)
angles = st.floats(min_value=0, max_value=2 * math.pi, allow_nan=False)
offsets = st.floats(min_value=-1000, max_value=1000, allow_nan=False)


def rectangle(w: float, h: float) -> list[tuple[float, float]]:
    return [(0, 0), (w, 0), (w, h), (0, h)]


def regular_polygon(n: int, radius: float) -> list[tuple[float, float]]:
    return [(radius * math.cos(2 * math.pi * k / n), radius * math.sin(2 * math.pi * k / n))
            for k in range(n)]


def rigid(points, angle: float, dx: float, dy: float, scale: float = 1.0):
    c, s = math.cos(angle), math.sin(angle)
    return [(scale * (c * x - s * y) + dx, scale * (s * x + c * y) + dy) for x, y in points]


@st.composite
def star_polygons(draw):
    """Star-shaped (so simple) irregular polygons around the origin."""
    n = draw(st.integers(min_value=3, max_value=40))
    radii = draw(st.lists(st.floats(min_value=0.5, max_value=50), min_size=n, max_size=n))
    return [(r * math.cos(2 * math.pi * k / n), r * math.sin(2 * math.pi * k / n))
            for k, r in enumerate(radii)]


@given(sides, sides)
def test_rectangle_measures(w, h):
    m = outline_measures(rectangle(w, h))
    assert m.area == pytest.approx(w * h, rel=1e-9)
    assert m.perimeter == pytest.approx(2 * (w + h), rel=1e-9)
    assert m.length == pytest.approx(math.hypot(w, h), rel=1e-9)
    # width across the diagonal of a rectangle: its other diagonal's projection, 2wh/d
    assert m.width == pytest.approx(2 * w * h / math.hypot(w, h), rel=1e-6)


@given(st.integers(min_value=3, max_value=64), st.floats(min_value=0.1, max_value=100))
def test_regular_polygon_area_and_perimeter(n, r):
    pts = regular_polygon(n, r)
    assert polygon_area(pts) == pytest.approx(n * r * r * math.sin(2 * math.pi / n) / 2, rel=1e-9)
    assert polygon_perimeter(pts) == pytest.approx(2 * n * r * math.sin(math.pi / n), rel=1e-9)
    expected_length = 2 * r if n % 2 == 0 else 2 * r * math.sin(math.pi * (n // 2) / n)
    assert outline_measures(pts).length == pytest.approx(expected_length, rel=1e-9)


def test_circle_approximation_converges_to_pi_r_squared():
    m = outline_measures(regular_polygon(720, 2.0))
    assert m.area == pytest.approx(math.pi * 4, rel=1e-4)
    assert m.length == pytest.approx(4.0, rel=1e-9)
    assert m.width == pytest.approx(4.0, rel=1e-4)


@given(star_polygons(), angles, offsets, offsets, st.floats(min_value=0.1, max_value=10))
def test_measures_are_invariant_under_rotation_and_translation_and_scale(pts, a, dx, dy, k):
    base = outline_measures(pts)
    moved = outline_measures(rigid(pts, a, dx, dy, k))
    assert moved.area == pytest.approx(base.area * k * k, rel=1e-6)
    assert moved.perimeter == pytest.approx(base.perimeter * k, rel=1e-6)
    assert moved.length == pytest.approx(base.length * k, rel=1e-6)
    assert moved.width == pytest.approx(base.width * k, rel=1e-4, abs=1e-6)


@given(star_polygons())
def test_length_width_area_bounds(pts):
    assume(polygon_area(pts) > 1e-6)
    m = outline_measures(pts)
    assert m.width <= m.length
    assert m.area <= m.length * m.width * (1 + 1e-9)
    # the isoperimetric inequality: no outline encloses more than a circle of its perimeter
    assert 4 * math.pi * m.area <= m.perimeter ** 2 * (1 + 1e-9)
    assert m.length == pytest.approx(math.dist(*m.length_ends))


@given(star_polygons())
def test_reversing_the_vertex_order_flips_only_the_sign(pts):
    assert signed_area(pts[::-1]) == pytest.approx(-signed_area(pts), rel=1e-9, abs=1e-9)


@given(star_polygons())
def test_hull_encloses_at_least_the_outline_area(pts):
    hull = convex_hull(pts)
    assert polygon_area(hull) >= polygon_area(pts) * (1 - 1e-9)


def test_point_in_polygon_on_a_concave_outline():
    u_shape = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)]
    assert point_in_polygon((0.5, 2), u_shape)
    assert not point_in_polygon((1.5, 2), u_shape)
    assert point_in_polygon((1.5, 0.5), u_shape)
    assert not point_in_polygon((4, 1), u_shape)


@pytest.mark.parametrize("bad", [[], [(0, 0), (1, 1)], [(0, 0), (1, 1), (2, 2)],
                                 [(0, 0), (1, float("nan")), (2, 0)]])
def test_degenerate_outlines_are_refused(bad):
    with pytest.raises(GeometryError):
        outline_measures(bad)


@st.composite
def projective_maps(draw):
    """Well-conditioned homographies: a similarity plus a mild perspective term."""
    a = draw(angles)
    k = draw(st.floats(min_value=0.2, max_value=20))
    tx, ty = draw(offsets), draw(offsets)
    g = draw(st.floats(min_value=-2e-3, max_value=2e-3))
    h = draw(st.floats(min_value=-2e-3, max_value=2e-3))
    c, s = math.cos(a), math.sin(a)
    return ((k * c, -k * s, tx), (k * s, k * c, ty), (g, h, 1.0))


@given(projective_maps(), st.lists(st.tuples(st.floats(-100, 100), st.floats(-100, 100)),
                                   min_size=1, max_size=10))
def test_four_exact_points_rectify_every_other_point(h_true, extra):
    card = [(0.0, 0.0), (90.0, 0.0), (90.0, 60.0), (0.0, 60.0)]
    image = map_points(h_true, card)
    h_solved = homography_from_4_points(card, image)
    for p in extra:
        assume(abs(h_true[2][0] * p[0] + h_true[2][1] * p[1] + 1) > 0.2)
        expected = apply_homography(h_true, p)
        got = apply_homography(h_solved, p)
        assert math.dist(got, expected) <= 1e-6 * max(1.0, math.hypot(*expected))
        back = apply_homography(invert_3x3(h_solved), got)
        assert math.dist(back, p) <= 1e-6 * max(1.0, math.hypot(*p))


@given(projective_maps(), star_polygons())
def test_area_measured_in_the_rectified_plane_is_the_true_area(h_true, pts):
    assume(all(abs(h_true[2][0] * x + h_true[2][1] * y + 1) > 0.5 for x, y in pts))
    image_outline = map_points(h_true, pts)
    to_plane = invert_3x3(h_true)
    rectified = map_points(to_plane, image_outline)
    assert polygon_area(rectified) == pytest.approx(polygon_area(pts), rel=1e-6, abs=1e-9)


def test_collinear_correspondences_are_refused():
    with pytest.raises(GeometryError):
        homography_from_4_points([(0, 0), (1, 1), (2, 2), (3, 3)],
                                 [(0, 0), (1, 0), (1, 1), (0, 1)])


@given(st.floats(min_value=0, max_value=60), st.floats(min_value=0.5, max_value=20), angles)
@example(0.0, 0.9921875, 1.25)  # once 0.01 degrees by cancellation (found by hypothesis)
def test_local_tilt_of_a_foreshortened_plane(tilt_deg, k, roll):
    c, s = math.cos(roll), math.sin(roll)
    squash = math.cos(math.radians(tilt_deg))
    # scale k, squash the y axis by cos(tilt), then rotate: an affine view of a tilted plane
    m = ((k * c, -k * s * squash, 0.0), (k * s, k * c * squash, 0.0), (0.0, 0.0, 1.0))
    scale, tilt = local_scale_and_tilt(m, (3.0, 4.0))
    assert tilt == pytest.approx(tilt_deg, abs=1e-4)
    assert scale == pytest.approx(k * math.sqrt(squash), rel=1e-9)


@given(angles)
def test_tied_diameters_give_one_width_whatever_the_rotation(a):
    pentagon = regular_polygon(5, 1.0)  # five diameters of equal length
    assert outline_measures(rigid(pentagon, a, 0, 0)).width == \
        pytest.approx(outline_measures(pentagon).width, rel=1e-9)


@given(sides, sides, offsets, offsets)
def test_centroid_of_a_rectangle_is_its_centre(w, h, dx, dy):
    cx, cy = polygon_centroid(rigid(rectangle(w, h), 0.0, dx, dy))
    assert cx == pytest.approx(dx + w / 2, abs=1e-6 * (abs(dx) + w))
    assert cy == pytest.approx(dy + h / 2, abs=1e-6 * (abs(dy) + h))


def test_centroid_ignores_how_densely_an_edge_is_sampled():
    square = [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (4, 4), (0, 4)]  # extra points on one edge
    assert polygon_centroid(square) == pytest.approx((2.0, 2.0))
