"""The report preview: the follow-up summary PDF shown inside the app, with Print and Save as.

The PDF is built off the GUI thread by the same service as the CLI (app.services.report_jobs),
shown with QPdfView, printed page by page from the PDF (never by printing widgets) and saved
atomically. Printing and saving are written to the audit trail.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from app.db import Database
from app.services.actor import Actor
from app.ui.workers import BackgroundRunner

log = logging.getLogger("dfu_monitor.ui")
PRINT_DPI = 300  # pages are rendered at this resolution for the printer


def _accepted(result: object) -> bool:
    return getattr(result, "value", result) == QDialog.DialogCode.Accepted.value


class ReportPreviewDialog(QDialog):
    """Preview of one patient's report; `pdf_bytes` holds the PDF once it is built."""

    def __init__(self, db: Database, actor: Actor, patient_id: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reportPreviewDialog")
        self.setWindowTitle(self.tr("Report preview"))
        self.resize(900, 1000)
        self.db, self.actor, self.patient_id = db, actor, patient_id
        self.pdf_bytes: bytes | None = None
        self.file_stem = "report"
        self.runner = BackgroundRunner(self, threads=1)

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
        """Build the PDF for the chosen audience in the background."""
        from app.services.report_jobs import render_report, suggested_file_name

        self.pdf_bytes = None
        self._set_ready(False)
        self.status.setText(self.tr("Building the report…"))
        db, actor, patient_id, audience = self.db, self.actor, self.patient_id, self.audience

        def work() -> tuple[bytes, str]:
            data = render_report(db, patient_id, audience=audience, actor=actor)
            return data, suggested_file_name(db, patient_id, audience)

        self.runner.submit("report", work, self._built, self._failed)

    def _built(self, result: tuple[bytes, str]) -> None:
        self.pdf_bytes, name = result
        self.file_stem = name[:-4]
        self._buffer.close()
        self._buffer.setData(QByteArray(self.pdf_bytes))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        pages = self.document.pageCount()
        self.status.setText(self.tr("%n page(s)", "", pages))
        self._set_ready(pages > 0)

    def _failed(self, error: Exception) -> None:
        log.debug("report preview failed", exc_info=error)
        self.status.setText(self.tr("The report could not be built: {0}").format(error))

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def wait_until_built(self, msecs: int = 60_000) -> bool:
        """Block until the background build has finished (for tests and shutdown)."""
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
        self._audit(f"{self.audience} report, {pages} page(s), sent to printer "
                    f"{printer.printerName() or printer.outputFileName() or '(default)'}")
        self.status.setText(self.tr("Sent {0} page(s) to the printer.").format(pages))

    def print_to(self, printer: QPrinter) -> int:
        """Paint every page of the PDF onto `printer`, scaled to its printable area."""
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, self.tr("Print report"),
                                self.tr("The printer could not be started."))
            return 0
        try:
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            pages = self.document.pageCount()
            for index in range(pages):
                if index:
                    printer.newPage()
                points = self.document.pagePointSize(index)
                image = self.document.render(index, QSize(round(points.width() * PRINT_DPI / 72),
                                                          round(points.height() * PRINT_DPI / 72)))
                target = QSize(image.size().scaled(area.size(),
                                                   Qt.AspectRatioMode.KeepAspectRatio))
                painter.drawImage(QRect(0, 0, target.width(), target.height()), image)
        finally:
            painter.end()
        return pages

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
        from app.services.report_jobs import record_report_event

        try:
            record_report_event(self.db, self.actor, patient_id=self.patient_id, detail=detail)
        except Exception:  # a read-only database must not stop a printout that happened
            log.warning("report printing could not be audited", exc_info=True)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.runner.wait()
        super().closeEvent(event)


def open_report_preview(parent: QWidget | None, db: Database, actor: Actor,
                        patient_id: int) -> ReportPreviewDialog:
    """Open the preview of `patient_id`'s report (non-modal); returns the dialog."""
    dialog = ReportPreviewDialog(db, actor, patient_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
