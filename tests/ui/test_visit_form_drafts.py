"""Drafts of the visit form: kept as the nurse types, offered again, removed when done."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QMessageBox

from app.services.drafts import drafts_directory, read_draft
from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    Answers,
    clinic,
    db,
    history,
    make_patient,
    open_form,
    press,
    tab,
    tab_to,
    template,
    type_text,
)

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def type_a_visit(qtbot):
    tab(qtbot)
    type_text(qtbot, "6.5")                        # vasPain
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "2.8")
    tab(qtbot)
    type_text(qtbot, "1.9")
    tab_to(qtbot, "lab_crp_mg_l")
    type_text(qtbot, "1.2")
    tab(qtbot)
    type_text(qtbot, "mg/d")


def text_of(dialog, name):
    return dialog.findChild(QLineEdit, name).text()


def test_draft_is_written_while_typing_without_closing_the_form(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    assert not dialog.draft_path.exists()
    with qtbot.waitSignal(dialog.draft_saved, timeout=5000):
        type_a_visit(qtbot)
        assert dialog.draft_timer.isActive()       # debounced, not written per keystroke
        assert dialog.draft_timer.interval() == 300
    draft = read_draft(dialog.draft_path)
    assert draft.patient_id == clinic and draft.visit_id is None
    assert draft.fields["visit:vas"] == "6.5"
    assert draft.fields["ulcer:L-heel:length_cm"] == "2.8"
    assert draft.fields["lab:crp_mg_l:unit"] == "mg/dL"
    assert dialog.draft_path.parent == drafts_directory()  # the user data directory


def test_draft_survives_closing_without_saving_and_is_restored(qtbot, db, actor, clinic,
                                                               monkeypatch):
    answers = Answers(QMessageBox.StandardButton.Close)
    monkeypatch.setattr(QMessageBox, "question", answers)
    dialog = open_form(qtbot, db, actor, clinic)
    type_a_visit(qtbot)
    press(qtbot, Qt.Key.Key_Escape)                # "Close" keeps the draft
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    assert dialog.draft_path.exists()
    assert len(history(db, clinic).visits) == 2    # nothing saved

    answers.answers.append(YES)                    # "Restore it?"
    again = open_form(qtbot, db, actor, clinic)
    assert "draft" in answers.asked[-1]
    assert text_of(again, "vasPain") == "6.5"
    assert text_of(again, "lengthCm") == "2.8" and text_of(again, "widthCm") == "1.9"
    assert again.findChild(QLineEdit, "lab_crp_mg_l").text() == "1.2"
    assert again.findChild(QComboBox, "unit_crp_mg_l").currentText() == "mg/dL"
    assert again.findChild(QLabel, "canonical_crp_mg_l").text() == "= 12.0 mg/L · H"
    assert again.is_dirty()

    press(qtbot, Qt.Key.Key_Return)                # saving removes the draft
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=10_000)
    assert again.result() == QDialog.DialogCode.Accepted
    assert not again.draft_path.exists()
    visit = history(db, clinic).visits[-1]
    assert visit.vas == 6.5 and visit.labs["crp_mg_l"].value == 12.0


def test_draft_survives_a_crash(qtbot, db, actor, clinic, monkeypatch):
    """The form vanishes without closing (power cut): the debounced draft is on disk."""
    dialog = open_form(qtbot, db, actor, clinic)
    with qtbot.waitSignal(dialog.draft_saved, timeout=5000):
        type_a_visit(qtbot)
    path = dialog.draft_path
    dialog.draft_timer.stop()
    dialog.done(QDialog.DialogCode.Rejected)       # gone, without the closing question
    assert json.loads(path.read_text(encoding="utf-8"))["fields"]["visit:vas"] == "6.5"

    monkeypatch.setattr(QMessageBox, "question", Answers(YES))
    again = open_form(qtbot, db, actor, clinic)
    assert text_of(again, "lengthCm") == "2.8"


def test_declining_the_draft_discards_it(qtbot, db, actor, clinic, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", Answers(QMessageBox.StandardButton.Close, NO))
    first = open_form(qtbot, db, actor, clinic)
    type_a_visit(qtbot)
    press(qtbot, Qt.Key.Key_Escape)
    assert not first.isVisible() and first.draft_path.exists()
    again = open_form(qtbot, db, actor, clinic)
    assert text_of(again, "lengthCm") == "" and text_of(again, "vasPain") == ""
    assert not again.draft_path.exists()


def test_explicit_discard_removes_the_draft(qtbot, db, actor, clinic, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", Answers(QMessageBox.StandardButton.Discard))
    dialog = open_form(qtbot, db, actor, clinic)
    with qtbot.waitSignal(dialog.draft_saved, timeout=5000):
        type_a_visit(qtbot)
    assert dialog.draft_path.exists()
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.draft_path.exists()
    monkeypatch.setattr(QMessageBox, "question", Answers())  # no draft: nothing to offer
    open_form(qtbot, db, actor, clinic)


def test_drafts_belong_to_one_patient(qtbot, db, actor, clinic, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", Answers(QMessageBox.StandardButton.Close))
    dialog = open_form(qtbot, db, actor, clinic)
    type_a_visit(qtbot)
    press(qtbot, Qt.Key.Key_Escape)
    other = make_patient(db, actor, mrn="T-2", name="Other Patient")
    other_form = open_form(qtbot, db, actor, other)  # no question: that draft is not hers
    assert text_of(other_form, "vasPain") == ""
    assert dialog.draft_path.exists()


def test_edit_draft_warns_when_the_visit_changed_since(qtbot, db, actor, clinic, monkeypatch):
    from app.services.actor import Actor
    from app.services.visit_input import AssessmentInput, VisitInput
    from app.services.visits import save_visit
    from tests.ui.visit_form_support import LAST, TODAY

    last = history(db, clinic).visits[-1]
    answers = Answers(QMessageBox.StandardButton.Close)
    monkeypatch.setattr(QMessageBox, "question", answers)
    dialog = open_form(qtbot, db, actor, clinic, visit_id=last.id)
    tab_to(qtbot, "lengthCm")
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "3.3")
    press(qtbot, Qt.Key.Key_Escape)
    assert read_draft(dialog.draft_path).base_version == last.version
    with db.write() as session:
        save_visit(session, VisitInput(patient_id=clinic, visit_date=LAST, vas=1.0,
                                       visit_id=last.id, expected_version=last.version,
                                       assessments=(AssessmentInput("L-heel", 3.5, 2.5),)),
                   actor=Actor("nurse.other", "nurse"), today=TODAY)

    answers.answers.append(YES)
    again = open_form(qtbot, db, actor, clinic, visit_id=last.id)
    assert "changed by nurse.other" in answers.asked[-1]
    assert text_of(again, "lengthCm") == "3.3"
    assert text_of(again, "vasPain") == "5"        # the draft's own value, to be checked


def test_a_draft_keeps_a_new_ulcer_site_and_its_open_section(qtbot, db, actor, clinic,
                                                             monkeypatch):
    from PySide6.QtWidgets import QWidget

    answers = Answers(QMessageBox.StandardButton.Close, YES)
    monkeypatch.setattr(QMessageBox, "question", answers)
    first = open_form(qtbot, db, actor, clinic)
    qtbot.mouseClick(first.findChild(QWidget, "addUlcerButton"), Qt.MouseButton.LeftButton)
    type_text(qtbot, "R-toe")
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "1.1")
    press(qtbot, Qt.Key.Key_Escape)                # "Close" keeps the draft
    draft = read_draft(first.draft_path)
    assert draft.fields["new:ulcer_site"] == "R-toe" and draft.fields["ui:new_ulcer"] is True

    again = open_form(qtbot, db, actor, clinic)     # "Restore it?" Yes
    new = again.findChild(QWidget, "ulcer_R-toe")  # named after its site once typed
    # "Add ulcer site" stays for one more new ulcer.
    assert not new.isHidden() and not again.findChild(QWidget, "addUlcerButton").isHidden()
    assert new.findChild(QLineEdit, "newUlcerSite").text() == "R-toe"
    assert new.findChild(QLineEdit, "lengthCm").text() == "1.1"
    heel = again.findChild(QWidget, "ulcer_L-heel")
    assert heel.findChild(QLineEdit, "lengthCm").text() == ""
