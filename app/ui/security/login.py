"""Signing in: the passphrase of an encrypted database, the first-run wizard that creates the
administrator, and the log-in dialog that `run_gui` shows before the window.

Passwords are handed to app.services.users and dropped; they are never logged or kept.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QMessageBox, QVBoxLayout, QWidget)

from app.db import (Database, DatabaseError, NetworkFileSystem, PassphraseNeeded,
                    WrongPassphrase)
from app.services.actor import Actor
from app.services.errors import UserError
from app.services.users import (MIN_PASSWORD_LENGTH, authenticate, create_first_admin,
                                needs_first_admin, role_of)

log = logging.getLogger("dfu_monitor.ui")


def actor_for(db: Database, username: str) -> Actor:
    """The Actor of an authenticated user, with the role their account has; an OS user
    without an account (tests, a clinic before its first account) is the local user."""
    try:
        with db.read() as session:
            role = role_of(session, username)
    except Exception:  # a database at an older schema, read-only: no accounts to read
        role = None
    return Actor(username, role or "local")


def _password_field(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(1024)
    return edit


class _CredentialsDialog(QDialog):
    """A name, one or two password fields, an error line and OK/Cancel."""

    def __init__(self, *, title: str, intro: str, username: str, confirm: bool,
                 ok_text: str, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setModal(True)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.username_edit = QLineEdit(username)
        self.username_edit.setObjectName("usernameEdit")
        self.username_edit.setMaxLength(64)
        self.password_edit = _password_field("passwordEdit")
        self.repeat_edit = _password_field("repeatEdit") if confirm else None
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username_edit)
        form.addRow(self.tr("Password"), self.password_edit)
        if self.repeat_edit is not None:
            form.addRow(self.tr("Password again"), self.repeat_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        (self.password_edit if username else self.username_edit).setFocus()
        self.resize(420, self.sizeHint().height())

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.password_edit.clear()
        if self.repeat_edit is not None:
            self.repeat_edit.clear()
        self.password_edit.setFocus()

    def submit(self) -> None:  # overridden
        raise NotImplementedError


class FirstRunDialog(_CredentialsDialog):
    """First run: no account exists, so the administrator account is created here."""

    def __init__(self, db: Database, *, username: str = "", parent: QWidget | None = None):
        super().__init__(
            title=self.tr("DFU Monitor — first run"),
            intro=self.tr("Welcome. Create the administrator account of this clinic. The "
                          "administrator adds the other users (nurses, doctors, staff). The "
                          "password needs at least {0} characters.").format(
                MIN_PASSWORD_LENGTH),
            username=username, confirm=True, ok_text=self.tr("Create administrator"),
            object_name="firstRunDialog", parent=parent)
        self.db = db
        self.actor: Actor | None = None

    def submit(self) -> None:
        name, password = self.username_edit.text().strip(), self.password_edit.text()
        if password != self.repeat_edit.text():
            self.show_error(self.tr("The two passwords differ."))
            return
        try:
            with self.db.write() as session:
                create_first_admin(session, name, password)
        except (UserError, DatabaseError) as exc:
            self.show_error(str(exc))
            return
        self.actor = Actor(name, "admin")
        self.accept()


class LoginDialog(_CredentialsDialog):
    """User name and password; every failure shows the same message."""

    def __init__(self, db: Database, *, username: str = "", parent: QWidget | None = None):
        super().__init__(title=self.tr("DFU Monitor — log in"),
                         intro=self.tr("Log in to the clinic's records."), username=username,
                         confirm=False, ok_text=self.tr("Log in"), object_name="loginDialog",
                         parent=parent)
        self.db = db
        self.actor: Actor | None = None

    def submit(self) -> None:
        try:
            self.actor = authenticate(self.db, self.username_edit.text(),
                                      self.password_edit.text())
        except (UserError, DatabaseError) as exc:
            self.show_error(str(exc))
            return
        self.accept()


def ask_passphrase(parent: QWidget | None, path: str, *, wrong: bool) -> str | None:
    """The passphrase of an encrypted database, or None when the user cancels."""
    dialog = QDialog(parent)
    dialog.setObjectName("passphraseDialog")
    dialog.setWindowTitle(dialog.tr("DFU Monitor — encrypted database"))
    text = dialog.tr("The database {0} is encrypted. Enter its passphrase.").format(path)
    if wrong:
        text = dialog.tr("That passphrase does not open the database; nothing was changed. "
                         "Try again.") + "\n\n" + text
    label = QLabel(text)
    label.setWordWrap(True)
    edit = _password_field("passphraseEdit")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    for widget in (label, edit, buttons):
        layout.addWidget(widget)
    edit.setFocus()
    if dialog.exec() != QDialog.DialogCode.Accepted.value:
        return None
    return edit.text()


@dataclass
class SignedIn:
    """Who logged in, to which database (the passphrase stays in memory only)."""

    actor: Actor
    passphrase: str | None = field(default=None, repr=False)
    db: Database | None = field(default=None, repr=False)  # opened and checked, for the window


def open_database(url: str, parent: QWidget | None = None) -> Database | None:
    """Open the clinic database for the window: passphrase asked when encrypted, the start-up
    check run, and a restore offered when the file fails it. None when the user gives up."""
    passphrase: str | None = None
    wrong = False
    while True:
        try:
            db = Database.open(url, create=True, check=True, passphrase=passphrase)
            break
        except (PassphraseNeeded, WrongPassphrase) as exc:
            wrong = isinstance(exc, WrongPassphrase)
            passphrase = ask_passphrase(parent, url.removeprefix("sqlite:///"), wrong=wrong)
            if passphrase is None:
                return None
        except NetworkFileSystem as exc:
            QMessageBox.critical(parent, QCoreApplication.translate("Login", "DFU Monitor"),
                                 str(exc))
            return None
        except DatabaseError as exc:
            if not offer_restore(parent, url, str(exc)):
                return None
    if db.damaged and offer_restore(parent, url, db.problem or "", db=db):
        db.reopen()
    return db


def offer_restore(parent: QWidget | None, url: str, problem: str,
                  db: Database | None = None) -> bool:
    """Say plainly what is wrong and offer to restore a backup; True when one was restored."""
    box = QMessageBox(parent)
    box.setObjectName("restoreOffer")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(box.tr("DFU Monitor — database problem"))
    box.setText(problem)
    box.setInformativeText(box.tr("Restore a backup now? The current file is kept beside the "
                                  "backups."))
    restore = box.addButton(box.tr("Restore a backup…"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(box.tr("Open read-only") if db is not None else box.tr("Quit"),
                  QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    from app.ui.security.backup import choose_backup_file, restore_with_messages

    source = choose_backup_file(parent, url)
    if source is None:
        return False
    if db is not None:
        db.dispose()
    return restore_with_messages(parent, url, source, actor=Actor("restore at start", "local"),
                                 passphrase=db.passphrase if db is not None else None)


def sign_in(db: Database, *, username: str, parent: QWidget | None = None) -> Actor | None:
    """First-run wizard when there is no account yet, then the log-in dialog."""
    try:
        with db.read() as session:
            first_run = needs_first_admin(session)
    except Exception:  # an older schema opened read-only: accounts cannot be read
        log.warning("accounts unavailable; opening for the local user", exc_info=True)
        return Actor(username, "local")
    if first_run:
        if db.read_only:
            return Actor(username, "local")  # nothing can be created in a read-only file
        wizard = FirstRunDialog(db, username=username, parent=parent)
        if wizard.exec() != QDialog.DialogCode.Accepted.value:
            return None
        return wizard.actor
    dialog = LoginDialog(db, username=username, parent=parent)
    dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
    if dialog.exec() != QDialog.DialogCode.Accepted.value:
        return None
    return dialog.actor



def sign_in_at_start(url: str, *, username: str) -> SignedIn | None:
    """What `run_gui` does before the window: open and check the database, then the first-run
    wizard or the log-in dialog. None when the user cancels."""
    db = open_database(url)
    if db is None:
        return None
    try:
        actor = sign_in(db, username=username)
    except BaseException:
        db.dispose()
        raise
    if actor is None:
        db.dispose()
        return None
    return SignedIn(actor, db.passphrase, db)  # the window reuses it: one start-up check
