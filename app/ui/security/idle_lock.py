"""The idle lock: after the idle minutes of the clinic's settings (default 15) without a key
press or a mouse action, the window hides the records and asks for the password again
(RELIABILITY.md "People"; HIPAA 164.312(a)(2)(iii), automatic logoff).

The clock is injectable (`clock`, seconds, monotonic) so tests move time without waiting.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QLabel, QLineEdit,
                               QMainWindow, QVBoxLayout, QWidget)

from app.db import DatabaseError
from app.services.errors import UserError
from app.services.users import authenticate

log = logging.getLogger("dfu_monitor.ui")
ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                      QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin})
CHECK_EVERY_MS = 10_000


class LockDialog(QDialog):
    """Covers the locked window: only the password of the signed-in user opens it again."""

    def __init__(self, lock: IdleLock, parent: QWidget | None = None):
        super().__init__(parent)
        self.lock = lock
        self.setObjectName("lockDialog")
        self.setWindowTitle(self.tr("DFU Monitor — locked"))
        self.setModal(True)
        self.setMinimumWidth(380)
        self.message = QLabel(self.tr("Locked after {0} idle minutes. {1}, enter your password "
                                      "to go on.").format(lock.minutes, lock.username))
        self.message.setWordWrap(True)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("unlockPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel()
        self.error_label.setObjectName("unlockError")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.unlock_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setText(self.tr("Unlock"))
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        for widget in (self.message, self.password_edit, self.error_label, buttons):
            layout.addWidget(widget)
        self.password_edit.setFocus()

    def submit(self) -> None:
        error = self.lock.try_unlock(self.password_edit.text())
        self.password_edit.clear()
        if error:
            self.error_label.setText(error)
            self.password_edit.setFocus()

    def reject(self) -> None:  # Esc and the close button do not unlock
        pass


class IdleLock(QObject):
    """Watches the application's input; locks `window` after `minutes` without any."""

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window: QMainWindow, *, db, username: str, minutes: int,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(window)
        self.window, self.db, self.username = window, db, username
        self.minutes, self.clock = minutes, clock
        self.last_activity = clock()
        self.dialog: LockDialog | None = None
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

    def lock(self) -> None:
        if self.is_locked:
            return
        self._hidden = self._hide_records()  # no patient data on an unattended screen
        self.window.menuBar().setEnabled(False)
        self.dialog = LockDialog(self, self.window)
        self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialog.open()
        log.info("window locked after %s idle minutes", self.minutes)
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

    def try_unlock(self, password: str) -> str | None:
        """Unlock with the signed-in user's password; the error text when it is refused."""
        try:
            authenticate(self.db, self.username, password)
        except (UserError, DatabaseError) as exc:
            return str(exc)
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.done(QDialog.DialogCode.Accepted.value)
            dialog.deleteLater()
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        self.window.menuBar().setEnabled(True)
        self.last_activity = self.clock()
        self.unlocked.emit()
        return None

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def install_idle_lock(window: QMainWindow, *, clock: Callable[[], float] = time.monotonic
                      ) -> IdleLock | None:
    """The idle lock of a user with an account (the local OS user has no password to ask)."""
    from app.services.settings import load_settings
    from app.services.users import role_of

    try:
        with window.db.read() as session:
            if role_of(session, window.actor.username) is None:
                return None
            minutes = load_settings(session).idle_lock_minutes
    except Exception:  # an older schema opened read-only: there are no accounts to ask
        log.debug("no idle lock", exc_info=True)
        return None
    lock = IdleLock(window, db=window.db, username=window.actor.username, minutes=minutes,
                    clock=clock)
    window.idle_lock = lock
    return lock
