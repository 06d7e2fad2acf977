"""First start on a PC: create a clinic here, or connect to the clinic's PostgreSQL server.

`choose_clinic_at_start()` is what `run_gui` asks when no `--db` / $DFU_MONITOR_DB is given:
- a server remembered on this PC (app.services.server_connection): its connection box,
  pre-filled, asks the database password and connects;
- else, when no local clinic file exists yet: "Create a clinic on this PC" or "Connect to a
  clinic server" (host, port, database, user, password, TLS mode, CA file).
The connection is tested on a worker thread (the box keeps painting), then remembered without
the password: the password lives in the returned URL in memory only, never in a file, a log,
a message or a window title (docs/reliability.md, "People").
"""
from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services.server_connection import (
    DEFAULT_PORT,
    TLS_MODES,
    ConnectionSettingsError,
    ServerConnection,
    forget_connection,
    load_connection,
    save_connection,
)
from app.ui.dbops import DatabaseRunner
from app.ui.security.login import ERROR_STYLE, error_label, password_field

log = logging.getLogger("dfu_monitor.ui")
LOCAL, SERVER = "local", "server"
FORGOTTEN = "forgotten"  # not a URL: the remembered server was forgotten


def check_server(url: str) -> str:
    """Connect to the server at `url` and read its schema version (no migration, nothing
    written); ServerUnavailable / DatabaseError in the user's words when it cannot."""
    from app.db import Database

    database = Database.open(url, create=False, migrate=False)
    try:
        return database.current_revision() or ""
    finally:
        database.dispose()


class ClinicChoiceDialog(QDialog):
    """The first question on a new PC: a clinic here, or the clinic's server."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("clinicChoiceDialog")
        self.setWindowTitle(self.tr("DFU Monitor — first start on this PC"))
        self.choice: str | None = None
        text = QLabel(self.tr(
            "No clinic is set up on this PC yet.\n\nOne PC only: create the clinic's database "
            "on this PC. Several workstations: connect to the clinic's PostgreSQL server "
            "(your administrator gives you its address, database and user)."))
        text.setWordWrap(True)
        self.local_button = QPushButton(self.tr("Create a clinic on this PC"))
        self.local_button.setObjectName("createLocalButton")
        self.server_button = QPushButton(self.tr("Connect to a clinic server…"))
        self.server_button.setObjectName("connectServerButton")
        self.local_button.clicked.connect(lambda: self._choose(LOCAL))
        self.server_button.clicked.connect(lambda: self._choose(SERVER))
        cancel = QPushButton(self.tr("Quit"))
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.local_button, self.server_button, cancel):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(row)
        self.setMinimumWidth(520)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class ServerConnectDialog(QDialog):
    """The clinic server's address and the database user; Connect tests it off the GUI
    thread, remembers it (no password) and keeps the URL with the password in memory."""

    def __init__(self, remembered: ServerConnection | None = None, *,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("serverConnectDialog")
        self.setWindowTitle(self.tr("DFU Monitor — connect to the clinic server"))
        self.url: str | None = None  # with the password: memory only
        self.connection: ServerConnection | None = None
        self.runner = DatabaseRunner(None, self)
        self._build(remembered)
        (self.password_edit if remembered else self.host_edit).setFocus()

    def _build(self, remembered: ServerConnection | None) -> None:
        self.host_edit = self._line("hostEdit", remembered.host if remembered else "")
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("portSpin")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(remembered.port if remembered else DEFAULT_PORT)
        self.database_edit = self._line("databaseEdit",
                                        remembered.database if remembered else "dfu_clinic")
        self.user_edit = self._line("serverUserEdit", remembered.user if remembered else "")
        self.password_edit = password_field("serverPasswordEdit")
        self.tls_combo = QComboBox()
        self.tls_combo.setObjectName("tlsCombo")
        for mode in TLS_MODES:
            self.tls_combo.addItem(mode, mode)
        self.tls_combo.setCurrentIndex(TLS_MODES.index(remembered.tls if remembered
                                                       else "prefer"))
        self.ca_edit = self._line("caFileEdit", remembered.ca_file if remembered else "")
        self.ca_edit.setPlaceholderText(self.tr("optional: the server's CA certificate"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("Server (host name or address)"), self.host_edit)
        form.addRow(self.tr("Port"), self.port_spin)
        form.addRow(self.tr("Database"), self.database_edit)
        form.addRow(self.tr("Database user"), self.user_edit)
        form.addRow(self.tr("Password (asked at each start, never saved)"), self.password_edit)
        form.addRow(self.tr("TLS"), self.tls_combo)
        form.addRow(self.tr("CA file"), ca_row)
        self.error_label = error_label("serverErrorLabel")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText(self.tr("Connect"))
        self.connect_button.setObjectName("serverConnectButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.forgotten = False
        if remembered is not None:  # this PC's choice can be undone here
            forget = self.buttons.addButton(self.tr("Forget this server…"),
                                            QDialogButtonBox.ButtonRole.ResetRole)
            forget.setObjectName("forgetServerButton")
            forget.clicked.connect(self._forget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    @staticmethod
    def _line(name: str, text: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName(name)
        edit.setMaxLength(255)
        return edit

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, self.tr("The server's CA certificate"),
                                                "", self.tr("Certificates (*.pem *.crt);;"
                                                            "All files (*)"))
        if chosen:
            self.ca_edit.setText(chosen)

    def typed_connection(self) -> ServerConnection:
        return ServerConnection(
            host=self.host_edit.text().strip(), database=self.database_edit.text().strip(),
            user=self.user_edit.text().strip(), port=self.port_spin.value(),
            tls=self.tls_combo.currentData(), ca_file=self.ca_edit.text().strip())

    def submit(self) -> None:
        try:
            connection = self.typed_connection()
        except ConnectionSettingsError as exc:
            self.show_error(str(exc).capitalize() + ".")
            return
        url = connection.url(self.password_edit.text())
        self.connect_button.setEnabled(False)
        self.error_label.setStyleSheet("color: palette(placeholder-text);")
        self.error_label.setText(self.tr("Connecting to {0}…").format(connection.describe()))
        self.runner.call("server-check", lambda: check_server(url),
                         lambda _revision: self._connected(connection, url),
                         on_error=self._failed, parent=self)

    def _connected(self, connection: ServerConnection, url: str) -> None:
        save_connection(connection)  # no password: it is not part of a ServerConnection
        self.connection, self.url = connection, url
        log.info("connected to the clinic server %s", connection.describe())
        self.accept()

    def _failed(self, error: Exception) -> None:
        from app.ui.dbops import user_message

        self.show_error(user_message(error))

    def show_error(self, text: str) -> None:
        self.connect_button.setEnabled(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setText(text)
        self.password_edit.clear()
        self.adjustSize()

    def _forget(self) -> None:
        """Forget the remembered server: the first-start question is asked again."""
        forget_connection()
        self.forgotten = True
        self.reject()

    def reject(self) -> None:
        self.runner.wait()
        super().reject()


def connect_to_server(remembered: ServerConnection | None = None) -> str | None:
    """The server connection box; the URL (password in memory only), None on Cancel, or
    FORGOTTEN when the remembered server was forgotten."""
    dialog = ServerConnectDialog(remembered)
    if dialog.exec() != QDialog.DialogCode.Accepted.value:
        return FORGOTTEN if dialog.forgotten else None
    return dialog.url


def choose_clinic_at_start(local_exists: bool) -> tuple[bool, str | None]:
    """(go on, server URL or None for the local clinic) before the sign-in at start."""
    remembered = load_connection()
    if remembered is not None:
        url = connect_to_server(remembered)
        if url != FORGOTTEN:
            return url is not None, url
    if local_exists:
        return True, None
    choice = ClinicChoiceDialog()
    if choice.exec() != QDialog.DialogCode.Accepted.value:
        return False, None
    if choice.choice == LOCAL:
        return True, None
    url = connect_to_server()
    return url is not None, url
