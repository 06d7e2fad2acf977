"""The Help menu on the main window's menu bar. The About box (app.ui.help.about) is imported
when it is first opened: its module and the Qt classes it reaches are not part of the first
paint (bench/README.md, "Start-up imports")."""
from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow


def add_help_menu(window: QMainWindow, db_location: str) -> QAction:
    """Help ▸ About DFU Monitor on `window`'s menu bar; returns the action."""
    menu = window.menuBar().addMenu(window.tr("&Help"))
    action = QAction(window.tr("&About DFU Monitor"), window)
    action.setObjectName("aboutAction")
    action.triggered.connect(lambda: _show_about(window, db_location))
    menu.addAction(action)
    return action


def _show_about(window: QMainWindow, db_location: str) -> None:
    from app.ui.help.about import AboutDialog

    AboutDialog(db_location, window).exec()
