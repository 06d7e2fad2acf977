""""Print reports for patients seen between…": one PDF per patient into a folder (created when
missing), one combined PDF of them all, and Print to send them to a printer in one job; with
a progress bar and a cancel button.

Each patient's records are read on the window's database runner, their PDF is laid out and
written on its background thread (app.reports), one patient after the other, so the database
is never held for the whole batch and cancel takes effect after the current report. The
"report printed" audit entries of the batch are one runner write at the end (never on the GUI
thread). The CLI (`report --seen-since`) is there for big batches on both cores.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.services.actor import Actor
from app.services.changes import Changes
from app.services.report_batch import BatchRun, combined_name, write_combined, write_one
from app.services.report_jobs import AUDIT_ACTION, BatchResult, SeenPatient
from app.ui.dbops import DatabaseRunner
from app.ui.printing.pages import PrinterNotStarted, count_text, pages_text, print_files

log = logging.getLogger("dfu_monitor.ui")


class BatchPrintDialog(QDialog):
    """Choose the dates, the report and the folder; write the reports; print them."""

    finished_batch = Signal(object)  # the BatchResult
    printed = Signal(int)  # the pages sent to the printer

    def __init__(self, runner: DatabaseRunner, actor: Actor, *, today: dt.date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("batchPrintDialog")
        self.setWindowTitle(self.tr("Print reports for patients seen between…"))
        self.setMinimumWidth(520)
        self.runner, self.db, self.actor = runner, runner.db, actor
        self.result_summary: BatchResult | None = None
        self.run: BatchRun | None = None
        self._cancelled = self._running = self._close_when_done = False
        today = today or dt.date.today()

        self.from_date = self._date_edit("fromDate", today - dt.timedelta(days=7))
        self.to_date = self._date_edit("toDate", today)
        self.audience_combo = QComboBox()
        self.audience_combo.setObjectName("audienceCombo")
        self.audience_combo.addItem(self.tr("Clinician summary"), "clinician")
        self.audience_combo.addItem(self.tr("Patient version (one page)"), "patient")
        self.folder_edit = QLineEdit(str(Path.home() / "DFU reports"))
        self.folder_edit.setObjectName("folderEdit")
        self.folder_edit.setToolTip(self.tr("Created if it does not exist"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.setObjectName("browseButton")
        self.browse_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        self.combine_check = QCheckBox(self.tr("Also one combined PDF, to print in one go"))
        self.combine_check.setObjectName("combineCheck")
        self.combine_check.setChecked(True)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.status = QLabel(self.tr("Choose the dates and a folder, then write the reports."))
        self.status.setObjectName("batchStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(3 * self.status.fontMetrics().lineSpacing())
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        form = QFormLayout()
        form.addRow(self.tr("Seen from"), self.from_date)
        form.addRow(self.tr("to"), self.to_date)
        form.addRow(self.tr("Report"), self.audience_combo)
        form.addRow(self.tr("Folder"), folder_row)
        form.addRow("", self.combine_check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addLayout(self._build_buttons())

    def _build_buttons(self) -> QHBoxLayout:
        self.start_button = self._button("startButton", self.tr("&Write reports"), self.start)
        self.start_button.setDefault(True)
        self.print_button = self._button("printButton", self.tr("&Print…"), self.print_reports)
        self.print_button.setToolTip(self.tr("Send the reports just written to a printer"))
        self.print_button.setEnabled(False)
        self.cancel_button = self._button("cancelButton", self.tr("&Cancel"), self.cancel)
        self.cancel_button.setEnabled(False)
        self.close_button = self._button("closeButton", self.tr("Close"), self.close)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.print_button, self.cancel_button,
                       self.close_button):
            buttons.addWidget(button)
        return buttons

    def _button(self, name: str, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

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
        return self._running

    def start(self) -> None:
        from app.services.report_jobs import patients_seen
        from app.services.settings import load_settings

        since, until = self._day(self.from_date), self._day(self.to_date)
        folder = Path(self.folder_edit.text().strip()).expanduser()
        if until < since:
            self.status.setText(self.tr("The end date is before the start date."))
            return
        if not self._ensure_folder(folder):
            return
        self.run = BatchRun(since, until, folder, self.audience_combo.currentData(),
                            self.combine_check.isChecked())
        self._cancelled = False
        self._set_running(True)
        self.progress_bar.setRange(0, 0)  # busy until the patients are counted
        self.status.setText(self.tr("Finding the patients seen…"))
        actor = self.actor

        def find(session):
            actor.require("print")
            return (patients_seen(session, since=since, until=until), load_settings(session))

        self.runner.read("batch", find, self._alive(self._found), on_error=self._alive(
            self._failed), parent=self)

    def _ensure_folder(self, folder: Path) -> bool:
        if folder.is_dir():
            return True
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            self.status.setText(self.tr("The folder {0} could not be created: {1}").format(
                str(folder), exc.strerror or type(exc).__name__))
            return False
        return True

    def _alive(self, slot):
        """`slot`, skipped once the dialog has been deleted."""
        return lambda *args: slot(*args) if isValid(self) else None

    def _found(self, found) -> None:
        from app.services.report_jobs import batch_paths

        run = self.run
        run.patients, run.settings = found
        run.paths = batch_paths(run.patients, run.folder, run.audience)
        total = len(run.patients)
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(0)
        self.status.setText(self.tr("Writing {0}…").format(
            count_text(total, "1 report", "{0} reports")))
        self._next()

    def _next(self) -> None:
        """Read the next patient's records; lay out and write their report in the background."""
        from app.services.history import load_history

        run = self.run
        index = run.done
        if self._cancelled or index >= len(run.patients):
            run.result.cancelled = self._cancelled and index < len(run.patients)
            self._wrap_up()
            return
        patient, path = run.patients[index], run.paths[index]
        settings, audience, printed_by = run.settings, run.audience, self.actor.username

        def lay_out(records) -> None:
            history, photos = records
            self.runner.background(
                "batch-pdf", lambda: write_one(history, settings, audience, printed_by, path,
                                               photos),
                self._alive(lambda _path: self._one_done(patient, path, None)),
                on_error=self._alive(lambda exc: self._one_done(patient, path, exc)),
                parent=self)

        def read(session):
            from app.services.report_photos import load_report_photos

            history = load_history(session, patient.id)
            return history, load_report_photos(session, history,
                                               thumbnails=audience == "clinician")

        self.runner.read("batch", read,
                         self._alive(lay_out),
                         on_error=self._alive(lambda exc: self._one_done(patient, path, exc)),
                         parent=self)

    def _one_done(self, patient: SeenPatient, path: Path, error: Exception | None) -> None:
        from app.services.report_jobs import _why

        run = self.run
        if error is None:
            run.result.written.append(path)
            run.written_ids.append((patient.id, patient.mrn, path))
        else:
            run.result.failed.append((patient.mrn, _why(error)))
        self.progress_bar.setValue(run.done)
        if not self._cancelled:
            self.status.setText(self.tr("{0} of {1}: {2}").format(run.done, len(run.patients),
                                                                   patient.mrn))
        self._next()

    def _wrap_up(self) -> None:
        """Audit what was written (one runner write), then make the combined PDF."""
        run = self.run
        if run.written_ids:
            self._audit([(pid, f"{run.audience} report saved to {path} (batch)")
                         for pid, _mrn, path in run.written_ids])
        if run.combine and run.written_ids:
            target = run.folder / combined_name(run.since, run.until, run.audience)
            parts = [(mrn, path) for _pid, mrn, path in run.written_ids]

            def combined(pages: int) -> None:
                run.combined, run.combined_pages = target, pages
                self._finished()

            self.status.setText(self.tr("Combining the reports into one PDF…"))
            self.runner.background("batch-combine", lambda: write_combined(parts, target),
                                   self._alive(combined), on_error=self._alive(self._failed),
                                   parent=self)
            return
        self._finished()

    def _audit(self, entries: list[tuple[int, str]]) -> None:
        from app.services.audit import record_event

        actor = self.actor

        def write(session) -> None:
            for patient_id, detail in entries:
                record_event(session, actor, AUDIT_ACTION, detail, patient_id=patient_id)

        def failed(error: Exception) -> None:  # the files exist; say so in the log
            log.warning("batch reports could not be audited: %s", type(error).__name__)

        self.runner.write(write, changes=Changes.of(patients=[p for p, _ in entries]),
                          on_error=failed, parent=self)

    def _finished(self) -> None:
        run = self.run
        result = self.result_summary = run.result
        self._set_running(False)
        total = len(run.patients)
        if total == 0:
            self.progress_bar.setRange(0, 1)
            self.status.setText(self.tr("No patient was seen between these dates."))
        else:
            text = (self.tr("Cancelled: {0} of {1} reports written to {2}.") if result.cancelled
                    else self.tr("{0} of {1} reports written to {2}."))
            text = text.format(len(result.written), total, str(run.folder))
            if run.combined is not None:
                text += " " + self.tr("All of them in one file: {0} ({1}).").format(
                    run.combined.name, pages_text(run.combined_pages))
            if result.failed:
                text += " " + self.tr("Not written: {0}.").format(
                    "; ".join(f"{mrn} ({why})" for mrn, why in result.failed))
            self.status.setText(text)
        self.print_button.setEnabled(bool(result.written))
        self.finished_batch.emit(result)
        if self._close_when_done:
            self.close()

    def _failed(self, error: Exception) -> None:
        from app.ui.dbops import user_message

        self._set_running(False)
        self.progress_bar.setRange(0, 1)
        self.status.setText(self.tr("The reports could not be written: {0}").format(
            user_message(error)))
        if self._close_when_done:
            self.close()

    def cancel(self) -> None:
        """Stop after the report being written (files already written stay, audited)."""
        self._cancelled = True
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelling after the current report…"))

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)
        if running:
            self.print_button.setEnabled(False)
        for widget in (self.from_date, self.to_date, self.audience_combo, self.folder_edit,
                       self.browse_button, self.combine_check):
            widget.setEnabled(not running)

    # -- printing -----------------------------------------------------------------------
    def files_to_print(self) -> list[Path]:
        """The combined PDF when there is one, else each report written, in MRN order."""
        run = self.run
        if run is None:
            return []
        if run.combined is not None and run.combined.exists():
            return [run.combined]
        return [path for _pid, _mrn, path in run.written_ids if path.exists()]

    def print_reports(self) -> None:
        files = self.files_to_print()
        if not files:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(files[0].stem)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print the reports"))
        result = dialog.exec()
        if getattr(result, "value", result) != QDialog.DialogCode.Accepted.value:
            return
        # The pages are rendered and painted on the runner's background thread (QPainter on a
        # QPrinter is allowed there), so a long batch never freezes the window.
        self._set_running(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Printing…"))
        self.runner.background("batch-print", lambda: print_files(printer, files),
                               self._alive(lambda pages: self._printed(printer, pages)),
                               on_error=self._alive(self._print_failed), parent=self)

    def _printed(self, printer: QPrinter, pages: int) -> None:
        self._set_running(False)
        self.print_button.setEnabled(True)
        where = printer.printerName() or printer.outputFileName() or "(default)"
        run = self.run
        self._audit([(pid, f"{run.audience} report sent to printer {where} (batch)")
                     for pid, _mrn, _path in run.written_ids])
        self.status.setText(self.tr("Sent {0} to the printer.").format(pages_text(pages)))
        self.printed.emit(pages)

    def _print_failed(self, error: Exception) -> None:
        from app.ui.dbops import user_message

        self._set_running(False)
        self.print_button.setEnabled(True)
        self.status.setText(self.tr("The printer could not be started.")
                            if isinstance(error, PrinterNotStarted) else
                            self.tr("Printing failed: {0}").format(user_message(error)))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._running:  # finish the current report and audit what was written, then close
            self._close_when_done = True
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
