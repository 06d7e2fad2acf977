""""Print reports for patients seen between…": one PDF per patient into a folder, with a
progress bar and a cancel button.

The work is app.services.report_jobs.write_batch, a pure function that reports progress and
checks for cancel; it runs off the GUI thread and its progress comes back by a queued signal.
In the GUI it runs in one process: forking a process that has Qt running is not safe, and the
CLI (`report --seen-since`) is there for big batches on both cores.
"""
from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from app.db import Database
from app.services.actor import Actor
from app.ui.workers import BackgroundRunner


class _ProgressRelay(QObject):
    """Lives in the GUI thread; the worker emits on it and Qt queues the call across."""

    progressed = Signal(object)


class BatchPrintDialog(QDialog):
    """Choose the dates, the report and the folder; write the reports; watch them go."""

    def __init__(self, db: Database, actor: Actor, *, today: dt.date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("batchPrintDialog")
        self.setWindowTitle(self.tr("Print reports for patients seen between…"))
        self.setMinimumWidth(480)
        self.db, self.actor = db, actor
        self.result_summary = None
        self._cancel = threading.Event()
        self.runner = BackgroundRunner(self, threads=1)
        self._relay = _ProgressRelay(self)
        self._relay.progressed.connect(self._show_progress)
        today = today or dt.date.today()

        self.from_date = self._date_edit("fromDate", today - dt.timedelta(days=7))
        self.to_date = self._date_edit("toDate", today)
        self.audience_combo = QComboBox()
        self.audience_combo.setObjectName("audienceCombo")
        self.audience_combo.addItem(self.tr("Clinician summary"), "clinician")
        self.audience_combo.addItem(self.tr("Patient version (one page)"), "patient")
        self.folder_edit = QLineEdit(str(Path.home()))
        self.folder_edit.setObjectName("folderEdit")
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.setObjectName("browseButton")
        self.browse_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.status = QLabel(self.tr("Choose the dates and a folder, then write the reports."))
        self.status.setObjectName("batchStatus")
        self.status.setWordWrap(True)

        self.start_button = QPushButton(self.tr("&Write reports"))
        self.start_button.setObjectName("startButton")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("&Cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.close)

        form = QFormLayout()
        form.addRow(self.tr("Seen from"), self.from_date)
        form.addRow(self.tr("to"), self.to_date)
        form.addRow(self.tr("Report"), self.audience_combo)
        form.addRow(self.tr("Folder"), folder_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _date_edit(self, name: str, day: dt.date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    @staticmethod
    def _day(edit: QDateEdit) -> dt.date:
        d = edit.date()
        return dt.date(d.year(), d.month(), d.day())

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the reports"),
                                                  self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    # -- running ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.runner.busy("batch")

    def start(self) -> None:
        from app.services.report_jobs import patients_seen, write_batch

        since, until = self._day(self.from_date), self._day(self.to_date)
        folder = Path(self.folder_edit.text().strip()).expanduser()
        if until < since:
            self.status.setText(self.tr("The end date is before the start date."))
            return
        if not folder.is_dir():
            self.status.setText(self.tr("The folder {0} does not exist.").format(str(folder)))
            return
        self._cancel.clear()
        self._set_running(True)
        self.progress_bar.setRange(0, 0)  # busy until the patients are counted
        self.status.setText(self.tr("Finding the patients seen…"))
        db, actor, audience, relay = self.db, self.actor, self.audience_combo.currentData(), \
            self._relay
        cancelled = self._cancel.is_set

        def work():
            with db.read() as session:
                patients = patients_seen(session, since=since, until=until)
            relay.progressed.emit(len(patients))
            return len(patients), write_batch(db, patients, folder, audience=audience,
                                              actor=actor, jobs=1,
                                              progress=relay.progressed.emit,
                                              cancelled=cancelled)

        self.runner.submit("batch", work, self._finished, self._failed)

    def cancel(self) -> None:
        """Stop after the report being written (files already written stay)."""
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelling after the current report…"))

    def _show_progress(self, step) -> None:
        if isinstance(step, int):  # the number of patients found
            self.progress_bar.setRange(0, max(step, 1))
            self.progress_bar.setValue(0)
            self.status.setText(self.tr("Writing %n report(s)…", "", step))
            return
        self.progress_bar.setValue(step.done)
        if not self._cancel.is_set():
            self.status.setText(self.tr("{0} of {1}: {2}").format(step.done, step.total,
                                                                   step.mrn))

    def _finished(self, outcome) -> None:
        total, result = outcome
        self.result_summary = result
        self._set_running(False)
        if total == 0:
            self.progress_bar.setRange(0, 1)
            self.status.setText(self.tr("No patient was seen between these dates."))
            return
        written = len(result.written)
        if result.cancelled:
            text = self.tr("Cancelled: {0} of {1} reports written to {2}.")
        else:
            text = self.tr("{0} of {1} reports written to {2}.")
        text = text.format(written, total, self.folder_edit.text())
        if result.failed:
            text += " " + self.tr("Not written: {0}.").format(
                "; ".join(f"{mrn} ({why})" for mrn, why in result.failed))
        self.status.setText(text)

    def _failed(self, error: Exception) -> None:
        self._set_running(False)
        self.progress_bar.setRange(0, 1)
        self.status.setText(self.tr("The reports could not be written: {0}").format(error))

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)
        for widget in (self.from_date, self.to_date, self.audience_combo, self.folder_edit,
                       self.browse_button):
            widget.setEnabled(not running)

    def wait_until_done(self, msecs: int = 120_000) -> bool:
        return self.runner.wait(msecs)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.running:
            self.cancel()
        self.runner.wait()
        super().closeEvent(event)


def open_batch_print(parent: QWidget, db: Database, actor: Actor) -> BatchPrintDialog:
    dialog = BatchPrintDialog(db, actor, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def add_batch_print_action(window) -> QAction:
    """Add "Print reports for patients seen between…" to the main window's File menu."""
    action = QAction(window.tr("Print reports for patients &seen between…"), window)
    action.setObjectName("batchPrintAction")
    action.triggered.connect(lambda: open_batch_print(window, window.db, window.actor))
    menu = window.menu_file
    actions = menu.actions()
    single = getattr(window, "action_print", None)  # right after "Print report…"
    if single in actions and actions.index(single) + 1 < len(actions):
        menu.insertAction(actions[actions.index(single) + 1], action)
    else:
        menu.addAction(action)
    return action
