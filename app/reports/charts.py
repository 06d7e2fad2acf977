"""Vector charts for the reports, drawn straight onto the PDF canvas (no Qt, no bitmaps).

Every value plotted arrives computed (PatientHistory); the charts only place it on paper.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.domain.episodes import WEEK4_ON_TRACK_PAR, WEEK4_TARGET_DAY
from app.reports.canvas_chart import CanvasChart
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
    """One plotting box inside a chart: maps data to points and draws axes and series."""

    drawing: CanvasChart
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
            self.drawing.rect(left - 1.5, y - 0.3 * self.font_size, width + 3,
                              1.25 * self.font_size, fill=colors.white, fill_opacity=0.85)
        self.drawing.text(x, y, text, size=self.font_size, colour=colour, anchor=anchor)

    def axes(self, *, x_label: str, y_label: str, y2_label: str | None = None) -> None:
        d, f = self.drawing, self.font_size
        d.rect(self.x, self.y, self.width, self.height, stroke=RULE, width=0.5)
        for t in self.y_ticks:
            y = self.py(t)
            d.line(self.x, y, self.x + self.width, y, colour=RULE, width=0.25)
            self.text(self.x - 3, y - f * 0.35, _label(t), anchor="end")
        for t in self.x_ticks:
            x = self.px(t)
            d.line(x, self.y, x, self.y - 2, colour=MUTED, width=0.5)
            self.text(x, self.y - f - 2, _label(t), anchor="middle")
        if self.y2_ticks:
            for t in self.y2_ticks:
                self.text(self.x + self.width + 3, self.py(t, right=True) - f * 0.35,
                          _label(t), colour=PAR_COLOUR)
        self.text(self.x + self.width / 2, self.y - 2 * f - 4, x_label, anchor="middle",
                  colour=MUTED)
        d.text(self.x - 3.4 * f, self.y + self.height / 2, y_label, size=f, colour=MUTED,
               anchor="middle", rotate=90)
        if y2_label:
            d.text(self.x + self.width + 3.4 * f, self.y + self.height / 2, y2_label, size=f,
                   colour=PAR_COLOUR, anchor="middle", rotate=-90)

    def series(self, xs: Sequence[float], ys: Sequence[float], *, colour, right: bool = False,
               dash: Sequence[float] | None = None, marker: str = "circle") -> None:
        points = [(self.px(x), self.py(y, right=right)) for x, y in zip(xs, ys)]
        if len(points) > 1:
            self.drawing.polyline(points, colour=colour, width=1.2, dash=dash)
        for px, py in points:
            marker_shape(self.drawing, marker, px, py, colour)


def marker_shape(chart: CanvasChart, kind: str, x: float, y: float, colour,
                 size: float = 2.2) -> None:
    if kind == "square":
        chart.rect(x - size, y - size, 2 * size, 2 * size, fill=colour)
    elif kind == "diamond":
        s = size * 1.6
        chart.polygon([(x, y - s), (x + s, y), (x, y + s), (x - s, y)], fill=colors.white,
                      stroke=INK, width=0.8)
    elif kind == "triangle":
        s = size * 1.5
        chart.polygon([(x - s, y), (x + s, y), (x, y + 1.8 * s)], fill=colour)
    else:
        chart.circle(x, y, size, fill=colour)


def legend(chart: CanvasChart, x: float, y: float,
           items: Sequence[tuple[str, str, object]]) -> None:
    """A one-line legend: (marker kind, label, colour) per item."""
    for kind, label, colour in items:
        marker_shape(chart, kind, x + 3, y + 2.5, colour)
        chart.text(x + 9, y, label, size=FONT_SIZE, colour=INK)
        x += 20 + stringWidth(label, REGULAR, FONT_SIZE)


def healing_chart(*, days: Sequence[int], areas: Sequence[float], pars: Sequence[float],
                  dose_days: Sequence[int], width: float, height: float) -> CanvasChart:
    """Area (left axis) and PAR (right axis) against days since baseline, with the
    50%-at-day-28 target (Sheehan 2003) and exosome doses marked along the bottom."""
    register_fonts()
    drawing = CanvasChart(width, height)
    last = max([WEEK4_TARGET_DAY + 7, *days, *dose_days])
    x_ticks = nice_ticks(0, last, 8)
    y_ticks = nice_ticks(0, max(areas) * 1.08 if areas and max(areas) > 0 else 1, 5)
    low_par = min([0.0, *pars])
    y2_ticks = nice_ticks(low_par, 100, 5)
    plot = Plot(drawing, 34, 30, width - 68, height - 48, x_ticks, y_ticks, y2_ticks)
    plot.axes(x_label="days since baseline", y_label="area (cm²)", y2_label="PAR (%)")

    x28 = plot.px(WEEK4_TARGET_DAY)
    y50 = plot.py(WEEK4_ON_TRACK_PAR, right=True)
    drawing.line(x28, plot.y, x28, plot.y + plot.height, colour=MUTED, width=0.6, dash=[2, 2])
    drawing.line(plot.x, y50, plot.x + plot.width, y50, colour=PAR_COLOUR, width=0.4,
                 dash=[1, 2])
    plot.series(days, pars, colour=PAR_COLOUR, right=True, dash=[3, 2], marker="square")
    plot.series(days, areas, colour=AREA_COLOUR)
    marker_shape(drawing, "diamond", x28, y50, INK)
    plot.text(x28 + 5, y50 + 4, "50% at day 28", colour=INK, backed=True)
    for day in dose_days:
        marker_shape(drawing, "triangle", plot.px(day), plot.y + 1, DOSE_COLOUR)
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
                font_size: float = FONT_SIZE) -> CanvasChart:
    """A small line chart of one measure over days, with an optional reference band
    (the clinic's range) and an optional labelled threshold line."""
    register_fonts()
    drawing = CanvasChart(width, height)
    f = font_size
    top = 2 * f if title else 4
    if title:
        drawing.text(4, height - 1.4 * f, title, size=f + 1, colour=INK)
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
            drawing.rect(plot.x, plot.py(low), plot.width, plot.py(high) - plot.py(low),
                         fill=colors.HexColor("#e4f2e7"))
    plot.axes(x_label=x_label, y_label=y_label)
    if threshold is not None:
        value, text = threshold
        if y_ticks[0] <= value <= y_ticks[-1]:
            y = plot.py(value)
            drawing.line(plot.x, y, plot.x + plot.width, y, colour=GOOD_LINE, width=0.6,
                         dash=[2, 2])
            plot.text(plot.x + 3, y - 8, text, colour=MUTED)
    plot.series(days, values, colour=colour)
    return drawing


GOOD_LINE = colors.HexColor("#2e8b57")
