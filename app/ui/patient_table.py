"""The patient list: a table model over PatientListRow DTOs and a search/overdue filter proxy.

Built for 10,000 rows and a filter on every keystroke:
- the search folds the typed text once and tests each row's pre-folded `search_text` in one
  Python pass; the proxy's `filterAcceptsRow` only reads the answer;
- sorting happens in the source model on pre-computed keys. The proxy itself never sorts, so
  a filter change never calls back into Python for comparisons.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Sequence

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QBrush, QColor

from app.domain.limits import fold_for_search
from app.models.vocab import ARM_LABELS
from app.services.patient_list import PatientListRow

PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ALERT_COLOUR = QColor("#b3261e")
_NONE_LAST = (1, "")

Index = QModelIndex | QPersistentModelIndex


def _date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


def _date_key(value: dt.date | None):
    return (0, value.toordinal()) if value else _NONE_LAST


class PatientTableModel(QAbstractTableModel):
    """MRN, name, age, arm, open ulcers, last visit, next visit due and flags, one row each."""

    MRN, NAME, AGE, ARM, OPEN_ULCERS, LAST_VISIT, NEXT_DUE, FLAGS = range(8)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[PatientListRow] = []
        self._row_of_id: dict[int, int] = {}
        self._headers = [self.tr("MRN"), self.tr("Name"), self.tr("Age"), self.tr("Arm"),
                         self.tr("Open"), self.tr("Last visit"), self.tr("Next due"),
                         self.tr("Flags")]
        self._header_tips = {self.OPEN_ULCERS: self.tr("Open ulcers"),
                             self.NEXT_DUE: self.tr("Next visit due"),
                             self.FLAGS: self.tr("W4: off track at week 4 · overdue: follow-up "
                                                 "overdue · AE: adverse event open")}
        self._arm_text = {"exosome": self.tr("Exosome"), "exosome+msc": self.tr("Exo + MSC"),
                          "standard": self.tr("Standard")}
        self._flag_text = {"off_track_week4": self.tr("W4"),
                           "overdue": self.tr("overdue"),
                           "adverse_event_open": self.tr("AE")}
        self._flag_tips = {
            "off_track_week4": self.tr("An open ulcer is below 50% area reduction at week 4 "
                                       "(Sheehan 2003)"),
            "overdue": self.tr("The follow-up visit is overdue"),
            "adverse_event_open": self.tr("An adverse event is still open")}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.search_texts: list[str] = []  # parallel to the rows, for the filter's one pass
        self.overdue_flags: list[bool] = []
        self._row_listeners: list[Callable[[], None]] = []

    def add_row_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener()` whenever rows change order or number, before the views are told
        (a filter proxy re-decides its rows there, so it never reads stale answers)."""
        self._row_listeners.append(listener)

    # -- read ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tips.get(section)
        return None

    def row_at(self, row: int) -> PatientListRow:
        return self._rows[row]

    @property
    def rows(self) -> tuple[PatientListRow, ...]:
        return tuple(self._rows)

    def row_of(self, patient_id: int) -> int | None:
        return self._row_of_id.get(patient_id)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == PATIENT_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.FLAGS and row.flags:
                return "\n".join(self._flag_tips[f] for f in row.flags)
            if column == self.ARM and row.arm:
                return self.tr(ARM_LABELS.get(row.arm, row.arm))
            if column == self.NAME:
                return row.name
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if (column == self.NEXT_DUE and row.overdue) or (column == self.FLAGS and row.flags):
                return QBrush(ALERT_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.AGE, self.OPEN_ULCERS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: PatientListRow, column: int) -> str:
        if column == self.MRN:
            return row.mrn
        if column == self.NAME:
            return row.name
        if column == self.AGE:
            return "" if row.age is None else str(row.age)
        if column == self.ARM:
            return self._arm_text.get(row.arm, row.arm) if row.arm else "—"
        if column == self.OPEN_ULCERS:
            return str(row.open_ulcers)
        if column == self.LAST_VISIT:
            return _date_text(row.last_visit)
        if column == self.NEXT_DUE:
            return _date_text(row.next_visit_due)
        return "  ".join(self._flag_text[f] for f in row.flags)

    def _sort_key(self, column: int) -> Callable[[PatientListRow], Any]:
        keys: dict[int, Callable[[PatientListRow], Any]] = {
            self.MRN: lambda r: fold_for_search(r.mrn),
            self.NAME: lambda r: r.search_text.split("\n", 1)[1],
            self.AGE: lambda r: (0, r.age) if r.age is not None else _NONE_LAST,
            self.ARM: lambda r: r.arm or "~",
            self.OPEN_ULCERS: lambda r: r.open_ulcers,
            self.LAST_VISIT: lambda r: _date_key(r.last_visit),
            self.NEXT_DUE: lambda r: _date_key(r.next_visit_due),
            self.FLAGS: lambda r: (-len(r.flags), r.flags),
        }
        return keys[column]

    # -- write --------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[PatientListRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._apply_sort()
        self._reindex()
        self.endResetModel()

    def upsert(self, row: PatientListRow) -> int:
        """Replace the patient's row, or add it at the end; returns its row number."""
        existing = self._row_of_id.get(row.id)
        if existing is not None:
            self._rows[existing] = row
            self._reindex()
            self.dataChanged.emit(self.index(existing, 0),
                                  self.index(existing, self.columnCount() - 1))
            return existing
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(row)
        self._reindex()
        self.endInsertRows()
        return position

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < self.columnCount():
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [(self._rows[i.row()].id, i.column()) for i in persistent]
        self._sort = (column, order)
        self._apply_sort()
        self._reindex()
        self.changePersistentIndexList(
            persistent, [self.index(self._row_of_id[pid], col) for pid, col in ids])
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        self._rows.sort(key=self._sort_key(column),
                        reverse=order == Qt.SortOrder.DescendingOrder)

    def _reindex(self) -> None:
        self._row_of_id = {r.id: i for i, r in enumerate(self._rows)}
        self.search_texts = [r.search_text for r in self._rows]
        self.overdue_flags = [r.overdue for r in self._rows]
        for listener in self._row_listeners:
            listener()


class PatientFilterProxy(QSortFilterProxyModel):
    """Accent-insensitive search on MRN or name (every word must match), and overdue only."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._needles: tuple[str, ...] = ()
        self._overdue_only = False
        self._accepted: list[bool] | None = None  # by source row; None: every row

    def setSourceModel(self, model: PatientTableModel) -> None:  # noqa: N802 (Qt's name)
        model.add_row_listener(self._decide_rows)
        super().setSourceModel(model)
        self._decide_rows()

    @property
    def search_text(self) -> str:
        return " ".join(self._needles)

    @property
    def overdue_only(self) -> bool:
        return self._overdue_only

    def set_search(self, text: str) -> None:
        needles = tuple(fold_for_search(text).split())
        if needles != self._needles:
            self._needles = needles
            self.refilter()

    def set_overdue_only(self, on: bool) -> None:
        if bool(on) != self._overdue_only:
            self._overdue_only = bool(on)
            self.refilter()

    def refilter(self) -> None:
        # invalidate() emits one layoutChanged; the view then lays out once, lazily, instead
        # of handling one rowsRemoved/rowsInserted per scattered range of matches.
        self._decide_rows()
        self.invalidate()

    def _decide_rows(self) -> None:
        """Decide every source row in one Python pass; filterAcceptsRow only reads it."""
        model = self.sourceModel()
        needles = self._needles
        if model is None or (not needles and not self._overdue_only):
            self._accepted = None
            return
        texts = model.search_texts
        if not needles:
            accepted = [True] * len(texts)
        elif len(needles) == 1:
            needle = needles[0]
            accepted = [needle in text for text in texts]
        else:
            accepted = [all(n in text for n in needles) for text in texts]
        if self._overdue_only:
            accepted = [a and o for a, o in zip(accepted, model.overdue_flags)]
        self._accepted = accepted

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        accepted = self._accepted
        return accepted is None or accepted[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in the source model (pre-computed keys); the proxy keeps the source's order,
        so filtering never calls back into Python to compare rows."""
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)

    def patient_id(self, proxy_row: int) -> int | None:
        index = self.index(proxy_row, 0)
        return index.data(PATIENT_ID_ROLE) if index.isValid() else None
