"""Healing curves (`areaChart`): area per ulcer episode, PAR on a second axis, the 50%-at-day-28
target (Sheehan 2003), exosome doses with their product, lot, dose and route, and a switch of
the x axis: days since baseline, days since the first exosome dose, or calendar date.

Curves are created once and updated with setData; an episode beyond those drawn so far adds
a pair of curves that later patients reuse.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from enum import Enum

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.domain.episodes import WEEK4_ON_TRACK_PAR, WEEK4_TARGET_DAY
from app.domain.records import EpisodeView, TreatmentRecord
from app.services.patient_chart import PatientChart
from app.ui.chart.common import (
    DOSE_COLOUR,
    colour,
    configure,
    date_seconds,
    episode_colour,
    fixed_units,
    label_axis,
    set_date_axis,
    symbol_brush,
    symbol_pen,
)
from app.ui.chart.tables import dose_text


class XAxis(str, Enum):
    BASELINE = "baseline"
    FIRST_DOSE = "first_dose"
    CALENDAR = "calendar"


@dataclass
class EpisodeCurves:
    area: pg.PlotDataItem
    par: pg.PlotDataItem


def dose_tooltip(t: TreatmentRecord) -> str:
    """Product, lot, dose and route of one exosome dose (the marker's tooltip)."""
    def tr(text: str) -> str:
        return QCoreApplication.translate("HealingChart", text)

    missing = tr("not recorded")
    dose = missing if t.exosome_dose is None else dose_text(t)
    if t.exosome_volume_ml:
        dose += " " + tr("in {0} mL").format(f"{t.exosome_volume_ml:g}")
    lines = [" · ".join(x for x in (t.on.isoformat(), t.site) if x),
             tr("Product: {0}").format(t.exosome_product or missing),
             tr("Lot: {0}").format(t.exosome_lot or missing),
             tr("Dose: {0}").format(dose),
             tr("Route: {0}").format(t.exosome_route or missing)]
    return "\n".join(lines)


class HealingChart(QWidget):
    """The Healing curves tab: an x-axis switch above the `areaChart` plot."""

    photo_clicked = Signal(int)  # assessment id of a photo-measured point (its photo opens)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        configure()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Time axis:")))
        self.axis_select = QComboBox()
        self.axis_select.setObjectName("healingAxis")
        self.axis_select.addItem(self.tr("Days since baseline"), XAxis.BASELINE.value)
        self.axis_select.addItem(self.tr("Days since first exosome dose"), XAxis.FIRST_DOSE.value)
        self.axis_select.addItem(self.tr("Calendar date"), XAxis.CALENDAR.value)
        self.axis_select.currentIndexChanged.connect(self._redraw)
        bar.addWidget(self.axis_select)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("areaChart")
        self.plot.setMinimumHeight(260)
        layout.addWidget(self.plot, 1)
        item = self.plot.getPlotItem()
        item.showGrid(x=False, y=True, alpha=0.1)
        # The legend is a label under the plot: every corner of a healing chart holds data
        # (area falls from the top left, PAR rises to the top right), and a label costs a
        # fraction of pyqtgraph's LegendItem rows when the patient changes.
        self.legend = QLabel()
        self.legend.setObjectName("healingLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.legend)
        label_axis(item, "left", self.tr("Ulcer area (cm²)"))
        self._build_par_axis(item)
        self._build_target_lines(item)
        self.targets = pg.ScatterPlotItem(symbol="star", size=16, pen=pg.mkPen("#333"),
                                          brush=pg.mkBrush("#ffd54f"))
        self.par_view.addItem(self.targets)
        self.doses = pg.ScatterPlotItem(symbol="t1", size=13, pen=pg.mkPen(DOSE_COLOUR),
                                        brush=pg.mkBrush(colour(DOSE_COLOUR, 200)),
                                        hoverable=True,
                                        tip=lambda x, y, data: dose_tooltip(data),
                                        hoverSize=17)
        item.addItem(self.doses)
        # Sizes measured on a photo: a white diamond over the point; a click opens the photo.
        self.photo_points = pg.ScatterPlotItem(symbol="d", size=14, pen=pg.mkPen("#222", width=1.5),
                                               brush=pg.mkBrush("#ffffff"), hoverable=True,
                                               tip=lambda x, y, data: self.tr(
                                                   "measured on a photo: click to open it"))
        self.photo_points.setZValue(10)
        self.photo_points.sigClicked.connect(
            lambda _item, points, _ev: points and self.photo_clicked.emit(int(points[0].data())))
        item.addItem(self.photo_points)
        self.curves: list[EpisodeCurves] = []
        self.legend_entries: list[str] = []
        self.chart: PatientChart | None = None
        self._axis_mode: XAxis | None = None

    def _build_par_axis(self, item: pg.PlotItem) -> None:
        """PAR on a second y axis: its own ViewBox, x-linked to the area's."""
        self.par_view = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.par_view)
        item.getAxis("right").linkToView(self.par_view)
        self.par_view.setXLink(item)
        self.par_view.setYRange(-50, 100)
        label_axis(item, "right", self.tr("Area reduction, PAR (%)"))
        item.vb.sigResized.connect(self._sync_views)

    def _build_target_lines(self, item: pg.PlotItem) -> None:
        """The PAR 50% line (its label above every curve) and the day-28 line."""
        self.target_line = pg.InfiniteLine(
            pos=WEEK4_ON_TRACK_PAR, angle=0,
            pen=pg.mkPen("#555", width=1, style=Qt.PenStyle.DashLine),
            label=self.tr("PAR 50%"), labelOpts={"position": 0.98, "color": "#333",
                                                  "fill": (255, 255, 255, 225),
                                                  "anchors": [(1, 0.5), (1, 0.5)]})
        self.par_view.addItem(self.target_line)
        # The label is drawn above every curve: the PAR view (and its label) stacks above the
        # area view, and the label above the PAR curves.
        self.par_view.setZValue(item.zValue() + 1)
        self.target_line.label.setZValue(1000)
        self.target_line.setZValue(1000)
        self.day28_line = pg.InfiniteLine(
            pos=WEEK4_TARGET_DAY, angle=90,
            pen=pg.mkPen("#555", width=1, style=Qt.PenStyle.DotLine),
            label=self.tr("day 28"), labelOpts={"position": 0.04, "color": "#555",
                                                 "anchors": [(0, 1), (0, 1)]})
        item.addItem(self.day28_line)

    # -- public -------------------------------------------------------------------------
    def show_chart(self, chart: PatientChart) -> None:
        self.chart = chart
        has_doses = bool(chart.history.exosome_doses)
        first_dose = self.axis_select.model().item(1)
        first_dose.setEnabled(has_doses)
        if not has_doses and self.x_axis is XAxis.FIRST_DOSE:
            self.axis_select.setCurrentIndex(0)  # redraws
            return
        self._redraw()

    @property
    def x_axis(self) -> XAxis:
        return XAxis(self.axis_select.currentData())

    def set_x_axis(self, mode: XAxis) -> None:
        self.axis_select.setCurrentIndex(self.axis_select.findData(mode.value))

    def area_curve(self, n: int) -> pg.PlotDataItem:
        return self.curves[n].area

    def par_curve(self, n: int) -> pg.PlotDataItem:
        return self.curves[n].par

    # -- drawing ------------------------------------------------------------------------
    def _sync_views(self) -> None:
        vb = self.plot.getPlotItem().vb
        self.par_view.setGeometry(vb.sceneBoundingRect())
        self.par_view.linkedViewChanged(vb, self.par_view.XAxis)

    def _ensure_curves(self, count: int) -> None:
        """Curves made once. No dynamic range limit: pyqtgraph's default (clip points beyond
        a million view heights, i.e. only past a six-million-fold zoom) re-sets each curve's
        data and symbols at every range change, three times a chart (bench/README.md)."""
        item = self.plot.getPlotItem()
        while len(self.curves) < count:
            c = episode_colour(len(self.curves))
            area = pg.PlotDataItem(pen=pg.mkPen(c, width=2), symbol="o", symbolSize=7,
                                   symbolBrush=symbol_brush(c), symbolPen=symbol_pen(c),
                                   antialias=True, dynamicRangeLimit=None)
            par = pg.PlotDataItem(pen=pg.mkPen(c, width=1.5, style=Qt.PenStyle.DashLine),
                                  symbol="s", symbolSize=5, symbolBrush=symbol_brush(c, 120),
                                  symbolPen=symbol_pen(c), antialias=True,
                                  dynamicRangeLimit=None)
            item.addItem(area)
            self.par_view.addItem(par)
            self.curves.append(EpisodeCurves(area, par))

    def _x_of(self, episode: EpisodeView | None, first_dose: dt.date | None):
        mode = self.x_axis
        if mode is XAxis.CALENDAR:
            return date_seconds
        if mode is XAxis.FIRST_DOSE and first_dose is not None:
            return lambda day: float((day - first_dose).days)
        baseline = episode.assessments[0].on if episode and episode.assessments else None
        return (lambda day: float((day - baseline).days)) if baseline else date_seconds

    def _set_axis(self) -> None:
        mode = self.x_axis
        if mode is self._axis_mode:
            return
        item = self.plot.getPlotItem()
        if mode is XAxis.CALENDAR:
            set_date_axis(item, self.tr("Visit date"))
        else:
            item.setAxisItems({"bottom": pg.AxisItem("bottom")})
            label_axis(item, "bottom", self.tr("Days since baseline (days)")
                       if mode is XAxis.BASELINE
                       else self.tr("Days since the first exosome dose (days)"))
        fixed_units(item)
        self._axis_mode = mode

    def _redraw(self) -> None:
        if self.chart is None:
            return
        self._set_axis()
        history = self.chart.history
        episodes = history.episodes
        self._ensure_curves(len(episodes))
        doses = history.exosome_doses
        first_dose = doses[0].on if doses else None
        legend: list[tuple[str, str, str]] = []  # (colour, sample, name)
        targets, all_pars, photo_spots = [], [], []
        for n, curves in enumerate(self.curves):
            if n >= len(episodes):
                curves.area.setData([], [])
                curves.par.setData([], [])
                continue
            episode = episodes[n]
            x_of = self._x_of(episode, first_dose)
            rows = [a for a in episode.assessments if a.area_cm2 is not None]
            xs = [x_of(a.on) for a in rows]
            curves.area.setData(xs, [a.area_cm2 for a in rows])
            photo_spots += [{"pos": (x, a.area_cm2), "data": a.id,
                             "pen": symbol_pen(episode_colour(n), 2)}
                            for x, a in zip(xs, rows) if a.method == "photo"]
            legend.append((episode_colour(n), "●━━", episode.label))
            pars = episode.metrics.par_series if episode.metrics else ()
            if pars and len(pars) == len(rows):
                curves.par.setData(xs, list(pars))
                all_pars += pars
                target_day = episode.assessments[0].on + dt.timedelta(days=WEEK4_TARGET_DAY)
                targets.append({"pos": (x_of(target_day), WEEK4_ON_TRACK_PAR),
                                "brush": symbol_brush(episode_colour(n))})
            else:
                curves.par.setData([], [])
        self.targets.setData(targets)
        self.photo_points.setData(photo_spots)
        if photo_spots:
            legend.append(("#222", "◇", self.tr("measured on a photo (click to open it)")))
        if all_pars:
            legend.append(("#444", "╌╌╌", self.tr("PAR, dashed (right axis)")))
        if targets:
            legend.append(("#c99a06", "★", self.tr("target: PAR 50% at day 28")))
        if self._draw_doses(episodes, doses, first_dose):
            legend.append((DOSE_COLOUR, "▲", self.tr("exosome dose")))
        self._set_legend(legend)
        self.day28_line.setVisible(self.x_axis is XAxis.BASELINE and bool(episodes))
        item = self.plot.getPlotItem()
        item.enableAutoRange(axis="x")
        largest = max((a.area_cm2 for e in episodes for a in e.assessments
                       if a.area_cm2 is not None), default=1.0)
        top = largest or 1.0  # areas from 0; a closed ulcer's 0 shows its whole marker
        item.setYRange(-0.04 * top, top * 1.06, padding=0)
        low = min([0.0, *all_pars]) - 5.0
        self.par_view.setYRange(low, 105.0, padding=0)
        self._sync_views()
        # The x range (auto) and the views' transforms are settled now, not at the paint: a
        # range changed by the paint dirties the scene again and paints it a second time.
        self.plot.scene().prepareForPaint()

    def _draw_doses(self, episodes, doses, first_dose) -> int:
        """A marker per dose on its episode's curve (0 without a size that day); each keeps
        its record, and its tooltip is written when hovered."""
        by_ulcer = {e.ulcer_id: e for e in episodes}
        areas: dict[tuple[int, dt.date], float] = {}
        for episode in episodes:
            for a in episode.assessments:
                if a.area_cm2 is not None:
                    areas.setdefault((episode.ulcer_id, a.on), a.area_cm2)
        xs, ys = [], []
        for t in doses:
            episode = by_ulcer.get(t.ulcer_id) or (episodes[0] if episodes else None)
            xs.append(self._x_of(episode, first_dose)(t.on))
            ys.append(areas.get((episode.ulcer_id, t.on), 0.0) if episode is not None else 0.0)
        self.doses.setData(x=xs, y=ys, data=list(doses))
        return len(doses)

    def _set_legend(self, entries: list[tuple[str, str, str]]) -> None:
        """One line of coloured samples and names under the plot."""
        names = [name for _, _, name in entries]
        if names == self.legend_entries:
            return
        self.legend_entries = names
        self.legend.setText("&nbsp;&nbsp;&nbsp; ".join(  # lines break between entries only
            f'<span style="color:{colour_}">{sample}</span>&nbsp;'
            + html.escape(name).replace(" ", "&nbsp;") for colour_, sample, name in entries))

    def dose_tips(self) -> list[str]:
        """The tooltips of the dose markers, in dose order (what hovering shows)."""
        return [dose_tooltip(p.data()) for p in self.doses.points()]
