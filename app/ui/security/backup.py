"""Backup and restore in the File menu, and the automatic backup when the window closes.

The work is app.services.backup; a manual backup runs off the GUI thread (the window's
BackgroundRunner). A restore replaces the records under the open window, so it asks first,
then reopens the database in place and reloads what is shown.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from app.db import DatabaseError, backup_folder, sqlite_path
from app.services.actor import Actor
from app.services.backup import (RestoreRefused, automatic_backup, backup_database,
                                 restore_database)
from app.services.errors import UserError

log = logging.getLogger("dfu_monitor.ui")
FILE_FILTER = "DFU Monitor backups (*.db);;All files (*)"


def _start_folder(url: str) -> str:
    path = sqlite_path(url)
    if path is None:
        return ""
    folder = backup_folder(path)
    return str(folder if folder.is_dir() else path.parent)


def tr(text: str) -> str:
    return QCoreApplication.translate("BackupMenu", text)


def choose_backup_file(parent: QWidget | None, url: str) -> Path | None:
    """The backup to restore (a file dialog; tests replace this function)."""
    name, _ = QFileDialog.getOpenFileName(parent, tr("Restore from backup"),
                                          _start_folder(url), tr(FILE_FILTER))
    return Path(name) if name else None


def choose_backup_target(parent: QWidget | None, url: str) -> Path | None:
    """Where to write a backup (a file dialog; tests replace this function)."""
    path = sqlite_path(url)
    suggested = str(Path(_start_folder(url)) / f"{path.stem if path else 'clinic'}-backup.db")
    name, _ = QFileDialog.getSaveFileName(parent, tr("Back up the database"), suggested,
                                          tr(FILE_FILTER))
    return Path(name) if name else None


def restore_with_messages(parent: QWidget | None, url: str, source: Path, *, actor: Actor,
                          passphrase: str | None) -> bool:
    """Restore, saying what happened; True when the database was replaced."""
    title = tr("Restore from backup")
    try:
        result = restore_database(url, source, actor=actor, passphrase=passphrase)
    except RestoreRefused as exc:
        QMessageBox.warning(parent, title, "\n".join(
            [tr("{0} was not restored, the current data is untouched:").format(source)]
            + [f"• {p}" for p in exc.problems[:8]]))
        return False
    except (UserError, DatabaseError, OSError) as exc:
        QMessageBox.warning(parent, title, str(exc))
        return False
    kept = (tr("The replaced database is kept at {0}.").format(result.kept)
            if result.kept else "")
    QMessageBox.information(parent, title, tr("Restored from {0}.").format(result.source)
                            + ("\n\n" + kept if kept else ""))
    return True


class BackupActions(QObject):
    """File ▸ Back up… and Restore from backup…, and the automatic backup on close."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.last_backup: Path | None = None
        self.action_backup = QAction(self.tr("&Back up database…"), window)
        self.action_backup.setObjectName("actionBackup")
        self.action_backup.triggered.connect(self.back_up)
        self.action_restore = QAction(self.tr("&Restore from backup…"), window)
        self.action_restore.setObjectName("actionRestore")
        self.action_restore.triggered.connect(self.restore)
        allowed = window.actor.can("backup")
        for action in (self.action_backup, self.action_restore):
            action.setEnabled(allowed)
            if not allowed:
                action.setToolTip(self.tr("Backups are made by an administrator"))
        menu = window.menu_file
        quit_action = getattr(window, "action_quit", None)
        if quit_action is not None and quit_action in menu.actions():
            menu.insertAction(quit_action, self.action_backup)
            menu.insertAction(quit_action, self.action_restore)
            menu.insertSeparator(quit_action)
        else:
            menu.addAction(self.action_backup)
            menu.addAction(self.action_restore)
        window.installEventFilter(self)

    def back_up(self) -> None:
        target = choose_backup_target(self.window, self.window.db.url)
        if target is None:
            return
        db, actor = self.window.db, self.window.actor
        self.window.statusBar().showMessage(self.tr("Writing the backup…"))
        self.window.runner.submit("backup", lambda: backup_database(db, target, actor=actor),
                                  self._backed_up, self._backup_failed)

    def _backed_up(self, path: Path) -> None:
        self.last_backup = path
        self.window.statusBar().showMessage(self.tr("Backup written to {0}").format(path))

    def _backup_failed(self, error: Exception) -> None:
        self.window.statusBar().clearMessage()
        QMessageBox.warning(self.window, self.tr("Backup"),
                            self.tr("No backup was written: {0}").format(error))

    def restore(self) -> None:
        window = self.window
        source = choose_backup_file(window, window.db.url)
        if source is None:
            return
        answer = QMessageBox.question(
            window, self.tr("Restore from backup"),
            self.tr("Replace every record with the content of {0}? The current database is "
                    "kept beside the backups.").format(source))
        if answer != QMessageBox.StandardButton.Yes:
            return
        window.runner.wait()
        window.db.dispose()
        restored = restore_with_messages(window, window.db.url, source, actor=window.actor,
                                         passphrase=window.db.passphrase)
        window.db.reopen()
        if restored:
            window.reload_patients()
            window.refresh_patient()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.backup_on_close()
        return False

    def backup_on_close(self) -> Path | None:
        """The automatic backup (the last 14 are kept); a failure is logged, never blocks."""
        db = self.window.db
        if db.path is None or db.damaged:
            return None
        try:
            self.last_backup = automatic_backup(db)
        except Exception:  # a full disk or a read-only folder must not keep the window open
            log.warning("automatic backup failed", exc_info=True)
            return None
        return self.last_backup
