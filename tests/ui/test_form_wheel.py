"""Scrolling the visit form with the mouse wheel never changes a value (app.ui.widgets
.form_combo): over a combo without focus the wheel scrolls the form; once the nurse has clicked
or tabbed into the combo, the wheel picks as Qt's combos do."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox

from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    clinic,
    db,
    field,
    open_form,
    template,
)

DOWN = -120  # one notch towards the user: scroll down, or the next item of a focused combo


def wheel(widget, notches: int = 1) -> None:
    """What a real wheel over the middle of `widget` delivers to it."""
    centre = QPointF(widget.rect().center())
    for _ in range(notches):
        event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(),
                            QPoint(0, DOWN), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)


def wagner(dialog) -> QComboBox:
    combo = field(dialog, "wagnerGrade", "L-heel")
    assert isinstance(combo, QComboBox)
    return combo


def test_the_wheel_over_an_unfocused_combo_scrolls_the_form_and_keeps_the_value(
        qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    dialog.resize(dialog.width(), 420)  # short enough for the form to scroll
    combo = wagner(dialog)
    before = combo.currentIndex()
    bar = dialog.view.scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    assert not combo.hasFocus()
    wheel(combo, 3)
    assert combo.currentIndex() == before  # nothing chosen by scrolling
    assert bar.value() > 0  # the form scrolled instead


def test_a_combo_the_nurse_clicked_into_takes_the_wheel(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    combo = wagner(dialog)
    combo.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(combo.hasFocus, timeout=2_000)
    before = combo.currentIndex()
    wheel(combo)
    assert combo.currentIndex() == before + 1


def test_the_wheel_does_not_give_a_combo_the_focus(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    assert wagner(dialog).focusPolicy() == Qt.FocusPolicy.StrongFocus
