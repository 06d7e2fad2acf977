"""Two wound photos side by side at one real-world scale with a 1-cm grid, or the earlier
outline drawn over the later photo (`photoCompare`).

Each calibrated photo is warped onto its skin plane (app.imaging.views.plane_view) at the same
px per mm, so a centimetre is as long on both and the grid lines are 1 cm apart on the skin.
The plane's origin is the card's corner, which moves from visit to visit; the overlay therefore
puts the earlier outline's centre on the later one's (aligned at the wound centres). An
uncalibrated photo is shown as taken, marked "not calibrated — not to scale".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from app.ui.photos.canvas import OUTLINE_COLOUR, PREVIOUS_COLOUR, cosmetic_pen, image_to_qimage

GRID_MM = 10.0
MAX_PX_PER_MM = 8.0  # the shared scale, at most: two typical wounds fit the tab
UNCALIBRATED_HEIGHT = 420  # px: an uncalibrated photo is shown this high


@dataclass(frozen=True)
class ComparedPhoto:
    caption: str
    rgb: Any  # numpy RGB array
    outline: list[tuple[float, float]] | None  # view px
    outline_mm: list[tuple[float, float]] | None
    px_per_mm: float | None  # None: not calibrated, not to scale
    origin_mm: tuple[float, float] | None


def _centroid(points) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def build_comparison(items: list[tuple[Any, bytes, str]]) -> list[ComparedPhoto]:
    """(record, working JPEG, caption) -> views at one shared scale (background thread)."""
    from app.imaging.views import decode_rgb, native_px_per_mm, plane_view

    decoded = [(record, decode_rgb(data), caption) for record, data, caption in items]
    natives = [native_px_per_mm(r.calibration, r.width_px / rgb.shape[1])
               for r, rgb, _ in decoded if r.calibration is not None]
    s = min([MAX_PX_PER_MM, *natives])
    views = []
    for record, rgb, caption in decoded:
        scale = record.width_px / rgb.shape[1]
        if record.calibration is None:
            outline = [((x + 0.5) / scale - 0.5, (y + 0.5) / scale - 0.5)
                       for x, y in record.outline] if record.outline else None
            views.append(ComparedPhoto(caption, rgb, outline, None, None, None))
            continue
        view = plane_view(rgb, scale, record.calibration,
                          list(record.outline) if record.outline else None, px_per_mm=s,
                          image_size=(record.width_px, record.height_px))
        views.append(ComparedPhoto(caption, view.rgb, view.outline, view.outline_mm,
                                   view.px_per_mm, view.origin_mm))
    return views


class PhotoCompareView(QGraphicsView):
    """The comparison: side by side, or overlay (the earlier outline on the later photo)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoCompare")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(QColor("#f4f4f4"))
        self.views: list[ComparedPhoto] = []
        self.overlay = False
        self.drawn_grid_lines = 0

    def show_views(self, views: list[ComparedPhoto], *, overlay: bool) -> None:
        self.views, self.overlay = views, overlay
        scene = self.scene()
        scene.clear()
        self.drawn_grid_lines = 0
        if overlay and len(views) == 2:
            self._overlay(*views)
        else:
            x = 0.0
            for view in views:
                x += self._panel(view, x) + 24
        self.setSceneRect(scene.itemsBoundingRect().adjusted(-8, -8, 8, 8))
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.views:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _panel(self, view: ComparedPhoto, x: float, *, previous=None) -> float:
        """One photo at `x` with its grid, outline and caption; returns its width."""
        scene = self.scene()
        pixmap = QPixmap.fromImage(image_to_qimage(view.rgb))
        factor = 1.0
        if view.px_per_mm is None:
            factor = UNCALIBRATED_HEIGHT / max(pixmap.height(), 1)
        item = scene.addPixmap(pixmap)
        item.setScale(factor)
        item.setPos(x, 28)
        w, h = pixmap.width() * factor, pixmap.height() * factor
        if view.px_per_mm is not None:
            self._grid(view, x, w, h)
        for outline, colour, dashed in ((view.outline, OUTLINE_COLOUR, False),
                                        (previous, PREVIOUS_COLOUR, True)):
            if outline:
                polygon = QGraphicsPolygonItem(QPolygonF(
                    [QPointF(x + (px + 0.5) * factor, 28 + (py + 0.5) * factor)
                     for px, py in outline]))
                polygon.setPen(cosmetic_pen(colour, 2.5, Qt.PenStyle.DashLine if dashed
                                            else Qt.PenStyle.SolidLine))
                scene.addItem(polygon)
        caption = f"{view.caption} (grid 1 cm)" if view.px_per_mm is not None else \
            f"{view.caption} — not calibrated, not to scale"
        text = QGraphicsSimpleTextItem(caption)
        font = QFont()
        font.setPointSizeF(max(6.0, h / 40))
        text.setFont(font)
        wide = text.boundingRect().width()
        if wide > w:  # shrink to the photo's width: captions side by side never overlap
            font.setPointSizeF(max(4.0, font.pointSizeF() * w / wide))
            text.setFont(font)
        text.setPos(x, 0)
        scene.addItem(text)
        return w

    def _grid(self, view: ComparedPhoto, x: float, w: float, h: float) -> None:
        """Lines every 1 cm on the skin, at whole centimetres of the plane."""
        import math

        s, (x0, y0) = view.px_per_mm, view.origin_mm
        pen = cosmetic_pen(QColor(255, 255, 255, 150), 1)
        first_x = math.ceil(x0 / GRID_MM) * GRID_MM
        mm = first_x
        while (mm - x0) * s < w:
            u = x + (mm - x0) * s
            self.scene().addLine(u, 28, u, 28 + h, pen)
            self.drawn_grid_lines += 1
            mm += GRID_MM
        mm = math.ceil(y0 / GRID_MM) * GRID_MM
        while (mm - y0) * s < h:
            v = 28 + (mm - y0) * s
            self.scene().addLine(x, v, x + w, v, pen)
            self.drawn_grid_lines += 1
            mm += GRID_MM
        self.scene().addRect(QRectF(x, 28, w, h), cosmetic_pen(QColor("#888"), 1))

    def _overlay(self, earlier: ComparedPhoto, later: ComparedPhoto) -> None:
        previous = None
        if earlier.outline_mm and later.outline_mm and later.px_per_mm:
            (ex, ey), (lx, ly) = _centroid(earlier.outline_mm), _centroid(later.outline_mm)
            s, (x0, y0) = later.px_per_mm, later.origin_mm
            previous = [((px - ex + lx - x0) * s - 0.5, (py - ey + ly - y0) * s - 0.5)
                        for px, py in earlier.outline_mm]
        caption = f"{later.caption}; dashed: {earlier.caption} (aligned at the wound centres)" \
            if previous else f"{later.caption} (no earlier calibrated outline to overlay)"
        self._panel(ComparedPhoto(caption, later.rgb, later.outline, later.outline_mm,
                                  later.px_per_mm, later.origin_mm), 0.0, previous=previous)
