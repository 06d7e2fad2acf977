"""Pain (`painChart`) and labs (`labChart`) over calendar time.

- Pain: VAS (0–10) per visit, with the band of ±2 points around the baseline VAS, the
  clinically important change (Farrar 2001).
- Labs: small multiples sharing one date axis, each with its reference band and its H/L
  points: every flagged point is a red (H) or blue (L) dot; the letter is written once per
  run of the same flag, and not at all when a long series would pile the letters into a
  smear. Each panel keeps room under its lowest point and above its highest (the letters).
  `labChart` is a pg.PlotWidget whose first plot is its own plotItem; the other multiples
  sit below it in the same layout. The analytes shown can be chosen; CRP, ESR,
  IL-6, TNF-α and IL-10 by default.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from app.domain.analytes import ANALYTE_LIST, ANALYTES, ReferenceRange
from app.domain.patient_measures import VAS_IMPORTANT_CHANGE
from app.services.patient_chart import PatientChart
from app.ui.chart.common import (
    BAND_BRUSH,
    HIGH_COLOUR,
    LOW_COLOUR,
    configure,
    date_seconds,
    fixed_units,
    label_axis,
    set_date_axis,
    symbol_brush,
    symbol_pen,
    text_symbol,
)

DEFAULT_ANALYTES = ("crp_mg_l", "esr_mm_h", "il6_pg_ml", "tnf_alpha_pg_ml", "il10_pg_ml")
LINE_COLOUR = "#1f77b4"
DAY_SECONDS = 86400.0
MAX_LETTERS = 8  # more H/L letters than this in one panel read as a smear: dots only
DENSE_FLAGS = 12  # more flagged points than this: smaller dots
BOTTOM_ROOM = 0.08  # of the panel's value span, under the lowest point (never cut off)
TOP_ROOM = 0.22  # above the highest point, for the letters


def letter_points(flags: list[str | None]) -> list[int]:
    """The indexes that get an H/L letter: the first point of each run of the same flag;
    none when that is still more than MAX_LETTERS (the dots alone say it)."""
    chosen = [i for i, flag in enumerate(flags)
              if flag in ("H", "L") and (i == 0 or flags[i - 1] != flag)]
    return chosen if len(chosen) <= MAX_LETTERS else []


def value_range(values: list[float]) -> tuple[float, float]:
    """The y range of a panel holding `values` (data and reference limits): room below the
    lowest for the whole marker and above the highest for the letters."""
    bottom, peak = min(values), max(values)
    span = (peak - bottom) or abs(peak) or 1.0
    return bottom - BOTTOM_ROOM * span, peak + TOP_ROOM * span


def axis_unit_label(column: str) -> str:
    analyte = ANALYTES[column]
    return analyte.label if analyte.unit == "ratio" else f"{analyte.label} ({analyte.unit})"


class PainChart(QWidget):
    """VAS over time with the ±2-point band around the baseline VAS."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        configure()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel()
        self.summary.setObjectName("painSummary")
        layout.addWidget(self.summary)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("painChart")
        layout.addWidget(self.plot, 1)
        item = self.plot.getPlotItem()
        set_date_axis(item, self.tr("Visit date"))
        label_axis(item, "left", self.tr("VAS pain (0–10 points)"))
        item.showGrid(x=False, y=True, alpha=0.15)
        item.setYRange(0, 10, padding=0.02)
        item.setMouseEnabled(x=True, y=False)
        self.band = pg.LinearRegionItem(values=(0, 0), orientation="horizontal", movable=False,
                                        brush=pg.mkBrush(255, 193, 7, 45),
                                        pen=pg.mkPen(255, 160, 0, 120))
        item.addItem(self.band)
        self.band_label = pg.TextItem(anchor=(0, 1), color="#8a6d00")
        item.addItem(self.band_label)
        self.curve = item.plot(pen=pg.mkPen(LINE_COLOUR, width=2), symbol="o", symbolSize=7,
                               symbolBrush=symbol_brush(LINE_COLOUR),
                          symbolPen=symbol_pen(LINE_COLOUR), antialias=True)

    def show_chart(self, chart: PatientChart) -> None:
        visits = [v for v in chart.history.visits if v.vas is not None]
        self.curve.setData([date_seconds(v.visit_date) for v in visits], [v.vas for v in visits])
        pain = chart.history.pain
        if pain.baseline_vas is None:
            self.summary.setText(self.tr("VAS: not recorded"))
            self.band.setVisible(False)
            self.band_label.setVisible(False)
            return
        low = max(0.0, pain.baseline_vas - VAS_IMPORTANT_CHANGE)
        high = min(10.0, pain.baseline_vas + VAS_IMPORTANT_CHANGE)
        self.band.setRegion((low, high))
        self.band.setVisible(True)
        self.band_label.setText(self.tr("baseline ± {0:g} points (Farrar 2001)").format(
            VAS_IMPORTANT_CHANGE))
        self.band_label.setPos(date_seconds(visits[0].visit_date), high)
        self.band_label.setVisible(True)
        verdict = (self.tr("clinically important reduction") if
                   pain.clinically_important_reduction else self.tr("no clinically important "
                                                                    "reduction"))
        self.summary.setText(self.tr("VAS baseline {0:.1f}, latest {1:.1f}, change {2:+.1f}: {3}")
                             .format(pain.baseline_vas, pain.latest_vas, pain.change, verdict))
        self.plot.getPlotItem().enableAutoRange(axis="x")


@dataclass
class LabSlot:
    """One small multiple: a plot with its curve, reference band, H/L marks and a note."""

    plot: pg.PlotItem
    curve: pg.PlotDataItem
    band: pg.LinearRegionItem
    marks: dict[str, tuple[pg.ScatterPlotItem, pg.ScatterPlotItem]]  # flag: (dots, letters)
    column: str | None = None
    flags: tuple[str, ...] = ()  # the H/L flags drawn, in date order
    letters: int = 0  # how many H/L letters are written
    note: str | None = None  # the note over the plot (None: none set yet)


class LabPlot(pg.PlotWidget):
    """`labChart`: stacked plots on a shared date axis (the first is this widget's plotItem)."""

    def __init__(self, parent: QWidget | None = None):
        configure()
        super().__init__(parent)
        self.setObjectName("labChart")
        self.grid = pg.GraphicsLayout()
        self.grid.setContentsMargins(2, 2, 2, 2)
        self.setCentralItem(self.grid)
        self.slots: list[LabSlot] = []
        self._laid_out = 0  # how many plots the grid holds now
        self._make_slot(self.plotItem)

    def _make_slot(self, plot: pg.PlotItem | None = None) -> LabSlot:
        plot = plot or pg.PlotItem()
        set_date_axis(plot, "")
        fixed_units(plot)
        plot.showGrid(x=False, y=True, alpha=0.15)
        plot.setMouseEnabled(x=True, y=False)
        plot.getAxis("left").setWidth(72)
        if self.slots:
            plot.setXLink(self.slots[0].plot)
        band = pg.LinearRegionItem(values=(0, 0), orientation="horizontal", movable=False,
                                   brush=pg.mkBrush(*BAND_BRUSH), pen=pg.mkPen(None))
        plot.addItem(band)
        curve = plot.plot(pen=pg.mkPen(LINE_COLOUR, width=1.5), symbol="o", symbolSize=5,
                          symbolBrush=symbol_brush(LINE_COLOUR),
                          symbolPen=symbol_pen(LINE_COLOUR), antialias=True)
        # One style per scatter, so each is updated with plain arrays (pyqtgraph's fast path).
        marks = {}
        for flag, colour in (("H", HIGH_COLOUR), ("L", LOW_COLOUR)):
            dots = pg.ScatterPlotItem(size=8, symbol="o", brush=pg.mkBrush(colour),
                                      pen=pg.mkPen(colour))
            # Drawn without the symbol atlas, which would clip a letter raised above its point.
            letters = pg.ScatterPlotItem(size=11, symbol=text_symbol(flag, 1.1),
                                         brush=pg.mkBrush(colour), pen=pg.mkPen(None),
                                         useCache=False)
            plot.addItem(dots)
            plot.addItem(letters)
            marks[flag] = (dots, letters)
        slot = LabSlot(plot, curve, band, marks)
        self.slots.append(slot)
        return slot

    def show_analytes(self, chart: PatientChart, columns: list[str]) -> None:
        """Draw `columns` for the patient, one plot each, top to bottom."""
        while len(self.slots) < max(1, len(columns)):
            self._make_slot()
        visits = chart.history.visits
        dates = [v.visit_date for v in visits]
        span = ((date_seconds(min(dates)) - 3 * DAY_SECONDS,
                 date_seconds(max(dates)) + 3 * DAY_SECONDS) if dates else None)
        shown = columns or []
        count = max(1, len(shown))
        if count != self._laid_out:  # re-laying out the plots costs more than drawing them
            self.grid.clear()
            for row, slot in enumerate(self.slots[:count]):
                self.grid.addItem(slot.plot, row=row, col=0)
                last = row == count - 1
                slot.plot.getAxis("bottom").setStyle(showValues=last)
                label_axis(slot.plot, "bottom", self.tr("Visit date") if last else "")
                slot.plot.getAxis("bottom").showLabel(last)
            self._laid_out = count
        for row, slot in enumerate(self.slots[:count]):
            self._draw(slot, shown[row] if row < len(shown) else None, chart)
        if span is not None:
            self.slots[0].plot.setXRange(*span, padding=0)
        self.scene().prepareForPaint()  # ranges settled now, not by a second paint (healing)

    @staticmethod
    def _mark(slot: LabSlot, xs: list[float], labs: list) -> None:
        """Every H point a red dot and every L point a blue one; a letter above the first
        point of each run (app.ui.chart.trends.letter_points)."""
        flags = [lab.flag for lab in labs]
        lettered = set(letter_points(flags))
        dense = sum(flag in ("H", "L") for flag in flags) > DENSE_FLAGS
        for flag, (dots, letters) in slot.marks.items():
            chosen = [i for i, f in enumerate(flags) if f == flag]
            dots.setData(x=[xs[i] for i in chosen], y=[labs[i].value for i in chosen],
                         size=6 if dense else 8)
            written = [i for i in chosen if i in lettered]
            letters.setData(x=[xs[i] for i in written], y=[labs[i].value for i in written])
        slot.flags = tuple(flag for flag in flags if flag in ("H", "L"))
        slot.letters = len(lettered)

    def _note(self, slot: LabSlot, text: str) -> None:
        if text != slot.note:  # a title is HTML laid out again: only when it changes
            slot.plot.setTitle(text or None, size="8pt", color="#666", justify="right")
            slot.note = text

    def _draw(self, slot: LabSlot, column: str | None, chart: PatientChart) -> None:
        if column != slot.column:
            label_axis(slot.plot, "left", axis_unit_label(column) if column else "")
        slot.column = column
        if column is None:
            slot.curve.setData([], [])
            self._mark(slot, [], [])
            slot.band.setVisible(False)
            self._note(slot, self.tr("Choose the analytes to show"))
            return
        history = chart.history
        reference = history.reference_ranges.get(column) or ReferenceRange(None, None)
        points = [(v.visit_date, v.labs[column]) for v in history.visits if column in v.labs]
        xs = [date_seconds(d) for d, _ in points]
        ys = [lab.value for _, lab in points]
        slot.curve.setData(xs, ys)
        self._mark(slot, xs, [lab for _, lab in points])
        top = max(ys) if ys else 1.0
        shown = list(ys)
        if reference.is_set:
            low = reference.low if reference.low is not None else 0.0
            high = reference.high if reference.high is not None else max(top, low) * 1.2 + 1
            slot.band.setRegion((low, high))
            slot.band.setVisible(True)
            shown += [low, min(high, max(top, low) * 1.5)]
        else:
            slot.band.setVisible(False)
        if ys:
            self._note(slot, "" if reference.is_set else self.tr("no reference range set"))
            slot.plot.setYRange(*value_range(shown), padding=0)
        else:
            self._note(slot, self.tr("not recorded"))
            slot.plot.setYRange(0, 1)

    def curve_for(self, column: str) -> pg.PlotDataItem | None:
        return next((s.curve for s in self.slots if s.column == column), None)

    def flags_for(self, column: str) -> list[str]:
        """The H/L flags drawn for `column`, in date order."""
        slot = next((s for s in self.slots if s.column == column), None)
        return list(slot.flags) if slot else []

    def letters_for(self, column: str) -> int:
        """How many H/L letters the plot of `column` writes."""
        slot = next((s for s in self.slots if s.column == column), None)
        return slot.letters if slot else 0

    def marks_for(self, column: str) -> dict[str, int]:
        """How many red H and blue L points the plot of `column` shows."""
        slot = next((s for s in self.slots if s.column == column), None)
        return {flag: len(dots.points()) for flag, (dots, _) in slot.marks.items()} if slot \
            else {}


class LabChart(QWidget):
    """The Labs tab: an analyte chooser above `labChart`."""

    analytes_changed = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.choose = QToolButton()
        self.choose.setObjectName("labAnalytes")
        self.choose.setText(self.tr("Analytes…"))
        self.choose.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.choose)
        self.actions_by_column: dict[str, QAction] = {}
        for analyte in ANALYTE_LIST:
            action = QAction(axis_unit_label(analyte.column), menu)
            action.setCheckable(True)
            action.setChecked(analyte.column in DEFAULT_ANALYTES)
            action.setData(analyte.column)
            action.toggled.connect(self._changed)
            menu.addAction(action)
            self.actions_by_column[analyte.column] = action
        self.choose.setMenu(menu)
        bar.addWidget(self.choose)
        self.hint = QLabel(self.tr("Green bands: reference range. Red dots (H): above it; "
                                   "blue dots (L): below it."))
        self.hint.setStyleSheet("color: #555;")
        bar.addWidget(self.hint)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.plot = LabPlot()
        layout.addWidget(self.plot, 1)
        self.chart: PatientChart | None = None

    @property
    def selected(self) -> list[str]:
        return [a.column for a in ANALYTE_LIST if self.actions_by_column[a.column].isChecked()]

    def set_selected(self, columns: list[str]) -> None:
        for column, action in self.actions_by_column.items():
            action.blockSignals(True)
            action.setChecked(column in columns)
            action.blockSignals(False)
        self._changed()

    def show_chart(self, chart: PatientChart) -> None:
        self.chart = chart
        self.plot.show_analytes(chart, self.selected)

    def _changed(self, *_args) -> None:
        self.analytes_changed.emit(self.selected)
        if self.chart is not None:
            self.plot.show_analytes(self.chart, self.selected)
