"""The New patient dialog: errors at the field, nothing typed lost, duplicates refused."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import func, select

from app.models import Patient
from app.ui.patients.new_patient import NewPatientDialog
from tests.ui.golden_support import golden_copy, golden_template  # noqa: F401 (fixtures)

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def dialog(qtbot, golden_copy, actor):
    widget = NewPatientDialog(db=golden_copy, actor=actor, today=TODAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def patient_count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count(Patient.id)))


def type_text(qtbot, widget, text: str) -> None:
    """Type as a keyboard would; QTest's keyClicks takes ASCII only, so an accented letter
    is sent as a key event carrying its text."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                         char))


def type_into(qtbot, dialog, **texts) -> None:
    fields = {"mrn": dialog.mrn, "name": dialog.name, "birth_date": dialog.birth_date,
              "duration": dialog.duration, "hba1c": dialog.hba1c, "contact": dialog.contact}
    for key, text in texts.items():
        type_text(qtbot, fields[key], text)


def save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_duplicate_mrn_after_normalisation_is_refused_and_nothing_is_lost(qtbot, dialog,
                                                                         golden_copy):
    type_into(qtbot, dialog, mrn="  h-01000 ", name="Wei Tanaka Junior", birth_date="1980-02-29",
              hba1c="7.5", contact="+44 20 7946 0000")
    dialog.arm.setCurrentIndex(dialog.arm.findData("exosome"))
    qtbot.mouseClick(dialog.comorbidities["pad"], Qt.MouseButton.LeftButton)
    before = patient_count(golden_copy)
    save(qtbot, dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "Wei Tanaka (H-01000)" in dialog.error_text("mrn")
    assert dialog.mrn.styleSheet()  # the field is marked
    assert (dialog.mrn.text(), dialog.name.text(), dialog.birth_date.text(), dialog.hba1c.text(),
            dialog.contact.text()) == ("  h-01000 ", "Wei Tanaka Junior", "1980-02-29", "7.5",
                                       "+44 20 7946 0000")
    assert dialog.arm.currentData() == "exosome" and dialog.comorbidities["pad"].isChecked()
    assert patient_count(golden_copy) == before
    # Fix only the MRN: the error goes as the nurse types, and the patient is created.
    dialog.mrn.clear()
    qtbot.keyClicks(dialog.mrn, "H-02000")
    assert dialog.error_text("mrn") == ""
    save(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with golden_copy.read() as session:
        created = session.get(Patient, dialog.created_patient_id)
        assert (created.mrn, created.name, created.birth_date, created.arm, created.pad,
                created.hba1c_enrolment_pct) == ("H-02000", "Wei Tanaka Junior",
                                                 dt.date(1980, 2, 29), "exosome", True, 7.5)


@pytest.mark.parametrize("field, text, message", [
    ("birth_date", "1950-13-01", "YYYY-MM-DD"),
    ("birth_date", "2027-01-01", "in the future"),
    ("hba1c", "seven", "enter a number"),
    ("hba1c", "nan", "enter a number"),
    ("hba1c", "30", "between 2 and 25"),
    ("duration", "-1", "between 0 and 120"),
])
def test_bad_values_are_refused_at_their_field(qtbot, dialog, golden_copy, field, text, message):
    type_into(qtbot, dialog, mrn="H-03000", name="Amélie Dubois", **{field: text})
    before = patient_count(golden_copy)
    save(qtbot, dialog)
    key = {"hba1c": "hba1c_enrolment_pct", "duration": "diabetes_duration_years"}.get(field, field)
    assert message in dialog.error_text(key)
    assert dialog.error_text("mrn") == "" and dialog.error_text("name") == ""
    assert getattr(dialog, field).text() == text and dialog.name.text() == "Amélie Dubois"
    assert patient_count(golden_copy) == before


def test_mrn_and_name_are_required(qtbot, dialog):
    save(qtbot, dialog)
    assert "required" in dialog.error_text("mrn") and "required" in dialog.error_text("name")
    assert dialog.focusWidget() is dialog.mrn


def test_new_patient_from_the_main_window_is_listed_and_opened(qtbot, golden_copy, monkeypatch):
    from app.ui.main_window import create_main_window

    window = create_main_window(golden_copy.url, "nurse.test", today=TODAY)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.patients_loaded, timeout=20_000):
        window.show()
    qtbot.keyClicks(window.patient_search, "olga")

    def nurse_fills_in(self):  # what the nurse types while the modal dialog is open
        qtbot.keyClicks(self.mrn, "N-0001")
        type_text(qtbot, self.name, "Siobhán Ó Briain")
        qtbot.keyClicks(self.birth_date, "1961-05-04")
        self.save()
        return self.result()

    monkeypatch.setattr(NewPatientDialog, "exec", nurse_fills_in)
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        qtbot.mouseClick(window.new_patient_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.patient_model.rowCount() == 9)
    assert window.patient_search.text() == ""
    assert window.current_chart.history.patient.name == "Siobhán Ó Briain"
    qtbot.waitUntil(lambda: window.patient_table.currentIndex().isValid())
    current = window.patient_table.currentIndex()
    assert current.siblingAtColumn(0).data() == "N-0001"
    qtbot.keyClicks(window.patient_search, "siobhan o bri")
    assert window.patient_proxy.rowCount() == 1
