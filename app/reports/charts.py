"""Vector charts for the reports, drawn with reportlab.graphics (no Qt, no bitmaps).

Every value plotted arrives computed (PatientHistory); the charts only place it on paper.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.domain.episodes import WEEK4_ON_TRACK_PAR, WEEK4_TARGET_DAY
from app.reports.fonts import REGULAR, register_fonts
from app.reports.layout import AREA_COLOUR, DOSE_COLOUR, INK, MUTED, PAR_COLOUR, RULE

FONT_SIZE = 7


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _label(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e5 else f"{value:.0e}"


@dataclass
class Plot:
    """One plotting box inside a Drawing: maps data to points and draws axes and series."""

    drawing: Drawing
    x: float
    y: float
    width: float
    height: float
    x_ticks: list[float]
    y_ticks: list[float]
    y2_ticks: list[float] | None = None
    font_size: float = FONT_SIZE

    def px(self, value: float) -> float:
        low, high = self.x_ticks[0], self.x_ticks[-1]
        return self.x + (value - low) / (high - low) * self.width

    def py(self, value: float, *, right: bool = False) -> float:
        ticks = self.y2_ticks if right and self.y2_ticks else self.y_ticks
        low, high = ticks[0], ticks[-1]
        return self.y + (value - low) / (high - low) * self.height

    def text(self, x: float, y: float, text: str, *, anchor: str = "start",
             colour=INK, backed: bool = False) -> None:
        """`backed`: on a white patch, readable over the curves it crosses."""
        if backed:
            width = stringWidth(text, REGULAR, self.font_size)
            left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
            self.drawing.add(Rect(left - 1.5, y - 0.3 * self.font_size, width + 3,
                                  1.25 * self.font_size, fillColor=colors.white,
                                  fillOpacity=0.85, strokeColor=None))
        self.drawing.add(String(x, y, text, fontName=REGULAR, fontSize=self.font_size,
                                fillColor=colour, textAnchor=anchor))

    def axes(self, *, x_label: str, y_label: str, y2_label: str | None = None) -> None:
        d, f = self.drawing, self.font_size
        d.add(Rect(self.x, self.y, self.width, self.height, fillColor=None, strokeColor=RULE,
                   strokeWidth=0.5))
        for t in self.y_ticks:
            y = self.py(t)
            d.add(Line(self.x, y, self.x + self.width, y, strokeColor=RULE, strokeWidth=0.25))
            self.text(self.x - 3, y - f * 0.35, _label(t), anchor="end")
        for t in self.x_ticks:
            x = self.px(t)
            d.add(Line(x, self.y, x, self.y - 2, strokeColor=MUTED, strokeWidth=0.5))
            self.text(x, self.y - f - 2, _label(t), anchor="middle")
        if self.y2_ticks:
            for t in self.y2_ticks:
                self.text(self.x + self.width + 3, self.py(t, right=True) - f * 0.35,
                          _label(t), colour=PAR_COLOUR)
        self.text(self.x + self.width / 2, self.y - 2 * f - 4, x_label, anchor="middle",
                  colour=MUTED)
        vertical = String(0, 0, y_label, fontName=REGULAR, fontSize=f, fillColor=MUTED,
                          textAnchor="middle")
        from reportlab.graphics.shapes import Group

        group = Group(vertical)
        group.transform = (0, 1, -1, 0, self.x - 3.4 * f, self.y + self.height / 2)
        d.add(group)
        if y2_label:
            right = Group(String(0, 0, y2_label, fontName=REGULAR, fontSize=f,
                                 fillColor=PAR_COLOUR, textAnchor="middle"))
            right.transform = (0, -1, 1, 0, self.x + self.width + 3.4 * f,
                               self.y + self.height / 2)
            d.add(right)

    def series(self, xs: Sequence[float], ys: Sequence[float], *, colour, right: bool = False,
               dash: Sequence[float] | None = None, marker: str = "circle") -> None:
        points = [(self.px(x), self.py(y, right=right)) for x, y in zip(xs, ys)]
        if len(points) > 1:
            flat = [c for p in points for c in p]
            self.drawing.add(PolyLine(flat, strokeColor=colour, strokeWidth=1.2,
                                      strokeDashArray=dash))
        for px, py in points:
            self.drawing.add(marker_shape(marker, px, py, colour))


def marker_shape(kind: str, x: float, y: float, colour, size: float = 2.2):
    if kind == "square":
        return Rect(x - size, y - size, 2 * size, 2 * size, fillColor=colour, strokeColor=None)
    if kind == "diamond":
        s = size * 1.6
        return Polygon([x, y - s, x + s, y, x, y + s, x - s, y], fillColor=colors.white,
                       strokeColor=INK, strokeWidth=0.8)
    if kind == "triangle":
        s = size * 1.5
        return Polygon([x - s, y, x + s, y, x, y + 1.8 * s], fillColor=colour, strokeColor=None)
    return Circle(x, y, size, fillColor=colour, strokeColor=None)


def legend(drawing: Drawing, x: float, y: float, items: Sequence[tuple[str, str, object]]) -> None:
    """A one-line legend: (marker kind, label, colour) per item."""
    for kind, label, colour in items:
        drawing.add(marker_shape(kind, x + 3, y + 2.5, colour))
        drawing.add(String(x + 9, y, label, fontName=REGULAR, fontSize=FONT_SIZE, fillColor=INK))
        x += 20 + stringWidth(label, REGULAR, FONT_SIZE)


def healing_chart(*, days: Sequence[int], areas: Sequence[float], pars: Sequence[float],
                  dose_days: Sequence[int], width: float, height: float) -> Drawing:
    """Area (left axis) and PAR (right axis) against days since baseline, with the
    50%-at-day-28 target (Sheehan 2003) and exosome doses marked along the bottom."""
    register_fonts()
    drawing = Drawing(width, height)
    last = max([WEEK4_TARGET_DAY + 7, *days, *dose_days])
    x_ticks = nice_ticks(0, last, 8)
    y_ticks = nice_ticks(0, max(areas) * 1.08 if areas and max(areas) > 0 else 1, 5)
    low_par = min([0.0, *pars])
    y2_ticks = nice_ticks(low_par, 100, 5)
    plot = Plot(drawing, 34, 30, width - 68, height - 48, x_ticks, y_ticks, y2_ticks)
    plot.axes(x_label="days since baseline", y_label="area (cm²)", y2_label="PAR (%)")

    x28 = plot.px(WEEK4_TARGET_DAY)
    y50 = plot.py(WEEK4_ON_TRACK_PAR, right=True)
    drawing.add(Line(x28, plot.y, x28, plot.y + plot.height, strokeColor=MUTED,
                     strokeWidth=0.6, strokeDashArray=[2, 2]))
    drawing.add(Line(plot.x, y50, plot.x + plot.width, y50, strokeColor=PAR_COLOUR,
                     strokeWidth=0.4, strokeDashArray=[1, 2]))
    plot.series(days, pars, colour=PAR_COLOUR, right=True, dash=[3, 2], marker="square")
    plot.series(days, areas, colour=AREA_COLOUR)
    drawing.add(marker_shape("diamond", x28, y50, INK))
    plot.text(x28 + 5, y50 + 4, "50% at day 28", colour=INK, backed=True)
    for day in dose_days:
        drawing.add(marker_shape("triangle", plot.px(day), plot.y + 1, DOSE_COLOUR))
    legend(drawing, plot.x, height - 10, [
        ("circle", "area (cm²)", AREA_COLOUR), ("square", "PAR (%)", PAR_COLOUR),
        ("diamond", "target: PAR ≥ 50% at day 28", INK),
        ("triangle", "exosome dose", DOSE_COLOUR)])
    return drawing


def trend_chart(*, days: Sequence[int], values: Sequence[float], width: float, height: float,
                y_label: str, x_label: str, title: str | None = None,
                band: tuple[float | None, float | None] | None = None,
                y_range: tuple[float, float] | None = None,
                threshold: tuple[float, str] | None = None, colour=AREA_COLOUR,
                font_size: float = FONT_SIZE) -> Drawing:
    """A small line chart of one measure over days, with an optional reference band
    (the clinic's range) and an optional labelled threshold line."""
    register_fonts()
    drawing = Drawing(width, height)
    f = font_size
    top = 2 * f if title else 4
    if title:
        drawing.add(String(4, height - 1.4 * f, title, fontName=REGULAR, fontSize=f + 1,
                           fillColor=INK))
    x_ticks = nice_ticks(0, max([7, *days]), 6)
    if y_range:
        y_ticks = nice_ticks(*y_range, 5)
    else:
        highs = [*values] + [b for b in (band or ()) if b is not None]
        y_ticks = nice_ticks(min([0.0, *values]), max(highs) * 1.1 if highs else 1, 4)
    left, bottom = 5 * f, 4 * f
    plot = Plot(drawing, left, bottom, width - left - 10, height - bottom - top - 4, x_ticks,
                y_ticks, font_size=f)
    if band and any(b is not None for b in band):
        low = max(band[0] if band[0] is not None else y_ticks[0], y_ticks[0])
        high = min(band[1] if band[1] is not None else y_ticks[-1], y_ticks[-1])
        if high > low:
            drawing.add(Rect(plot.x, plot.py(low), plot.width, plot.py(high) - plot.py(low),
                             fillColor=colors.HexColor("#e4f2e7"), strokeColor=None))
    plot.axes(x_label=x_label, y_label=y_label)
    if threshold is not None:
        value, text = threshold
        if y_ticks[0] <= value <= y_ticks[-1]:
            y = plot.py(value)
            drawing.add(Line(plot.x, y, plot.x + plot.width, y, strokeColor=GOOD_LINE,
                             strokeWidth=0.6, strokeDashArray=[2, 2]))
            plot.text(plot.x + 3, y - 8, text, colour=MUTED)
    plot.series(days, values, colour=colour)
    return drawing


GOOD_LINE = colors.HexColor("#2e8b57")
