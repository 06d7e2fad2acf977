"""A combo box for record forms whose mouse wheel scrolls the form, not the value.

Qt's QComboBox takes every wheel event over it, focused or not: a nurse scrolling the visit form
with the wheel changed whichever combo (Wagner grade, exudate, a lab's unit) passed under the
pointer, silently, and the form then held a value nobody chose. This one changes its value by
wheel only once it has keyboard focus (clicked or tabbed into); otherwise it hands the wheel to
the scroll bar of the form's scroll area (or, outside one, leaves it to its parent). The wheel
never gives it focus (StrongFocus, not Qt's WheelFocus).
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QComboBox, QWidget


class FormComboBox(QComboBox):
    """QComboBox that leaves the wheel to the form around it unless it has keyboard focus."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt's name)
        if self.hasFocus():
            super().wheelEvent(event)
            return
        area = self.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is None:
            event.ignore()  # Qt offers it to the parents
            return
        QCoreApplication.sendEvent(area.verticalScrollBar(), event)
        event.accept()  # scrolled once, by the form's scroll bar
