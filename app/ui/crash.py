"""The crash log: an unhandled exception writes a log file and tells the user where it is.

`install_crash_handler(data_dir)` replaces `sys.excepthook` and `threading.excepthook`. Each
unhandled exception (in a slot, a paint, a worker thread) is written with its traceback and
the program's versions to `<data_dir>/logs/crash-<local time>.log` (owner-only permissions:
the traceback can hold patient data). The message box names only the exception's type and
the log's path, never the exception's message, which can quote a patient's name.

Boxes are shown on the GUI thread (a queued signal from other threads), one at a time: an
exception raised again while a box is open (say, in every repaint) is logged, not shown again.
After MAX_LOGS logs in one session, each further exception adds one line to the last log.
The window keeps running, as PySide6 does after an exception in a slot.
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

LOG_FOLDER = "logs"
MAX_LOGS = 20  # full logs per session; later crashes add one line to the last log
TITLE = "DFU Monitor"


def default_data_dir() -> Path:
    """The user data directory the database and drafts use (platformdirs)."""
    from platformdirs import user_data_path

    from app.db import APP_NAME

    return user_data_path(APP_NAME, appauthor=False)


def versions_text() -> str:
    """The versions a bug report needs: the program, Python, the platform, Qt and PySide6."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from app.about import app_version

    return (f"DFU Monitor {app_version()}\n"
            f"Python {platform.python_version()} ({sys.executable})\n"
            f"Platform {platform.platform()}\n"
            f"Qt {qVersion()}, PySide6 {pyside_version}\n"
            f"Frozen bundle: {bool(getattr(sys, 'frozen', False))}\n")


def write_crash_log(folder: Path, exc_type: type[BaseException], exc: BaseException | None,
                    tb: TracebackType | None, *, thread_name: str) -> Path:
    """Write one crash log in `folder` (created); returns its path. Never overwrites a log."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now().astimezone()
    body = (f"DFU Monitor crash log\nTime: {now.isoformat(timespec='seconds')}\n"
            f"Thread: {thread_name}\n{versions_text()}\n"
            + "".join(traceback.format_exception(exc_type, exc, tb)))
    stem = f"crash-{now:%Y%m%d-%H%M%S}"
    for attempt in range(100):
        path = folder / (f"{stem}.log" if attempt == 0 else f"{stem}-{attempt}.log")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        return path
    raise FileExistsError(f"too many crash logs named {stem} in {folder}")


def crash_message(type_name: str, log_path: Path | None) -> str:
    """The box's text: the exception's type and the log's path, nothing from its message."""
    if log_path is None:
        where = "The crash log could not be written (the disk may be full or read-only)."
    else:
        where = (f"A crash log was written to:\n{log_path}\n\nPlease send this file to your IT "
                 "support. It may contain patient details: share it only as you would a "
                 "patient record.")
    return (f"DFU Monitor hit an unexpected error ({type_name}).\n\n{where}\n\n"
            "Save your work and restart DFU Monitor if something looks wrong.")


class _Notifier(QObject):
    """Lives in the GUI thread: a crash in any thread is shown there by a queued signal."""

    crashed = Signal(str, str)  # exception type name, log path ("" when none)


class CrashHandler:
    """The installed hooks; `uninstall()` puts the previous ones back (tests, embedding)."""

    def __init__(self, data_dir: Path | None):
        self._data_dir = data_dir  # None: platformdirs', looked up at the first crash
        self.logs: list[Path] = []
        self._showing = False
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._notifier = _Notifier()
        self._notifier.crashed.connect(self._show, Qt.ConnectionType.AutoConnection)

    @property
    def log_dir(self) -> Path:
        return Path(self._data_dir or default_data_dir()) / LOG_FOLDER

    def install(self) -> CrashHandler:
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        return self

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous_thread_hook

    def excepthook(self, exc_type: type[BaseException], exc: BaseException | None,
                   tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        self._handle(exc_type, exc, tb, threading.current_thread().name)

    def thread_excepthook(self, args: Any) -> None:
        if issubclass(args.exc_type, SystemExit):
            return  # threading ignores SystemExit in a thread too
        name = args.thread.name if args.thread is not None else "unknown thread"
        self._handle(args.exc_type, args.exc_value, args.exc_traceback, name)

    def _handle(self, exc_type: type[BaseException], exc: BaseException | None,
                tb: TracebackType | None, thread_name: str) -> None:
        path: Path | None
        try:
            if len(self.logs) < MAX_LOGS:
                path = write_crash_log(self.log_dir, exc_type, exc, tb, thread_name=thread_name)
                self.logs.append(path)
            else:  # an error in every repaint must not fill the disk: one line each
                path = self.logs[-1]
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(f"\nagain: {exc_type.__name__} at "
                                 f"{dt.datetime.now().astimezone():%H:%M:%S} ({thread_name})\n")
        except OSError:
            path = None
        print(f"DFU Monitor: unexpected {exc_type.__name__}; crash log: {path}",
              file=sys.stderr)
        self._notifier.crashed.emit(exc_type.__name__, str(path) if path else "")

    def _show(self, type_name: str, log_path: str) -> None:
        if self._showing or QApplication.instance() is None:
            return  # one box at a time; the log is written either way
        self._showing = True
        try:
            text = crash_message(type_name, Path(log_path) if log_path else None)
            box = QMessageBox(QMessageBox.Icon.Critical, TITLE, text,
                              QMessageBox.StandardButton.Ok, QApplication.activeWindow())
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.exec()
        finally:
            self._showing = False


def install_crash_handler(data_dir: Path | None = None) -> CrashHandler:
    """Install the crash hooks; call on the GUI thread once the QApplication exists.

    `data_dir` is the user data directory (default: platformdirs, as app.db and drafts use,
    found when a crash is written: platformdirs is not imported for the start-up).
    """
    return CrashHandler(data_dir).install()
