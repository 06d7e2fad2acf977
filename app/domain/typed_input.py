"""Reading what a person typed into a number or a date field, without ever altering it.

One parser per kind of value, shared by every entry path (the visit form, New patient): the
typed text is either read exactly or refused with a reason the user can act on
(docs/reliability.md, "Input"). Pure Python: no Qt, no database.

Numbers: a decimal point or a single decimal comma ("3,2" is 3.2, as many clinic keyboards
type it); an exponent for doses ("5e9"). Text that could mean two different numbers is refused
rather than guessed: both a comma and a point ("1.234,5" or "1,234.5"), more than one separator
("1,234,567"), or spaces inside ("1 234").

Dates: ISO 8601 calendar dates, YYYY-MM-DD. A date that matches the pattern but does not exist
("2031-02-30") says why ("February 2031 has 28 days") instead of repeating the pattern.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

NOT_A_NUMBER = "not a number"
BOTH_SEPARATORS = "use either a decimal comma or a decimal point, not both"
SEVERAL_SEPARATORS = "more than one decimal separator: write the number without thousands " \
                     "separators"
SPACES_INSIDE = "write the number without spaces"
COMMA_IN_FILE = "not a number (use a decimal point)"
NOT_FINITE = "must be a finite number"
DATE_PATTERN = "enter the date as YYYY-MM-DD"


def parse_decimal(text: str, *, decimal_comma: bool = True) -> tuple[float | None, str | None]:
    """(value, None); (None, None) for an empty field; (None, reason) when it is refused.

    `decimal_comma=False` is the visit sheet's rule: a CSV file writes a decimal point only.
    """
    cleaned = text.strip()
    if not cleaned:
        return None, None
    if any(ch.isspace() for ch in cleaned):
        return None, SPACES_INSIDE
    commas, points = cleaned.count(","), cleaned.count(".")
    if commas and not decimal_comma:
        return None, COMMA_IN_FILE
    if commas and points:
        return None, BOTH_SEPARATORS
    if commas + points > 1:
        return None, SEVERAL_SEPARATORS
    cleaned = cleaned.replace(",", ".")
    if not _NUMBER.match(cleaned):
        return None, NOT_A_NUMBER
    value = float(cleaned)
    if not math.isfinite(value):
        return None, NOT_FINITE
    return value, None


def parse_iso_date(text: str) -> tuple[dt.date | None, str | None]:
    """(date, None); (None, None) for an empty field; (None, reason) for text that is not a
    date, or a date that does not exist (month 13, 31 April, 29 February of a common year)."""
    cleaned = text.strip()
    if not cleaned:
        return None, None
    match = _ISO_DATE.match(cleaned)
    if match is None:
        return None, DATE_PATTERN
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return None, f"not a real date (there is no month {month})"
    if year < dt.MINYEAR:
        return None, "not a real date (there is no year 0)"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return None, f"not a real date ({calendar.month_name[month]} {year} has {days} days)"
    return dt.date(year, month, day), None
