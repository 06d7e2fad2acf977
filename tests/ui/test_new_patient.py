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
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    with golden_copy.read() as session:
        created = session.get(Patient, dialog.created_patient_id)
        assert (created.mrn, created.name, created.birth_date, created.arm, created.pad,
                created.hba1c_enrolment_pct) == ("H-02000", "Wei Tanaka Junior",
                                                 dt.date(1980, 2, 29), "exosome", True, 7.5)


@pytest.mark.parametrize("field, text, message", [
    ("birth_date", "1950-13-01", "Not a real date (there is no month 13)"),
    ("birth_date", "2031-02-30", "Not a real date (February 2031 has 28 days)"),
    ("birth_date", "1950-04-31", "Not a real date (April 1950 has 30 days)"),
    ("birth_date", "30/04/1950", "Enter the date as YYYY-MM-DD"),
    ("birth_date", "2027-01-01", "Birth date is in the future"),
    ("hba1c", "seven", "Not a number"),
    ("hba1c", "nan", "Not a number"),
    ("hba1c", "7.5,1", "not both"),
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


def test_mrn_and_name_are_required_in_the_words_of_their_labels(qtbot, dialog):
    save(qtbot, dialog)
    assert dialog.error_text("mrn") == "MRN is required"  # not "mrn is required"
    assert dialog.error_text("name") == "Name is required"
    assert dialog.focusWidget() is dialog.mrn


def test_an_error_does_not_move_the_fields(qtbot, dialog):
    """The message line under each field is reserved: an error never pushes fields down."""
    qtbot.waitExposed(dialog)
    widgets = [dialog.mrn, dialog.name, dialog.birth_date, dialog.hba1c, dialog.contact,
               dialog.save_button]
    before = [w.mapTo(dialog, w.rect().topLeft()) for w in widgets]
    type_into(qtbot, dialog, birth_date="2031-02-30", hba1c="seven")
    save(qtbot, dialog)
    qtbot.wait(50)  # let the layout settle, as it would on screen
    assert dialog.error_text("mrn") and dialog.error_text("birth_date")
    assert [w.mapTo(dialog, w.rect().topLeft()) for w in widgets] == before


def test_new_patient_saves_on_the_windows_runner_and_announces_it(qtbot, golden_copy, actor):
    from app.ui.dbops import DatabaseRunner

    runner = DatabaseRunner(golden_copy)
    dialog = NewPatientDialog(runner=runner, actor=actor, today=TODAY)
    qtbot.addWidget(dialog, before_close_func=lambda _d: runner.wait())
    dialog.show()
    type_into(qtbot, dialog, mrn="R-0001", name="Runner Test", birth_date="1970-01-02",
              duration="12,5")
    with qtbot.waitSignal(runner.changed, timeout=10_000) as changed:
        save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    assert changed.args[0].patients == frozenset({dialog.created_patient_id})
    with golden_copy.read() as session:
        created = session.get(Patient, dialog.created_patient_id)
        assert (created.birth_date, created.diabetes_duration_years) == (dt.date(1970, 1, 2),
                                                                        12.5)


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
        self.save()  # on the window's runner: wait for it, as exec() would
        qtbot.waitUntil(lambda: self.result() == QDialog.DialogCode.Accepted, timeout=10_000)
        return self.result()

    monkeypatch.setattr(NewPatientDialog, "exec", nurse_fills_in)
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        qtbot.mouseClick(window.new_patient_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.patient_model.rowCount() == 9)
    assert window.patient_search.text() == ""
    assert window.statusBar().currentMessage() == "Patient registered"
    assert window.current_chart.history.patient.name == "Siobhán Ó Briain"
    qtbot.waitUntil(lambda: window.patient_table.currentIndex().isValid())
    current = window.patient_table.currentIndex()
    assert current.siblingAtColumn(0).data() == "N-0001"
    qtbot.keyClicks(window.patient_search, "siobhan o bri")
    assert window.patient_proxy.rowCount() == 1
