"""An empty "Add ulcer site" section is not unsaved work: Esc closes the form without asking
as long as nothing was typed in it or elsewhere (docs/product.md, "Visit form")."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QDialog, QGroupBox, QMessageBox, QWidget

from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    Answers,
    clinic,
    db,
    focused,
    make_patient,
    open_form,
    press,
    tab,
    template,
    type_text,
)

ESC = Qt.Key.Key_Escape
CLICK = Qt.MouseButton.LeftButton


def click_add(qtbot, dialog) -> QGroupBox:
    """Click "Add ulcer site"; the new section it shows (the focus is in its site)."""
    qtbot.mouseClick(dialog.findChild(QWidget, "addUlcerButton"), CLICK)
    assert focused().objectName() == "newUlcerSite"
    return next(s for s in dialog.view.new_sections() if s.isAncestorOf(focused()))


def click_remove(qtbot, box: QGroupBox) -> None:
    qtbot.mouseClick(box.findChild(QWidget, "removeUlcerButton"), CLICK)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def no_questions(monkeypatch) -> Answers:
    answers = Answers()  # any question fails the test
    monkeypatch.setattr(QMessageBox, "question", answers)
    return answers


def assert_closed(dialog) -> None:
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.draft_path.exists()


def test_esc_after_add_ulcer_site_closes_without_asking(qtbot, db, actor, clinic,
                                                        monkeypatch):
    dialog = open_form(qtbot, db, actor, clinic)
    no_questions(monkeypatch)
    box = click_add(qtbot, dialog)
    assert not box.isHidden()
    press(qtbot, ESC)
    assert_closed(dialog)


def test_esc_after_two_empty_new_sections_closes_without_asking(qtbot, db, actor, clinic,
                                                                monkeypatch):
    dialog = open_form(qtbot, db, actor, clinic)
    no_questions(monkeypatch)
    click_add(qtbot, dialog)
    second = click_add(qtbot, dialog)
    assert second.title() == "New ulcer site 2"
    qtbot.wait(400)  # past the draft's delay: an empty section writes no draft either
    press(qtbot, ESC)
    assert_closed(dialog)


def test_first_visit_add_one_more_empty_section_then_esc(qtbot, db, actor, monkeypatch):
    """A patient's first visit opens with a new section; one more, left empty, is no change."""
    pid = make_patient(db, actor, mrn="T-9", name="First Visit")
    dialog = open_form(qtbot, db, actor, pid)
    no_questions(monkeypatch)
    assert len([s for s in dialog.view.new_sections() if not s.isHidden()]) == 1
    click_add(qtbot, dialog)
    press(qtbot, ESC)
    assert_closed(dialog)


def test_add_then_remove_then_esc_closes_without_asking(qtbot, db, actor, clinic,
                                                        monkeypatch):
    dialog = open_form(qtbot, db, actor, clinic)
    no_questions(monkeypatch)
    click_remove(qtbot, click_add(qtbot, dialog))
    click_add(qtbot, dialog)
    click_remove(qtbot, click_add(qtbot, dialog))           # the second of two
    assert focused().objectName() == "addUlcerButton"
    press(qtbot, ESC)
    assert_closed(dialog)


def test_a_site_typed_in_the_added_section_is_asked_about(qtbot, db, actor, clinic,
                                                          monkeypatch):
    dialog = open_form(qtbot, db, actor, clinic)
    answers = Answers(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(QMessageBox, "question", answers)
    click_add(qtbot, dialog)
    type_text(qtbot, "R-heel")
    press(qtbot, ESC)
    assert len(answers.asked) == 1 and "not saved" in answers.asked[0]
    assert dialog.isVisible() and focused().text() == "R-heel"   # Cancel: back, kept


def test_a_site_typed_in_a_second_added_section_is_asked_about(qtbot, db, actor, clinic,
                                                               monkeypatch):
    dialog = open_form(qtbot, db, actor, clinic)
    answers = Answers(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(QMessageBox, "question", answers)
    click_add(qtbot, dialog)
    click_add(qtbot, dialog)
    type_text(qtbot, "L-dorsum")
    press(qtbot, ESC)
    assert len(answers.asked) == 1 and "not saved" in answers.asked[0]
    assert dialog.isVisible()


def test_an_empty_section_beside_a_change_elsewhere_is_asked_about(qtbot, db, actor, clinic,
                                                                   monkeypatch):
    dialog = open_form(qtbot, db, actor, clinic)
    answers = Answers(QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QMessageBox, "question", answers)
    dialog.visit_date.setFocus()
    tab(qtbot)                                              # the pain score
    assert focused().objectName() == "vasPain"
    type_text(qtbot, "4")
    click_add(qtbot, dialog)
    click_add(qtbot, dialog)
    press(qtbot, ESC)
    assert len(answers.asked) == 1 and "not saved" in answers.asked[0]
    assert_closed(dialog)


def test_state_a_blank_new_ulcer_is_no_change_but_a_typed_one_is():
    """app.ui.visit.state on its own: only new sections marked blank are left out."""
    from app.ui.visit.state import UlcerEntry, VisitFormState

    heel = UlcerEntry("L-heel", values={"length_cm": ""})
    opened = VisitFormState(patient_id=1, visit={"vas": ""}, ulcers=(heel,))

    def with_new(site: str, *, blank: bool, number: int = 2) -> VisitFormState:
        new = UlcerEntry(site, is_new=True, is_open=False, new_number=number, blank=blank,
                         values={"ulcer_site": site, "method": "ruler"})
        return VisitFormState(patient_id=1, visit={"vas": ""}, ulcers=(heel, new))

    assert not with_new("", blank=True).differs_from(opened)
    assert not opened.differs_from(with_new("", blank=True))
    assert with_new("R-heel", blank=False).differs_from(opened)
    assert with_new("", blank=False).differs_from(opened)  # e.g. another method chosen
    assert "new2:method" in with_new("", blank=True).fields()  # a draft still keeps it
