"""Signing in as a user would: the first-run wizard, the log-in dialog with its one message and
lockout, the window's role from the account, and a staff account refused at the service."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from app.models import Patient, User
from app.services.users import LOGIN_FAILED, MAX_FAILURES, SignInRefused, role_of
from app.ui.security.login import FirstRunDialog, LoginDialog
from tests.ui.safety_support import PASSWORDS, add_accounts, close_window, open_window


def type_into(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_first_run_wizard_creates_the_administrator(qtbot, db):
    wizard = FirstRunDialog(db, username="eva")
    qtbot.addWidget(wizard)
    wizard.show()
    type_into(qtbot, wizard.username_edit, "admin.eva")
    qtbot.keyClicks(wizard.password_edit, "admin password 12")
    qtbot.keyClicks(wizard.repeat_edit, "admin password 13")
    qtbot.mouseClick(wizard.ok_button, Qt.MouseButton.LeftButton)
    assert wizard.error_label.text() == "The two passwords differ."
    assert wizard.password_edit.text() == "" and wizard.isVisible()
    qtbot.keyClicks(wizard.password_edit, "short")
    qtbot.keyClicks(wizard.repeat_edit, "short")
    qtbot.mouseClick(wizard.ok_button, Qt.MouseButton.LeftButton)
    assert "at least 12 characters" in wizard.error_label.text()
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
    qtbot.keyClicks(wizard.password_edit, "admin password 12")
    qtbot.keyClicks(wizard.repeat_edit, "admin password 12")
    qtbot.keyClick(wizard.repeat_edit, Qt.Key.Key_Return)
    # The wizard goes on to the first nurse or doctor (the administrator may not record).
    qtbot.waitUntil(lambda: wizard.admin is not None, timeout=20_000)
    assert wizard.actor.role == "admin" and wizard.isVisible()
    assert wizard.role_combo.isVisible() and "Step 2 of 2" in wizard.intro.text()
    # Tab follows the rows as shown: user name, role, password (not role last).
    assert _next_on_tab(wizard.username_edit) is wizard.role_combo
    assert "DFU Monitor" not in wizard.windowTitle()  # the system appends the app's name
    assert _next_on_tab(wizard.role_combo) is wizard.password_edit
    with db.read() as session:
        assert role_of(session, "admin.eva") == "admin"
    qtbot.keyClicks(wizard.username_edit, "nurse.ana")
    wizard.role_combo.setCurrentIndex(wizard.role_combo.findData("nurse"))
    qtbot.keyClicks(wizard.password_edit, "nurse password 12")
    qtbot.keyClicks(wizard.repeat_edit, "nurse password 12")
    qtbot.mouseClick(wizard.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.result() == QDialog.DialogCode.Accepted.value,
                    timeout=20_000)
    assert wizard.actor.role == "admin" and wizard.clinician == "nurse.ana"
    with db.read() as session:
        assert role_of(session, "nurse.ana") == "nurse"


@pytest.fixture
def accounts_db(db):
    add_accounts(db)
    return db


def test_login_shows_one_message_for_any_failure_and_locks_after_repeated_ones(qtbot,
                                                                              accounts_db):
    dialog = LoginDialog(accounts_db, username="nurse.ana")
    qtbot.addWidget(dialog)
    dialog.show()
    messages = set()

    def answered() -> str:
        qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=20_000)
        return dialog.error_label.text()

    for attempt in range(MAX_FAILURES):
        qtbot.keyClicks(dialog.password_edit, f"wrong guess {attempt:03d}")
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
        messages.add(answered())
        assert dialog.password_edit.text() == ""  # the password never stays in the field
    type_into(qtbot, dialog.username_edit, "no.such.user")
    qtbot.keyClicks(dialog.password_edit, PASSWORDS["nurse.ana"])
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    messages.add(answered())
    type_into(qtbot, dialog.username_edit, "nurse.ana")  # locked: even the right password
    qtbot.keyClicks(dialog.password_edit, PASSWORDS["nurse.ana"])
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    messages.add(answered())
    assert messages == {LOGIN_FAILED}
    assert dialog.result() != QDialog.DialogCode.Accepted.value and dialog.actor is None


def test_login_with_the_right_password_gives_the_account_and_its_role(qtbot, accounts_db):
    dialog = LoginDialog(accounts_db, username="")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username_edit, "dr.bo")
    qtbot.keyClicks(dialog.password_edit, PASSWORDS["dr.bo"])
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted.value,
                    timeout=20_000)
    assert (dialog.actor.username, dialog.actor.role) == ("dr.bo", "doctor")


def test_the_window_takes_the_role_from_the_account(qtbot, accounts_db):
    for username, role in (("staff.di", "staff"), ("dr.bo", "doctor")):
        window = open_window(qtbot, accounts_db, username)
        assert window.actor.role == role
        close_window(window)


def test_a_name_without_an_account_gets_no_window_and_no_fallback_role(accounts_db):
    """Fail closed: a clinic with accounts never opens for a name without one."""
    from app.ui.main_window import create_main_window

    with pytest.raises(SignInRefused, match="no active account"):
        create_main_window(accounts_db.url, "someone.without.account")


def test_staff_registers_a_patient_but_sees_new_visit_disabled_with_the_reason(qtbot,
                                                                               accounts_db):
    from app.ui.patients.new_patient import NewPatientDialog

    window = open_window(qtbot, accounts_db, "staff.di")
    assert window.new_patient_button.isEnabled() and window.action_new_patient.isEnabled()
    assert not window.backup_actions.action_backup.isEnabled()  # backups are for admins
    assert "may not back up" in window.backup_actions.action_backup.toolTip()
    dialog = NewPatientDialog(runner=window.runner, actor=window.actor, today=window.today,
                              parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.mrn, "ST-001")
    qtbot.keyClicks(dialog.name, "Typed By Staff")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.created_patient_id is not None, timeout=20_000)
    with qtbot.waitSignal(window.chart_loaded, timeout=20_000):
        window.open_patient(dialog.created_patient_id)
    # A patient is open, yet staff may not record a visit: disabled, and the tooltip says why.
    for control in (window.new_visit_button, window.action_new_visit):
        assert not control.isEnabled()
        assert "Your role (staff) may not record clinical data" in control.toolTip()
    assert window.print_report_button.isEnabled()  # staff print
    with accounts_db.read() as session:
        assert session.scalar(select(Patient.name).where(Patient.mrn == "ST-001")) == \
            "Typed By Staff"
    close_window(window)


def _next_on_tab(widget):
    """The widget Tab moves to from `widget` (the focus chain, skipping what takes no Tab)."""
    following = widget.nextInFocusChain()
    while not (following.focusPolicy() & Qt.FocusPolicy.TabFocus and following.isVisible()):
        following = following.nextInFocusChain()
    return following
