"""The cohort figure on paper: save it as PNG or PDF, or print it (issue 11, "Printing").

The figure is the cohort view's charts and summary as shown, under a title line that says
which episodes it counts. PDF and printer get the same painting (pyqtgraph draws its curves
as vectors); the PNG is rendered at twice the screen's size so it stays sharp in a slide.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

PNG_SCALE = 2  # pixels of the PNG per pixel on screen
TITLE_LINES = 2


def _paint(painter: QPainter, figure: QWidget, title: str, area: QRect) -> None:
    """Paint `title` and then `figure` scaled into `area` (device pixels), aspect kept."""
    # Polish and lay out as on screen first: a view never painted yet (just opened, or
    # hidden) still has the sizes of before its latest statistics.
    figure.grab()
    font = QFont(painter.font())
    font.setPixelSize(max(10, area.width() // 70))
    painter.setFont(font)
    title_height = painter.fontMetrics().height() * TITLE_LINES
    painter.drawText(QRect(area.left(), area.top(), area.width(), title_height),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap), title)
    size = QSize(figure.size())
    room = QSize(area.width(), area.height() - title_height)
    scaled = size.scaled(room, Qt.AspectRatioMode.KeepAspectRatio)
    scale = scaled.width() / max(1, size.width())
    painter.save()
    painter.translate(area.left(), area.top() + title_height)
    painter.scale(scale, scale)
    figure.render(painter, QPoint(0, 0), figure.rect(),
                  QWidget.RenderFlag.DrawChildren | QWidget.RenderFlag.DrawWindowBackground)
    painter.restore()


def save_png(figure: QWidget, title: str, path: Path) -> bool:
    size = figure.size()
    title_height = 60 * PNG_SCALE
    image = QImage(size.width() * PNG_SCALE + 40, size.height() * PNG_SCALE + title_height + 40,
                   QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        _paint(painter, figure, title, image.rect().adjusted(20, 20, -20, -20))
    finally:
        painter.end()
    return image.save(str(path), "PNG")


def _landscape(device: QPdfWriter | QPrinter) -> None:
    device.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))


def _paint_page(device: QPdfWriter | QPrinter, figure: QWidget, title: str) -> bool:
    painter = QPainter()
    if not painter.begin(device):
        return False
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = device.pageLayout().paintRectPixels(device.resolution())
        _paint(painter, figure, title, QRect(0, 0, area.width(), area.height()))
    finally:
        painter.end()
    return True


def save_pdf(figure: QWidget, title: str, path: Path) -> bool:
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(title.splitlines()[0] if title else "Cohort")
    writer.setCreator("DFU Monitor")
    _landscape(writer)
    return _paint_page(writer, figure, title)


def save_figure(figure: QWidget, title: str, path: Path) -> Path:
    """Write the figure to `path`: PDF for a .pdf name, otherwise PNG (".png" added when the
    name has no suffix). Returns the path written; OSError when it could not be written."""
    path = Path(path)
    if path.suffix.lower() not in (".pdf", ".png"):
        path = path.with_name(path.name + ".png")
    ok = (save_pdf if path.suffix.lower() == ".pdf" else save_png)(figure, title, path)
    if not ok or not path.exists():
        raise OSError(f"could not write {path}")
    return path


def print_figure(figure: QWidget, title: str, printer: QPrinter) -> bool:
    """Paint the figure on one landscape page of `printer`; False if it could not start."""
    _landscape(printer)
    return _paint_page(printer, figure, title)

