"""Shared set-up for the safety GUI tests: a clinic with accounts, a window for one of them."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QEvent

from app.services.actor import Actor
from app.services.users import add_user, create_first_admin

TODAY = dt.date(2026, 11, 27)
PASSWORDS = {"admin.eva": "admin password 12", "nurse.ana": "nurse password 12",
             "staff.di": "staff password 12", "dr.bo": "doctor password 12"}
ROLES = {"admin.eva": "admin", "nurse.ana": "nurse", "staff.di": "staff", "dr.bo": "doctor"}


def add_accounts(db) -> None:
    admin = Actor("admin.eva", "admin")
    with db.write() as session:
        create_first_admin(session, "admin.eva", PASSWORDS["admin.eva"])
        for name in ("nurse.ana", "staff.di", "dr.bo"):
            add_user(session, name, PASSWORDS[name], ROLES[name], actor=admin)


def open_window(qtbot, db, username: str):
    """The main window on `db` (a Database or a URL) for `username`, its list loaded."""
    from app.ui.main_window import create_main_window

    window = create_main_window(getattr(db, "url", db), username, today=TODAY)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.patients_loaded, timeout=20_000):
        window.show()
    return window


def close_window(window) -> None:
    """Close as the user does (the automatic backup runs), after the loads have finished."""
    window.runner.wait()
    window.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
