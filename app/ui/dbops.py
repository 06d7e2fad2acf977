"""The window's database-operation runner: every database access of the UI goes through it.

Modelled on Anki's `QueryOp` / `CollectionOp` (qt/aqt/operations):

- `read(channel, op, on_done)` runs `op(session)` in a read session; `write(op, changes,
  on_done)` runs `op(session)` in one write transaction, commits it, and says what changed.
  Each op opens its own session (docs/house_style.md: no Session shared across threads).
- Every op runs on ONE serialised database worker thread, in submission order, so the GUI
  thread never waits for SQLite's lock, a PostgreSQL round trip or an argon2 hash.
- Results come back on the GUI thread: `on_done(result)`, or `on_error(exc)`; without an
  `on_error` the error is shown in a message box in the clinic's words (never a traceback).
- A read on a `channel` supersedes the older read of that channel: clicking quickly through
  patients only delivers the last chart. Writes are never skipped.
- After a write commits, `changed` is emitted with its `Changes` (patients, visits, photos,
  settings, users). Views refresh from it; the change feed of other workstations
  (app.services.change_feed) is fed into the same signal by `announce()`, and a write
  commits inside the feed's `own_commit`, so the feed never reports it a second time.
- `background(channel, work, on_done)` runs Qt-free work that needs no database (building a
  PDF from records already read) on a separate thread, so it never holds up the database.
"""
from __future__ import annotations

import logging
import threading
from contextlib import ExitStack
from typing import Any, Callable, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.changes import Changes

log = logging.getLogger("dfu_monitor.ui")

T = TypeVar("T")
ChangesOf = Changes | Callable[[Any], Changes]


class _Relay(QObject):
    """Lives in the GUI thread; signals emitted from other threads are queued into it."""

    done = Signal(int)
    arrived = Signal(object)  # Changes from the change feed's thread


class _Job(QRunnable):
    """One op; its outcome goes to the runner's mailbox, then the relay wakes the GUI thread."""

    def __init__(self, runner: DatabaseRunner, ticket: int, work: Callable[[], Any]):
        super().__init__()
        self._runner, self._ticket, self._work = runner, ticket, work

    def run(self) -> None:
        runner, ticket = self._runner, self._ticket
        if runner.is_stale(ticket):  # superseded while queued: skip the work
            outcome: tuple[bool, Any] = (True, None)
        else:
            try:
                outcome = (True, self._work())
            except Exception as exc:  # delivered to the GUI thread, shown there
                log.debug("database op %s failed", ticket, exc_info=True)
                outcome = (False, exc)
        with runner.lock:
            runner.mailbox[ticket] = outcome
        runner.relay.done.emit(ticket)


class _Pending:
    __slots__ = ("channel", "on_done", "on_error", "changes", "job", "parent")

    def __init__(self, channel, on_done, on_error, changes, job, parent):
        self.channel, self.on_done, self.on_error = channel, on_done, on_error
        self.changes, self.job, self.parent = changes, job, parent


class DatabaseRunner(QObject):
    """One serialised database worker for a window, and the `changed` signal of its writes."""

    changed = Signal(object)  # Changes, on the GUI thread

    def __init__(self, db: Any, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db
        self._database_pool = QThreadPool(self)
        self._database_pool.setMaxThreadCount(1)  # serialised: one op at a time, in order
        self._background_pool = QThreadPool(self)
        self._background_pool.setMaxThreadCount(1)
        self.relay = _Relay(self)
        self.relay.done.connect(self._deliver)
        self.relay.arrived.connect(self.announce)
        self._feed: Any = None
        self.lock = threading.Lock()
        self.mailbox: dict[int, tuple[bool, Any]] = {}
        self._pending: dict[int, _Pending] = {}
        self._current: dict[str, int] = {}
        self._tickets = 0

    # -- submitting ------------------------------------------------------------------------
    def read(self, channel: str, op: Callable[[Any], T], on_done: Callable[[T], None], *,
             on_error: Callable[[Exception], None] | None = None,
             parent: QWidget | None = None) -> int:
        """Run `op(session)` in a read session on the database worker."""
        def work() -> T:
            with self.db.read() as session:
                return op(session)

        return self._submit(self._database_pool, channel, work, on_done, on_error, None, parent)

    def write(self, op: Callable[[Any], T], *, changes: ChangesOf,
              on_done: Callable[[T], None] | None = None,
              on_error: Callable[[Exception], None] | None = None,
              parent: QWidget | None = None) -> int:
        """Run `op(session)` in one write transaction; after the commit, announce `changes`
        (a value, or a function of the op's result) and call `on_done(result)`."""
        feed = self._feed

        def work() -> T:
            with ExitStack() as after_commit:
                with self.db.write() as session:
                    result = op(session)
                    if feed is not None:  # this commit is announced here, not by the feed
                        after_commit.enter_context(feed.own_commit(session))
                return result

        return self._submit(self._database_pool, None, work, on_done, on_error, changes,
                            parent)

    def call(self, channel: str | None, work: Callable[[], T], on_done: Callable[[T], None], *,
             changes: ChangesOf | None = None,
             on_error: Callable[[Exception], None] | None = None,
             parent: QWidget | None = None) -> int:
        """Run `work()` on the database worker when it manages its own transaction
        (backup, restore, an import of a whole visit sheet): still serialised with every op.
        With `changes`, the feed does not report its commits back (on a server)."""
        feed = self._feed
        if changes is not None and feed is not None:
            def signed() -> T:
                with feed.own_work():
                    return work()

            return self._submit(self._database_pool, channel, signed, on_done, on_error,
                                changes, parent)
        return self._submit(self._database_pool, channel, work, on_done, on_error, changes,
                            parent)

    def background(self, channel: str, work: Callable[[], T], on_done: Callable[[T], None], *,
                   on_error: Callable[[Exception], None] | None = None,
                   parent: QWidget | None = None) -> int:
        """Run Qt-free work that needs no database (PDF layout) off the GUI thread."""
        return self._submit(self._background_pool, channel, work, on_done, on_error, None,
                            parent)

    def announce(self, changes: Changes) -> None:
        """Tell every view what changed (from a write here or from another workstation)."""
        if not changes.is_empty():
            self.changed.emit(changes)

    def follow_other_workstations(self) -> None:
        """Feed what other windows, processes and workstations commit into `changed`
        (LISTEN/NOTIFY on a server, `PRAGMA data_version` on an SQLite file)."""
        from app.services.change_feed import ChangeFeed

        if self._feed is None:
            self._feed = ChangeFeed.for_database(self.db).start(self.relay.arrived.emit)

    def stop_following(self) -> None:
        if self._feed is not None:
            self._feed.stop()
            self._feed = None

    # -- state -----------------------------------------------------------------------------
    def is_stale(self, ticket: int) -> bool:
        pending = self._pending.get(ticket)
        return (pending is not None and pending.channel is not None
                and self._current.get(pending.channel) != ticket)

    def busy(self, channel: str) -> bool:
        """True while the current op of `channel` has not delivered its result."""
        ticket = self._current.get(channel)
        return ticket is not None and ticket in self._pending

    def idle(self) -> bool:
        return not self._pending

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every queued op has run (at shutdown and in tests)."""
        return (self._database_pool.waitForDone(msecs)
                and self._background_pool.waitForDone(msecs))

    # -- internals -------------------------------------------------------------------------
    def _submit(self, pool: QThreadPool, channel: str | None, work: Callable[[], Any],
                on_done: Callable[[Any], None] | None,
                on_error: Callable[[Exception], None] | None, changes: ChangesOf | None,
                parent: QWidget | None) -> int:
        self._tickets += 1
        ticket = self._tickets
        if channel is not None:
            self._current[channel] = ticket
        job = _Job(self, ticket, work)
        job.setAutoDelete(False)  # owned by Python, dropped in the GUI thread when done
        self._pending[ticket] = _Pending(channel, on_done, on_error, changes, job, parent)
        pool.start(job)
        return ticket

    def _deliver(self, ticket: int) -> None:
        pending = self._pending.pop(ticket, None)
        with self.lock:
            succeeded, value = self.mailbox.pop(ticket, (True, None))
        if pending is None:
            return
        if pending.channel is not None and self._current.get(pending.channel) != ticket:
            return  # stale: a newer op of the channel was submitted
        if pending.channel is not None:
            self._current.pop(pending.channel, None)
        if not succeeded:
            self._fail(pending, value)
            return
        if pending.changes is not None:
            changes = pending.changes(value) if callable(pending.changes) else pending.changes
            self.announce(changes)
        if pending.on_done is not None:
            pending.on_done(value)

    def _fail(self, pending: _Pending, error: Exception) -> None:
        if pending.on_error is not None:
            pending.on_error(error)
            return
        log.warning("database op failed: %s", type(error).__name__)
        show_error(pending.parent, error)


def _tr(text: str) -> str:
    return QCoreApplication.translate("DatabaseRunner", text)


def user_message(error: Exception) -> str:
    """What to tell the user about `error`: the app's own errors speak the clinic's words;
    anything else is named by its kind only (its text may hold patient data or SQL)."""
    from app.db import DatabaseError, ServerBusy, ServerUnavailable
    from app.services.errors import UserError

    if isinstance(error, ServerUnavailable):  # the network or the server went away
        return _tr("The clinic server cannot be reached: {0}").format(error)
    if isinstance(error, ServerBusy):
        return _tr("The clinic server is busy: {0}").format(error)
    if isinstance(error, (UserError, DatabaseError)):
        return str(error)
    return _tr("The operation failed ({kind}). Nothing was changed.").format(
        kind=type(error).__name__)


def show_error(parent: QWidget | None, error: Exception) -> None:
    QMessageBox.warning(parent, _tr("Could not complete"), user_message(error))
