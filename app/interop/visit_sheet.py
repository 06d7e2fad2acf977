"""The visit-sheet CSV (docs/product.md): columns, parsing of one cell, and safe writing.

Pure: text in, typed values and `Finding`s out. No database.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from app.domain.analytes import ANALYTES, LAB_COLUMNS, PERFUSION_COLUMNS
from app.domain.typed_input import NOT_A_NUMBER, parse_decimal
from app.models.vocab import ARMS, DIABETES_TYPES, EXOSOME_ROUTES, SEXES

PATIENT_COLUMNS = ("mrn", "patient_name", "birth_date", "sex", "diabetes_type", "arm")
SIZE_COLUMNS = ("length_cm", "width_cm", "depth_cm", "traced_area_cm2", "closed")
TISSUE_COLUMNS = ("granulation_pct", "epithelial_pct", "slough_pct", "necrotic_pct")
EXOSOME_COLUMNS = ("exosome_route", "exosome_dose", "exosome_lot")
HEADER: tuple[str, ...] = (
    *PATIENT_COLUMNS, "visit_date", "ulcer_site", *SIZE_COLUMNS, *TISSUE_COLUMNS, "vas",
    *LAB_COLUMNS, *PERFUSION_COLUMNS, *EXOSOME_COLUMNS, "notes",
)
REQUIRED = ("mrn", "visit_date", "ulcer_site")
# Values recorded once per patient visit: repeated on each ulcer's row, and they must agree.
VISIT_LEVEL = ("vas", *LAB_COLUMNS, *PERFUSION_COLUMNS, "notes")
PATIENT_LEVEL = ("patient_name", "birth_date", "sex", "diabetes_type", "arm")
TEXT_COLUMNS = ("mrn", "patient_name", "ulcer_site", "exosome_lot", "notes")
NUMBER_COLUMNS = ("length_cm", "width_cm", "depth_cm", "traced_area_cm2", *TISSUE_COLUMNS, "vas",
                  *LAB_COLUMNS, *PERFUSION_COLUMNS, "exosome_dose")
CHOICES: dict[str, tuple[str, ...]] = {
    "sex": SEXES, "diabetes_type": DIABETES_TYPES, "arm": ARMS, "exosome_route": EXOSOME_ROUTES,
    "closed": ("yes", "no"),
}
FORMULA_PREFIXES = ("=", "+", "-", "@")

assert all(c in ANALYTES for c in (*LAB_COLUMNS, *PERFUSION_COLUMNS))


class CellError(ValueError):
    """A cell that cannot be read; the message names what was expected."""


def parse_number(text: str) -> float:
    """A number cell: a decimal point only (app.domain.typed_input, the file's rule)."""
    value, reason = parse_decimal(text, decimal_comma=False)
    if value is None:
        reason = reason or NOT_A_NUMBER
        if reason == NOT_A_NUMBER:
            reason += " (use a decimal point)"
        raise CellError(f"{text!r} is {reason}" if reason.startswith("not")
                        else f"{text!r}: {reason}")
    return value


def parse_date(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def unneutralise(text: str) -> str:
    """Undo our own export's formula-injection guard: `'=x` was written for `=x`."""
    if len(text) >= 2 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def parse_cell(column: str, text: str) -> Any:
    """The typed value of one non-empty cell, or CellError."""
    if column in NUMBER_COLUMNS:
        return parse_number(text)
    if column in ("visit_date", "birth_date"):
        return parse_date(text)
    if column in CHOICES:
        value = text.strip().lower() if column != "sex" else text.strip().upper()
        if value not in CHOICES[column]:
            raise CellError(f"{text!r} is not one of {'/'.join(CHOICES[column])}")
        return value
    return unneutralise(text)


@dataclass
class SheetRow:
    """One data row: `number` is its 1-based position among data rows."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)


def read_sheet(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and raw rows of a CSV text (a UTF-8 BOM is accepted)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    header = [h.strip() for h in header]
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        rows.append({"__width__": str(len(cells)),
                     **{h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}})
    return header, rows


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading `'`."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def format_number(value: float) -> str:
    """Shortest exact text for a float, without a trailing `.0`."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text


def format_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value)) if column in TEXT_COLUMNS else str(value)


def write_sheet(rows: Iterable[dict[str, Any]]) -> str:
    """The CSV text of `rows` (dicts keyed by column) with exactly HEADER."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([format_cell(c, row.get(c)) for c in HEADER])
    return out.getvalue()


def header_problems(header: Sequence[str]) -> list[str]:
    problems = []
    unknown = [h for h in header if h not in HEADER]
    if unknown:
        problems.append("unknown column" + ("s " if len(unknown) > 1 else " ")
                        + ", ".join(repr(u) for u in unknown))
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append("repeated column " + ", ".join(repr(d) for d in duplicated))
    missing = [r for r in REQUIRED if r not in header]
    if missing:
        problems.append("missing required column " + ", ".join(repr(m) for m in missing))
    return problems
