"""One start-up, in a fresh process, until the main window is first painted.

    python -m bench.probe_startup app PATH   # the application over the clinic at PATH
    python -m bench.probe_startup bare       # the floor: QApplication + QMainWindow +
                                             # import sqlalchemy.orm, nothing else

The parent (run.py) times from starting the process to the line this prints at the first
paint, so both sides pay for the interpreter the same way. `app` then goes on until the
patient list is filled (loaded after the paint, on the window's database worker) and prints a
second line then: the detail reports when the list is there too, not only the window.

`app` runs what `main.py --db PATH` runs (app.cli.main: the collector paused, the parser,
open_window, app.ui.app.run_gui with its QApplication set-up and GUI-thread collector) with one
thing replaced: the log-in dialog, which waits for a person, returns at once as if a user had
signed in (the window then opens the database itself, as for a clinic without accounts).
"""
from __future__ import annotations

import os
import sys

PAINTED = "FIRST-PAINT"
LISTED = "LIST-FILLED"


def _exit_at_first_paint(app, window, *, then_list: bool = False) -> None:
    """Print once the window's first paint has finished, then leave without tearing down;
    with `then_list`, leave once the patient list is filled, printing that too."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
            if watched is window and event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)  # the first paint only
                # The window paints before its children in the same pass: report after it.
                QTimer.singleShot(0, done)
            return False

    def done() -> None:
        sys.stdout.write(PAINTED + "\n")
        sys.stdout.flush()
        if not then_list:
            os._exit(0)
        if window.patients_ready:
            listed()
        window.patients_loaded.connect(listed)

    def listed(*_) -> None:
        sys.stdout.write(LISTED + "\n")
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
    """`main.py --db PATH` up to the window's first paint, without the log-in dialog."""
    from app.cli import collector_paused_for_start, main

    with collector_paused_for_start():  # as main() does: the patching below is start-up too
        import app.cli.parser  # noqa: F401  (main's first import, before PySide6, as there)
        import app.ui.main_window as main_window
        import app.ui.security.login as login  # run_gui imports both when it gets there

        create = main_window.create_main_window

        def create_watched(*args, **kwargs):
            from PySide6.QtWidgets import QApplication

            window = create(*args, **kwargs)
            _exit_at_first_paint(QApplication.instance(), window, then_list=True)
            return window

        main_window.create_main_window = create_watched
        login.sign_in_at_start = _signed_in_without_dialog
    main(["--db", path])


def _signed_in_without_dialog(url: str, *, username: str = ""):
    """In place of app.ui.security.login.sign_in_at_start: a user signed in, no dialog shown;
    the window opens the database (and starts its checks) itself."""
    from app.services.actor import Actor
    from app.ui.security.login import SignedIn

    return SignedIn(Actor("bench", "nurse"))


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        application(sys.argv[2])
