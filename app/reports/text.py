"""How report values read on paper: rounding for display only, and "not recorded" for gaps.

Every number arrives computed (app.domain via load_history); nothing here computes a metric.
A missing value prints NOT_RECORDED: never 0, never blank (docs/reliability.md "Input").
"""
from __future__ import annotations

import datetime as dt

from app.domain.labels import (
    CTCAE_LABELS,
    DIABETES_LABELS,
    ETIOLOGY_LABELS,
    OUTCOME_LABELS,
    ROUTE_LABELS,
    SEX_LABELS,
    SOURCE_LABELS,
    dose_quantity,
    site_label,
)

NOT_RECORDED = "not recorded"

AREA_DECIMALS = 2  # cm²
LENGTH_DECIMALS = 1  # cm
PAR_DECIMALS = 1  # %
SLOPE_DECIMALS = 2  # cm²/week
GILMAN_DECIMALS = 3  # cm/week
VAS_DECIMALS = 1

# The words for stored values live in one place, shared with the window (app.domain.labels).
SEX_WORDS = SEX_LABELS
DIABETES_WORDS = DIABETES_LABELS
SOURCE_WORDS = SOURCE_LABELS
ROUTE_WORDS = ROUTE_LABELS
OUTCOME_WORDS = OUTCOME_LABELS
CTCAE_WORDS = CTCAE_LABELS
ETIOLOGY_WORDS = {key: label.lower() for key, label in ETIOLOGY_LABELS.items()}
UT_GRADES = {0: "0", 1: "I", 2: "II", 3: "III"}


def number(value: float | None, decimals: int, unit: str = "", *, signed: bool = False) -> str:
    """`value` rounded for display, with its unit; NOT_RECORDED when it is missing."""
    if value is None:
        return NOT_RECORDED
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    if text.lstrip("+-").strip("0.") == "":  # -0.0 and +0.0 read as 0.0
        text = f"{0:.{decimals}f}"
    return f"{text} {unit}".strip() if unit and unit != "%" else text + unit


def quantity(value: float | None, unit: str | None = None) -> str:
    """A dose as written on a vial (app.domain.labels.dose_quantity); NOT_RECORDED if missing."""
    return NOT_RECORDED if value is None else dose_quantity(value, unit)


def date(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else NOT_RECORDED


def long_date(value: dt.date) -> str:
    """A date in words for patients, e.g. "Friday 4 December 2026"."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def word(value: object | None, words: dict | None = None) -> str:
    """A vocabulary value in words; NOT_RECORDED for None or empty text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return NOT_RECORDED
    return words.get(value, str(value)) if words else str(value)


def site(code: str | None) -> str:
    """An ulcer site for the clinician: plain words, with the clinic's code when they differ
    ("right big toe, sole (R-hallux-plantar)")."""
    if code is None or not code.strip():
        return NOT_RECORDED
    words = site_label(code)
    return words if words == code.strip() else f"{words} ({code.strip()})"


def yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_RECORDED
    return "yes" if value else "no"


def ut_class(grade: int | None, stage: str | None) -> str:
    """University of Texas class as grade and stage, e.g. "IIB" (Armstrong 1998)."""
    if grade is None and not stage:
        return NOT_RECORDED
    grade_text = UT_GRADES.get(grade, "?") if grade is not None else "grade not recorded"
    stage_text = stage or " (stage not recorded)"
    return f"{grade_text}{stage_text}"


def par_verdict(on_track: bool | None) -> str:
    if on_track is None:
        return NOT_RECORDED
    return "on track" if on_track else "not on track"
