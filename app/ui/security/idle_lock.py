"""The idle lock: after the idle minutes of the clinic's settings (default 15) without a key
press or a mouse action, the window hides the records and asks for the password again
(docs/reliability.md "People"; HIPAA 164.312(a)(2)(iii), automatic logoff).

On a shared PC the lock screen also offers "Switch user": another person signs in with their
own account, the window's actor changes (app.ui.security.roles.switch_actor; `switched`
carries the new Actor) and the previous user's open visit forms are closed with
their drafts kept on disk. The password is checked on
the window's database runner (argon2 never runs on the GUI thread). The idle minutes are read
again whenever the settings change. The clock is injectable (`clock`, seconds, monotonic) so
tests move time without waiting.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.actor import Actor
from app.services.changes import Changes
from app.ui.security.fields import error_label, password_field

log = logging.getLogger("dfu_monitor.ui")
ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                      QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin})
CHECK_EVERY_MS = 10_000
DEFAULT_MINUTES = 15


class LockDialog(QDialog):
    """Covers the locked window: the signed-in user's password opens it again; "Switch user"
    lets another person sign in with their own account instead."""

    def __init__(self, lock: IdleLock, parent: QWidget | None = None):
        super().__init__(parent)
        self.lock = lock
        self.setObjectName("lockDialog")
        self.setWindowTitle(self.tr("Locked"))
        self.setModal(True)
        self.setMinimumWidth(440)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        self.username_edit = QLineEdit(lock.username)
        self.username_edit.setObjectName("unlockUsername")
        self.username_edit.setMaxLength(64)
        self.password_edit = password_field("unlockPassword")
        self.error_label = error_label("unlockError")
        buttons = QDialogButtonBox()
        self.unlock_button = buttons.addButton(self.tr("Unlock"),
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.switch_button = QPushButton(self.tr("Switch user…"))
        self.switch_button.setObjectName("switchUserButton")
        self.switch_button.setToolTip(self.tr("Another person signs in with their own account; "
                                              "open forms are closed and their drafts kept"))
        buttons.addButton(self.switch_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.switch_button.clicked.connect(self.switch_user)
        buttons.accepted.connect(self.submit)
        self.form = QFormLayout()
        self.form.addRow(self.tr("User name"), self.username_edit)
        self.form.addRow(self.tr("Password"), self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.switching = False
        self._show_same_user()
        self.password_edit.returnPressed.connect(self.submit)
        self.password_edit.setFocus()

    def _show_same_user(self) -> None:
        if self.lock.by_hand:  # File ▸ Lock: not the idle minutes
            said = self.tr("Locked. {0}, enter your password to go on, or switch user.")
            self.message.setText(said.format(self.lock.username))
        else:
            said = self.tr("Locked after {0} idle minutes. {1}, enter your password to go on.")
            self.message.setText(said.format(self.lock.minutes, self.lock.username))
        self.form.setRowVisible(self.username_edit, False)

    def switch_user(self) -> None:
        """Ask for another user's name and password (the previous user's drafts are kept)."""
        self.switching = True
        self.message.setText(self.tr("Switch user: sign in with your own account. {0}'s open "
                                     "forms are closed; their drafts are kept.")
                             .format(self.lock.username))
        self.form.setRowVisible(self.username_edit, True)
        self.username_edit.clear()
        self.password_edit.clear()
        self.error_label.clear()
        self.switch_button.setEnabled(False)
        self.unlock_button.setText(self.tr("Sign in"))  # another user signs in, not an unlock
        self.adjustSize()  # room for the user-name row (the fields were squashed)
        self.username_edit.setFocus()

    def submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        name = self.username_edit.text().strip() if self.switching else self.lock.username
        password = self.password_edit.text()
        self.password_edit.clear()
        self.unlock_button.setEnabled(False)
        self.lock.try_unlock(name, password)

    def show_error(self, text: str) -> None:
        self.unlock_button.setEnabled(True)
        self.error_label.setText(text)
        self.password_edit.setFocus()
        self.adjustSize()

    def reject(self) -> None:  # Esc and the close button do not unlock
        pass


class IdleLock(QObject):
    """Watches the application's input; locks `window` after `minutes` without any."""

    locked = Signal()
    unlocked = Signal()
    switched = Signal(object)  # the new Actor, after "Switch user"

    def __init__(self, window: QMainWindow, *, db, username: str, minutes: int,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(window)
        self.window, self.db, self.username = window, db, username
        self.minutes, self.clock = minutes, clock
        self.last_activity = clock()
        self.dialog: LockDialog | None = None
        self.by_hand = False  # locked by File ▸ Lock, not by the idle minutes
        self._hidden: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in ACTIVITY and not self.is_locked:
            self.last_activity = self.clock()
        return False

    def check(self) -> None:
        """Lock when the idle time has run out (the timer calls this; so can a test)."""
        if not self.is_locked and self.clock() - self.last_activity >= self.minutes * 60:
            self.lock()

    def lock(self, *, by_hand: bool = False) -> None:
        if self.is_locked:
            return
        self.by_hand = by_hand
        self._hidden = self._hide_records()  # no patient data on an unattended screen
        self.window.menuBar().setEnabled(False)
        self.dialog = LockDialog(self, self.window)
        self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialog.open()
        log.info("window locked %s", "by hand" if by_hand else f"after {self.minutes} idle minutes")
        self.locked.emit()

    def _hide_records(self) -> list[QWidget]:
        """Hide the window's content and that of any open dialog (a visit form in the middle
        of an entry keeps what was typed: only its widgets are hidden, not the dialog)."""
        hidden: list[QWidget] = []
        central = self.window.centralWidget()
        if central is not None and central.isVisible():
            central.hide()
            hidden.append(central)
        for top in QApplication.topLevelWidgets():
            if isinstance(top, QDialog) and top.isVisible():
                for child in top.findChildren(
                        QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
                    if child.isVisible():
                        child.hide()
                        hidden.append(child)
        return hidden

    def try_unlock(self, username: str, password: str) -> None:
        """Check the password on the database worker; unlock (as `username`) when right."""
        from app.services.users import authenticate  # the accounts' ORM: at the first unlock

        db = self.db
        self.window.runner.call("unlock", lambda: authenticate(db, username, password),
                                self._authenticated, on_error=self._refused,
                                parent=self.dialog)

    def _refused(self, error: Exception) -> None:
        from app.ui.security.login import sign_in_error

        if self.dialog is not None:
            self.dialog.show_error(sign_in_error(error))

    def _authenticated(self, actor: Actor) -> None:
        switched = actor.username != self.username
        if switched:
            from app.ui.security.last_user import remember_user
            from app.ui.security.roles import switch_actor

            self.username = actor.username
            remember_user(self.db.url, actor.username)  # the next log-in box suggests them
            switch_actor(self.window, actor)  # the previous user's forms close, drafts kept
            self._hidden = [w for w in self._hidden if _alive(w)]
        self.unlock()
        if switched:
            self.switched.emit(actor)

    def unlock(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.done(QDialog.DialogCode.Accepted.value)
            dialog.deleteLater()
        for widget in self._hidden:
            if _alive(widget):
                widget.show()
        self._hidden = []
        self.window.menuBar().setEnabled(True)
        self.last_activity = self.clock()
        self.unlocked.emit()

    def set_minutes(self, minutes: int) -> None:
        """New idle minutes from the settings: they count from the last activity."""
        self.minutes = minutes

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def _alive(widget: QWidget) -> bool:
    try:
        widget.objectName()
    except RuntimeError:  # deleted with a dialog closed by a switch of user
        return False
    return True


def _load_settings(session):
    """The clinic settings (on the database worker: the service is imported there)."""
    from app.services.settings import load_settings

    return load_settings(session)


def install_idle_lock(window: QMainWindow, *, clock: Callable[[], float] = time.monotonic
                      ) -> IdleLock | None:
    """The idle lock of a user with an account (the trusted local user of a clinic without
    accounts has no password to ask). The minutes come from the settings, read on the
    runner (once the window has painted), and again after every change of the settings."""
    if window.actor.role == "local":
        return None
    lock = IdleLock(window, db=window.db, username=window.actor.username,
                    minutes=DEFAULT_MINUTES, clock=clock)

    def read() -> None:
        window.runner.read("idle-lock-settings", _load_settings,
                           lambda settings: lock.set_minutes(settings.idle_lock_minutes),
                           on_error=lambda exc: log.warning("idle minutes not read: %s",
                                                            type(exc).__name__))

    def changed(changes: Changes) -> None:
        if changes.settings or changes.everything:
            read()

    window.runner.changed.connect(changed)
    window.after_first_paint.call(read)
    _add_lock_action(window, lock)
    return lock


def _add_lock_action(window: QMainWindow, lock: IdleLock) -> None:
    """File ▸ Lock / switch user (Ctrl+L): lock at once when leaving the PC or handing it
    over, instead of waiting out the idle minutes or quitting."""
    action = QAction(window.tr("&Lock / switch user…"), window)
    action.setObjectName("actionLock")
    action.setShortcut(QKeySequence("Ctrl+L"))
    action.triggered.connect(lambda: lock.lock(by_hand=True))
    menu = getattr(window, "menu_file", None)
    if menu is None:
        window.addAction(action)
        return
    quit_action = getattr(window, "action_quit", None)
    if quit_action is not None and quit_action in menu.actions():
        menu.insertAction(quit_action, action)
    else:
        menu.addAction(action)
    window.action_lock = action
