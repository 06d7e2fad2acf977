"""Regenerate the administration screenshots of the README:
`make screenshots` (app.ui.screenshots; offscreen, a throwaway demo clinic with
one account per role): admin_users.png, admin_settings.png, lock_screen.png (after a wrong
password, so the error line shows whole)."""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

ANCHOR = dt.date(2026, 11, 27)
ACCOUNTS = {"admin.eva": "admin", "nurse.ana": "nurse", "dr.bo": "doctor",
            "staff.di": "staff"}
PASSWORD = "a demo password 1"


def _clinic(work: Path) -> str:
    from app.db import Database
    from app.services.actor import Actor
    from app.services.demo import seed_demo
    from app.services.users import add_user, create_first_admin

    url = f"sqlite:///{work / 'clinic.db'}"
    db = Database.open(url)
    try:
        seed_demo(db, patients=20, seed=3, anchor=ANCHOR)
        with db.write() as session:
            create_first_admin(session, "admin.eva", PASSWORD)
            for name, role in ACCOUNTS.items():
                if role != "admin":
                    add_user(session, name, PASSWORD, role, actor=Actor("admin.eva", "admin"))
    finally:
        db.dispose()
    return url


def render(out_dir: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from app.db import Database
    from app.services.actor import Actor
    from app.ui.admin.settings import SettingsDialog
    from app.ui.admin.users import UsersDialog
    from app.ui.dbops import DatabaseRunner
    from app.ui.security.idle_lock import IdleLock

    app = QApplication.instance() or QApplication([])

    def wait(condition, seconds: float = 30) -> None:
        end = time.monotonic() + seconds
        while not condition() and time.monotonic() < end:
            app.processEvents()
        for _ in range(10):
            app.processEvents()

    out_dir.mkdir(parents=True, exist_ok=True)
    db = Database.open(_clinic(Path(tempfile.mkdtemp(prefix="dfu-admin-shots-"))))
    runner = DatabaseRunner(db)
    admin = Actor("admin.eva", "admin")
    users = UsersDialog(runner=runner, actor=admin)
    users.show()
    wait(lambda: users.table.rowCount() == len(ACCOUNTS))
    users.select("nurse.ana")
    written = [out_dir / "admin_users.png"]
    users.grab().save(str(written[-1]))
    settings = SettingsDialog(runner=runner, actor=admin)
    settings.show()
    wait(settings.save_button.isEnabled)
    settings.clinic_name.setText("Riverside Foot Clinic")
    written.append(out_dir / "admin_settings.png")
    settings.grab().save(str(written[-1]))
    window = QMainWindow()  # stands for the main window behind the lock
    window.setCentralWidget(QLabel("records"))
    window.runner = DatabaseRunner(db, window)
    window.show()
    lock = IdleLock(window, db=db, username="nurse.ana", minutes=15)
    lock.lock()
    dialog = lock.dialog
    dialog.password_edit.setText("not the password")
    dialog.submit()
    wait(dialog.unlock_button.isEnabled)
    written.append(out_dir / "lock_screen.png")
    dialog.grab().save(str(written[-1]))
    return written
