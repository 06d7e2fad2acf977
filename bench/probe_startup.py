"""One start-up, in a fresh process, until the main window is first painted.

    python -m bench.probe_startup app PATH   # the application over the clinic at PATH
    python -m bench.probe_startup bare       # the floor: QApplication + QMainWindow +
                                             # import sqlalchemy.orm, nothing else

The parent (run.py) times from starting the process to the line this prints at the first
paint, so both sides pay for the interpreter the same way. `app` does what `main.py` does
(app.cli, then app.ui.app's QApplication set-up and create_main_window) without the log-in
dialog, which waits for a person: create_main_window is the window for a signed-in user.
"""
from __future__ import annotations

import os
import sys

PAINTED = "FIRST-PAINT"


def _exit_at_first_paint(app, window) -> None:
    """Print once the window's first paint has finished, then leave without tearing down."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
            if watched is window and event.type() == QEvent.Type.Paint:
                # The window paints before its children in the same pass: report after it.
                QTimer.singleShot(0, done)
            return False

    def done() -> None:
        sys.stdout.write(PAINTED + "\n")
        sys.stdout.flush()
        os._exit(0)

    watcher = Watcher(app)
    window.installEventFilter(watcher)
    app._bench_watcher = watcher  # kept alive with the application


def bare() -> None:
    import sqlalchemy.orm  # noqa: F401
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    _exit_at_first_paint(app, window)
    window.show()
    app.exec()


def application(path: str) -> None:
    from app.cli.parser import build_parser  # what main.py runs first

    build_parser()
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setApplicationName("DFU Monitor")
    app.setApplicationDisplayName("DFU Monitor")
    from app.db import resolve_db_url
    from app.ui.main_window import create_main_window

    window = create_main_window(resolve_db_url(path), "bench")
    _exit_at_first_paint(app, window)
    window.show()
    app.exec()


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        application(sys.argv[2])
