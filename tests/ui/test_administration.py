"""Administration in the window, driven through the real widgets: the admin adds a nurse who
then signs in, resets a password, changes a role, switches an account off; the settings
window changes the clinic name (the report shows it), the idle minutes (the lock follows at
once) and a reference range entered in another unit; only the admin has usersAction and
settingsAction."""
from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from app.models import AuditEntry
from app.services.report_jobs import render_report
from app.services.settings import load_settings
from app.services.users import LOGIN_FAILED, role_of
from app.ui.admin.settings import SettingsDialog
from app.ui.admin.users import UsersDialog
from app.ui.security.login import LoginDialog
from tests.ui.safety_support import PASSWORDS, add_accounts, close_window, open_window

WAIT = 20_000


@pytest.fixture
def clinic(golden_db):
    add_accounts(golden_db)
    return golden_db


@pytest.fixture
def admin_window(qtbot, clinic):
    window = open_window(qtbot, clinic, "admin.eva")
    yield window
    close_window(window)


def action(window, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def open_users(qtbot, window) -> UsersDialog:
    dialog = UsersDialog(runner=window.runner, actor=window.actor, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 4, timeout=WAIT)
    return dialog


def status_says(qtbot, dialog: UsersDialog, text: str) -> None:
    qtbot.waitUntil(lambda: text in dialog.status.text(), timeout=WAIT)


def log_in(qtbot, db, name: str, password: str) -> LoginDialog:
    dialog = LoginDialog(db, username=name)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled() or dialog.actor is not None,
                    timeout=WAIT)
    return dialog


@pytest.mark.parametrize("username", ["nurse.ana", "dr.bo", "staff.di"])
def test_users_and_settings_are_for_the_admin_only(qtbot, clinic, username):
    window = open_window(qtbot, clinic, username)
    for name in ("usersAction", "settingsAction"):
        act = action(window, name)
        assert not act.isEnabled()
        assert f"Your role ({window.actor.role}) may not" in act.toolTip()
        assert act in window.menu_clinic.actions()
    close_window(window)


def test_a_clinic_without_accounts_has_no_users_or_settings_window(qtbot, golden_db):
    window = open_window(qtbot, golden_db, "os.user")  # the trusted local user
    assert window.actor.role == "local" and window.new_visit_button.toolTip()
    for name in ("usersAction", "settingsAction"):
        assert not action(window, name).isEnabled()
        assert "administrator" in action(window, name).toolTip()
    close_window(window)


def test_the_admin_has_users_and_settings_but_records_nothing(admin_window):
    assert action(admin_window, "usersAction").isEnabled()
    assert action(admin_window, "settingsAction").isEnabled()
    for control in (admin_window.new_patient_button, admin_window.action_new_patient):
        assert not control.isEnabled()
        assert "may not register patients" in control.toolTip()


def test_admin_adds_a_nurse_who_then_signs_in(qtbot, admin_window, clinic):
    dialog = open_users(qtbot, admin_window)
    qtbot.keyClicks(dialog.new_name, "nurse.cy")
    dialog.new_role.setCurrentIndex(dialog.new_role.findData("nurse"))
    qtbot.keyClicks(dialog.new_password, "cy's password 12")
    qtbot.keyClicks(dialog.new_repeat, "cy's password 1")  # a typo
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "The two passwords differ."
    qtbot.keyClicks(dialog.new_password, "short")
    qtbot.keyClicks(dialog.new_repeat, "short")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    status_says(qtbot, dialog, "at least 12 characters")
    assert dialog.new_name.text() == "nurse.cy"  # what was typed is kept
    qtbot.keyClicks(dialog.new_password, "cy's password 12")
    qtbot.keyClicks(dialog.new_repeat, "cy's password 12")
    qtbot.keyClick(dialog.new_repeat, Qt.Key.Key_Return)  # Enter adds, as the button does
    status_says(qtbot, dialog, "nurse.cy was added as Nurse")
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 5, timeout=WAIT)
    assert dialog.selected_name() == "nurse.cy"
    signed = log_in(qtbot, clinic, "nurse.cy", "cy's password 12")
    assert (signed.actor.username, signed.actor.role) == ("nurse.cy", "nurse")
    with clinic.read() as session:
        created = session.scalars(select(AuditEntry).where(
            AuditEntry.table_name == "app_user", AuditEntry.action == "create",
            AuditEntry.field == "username", AuditEntry.new == "nurse.cy")).all()
        assert [row.username for row in created] == ["admin.eva"]  # audited, with who


def test_admin_resets_a_password_changes_a_role_and_disables_an_account(qtbot, admin_window,
                                                                        clinic):
    dialog = open_users(qtbot, admin_window)
    dialog.select("nurse.ana")
    qtbot.keyClicks(dialog.reset_password, "a fresh password 1")
    qtbot.keyClicks(dialog.reset_repeat, "a fresh password 1")
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    status_says(qtbot, dialog, "password of nurse.ana was reset")
    assert log_in(qtbot, clinic, "nurse.ana", "a fresh password 1").actor is not None
    dialog.select("staff.di")
    dialog.role_select.setCurrentIndex(dialog.role_select.findData("doctor"))
    qtbot.mouseClick(dialog.change_role_button, Qt.MouseButton.LeftButton)
    status_says(qtbot, dialog, "staff.di is now Doctor")
    dialog.select("dr.bo")
    assert dialog.active_button.text() == "Disable account"
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    status_says(qtbot, dialog, "dr.bo can no longer sign in")
    refused = log_in(qtbot, clinic, "dr.bo", PASSWORDS["dr.bo"])
    assert refused.actor is None and refused.error_label.text() == LOGIN_FAILED
    with clinic.read() as session:
        assert role_of(session, "staff.di") == "doctor" and role_of(session, "dr.bo") is None
    # The last active administrator cannot lose the role: the window says why.
    dialog.select("admin.eva")
    assert not dialog.active_button.isEnabled()  # not one's own account
    dialog.role_select.setCurrentIndex(dialog.role_select.findData("nurse"))
    qtbot.mouseClick(dialog.change_role_button, Qt.MouseButton.LeftButton)
    status_says(qtbot, dialog, "last active administrator")
    with clinic.read() as session:
        assert role_of(session, "admin.eva") == "admin"


def open_settings(qtbot, window) -> SettingsDialog:
    dialog = SettingsDialog(runner=window.runner, actor=window.actor, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT)
    return dialog


def report_text(db, actor) -> str:
    from pypdf import PdfReader

    with db.read() as session:
        patient_id = session.execute(select(AuditEntry.patient_id).where(
            AuditEntry.patient_id.is_not(None)).limit(1)).scalar()
    pdf = render_report(db, patient_id, audience="clinician", actor=actor)
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_settings_take_effect_at_once_and_the_report_shows_the_clinic(qtbot, clinic):
    nurse_window = open_window(qtbot, clinic, "nurse.ana")  # another window, same clinic
    window = open_window(qtbot, clinic, "admin.eva")
    dialog = open_settings(qtbot, window)
    assert dialog.clinic_name.text() == "DFU Monitor clinic"
    # no folder chosen: the placeholder names where backups go, and that it is temporary
    assert str(clinic.path.parent / "backups") in dialog.backup_folder.placeholderText()
    assert "temporary" in dialog.backup_folder.placeholderText()  # the test's tmp_path
    dialog.clinic_name.clear()
    qtbot.keyClicks(dialog.clinic_name, "Riverside Foot Clinic")
    qtbot.keyClicks(dialog.clinic_address, "12 Quay Street, Lisbon")
    dialog.idle_minutes.setValue(7)
    dialog.backups_to_keep.setValue(3)
    crp_row = [dialog.ranges.item(r, 0).text() for r in range(dialog.ranges.rowCount())
               ].index("CRP")
    dialog.range_units["crp_mg_l"].setCurrentIndex(1)  # mg/dL: the stored 0–10 mg/L shows 0–1
    assert dialog.ranges.item(crp_row, 2).text() == "1"
    dialog.ranges.item(crp_row, 2).setText("0,8")  # 0.8 mg/dL = 8 mg/L
    with qtbot.waitSignal(dialog.finished, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted.value
    # The same window's idle lock and backup on close follow without a restart.
    qtbot.waitUntil(lambda: window.idle_lock.minutes == 7, timeout=WAIT)
    qtbot.waitUntil(lambda: window.backup_actions.keep == 3, timeout=WAIT)
    with clinic.read() as session:
        settings = load_settings(session)
        changes = session.scalars(select(AuditEntry.field).where(
            AuditEntry.username == "admin.eva",
            AuditEntry.table_name.in_(("setting", "reference_range")))).all()
    assert settings.clinic_name == "Riverside Foot Clinic"
    assert settings.reference_ranges["crp_mg_l"].high == pytest.approx(8.0)
    assert {"value", "high"} <= set(changes)  # every change audited, with who
    assert "Riverside Foot Clinic" in report_text(clinic, nurse_window.actor)
    close_window(window)
    close_window(nurse_window)


def test_a_bad_setting_is_refused_on_the_window_and_nothing_is_saved(qtbot, admin_window,
                                                                      clinic, tmp_path):
    dialog = open_settings(qtbot, admin_window)
    dialog.clinic_name.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "clinic name is required" in dialog.error.text(), timeout=WAIT)
    qtbot.keyClicks(dialog.clinic_name, "Riverside")
    qtbot.keyClicks(dialog.clinic_logo, str(tmp_path / "missing.png"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "existing PNG or JPEG" in dialog.error.text()
    dialog.clinic_logo.clear()
    dialog.ranges.item(0, 1).setText("abc")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "is not a number" in dialog.error.text() and dialog.isVisible()
    with clinic.read() as session:
        assert load_settings(session).clinic_name == "DFU Monitor clinic"
