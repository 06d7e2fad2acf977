"""The batch dialog: one PDF per patient seen between two dates, progress, cancel."""
from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt

from tests.conftest import GOLDEN_CSV


def _seen_between(start: str, end: str) -> set[str]:
    with open(GOLDEN_CSV, encoding="utf-8-sig") as handle:
        return {row["mrn"] for row in csv.DictReader(handle) if start <= row["visit_date"] <= end}


@pytest.fixture
def batch(qtbot, golden_db):
    from app.services.actor import Actor
    from app.ui.printing.batch import BatchPrintDialog

    dialog = BatchPrintDialog(golden_db, Actor("reception.test", "staff"))
    qtbot.addWidget(dialog)
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


def test_batch_writes_one_file_per_patient_seen(batch, qtbot, tmp_path):
    tmp_path = tmp_path / "reports"  # the clinic database lives in tmp_path itself
    tmp_path.mkdir()
    expected = _seen_between("2025-05-01", "2025-06-30")
    assert 1 < len(expected) < 8
    _type_date(qtbot, batch.from_date, "2025-05-01")
    _type_date(qtbot, batch.to_date, "2025-06-30")
    assert batch.from_date.date().toString("yyyy-MM-dd") == "2025-05-01"
    assert batch.to_date.date().toString("yyyy-MM-dd") == "2025-06-30"
    _type(qtbot, batch.folder_edit, str(tmp_path))
    qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
    assert not batch.start_button.isEnabled() and batch.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: batch.result_summary is not None, timeout=120_000)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{m}.pdf" for m in expected)
    assert batch.progress_bar.maximum() == batch.progress_bar.value() == len(expected)
    assert batch.status.text() == (f"{len(expected)} of {len(expected)} reports written to "
                                   f"{tmp_path}.")
    assert batch.start_button.isEnabled() and not batch.cancel_button.isEnabled()


def test_cancel_stops_after_the_current_report(batch, qtbot, tmp_path):
    tmp_path = tmp_path / "reports"
    tmp_path.mkdir()
    _type_date(qtbot, batch.from_date, "2024-01-01")
    _type(qtbot, batch.folder_edit, str(tmp_path))
    batch.progress_bar.valueChanged.connect(
        lambda value: value == 1 and qtbot.mouseClick(batch.cancel_button,
                                                      Qt.MouseButton.LeftButton))
    qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: batch.result_summary is not None, timeout=120_000)
    result = batch.result_summary
    assert result.cancelled
    assert 1 <= len(result.written) < 8
    assert sorted(tmp_path.iterdir()) == sorted(result.written)
    assert batch.status.text().startswith(f"Cancelled: {len(result.written)} of 8 reports")


def test_bad_dates_and_missing_folder_are_refused(batch, qtbot, tmp_path):
    _type_date(qtbot, batch.from_date, "2026-11-27")
    _type_date(qtbot, batch.to_date, "2026-01-01")
    qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
    assert batch.status.text() == "The end date is before the start date."
    _type_date(qtbot, batch.to_date, "2026-11-27")
    _type(qtbot, batch.folder_edit, str(tmp_path / "nowhere"))
    qtbot.mouseClick(batch.start_button, Qt.MouseButton.LeftButton)
    assert batch.status.text() == f"The folder {tmp_path / 'nowhere'} does not exist."
    assert batch.start_button.isEnabled() and batch.result_summary is None
