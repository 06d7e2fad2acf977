"""First start on a PC: connect to the clinic server (app.ui.security.server_connect). The
connection is tested off the GUI thread and remembered without its password, which appears
in no file, log line, message or window title."""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton

from app.db import Database
from app.services.server_connection import (
    ServerConnection,
    connection_file,
    load_connection,
    save_connection,
)
from app.ui.security import server_connect
from app.ui.security.server_connect import ServerConnectDialog
from tests.ui.safety_support import add_accounts, close_window, open_window

SECRET = "Secret-pw-4242"


def _fill(dialog: ServerConnectDialog, conn: ServerConnection, password: str) -> None:
    dialog.host_edit.setText(conn.host)
    dialog.port_spin.setValue(conn.port)
    dialog.database_edit.setText(conn.database)
    dialog.user_edit.setText(conn.user)
    dialog.password_edit.setText(password)
    dialog.tls_combo.setCurrentIndex(dialog.tls_combo.findData(conn.tls))


def test_connecting_remembers_the_server_but_never_the_password(qtbot, pg_url, caplog):
    caplog.set_level(logging.DEBUG)
    db = Database.open(pg_url)
    add_accounts(db)
    db.dispose()
    conn = ServerConnection.from_url(pg_url)
    dialog = ServerConnectDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, conn, SECRET)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.url is not None, timeout=10_000)
    assert dialog.result() == dialog.DialogCode.Accepted.value
    written = connection_file().read_text(encoding="utf-8")
    assert SECRET not in written and conn.database in written
    assert load_connection() == conn
    window = open_window(qtbot, dialog.url, "nurse.ana")  # the password in memory only
    assert SECRET not in window.windowTitle()
    window.select_patient  # noqa: B018 (the window is usable)
    close_window(window)
    assert all(SECRET not in record.getMessage() for record in caplog.records)
    for path in connection_file().parent.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


def test_an_unreachable_server_is_said_in_the_box_and_nothing_is_remembered(qtbot, tmp_path):
    dialog = ServerConnectDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, ServerConnection(host=str(tmp_path), database="clinic", user="nurse",
                                   tls="disable"), SECRET)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.connect_button.isEnabled(), timeout=15_000)
    text = dialog.error_label.text()
    assert text.startswith("The clinic server cannot be reached") and SECRET not in text
    assert dialog.url is None and not connection_file().exists()
    assert dialog.password_edit.text() == ""


def test_a_missing_part_is_said_before_any_connection(qtbot):
    dialog = ServerConnectDialog()
    qtbot.addWidget(dialog)
    dialog.user_edit.setText("nurse")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert "host" in dialog.error_label.text()
    assert dialog.connect_button.isEnabled()


def test_later_starts_use_the_remembered_server(monkeypatch):
    remembered = ServerConnection(host="db.clinic.lan", database="clinic", user="front_desk")
    save_connection(remembered)
    asked: list[ServerConnection | None] = []

    def fake_connect(conn=None):
        asked.append(conn)
        return conn.url("typed at start")

    monkeypatch.setattr(server_connect, "connect_to_server", fake_connect)
    go_on, url = server_connect.choose_clinic_at_start(local_exists=True)
    assert go_on and asked == [remembered]
    assert ServerConnection.from_url(url) == remembered


def test_an_existing_local_clinic_opens_without_a_question(monkeypatch):
    monkeypatch.setattr(server_connect, "ClinicChoiceDialog", None)  # never built
    assert server_connect.choose_clinic_at_start(local_exists=True) == (True, None)


def test_the_first_start_choice_box_offers_both(qtbot):
    dialog = server_connect.ClinicChoiceDialog()
    qtbot.addWidget(dialog)
    assert dialog.local_button.text() == "Create a clinic on this PC"
    qtbot.mouseClick(dialog.server_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == server_connect.SERVER


def test_run_gui_asks_on_a_pc_without_a_clinic_and_quits_when_told(qtbot, monkeypatch):
    from app.ui import app as start
    from app.ui import crash

    asked: list[bool] = []
    monkeypatch.setattr(crash, "install_crash_handler", lambda: None)
    monkeypatch.setattr(server_connect, "choose_clinic_at_start",
                        lambda local_exists: asked.append(local_exists) or (False, None))
    assert start.run_gui(db=None, demo=False) == 0
    assert asked == [False]  # no clinic.db in the (test) user data folder


def test_run_gui_with_a_db_argument_never_asks(qtbot, monkeypatch, tmp_path):
    from app.ui import app as start
    from app.ui import crash
    from app.ui.security import login

    monkeypatch.setattr(crash, "install_crash_handler", lambda: None)
    monkeypatch.setattr(server_connect, "choose_clinic_at_start",
                        lambda local_exists: (_ for _ in ()).throw(AssertionError("asked")))
    monkeypatch.setattr(login, "sign_in_at_start", lambda url, **k: None)  # cancelled
    assert start.run_gui(db=str(tmp_path / "clinic.db"), demo=False) == 0


def test_forgetting_the_remembered_server_asks_the_first_question_again(qtbot, monkeypatch):
    remembered = ServerConnection(host="old-server", database="clinic", user="nurse")
    save_connection(remembered)
    dialog = ServerConnectDialog(remembered)
    qtbot.addWidget(dialog)
    assert dialog.password_edit.hasFocus() or dialog.password_edit.text() == ""
    assert dialog.host_edit.text() == "old-server"
    qtbot.mouseClick(dialog.findChild(QPushButton, "forgetServerButton"),
                     Qt.MouseButton.LeftButton)
    assert dialog.forgotten and load_connection() is None

    asked: list[str] = []

    class Choice:
        choice = server_connect.LOCAL

        def __init__(self):
            asked.append("choice")

        def exec(self):
            return QDialog.DialogCode.Accepted.value

    save_connection(remembered)
    monkeypatch.setattr(server_connect, "connect_to_server",
                        lambda conn=None: server_connect.FORGOTTEN)
    monkeypatch.setattr(server_connect, "ClinicChoiceDialog", Choice)
    assert server_connect.choose_clinic_at_start(local_exists=False) == (True, None)
    assert asked == ["choice"]
