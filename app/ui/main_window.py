"""The clinic's main window: the patient list on the left, the selected patient's chart on the
right (PRODUCT.md "Screens"; object names of the "Test surface").

For the features that plug in: `window.db`, `window.actor`, `window.chart_tabs`,
`window.current_patient_id`, `window.refresh_patient()`, `window.menu_file`,
`window.menu_clinic`, and the signals `patient_changed(object)`, `chart_loaded(int)`,
`patients_loaded(int)`. Every database access runs on the window's runner (app.ui.dbops);
the window paints first, and views refresh from the `Changes` the runner announces.
"""
from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMainWindow, QMessageBox, QPushButton,
                               QSplitter, QTableView, QVBoxLayout, QWidget)

from app.db import Database
from app.services.actor import Actor
from app.services.patient_chart import PatientChart, load_patient_chart
from app.services.patient_list import PatientListRow, load_patient_list, load_patient_row
from app.ui.printing.batch import add_batch_print_action
from app.ui.chart.tabs import PatientChartTabs
from app.ui.cohort.view import add_cohort_action
from app.ui.patients.table import PatientFilterProxy, PatientTableModel
from app.ui.dbops import DatabaseRunner

log = logging.getLogger("dfu_monitor.ui")
PATIENT_COLUMN_WIDTHS = (64, 104, 30, 78, 38, 78, 78, 100)


def _accepted(result: object) -> bool:
    """A dialog's exec() result is Accepted (an int, or the enum a test double returns)."""
    return getattr(result, "value", result) == QDialog.DialogCode.Accepted.value


class MainWindow(QMainWindow):
    """Patient list, search and overdue filter; the chart of the selected patient."""

    patients_loaded = Signal(int)
    chart_loaded = Signal(int)
    patient_changed = Signal(object)

    def __init__(self, db: Database, actor: Actor, *, today: dt.date | None = None,
                 owns_db: bool = False):
        super().__init__()
        self.setObjectName("mainWindow")
        self.db, self.actor = db, actor
        self._fixed_today = today
        self._owns_db = owns_db
        self.current_patient_id: int | None = None
        self.current_chart: PatientChart | None = None
        self.patients_ready = False
        self.runner = DatabaseRunner(db, self)
        self.setWindowTitle(self.tr("DFU Monitor — {0}").format(actor.username))
        self._build_list()
        self._build_chart()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list_panel)
        splitter.addWidget(self.chart_panel)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([sum(PATIENT_COLUMN_WIDTHS) + 24, 1280 - sum(PATIENT_COLUMN_WIDTHS)])
        self.splitter = splitter
        self.setCentralWidget(splitter)
        self._build_menus()
        self.statusBar().showMessage(self.tr("Signed in as {0}").format(actor.username))
        self.resize(1280, 800)
        self._set_patient_actions_enabled(False)

    @property
    def today(self) -> dt.date:
        return self._fixed_today or dt.date.today()

    # -- layout -------------------------------------------------------------------------
    def _build_list(self) -> None:
        self.patient_search = QLineEdit()
        self.patient_search.setObjectName("patientSearch")
        self.patient_search.setPlaceholderText(self.tr("Search MRN or name (Ctrl+F)"))
        self.patient_search.setClearButtonEnabled(True)
        self.patient_search.textChanged.connect(self._search_changed)
        self.patient_search.returnPressed.connect(self._open_first_match)
        self.patient_search.installEventFilter(self)
        self.overdue_filter = QCheckBox(self.tr("Overdue follow-ups only"))
        self.overdue_filter.setObjectName("overdueFilter")
        self.overdue_filter.toggled.connect(self._overdue_toggled)

        self.patient_model = PatientTableModel(self)
        self.patient_proxy = PatientFilterProxy(self)
        self.patient_proxy.setSourceModel(self.patient_model)
        self.patient_proxy.modelReset.connect(self._restore_selection)
        table = QTableView()
        table.setObjectName("patientTable")
        table.setModel(self.patient_proxy)
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
        table.activated.connect(lambda _index: self.chart_tabs.setFocus())
        self.patient_table = table

        self.new_patient_button = QPushButton(self.tr("New patient…"))
        self.new_patient_button.setObjectName("newPatientButton")
        self.new_patient_button.clicked.connect(self.open_new_patient)
        self.list_status = QLabel(self.tr("Loading patients…"))
        self.list_status.setObjectName("patientListStatus")

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.patient_search)
        row = QHBoxLayout()
        row.addWidget(self.overdue_filter)
        row.addStretch(1)
        row.addWidget(self.new_patient_button)
        layout.addLayout(row)
        layout.addWidget(table, 1)
        layout.addWidget(self.list_status)
        self.list_panel = panel

    def _build_chart(self) -> None:
        self.patient_header = QLabel(self.tr("No patient selected"))
        self.patient_header.setObjectName("patientHeader")
        self.patient_header.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.patient_header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.new_visit_button = QPushButton(self.tr("New visit…"))
        self.new_visit_button.setObjectName("newVisitButton")
        self.new_visit_button.setToolTip(self.tr("Record a visit for this patient (Ctrl+N)"))
        self.new_visit_button.clicked.connect(lambda: self.open_visit_form(None))
        self.print_report_button = QPushButton(self.tr("Print report…"))
        self.print_report_button.setObjectName("printReportButton")
        self.print_report_button.setToolTip(self.tr("Follow-up summary PDF (Ctrl+P)"))
        self.print_report_button.clicked.connect(self.open_report)
        self.chart_tabs = PatientChartTabs()
        self.chart_tabs.visit_activated.connect(self.open_visit_form)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(self.patient_header, 1)
        top.addWidget(self.new_visit_button)
        top.addWidget(self.print_report_button)
        layout.addLayout(top)
        layout.addWidget(self.chart_tabs, 1)
        self.chart_panel = panel

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu(self.tr("&File"))
        self.menu_clinic = bar.addMenu(self.tr("&Clinic"))

        def action(menu, text, slot, shortcut=None, name=None) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(shortcut)
            if name:
                act.setObjectName(name)
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        self.action_new_patient = action(self.menu_file, self.tr("New &patient…"),
                                         self.open_new_patient, QKeySequence("Ctrl+Shift+N"))
        self.action_new_visit = action(self.menu_file, self.tr("New &visit…"),
                                       lambda: self.open_visit_form(None),
                                       QKeySequence("Ctrl+N"))
        self.action_print = action(self.menu_file, self.tr("&Print report…"), self.open_report,
                                   QKeySequence("Ctrl+P"))
        self.action_batch_print = add_batch_print_action(self)
        self.menu_file.addSeparator()
        self.action_quit = action(self.menu_file, self.tr("&Quit"), self.close,
                                  QKeySequence("Ctrl+Q"))
        self.action_find = action(self.menu_clinic, self.tr("&Find patient"),
                                  self.focus_search, QKeySequence("Ctrl+F"))
        self.action_overdue = action(self.menu_clinic, self.tr("&Overdue follow-ups only"),
                                     self.overdue_filter.setChecked)
        self.action_overdue.setCheckable(True)
        self.overdue_filter.toggled.connect(self.action_overdue.setChecked)
        self.action_refresh = action(self.menu_clinic, self.tr("&Refresh list"),
                                     self.reload_patients, QKeySequence("F5"))
        self.action_cohort = add_cohort_action(self)

    # -- patient list -------------------------------------------------------------------
    def reload_patients(self) -> None:
        """Load every patient's list row off the GUI thread."""
        self.list_status.setText(self.tr("Loading patients…"))
        today = self.today
        self.runner.read("patients", lambda session: load_patient_list(session, today=today),
                         self._patients_loaded, on_error=self._load_failed)

    def _patients_loaded(self, rows: tuple[PatientListRow, ...]) -> None:
        self.patient_model.set_rows(rows)
        self.patients_ready = True
        self._update_list_status()
        self.patients_loaded.emit(len(rows))

    def _load_failed(self, error: Exception) -> None:
        self.list_status.setText(self.tr("Could not load: {0}").format(error))
        QMessageBox.warning(self, self.tr("DFU Monitor"),
                            self.tr("Loading failed: {0}").format(error))

    def _update_list_status(self) -> None:
        shown, total = self.patient_proxy.rowCount(), self.patient_model.total_count
        text = (self.tr("{0} patients").format(total) if shown == total
                else self.tr("{0} of {1} patients").format(shown, total))
        self.list_status.setText(text)

    def _search_changed(self, text: str) -> None:
        self.patient_proxy.set_search(text)
        self._update_list_status()

    def _overdue_toggled(self, on: bool) -> None:
        self.patient_proxy.set_overdue_only(on)
        self._update_list_status()

    def focus_search(self) -> None:
        self.patient_search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.patient_search.selectAll()

    def _open_first_match(self) -> None:
        if self.patient_proxy.rowCount():
            self.patient_table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.patient_table.selectRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.patient_search and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down:
                self._open_first_match()
                return True
            if event.key() == Qt.Key.Key_Escape and self.patient_search.text():
                self.patient_search.clear()
                return True
        return super().eventFilter(watched, event)

    def select_patient(self, patient_id: int) -> bool:
        """Select the patient's row (if the filter shows it) and open their chart."""
        if self._select_row(patient_id):
            return True
        self.open_patient(patient_id)
        return False

    def _select_row(self, patient_id: int, *, scroll: bool = True) -> bool:
        source_row = self.patient_model.row_of(patient_id)
        if source_row is None:
            return False
        proxy_index = self.patient_proxy.mapFromSource(self.patient_model.index(source_row, 0))
        if not proxy_index.isValid():
            return False
        self.patient_table.selectionModel().setCurrentIndex(
            proxy_index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        if scroll:
            self.patient_table.scrollTo(proxy_index)
        return True

    def _restore_selection(self) -> None:
        """After the list was re-filtered or reloaded: the open patient stays selected when
        shown (their chart stays open either way)."""
        if self.current_patient_id is not None:
            self._select_row(self.current_patient_id, scroll=False)

    def _current_row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        patient_id = self.patient_proxy.patient_id(current.row())
        if patient_id is not None and patient_id != self.current_patient_id:
            self.open_patient(patient_id)

    # -- chart --------------------------------------------------------------------------
    def open_patient(self, patient_id: int) -> None:
        """Show `patient_id`'s chart; its data loads off the GUI thread."""
        self.current_patient_id = patient_id
        row = self.patient_model.row_of(patient_id)
        if row is not None:
            r = self.patient_model.row_at(row)
            self.patient_header.setText(f"{r.name} · {r.mrn}")
        self._set_patient_actions_enabled(True)
        self.patient_changed.emit(patient_id)
        self._load_chart(patient_id)

    def _load_chart(self, patient_id: int) -> None:
        today = self.today
        self.runner.read("chart",
                         lambda session: load_patient_chart(session, patient_id, today=today),
                         self._chart_ready, on_error=self._load_failed)

    def _chart_ready(self, chart: PatientChart) -> None:
        patient = chart.history.patient
        if patient.id != self.current_patient_id:
            return
        self.current_chart = chart
        self.patient_header.setText(f"{patient.name} · {patient.mrn}")
        self.chart_tabs.show_chart(chart)
        self.chart_loaded.emit(patient.id)

    def refresh_patient(self) -> None:
        """Reload the current patient's chart and list row after a change (off the GUI thread)."""
        patient_id = self.current_patient_id
        if patient_id is None:
            return
        self._load_chart(patient_id)
        self._reload_row(patient_id)

    def _reload_row(self, patient_id: int, *, select: bool = False) -> None:
        today = self.today

        def done(row: PatientListRow | None) -> None:
            if row is not None:
                self.patient_model.upsert(row)
                self._update_list_status()
                if select:
                    self.select_patient(row.id)

        self.runner.read(f"row-{patient_id}",
                         lambda session: load_patient_row(session, patient_id, today=today),
                         done, on_error=self._load_failed)

    def _set_patient_actions_enabled(self, on: bool) -> None:
        for widget in (self.new_visit_button, self.print_report_button):
            widget.setEnabled(on)
        if hasattr(self, "action_new_visit"):
            self.action_new_visit.setEnabled(on)
            self.action_print.setEnabled(on)

    # -- dialogs of other features ---------------------------------------------------------
    def open_new_patient(self) -> None:
        from app.ui.patients.new_patient import NewPatientDialog

        dialog = NewPatientDialog(db=self.db, actor=self.actor, today=self.today, parent=self)
        if _accepted(dialog.exec()) and dialog.created_patient_id is not None:
            self.patient_search.clear()
            self.overdue_filter.setChecked(False)
            self.current_patient_id = None
            self.open_patient(dialog.created_patient_id)
            self._reload_row(dialog.created_patient_id, select=True)

    def open_visit_form(self, visit_id: int | None = None) -> None:
        """The visit form (app.ui.visit.form.VisitDialog) for a new or an existing visit."""
        if self.current_patient_id is None:
            return
        from app.ui.visit.form import VisitDialog

        dialog = VisitDialog(db=self.db, actor=self.actor, patient_id=self.current_patient_id,
                             visit_id=visit_id, parent=self)
        if _accepted(dialog.exec()):
            self.refresh_patient()

    def open_report(self) -> None:
        """The follow-up summary preview (app.ui.printing.preview)."""
        if self.current_patient_id is None:
            return
        from app.ui.printing.preview import open_report_preview

        open_report_preview(self, self.db, self.actor, self.current_patient_id)

    # -- lifetime -----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.runner.wait()
        super().closeEvent(event)
        if event.isAccepted() and self._owns_db:
            self.db.dispose()


def create_main_window(db_url: str, username: str, *, today: dt.date | None = None,
                       passphrase: str | None = None,
                       database: Database | None = None) -> MainWindow:
    """The main window for an already-authenticated user (PRODUCT.md test surface).

    Opens (creating if needed) the database at `db_url` after the start-up check (a damaged
    or read-only file opens read-only); the role is the user's account's (app.ui.security.login);
    the patient list starts loading as soon as the event loop runs, so the window paints first.
    """
    from app.ui.gc_guard import collect_garbage_on_gui_thread
    from app.ui.security.login import actor_for
    from app.ui.security.safety import install_safety

    collect_garbage_on_gui_thread()  # never free Qt objects from a worker thread

    # `database`: the one the log-in already opened and checked (start-up checks run once).
    db = database or Database.open(db_url, create=True, check=True, passphrase=passphrase)
    actor = actor_for(db, username)  # "local" only for an OS user without an account
    window = MainWindow(db, actor, today=today, owns_db=True)
    install_safety(window)  # Audit tab, backup menu, backup on close, idle lock
    QTimer.singleShot(0, window.reload_patients)
    return window

