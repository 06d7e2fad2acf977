"""The picture of the outline editor: the working copy of a photo, the outline, and the mouse.

Scene coordinates are working-copy pixels (pixel centres at integers + 0.5 in Qt's pixmap
space: a scene point (x, y) is image point (x - 0.5, y - 0.5)). The canvas only draws and
reports what the mouse did; the editor decides what it means.
"""
from __future__ import annotations

import math
from enum import Enum

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

Point = tuple[float, float]
HANDLE_PX = 7  # screen px: the size of a vertex handle, and how near a press must be to it
OUTLINE_COLOUR = QColor("#00e5ff")
PREVIOUS_COLOUR = QColor("#ffd600")


class Mode(str, Enum):
    BOX = "box"
    CLICK = "click"
    VERTICES = "vertices"
    PAINT_ADD = "paint_add"
    PAINT_REMOVE = "paint_remove"
    TRACE = "trace"
    RULER = "ruler"


def image_to_qimage(rgb) -> QImage:
    """An RGB uint8 array (rows x columns x 3) as a QImage that owns a copy of the pixels."""
    h, w = rgb.shape[:2]
    data = rgb.tobytes()
    return QImage(data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def cosmetic_pen(colour: QColor, width: float = 2.0, style=Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(colour, width, style)
    pen.setCosmetic(True)
    return pen


def _to_scene(p: Point) -> QPointF:
    return QPointF(p[0] + 0.5, p[1] + 0.5)


def _to_image(p: QPointF) -> Point:
    return (p.x() - 0.5, p.y() - 0.5)


TOOLS = ((Mode.BOX, "&Box / click", "Drag a box around the wound, or click inside it (B)", "B"),
         (Mode.VERTICES, "&Move points", "Drag the outline's points (M)", "M"),
         (Mode.PAINT_ADD, "&Paint in", "Paint wound that the outline missed (P)", "P"),
         (Mode.PAINT_REMOVE, "&Erase", "Paint out what is not wound (E)", "E"),
         (Mode.TRACE, "&Trace", "Trace the outline by hand with the mouse or a pen (T)", "T"),
         (Mode.RULER, "&Ruler", "No card: click two marks on a ruler, then type the "
                                "distance (R)", "R"))


def tissue_text(shares: dict[str, float]) -> str:
    """A tissue-colour suggestion in words (the editor's tissue box)."""
    return (f"red (granulation) {shares['red']:.0f}% · yellow (slough) {shares['yellow']:.0f}% · "
            f"black (necrosis) {shares['black']:.0f}%")


class OutlineCanvas(QGraphicsView):
    """Shows the photo and the outline; reports boxes, clicks, strokes, traces and edits."""

    box_drawn = Signal(object)  # (x0, y0, x1, y1) image px
    clicked = Signal(object)  # (x, y)
    outline_edited = Signal(object)  # list of (x, y): vertices moved or a trace finished
    stroke_done = Signal(object, float, bool)  # points, brush radius px, add
    ruler_changed = Signal(object)  # list of up to two (x, y)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoCanvas")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QColor("#303030"))
        self.setMouseTracking(True)
        self.mode = Mode.BOX
        self.brush_radius = 12.0
        self.outline: list[Point] = []
        self.ruler: list[Point] = []
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._pixmap)
        self._previous = QGraphicsPolygonItem()
        self._previous.setPen(cosmetic_pen(PREVIOUS_COLOUR, 2, Qt.PenStyle.DashLine))
        self._polygon = QGraphicsPolygonItem()
        self._polygon.setPen(cosmetic_pen(OUTLINE_COLOUR, 2))
        self._polygon.setBrush(QBrush(QColor(0, 229, 255, 40)))
        self._rubber = QGraphicsRectItem()
        self._rubber.setPen(cosmetic_pen(QColor("#ffffff"), 1.5, Qt.PenStyle.DashLine))
        self._path = QGraphicsPathItem()
        self._ruler_line = QGraphicsLineItem()
        self._ruler_line.setPen(cosmetic_pen(QColor("#ff4081"), 2))
        for item in (self._previous, self._polygon, self._rubber, self._path, self._ruler_line):
            self.scene().addItem(item)
        self._rubber.hide()
        self._press: QPointF | None = None
        self._drag_vertex: int | None = None
        self._trail: list[Point] = []
        self._auto_fit = True

    # -- content ----------------------------------------------------------------------------
    def set_image(self, rgb, qimage: QImage | None = None) -> None:
        self._pixmap.setPixmap(QPixmap.fromImage(qimage if qimage is not None
                                                 else image_to_qimage(rgb)))
        self.scene().setSceneRect(self._pixmap.boundingRect())
        self.fit()

    def fit(self) -> None:
        self._auto_fit = True
        if not self._pixmap.pixmap().isNull():
            self.fitInView(self._pixmap, Qt.AspectRatioMode.KeepAspectRatio)

    def zoom_to_outline(self, share: float = 0.45) -> None:
        """Zoom so the outline fills about `share` of the view (the whole photo if none)."""
        if not self.outline:
            self.fit()
            return
        self._auto_fit = False
        box = self._polygon.boundingRect()
        grow = max(box.width(), box.height()) * (1 / share - 1) / 2
        self.fitInView(box.adjusted(-grow, -grow, grow, grow),
                       Qt.AspectRatioMode.KeepAspectRatio)

    def set_outline(self, outline: list[Point] | None) -> None:
        self.outline = list(outline or [])
        self._polygon.setPolygon(QPolygonF([_to_scene(p) for p in self.outline]))
        self.viewport().update()

    def set_previous(self, outline: list[Point] | None) -> None:
        """A dashed outline for comparison (not editable)."""
        self._previous.setPolygon(QPolygonF([_to_scene(p) for p in (outline or [])]))

    def set_ruler(self, points: list[Point]) -> None:
        self.ruler = list(points[:2])
        if len(self.ruler) == 2:
            a, b = (_to_scene(p) for p in self.ruler)
            self._ruler_line.setLine(a.x(), a.y(), b.x(), b.y())
            self._ruler_line.show()
        else:
            self._ruler_line.hide()
        self.viewport().update()

    def set_mode(self, mode: Mode) -> None:
        self.mode = mode
        cursor = Qt.CursorShape.ArrowCursor if mode is Mode.VERTICES else \
            Qt.CursorShape.CrossCursor
        self.viewport().setCursor(cursor)
        self.viewport().update()

    # -- mouse ------------------------------------------------------------------------------
    def _scale(self) -> float:
        return max(self.transform().m11(), 1e-6)

    def nearest_vertex(self, p: Point) -> int | None:
        if not self.outline:
            return None
        limit = HANDLE_PX / self._scale()
        best = min(range(len(self.outline)), key=lambda i: math.dist(self.outline[i], p))
        return best if math.dist(self.outline[best], p) <= limit else None

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        scene = self.mapToScene(event.position().toPoint())
        p = _to_image(scene)
        self._press = scene
        if self.mode is Mode.VERTICES:
            self._drag_vertex = self.nearest_vertex(p)
        elif self.mode in (Mode.TRACE, Mode.PAINT_ADD, Mode.PAINT_REMOVE):
            self._trail = [p]
            self._show_trail()
        elif self.mode is Mode.BOX:
            self._rubber.setRect(QRectF(scene, scene))
            self._rubber.show()
        event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        scene = self.mapToScene(event.position().toPoint())
        p = _to_image(scene)
        if self._press is None:
            super().mouseMoveEvent(event)
            return
        if self.mode is Mode.VERTICES and self._drag_vertex is not None:
            self.outline[self._drag_vertex] = p
            self.set_outline(self.outline)
        elif self.mode in (Mode.TRACE, Mode.PAINT_ADD, Mode.PAINT_REMOVE):
            if math.dist(self._trail[-1], p) >= 1.0:
                self._trail.append(p)
                self._show_trail()
        elif self.mode is Mode.BOX:
            self._rubber.setRect(QRectF(self._press, scene).normalized())
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        scene = self.mapToScene(event.position().toPoint())
        start, self._press = _to_image(self._press), None
        end = _to_image(scene)
        self._finish(start, end)
        event.accept()

    def _finish(self, start: Point, end: Point) -> None:
        mode = self.mode
        if mode is Mode.VERTICES:
            if self._drag_vertex is not None:
                self._drag_vertex = None
                self.outline_edited.emit(list(self.outline))
        elif mode is Mode.BOX:
            self._rubber.hide()
            if math.dist(start, end) * self._scale() < 4:  # a click, not a drag
                self.clicked.emit(end)
            else:
                self.box_drawn.emit((min(start[0], end[0]), min(start[1], end[1]),
                                     max(start[0], end[0]), max(start[1], end[1])))
        elif mode is Mode.CLICK:
            self.clicked.emit(end)
        elif mode is Mode.TRACE:
            trail, self._trail = self._trail, []
            self._path.setPath(QPainterPath())
            if len(trail) >= 3:
                self.outline_edited.emit(trail)
        elif mode in (Mode.PAINT_ADD, Mode.PAINT_REMOVE):
            trail, self._trail = self._trail, []
            self.stroke_done.emit(trail, self.brush_radius, mode is Mode.PAINT_ADD)
        elif mode is Mode.RULER:
            points = (self.ruler + [end])[-2:] if len(self.ruler) < 2 else [end]
            self.set_ruler(points)
            self.ruler_changed.emit(list(self.ruler))

    def _show_trail(self) -> None:
        path = QPainterPath(_to_scene(self._trail[0]))
        for p in self._trail[1:]:
            path.lineTo(_to_scene(p))
        if self.mode is Mode.TRACE:
            self._path.setPen(cosmetic_pen(QColor("#ffea00"), 2))
        else:
            colour = QColor(0, 200, 83, 140) if self.mode is Mode.PAINT_ADD \
                else QColor(213, 0, 0, 140)
            pen = QPen(colour, 2 * self.brush_radius, Qt.PenStyle.SolidLine,
                       Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
            self._path.setPen(pen)
        self._path.setPath(path)

    def clear_stroke(self) -> None:
        self._path.setPath(QPainterPath())

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.scale(factor, factor)
        self._auto_fit = False

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        """Vertex handles in move mode, ruler end points: a fixed size on screen."""
        handles = self.outline if self.mode is Mode.VERTICES else []
        if not handles and not self.ruler:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(QColor("#000000"), 1))
        painter.setBrush(QColor("#ffffff"))
        half = HANDLE_PX / 2
        for p in handles:
            v = self.mapFromScene(_to_scene(p))
            painter.drawRect(QRectF(v.x() - half, v.y() - half, HANDLE_PX, HANDLE_PX))
        painter.setBrush(QColor("#ff4081"))
        for p in self.ruler:
            v = self.mapFromScene(_to_scene(p))
            painter.drawEllipse(QRectF(v.x() - half, v.y() - half, HANDLE_PX, HANDLE_PX))
        painter.restore()
