"""Run a pure function off the GUI thread and deliver its result back to it by a signal.

Each task runs in a QThreadPool; its result (or exception) is emitted from the worker thread
on a QObject that lives in the GUI thread, so Qt queues the call into the GUI thread. A task
carries a "channel" and a generation number: starting a newer task on the same channel makes
the older one's result stale, and stale results are dropped unseen (clicking quickly through
patients shows only the last one). Functions open their own Session (HOUSE_STYLE.md).
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger("dfu_monitor.ui")


class _Relay(QObject):
    """Lives in the GUI thread; signals emitted from workers are queued into it."""

    finished = Signal(str, int, object)
    failed = Signal(str, int, object)


class _Task(QRunnable):
    def __init__(self, relay: _Relay, channel: str, generation: int, is_current: Callable[[], bool],
                 function: Callable[[], Any]):
        super().__init__()
        self._relay, self._channel, self._generation = relay, channel, generation
        self._is_current, self._function = is_current, function

    def run(self) -> None:
        if not self._is_current():  # superseded while queued: skip the work
            return
        try:
            result = self._function()
        except Exception as exc:  # delivered to the GUI thread, shown there
            log.debug("background task %s failed", self._channel, exc_info=True)
            self._relay.failed.emit(self._channel, self._generation, exc)
        else:
            self._relay.finished.emit(self._channel, self._generation, result)


class BackgroundRunner(QObject):
    """A small pool for the window's loads; one current task per channel."""

    def __init__(self, parent: QObject | None = None, *, threads: int = 2):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._generations: dict[str, int] = {}
        self._callbacks: dict[tuple[str, int], tuple[Callable, Callable | None]] = {}

    def submit(self, channel: str, function: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[Exception], None] | None = None) -> int:
        """Run `function()` in the pool; `on_done(result)` later runs in the GUI thread."""
        generation = self._generations.get(channel, 0) + 1
        self._generations[channel] = generation
        self._callbacks = {key: value for key, value in self._callbacks.items()
                           if key[0] != channel}
        self._callbacks[(channel, generation)] = (on_done, on_error)

        def is_current() -> bool:
            return self._generations.get(channel) == generation

        self._pool.start(_Task(self._relay, channel, generation, is_current, function))
        return generation

    def busy(self, channel: str) -> bool:
        """True while the current task of `channel` has not delivered its result."""
        return (channel, self._generations.get(channel, 0)) in self._callbacks

    def _take(self, channel: str, generation: int):
        if self._generations.get(channel) != generation:
            return None
        return self._callbacks.pop((channel, generation), None)

    def _on_finished(self, channel: str, generation: int, result: object) -> None:
        callbacks = self._take(channel, generation)
        if callbacks is not None:
            callbacks[0](result)

    def _on_failed(self, channel: str, generation: int, error: object) -> None:
        callbacks = self._take(channel, generation)
        if callbacks is None:
            return
        if callbacks[1] is None:
            raise error  # type: ignore[misc]  # surfaces through Qt's exception hook
        callbacks[1](error)  # type: ignore[arg-type]

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every queued task has run (at shutdown and in tests)."""
        return self._pool.waitForDone(msecs)
