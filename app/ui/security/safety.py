"""What the safety of records adds to the main window: the Audit tab, backup and restore in
the File menu, the automatic backup on close, the idle lock, and a read-only notice.
(The administration and the role-aware controls are app.ui.admin.roles.)"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow


def install_safety(window: QMainWindow) -> None:
    """Plug the safety features into a window built by app.ui.main_window: the window keeps
    the Audit tab, the backup actions and the idle lock in the attributes it declares."""
    from app.ui.chart.audit import install_audit_tab
    from app.ui.security.backup import BackupActions
    from app.ui.security.idle_lock import install_idle_lock

    window.audit_tab = install_audit_tab(window)
    window.backup_actions = BackupActions(window)
    window.idle_lock = install_idle_lock(window)
    if window.db.read_only:
        show_read_only_notice(window)


def show_read_only_notice(window: QMainWindow) -> None:
    """The status-bar notice and title of a read-only database (at start, or when the
    background start-up check finds damage after the window is shown)."""
    if window.read_only_notice is not None:
        return
    notice = QLabel(window.tr("Read-only: {0}").format(window.db.problem))
    notice.setObjectName("readOnlyNotice")
    notice.setStyleSheet("color: #b00020; font-weight: 600;")
    notice.setToolTip(notice.text())
    window.statusBar().addPermanentWidget(notice)
    window.read_only_notice = notice
    window.setWindowTitle(window.windowTitle() + window.tr(" (read-only)"))
