"""Area, perimeter, volume and closure (docs/metrics.md, "Assessment values")."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.wound import (
    AreaMethod,
    area_cm2,
    ellipse_perimeter_cm,
    is_closed,
    perimeter_cm,
    volume_cm3,
)

sizes = st.floats(min_value=0.01, max_value=50, allow_nan=False)


def test_ellipse_area_is_kundin():
    assert area_cm2(length_cm=4, width_cm=2, traced_area_cm2=None, closed=False) == \
        pytest.approx(math.pi * 2)


def test_rectangle_area():
    assert area_cm2(length_cm=4, width_cm=2, traced_area_cm2=None, closed=False,
                    method=AreaMethod.RECTANGLE) == 8


def test_traced_area_overrides_computed():
    assert area_cm2(length_cm=4, width_cm=2, traced_area_cm2=5.5, closed=False) == 5.5


def test_closed_area_is_zero_whatever_was_typed():
    assert area_cm2(length_cm=4, width_cm=2, traced_area_cm2=5.5, closed=True) == 0.0


def test_area_unknown_without_sizes():
    assert area_cm2(length_cm=4, width_cm=None, traced_area_cm2=None, closed=False) is None


def test_closed_means_marked_or_zero_size():
    assert is_closed(closed_marked=True, length_cm=1, width_cm=1)
    assert is_closed(closed_marked=False, length_cm=0, width_cm=0)
    assert not is_closed(closed_marked=False, length_cm=0.5, width_cm=0.2)


def test_circle_perimeter_is_exact():
    assert ellipse_perimeter_cm(2, 2) == pytest.approx(2 * math.pi)


def test_ramanujan_ii_for_a_known_ellipse():
    # a=5, b=3: exact perimeter 25.526998863... (complete elliptic integral)
    assert ellipse_perimeter_cm(10, 6) == pytest.approx(25.526998863, abs=1e-6)


def test_perimeter_rectangle_and_traced_circle():
    assert perimeter_cm(length_cm=3, width_cm=2, traced_area_cm2=None, closed=False,
                        method=AreaMethod.RECTANGLE) == 10
    assert perimeter_cm(length_cm=None, width_cm=None, traced_area_cm2=math.pi,
                        closed=False) == pytest.approx(2 * math.pi)
    assert perimeter_cm(length_cm=3, width_cm=2, traced_area_cm2=None, closed=True) == 0


def test_volume_half_ellipsoid_and_null_without_depth():
    assert volume_cm3(length_cm=2, width_cm=3, depth_cm=1, closed=False) == pytest.approx(math.pi)
    assert volume_cm3(length_cm=2, width_cm=3, depth_cm=None, closed=False) is None


@given(sizes, sizes, st.sampled_from(list(AreaMethod)), st.booleans())
def test_area_and_perimeter_never_negative(length, width, method, closed):
    area = area_cm2(length_cm=length, width_cm=width, traced_area_cm2=None, closed=closed,
                    method=method)
    perimeter = perimeter_cm(length_cm=length, width_cm=width, traced_area_cm2=None,
                             closed=closed, method=method)
    assert area >= 0 and perimeter >= 0


@given(sizes, sizes)
def test_ellipse_is_pi_over_4_of_rectangle(length, width):
    ellipse = area_cm2(length_cm=length, width_cm=width, traced_area_cm2=None, closed=False)
    rect = area_cm2(length_cm=length, width_cm=width, traced_area_cm2=None, closed=False,
                    method=AreaMethod.RECTANGLE)
    assert ellipse == pytest.approx(math.pi / 4 * rect)


@given(sizes, sizes)
def test_ellipse_perimeter_between_known_bounds(length, width):
    a, b = length / 2, width / 2
    p = ellipse_perimeter_cm(length, width)
    # Bounds for any ellipse: π(a+b) ≤ P ≤ π·√2·√(a²+b²)
    upper = math.pi * math.sqrt(2 * (a * a + b * b))
    assert math.pi * (a + b) * (1 - 1e-12) <= p <= upper * (1 + 1e-12)
