"""Run Qt-free work off the GUI thread and wait for it in a local event loop, for the steps
before the main window exists (the sign-in, a restore offered at start): the screen keeps
painting while argon2 hashes or a backup is checked and copied."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from PySide6.QtCore import QEventLoop, QObject

from app.ui.dbops import DatabaseRunner

T = TypeVar("T")


def run_and_wait(work: Callable[[], T], *, db: Any = None, parent: QObject | None = None) -> T:
    """`work()` on a database worker; its result, or its exception raised here."""
    runner = DatabaseRunner(db, parent)
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def done(value: T) -> None:
        outcome["value"] = value
        loop.quit()

    def failed(error: Exception) -> None:
        outcome["error"] = error
        loop.quit()

    runner.call("wait", work, done, on_error=failed)
    if not outcome:
        loop.exec()
    runner.wait()
    runner.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
