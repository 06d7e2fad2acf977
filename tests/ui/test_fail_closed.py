"""Fail closed (docs/reliability.md "People"): accounts that cannot be read refuse the sign-in
with a message and never give a fallback role; a read-only database gives no write or admin
permission, the controls saying why; the log-in box pre-fills the last clinic user of this PC
(never the operating-system login) and shows its error whole."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy.exc import OperationalError

from app.db import Database
from app.services import sign_in
from app.services.users import LOGIN_FAILED, SignInRefused, window_actor
from app.ui.security import login
from app.ui.security.last_user import last_user
from tests.ui.safety_support import PASSWORDS, add_accounts, close_window

WAIT = 20_000


def answer_modal(qtbot, act) -> None:
    """When the next modal dialog or box opens, act in it as the user would."""
    def poll():
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(10, poll)
            return
        act(widget)
    QTimer.singleShot(0, poll)


def broken_read(*_args, **_kwargs):
    raise OperationalError("SELECT app_user", {}, Exception("disk I/O error"))


def test_accounts_that_cannot_be_read_refuse_the_sign_in_with_a_message(qtbot, db,
                                                                       monkeypatch):
    add_accounts(db)
    monkeypatch.setattr(login, "needs_first_admin", broken_read)
    said: list[str] = []

    def read_and_close(box):
        said.append(box.objectName() + ": " + box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    answer_modal(qtbot, read_and_close)
    assert login.sign_in(db, username="nurse.ana") is None  # no fallback role
    assert said and said[0].startswith("signInRefused: The user accounts could not be read")


def test_the_window_refuses_an_account_read_error_instead_of_a_local_role(db, monkeypatch):
    add_accounts(db)
    monkeypatch.setattr(sign_in, "role_of", broken_read)  # what window_actor reads with
    with pytest.raises(SignInRefused, match="could not be read"):
        window_actor(db, "nurse.ana")


def test_a_read_only_database_gives_no_write_or_admin_permission(qtbot, db):
    from app.ui.main_window import create_main_window

    add_accounts(db)
    url = db.url
    for name in ("nurse.ana", "admin.eva"):
        reader = Database.open(url, read_only=True)
        window = create_main_window(url, name, database=reader)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.patients_loaded, timeout=WAIT):
            window.show()
        assert window.actor.read_only and window.actor.can("read")
        controls = [window.new_patient_button, window.action_new_patient,
                    window.findChild(QAction, "usersAction"),
                    window.findChild(QAction, "settingsAction"),
                    window.backup_actions.action_backup, window.backup_actions.action_restore]
        for control in controls:
            assert not control.isEnabled()
            assert "read-only" in control.toolTip() or "may not" in control.toolTip()
        assert "read-only" in window.new_patient_button.toolTip() or name == "admin.eva"
        close_window(window)


def test_the_log_in_box_pre_fills_the_last_clinic_user_not_the_os_login(qtbot, db):
    add_accounts(db)
    seen: list[str] = []

    def log_in_as(name):
        def act(dialog):
            seen.append(dialog.username_edit.text())
            dialog.username_edit.setText(name)
            qtbot.keyClicks(dialog.password_edit, PASSWORDS[name])
            qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
        return act

    assert last_user(db.url) == ""
    answer_modal(qtbot, log_in_as("dr.bo"))
    assert login.sign_in(db, username="").username == "dr.bo"
    answer_modal(qtbot, log_in_as("dr.bo"))
    assert login.sign_in(db, username="root").username == "dr.bo"
    assert seen == ["", "dr.bo"]  # the last clinic user, not "root"
    assert last_user(db.url) == "dr.bo" and last_user("sqlite:///elsewhere.db") == ""


def test_a_wrong_password_message_is_shown_whole_in_the_log_in_box(qtbot, db):
    add_accounts(db)
    dialog = login.LoginDialog(db, username="nurse.ana")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password_edit, "a wrong password")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error_label.text() == LOGIN_FAILED, timeout=WAIT)
    label = dialog.error_label
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    assert label.geometry().bottom() < dialog.ok_button.parentWidget().geometry().top()


def test_an_older_read_only_database_without_accounts_opens_for_reading_only(qtbot, db):
    """A file from before the accounts existed, that cannot be upgraded (read-only): the local
    user may read and print it, nothing else; a writable one is refused no fallback."""
    from sqlalchemy import text

    with db.engine.begin() as connection:  # stands for a schema before the accounts table
        connection.execute(text("DROP TABLE app_user"))
    reader = Database.open(db.url, read_only=True, migrate=False)
    try:
        actor = login.sign_in(reader, username="os.user")
        assert (actor.role, actor.read_only) == ("local", True)
        assert actor.can("print") and not actor.can("record") and not actor.can("users")
        assert "read-only" in actor.why_not("register")
    finally:
        reader.dispose()
