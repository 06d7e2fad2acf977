"""The calibration card as a PDF to print at 100% (actual size), from app/imaging/card.py's design.

Here rather than in app/reports: reports and imaging are sibling layers. The text is ASCII in
reportlab's built-in Helvetica, so the card needs no font files.

Vector drawing at true size: a card W mm wide measures W mm on paper when the print dialog
does not scale the page. The printed ruler lets the nurse check that with any ruler.
"""
from __future__ import annotations

import io

from app.imaging import card as design

CARDS_PER_PAGE = 2  # one to laminate, one spare (or stickers)
REGULAR_FONT = "Helvetica"
BOLD_FONT = "Helvetica-Bold"


def _draw_card(canvas, left_mm: float, top_mm: float, page_height_mm: float) -> None:
    """One card with its top-left corner at (left_mm, top_mm) from the page's top-left."""
    from reportlab.lib.units import mm

    def rect(x: float, y: float, w: float, h: float, *, fill: bool, stroke: bool = False) -> None:
        canvas.rect((left_mm + x) * mm, (page_height_mm - top_mm - y - h) * mm, w * mm, h * mm,
                    fill=int(fill), stroke=int(stroke))

    def line(x0: float, y0: float, x1: float, y1: float) -> None:
        canvas.line((left_mm + x0) * mm, (page_height_mm - top_mm - y0) * mm,
                    (left_mm + x1) * mm, (page_height_mm - top_mm - y1) * mm)

    def text(x: float, y: float, value: str, size: float) -> None:
        canvas.setFont(REGULAR_FONT, size)
        canvas.drawString((left_mm + x) * mm, (page_height_mm - top_mm - y) * mm, value)

    canvas.setDash(2, 2)
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.3)
    rect(0, 0, design.CARD_WIDTH_MM, design.CARD_HEIGHT_MM, fill=False, stroke=True)  # cut line
    canvas.setDash()
    canvas.setStrokeGray(0)
    canvas.setFillGray(0)
    cell = design.MARKER_MM / design.MARKER_CELLS
    for marker in design.MARKERS:
        bits = design.marker_bits(marker.marker_id)
        for row in range(design.MARKER_CELLS):
            for col in range(design.MARKER_CELLS):
                if bits[row, col] == 0:
                    rect(marker.x_mm + col * cell, marker.y_mm + row * cell, cell * 1.002,
                         cell * 1.002, fill=True)
    canvas.setFillGray(design.GREY_LEVEL / 255)
    rect(*design.GREY_PATCH_MM, fill=True)
    canvas.setFillGray(1)
    canvas.setLineWidth(0.2 * mm)
    rect(*design.WHITE_PATCH_MM, fill=True, stroke=True)
    canvas.setFillGray(0)
    canvas.setLineWidth(0.25 * mm)
    x0, base = design.RULER_START_MM
    line(x0, base, x0 + design.RULER_LENGTH_MM, base)
    for x, height in design.ruler_ticks():
        line(x, base, x, base + height)
    text(x0, base - 1.2, "0", 6)
    text(x0 + design.RULER_LENGTH_MM - 4, base - 1.2, f"{design.RULER_LENGTH_MM / 10:.0f} cm", 6)
    text(design.LABEL_MM[0], design.LABEL_MM[1] + 3, design.LABEL, 7)


def card_pdf() -> bytes:
    """A4 page(s) with the card at actual size, and how to print and check it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle("DFU Monitor calibration card")
    page_w_mm, page_h_mm = A4[0] / mm, A4[1] / mm
    left = (page_w_mm - design.CARD_WIDTH_MM) / 2
    canvas.setFont(BOLD_FONT, 13)
    canvas.drawString(left * mm, (page_h_mm - 20) * mm, "Calibration card for wound photographs")
    lines = [design.RULER_CHECK + ".",
             "In the print dialog choose \"Actual size\" or \"100%\", never \"Fit to page\".",
             "Check the ruler with a real ruler; if it is not 50 mm, print again.",
             "Cut along the dashed line; laminate, or print on sticker paper.",
             "Lay the card flat on the skin beside the wound, all four squares in the photo."]
    canvas.setFont(REGULAR_FONT, 9)
    for k, value in enumerate(lines):
        canvas.drawString(left * mm, (page_h_mm - 28 - 5 * k) * mm, value)
    top = 60.0
    for k in range(CARDS_PER_PAGE):
        _draw_card(canvas, left, top + k * (design.CARD_HEIGHT_MM + 15), page_h_mm)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
