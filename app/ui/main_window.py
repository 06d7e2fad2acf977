"""The clinic's main window: the patient list on the left, the selected patient's chart on the
right (docs/product.md "Screens"; object names of the "Test surface").

For the features that plug in: `window.db`, `window.actor`, `window.chart_tabs`,
`window.current_patient_id`, `window.refresh_patient()`, `window.menu_file`,
`window.menu_clinic`, and the signals `patient_changed(object)`, `chart_loaded(int)`,
`patients_loaded(int)`. Every database access runs on the window's runner (app.ui.dbops);
the window paints first, and views refresh from the `Changes` the runner announces.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.services.actor import Actor
from app.services.changes import Changes
from app.services.patient_chart import PatientChart, load_patient_chart
from app.ui.chart.tabs import PatientChartTabs
from app.ui.cohort.action import add_cohort_action
from app.ui.dbops import DatabaseRunner
from app.ui.help.menu import add_help_menu
from app.ui.patients.import_sheet import add_import_action
from app.ui.patients.list_panel import PATIENT_COLUMN_WIDTHS, PatientListPanel
from app.ui.printing.actions import add_batch_print_action
from app.ui.widgets.first_paint import AfterFirstPaint
from app.ui.widgets.paint_hold import PaintHold

if TYPE_CHECKING:  # the list's loader (and the ORM) is imported on the database worker
    from app.services.patient_list import PatientListRow

log = logging.getLogger("dfu_monitor.ui")


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
        self._fixed_today, self._owns_db = today, owns_db
        self.current_patient_id: int | None = None
        self.current_chart: PatientChart | None = None
        self.patients_ready = False
        # What the features composed by create_main_window keep on the window (declared here,
        # so no feature adds attributes of its own).
        self.audit_tab = self.photos_tab = self.cohort_view = None
        self.backup_actions = self.idle_lock = self.read_only_notice = None
        self.users_action = self.settings_action = self.action_calibration_card = None
        self.card_written = None  # the last calibration card saved
        self.runner = DatabaseRunner(db, self)
        self.runner.changed.connect(self.apply_changes)
        self.after_first_paint = AfterFirstPaint(self)  # the start-up reads wait for it
        # The title names the user and the open patient; the system adds the application's
        # display name ("DFU Monitor", set in app.ui.app), so the title does not repeat it.
        self.setWindowTitle(actor.username)
        self.chart_loaded.connect(self._title_for_chart)
        self._build_list()
        self.list_hold = PaintHold.over_view(  # bench/README lessons 19 and 20
            self.patient_table, self, after=self.after_first_paint.call)
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

    def _title_for_chart(self, _patient_id: int) -> None:
        chart = self.current_chart
        if chart is not None:
            patient = chart.history.patient
            read_only = self.tr(" (read-only)") if getattr(self.db, "read_only", False) else ""
            self.setWindowTitle(f"{patient.name} · {patient.mrn} — {self.actor.username}"
                                + read_only)

    # -- layout -------------------------------------------------------------------------
    def _build_list(self) -> None:
        panel = PatientListPanel(self)
        panel.new_patient_button.clicked.connect(self.open_new_patient)
        panel.patient_chosen.connect(self._patient_chosen)
        panel.table.activated.connect(lambda _index: self.chart_tabs.setFocus())
        self.list_panel = panel
        # The names features and tests use (docs/product.md test surface).
        self.patient_search, self.overdue_filter = panel.search, panel.overdue_filter
        self.patient_model, self.patient_proxy = panel.model, panel.proxy
        self.patient_table, self.list_status = panel.table, panel.status
        self.new_patient_button = panel.new_patient_button

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
        self.action_batch_print = add_batch_print_action(self, self.menu_file)
        self.sheet_importer = add_import_action(self, self.menu_file)
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
        self.action_about = add_help_menu(self, self.db.url)

    # -- patient list -------------------------------------------------------------------
    def reload_patients(self) -> None:
        """Load every patient's list row off the GUI thread."""
        self.list_status.setText(self.tr("Loading patients…"))
        today = self.today

        def load(session) -> tuple[PatientListRow, ...]:
            from app.services.patient_list import load_patient_list

            return load_patient_list(session, today=today)

        self.runner.read("patients", load, self._patients_loaded, on_error=self._load_failed)

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
        self.list_panel.update_status()

    def focus_search(self) -> None:
        self.list_panel.focus_search()

    def select_patient(self, patient_id: int) -> bool:
        """Select the patient's row (if the filter shows it) and open their chart."""
        self.list_hold.arm()
        if self._select_row(patient_id):
            return True
        self.open_patient(patient_id)
        return False

    def _select_row(self, patient_id: int, *, scroll: bool = True) -> bool:
        return self.list_panel.select_row(patient_id, scroll=scroll)

    def _patient_chosen(self, patient_id: int) -> None:
        if patient_id != self.current_patient_id:
            self.open_patient(patient_id)

    # -- chart --------------------------------------------------------------------------
    def open_patient(self, patient_id: int) -> None:
        """Show `patient_id`'s chart; its data loads off the GUI thread."""
        self.current_patient_id = patient_id
        self.list_panel.chosen_patient_id = patient_id
        row = self.patient_model.row_of(patient_id)
        if row is not None:
            r = self.patient_model.row_at(row)
            self.patient_header.setText(f"{r.name} · {r.mrn}")
        self._set_patient_actions_enabled(True)
        self.patient_changed.emit(patient_id)
        self.list_hold.hold()  # the chart first: the list repaints once it is drawn
        self._load_chart(patient_id)

    def _load_chart(self, patient_id: int) -> None:
        today = self.today
        self.runner.read("chart",
                         lambda session: load_patient_chart(session, patient_id, today=today),
                         self._chart_ready, on_error=self.list_hold.releasing(self._load_failed))

    def _chart_ready(self, chart: PatientChart) -> None:
        patient = chart.history.patient
        if patient.id != self.current_patient_id:
            return
        self.current_chart = chart
        self.patient_header.setText(f"{patient.name} · {patient.mrn}")
        self.chart_tabs.show_chart(chart)
        self.chart_loaded.emit(patient.id)
        self.list_hold.release_after_paint()

    def apply_changes(self, changes: Changes) -> None:
        """Reload what `changes` touches: the list rows of those patients (or the whole list),
        and the open chart when it shows one of them. Open forms keep what was typed."""
        if changes.everything or changes.settings:
            self.reload_patients()
        else:
            for patient_id in sorted(changes.patients):
                self._reload_row(patient_id)
        patient_id = self.current_patient_id
        if patient_id is not None and (changes.touches_patient(patient_id) or changes.settings):
            self._load_chart(patient_id)

    def refresh_patient(self) -> None:
        """Reload the current patient's chart and list row after a change (off the GUI thread)."""
        patient_id = self.current_patient_id
        if patient_id is None:
            return
        self._load_chart(patient_id)
        self._reload_row(patient_id)

    def _reload_row(self, patient_id: int, *, select: bool = False) -> None:
        today = self.today

        def load(session) -> PatientListRow | None:
            from app.services.patient_list import load_patient_row

            return load_patient_row(session, patient_id, today=today)

        def done(row: PatientListRow | None) -> None:
            if row is not None:
                self.patient_model.upsert(row)
                self._update_list_status()
                if select:
                    self.select_patient(row.id)

        self.runner.read(f"row-{patient_id}", load, done, on_error=self._load_failed)

    def _set_patient_actions_enabled(self, on: bool) -> None:
        for widget in (self.new_visit_button, self.print_report_button):
            widget.setEnabled(on)
        if hasattr(self, "action_new_visit"):
            self.action_new_visit.setEnabled(on)
            self.action_print.setEnabled(on)

    # -- dialogs of other features ---------------------------------------------------------
    def open_new_patient(self) -> None:
        from app.ui.patients.new_patient import NewPatientDialog

        dialog = NewPatientDialog(runner=self.runner, actor=self.actor, today=self.today,
                                  parent=self)
        if _accepted(dialog.exec()) and dialog.created_patient_id is not None:
            self.statusBar().showMessage(self.tr("Patient registered"), 8000)
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

        dialog = VisitDialog(runner=self.runner, actor=self.actor,
                             patient_id=self.current_patient_id, visit_id=visit_id, parent=self)
        if _accepted(dialog.exec()):  # the save's Changes already reloaded row and chart
            self.statusBar().showMessage(self.tr("Visit saved"), 8000)

    def open_report(self) -> None:
        """The follow-up summary preview (app.ui.printing.preview)."""
        if self.current_patient_id is None:
            return
        from app.ui.printing.preview import open_report_preview

        open_report_preview(self, self.db, self.actor, self.current_patient_id)

    # -- lifetime -----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.list_hold.release()
        self.runner.stop_following()
        self.runner.wait()
        super().closeEvent(event)
        if event.isAccepted() and self._owns_db:
            self.db.dispose()


def _damaged_after_start(window: MainWindow) -> None:
    """The background start-up check failed: the window says so, writes are refused."""
    from app.ui.security.safety import show_read_only_notice

    show_read_only_notice(window)
    window.statusBar().showMessage(window.tr("Read-only: {0}").format(window.db.problem))


def create_main_window(db_url: str, username: str, *, today: dt.date | None = None,
                       passphrase: str | None = None,
                       database: Database | None = None) -> MainWindow:
    """The main window for an already-authenticated user (docs/product.md test surface).

    Opens (creating if needed) the database at `db_url` after the start-up check (a damaged
    or read-only file opens read-only); the role is the user's account's (app.services.sign_in);
    the patient list starts loading once the window has painted (AfterFirstPaint).
    """
    from app.services.sign_in import window_actor
    from app.ui.admin.roles import install_administration
    from app.ui.gc_guard import collect_garbage_on_gui_thread
    from app.ui.photos.install import install_photos
    from app.ui.security.safety import install_safety

    collect_garbage_on_gui_thread()  # never free Qt objects from a worker thread

    # `database`: the one the log-in already opened and checked (start-up checks run once).
    # Opened here: the start-up check runs in the background once the window exists, writes
    # held until its verdict (after an unclean shutdown: first), never delaying the first paint.
    db = database or Database.open(db_url, create=True, check="background",
                                   passphrase=passphrase)
    try:
        actor = window_actor(db, username)  # fails closed: SignInRefused, never a fallback role
    except BaseException:
        if database is None:  # opened here: closed here
            db.dispose()
        raise
    window = MainWindow(db, actor, today=today, owns_db=True)
    install_safety(window)  # Audit tab, backup menu, backup on close, idle lock
    install_administration(window)  # Clinic ▸ Users…, Settings…; controls fit the role
    install_photos(window)  # Photos tab, Clinic ▸ Print calibration card
    if db.writes_held:
        window.after_first_paint.call(lambda: window.runner.background(
            "start-check", db.run_start_check,
            lambda problem: problem and _damaged_after_start(window)))
    window.after_first_paint.call(window.reload_patients)
    window.after_first_paint.call(window.runner.follow_other_workstations)  # live updates
    return window

