"""Hold a widget's repaint while something the user waits for more is under way.

The main window holds the patient list's viewport from a selection until that patient's chart
is delivered and painted (bench/README.md lesson 19): the list's repaint after a long scroll is
~5 ms of Python calls, which would otherwise share the GIL with the chart's load on the
database worker. The hold must start before the selection marks the rows dirty (Qt paints a
region marked before `setUpdatesEnabled(False)`), so `arm()` runs before the table handles a
mouse press or a key, and before a programmatic selection; `hold()` (the chart's load started)
claims it. It always ends: after the chart's paint (`release_after_paint`), on a load error,
when the window closes, at a newer selection made while it is held (the user moving quickly
through the list sees the highlight move), at once when no load claims it and, whatever
happens, after `timeout_ms`. Ending it repaints the whole widget (`setUpdatesEnabled(True)`
updates it), so nothing painted is lost.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QWidget

HOLD_TIMEOUT_MS = 100
_INPUT = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.KeyPress)


class PaintHold(QObject):
    """Holds `widget`'s repaints; `window` is the top-level whose paint ends a hold."""

    def __init__(self, widget: QWidget | None, window: QWidget, *,
                 inputs: tuple[QWidget, ...] = (),
                 timeout_ms: int = HOLD_TIMEOUT_MS):
        super().__init__(window)
        self._widget = widget
        self._held = self._claimed = self._after_paint = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.release)
        window.installEventFilter(self)
        for source in inputs:
            source.installEventFilter(self)

    @classmethod
    def over_view(cls, view: QAbstractItemView, window: QWidget, *,
                  after: Callable[[Callable[[], None]], None] | None = None) -> PaintHold:
        """A hold of `view`'s viewport, armed by the mouse presses and keys `view` receives.

        With `after` (AfterFirstPaint.call), the viewport is reached once the window has
        painted: PySide's first `viewport()` resolves the returned widget's Python type by
        building the wrappers of every QWidget subclass it might be (~70 enums, ~11 ms), and
        the first paint needs none of them. Until then the hold is inert (nothing can be
        clicked, and no chart opens, before the window is on screen)."""
        hold = cls(None, window, inputs=(view,))

        def attach() -> None:
            hold._widget = view.viewport()
            hold._widget.installEventFilter(hold)

        (after or (lambda start: start()))(attach)
        return hold

    @property
    def held(self) -> bool:
        return self._held

    def set_timeout_ms(self, timeout_ms: int) -> None:
        """The longest a hold lasts (tests on a loaded machine lengthen it)."""
        self._timer.setInterval(timeout_ms)

    def arm(self) -> None:
        """Before an input or a call that may select a patient: hold, unclaimed (released at
        the next turn of the event loop unless a chart load claims it)."""
        if self.held:  # a newer selection while a chart loads: the list paints now
            self.release()
        elif self._widget is not None and self._widget.updatesEnabled():  # nobody holds it
            self._held, self._claimed, self._after_paint = True, False, False
            self._widget.setUpdatesEnabled(False)
            self._timer.start()
            QTimer.singleShot(0, self, self._release_unclaimed)

    def hold(self) -> None:
        """A chart load started: claim the armed hold (a load not armed for holds nothing)."""
        self._claimed = self.held

    def release_after_paint(self) -> None:
        """The chart is drawn: end the hold once the window has painted it."""
        self._after_paint = self.held

    def release(self) -> None:
        """End the hold (if any): the widget is updated whole."""
        if not self.held:
            return
        self._timer.stop()
        self._held = self._claimed = self._after_paint = False
        self._widget.setUpdatesEnabled(True)

    def releasing(self, handler: Callable[[Exception], None]) -> Callable[[Exception], None]:
        """`handler`, ending the hold first (an error handler: the list is never left held)."""
        def handle(error: Exception) -> None:
            self.release()
            handler(error)

        return handle

    def _release_unclaimed(self) -> None:
        if not self._claimed:
            self.release()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind in _INPUT:
            self.arm()
        elif kind == QEvent.Type.UpdateRequest and self._after_paint:
            self._after_paint = False
            QTimer.singleShot(0, self, self.release)  # after this paint of the window
        return False
