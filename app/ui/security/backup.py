"""Backup and restore in the File menu, and the automatic backup when the window closes.

The work is app.services.backup; a backup and a restore run on the window's database runner
(`runner.call`), never on the GUI thread. A restore replaces the records under the open
window, so it asks first, then reopens the database in place and reloads what is shown. The
automatic backup goes to the clinic's backup folder and keeps the clinic's number of backups
(settings, read again whenever they change). The service (and with it the ORM) is imported
when a backup or a restore runs, not when the window is built.
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from app.db import DatabaseError, backup_folder, sqlite_path
from app.services.actor import Actor
from app.services.changes import Changes
from app.services.errors import UserError

if TYPE_CHECKING:
    from app.services.backup import RestoreResult

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
    from PySide6.QtWidgets import QFileDialog  # its enums are built here, not at start-up

    name, _ = QFileDialog.getOpenFileName(parent, tr("Restore from backup"),
                                          _start_folder(url), tr(FILE_FILTER))
    return Path(name) if name else None


def choose_backup_target(parent: QWidget | None, url: str) -> Path | None:
    """Where to write a backup (a file dialog; tests replace this function)."""
    path = sqlite_path(url)
    suggested = str(Path(_start_folder(url)) / f"{path.stem if path else 'clinic'}-backup.db")
    from PySide6.QtWidgets import QFileDialog  # its enums are built here, not at start-up

    name, _ = QFileDialog.getSaveFileName(parent, tr("Back up the database"), suggested,
                                          tr(FILE_FILTER))
    return Path(name) if name else None


def restore_with_messages(parent: QWidget | None, url: str, source: Path, *, actor: Actor,
                          passphrase: str | None) -> bool:
    """Restore before the window exists (a damaged file at start), off the GUI thread, saying
    what happened; True when the database was replaced."""
    from app.services.backup import restore_database
    from app.ui.security.waiting import run_and_wait

    try:
        result = run_and_wait(lambda: restore_database(url, source, actor=actor,
                                                       passphrase=passphrase), parent=parent)
    except Exception as exc:
        return restore_failed(parent, source, exc)
    return restore_done(parent, result)


def restore_failed(parent: QWidget | None, source: Path, exc: Exception) -> bool:
    from app.services.backup import RestoreRefused

    title = tr("Restore from backup")
    if isinstance(exc, RestoreRefused):
        QMessageBox.warning(parent, title, "\n".join(
            [tr("{0} was not restored, the current data is untouched:").format(source)]
            + [f"• {p}" for p in exc.problems[:8]]))
    elif isinstance(exc, (UserError, DatabaseError, OSError)):
        QMessageBox.warning(parent, title, str(exc))
    else:
        QMessageBox.warning(parent, title, tr("The restore failed ({0}); the current data is "
                                              "untouched.").format(type(exc).__name__))
    return False


def restore_done(parent: QWidget | None, result: RestoreResult) -> bool:
    kept = (tr("The replaced database is kept at {0}.").format(result.kept)
            if result.kept else "")
    QMessageBox.information(parent, tr("Restore from backup"),
                            tr("Restored from {0}.").format(result.source)
                            + ("\n\n" + kept if kept else ""))
    return True


TEMPORARY_ROOTS = ("/tmp", "/var/tmp", "/dev/shm")


def is_temporary_folder(folder: Path) -> bool:
    """True when `folder` lies in a temporary folder, which the system may empty (at a
    restart, or by a cleaner): no place for the clinic's only backups."""
    resolved = Path(folder).expanduser().resolve()
    roots = {Path(tempfile.gettempdir()).resolve(), *(Path(r).resolve() for r in TEMPORARY_ROOTS)}
    return any(resolved == root or root in resolved.parents for root in roots)


def backup_folder_notice(db_path: Path | None, folder: Path | None) -> str | None:
    """What to tell the user when the automatic backups would land in a temporary folder
    (`folder`: the clinic setting; None: backups/ beside the database file); else None."""
    if db_path is None and folder is None:
        return None  # a server: its own backups, plus a dump in this computer's data folder
    target = Path(folder) if folder else backup_folder(db_path)
    if not is_temporary_folder(target):
        return None
    return tr("Automatic backups go to {0}, a temporary folder the system may empty: choose a "
              "backup folder in Clinic ▸ Settings.").format(target)


def _load_settings(session):
    """The clinic settings (on the database worker: the service is imported there)."""
    from app.services.settings import load_settings

    return load_settings(session)


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
        self.folder: Path | None = None  # the clinic setting; None: backups/ beside the file
        self.keep: int | None = None  # the clinic setting; None: the service's AUTO_KEEP
        self.notice: str | None = None  # said once, when the window opens
        self._noticed = False
        self.apply_role()
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
        window.runner.changed.connect(self._changed)
        window.after_first_paint.call(self.load_settings)

    def apply_role(self) -> None:
        """Enabled for a role that may back up; otherwise disabled, the reason as tooltip."""
        reason = self.window.actor.why_not("backup")
        for action in (self.action_backup, self.action_restore):
            action.setEnabled(reason is None)
            action.setToolTip(reason or action.text().replace("&", ""))

    def load_settings(self) -> None:
        """The backup folder and how many automatic backups to keep (clinic settings)."""
        self.window.runner.read("backup-settings", _load_settings, self._settings_loaded,
                                on_error=lambda exc: log.warning(
                                    "backup settings not read: %s", type(exc).__name__))

    def _settings_loaded(self, settings) -> None:
        self.folder = Path(settings.backup_folder) if settings.backup_folder else None
        self.keep = settings.backups_to_keep
        self.notice = backup_folder_notice(self.window.db.path, self.folder)
        if self.notice and not self._noticed:
            self._noticed = True
            self.show_notice()

    def show_notice(self) -> None:
        """The backup-folder notice in the status bar, after what it already says."""
        if not self.notice or self.window.actor.why_not("settings") is not None:
            return  # only a role that may change the settings can choose the folder
        bar = self.window.statusBar()
        said = bar.currentMessage()
        text = f"{said} — {self.notice}" if said else self.notice
        if said and bar.fontMetrics().horizontalAdvance(text) > bar.width() - 24:
            text = self.notice  # both would be cut off: the backup warning matters more
        bar.showMessage(text)
        bar.setToolTip(self.notice)

    def _changed(self, changes: Changes) -> None:
        if changes.settings or changes.everything:
            self.load_settings()

    def back_up(self) -> None:
        target = choose_backup_target(self.window, self.window.db.url)
        if target is None:
            return
        from app.services.backup import backup_database

        db, actor = self.window.db, self.window.actor
        self.window.statusBar().showMessage(self.tr("Writing the backup…"))
        self.window.runner.call("backup", lambda: backup_database(db, target, actor=actor),
                                self._backed_up, on_error=self._backup_failed,
                                parent=self.window)

    def _backed_up(self, path: Path) -> None:
        self.last_backup = path
        self.window.statusBar().showMessage(self.tr("Backup written to {0}").format(path))

    def _backup_failed(self, error: Exception) -> None:
        self.window.statusBar().clearMessage()
        QMessageBox.warning(self.window, self.tr("Backup"),
                            self.tr("No backup was written: {0}").format(error))

    def restore(self) -> None:
        from app.services.backup import restore_database

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
        db, actor = window.db, window.actor

        def work() -> RestoreResult:
            db.dispose()  # on the database worker: every earlier op has finished
            try:
                return restore_database(db.url, source, actor=actor, passphrase=db.passphrase)
            finally:
                db.reopen()

        self.action_restore.setEnabled(False)
        window.statusBar().showMessage(self.tr("Restoring from {0}…").format(source))
        window.runner.call("restore", work, self._restored, changes=Changes.all(),
                           on_error=lambda exc: self._restore_failed(source, exc),
                           parent=window)

    def _restored(self, result: RestoreResult) -> None:
        self.apply_role()
        self.window.statusBar().clearMessage()
        restore_done(self.window, result)
        self.window.reload_patients()
        self.window.refresh_patient()

    def _restore_failed(self, source: Path, exc: Exception) -> None:
        self.apply_role()
        self.window.statusBar().clearMessage()
        restore_failed(self.window, source, exc)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.backup_on_close()
        return False

    def backup_on_close(self) -> Path | None:
        """The automatic backup (the last 14 are kept); a failure is logged, never blocks."""
        from app.services.backup import AUTO_KEEP, automatic_backup

        db = self.window.db
        if db.path is None or db.damaged:
            return None
        keep = AUTO_KEEP if self.keep is None else self.keep
        try:
            self.last_backup = automatic_backup(db, keep=keep, folder=self.folder)
        except Exception:  # a full disk or a read-only folder must not keep the window open
            log.warning("automatic backup failed", exc_info=True)
            return None
        return self.last_backup
