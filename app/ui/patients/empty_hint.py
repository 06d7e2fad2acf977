"""What the patient list says when its table shows nobody: a centred hint over the empty
table (`patientListEmptyHint`).

A clinic with no patients yet is told how to start: the roles that may register patients
get the New patient button and its shortcut, the others who does register them (the words
come from app.ui.security.roles.apply_role, which knows the role and the window's actions). A
search or the overdue filter that matches nobody says so. While the list is still loading,
or when rows are shown, there is no hint (docs/product.md "Screens", Main window).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel


def _tr(text: str) -> str:
    return QApplication.translate("PatientListPanel", text)


def empty_list_text(*, shown: int, total: int, search: str, overdue_only: bool,
                    register_hint: str) -> str:
    """The hint for the list as it is now; "" when rows are shown."""
    if shown:
        return ""
    if total == 0:
        first = _tr("No patients yet.")
        return f"{first}\n{register_hint}" if register_hint else first
    search = search.strip()
    if search and overdue_only:
        return _tr("No overdue patient matches “{0}”.").format(search)
    if search:
        return _tr("No patient matches “{0}”.").format(search)
    return _tr("No overdue follow-ups.") if overdue_only else ""


class EmptyHint(QLabel):
    """A centred, word-wrapped hint over a table's viewport; it follows the viewport's size
    and lets the mouse through to the table. A child of the table, not of its viewport: the
    viewport's children move when it scrolls."""

    MARGIN = 16

    def __init__(self, view: QAbstractScrollArea):
        super().__init__(view)
        self.viewport = view.viewport()
        self.setObjectName("patientListEmptyHint")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("color: #555555; font-size: 11pt;")
        self.viewport.installEventFilter(self)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.viewport and event.type() in (QEvent.Type.Resize,
                                                         QEvent.Type.Move):
            self._fit()
        return False

    def _fit(self) -> None:
        margin = self.MARGIN
        self.setGeometry(self.viewport.geometry().adjusted(margin, margin, -margin, -margin))

    def show_text(self, text: str) -> None:
        """Show `text`, or hide when it is empty (a label update: no other work)."""
        if text != self.text():
            self.setText(text)
        self.setVisible(bool(text))
