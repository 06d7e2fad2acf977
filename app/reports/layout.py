"""Paragraph styles, tables and the small building blocks every report section uses."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.reports.fonts import BOLD, REGULAR, markup, plain_in, register_fonts, string_width
from app.reports.text import NOT_RECORDED

INK = colors.HexColor("#1b2733")
MUTED = colors.HexColor("#66727f")
RULE = colors.HexColor("#b8c2cc")
HEADER_FILL = colors.HexColor("#e3ebf3")
ZEBRA = colors.HexColor("#f5f8fb")
ALERT = colors.HexColor("#b3261e")
GOOD = colors.HexColor("#1e6b35")
AREA_COLOUR = colors.HexColor("#1f5fa8")
PAR_COLOUR = colors.HexColor("#d9730d")
DOSE_COLOUR = colors.HexColor("#2e8b57")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_missing: ParagraphStyle
    label: ParagraphStyle


def make_styles(size: float = 9.0) -> Styles:
    """The report's paragraph styles at a base size in points (the patient version is larger)."""
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=size, leading=size * 1.3,
                          textColor=INK, alignment=TA_LEFT)
    cell = ParagraphStyle("cell", parent=body, fontSize=size - 1, leading=(size - 1) * 1.2)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=size - 1.5,
                             leading=(size - 1.5) * 1.3, textColor=MUTED),
        title=ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=size * 1.6,
                             leading=size * 2.0, spaceAfter=size * 0.4),
        h2=ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=size * 1.35,
                          leading=size * 1.7, spaceBefore=size * 1.2, spaceAfter=size * 0.4,
                          textColor=AREA_COLOUR, keepWithNext=1),
        h3=ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=size * 1.1,
                          leading=size * 1.45, spaceBefore=size * 0.8, spaceAfter=size * 0.3,
                          keepWithNext=1),
        cell=cell,
        cell_head=ParagraphStyle("cell_head", parent=cell, fontName=BOLD),
        cell_missing=ParagraphStyle("cell_missing", parent=cell, textColor=MUTED),
        label=ParagraphStyle("label", parent=cell, textColor=MUTED),
    )


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of untrusted text (names, notes): escaped, shaped, with font fallback."""
    return Paragraph(markup(text, base=style.fontName), style)


def rich(xml: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of the report's own markup (trusted, <b> allowed); values go in via markup()."""
    return Paragraph(xml, style)


def cell(value: object, styles: Styles, *, head: bool = False) -> Paragraph:
    if head:
        return para(value, styles.cell_head)
    if value is None or value == "":
        value = NOT_RECORDED
    return para(value, styles.cell_missing if value == NOT_RECORDED else styles.cell)


def _plain(text: str, font: str = REGULAR) -> bool:
    """Text a table can draw as a plain string, as its Paragraph would: every character in
    `font` (no fallback run), left to right, and no whitespace a Paragraph would collapse."""
    return plain_in(text, font) and " ".join(text.split()) == text


def _one_line(text: str, font: str, size: float, room: float) -> bool:
    """`text` fits on one line of a cell with `room` points inside its paddings."""
    return _plain(text, font) and stringWidth(text, font, size) <= room


def _text_or_para(text: str, style: ParagraphStyle, room: float) -> str | Paragraph:
    """A plain string where it draws exactly like its one-line Paragraph (a Paragraph's first
    baseline sits a font size below the cell's top, as a string's does; the tables' FONT
    commands give strings the paragraph style's leading), else the wrapping Paragraph."""
    if _one_line(text, style.fontName, style.fontSize, room):
        return text
    return para(text, style)


def data_table(header: Sequence[str], rows: Sequence[Sequence[object]], styles: Styles, *,
               widths: Sequence[float]) -> Table:
    """A table whose header row repeats on every page it spans.

    Short ASCII values are drawn as plain strings (a Paragraph per cell makes long tables slow);
    anything else becomes a Paragraph with font fallback that wraps in its column."""
    widths = fit_widths(list(widths), header, rows, styles)
    size = styles.cell.fontSize
    body: list[list[object]] = [[_text_or_para(str(h), styles.cell_head, w - 6)
                                 for h, w in zip(header, widths)]]
    missing: list[tuple[int, int]] = []
    for r, row in enumerate(rows, start=1):
        line: list[object] = []
        for c, value in enumerate(row):
            text = NOT_RECORDED if value is None or value == "" else str(value)
            if _one_line(text, REGULAR, size, widths[c] - 6):
                line.append(text)
                if text == NOT_RECORDED:
                    missing.append((c, r))
            else:
                line.append(cell(text, styles))
        body.append(line)
    table = Table(body, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("FONT", (0, 0), (-1, -1), REGULAR, size, styles.cell.leading),
        ("FONT", (0, 0), (-1, 0), BOLD, size, styles.cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(body), 2)]
    commands += [("TEXTCOLOR", at, at, MUTED) for at in missing]
    table.setStyle(TableStyle(commands))
    return table


def fit_widths(widths: list[float], header: Sequence[str], rows: Sequence[Sequence[object]],
               styles: Styles, *, padding: float = 7) -> list[float]:
    """Widen columns whose longest word would be cut, taking the room from columns with slack;
    the total stays the same. Left as given when the words cannot all fit."""
    size = styles.cell.fontSize
    need = [max([string_width(w, size, base=BOLD) for w in str(h).split()] + [0]) + padding
            for h in header]
    known: dict[str, float] = {}  # dates, units and words repeat down a column
    for row in rows:
        for i, value in enumerate(row):
            for word in str(value if value not in (None, "") else NOT_RECORDED).split():
                width = known.get(word)
                if width is None:
                    width = known[word] = (stringWidth(word, REGULAR, size) if _plain(word)
                                           else string_width(word, size))
                if width + padding > need[i]:
                    need[i] = width + padding
    cap = 0.3 * sum(widths)  # one very long word is cut rather than starving its neighbours
    need = [min(n, cap) for n in need]
    if sum(need) > sum(widths):
        return widths
    short = sum(max(n - w, 0) for n, w in zip(need, widths))
    slack = sum(max(w - n, 0) for n, w in zip(need, widths))
    if short == 0:
        return widths
    return [n if w <= n else w - (w - n) * short / slack for n, w in zip(need, widths)]


def facts_table(pairs: Sequence[tuple[str, object]], styles: Styles, *, width: float,
                columns: int = 2) -> Table:
    """Label–value pairs in a grid, `columns` pairs per row."""
    label_w = width * 0.17
    value_w = width / columns - label_w
    room = {0: label_w - 8, 1: value_w - 8}  # LEFTPADDING 2 below, reportlab's right 6
    rows: list[list[object]] = []
    row: list[object] = []
    missing: list[tuple[int, int]] = []
    for label, value in pairs:
        if value is None or value == "":
            value = NOT_RECORDED
        if str(value) == NOT_RECORDED:
            missing.append((len(row) + 1, len(rows)))
        row += [_text_or_para(str(label), styles.label, room[0]),
                _text_or_para(str(value), styles.cell_missing if str(value) == NOT_RECORDED
                              else styles.cell, room[1])]
        if len(row) == 2 * columns:
            rows.append(row)
            row = []
    if row:
        rows.append(row + [""] * (2 * columns - len(row)))
    table = Table(rows, colWidths=[label_w, value_w] * columns, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, styles.cell.fontSize, styles.cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        *[("TEXTCOLOR", (c, 0), (c, -1), MUTED) for c in range(0, 2 * columns, 2)],
        *[("TEXTCOLOR", at, at, MUTED) for at in missing],
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]))
    return table


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)
