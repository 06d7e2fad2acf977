"""Switch user on the lock screen of a shared PC, with a real visit form in the middle of an
entry: the nurse's form closes with its draft kept, the doctor takes over the window, and the
draft is offered back when the visit form opens again."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from app.services.drafts import read_draft
from app.ui.security.last_user import last_user
from tests.ui.safety_support import PASSWORDS, add_accounts, close_window, open_window
from tests.ui.visit_form_support import clinic, db, template  # noqa: F401 (fixtures)

WAIT = 20_000


def visit_form(qtbot, window, patient_id):
    from app.ui.visit.form import VisitDialog

    dialog = VisitDialog(runner=window.runner, actor=window.actor, patient_id=patient_id,
                         parent=window)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT)
    return dialog


def test_switch_user_keeps_the_nurses_draft_and_the_doctor_takes_over(qtbot, db, clinic,
                                                                     monkeypatch):
    add_accounts(db)
    window = open_window(qtbot, db, "nurse.ana")
    with qtbot.waitSignal(window.chart_loaded, timeout=WAIT):
        window.open_patient(clinic)
    form = visit_form(qtbot, window, clinic)
    vas = form.findChild(QLineEdit, "vasPain")
    qtbot.keyClicks(vas, "6.5")
    lock = window.idle_lock
    assert window.action_lock in window.menu_file.actions()  # File ▸ Lock / switch user
    window.action_lock.trigger()  # at once, not after the idle minutes
    assert lock.is_locked
    assert "idle minutes" not in lock.dialog.message.text()  # locked by hand, said so
    assert not vas.isVisible()  # the entry is hidden while locked
    dialog = lock.dialog
    qtbot.mouseClick(dialog.switch_button, Qt.MouseButton.LeftButton)
    assert dialog.unlock_button.text() == "Sign in"
    assert dialog.username_edit.height() >= dialog.username_edit.sizeHint().height()
    qtbot.keyClicks(dialog.username_edit, "dr.bo")
    with qtbot.waitSignal(lock.switched, timeout=WAIT):
        qtbot.keyClicks(dialog.password_edit, PASSWORDS["dr.bo"])
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert (window.actor.username, window.actor.role) == ("dr.bo", "doctor")
    assert window.windowTitle().endswith("— dr.bo") and "DFU Monitor" not in window.windowTitle()
    assert "DFU Monitor" not in dialog.windowTitle()  # the system appends the app's name
    assert last_user(db.url) == "dr.bo"  # the next log-in box on this PC suggests him
    assert not form.isVisible() and not lock.is_locked
    assert read_draft(form.draft_path).fields["visit:vas"] == "6.5"  # the nurse's draft kept
    assert window.new_visit_button.isEnabled()  # a doctor records
    photos = window.photos_tab  # built for the nurse: adds and outlines as the doctor now
    photos.target()
    assert photos.adder.actor.username == photos.actions.actor.username == "dr.bo"
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    again = visit_form(qtbot, window, clinic)  # "Restore the draft?" Yes
    assert again.findChild(QLineEdit, "vasPain").text() == "6.5"
    assert again.actor.username == "dr.bo"
    again.done(0)
    close_window(window)
