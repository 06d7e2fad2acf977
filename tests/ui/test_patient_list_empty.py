"""The patient list when it shows nobody: an empty clinic tells a nurse how to register the
first patient and an administrator who does; a search that matches nobody says so; no hint
while the list loads, none once a patient is listed (app.ui.patients.empty_hint)."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from app.services.patients import PatientInput, create_patient
from app.ui.patients.empty_hint import empty_list_text
from app.ui.patients.list_panel import PatientListPanel
from app.ui.patients.new_patient import NewPatientDialog
from tests.ui.golden_support import golden_copy, golden_template  # noqa: F401 (fixtures)
from tests.ui.safety_support import TODAY, add_accounts, close_window, open_window

WAIT = 20_000


def hint(window) -> QLabel | None:
    """The hint over the table when it is shown (None when there is none)."""
    label = window.list_panel.findChild(QLabel, "patientListEmptyHint")
    return label if label is not None and not label.isHidden() else None


@pytest.fixture
def accounts(db):
    add_accounts(db)  # an empty clinic with a nurse, a doctor, the front desk and an admin
    return db


@pytest.fixture
def nurse_window(qtbot, accounts):
    window = open_window(qtbot, accounts, "nurse.ana")
    yield window
    close_window(window)


def test_an_empty_clinic_tells_a_nurse_how_to_register_the_first(nurse_window):
    label = hint(nurse_window)
    assert label is not None
    assert label.text() == ("No patients yet.\n"
                            "Click New patient… (Ctrl+Shift+N) to register the first.")
    assert nurse_window.new_patient_button.text() == "New patient…"
    assert nurse_window.action_new_patient.shortcut().toString() == "Ctrl+Shift+N"
    assert nurse_window.new_patient_button.isEnabled()
    assert nurse_window.list_status.text() == "0 patients"
    viewport = nurse_window.patient_table.viewport()
    assert viewport.geometry().contains(label.geometry())  # over the rows' area, inside it
    assert label.geometry().center() == viewport.geometry().center()


def test_an_empty_clinic_tells_an_administrator_who_registers(qtbot, accounts):
    window = open_window(qtbot, accounts, "admin.eva")
    label = hint(window)
    assert label is not None
    assert label.text() == ("No patients yet.\nPatients are registered by a nurse, a doctor "
                            "or the front desk.")
    assert not window.new_patient_button.isEnabled()
    close_window(window)


def test_a_doctor_may_register_and_is_told_how(qtbot, accounts):
    window = open_window(qtbot, accounts, "dr.bo")
    assert "Click New patient… (Ctrl+Shift+N)" in hint(window).text()
    close_window(window)


def test_a_search_in_an_empty_clinic_still_says_how_to_start(qtbot, nurse_window):
    qtbot.keyClicks(nurse_window.patient_search, "xyz")
    assert hint(nurse_window).text().startswith("No patients yet.")


def test_no_hint_while_the_list_loads_even_when_a_search_is_typed(qtbot, accounts):
    from app.ui.main_window import create_main_window

    window = create_main_window(accounts.url, "nurse.ana", today=TODAY)
    qtbot.addWidget(window)
    assert not window.patients_ready
    qtbot.keyClicks(window.patient_search, "x")        # typed before the list arrived
    assert hint(window) is None and window.list_status.text() == "Loading patients…"
    with qtbot.waitSignal(window.patients_loaded, timeout=WAIT):
        window.show()
    assert hint(window).text().startswith("No patients yet.")
    close_window(window)


def test_a_search_that_matches_nobody_says_so(qtbot, golden_copy):
    window = open_window(qtbot, golden_copy, "nurse.test")
    assert hint(window) is None and window.patient_proxy.rowCount() > 0
    qtbot.keyClicks(window.patient_search, "xyz")
    assert hint(window).text() == "No patient matches “xyz”."
    total = window.patient_model.total_count
    assert window.list_status.text() == f"0 of {total} patients"
    qtbot.keyClick(window.patient_search, Qt.Key.Key_Backspace)
    assert hint(window).text() == "No patient matches “xy”."
    qtbot.keyClick(window.patient_search, Qt.Key.Key_Escape)   # clears the search
    assert hint(window) is None and window.patient_proxy.rowCount() == total
    close_window(window)


def test_the_hint_goes_once_the_first_patient_is_registered(qtbot, nurse_window):
    window = nurse_window
    assert hint(window) is not None

    def register() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, NewPatientDialog) and w.isVisible())
        QTimer.singleShot(WAIT, dialog.reject)            # never hang: give up in time
        qtbot.keyClicks(dialog.mrn, "FIRST-1")
        qtbot.keyClicks(dialog.name, "First Patient")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, register)
    with qtbot.waitSignal(window.chart_loaded, timeout=WAIT):
        qtbot.mouseClick(window.new_patient_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.patient_proxy.rowCount() == 1, timeout=WAIT)
    assert hint(window) is None
    assert window.list_status.text() == "1 patient"


def test_a_patient_registered_elsewhere_takes_the_hint_away(qtbot, accounts, nurse_window):
    """Another workstation (here: the window's runner, as its live updates deliver it)."""
    from app.services.actor import Actor
    from app.services.changes import Changes

    window = nurse_window
    window.runner.write(lambda session: create_patient(
        session, PatientInput(mrn="ELSE-1", name="Registered Elsewhere",
                              birth_date=dt.date(1950, 1, 1), arm="standard"),
        actor=Actor("staff.di", "staff"), today=TODAY).id,
        changes=lambda pid: Changes.of(patients=[pid]))
    qtbot.waitUntil(lambda: window.patient_proxy.rowCount() == 1, timeout=WAIT)
    assert hint(window) is None


def test_the_panel_on_its_own_waits_for_its_rows(qtbot):
    panel = PatientListPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert panel.empty_hint is None                      # no label made before it is needed
    panel.set_register_hint("Ask the front desk.")       # before the list loaded: no hint
    assert panel.empty_hint is None and panel.status.text() == "Loading patients…"
    panel.update_status()                                # the (empty) rows arrived
    assert panel.empty_hint.isVisible()
    assert panel.empty_hint.text() == "No patients yet.\nAsk the front desk."


def test_empty_list_text_words():
    words = dict(register_hint="Click New patient….")
    assert empty_list_text(shown=3, total=3, search="", overdue_only=False, **words) == ""
    assert empty_list_text(shown=0, total=0, search="a", overdue_only=True, **words) == \
        "No patients yet.\nClick New patient…."
    assert empty_list_text(shown=0, total=0, search="", overdue_only=False,
                           register_hint="") == "No patients yet."
    assert empty_list_text(shown=0, total=5, search=" zoë ", overdue_only=False, **words) == \
        "No patient matches “zoë”."
    assert empty_list_text(shown=0, total=5, search="", overdue_only=True, **words) == \
        "No overdue follow-ups."
    assert empty_list_text(shown=0, total=5, search="ab", overdue_only=True, **words) == \
        "No overdue patient matches “ab”."
