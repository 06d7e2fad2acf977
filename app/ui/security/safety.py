"""What the safety of records adds to the main window: the Audit tab, backup and restore in
the File menu, the automatic backup on close, the idle lock, a read-only notice, and the
administration (Clinic ▸ Users…, Settings…) with every control fitted to the role."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow


def install_safety(window: QMainWindow) -> None:
    """Plug the safety features into a window built by app.ui.main_window."""
    from app.ui.admin.roles import install_administration
    from app.ui.chart.audit import install_audit_tab
    from app.ui.security.backup import BackupActions
    from app.ui.security.idle_lock import install_idle_lock

    install_audit_tab(window)
    window.backup_actions = BackupActions(window)
    window.idle_lock = install_idle_lock(window)
    install_administration(window)  # after the backup actions: the role covers them too
    if window.db.read_only:
        notice = QLabel(window.tr("Read-only: {0}").format(window.db.problem))
        notice.setObjectName("readOnlyNotice")
        notice.setStyleSheet("color: #b00020; font-weight: 600;")
        notice.setToolTip(notice.text())
        window.statusBar().addPermanentWidget(notice)
        window.read_only_notice = notice
        window.setWindowTitle(window.windowTitle() + window.tr(" (read-only)"))
