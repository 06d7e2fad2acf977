"""The window says where the automatic backups go when that is a temporary folder (a
database tried out in /tmp): the backups there may vanish, so the administrator is told to
choose a backup folder in Clinic ▸ Settings."""
from __future__ import annotations

from pathlib import Path

from app.db import Database
from app.ui.security.backup import backup_folder_notice, is_temporary_folder
from tests.ui.safety_support import add_accounts, close_window, open_window


def test_temporary_folders_are_recognised():
    assert is_temporary_folder(Path("/tmp/newclinic/backups"))
    assert is_temporary_folder(Path("/var/tmp"))
    assert not is_temporary_folder(Path("/srv/clinic/backups"))
    assert not is_temporary_folder(Path("/tmpfiles/clinic"))  # a prefix is not a parent


def test_the_notice_names_the_folder_and_the_setting():
    said = backup_folder_notice(Path("/tmp/newclinic/clinic.db"), None)
    assert said is not None
    assert "/tmp/newclinic/backups" in said and "Clinic ▸ Settings" in said
    assert backup_folder_notice(Path("/tmp/newclinic/clinic.db"),
                                Path("/srv/clinic/backups")) is None
    assert backup_folder_notice(Path("/srv/clinic/clinic.db"), None) is None
    assert backup_folder_notice(None, None) is None  # a server


def _window(qtbot, tmp_path, username):
    db = Database.open(f"sqlite:///{tmp_path / 'clinic.db'}", create=True)
    add_accounts(db)
    window = open_window(qtbot, db, username)
    qtbot.waitUntil(lambda: window.backup_actions.notice is not None, timeout=20_000)
    return db, window


def test_the_administrator_is_told_when_the_window_opens(qtbot, tmp_path):
    db, window = _window(qtbot, tmp_path, "admin.eva")
    try:
        bar = window.statusBar()
        message = bar.currentMessage()
        assert str(tmp_path / "backups") in message and "Settings" in message
        assert bar.toolTip() == window.backup_actions.notice  # whole, even when the bar is narrow
        both = f"Signed in as admin.eva — {window.backup_actions.notice}"
        if bar.fontMetrics().horizontalAdvance(both) < bar.width() - 24:
            assert "Signed in as admin.eva" in message  # kept, the notice comes after it
        else:  # both would be cut off at the bar's end: the backup warning alone
            assert message == window.backup_actions.notice
    finally:
        close_window(window)
        db.dispose()


def test_a_narrow_window_shows_the_whole_notice_not_two_cut_messages(qtbot, tmp_path):
    db, window = _window(qtbot, tmp_path, "admin.eva")
    try:
        window.resize(700, 600)
        window.statusBar().showMessage("Signed in as admin.eva")
        window.backup_actions.show_notice()
        assert window.statusBar().currentMessage() == window.backup_actions.notice
        window.resize(4000, 600)
        window.statusBar().showMessage("Signed in as admin.eva")
        window.backup_actions.show_notice()
        assert window.statusBar().currentMessage().startswith("Signed in as admin.eva — ")
    finally:
        close_window(window)
        db.dispose()


def test_a_nurse_who_cannot_change_the_settings_is_not_told(qtbot, tmp_path):
    db, window = _window(qtbot, tmp_path, "nurse.ana")
    try:
        assert "Settings" not in window.statusBar().currentMessage()
    finally:
        close_window(window)
        db.dispose()
