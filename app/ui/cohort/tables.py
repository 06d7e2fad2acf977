"""The cohort view's tables: numbers at risk under the curves, and the per-arm summary.

Real models over the frozen CohortStatistics (docs/house_style.md "real model/view").
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.models.vocab import ARM_LABELS, ARMS
from app.services.cohort import AT_RISK_DAYS, CohortStatistics


def _days(value: float | None, missing: str) -> str:
    return missing if value is None else f"{value:.0f}"


class AtRiskModel(QAbstractTableModel):
    """Number still open (at risk) per arm at day 0, week 4, 8, …: the table under the curves."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[tuple[str, list[int]]] = []

    def set_statistics(self, stats: CohortStatistics | None) -> None:
        self.beginResetModel()
        self._rows = [] if stats is None else [
            (ARM_LABELS[arm], [stats.arms[arm].closure.at_risk(day) for day in AT_RISK_DAYS])
            for arm in ARMS if stats.arms[arm].closure.subjects]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(AT_RISK_DAYS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(self._rows[index.row()][1][index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            day = AT_RISK_DAYS[section]
            return self.tr("Day 0") if day == 0 else self.tr("Wk {0}").format(day // 7)
        return self._rows[section][0]


class ArmSummaryModel(QAbstractTableModel):
    """One column per arm; rows: episodes, closed, median days with CI, on track, recurrence."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._arms: list[str] = []
        self._columns: list[list[str]] = []
        self._rows = [self.tr("Index episodes"), self.tr("Closed"),
                      self.tr("Median days (95% CI)"), self.tr("On track wk 4 (≥ 50%)"),
                      self.tr("On track wk 8 (≥ 90%)"), self.tr("Recurred / healed"),
                      self.tr("Median days recurrence-free")]

    def set_statistics(self, stats: CohortStatistics | None) -> None:
        self.beginResetModel()
        self._arms, self._columns = [], []
        for arm in ARMS if stats is not None else ():
            s = stats.arms[arm]
            km = s.closure
            nr = self.tr("NR")
            low, high = km.median_ci

            def percent(week: int, s=s) -> str:  # this arm's, when called below
                value = s.on_track_percent(week)
                return "–" if value is None else self.tr("{0:.0f}% of {1}").format(
                    value, s.known_count(week))

            self._arms.append(ARM_LABELS[arm])
            self._columns.append([
                str(km.subjects), str(km.events),
                f"{_days(km.median, nr)} ({_days(low, '–')}–{_days(high, nr)})"
                if km.subjects else "–",
                percent(4), percent(8), f"{s.recurred} / {s.healed_followed}",
                _days(s.recurrence.median, nr) if s.healed_followed else "–"])
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or not self._arms else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._arms)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[index.column()][index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._arms[section] if orientation == Qt.Orientation.Horizontal \
            else self._rows[section]


def read_only_table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


def fit_height(view: QTableView) -> None:
    """Exactly as tall as its header and rows: nothing to scroll, no empty space."""
    view.resizeRowsToContents()
    rows = sum(view.rowHeight(r) for r in range(view.model().rowCount()))
    view.setFixedHeight(view.horizontalHeader().height() + rows + 2 * view.frameWidth())
