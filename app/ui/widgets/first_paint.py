"""Work that waits for a window's first paint.

The main window's start-up reads (the patient list, the settings of the backup and of the idle
lock, the background start-up check, the change feed) run on the database worker; started
before the window has painted, their imports and queries share the interpreter with it and delay
the first paint. `AfterFirstPaint.call` queues them until the window has painted once, then
runs them in that order on the next turn of the event loop. A window that is not visible when
the event loop first turns (never shown) releases them at once, and a shown window that does
not paint (started minimised) LATEST_MS after that first turn.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

LATEST_MS = 1000


class AfterFirstPaint(QObject):
    """Holds callbacks until `widget` has painted for the first time."""

    def __init__(self, widget: QWidget, *, latest_ms: int = LATEST_MS):
        super().__init__(widget)
        self._widget = widget
        self._pending: list[Callable[[], None]] = []
        self._latest_ms = latest_ms
        self.released = False
        widget.installEventFilter(self)
        QTimer.singleShot(0, self, self._first_turn)

    def call(self, start: Callable[[], None]) -> None:
        """Run `start` after the first paint (on the next turn of the loop once it is past)."""
        if self.released:
            QTimer.singleShot(0, self, start)
        else:
            self._pending.append(start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            # The window paints before its children in the same pass: release after it.
            QTimer.singleShot(0, self, self._release)
        return False

    def _first_turn(self) -> None:
        if not self._widget.isVisible():
            self._release()
        elif not self.released:
            QTimer.singleShot(self._latest_ms, self, self._release)

    def _release(self) -> None:
        if self.released:
            return
        self.released = True
        self._widget.removeEventFilter(self)
        pending, self._pending = self._pending, []
        for start in pending:
            start()
