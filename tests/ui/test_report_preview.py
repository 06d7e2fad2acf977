"""The report preview: opens, shows the PDF's pages, switches audience, saves and prints."""
from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog

from app.services.history import get_patient_by_mrn


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _audit(db) -> list[str]:
    from app.services.audit import list_audit

    with db.read() as session:
        return [r.new for r in list_audit(session) if r.action == "report printed"]


@pytest.fixture
def preview(qtbot, golden_db, actor):
    from app.ui.printing.preview import open_report_preview

    with golden_db.read() as session:
        patient_id = get_patient_by_mrn(session, "H-01000").id
    dialog = open_report_preview(None, golden_db, actor, patient_id)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.pdf_bytes is not None, timeout=60_000)
    return dialog  # closing it (qtbot does) waits for any build still running


def _non_white_fraction(widget) -> float:
    image = widget.grab().toImage()
    step = 7
    total = dark = 0
    for x in range(0, image.width(), step):
        for y in range(0, image.height(), step):
            total += 1
            colour = image.pixelColor(x, y)
            dark += colour.lightness() < 200
    return dark / max(total, 1)


def test_preview_opens_and_shows_the_pages(preview, qtbot):
    assert preview.isVisible() and preview.objectName() == "reportPreviewDialog"
    pages = _pages(preview.pdf_bytes)
    assert pages >= 2
    assert preview.document.pageCount() == pages
    assert preview.pdf_view.document() is preview.document
    assert preview.status.text() == f"{pages} pages"
    assert preview.print_button.isEnabled() and preview.save_button.isEnabled()
    free = preview.screen().availableGeometry()  # its buttons on screen, not below the edge
    assert preview.height() <= free.height() and preview.width() <= free.width()
    preview.resize(900, 1100)
    qtbot.waitUntil(lambda: _non_white_fraction(preview.pdf_view.viewport()) > 0.002)


def test_switching_to_the_patient_version_rebuilds_one_page(preview, qtbot):
    previous = preview.pdf_bytes
    preview.audience_combo.setFocus()
    qtbot.keyClick(preview.audience_combo, Qt.Key.Key_Down)
    assert preview.audience == "patient"
    qtbot.waitUntil(lambda: preview.pdf_bytes not in (None, previous), timeout=60_000)
    assert preview.document.pageCount() == 1 == _pages(preview.pdf_bytes)
    assert preview.status.text() == "1 page"  # not "1 page(s)"
    assert preview.file_stem == "H-01000-patient"


def test_save_as_writes_the_pdf_and_audits_it(preview, qtbot, golden_db, tmp_path,
                                              monkeypatch):
    target = tmp_path / "summary"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "PDF files")))
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    saved = tmp_path / "summary.pdf"
    assert saved.read_bytes() == preview.pdf_bytes
    assert preview.status.text() == f"Saved to {saved}"
    qtbot.waitUntil(lambda: any(str(saved) in detail for detail in _audit(golden_db)))


def test_print_paints_every_page_and_audits_it(preview, qtbot, golden_db, tmp_path,
                                               monkeypatch):
    import app.ui.printing.preview as module

    printed = tmp_path / "printed.pdf"

    class PrintDialogAnsweredOk:
        """Stands in for the user choosing a printer (here: print to a PDF file) and OK."""

        def __init__(self, printer: QPrinter, parent=None):
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(printed))
            printer.setResolution(150)

        def setWindowTitle(self, title):
            pass

        def exec(self):
            return QDialog.DialogCode.Accepted

    import threading

    import app.services.audit as audit

    threads = []
    real_record_event = audit.record_event

    def record_event(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_record_event(*args, **kwargs)

    monkeypatch.setattr(audit, "record_event", record_event)
    monkeypatch.setattr(module, "QPrintDialog", PrintDialogAnsweredOk)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    pages = preview.document.pageCount()
    assert _pages(printed.read_bytes()) == pages
    assert preview.status.text() == f"Sent {pages} pages to the printer."
    qtbot.waitUntil(lambda: any("sent to printer" in detail for detail in _audit(golden_db)))
    # The audit entry is written on the database runner, never on the GUI thread.
    assert threads and threading.main_thread() not in threads


def test_a_print_dialog_cancelled_prints_nothing(preview, qtbot, golden_db, monkeypatch):
    import app.ui.printing.preview as module

    class PrintDialogCancelled:
        def __init__(self, printer, parent=None):
            pass

        def setWindowTitle(self, title):
            pass

        def exec(self):
            return QDialog.DialogCode.Rejected

    before = len(_audit(golden_db))
    monkeypatch.setattr(module, "QPrintDialog", PrintDialogCancelled)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    preview.runner.wait()
    assert len(_audit(golden_db)) == before


def test_print_report_button_and_file_menu_open_the_report_dialogs(qtbot, golden_db):
    import datetime as dt

    from PySide6.QtCore import QCoreApplication, QEvent

    from app.ui.main_window import create_main_window
    from app.ui.printing.batch import BatchPrintDialog
    from app.ui.printing.preview import ReportPreviewDialog

    window = create_main_window(golden_db.url, "reception.test", today=dt.date(2026, 11, 27))
    qtbot.addWidget(window, before_close_func=lambda w: w.runner.wait())
    with qtbot.waitSignal(window.patients_loaded, timeout=20_000):
        window.show()
    qtbot.keyClicks(window.patient_search, "H-01004")
    with qtbot.waitSignal(window.chart_loaded, timeout=20_000):
        qtbot.keyClick(window.patient_search, Qt.Key.Key_Return)
    qtbot.mouseClick(window.findChild(type(window.print_report_button), "printReportButton"),
                     Qt.MouseButton.LeftButton)
    preview = window.findChild(ReportPreviewDialog, "reportPreviewDialog")
    assert preview is not None and preview.isVisible()
    qtbot.waitUntil(lambda: preview.pdf_bytes is not None, timeout=60_000)
    assert "Zoë Tanaka · MRN H-01004" in " ".join(
        preview.document.getAllText(0).text().split())

    action = window.findChild(type(window.action_print), "batchPrintAction")
    assert action in window.menu_file.actions()
    assert window.menu_file.actions().index(action) == \
        window.menu_file.actions().index(window.action_print) + 1
    action.trigger()
    batch = window.findChild(BatchPrintDialog, "batchPrintDialog")
    assert batch is not None and batch.isVisible()
    for dialog in (preview, batch):
        dialog.close()
    window.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def test_closing_before_the_pdf_arrives_is_safe(qtbot, golden_db, actor):
    from PySide6.QtCore import QCoreApplication, QEvent

    from app.ui.dbops import DatabaseRunner
    from app.ui.printing.preview import open_report_preview

    with golden_db.read() as session:
        patient_id = get_patient_by_mrn(session, "H-01000").id
    runner = DatabaseRunner(golden_db)
    dialog = open_report_preview(None, golden_db, actor, patient_id, runner=runner)
    dialog.close()  # deleted (WA_DeleteOnClose) while its read and layout are queued
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    qtbot.waitUntil(runner.idle, timeout=60_000)  # results arrive for a dialog that is gone
    assert runner.idle()
