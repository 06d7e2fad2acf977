"""The page: paper size, header and footer on every page, and "page x of y".

docs/house_style.md "Reports": a platypus story in a SimpleDocTemplate, with the header and footer
drawn by the onPage callback of its page templates. The total page count is known only at
the end, so the canvas keeps each finished page and stamps "page x of y" on all of them when
the document is saved.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

from app.domain.labels import mrn_label
from app.reports.fonts import BOLD, REGULAR, draw_text, register_fonts, string_width
from app.reports.layout import INK, MUTED, RULE

PAPER = {"A4": A4, "Letter": LETTER}
MARGIN = 15 * mm
HEADER_HEIGHT = 20 * mm
FOOTER_HEIGHT = 10 * mm


@dataclass(frozen=True)
class PageHeader:
    """What the header and footer of every page say."""

    clinic_name: str
    logo_path: str | None
    title: str
    patient_name: str
    mrn: str
    report_date: dt.date
    printed_by: str
    clinic_address: str = ""  # the clinic's settings; printed in the footer on one line


def page_size(paper: str) -> tuple[float, float]:
    """A4 or US Letter (clinic setting `paper_size`); anything else falls back to A4."""
    return PAPER.get(paper, A4)


class NumberedCanvas(Canvas):
    """Keeps every page until save, then writes "Page x of y" in each page's footer."""

    def __init__(self, *args, number_at: tuple[float, float], **kwargs):
        super().__init__(*args, **kwargs)
        self._number_at = number_at
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            x, y = self._number_at
            self.setFillColor(INK)
            draw_text(self, x, y, f"Page {number} of {total}", size=8, align="right")
            super().showPage()
        super().save()


def _logo(canvas: Canvas, path: str | None, x: float, top: float, max_h: float) -> float:
    """Draw the clinic logo with its top-left at (x, top); returns the width used (0 if none)."""
    if not path:
        return 0.0
    from reportlab.lib.utils import ImageReader

    try:
        image = ImageReader(path)
        width, height = image.getSize()
    except Exception:  # a moved or unreadable logo must never stop a report
        return 0.0
    scale = max_h / height
    canvas.drawImage(image, x, top - max_h, width * scale, max_h, mask="auto")
    return width * scale + 3 * mm


def _draw_page(canvas: Canvas, doc: SimpleDocTemplate, *, header: PageHeader) -> None:
    width, height = doc.pagesize
    left, right = MARGIN, width - MARGIN
    top = height - MARGIN
    canvas.saveState()
    canvas.setFillColor(INK)
    x = left + _logo(canvas, header.logo_path, left, top + 2 * mm, 13 * mm)
    room = right - x - 70 * mm
    clinic = header.clinic_name
    while clinic and string_width(clinic, 11, base=BOLD) > room:
        clinic = clinic[:-2] + "…"
    draw_text(canvas, x, top - 3 * mm, clinic, size=11, base=BOLD)
    draw_text(canvas, x, top - 8 * mm, header.title, size=9)
    canvas.setFillColor(MUTED)
    draw_text(canvas, right, top - 3 * mm, f"Report date {header.report_date.isoformat()}",
              size=8, align="right")
    canvas.setFillColor(INK)
    # A long name is shortened, never the MRN that identifies the record.
    mrn = f" · {mrn_label(header.mrn)}"
    name = header.patient_name
    room = 95 * mm - string_width(mrn, 9, base=BOLD)
    while len(name) > 1 and string_width(name, 9, base=BOLD) > room:
        name = name[:-2] + "…"
    draw_text(canvas, right, top - 8 * mm, name + mrn, size=9, base=BOLD, align="right")
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(left, top - 11 * mm, right, top - 11 * mm)

    canvas.line(left, MARGIN + 4 * mm, right, MARGIN + 4 * mm)
    canvas.setFillColor(MUTED)
    draw_text(canvas, left, MARGIN, f"Printed by {header.printed_by} on "
                                    f"{header.report_date.isoformat()}", size=8)
    draw_text(canvas, (left + right) / 2, MARGIN, "Confidential patient information",
              size=8, align="center")
    address = ", ".join(line.strip() for line in header.clinic_address.splitlines()
                        if line.strip())
    while address and string_width(address, 7) > right - left:
        address = address[:-2] + "…"
    if address:  # under the footer line, where the page number never is
        draw_text(canvas, (left + right) / 2, MARGIN - 3.5 * mm, address, size=7,
                  align="center")
    canvas.restoreState()


def build_pdf(story: list, out: BinaryIO, *, paper: str, header: PageHeader,
              subject: str) -> int:
    """Lay out `story` on `paper` into `out`; returns the number of pages."""
    register_fonts()
    size = page_size(paper)
    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + HEADER_HEIGHT - 5 * mm,
                            bottomMargin=MARGIN + FOOTER_HEIGHT, title=header.title,
                            author=header.clinic_name, subject=subject,
                            creator="DFU Monitor", invariant=True, initialFontName=REGULAR,
                            initialFontSize=9)
    draw = functools.partial(_draw_page, header=header)
    # SimpleDocTemplate wraps these in PageTemplate(onPage=...) for the first and later pages.
    doc.build(story, onFirstPage=draw, onLaterPages=draw,
              canvasmaker=functools.partial(NumberedCanvas,
                                            number_at=(size[0] - MARGIN, MARGIN)))
    return doc.page


def content_width(paper: str) -> float:
    """The width of the text frame (SimpleDocTemplate's frame pads 6 pt on each side)."""
    return page_size(paper)[0] - 2 * MARGIN - 12


def content_height(paper: str) -> float:
    """The height of the text frame between header and footer."""
    return (page_size(paper)[1] - (MARGIN + HEADER_HEIGHT - 5 * mm)
            - (MARGIN + FOOTER_HEIGHT) - 12)
