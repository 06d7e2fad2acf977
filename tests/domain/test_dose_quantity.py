"""Doses as clinicians write them, the same on the chart, its tooltips and the reports."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.labels import dose_quantity

SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


@pytest.mark.parametrize("value, unit, text", [
    (5e9, "particles", "5 × 10⁹ particles"), (1e10, None, "1 × 10¹⁰"),
    (2.5e6, None, "2.5 × 10⁶"), (250.0, "µg", "250 µg"), (0.5, None, "0.5"),
    (1234.5, "µg", "1234.5 µg"), (0.0, None, "0"), (2e-4, "mL", "2 × 10⁻⁴ mL")])
def test_doses_are_written_as_clinicians_write_them(value, unit, text):
    assert dose_quantity(value, unit) == text


def read_back(text: str) -> float:
    match = re.fullmatch(r"(-?[\d.]+) × 10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", text)
    if match is None:
        return float(text)
    return float(match.group(1)) * 10 ** int(match.group(2).translate(SUPERSCRIPTS))


@given(st.floats(min_value=1e-9, max_value=1e15, allow_nan=False))
def test_a_written_dose_reads_back_within_its_three_significant_digits(value):
    text = dose_quantity(value)
    assert "e" not in text  # never 1.23e+03
    assert read_back(text) == pytest.approx(value, rel=5e-3)
