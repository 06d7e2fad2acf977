"""The batch dialog: one PDF per patient seen between two dates, one combined PDF, the folder
created when missing, printing, progress, cancel, and the audit trail written off the GUI
thread."""
from __future__ import annotations

import csv
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog

from tests.conftest import GOLDEN_CSV


def _seen_between(start: str, end: str) -> set[str]:
    with open(GOLDEN_CSV, encoding="utf-8-sig") as handle:
        return {row["mrn"] for row in csv.DictReader(handle) if start <= row["visit_date"] <= end}


def _pages(path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def _audit(db) -> list[str]:
    from app.services.audit import list_audit

    with db.read() as session:
        return [r.new for r in list_audit(session) if r.action == "report printed"]


@pytest.fixture
def audit_threads(monkeypatch):
    """The threads the audit entries are written on."""
    import app.services.audit as audit

    threads: list[threading.Thread] = []
    real = audit.record_event

    def record_event(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "record_event", record_event)
    return threads


@pytest.fixture
def batch(qtbot, golden_db):
    from app.services.actor import Actor
    from app.ui.dbops import DatabaseRunner
    from app.ui.printing.batch import BatchPrintDialog

    runner = DatabaseRunner(golden_db)
    dialog = BatchPrintDialog(runner, Actor("reception.test", "staff"))
    runner.setParent(dialog)
    qtbot.addWidget(dialog, before_close_func=lambda w: w.runner.wait())
    dialog.show()
    return dialog


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def _type_date(qtbot, edit, text: str) -> None:
    """Type a date as digits from the year on; each full section moves to the next."""
    from PySide6.QtWidgets import QDateEdit

    edit.setFocus()
    edit.setSelectedSection(QDateEdit.Section.YearSection)
    qtbot.keyClicks(edit, text.replace("-", ""))
    assert edit.date().toString("yyyy-MM-dd") == text


def _run(qtbot, batch, folder, start="2025-05-01", end="2025-06-30") -> None:
    _type_date(qtbot, batch.from_date, start)
    _type_date(qtbot, batch.to_date, end)
    _type(qtbot, batch.folder_edit, str(folder))
    with qtbot.waitSignal(batch.finished_batch, timeout=120_000):
        qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
        assert not batch.start_button.isEnabled() and batch.cancel_button.isEnabled()


def test_batch_writes_one_file_per_patient_and_one_combined(batch, qtbot, tmp_path, golden_db,
                                                          audit_threads):
    folder = tmp_path / "reports" / "may-june"  # missing: the dialog creates it
    expected = _seen_between("2025-05-01", "2025-06-30")
    assert 1 < len(expected) < 8
    _run(qtbot, batch, folder)
    combined = folder / "all-reports-2025-05-01-to-2025-06-30.pdf"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{m}.pdf" for m in expected] + [combined.name])
    each = sum(_pages(folder / f"{m}.pdf") for m in expected)
    assert _pages(combined) == each
    assert batch.progress_bar.maximum() == batch.progress_bar.value() == len(expected)
    assert batch.status.text() == (
        f"{len(expected)} of {len(expected)} reports written to {folder}. "
        f"All of them in one file: {combined.name} ({each} pages).")
    assert batch.start_button.isEnabled() and not batch.cancel_button.isEnabled()
    assert batch.print_button.isEnabled()
    qtbot.waitUntil(lambda: len([d for d in _audit(golden_db) if "(batch)" in d])
                    == len(expected))
    assert threading.main_thread() not in audit_threads


def test_print_sends_the_combined_pdf_and_audits_each_patient(batch, qtbot, tmp_path,
                                                             golden_db, monkeypatch,
                                                             audit_threads):
    import app.ui.printing.batch as module

    printed = tmp_path / "printed.pdf"

    class PrintDialogAnsweredOk:
        def __init__(self, printer: QPrinter, parent=None):
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(printed))
            printer.setResolution(100)

        def setWindowTitle(self, title):
            pass

        def exec(self):
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(module, "QPrintDialog", PrintDialogAnsweredOk)
    painted_on = []
    real_print_files = module.print_files

    def print_files(printer, files):
        painted_on.append(threading.current_thread())
        return real_print_files(printer, files)

    monkeypatch.setattr(module, "print_files", print_files)
    expected = _seen_between("2025-05-01", "2025-06-30")
    _run(qtbot, batch, tmp_path / "out")
    assert batch.files_to_print() == [batch.run.combined]
    with qtbot.waitSignal(batch.printed, timeout=120_000):
        qtbot.mouseClick(batch.print_button, Qt.MouseButton.LeftButton)
        assert batch.status.text() == "Printing…" and not batch.close_button.isEnabled()
    assert _pages(printed) == batch.run.combined_pages
    assert batch.status.text() == f"Sent {batch.run.combined_pages} pages to the printer."
    qtbot.waitUntil(lambda: len([d for d in _audit(golden_db) if "sent to printer" in d])
                    == len(expected))
    assert threading.main_thread() not in audit_threads
    assert painted_on and threading.main_thread() not in painted_on  # the window stays live


def test_without_combining_print_sends_each_file(batch, qtbot, tmp_path, monkeypatch):
    import app.ui.printing.batch as module

    printed = tmp_path / "each.pdf"

    class PrintDialogAnsweredOk:
        def __init__(self, printer: QPrinter, parent=None):
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(printed))
            printer.setResolution(100)

        def setWindowTitle(self, title):
            pass

        def exec(self):
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(module, "QPrintDialog", PrintDialogAnsweredOk)
    qtbot.mouseClick(batch.combine_check, Qt.MouseButton.LeftButton)
    assert not batch.combine_check.isChecked()
    folder = tmp_path / "single"
    _run(qtbot, batch, folder)
    files = sorted(folder.iterdir())
    assert not any(p.name.startswith("all-reports") for p in files)
    assert batch.files_to_print() == files
    with qtbot.waitSignal(batch.printed, timeout=120_000):
        qtbot.mouseClick(batch.print_button, Qt.MouseButton.LeftButton)
    assert _pages(printed) == sum(_pages(p) for p in files)


def test_cancel_stops_after_the_current_report(batch, qtbot, tmp_path):
    folder = tmp_path / "reports"
    _type_date(qtbot, batch.from_date, "2024-01-01")
    _type(qtbot, batch.folder_edit, str(folder))
    batch.progress_bar.valueChanged.connect(
        lambda value: value == 1 and qtbot.mouseClick(batch.cancel_button,
                                                      Qt.MouseButton.LeftButton))
    with qtbot.waitSignal(batch.finished_batch, timeout=120_000):
        qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
    result = batch.result_summary
    assert result.cancelled
    assert len(result.written) == 1
    # The one report written, and the combined PDF of it.
    assert sorted(folder.iterdir()) == sorted(result.written + [batch.run.combined])
    assert batch.status.text().startswith("Cancelled: 1 of 8 reports")


def test_bad_dates_and_an_impossible_folder_are_refused(batch, qtbot, tmp_path):
    _type_date(qtbot, batch.from_date, "2026-11-27")
    _type_date(qtbot, batch.to_date, "2026-01-01")
    qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
    assert batch.status.text() == "The end date is before the start date."
    _type_date(qtbot, batch.to_date, "2026-11-27")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    _type(qtbot, batch.folder_edit, str(blocker / "reports"))
    qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
    assert batch.status.text().startswith(f"The folder {blocker / 'reports'} could not be "
                                          f"created: ")
    assert batch.start_button.isEnabled() and batch.result_summary is None
    assert not batch.print_button.isEnabled()


def test_closing_while_writing_finishes_the_report_audits_it_then_closes(batch, qtbot,
                                                                       tmp_path, golden_db):
    folder = tmp_path / "closing"
    _type_date(qtbot, batch.from_date, "2024-01-01")
    _type(qtbot, batch.folder_edit, str(folder))
    with qtbot.waitSignal(batch.finished_batch, timeout=120_000):
        qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
        batch.close()  # as the window's close button would
        assert batch.isVisible()  # kept open until the current report is done
    qtbot.waitUntil(lambda: not batch.isVisible())
    written = batch.result_summary.written
    assert batch.result_summary.cancelled and 0 <= len(written) < 8
    qtbot.waitUntil(lambda: len([d for d in _audit(golden_db) if "(batch)" in d])
                    == len(written))
