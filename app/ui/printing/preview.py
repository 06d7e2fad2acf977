"""The report preview: the follow-up summary PDF shown inside the app, with Print and Save as.

The patient's records are read on the window's database runner, the PDF is laid out on its
background thread by the same report code as the CLI (app.reports), shown with QPdfView,
printed page by page from the PDF (app.ui.printing.pages, never by printing widgets) and saved
atomically. Printing and saving are written to the audit trail by a runner write, never on the
GUI thread.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.db import Database
from app.services.actor import Actor
from app.services.changes import Changes
from app.ui.dbops import DatabaseRunner
from app.ui.printing.pages import PrinterNotStarted, pages_text, print_documents
from app.ui.widgets.fit import resize_to_fit

log = logging.getLogger("dfu_monitor.ui")


def _accepted(result: object) -> bool:
    return getattr(result, "value", result) == QDialog.DialogCode.Accepted.value


class ReportPreviewDialog(QDialog):
    """Preview of one patient's report; `pdf_bytes` holds the PDF once it is built."""

    built = Signal(int)  # the pages of the PDF just shown

    def __init__(self, runner: DatabaseRunner, actor: Actor, patient_id: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reportPreviewDialog")
        self.setWindowTitle(self.tr("Report preview"))
        resize_to_fit(self, 900, 1000)  # 1000 px tall hid Print/Save on a 900 px screen
        self.runner, self.db, self.actor, self.patient_id = runner, runner.db, actor, patient_id
        self.pdf_bytes: bytes | None = None
        self.file_stem = "report"
        self._builds = 0  # the latest build; an older one arriving late is dropped

        self.audience_combo = QComboBox()
        self.audience_combo.setObjectName("audienceCombo")
        self.audience_combo.addItem(self.tr("Clinician summary"), "clinician")
        self.audience_combo.addItem(self.tr("Patient version (one page)"), "patient")
        self.audience_combo.currentIndexChanged.connect(self.build)
        self.status = QLabel()
        self.status.setObjectName("reportStatus")

        self.document = QPdfDocument(self)
        self._buffer = QBuffer(self)
        self.pdf_view = QPdfView(self)
        self.pdf_view.setObjectName("pdfView")
        self.pdf_view.setDocument(self.document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.print_button = QPushButton(self.tr("&Print…"))
        self.print_button.setObjectName("printButton")
        self.print_button.clicked.connect(self.print_report)
        self.save_button = QPushButton(self.tr("&Save as…"))
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save_report)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Report for:")))
        top.addWidget(self.audience_combo)
        top.addWidget(self.status, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.print_button, self.save_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pdf_view, 1)
        layout.addLayout(buttons)
        self.build()

    # -- building ---------------------------------------------------------------------
    @property
    def audience(self) -> str:
        return self.audience_combo.currentData()

    def build(self) -> None:
        """Read the records on the database runner, then lay the PDF out in the background."""
        from app.services.history import load_history
        from app.services.report_jobs import AUDIENCES, report_file_name
        from app.services.report_photos import load_report_photos
        from app.services.settings import load_settings

        self.pdf_bytes = None
        self._set_ready(False)
        self.status.setText(self.tr("Building the report…"))
        self._builds += 1
        build, actor, patient_id, audience = self._builds, self.actor, self.patient_id, \
            self.audience

        def read(session):
            actor.require("print")
            if audience not in AUDIENCES:
                raise ValueError(audience)
            history = load_history(session, patient_id)
            photos = load_report_photos(session, history, thumbnails=audience == "clinician")
            return history, load_settings(session), photos

        def lay_out(records) -> None:
            from app.reports import render_pdf

            history, settings, photos = records
            name = report_file_name(history.patient.mrn, audience)
            self.runner.background(
                "report-pdf", lambda: (render_pdf(history, settings, audience=audience,
                                                  printed_by=actor.username, photos=photos),
                                       name),
                lambda result: self._built(build, result), on_error=self._failed, parent=self)

        self.runner.read("report-records", read,
                         lambda records: isValid(self) and build == self._builds
                         and lay_out(records), on_error=self._failed, parent=self)

    def _built(self, build: int, result: tuple[bytes, str]) -> None:
        if not isValid(self) or build != self._builds:
            return
        self.pdf_bytes, name = result
        self.file_stem = name[:-4]
        self._buffer.close()
        self._buffer.setData(QByteArray(self.pdf_bytes))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        pages = self.document.pageCount()
        self.status.setText(pages_text(pages))
        self._set_ready(pages > 0)
        self.built.emit(pages)

    def _failed(self, error: Exception) -> None:
        if not isValid(self):
            return
        log.debug("report preview failed", exc_info=error)
        self.status.setText(self.tr("The report could not be built: {0}").format(error))

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def wait_until_built(self, msecs: int = 60_000) -> bool:
        """Block until the queued reads and layouts have run (for tests)."""
        return self.runner.wait(msecs)

    # -- printing and saving ------------------------------------------------------------
    def print_report(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.file_stem)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print report"))
        if not _accepted(dialog.exec()):
            return
        pages = self.print_to(printer)
        if not pages:
            return
        self._audit(f"{self.audience} report, {pages_text(pages)}, sent to printer "
                    f"{printer.printerName() or printer.outputFileName() or '(default)'}")
        self.status.setText(self.tr("Sent {0} to the printer.").format(pages_text(pages)))

    def print_to(self, printer: QPrinter) -> int:
        """Paint every page of the PDF onto `printer`, scaled to its printable area."""
        try:
            return print_documents(printer, [self.document])
        except PrinterNotStarted:
            QMessageBox.warning(self, self.tr("Print report"),
                                self.tr("The printer could not be started."))
            return 0

    def save_report(self) -> None:
        from app.services.errors import UserError
        from app.services.files import write_bytes_atomically

        if self.pdf_bytes is None:
            return
        default = str(Path.home() / f"{self.file_stem}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save report as"), default,
                                              self.tr("PDF files (*.pdf)"))
        if not path:
            return
        target = Path(path) if path.lower().endswith(".pdf") else Path(path + ".pdf")
        try:
            write_bytes_atomically(target, self.pdf_bytes)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Save report as"), str(exc))
            return
        self._audit(f"{self.audience} report saved to {target}")
        self.status.setText(self.tr("Saved to {0}").format(str(target)))

    def _audit(self, detail: str) -> None:
        """"report printed" into the audit trail, written on the database runner."""
        from app.services.audit import record_event
        from app.services.report_jobs import AUDIT_ACTION

        actor, patient_id = self.actor, self.patient_id

        def failed(error: Exception) -> None:  # a read-only database must not stop a printout
            log.warning("report printing could not be audited: %s", type(error).__name__)

        self.runner.write(lambda session: record_event(session, actor, AUDIT_ACTION, detail,
                                                       patient_id=patient_id),
                          changes=Changes.of(patients=[patient_id]), on_error=failed,
                          parent=self)


def open_report_preview(parent: QWidget | None, db: Database, actor: Actor, patient_id: int,
                        *, runner: DatabaseRunner | None = None) -> ReportPreviewDialog:
    """Open the preview of `patient_id`'s report (non-modal); returns the dialog. It runs on
    `runner`, else on the parent window's runner, else on a runner of its own."""
    runner = runner or getattr(parent, "runner", None)
    own = runner is None
    if own:
        runner = DatabaseRunner(db)
    dialog = ReportPreviewDialog(runner, actor, patient_id, parent)
    if own:
        runner.setParent(dialog)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
