"""Administration in the window, and screens that fit the role (docs/product.md "Test
surface"; docs/reliability.md "People").

`install_administration(window)` adds Clinic ▸ Users… (`usersAction`) and Clinic ▸ Settings…
(`settingsAction`) and applies the role with `apply_role` (app.ui.security.roles: each control
the role may not use is disabled, the reason in its tooltip; "Switch user" on the lock screen
changes the window's actor with `switch_actor`).
"""
from __future__ import annotations

import logging

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow

from app.ui.security.roles import apply_role, switch_actor, why_not

log = logging.getLogger("dfu_monitor.ui")


def _tr(text: str) -> str:
    return QApplication.translate("Administration", text)


def install_administration(window: QMainWindow) -> None:
    """The Users and Settings actions in the Clinic menu, and role-aware controls."""
    menu = window.menu_clinic
    menu.addSeparator()
    users = QAction(_tr("&Users…"), window)
    users.setObjectName("usersAction")
    users.triggered.connect(lambda: open_users(window))
    settings = QAction(_tr("&Settings…"), window)
    settings.setObjectName("settingsAction")
    settings.triggered.connect(lambda: open_settings(window))
    menu.addAction(users)
    menu.addAction(settings)
    menu.setToolTipsVisible(True)
    window.menu_file.setToolTipsVisible(True)
    window.users_action, window.settings_action = users, settings
    # The window enables New visit and Print when a patient opens: the role comes after.
    window.patient_changed.connect(lambda _pid: apply_role(window))
    apply_role(window)


def open_users(window: QMainWindow) -> None:
    from app.ui.admin.users import UsersDialog

    if why_not(window.actor, "users") is not None:
        return
    dialog = UsersDialog(runner=window.runner, actor=window.actor, parent=window)
    dialog.exec()


def open_settings(window: QMainWindow) -> None:
    from app.ui.admin.settings import SettingsDialog

    if why_not(window.actor, "settings") is not None:
        return
    dialog = SettingsDialog(runner=window.runner, actor=window.actor, parent=window)
    if dialog.exec() == SettingsDialog.DialogCode.Accepted:  # Save: said, Cancel: silent
        window.statusBar().showMessage(window.tr("Clinic settings saved"), 8000)


__all__ = ["apply_role", "install_administration", "open_settings", "open_users",
           "switch_actor"]
