"""The printing entries of the main window's File menu. The batch dialog (and the report
jobs behind it) is imported when it is first opened, not at start-up."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from app.services.actor import Actor
from app.ui.dbops import DatabaseRunner

if TYPE_CHECKING:
    from app.ui.printing.batch import BatchPrintDialog


def open_batch_print(parent: QWidget, runner: DatabaseRunner, actor: Actor) -> BatchPrintDialog:
    from app.ui.printing.batch import BatchPrintDialog

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
