"""File ▸ Back up… and Restore from backup… as an administrator uses them, the automatic
backup when the window closes, and what a damaged or read-only database looks like."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.db import Database
from app.services.actor import Actor
from app.services.backup import automatic_backups
from app.services.patients import PatientInput, create_patient
from tests.db.helpers import content_hashes, flip_bytes, golden_copy
from tests.ui.safety_support import add_accounts, close_window, open_window


@pytest.fixture
def golden_db(tmp_path_factory, tmp_path):
    """The golden clinic, copied from a session template (faster than conftest's import)."""
    db = golden_copy(tmp_path_factory, tmp_path / "clinic.db")
    yield db
    db.dispose()


@pytest.fixture
def admin_window(qtbot, golden_db):
    add_accounts(golden_db)
    window = open_window(qtbot, golden_db, "admin.eva")
    yield window
    close_window(window)


@pytest.fixture
def messages(monkeypatch):
    """What the message boxes said (they are answered like a user: Yes to the question)."""
    said: list[tuple[str, str]] = []

    def record(kind, answer=None):
        def box(_parent, _title, text, *args, **kwargs):
            said.append((kind, text))
            return answer
        return box

    monkeypatch.setattr(QMessageBox, "information", record("information"))
    monkeypatch.setattr(QMessageBox, "warning", record("warning"))
    monkeypatch.setattr(QMessageBox, "question",
                        record("question", QMessageBox.StandardButton.Yes))
    return said


def test_backup_from_the_file_menu(qtbot, admin_window, tmp_path, monkeypatch):
    target = tmp_path / "friday.db"
    monkeypatch.setattr("app.ui.security.backup.choose_backup_target", lambda parent, url: target)
    action = admin_window.backup_actions.action_backup
    assert action in admin_window.menu_file.actions() and action.isEnabled()
    action.trigger()
    qtbot.waitUntil(lambda: admin_window.backup_actions.last_backup == target, timeout=20_000)
    assert str(target) in admin_window.statusBar().currentMessage()
    copy = Database.open(f"sqlite:///{target}", create=False, migrate=False, read_only=True)
    assert content_hashes(copy, skip=("audit_log",)) == content_hashes(admin_window.db,
                                                            skip=("audit_log",))
    copy.dispose()


def test_restore_from_the_file_menu_replaces_the_records_and_reloads(
        qtbot, admin_window, tmp_path, monkeypatch, messages):
    db = admin_window.db
    backup = db.backup_to(tmp_path / "before.db")
    before = content_hashes(db, skip=("audit_log",))
    with db.write() as session:
        create_patient(session, PatientInput(mrn="LATE-1", name="Added Later"),
                       actor=Actor("nurse.ana", "nurse"))
    monkeypatch.setattr("app.ui.security.backup.choose_backup_file", lambda parent, url: backup)
    with qtbot.waitSignal(admin_window.patients_loaded, timeout=20_000):
        admin_window.backup_actions.action_restore.trigger()
    assert [kind for kind, _ in messages] == ["question", "information"]
    assert "kept at" in messages[-1][1]
    assert content_hashes(db, skip=("audit_log",)) == before
    assert admin_window.patient_model.rowCount() == 8  # LATE-1 is gone from the list too


def test_junk_restore_is_refused_in_words_and_changes_nothing(qtbot, admin_window, tmp_path,
                                                              monkeypatch, messages):
    junk = tmp_path / "holiday-photos.db"
    junk.write_bytes(b"\x89PNG" + b"\x00" * 5000)
    before = content_hashes(admin_window.db)
    monkeypatch.setattr("app.ui.security.backup.choose_backup_file", lambda parent, url: junk)
    admin_window.backup_actions.action_restore.trigger()  # checked on the database worker
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=20_000)
    assert messages[-1][0] == "warning"
    assert "not restored, the current data is untouched" in messages[-1][1]
    assert content_hashes(admin_window.db) == before


def test_closing_the_window_makes_the_automatic_backup(qtbot, golden_db):
    window = open_window(qtbot, golden_db, "nurse.test")
    assert automatic_backups(golden_db) == []
    close_window(window)
    backups = automatic_backups(golden_db)
    assert len(backups) == 1 and window.backup_actions.last_backup == backups[0]


def test_a_nurse_cannot_back_up_or_restore(qtbot, golden_db):
    add_accounts(golden_db)
    window = open_window(qtbot, golden_db, "nurse.ana")
    assert not window.backup_actions.action_backup.isEnabled()
    assert not window.backup_actions.action_restore.isEnabled()
    close_window(window)


def test_a_damaged_database_opens_read_only_and_says_so(qtbot, golden_db, tmp_path):
    from app.ui.patients.new_patient import NewPatientDialog

    damaged = golden_db.backup_to(tmp_path / "damaged.db")
    flip_bytes(damaged, offset=4096 * 40)
    window = open_window(qtbot, f"sqlite:///{damaged}", "nurse.test")
    # the start-up check runs beside the list's load after the first paint: its verdict may
    # come after the list (writes are held until it does)
    qtbot.waitUntil(lambda: window.read_only_notice is not None
                    and "integrity check" in window.read_only_notice.text(), timeout=20_000)
    assert window.db.read_only and window.db.damaged
    assert "integrity check" in window.read_only_notice.text()
    assert "(read-only)" in window.windowTitle()
    dialog = NewPatientDialog(db=window.db, actor=window.actor, today=window.today,
                              parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.mrn, "RO-1")
    qtbot.keyClicks(dialog.name, "Typed Anyway")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "read-only" in dialog.general_error.text()
    assert dialog.name.text() == "Typed Anyway"  # what was typed is kept
    close_window(window)
    assert automatic_backups(window.db) == []  # a damaged file is not copied over backups


def test_disk_full_while_saving_says_so_and_keeps_what_was_typed(qtbot, golden_db):
    from sqlalchemy import event

    from app.ui.patients.new_patient import NewPatientDialog

    window = open_window(qtbot, golden_db, "nurse.test")
    window.runner.wait()
    before = content_hashes(window.db)
    with window.db.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    window.db.engine.dispose()

    @event.listens_for(window.db.engine, "connect")
    def _full(dbapi_connection, _record):  # SQLite's own way to fake a full disk
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    dialog = NewPatientDialog(db=window.db, actor=window.actor, today=window.today,
                              parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.mrn, "FULL-1")
    qtbot.keyClicks(dialog.name, "Typed Before The Disk Filled")
    qtbot.keyClicks(dialog.notes, "wound photos reviewed " * 80)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "disk" in dialog.general_error.text() and "full" in dialog.general_error.text()
    assert dialog.isVisible() and dialog.mrn.text() == "FULL-1"
    assert dialog.notes.toPlainText().startswith("wound photos reviewed")
    event.remove(window.db.engine, "connect", _full)
    window.db.engine.dispose()
    assert content_hashes(window.db) == before  # nothing half-saved
    close_window(window)
