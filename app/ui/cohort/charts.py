"""The cohort view's charts: Kaplan–Meier curves with confidence bands, and the PAR-4 histogram.

Imported only when the cohort view opens (it imports pyqtgraph; docs/house_style.md "start-up is
sacred"). Every curve is created once and updated with `setData`; the numbers come from
app.services.cohort.
"""
from __future__ import annotations

import math
from typing import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.domain.episodes import WEEK4_ON_TRACK_PAR
from app.domain.survival import KaplanMeier
from app.models.vocab import ARM_LABELS, ARMS
from app.ui.chart.common import colour, configure, label_axis

ARM_COLOURS = {"exosome": "#1f77b4", "exosome+msc": "#2ca02c", "standard": "#ff7f0e"}
BAND_ALPHA = 45
PAR_BIN_WIDTH = 10.0
PAR_LOWEST, PAR_HIGHEST = -50.0, 100.0  # PAR below −50% is counted in the first bin


def step_coordinates(km: KaplanMeier, attribute: str = "survival"
                     ) -> tuple[list[float], list[float]]:
    """A right-continuous step line through the curve, carried on to the last follow-up."""
    xs, ys = [0.0], [getattr(km.points[0], attribute)]
    for point in km.points[1:]:
        xs += [point.time, point.time]
        ys += [ys[-1], getattr(point, attribute)]
    if km.last_time is not None and km.last_time > xs[-1]:
        xs.append(km.last_time)
        ys.append(ys[-1])
    return xs, ys


class SurvivalChart(pg.PlotWidget):
    """One step curve per arm with its 95% band (exponential Greenwood)."""

    def __init__(self, *, y_label: str, x_label: str,
                 legend_offset: tuple[int, int] = (-10, 10), parent: QWidget | None = None):
        """`legend_offset`: pyqtgraph's anchor, (−x, +y) top right, (+x, −y) bottom left."""
        configure()
        super().__init__(parent)
        item = self.getPlotItem()
        label_axis(item, "left", y_label)
        label_axis(item, "bottom", x_label)
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setYRange(-0.04, 1.06, padding=0)  # room for the 0 and 1 tick labels
        item.setLimits(yMin=-0.1, yMax=1.1, xMin=-5)
        item.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1.0)]])
        item.addItem(pg.InfiniteLine(pos=0.5, angle=0, movable=False,
                                     pen=pg.mkPen("#888888", width=1,
                                                  style=Qt.PenStyle.DotLine)))
        self.legend = item.addLegend(offset=legend_offset)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.bands: dict[str, pg.FillBetweenItem] = {}
        self._band_edges: dict[str, tuple[pg.PlotCurveItem, pg.PlotCurveItem]] = {}
        for arm in ARMS:
            low = pg.PlotCurveItem(pen=pg.mkPen(None))
            high = pg.PlotCurveItem(pen=pg.mkPen(None))
            band = pg.FillBetweenItem(low, high, brush=pg.mkBrush(colour(ARM_COLOURS[arm],
                                                                         BAND_ALPHA)))
            item.addItem(low)
            item.addItem(high)
            item.addItem(band)
            self._band_edges[arm] = (low, high)
            self.bands[arm] = band
            self.curves[arm] = item.plot(pen=pg.mkPen(ARM_COLOURS[arm], width=2.5),
                                         name=ARM_LABELS[arm])

    def show_curves(self, curves: dict[str, KaplanMeier], *, label_suffix: str = "") -> None:
        """Draw each arm's curve and band; an arm without subjects is hidden."""
        self.legend.clear()
        longest = 0.0
        for arm in ARMS:
            km = curves.get(arm)
            curve, band = self.curves[arm], self.bands[arm]
            low, high = self._band_edges[arm]
            if km is None or km.subjects == 0:
                for thing in (curve, band, low, high):
                    thing.setVisible(False)
                continue
            curve.setData(*step_coordinates(km))
            low.setData(*step_coordinates(km, "ci_low"))
            high.setData(*step_coordinates(km, "ci_high"))
            for thing in (curve, band, low, high):
                thing.setVisible(True)
            self.legend.addItem(curve, f"{ARM_LABELS[arm]} (n = {km.subjects}){label_suffix}")
            longest = max(longest, km.last_time or 0.0)
        self.getPlotItem().setXRange(0, max(longest, 28.0), padding=0.02)


def histogram(values: Sequence[float]) -> list[float]:
    """Percent of `values` in each PAR bin from −50% to 100% (lower values in the first)."""
    bins = int((PAR_HIGHEST - PAR_LOWEST) / PAR_BIN_WIDTH)
    counts = [0] * bins
    for value in values:
        index = math.floor((min(max(value, PAR_LOWEST), PAR_HIGHEST) - PAR_LOWEST)
                           / PAR_BIN_WIDTH)
        counts[min(index, bins - 1)] += 1
    total = len(values)
    return [100.0 * c / total if total else 0.0 for c in counts]


class ParHistogram(pg.PlotWidget):
    """PAR at week 4 by arm: grouped bars per 10% bin, with the 50% on-track line."""

    def __init__(self, parent: QWidget | None = None):
        configure()
        super().__init__(parent)
        item = self.getPlotItem()
        label_axis(item, "bottom", self.tr("% area reduction at week 4 (PAR, %)"))
        label_axis(item, "left", self.tr("Episodes of the arm (%)"))
        item.showGrid(x=False, y=True, alpha=0.15)
        self.legend = item.addLegend(offset=(10, 10))
        bins = int((PAR_HIGHEST - PAR_LOWEST) / PAR_BIN_WIDTH)
        self.bin_starts = [PAR_LOWEST + i * PAR_BIN_WIDTH for i in range(bins)]
        width = PAR_BIN_WIDTH / (len(ARMS) + 1)
        self.bars: dict[str, pg.BarGraphItem] = {}
        for n, arm in enumerate(ARMS):
            xs = [start + width * (n + 1) for start in self.bin_starts]
            bar = pg.BarGraphItem(x=xs, height=[0.0] * bins, width=width * 0.95,
                                  brush=ARM_COLOURS[arm], pen=pg.mkPen(None),
                                  name=ARM_LABELS[arm])
            item.addItem(bar)
            self.bars[arm] = bar
        self.threshold = pg.InfiniteLine(
            pos=WEEK4_ON_TRACK_PAR, angle=90, movable=False,
            pen=pg.mkPen("#b3261e", width=2, style=Qt.PenStyle.DashLine),
            label=self.tr("≥ {0:g}%: on track\n(Sheehan 2003)").format(WEEK4_ON_TRACK_PAR),
            labelOpts={"position": 0.98, "color": "#b3261e", "anchors": [(0, 0), (0, 0)]})
        item.addItem(self.threshold)
        item.setXRange(PAR_LOWEST, PAR_HIGHEST, padding=0.01)

    def show_values(self, values_by_arm: dict[str, Sequence[float]]) -> None:
        self.legend.clear()
        tallest = 10.0
        for arm in ARMS:
            values = list(values_by_arm.get(arm, ()))
            heights = histogram(values)
            self.bars[arm].setOpts(height=heights)
            self.bars[arm].setVisible(bool(values))
            if values:
                self.legend.addItem(self.bars[arm], f"{ARM_LABELS[arm]} (n = {len(values)})")
            tallest = max(tallest, *heights)
        self.getPlotItem().setYRange(0, tallest * 1.3, padding=0)  # headroom for the label
