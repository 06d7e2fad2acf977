"""AfterFirstPaint (app/ui/widgets/first_paint.py): the main window's start-up reads wait for
its first paint; a window never shown does not hold them."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QMainWindow

from app.ui.widgets.first_paint import AfterFirstPaint


class PaintCounter(QObject):
    def __init__(self, widget):
        super().__init__(widget)
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_calls_wait_for_the_first_paint_then_run_in_order(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    after = AfterFirstPaint(window)
    counter = PaintCounter(window)
    ran: list[tuple[str, int]] = []
    after.call(lambda: ran.append(("list", counter.paints)))
    after.call(lambda: ran.append(("settings", counter.paints)))
    window.show()
    qtbot.waitUntil(lambda: len(ran) == 2, timeout=10_000)
    assert [name for name, _ in ran] == ["list", "settings"]
    assert all(paints >= 1 for _, paints in ran)  # each ran after the window had painted
    after.call(lambda: ran.append(("later", counter.paints)))  # once released: soon, not now
    assert len(ran) == 2
    qtbot.waitUntil(lambda: len(ran) == 3, timeout=10_000)


def test_a_window_never_shown_does_not_hold_them(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    after = AfterFirstPaint(window)
    ran: list[str] = []
    after.call(lambda: ran.append("list"))
    assert ran == []
    qtbot.waitUntil(lambda: ran == ["list"], timeout=10_000)
    assert not window.isVisible() and after.released
