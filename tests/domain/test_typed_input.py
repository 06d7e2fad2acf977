"""Typed numbers and dates are read exactly or refused with a reason, never altered."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.typed_input import (
    BOTH_SEPARATORS,
    DATE_PATTERN,
    NOT_A_NUMBER,
    SEVERAL_SEPARATORS,
    SPACES_INSIDE,
    parse_decimal,
    parse_iso_date,
)


@pytest.mark.parametrize("text, value", [
    ("3.2", 3.2), ("3,2", 3.2), (" 12 ", 12.0), ("0", 0.0), (".5", 0.5), ("-1.5", -1.5),
    ("5e9", 5e9), ("1,234", 1.234), ("7.", 7.0)])
def test_numbers_as_typed(text, value):
    assert parse_decimal(text) == (value, None)


@pytest.mark.parametrize("text, reason", [
    ("1.234,5", BOTH_SEPARATORS), ("1,234.5", BOTH_SEPARATORS),
    ("1,234,567", SEVERAL_SEPARATORS), ("1.2.3", SEVERAL_SEPARATORS),
    ("1 234", SPACES_INSIDE), ("abc", NOT_A_NUMBER), ("3cm", NOT_A_NUMBER),
    ("nan", NOT_A_NUMBER), ("inf", NOT_A_NUMBER), ("0x10", NOT_A_NUMBER), ("1_000", NOT_A_NUMBER),
    ("1e999", "must be a finite number")])
def test_numbers_that_could_mean_something_else_are_refused(text, reason):
    assert parse_decimal(text) == (None, reason)


def test_empty_is_no_value_and_no_problem():
    assert parse_decimal("  ") == (None, None)
    assert parse_iso_date("") == (None, None)


@given(st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False,
                   allow_infinity=False))
def test_a_decimal_typed_with_a_point_or_a_comma_reads_the_same(value):
    text = f"{value:f}"
    with_point = parse_decimal(text)
    with_comma = parse_decimal(text.replace(".", ","))
    assert with_point == with_comma
    assert with_point[1] is None and with_point[0] == pytest.approx(float(value))


@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_every_real_date_is_read_exactly(day):
    assert parse_iso_date(day.isoformat()) == (day, None)


@given(st.integers(1900, 2200), st.integers(1, 12), st.integers(29, 35))
def test_a_day_past_the_end_of_its_month_says_how_many_days_the_month_has(year, month, day):
    try:
        dt.date(year, month, day)
    except ValueError:
        value, reason = parse_iso_date(f"{year}-{month:02d}-{day:02d}")
        assert value is None and reason.startswith("not a real date (")
        assert str(year) in reason and "days" in reason
    else:
        assert parse_iso_date(f"{year}-{month:02d}-{day:02d}")[0] == dt.date(year, month, day)


def test_impossible_dates_say_why():
    assert parse_iso_date("2031-02-30") == (
        None, "not a real date (February 2031 has 28 days)")
    assert parse_iso_date("2028-02-30")[1] == "not a real date (February 2028 has 29 days)"
    assert parse_iso_date("2026-13-01")[1] == "not a real date (there is no month 13)"
    assert parse_iso_date("2026-04-31")[1] == "not a real date (April 2026 has 30 days)"


@pytest.mark.parametrize("text", ["15/01/2027", "2027-1", "20270115", "2027-01-15x", "tomorrow"])
def test_other_patterns_ask_for_iso(text):
    assert parse_iso_date(text) == (None, DATE_PATTERN)


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_the_visit_sheet_reads_the_same_numbers_but_never_a_decimal_comma(value):
    """One parser: the form's rule and the file's rule differ only in the decimal comma."""
    from app.interop.visit_sheet import CellError, parse_number

    text = repr(float(value))
    assert parse_number(text) == parse_decimal(text)[0] == float(text)
    with_comma = text.replace(".", ",")
    if "," in with_comma:
        assert parse_decimal(with_comma)[0] == float(text)
        with pytest.raises(CellError, match="use a decimal point"):
            parse_number(with_comma)
