"""What `run_gui` does before the window: the passphrase of an encrypted database, the restore
offered for a damaged one, the refusal of a network share, then the wizard or the log-in."""
from __future__ import annotations

import importlib.util

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.db import Database
from app.services.actor import Actor
from app.ui.security import login
from tests.db.helpers import file_digest, flip_bytes
from tests.ui.safety_support import PASSWORDS, add_accounts

needs_sqlcipher = pytest.mark.skipif(importlib.util.find_spec("sqlcipher3") is None,
                                     reason="the crypto extra (sqlcipher3) is not installed")
KEY = "the clinic passphrase 1"


def answer_modal(qtbot, fill) -> None:
    """When the next modal dialog opens, act in it as the user would."""
    def act():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, act)
            return
        fill(dialog)
    QTimer.singleShot(0, act)


@needs_sqlcipher
def test_encrypted_database_asks_for_the_passphrase_until_it_is_right(tmp_path, monkeypatch):
    path = tmp_path / "secret.db"
    Database.open(f"sqlite:///{path}", passphrase=KEY).dispose()
    before = file_digest(path)
    asked = []
    answers = iter(["a wrong passphrase", KEY])

    def ask(parent, shown_path, *, wrong):
        asked.append(wrong)
        return next(answers)

    monkeypatch.setattr(login, "ask_passphrase", ask)
    db = login.open_database(f"sqlite:///{path}")
    assert asked == [False, True]  # the second question says the first answer was wrong
    assert db is not None and db.passphrase == KEY and not db.read_only
    db.dispose()
    assert file_digest(path) == before


@needs_sqlcipher
def test_cancelling_the_passphrase_opens_nothing_and_creates_nothing(tmp_path, monkeypatch):
    path = tmp_path / "secret.db"
    Database.open(f"sqlite:///{path}", passphrase=KEY).dispose()
    before = file_digest(path)
    monkeypatch.setattr(login, "ask_passphrase", lambda *a, **k: None)
    assert login.open_database(f"sqlite:///{path}") is None
    assert file_digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "secret.db"]


def test_a_damaged_database_is_said_plainly_and_a_restore_offered(tmp_path, golden_db,
                                                                  monkeypatch):
    damaged = golden_db.backup_to(tmp_path / "damaged.db")
    flip_bytes(damaged, offset=4096 * 40)
    offered = []
    monkeypatch.setattr(login, "offer_restore",
                        lambda parent, url, problem, db=None: offered.append(problem) or False)
    seen = []

    def sign_in(db, username=""):  # the check runs while the log-in dialog waits
        seen.append((db.writes_held or db.damaged, list(offered)))
        return Actor("nurse.test", "nurse")

    monkeypatch.setattr(login, "sign_in", sign_in)
    db = login.sign_in_at_start(f"sqlite:///{damaged}").db
    assert seen == [(True, [])]  # the log-in came first, no write before the verdict
    assert offered and "integrity check" in offered[0]
    assert db.read_only and db.damaged  # the user chose to look at it read-only
    db.dispose()


def test_a_file_that_is_not_a_database_offers_a_restore_or_quits(tmp_path, monkeypatch):
    junk = tmp_path / "clinic.db"
    junk.write_text("this is a spreadsheet\n" * 100)
    offered = []
    monkeypatch.setattr(login, "offer_restore",
                        lambda parent, url, problem, db=None: offered.append(problem) or False)
    assert login.open_database(f"sqlite:///{junk}") is None
    assert "not an SQLite database" in offered[0]


def test_a_network_share_is_refused_with_the_explanation(tmp_path, monkeypatch):
    from app import db_files

    said = []
    monkeypatch.setattr(db_files, "network_filesystem", lambda path: "cifs")
    monkeypatch.setattr(login.QMessageBox, "critical",
                        lambda parent, title, text: said.append(text))
    assert login.open_database(f"sqlite:///{tmp_path / 'clinic.db'}") is None
    assert "PostgreSQL" in said[0] and not (tmp_path / "clinic.db").exists()


def test_first_run_then_log_in_as_the_user_would(qtbot, db):
    def create_admin(dialog):
        assert dialog.objectName() == "firstRunDialog"
        qtbot.keyClicks(dialog.password_edit, "admin password 12")
        qtbot.keyClicks(dialog.repeat_edit, "admin password 12")
        qtbot.keyClick(dialog.repeat_edit, Qt.Key.Key_Return)

        def skip_step_two():  # the first nurse or doctor can be added later
            if dialog.admin is None:
                QTimer.singleShot(10, skip_step_two)
                return
            qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
        skip_step_two()

    answer_modal(qtbot, create_admin)
    actor = login.sign_in(db, username="eva.admin")
    assert (actor.username, actor.role) == ("eva.admin", "admin")

    def log_in(dialog):
        assert dialog.objectName() == "loginDialog"
        qtbot.keyClicks(dialog.password_edit, "admin password 12")
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    answer_modal(qtbot, log_in)
    assert login.sign_in(db, username="eva.admin").role == "admin"


def test_cancelling_the_log_in_gives_no_actor(qtbot, db):
    add_accounts(db)
    answer_modal(qtbot, lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    assert login.sign_in(db, username="nurse.ana") is None


def test_sign_in_at_start_returns_the_account(qtbot, db):
    add_accounts(db)
    url = db.url
    db.dispose()

    def log_in(dialog):
        qtbot.keyClicks(dialog.password_edit, PASSWORDS["nurse.ana"])
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    answer_modal(qtbot, log_in)
    signed = login.sign_in_at_start(url, username="nurse.ana")
    assert (signed.actor.username, signed.actor.role, signed.passphrase) == (
        "nurse.ana", "nurse", None)
    # The checked database is handed to the window, so the start-up check runs once.
    assert signed.db is not None and signed.db.url == url and not signed.db.read_only
    signed.db.dispose()
