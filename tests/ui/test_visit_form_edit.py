"""Editing a saved visit in the same form: loaded, changed, saved with its version."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QInputDialog, QLineEdit, QMessageBox

from app.services.actor import Actor
from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import save_visit, sign_visit
from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    EARLIER,
    LAST,
    TODAY,
    clinic,
    db,
    history,
    open_form,
    press,
    retype,
    tab_to,
    template,
    wait_closed,
    wait_idle,
)


def visit_on(db, pid, day):
    return next(v for v in history(db, pid).visits if v.visit_date == day)


def text_of(dialog, name):
    return dialog.findChild(QLineEdit, name).text()


def test_saved_visit_loads_into_the_form(qtbot, db, actor, clinic):
    first = visit_on(db, clinic, EARLIER)
    dialog = open_form(qtbot, db, actor, clinic, visit_id=first.id)
    assert dialog.findChild(QLineEdit, "visitDate").text() == EARLIER.isoformat()
    assert dialog.visit_date.date().toString("yyyy-MM-dd") == EARLIER.isoformat()
    assert (text_of(dialog, "vasPain"), text_of(dialog, "lengthCm"), text_of(dialog, "widthCm"),
            text_of(dialog, "depthCm")) == ("6", "4", "3", "0.5")
    assert text_of(dialog, "lab_crp_mg_l") == "12"
    assert dialog.findChild(QCheckBox, "exosomeGiven").isChecked()
    assert text_of(dialog, "exosomeLot") == "EXO-1234"
    assert float(text_of(dialog, "exosomeDose")) == 5e9
    assert dialog.findChild(QComboBox, "treatedSite").currentData() == "L-heel"
    assert text_of(dialog, "dressing") == "foam"
    assert not dialog.is_dirty()


def test_edit_changes_the_visit_in_place(qtbot, db, actor, clinic):
    last = visit_on(db, clinic, LAST)
    dialog = open_form(qtbot, db, actor, clinic, visit_id=last.id)
    tab_to(qtbot, "lengthCm")
    retype(qtbot, "3.0")
    press(qtbot, Qt.Key.Key_Return)

    wait_closed(qtbot, dialog)
    h = history(db, clinic)
    assert [v.visit_date for v in h.visits] == [EARLIER, LAST]
    edited = visit_on(db, clinic, LAST)
    assert edited.id == last.id and edited.clinician == "nurse.old"
    assert h.episodes[0].assessments[-1].length_cm == 3.0


def test_unchanged_edit_keeps_treatment_and_labs(qtbot, db, actor, clinic):
    first = visit_on(db, clinic, EARLIER)
    before = history(db, clinic)
    dialog = open_form(qtbot, db, actor, clinic, visit_id=first.id)
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    after = history(db, clinic)
    strip = lambda t: {k: v for k, v in vars(t).items() if k != "id"}
    assert [strip(t) for t in after.treatments] == [strip(t) for t in before.treatments]
    assert after.visits[0].labs == before.visits[0].labs
    assert after.adverse_events == before.adverse_events


def test_signed_visit_asks_for_a_reason(qtbot, db, actor, clinic, monkeypatch):
    last = visit_on(db, clinic, LAST)
    with db.write() as session:
        sign_visit(session, last.id, actor=Actor("dr.who", "doctor"))
    asked = []

    def reason(parent, title, label, *args, **kwargs):
        asked.append(label)
        return answers.pop(0)

    answers = [("", False), ("width re-measured", True)]
    monkeypatch.setattr(QInputDialog, "getText", reason)
    dialog = open_form(qtbot, db, actor, clinic, visit_id=last.id)
    tab_to(qtbot, "widthCm")
    retype(qtbot, "2.0")
    press(qtbot, Qt.Key.Key_Return)                # cancelled: not saved
    assert dialog.isVisible() and "dr.who" in asked[0]
    assert history(db, clinic).episodes[0].assessments[-1].width_cm == 2.5
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    assert len(asked) == 2
    assert history(db, clinic).episodes[0].assessments[-1].width_cm == 2.0


def test_stale_edit_is_refused_and_the_typing_kept(qtbot, db, actor, clinic, monkeypatch):
    last = visit_on(db, clinic, LAST)
    dialog = open_form(qtbot, db, actor, clinic, visit_id=last.id)
    with db.write() as session:                    # another workstation saves first
        save_visit(session, VisitInput(
            patient_id=clinic, visit_date=LAST, vas=2.0, visit_id=last.id,
            expected_version=last.version,
            assessments=(AssessmentInput("L-heel", 3.4, 2.4),)),
            actor=Actor("nurse.other", "nurse"), today=TODAY)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *a, **k: warnings.append(text))
    tab_to(qtbot, "lengthCm")
    retype(qtbot, "3.2")
    press(qtbot, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)
    assert len(warnings) == 1
    assert "changed by nurse.other" in warnings[0] and "reload" in warnings[0]
    assert dialog.isVisible() and text_of(dialog, "lengthCm") == "3.2"
    assert dialog.draft_path.exists()              # what was typed is safe
    assert history(db, clinic).episodes[0].assessments[-1].length_cm == 3.4


def test_a_visit_deleted_elsewhere_is_explained_not_opened(qtbot, db, actor, clinic,
                                                           monkeypatch):
    from app.services.visits import delete_visit
    from app.ui.visit.form import VisitDialog

    last = visit_on(db, clinic, LAST)
    with db.write() as session:
        delete_visit(session, last.id, reason="entered twice", actor=actor)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *a, **k: warnings.append(text))
    dialog = VisitDialog(db=db, actor=actor, patient_id=clinic, visit_id=last.id, today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.exec() == QDialog.DialogCode.Rejected.value
    assert warnings == ["The visit no longer exists. Reload the patient."]
