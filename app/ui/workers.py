"""Run a pure function off the GUI thread and deliver its result back to it by a signal.

- Each task runs in a QThreadPool, leaves its result (or exception) in a mailbox and emits a
  payload-free signal on a QObject living in the GUI thread; Qt queues that call into the GUI
  thread, which collects the result.
- Tasks are owned by Python (autoDelete off) and dropped in the GUI thread, so no Python
  object is ever freed by Qt in a worker thread.
- A task carries a channel and a generation number: a newer task on the same channel makes
  the older one stale; a stale task skips its work if it has not started, and its result is
  dropped unseen (clicking quickly through patients shows only the last one).
- Functions open their own Session (HOUSE_STYLE.md: no Session shared across threads).
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger("dfu_monitor.ui")


class _Relay(QObject):
    """Lives in the GUI thread; signals emitted from workers are queued into it."""

    done = Signal(str, int)


class _Task(QRunnable):
    def __init__(self, runner: BackgroundRunner, channel: str, generation: int,
                 function: Callable[[], Any]):
        super().__init__()
        self._runner, self._channel, self._generation = runner, channel, generation
        self._function = function

    def run(self) -> None:
        runner, key = self._runner, (self._channel, self._generation)
        if not runner.is_current(*key):  # superseded while queued: skip the work
            runner.relay.done.emit(*key)
            return
        try:
            outcome = (True, self._function())
        except Exception as exc:  # delivered to the GUI thread, shown there
            log.debug("background task %s failed", self._channel, exc_info=True)
            outcome = (False, exc)
        with runner.lock:
            runner.mailbox[key] = outcome
        runner.relay.done.emit(*key)


class BackgroundRunner(QObject):
    """A small pool for the window's loads; one current task per channel."""

    def __init__(self, parent: QObject | None = None, *, threads: int = 2):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self.relay = _Relay(self)
        self.relay.done.connect(self._on_done)
        self.lock = threading.Lock()
        self.mailbox: dict[tuple[str, int], tuple[bool, Any]] = {}
        self._generations: dict[str, int] = {}
        self._callbacks: dict[tuple[str, int], tuple[Callable, Callable | None]] = {}
        self._tasks: dict[tuple[str, int], _Task] = {}

    def submit(self, channel: str, function: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[Exception], None] | None = None) -> int:
        """Run `function()` in the pool; `on_done(result)` later runs in the GUI thread."""
        generation = self._generations.get(channel, 0) + 1
        self._generations[channel] = generation
        self._callbacks = {key: value for key, value in self._callbacks.items()
                           if key[0] != channel}
        self._callbacks[(channel, generation)] = (on_done, on_error)

        task = _Task(self, channel, generation, function)
        task.setAutoDelete(False)  # owned by Python, dropped in the GUI thread when done
        self._tasks[(channel, generation)] = task
        self._pool.start(task)
        return generation

    def is_current(self, channel: str, generation: int) -> bool:
        return self._generations.get(channel) == generation

    def busy(self, channel: str) -> bool:
        """True while the current task of `channel` has not delivered its result."""
        return (channel, self._generations.get(channel, 0)) in self._callbacks

    def _on_done(self, channel: str, generation: int) -> None:
        self._tasks.pop((channel, generation), None)
        with self.lock:
            succeeded, value = self.mailbox.pop((channel, generation), (True, None))
        if self._generations.get(channel) != generation:
            return  # stale: a newer task of the channel has been submitted
        callbacks = self._callbacks.pop((channel, generation), None)
        if callbacks is None:
            return
        on_done, on_error = callbacks
        if succeeded:
            on_done(value)
        elif on_error is None:
            raise value  # surfaces through Qt's exception hook
        else:
            on_error(value)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every queued task has run (at shutdown and in tests)."""
        return self._pool.waitForDone(msecs)
