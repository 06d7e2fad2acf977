"""The printing entries of the main window's File menu."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from app.services.actor import Actor
from app.ui.dbops import DatabaseRunner
from app.ui.printing.batch import BatchPrintDialog


def open_batch_print(parent: QWidget, runner: DatabaseRunner, actor: Actor) -> BatchPrintDialog:
    dialog = BatchPrintDialog(runner, actor, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def add_batch_print_action(window: QMainWindow, menu: QMenu) -> QAction:
    """"Print reports for patients seen between…" at the end of `menu` (File, right after
    "Print report…" as the window builds it)."""
    action = QAction(window.tr("Print reports for patients &seen between…"), window)
    action.setObjectName("batchPrintAction")
    action.triggered.connect(lambda: open_batch_print(window, window.runner, window.actor))
    menu.addAction(action)
    return action
