"""Signing in: the passphrase of an encrypted database, the first-run wizard that creates the
administrator and then the first nurse or doctor, and the log-in dialog that `run_gui` shows
before the window.

Fail closed (docs/reliability.md, "People"): an error while reading the accounts refuses the
sign-in with a message; there is no fallback role. Passwords are handed to
app.services.users on the database worker (argon2 never runs on the GUI thread) and dropped;
they are never logged or kept. The log-in box pre-fills the last clinic user of this PC.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.about import safe_location
from app.db import (
    Database,
    DatabaseError,
    NetworkFileSystem,
    PassphraseNeeded,
    WrongPassphrase,
)
from app.services.actor import Actor
from app.services.changes import Changes
from app.services.errors import UserError
from app.services.sign_in import ACCOUNTS, needs_first_admin, window_actor
from app.ui.dbops import DatabaseRunner
from app.ui.security.fields import ERROR_STYLE, error_label, password_field
from app.ui.security.last_user import last_user, remember_user
from app.ui.security.waiting import run_and_wait
from app.ui.widgets.first_paint import AfterFirstPaint

log = logging.getLogger("dfu_monitor.ui")


def sign_in_error(error: Exception) -> str:
    """What a failed sign-in says: the service's words, or the kind of a read error."""
    if isinstance(error, (UserError, DatabaseError)):
        return str(error)
    return QCoreApplication.translate(
        "Login", "The user accounts could not be read ({0}), so nobody can sign in. Ask the "
        "administrator to check or restore the database.").format(type(error).__name__)


class _CredentialsDialog(QDialog):
    """A name, one or two password fields, an error line and OK/Cancel; the check runs on a
    database worker of its own while the dialog keeps painting."""

    def __init__(self, db: Database, *, title: str, intro: str, username: str, confirm: bool,
                 ok_text: str, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.runner = DatabaseRunner(db, self)
        self.actor: Actor | None = None
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setModal(True)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.username_edit = QLineEdit(username)
        self.username_edit.setObjectName("usernameEdit")
        self.username_edit.setMaxLength(64)
        self.password_edit = password_field("passwordEdit")
        self.repeat_edit = password_field("repeatEdit") if confirm else None
        self.error_label = error_label("errorLabel")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self.form.addRow(self.tr("User name"), self.username_edit)
        self.form.addRow(self.tr("Password"), self.password_edit)
        if self.repeat_edit is not None:
            self.form.addRow(self.tr("Password again"), self.repeat_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        (self.password_edit if username else self.username_edit).setFocus()
        self.setMinimumWidth(460)

    def set_busy(self, busy: bool) -> None:
        self.ok_button.setEnabled(not busy)
        if busy:
            self.error_label.setText(self.tr("Checking…"))
            self.error_label.setStyleSheet("color: palette(placeholder-text);")

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setText(text)
        self.password_edit.clear()
        if self.repeat_edit is not None:
            self.repeat_edit.clear()
        self.password_edit.setFocus()
        self.adjustSize()

    def failed(self, error: Exception) -> None:
        self.show_error(sign_in_error(error))

    def reject(self) -> None:
        self.runner.wait()
        super().reject()

    def submit(self) -> None:  # overridden
        raise NotImplementedError


class FirstRunDialog(_CredentialsDialog):
    """First run: no account exists, so the administrator account is created here; then the
    wizard goes on to the first nurse or doctor (the administrator may not record)."""

    def __init__(self, db: Database, *, username: str = "", parent: QWidget | None = None):
        from app.services.users import MIN_PASSWORD_LENGTH

        super().__init__(
            db, title=self.tr("First run"),
            intro=self.tr("Welcome. Step 1 of 2: create the administrator account of this "
                          "clinic. The administrator adds the other users and changes the "
                          "settings, but does not record visits. The password needs at least "
                          "{0} characters.").format(MIN_PASSWORD_LENGTH),
            username=username, confirm=True, ok_text=self.tr("Create administrator"),
            object_name="firstRunDialog", parent=parent)
        self.admin: Actor | None = None
        self.clinician: str | None = None
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("roleCombo")
        self.role_combo.addItem(self.tr("Nurse"), "nurse")
        self.role_combo.addItem(self.tr("Doctor"), "doctor")
        self.skip_button = QPushButton(self.tr("Skip, add users later"))
        self.skip_button.setObjectName("skipButton")
        self.skip_button.clicked.connect(self.accept)
        self.skip_button.hide()
        self.role_combo.hide()

    def submit(self) -> None:
        from app.services.users import add_user, check_new_password, create_first_admin

        name, password = self.username_edit.text().strip(), self.password_edit.text()
        if password != self.repeat_edit.text():
            self.show_error(self.tr("The two passwords differ."))
            return
        try:
            check_new_password(password)  # at once; the hashing waits for the worker
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.set_busy(True)
        if self.admin is None:
            self.runner.write(lambda session: create_first_admin(session, name, password),
                              changes=Changes.of(users=True),
                              on_done=lambda _user: self._admin_created(name),
                              on_error=self.failed, parent=self)
            return
        admin, role = self.admin, self.role_combo.currentData()
        self.runner.write(lambda session: add_user(session, name, password, role, actor=admin),
                          changes=Changes.of(users=True),
                          on_done=lambda _user: self._clinician_created(name),
                          on_error=self.failed, parent=self)

    def _admin_created(self, name: str) -> None:
        """Step 2: the first nurse or doctor, who records the visits."""
        self.admin = self.actor = Actor(name, "admin")
        self.set_busy(False)
        self.error_label.clear()
        self.intro.setText(self.tr(
            "The administrator {0} was created. Step 2 of 2: create the first nurse or doctor, "
            "who records the visits (more users: Clinic ▸ Users… as the administrator).")
            .format(name))
        self.form.insertRow(1, self.tr("Role"), self.role_combo)
        self.role_combo.show()
        QWidget.setTabOrder(self.username_edit, self.role_combo)  # in the order shown
        QWidget.setTabOrder(self.role_combo, self.password_edit)
        self.buttons.addButton(self.skip_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.skip_button.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).hide()
        self.ok_button.setText(self.tr("Create account"))
        for edit in (self.username_edit, self.password_edit, self.repeat_edit):
            edit.clear()
        self.username_edit.setFocus()

    def _clinician_created(self, name: str) -> None:
        self.clinician = name
        self.accept()

    def reject(self) -> None:  # after step 1 the administrator exists: closing is skipping
        if self.admin is not None:
            self.runner.wait()
            self.accept()
            return
        super().reject()


class LoginDialog(_CredentialsDialog):
    """User name and password; every failure shows the same message. The box paints without
    the ORM; the accounts' service (and the models) load while the person types."""

    def __init__(self, db: Database, *, username: str = "", parent: QWidget | None = None):
        super().__init__(db, title=self.tr("Log in"),
                         intro=self.tr("Log in to the clinic's records."), username=username,
                         confirm=False, ok_text=self.tr("Log in"), object_name="loginDialog",
                         parent=parent)
        AfterFirstPaint(self).call(lambda: self.runner.background(
            "accounts", _load_accounts, lambda _nothing: None, parent=self))

    def submit(self) -> None:
        from app.services.users import authenticate

        db, name, password = self.db, self.username_edit.text(), self.password_edit.text()
        self.set_busy(True)
        self.runner.call("login", lambda: authenticate(db, name, password), self._signed_in,
                         on_error=self.failed, parent=self)

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()


def ask_passphrase(parent: QWidget | None, path: str, *, wrong: bool) -> str | None:
    """The passphrase of an encrypted database, or None when the user cancels."""
    dialog = QDialog(parent)
    dialog.setObjectName("passphraseDialog")
    dialog.setWindowTitle(dialog.tr("Encrypted database"))
    text = dialog.tr("The database {0} is encrypted. Enter its passphrase.").format(path)
    if wrong:
        text = dialog.tr("That passphrase does not open the database; nothing was changed. "
                         "Try again.") + "\n\n" + text
    label = QLabel(text)
    label.setWordWrap(True)
    edit = password_field("passphraseEdit")
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
            # The start-up check runs while the log-in dialog waits (sign_in_at_start).
            db = Database.open(url, create=True, check="background", passphrase=passphrase)
            break
        except (PassphraseNeeded, WrongPassphrase) as exc:
            wrong = isinstance(exc, WrongPassphrase)
            passphrase = ask_passphrase(parent, safe_location(url), wrong=wrong)
            if passphrase is None:
                return None
        except NetworkFileSystem as exc:
            QMessageBox.critical(parent, QCoreApplication.translate("Login", "DFU Monitor"),
                                 str(exc))
            return None
        except DatabaseError as exc:
            if not offer_restore(parent, url, str(exc)):
                return None
    return _offer_restore_if_damaged(db, url, parent)


def _offer_restore_if_damaged(db: Database, url: str, parent: QWidget | None) -> Database:
    if db.damaged and offer_restore(parent, url, db.problem or "", db=db):
        db.reopen()
    return db


def offer_restore(parent: QWidget | None, url: str, problem: str,
                  db: Database | None = None) -> bool:
    """Say plainly what is wrong and offer to restore a backup; True when one was restored."""
    box = QMessageBox(parent)
    box.setObjectName("restoreOffer")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(box.tr("Database problem"))
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
    # Before anyone can sign in (the file is damaged): the person at this PC, on a local file
    # only (restore_database refuses a database server).
    return restore_with_messages(parent, url, source, actor=Actor("restore at start", "local"),
                                 passphrase=db.passphrase if db is not None else None)


def _refuse(parent: QWidget | None, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical,
                      QCoreApplication.translate("Login", "Sign-in refused"),
                      text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("signInRefused")
    box.exec()


def sign_in(db: Database, *, username: str = "", parent: QWidget | None = None
            ) -> Actor | None:
    """First-run wizard when there is no account yet, then the log-in dialog. Fail closed:
    when the accounts cannot be read, the sign-in is refused with a message (None)."""
    try:
        first_run = run_and_wait(lambda: _needs_first_admin(db), parent=parent)
        if first_run and db.read_only:  # nothing can be created: read-only, local file only
            return window_actor(db, username)
    except Exception as exc:  # any read error refuses: never a fallback role
        log.warning("sign-in refused: the accounts could not be read (%s)",
                    type(exc).__name__)
        _refuse(parent, sign_in_error(exc))
        return None
    prefill = last_user(db.url) or username
    dialog: _CredentialsDialog = (
        FirstRunDialog(db, username=username, parent=parent) if first_run
        else LoginDialog(db, username=prefill, parent=parent))
    dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
    if dialog.exec() != QDialog.DialogCode.Accepted.value or dialog.actor is None:
        return None
    remember_user(db.url, dialog.actor.username)
    return dialog.actor


def _load_accounts() -> None:
    """Import the accounts' service (with the ORM) off the GUI thread, before the log-in."""
    import app.services.users  # noqa: F401 (imported for its side: loaded once per process)


def _needs_first_admin(db: Database) -> bool:
    """No account yet; also an older schema without the accounts table (read-only then)."""
    from sqlalchemy import inspect

    with db.read() as session:
        if not inspect(session.connection()).has_table(ACCOUNTS.name):
            return True
        return needs_first_admin(session)


def sign_in_at_start(url: str, *, username: str = "") -> SignedIn | None:
    """What `run_gui` does before the window: open and check the database, then the first-run
    wizard or the log-in dialog (pre-filled with the last clinic user of this PC, else
    `username`). None when the user cancels or the sign-in is refused."""
    db = open_database(url)
    if db is None:
        return None
    db.check_while_waiting()  # quick_check while the person types (writes held until then)
    try:
        actor = sign_in(db, username=username)
    except BaseException:
        db.dispose()
        raise
    if actor is None:
        db.dispose()
        return None
    if db.run_start_check() is not None:  # its verdict (usually in long ago): a restore offer
        db = _offer_restore_if_damaged(db, url, None)
    return SignedIn(actor, db.passphrase, db)  # the window reuses it: one start-up check
