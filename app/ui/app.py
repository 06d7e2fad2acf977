"""Start the window: the QApplication, the database, the main window (PySide6 starts here).

`python main.py` opens the clinic database (`--db`, $DFU_MONITOR_DB, or the user data folder);
`python main.py --demo` opens a demo clinic, seeded with 300 synthetic patients when it is empty:
at `--db` or $DFU_MONITOR_DB when given, else demo.db in the user data folder. A demo location
that holds user accounts is a real clinic: it signs in as usual. The real clinic asks for its
passphrase when encrypted, then shows the first-run wizard or the log-in dialog
(app.ui.security.login); the demo clinic opens for the operating-system user.
"""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

DEMO_PATIENTS = 300
DEMO_PHOTOS = 10  # demo patients given synthetic wound photos (baseline and latest)


def demo_db_path() -> Path:
    """The demo clinic's file, beside the real one in the user data folder."""
    from app.db import default_db_path

    return default_db_path().with_name("demo.db")


def demo_db_url(db: str | None) -> str:
    """Where `--demo` opens its clinic: `--db`, then $DFU_MONITOR_DB, then demo.db in the user
    data folder (never the real clinic's default file)."""
    from app.db import ENV_VAR, resolve_db_url

    if db or os.environ.get(ENV_VAR):
        return resolve_db_url(db)
    return resolve_db_url(str(demo_db_path()))


def has_accounts(url: str) -> bool:
    """True when the database at `url` has user accounts (or cannot be opened without its
    passphrase): a real clinic, which a demo start must not open without signing in."""
    from app.db import Database
    from app.services.sign_in import needs_first_admin

    try:
        db = Database.open(url, create=True)
    except Exception:  # encrypted or unreadable: the usual sign-in says why
        return True
    try:
        with db.read() as session:
            return not needs_first_admin(session)
    finally:
        db.dispose()


def os_username() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in a bare container
        return "clinician"


def configure_application(app) -> None:
    """The names and icon the desktop shows for the window and the taskbar."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from app.resources import ICON_SIZES, icon_paths

    app.setApplicationName("DFU Monitor")
    app.setApplicationDisplayName("DFU Monitor")
    app.setDesktopFileName("dfu-monitor")
    icon = QIcon()
    for size, path in zip(ICON_SIZES, icon_paths(), strict=True):
        icon.addFile(str(path), QSize(size, size))  # the size given: no file read to find it
    app.setWindowIcon(icon)


def run_gui(db: str | None, demo: bool) -> int:
    """Open the window and run the event loop; returns the exit status."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.db import ENV_VAR, DatabaseError, default_db_path, resolve_db_url
    from app.ui.crash import install_crash_handler
    from app.ui.gc_guard import collect_garbage_on_gui_thread

    if os.environ.get("DFU_MONITOR_SMOKE_EXIT_AFTER_PAINT") == "1":  # packaging smoke check
        from app.ui.smoke import arm_paint_check

        arm_paint_check()
    app = QApplication.instance() or QApplication(sys.argv)
    collect_garbage_on_gui_thread()  # from here on (the log-in's workers run before the window)
    configure_application(app)
    install_crash_handler()  # an unhandled error writes a log and says where, nothing more
    url = demo_db_url(db) if demo else resolve_db_url(db)
    if demo and url != resolve_db_url(str(demo_db_path())) and has_accounts(url):
        demo = False  # a clinic with accounts at --db / $DFU_MONITOR_DB: sign in as usual
    if not demo and not db and not os.environ.get(ENV_VAR):  # this PC's clinic, or a server
        from app.ui.security.server_connect import choose_clinic_at_start

        go_on, server_url = choose_clinic_at_start(default_db_path().exists())
        if not go_on:
            return 0
        url = server_url or url  # the password stays in this URL, in memory only

    from app.ui.main_window import create_main_window

    username, passphrase, database = os_username(), None, None
    if not demo:  # the demo clinic holds synthetic patients only
        from app.ui.security.login import sign_in_at_start

        signed = sign_in_at_start(url)  # pre-fills the last clinic user, not the OS login
        if signed is None:
            return 0
        username, passphrase, database = signed.actor.username, signed.passphrase, signed.db
    try:
        window = create_main_window(url, username, passphrase=passphrase, database=database)
    except DatabaseError as exc:
        QMessageBox.critical(None, "DFU Monitor", str(exc))
        return 1
    # Delete the window (and its charts) when it closes, before the interpreter exits:
    # Qt objects left to Python's final garbage collection can crash the exit.
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    if demo:
        _fill_demo_clinic(window, url)
    status = app.exec()  # the smoke check, when armed, ends the loop with its verdict
    window = None  # the last reference: Qt deletes the window now, not at interpreter exit
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return status


def _fill_demo_clinic(window, url: str) -> None:
    """Seed the demo clinic on the database worker when it is empty (the window shows
    first), then add its synthetic wound photos; the status bar says what happened where."""
    from app.services.changes import Changes

    window.statusBar().showMessage(window.tr("Opening the demo clinic…"))
    database = window.db

    def seed() -> int:  # on the database worker: the seeder (and the ORM) is imported there
        from app.services.demo import seed_demo_if_empty

        return seed_demo_if_empty(database, patients=DEMO_PATIENTS)

    def add_photos() -> int:
        from app.services.demo import seed_demo_photos_of_first

        return seed_demo_photos_of_first(database, DEMO_PHOTOS)

    def seeded(added: int) -> None:
        if added:
            window.statusBar().showMessage(
                window.tr("Demo clinic created with {0} synthetic patients in {1}").format(
                    added, getattr(database, "path", None) or url))
            window.reload_patients()
            window.runner.call("demo-photos", add_photos, lambda _n: None,
                               changes=Changes.all())
        else:
            window.statusBar().showMessage(window.tr("Demo clinic (synthetic patients)"))

    window.runner.call("seed-demo", seed, seeded)
