"""A chart as a platypus Flowable that draws its shapes straight onto the page's canvas.

reportlab.graphics would build a Drawing of shape objects (one per marker, tick and label) and
walk it again with a renderer that saves and restores the graphics state around every node;
here each shape is one tuple, drawn with plain canvas calls. The page looks the same: the
same coordinates, colours, widths, dashes and fonts (bench/README.md, lesson on the PDF).
"""
from __future__ import annotations

import functools
from typing import Any, Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from app.reports.fonts import REGULAR

Colour = Any  # a reportlab Color, or None for "not drawn"


class CanvasChart(Flowable):
    """`width` × `height` points of vector shapes; origin at the bottom left, as a Drawing."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width = width
        self.height = height
        self.hAlign = "LEFT"
        self.ops: list[tuple] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    # Recording: the chart code calls these while it builds the story.
    def line(self, x1: float, y1: float, x2: float, y2: float, *, colour: Colour,
             width: float = 1, dash: Sequence[float] | None = None) -> None:
        self.ops.append(("line", x1, y1, x2, y2, colour, width, dash))

    def rect(self, x: float, y: float, w: float, h: float, *, fill: Colour = None,
             stroke: Colour = None, width: float = 1, fill_opacity: float | None = None) -> None:
        self.ops.append(("rect", x, y, w, h, fill, stroke, width, fill_opacity))

    def polyline(self, points: Sequence[tuple[float, float]], *, colour: Colour,
                 width: float = 1, dash: Sequence[float] | None = None) -> None:
        self.ops.append(("polyline", list(points), colour, width, dash))

    def polygon(self, points: Sequence[tuple[float, float]], *, fill: Colour = None,
                stroke: Colour = None, width: float = 1) -> None:
        self.ops.append(("polygon", list(points), fill, stroke, width))

    def circle(self, x: float, y: float, r: float, *, fill: Colour) -> None:
        self.ops.append(("circle", x, y, r, fill))

    def text(self, x: float, y: float, text: str, *, size: float, colour: Colour,
             anchor: str = "start", rotate: int = 0) -> None:
        """`rotate`: 90 reads bottom to top, -90 top to bottom, about (x, y)."""
        self.ops.append(("text", x, y, text, size, colour, anchor, rotate))

    # Drawing: platypus has moved the canvas's origin to the chart's bottom left.
    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setLineCap(0)
        canvas.setLineJoin(0)
        canvas.setMiterLimit(10)
        canvas.setDash()
        for op in self.ops:
            getattr(self, "_draw_" + op[0])(canvas, *op[1:])
        canvas.restoreState()

    @staticmethod
    def _stroke(canvas, colour: Colour, width: float, dash) -> None:
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(width)
        if dash:
            canvas.setDash(dash, 0)
        else:
            canvas.setDash()

    def _draw_line(self, canvas, x1, y1, x2, y2, colour, width, dash) -> None:
        self._stroke(canvas, colour, width, dash)
        canvas.line(x1, y1, x2, y2)

    def _draw_rect(self, canvas, x, y, w, h, fill, stroke, width, fill_opacity) -> None:
        if fill_opacity is not None:
            canvas.saveState()
        if fill is not None:
            canvas.setFillColor(fill)
        if fill_opacity is not None:  # after the colour, which would set its own alpha
            canvas.setFillAlpha(fill_opacity)
        if stroke is not None:
            self._stroke(canvas, stroke, width, None)
        canvas.rect(x, y, w, h, stroke=int(stroke is not None), fill=int(fill is not None))
        if fill_opacity is not None:
            canvas.restoreState()

    def _draw_polyline(self, canvas, points, colour, width, dash) -> None:
        self._stroke(canvas, colour, width, dash)
        path = canvas.beginPath()
        path.moveTo(*points[0])
        for point in points[1:]:
            path.lineTo(*point)
        canvas.drawPath(path, stroke=1, fill=0)

    def _draw_polygon(self, canvas, points, fill, stroke, width) -> None:
        if fill is not None:
            canvas.setFillColor(fill)
        if stroke is not None:
            self._stroke(canvas, stroke, width, None)
        path = canvas.beginPath()
        path.moveTo(*points[0])
        for point in points[1:]:
            path.lineTo(*point)
        path.close()
        canvas.drawPath(path, stroke=int(stroke is not None), fill=int(fill is not None))

    def _draw_circle(self, canvas, x, y, r, fill) -> None:
        """canvas.circle's four Bézier arcs, computed once per radius and moved to (x, y)."""
        canvas.setFillColor(fill)
        start, curves = _circle_offsets(r)
        path = canvas.beginPath()
        path.moveTo(x + start[0], y + start[1])
        for a, b, c, d, e, f in curves:
            path.curveTo(x + a, y + b, x + c, y + d, x + e, y + f)
        canvas.drawPath(path, stroke=0, fill=1)

    def _draw_text(self, canvas, x, y, text, size, colour, anchor, rotate) -> None:
        canvas.setFillColor(colour)
        canvas.setFont(REGULAR, size)
        shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor]
        if shift:
            shift *= stringWidth(text, REGULAR, size)
        if not rotate:
            canvas.drawString(x - shift, y, text)
            return
        canvas.saveState()
        if rotate == 90:
            canvas.transform(0, 1, -1, 0, x, y)
        else:
            canvas.transform(0, -1, 1, 0, x, y)
        canvas.drawString(-shift, 0, text)
        canvas.restoreState()


@functools.lru_cache(maxsize=16)
def _circle_offsets(r: float) -> tuple[tuple[float, float], tuple[tuple[float, ...], ...]]:
    """The start point and curves of a circle of radius r about the origin, as reportlab's
    `canvas.circle` draws it (pdfgeom.bezierArc over 0-360 degrees)."""
    from reportlab.pdfgen import pdfgeom

    arcs = pdfgeom.bezierArc(-r, -r, r, r, 0, 360)
    return (arcs[0][0], arcs[0][1]), tuple(tuple(arc[2:]) for arc in arcs)
