"""The idle lock with a fake clock: the records are hidden after the idle minutes of the
settings, activity postpones it, and only the user's password opens the window again."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.services.actor import Actor
from app.services.settings import update_setting
from app.services.users import LOGIN_FAILED
from app.ui.security.idle_lock import install_idle_lock
from tests.ui.safety_support import PASSWORDS, add_accounts, close_window, open_window


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def locked_window(qtbot, db):
    """A nurse's window whose idle lock runs on a fake clock."""
    add_accounts(db)
    window = open_window(qtbot, db, "nurse.ana")
    window.idle_lock.stop()  # replaced by one on a fake clock
    clock = FakeClock()
    lock = install_idle_lock(window, clock=clock)
    yield window, lock, clock
    close_window(window)


def test_default_is_15_idle_minutes_and_activity_postpones_the_lock(qtbot, locked_window):
    window, lock, clock = locked_window
    assert lock.minutes == 15
    clock.advance(14)
    lock.check()
    assert not lock.is_locked
    qtbot.keyClicks(window.patient_search, "H")  # the nurse is still there
    clock.advance(14)
    lock.timer.timeout.emit()
    assert not lock.is_locked and window.centralWidget().isVisible()
    clock.advance(1)
    lock.timer.timeout.emit()
    assert lock.is_locked
    assert not window.centralWidget().isVisible()  # no patient data on the screen
    assert lock.dialog.isVisible() and not window.menuBar().isEnabled()


def test_only_the_password_unlocks_and_escape_does_not(qtbot, locked_window):
    window, lock, clock = locked_window
    clock.advance(15)
    lock.check()
    dialog = lock.dialog
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert lock.is_locked and dialog.isVisible()
    qtbot.keyClicks(dialog.password_edit, "not my password")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.text() == LOGIN_FAILED, timeout=20_000)
    assert lock.is_locked and dialog.password_edit.text() == ""
    qtbot.keyClicks(dialog.password_edit, PASSWORDS["nurse.ana"])
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not lock.is_locked, timeout=20_000)
    assert window.centralWidget().isVisible() and window.menuBar().isEnabled()
    clock.advance(10)
    lock.check()
    assert not lock.is_locked  # the idle time starts again at the unlock


def test_idle_minutes_come_from_the_clinic_settings(qtbot, db):
    add_accounts(db)
    with db.write() as session:
        update_setting(session, "idle_lock_minutes", 5, actor=Actor("admin.eva", "admin"))
    window = open_window(qtbot, db, "dr.bo")
    window.idle_lock.stop()
    clock = FakeClock()
    lock = install_idle_lock(window, clock=clock)
    qtbot.waitUntil(lambda: lock.minutes == 5, timeout=20_000)
    clock.advance(5)
    lock.check()
    assert lock.is_locked
    assert "dr.bo" in lock.dialog.message.text()
    qtbot.keyClicks(lock.dialog.password_edit, PASSWORDS["dr.bo"])
    qtbot.keyClick(lock.dialog.password_edit, Qt.Key.Key_Return)
    close_window(window)


def test_a_user_without_an_account_has_no_lock(qtbot, db):
    window = open_window(qtbot, db, "os.user")
    assert window.idle_lock is None and window.actor.role == "local"
    close_window(window)


def test_an_open_dialog_is_hidden_too_and_keeps_what_was_typed(qtbot, locked_window):
    from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

    window, lock, clock = locked_window
    form = QDialog(window)  # stands for a visit form in the middle of an entry
    note = QLineEdit(form)
    QVBoxLayout(form).addWidget(note)
    form.show()
    qtbot.keyClicks(note, "granulating well")
    clock.advance(15)
    lock.check()
    assert form.isVisible() and not note.isVisible()  # the dialog stays open, its data hidden
    qtbot.keyClicks(lock.dialog.password_edit, PASSWORDS["nurse.ana"])
    qtbot.keyClick(lock.dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: note.isVisible(), timeout=20_000)
    assert note.text() == "granulating well"
    form.close()


def test_switch_user_on_the_lock_changes_the_actor_and_keeps_the_previous_draft(
        qtbot, locked_window):
    from PySide6.QtWidgets import QDialog

    window, lock, clock = locked_window
    form = QDialog(window)  # a form of the nurse, with a draft keeper like the visit form's

    class Drafts:
        written = 0

        def write_now(self) -> None:
            Drafts.written += 1

    form.drafts = Drafts()
    form.show()
    clock.advance(15)
    lock.check()
    dialog = lock.dialog
    assert not dialog.username_edit.isVisible()  # the same user: the password only
    qtbot.mouseClick(dialog.switch_button, Qt.MouseButton.LeftButton)
    assert dialog.username_edit.isVisible() and "Switch user" in dialog.message.text()
    qtbot.keyClicks(dialog.username_edit, "dr.bo")
    qtbot.keyClicks(dialog.password_edit, "not his password 1")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error_label.text() == LOGIN_FAILED, timeout=20_000)
    assert window.actor.username == "nurse.ana" and lock.is_locked
    with qtbot.waitSignal(lock.switched, timeout=20_000) as switched:
        qtbot.keyClicks(dialog.password_edit, PASSWORDS["dr.bo"])
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert switched.args[0].username == "dr.bo"
    assert (window.actor.username, window.actor.role) == ("dr.bo", "doctor")
    assert not lock.is_locked and lock.username == "dr.bo"
    assert "dr.bo" in window.windowTitle()
    assert Drafts.written == 1 and not form.isVisible()  # closed, its draft kept on disk
    clock.advance(15)
    lock.check()  # the next lock asks the new user
    assert "dr.bo" in lock.dialog.message.text()


def test_a_wrong_password_message_is_shown_whole_on_the_lock(qtbot, locked_window):
    window, lock, clock = locked_window
    clock.advance(15)
    lock.check()
    dialog = lock.dialog
    qtbot.keyClicks(dialog.password_edit, "not my password")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error_label.text() == LOGIN_FAILED, timeout=20_000)
    label = dialog.error_label
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    assert label.wordWrap() and label.width() <= dialog.width()
