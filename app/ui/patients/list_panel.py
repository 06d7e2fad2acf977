"""The patient list panel: search (Ctrl+F), the overdue filter, the table and its count, and
a hint over the table when it shows nobody (app.ui.patients.empty_hint).

Emits `patient_chosen(int)` when the user moves to a patient's row; the main window opens
the chart. Filtering happens in the model (app.ui.patients.table), so a keystroke over 10,000
patients stays well under a frame.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.patients.empty_hint import EmptyHint, empty_list_text
from app.ui.patients.table import PatientFilterProxy, PatientTableModel

PATIENT_COLUMN_WIDTHS = (78, 122, 30, 78, 38, 78, 78, 100)  # "MRN-0001", a name, "W4 overdue"


class PatientListPanel(QWidget):
    """Search box, overdue filter, New patient button, the table and the count under it."""

    patient_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.chosen_patient_id: int | None = None
        self.loaded = False  # the list's rows arrived (update_status): until then, no hint
        self.empty_hint: EmptyHint | None = None  # made the first time the table is empty
        self.search = QLineEdit()
        self.search.setObjectName("patientSearch")
        self.search.setPlaceholderText(self.tr("Search MRN or name (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self.open_first_match)
        self.search.installEventFilter(self)
        self.overdue_filter = QCheckBox(self.tr("Overdue follow-ups only"))
        self.overdue_filter.setObjectName("overdueFilter")
        self.overdue_filter.toggled.connect(self._overdue_toggled)

        self.model = PatientTableModel(self)
        self.proxy = PatientFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.modelReset.connect(self._restore_selection)
        self.table = self._build_table()
        self.new_patient_button = QPushButton(self.tr("New patient…"))
        self.new_patient_button.setObjectName("newPatientButton")
        # How an empty clinic starts; apply_role (app.ui.security.roles) words it for the role.
        self.register_hint = self.tr("Click New patient… to register the first.")
        self.status = QLabel(self.tr("Loading patients…"))
        self.status.setObjectName("patientListStatus")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.search)
        row = QHBoxLayout()
        row.addWidget(self.overdue_filter)
        row.addStretch(1)
        row.addWidget(self.new_patient_button)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("patientTable")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(24)
        header = table.horizontalHeader()
        for column, width in enumerate(PATIENT_COLUMN_WIDTHS):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        return table

    # -- filtering ---------------------------------------------------------------------------
    def update_status(self) -> None:
        """The list's rows arrived or changed, or its filter did: the count, and the hint
        over the table when it shows nobody."""
        self.loaded = True
        shown, total = self.proxy.rowCount(), self.model.total_count
        if shown == total:
            text = (self.tr("1 patient") if total == 1
                    else self.tr("{0} patients").format(total))
        else:  # "0 of 1 patient", "2 of 8 patients": the noun agrees with the total
            text = (self.tr("{0} of 1 patient").format(shown) if total == 1
                    else self.tr("{0} of {1} patients").format(shown, total))
        self.status.setText(text)
        self._update_empty_hint(shown, total)

    def _update_empty_hint(self, shown: int, total: int) -> None:
        text = empty_list_text(shown=shown, total=total, search=self.search.text(),
                               overdue_only=self.overdue_filter.isChecked(),
                               register_hint=self.register_hint)
        if self.empty_hint is None and text:
            self.empty_hint = EmptyHint(self.table)
        if self.empty_hint is not None:
            self.empty_hint.show_text(text)

    def set_register_hint(self, text: str) -> None:
        """How the first patient is registered, as the signed-in role is told it."""
        if text == self.register_hint:
            return
        self.register_hint = text
        if self.loaded:
            self.update_status()

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        if self.loaded:  # while loading, the status keeps saying so
            self.update_status()

    def _overdue_toggled(self, on: bool) -> None:
        self.proxy.set_overdue_only(on)
        if self.loaded:
            self.update_status()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def open_first_match(self) -> None:
        if self.proxy.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.table.selectRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down:
                self.open_first_match()
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    # -- selection ---------------------------------------------------------------------------
    def select_row(self, patient_id: int | None, *, scroll: bool = True) -> bool:
        """Select the patient's row when the filter shows it; False otherwise."""
        if patient_id is None:
            return False
        self.chosen_patient_id = patient_id
        source_row = self.model.row_of(patient_id)
        if source_row is None:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not proxy_index.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            proxy_index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        if scroll:
            self.table.scrollTo(proxy_index)
        return True

    def _restore_selection(self) -> None:
        """After the list was re-filtered or reloaded: the open patient stays selected when
        shown (their chart stays open either way)."""
        if self.chosen_patient_id is not None:
            self.select_row(self.chosen_patient_id, scroll=False)

    def _current_row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        patient_id = self.proxy.patient_id(current.row())
        if patient_id is not None:
            self.chosen_patient_id = patient_id
            self.patient_chosen.emit(patient_id)
