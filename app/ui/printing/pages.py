"""PDF pages onto a printer: the report preview and the batch print the PDFs themselves (never
widgets), rendered with QPdfDocument at PRINT_DPI and scaled to the printable area."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from PySide6.QtCore import QCoreApplication, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

PRINT_DPI = 300  # pages are rendered at this resolution for the printer


def count_text(n: int, one: str, many: str) -> str:
    """"1 page" / "3 pages" (English plural without the "(s)" of an untranslated %n)."""
    context = "Printing"
    return (QCoreApplication.translate(context, one) if n == 1
            else QCoreApplication.translate(context, many).format(n))


def pages_text(n: int) -> str:
    return count_text(n, "1 page", "{0} pages")


class PrinterNotStarted(RuntimeError):
    """The printer (or its output file) could not be opened."""


def _paint_pages(document: QPdfDocument, printer: QPrinter, painter: QPainter,
                 first: bool) -> int:
    area = printer.pageLayout().paintRectPixels(printer.resolution())
    pages = document.pageCount()
    for index in range(pages):
        if not (first and index == 0):
            printer.newPage()
        points = document.pagePointSize(index)
        image = document.render(index, QSize(round(points.width() * PRINT_DPI / 72),
                                             round(points.height() * PRINT_DPI / 72)))
        target = QSize(image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio))
        painter.drawImage(QRect(0, 0, target.width(), target.height()), image)
    return pages


def print_documents(printer: QPrinter, documents: Iterable[QPdfDocument]) -> int:
    """Paint every page of each document onto `printer`, in order; returns the pages sent.
    Raises PrinterNotStarted when the printer cannot be opened."""
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterNotStarted("the printer could not be started")
    total = 0
    try:
        for document in documents:
            total += _paint_pages(document, printer, painter, first=total == 0)
    finally:
        painter.end()
    return total


def print_files(printer: QPrinter, paths: Iterable[Path]) -> int:
    """Print PDF files one after the other, as one print job."""
    def documents():
        for path in paths:
            document = QPdfDocument()
            document.load(str(path))
            yield document
            document.close()

    return print_documents(printer, documents())
