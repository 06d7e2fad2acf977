"""Live updates between workstations: who changed what, delivered to every open window.

Publishing (a server): every write transaction that changed clinical rows, settings or users
sends one NOTIFY on app.db_server.CHANNEL with a compact `Changes` payload, inside the same
transaction, so the server delivers it only if the transaction commits. The Session hooks
collect ids at each flush and send at `before_commit`; bulk writers (the demo seeder) call
`note_changes`. SQLite sends nothing: its listeners poll `PRAGMA data_version`, which moves
whenever another connection (window, process, command line) commits.

Listening: `ChangeFeed(db).start(callback)` runs a daemon thread: on a server its own
psycopg connection LISTENs (reconnecting by itself, and then reporting "everything" as
notifications may have been missed); on SQLite it polls data_version every half second. The
callback runs on that thread with a `Changes` value: a Qt caller hands it to the GUI thread
(a queued signal) and reloads the views it touches. A notification is delivered as soon as
it arrives; the rest of a burst (COALESCE_SECONDS) comes as one more delivery.

A window's own commits are not reported back (it has announced them already, and a second
reload of the list and chart would follow each save): its runner commits inside
`own_commit(session)`. On a server the NOTIFY then names the feed's `sender` and the feed
skips it; on SQLite the feed looks at data_version just before that commit (while BEGIN
IMMEDIATE keeps every other writer out, so what moved it was someone else) and takes the
value after it as its new baseline.
"""
from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app import db_files, db_server
from app.services.changes import Changes

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
COALESCE_SECONDS = 0.1  # after a delivery, the rest of a burst arrives as one more
RECONNECT_SECONDS = 1.0
_KEY = "dfu_changes"
_SENDER = "dfu_changes_sender"  # the window whose runner writes this session
_signing = threading.local()  # .sender: the window whose runner runs work on this thread
_VISITS = "dfu_changes_visit_patients"  # visit id -> patient id, this transaction
_PATIENT_TABLES = frozenset({"ulcer", "adverse_event", "patient_note"})
_SETTINGS_TABLES = frozenset({"setting", "reference_range"})


# -- publishing -------------------------------------------------------------------------------
def install_publisher() -> None:
    """Register the Session hooks once per process (idempotent)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _forget)


def note_changes(session: Session, changes: Changes) -> None:
    """Add what a bulk write changed (rows written without the ORM) to this transaction's
    notification."""
    install_publisher()
    session.info[_KEY] = session.info.get(_KEY, Changes()).merge(changes)


def _after_flush(session: Session, _context) -> None:
    if not db_server.is_server(session.get_bind()):
        return
    found: dict[str, set[int]] = {"p": set(), "v": set(), "ph": set()}
    flags = {"settings": False, "users": False}
    flushed = (*session.new, *session.dirty, *session.deleted)
    # Visits of this flush are not in the identity map yet: their patients from here.
    known = session.info.setdefault(_VISITS, {})
    known.update({o.id: o.patient_id for o in flushed
                  if getattr(o, "__tablename__", "") == "visit" and o.id is not None})
    for obj in flushed:
        _classify(session, obj, found, flags)
    changes = Changes.of(patients=found["p"], visits=found["v"], photos=found["ph"], **flags)
    if not changes.is_empty():
        session.info[_KEY] = session.info.get(_KEY, Changes()).merge(changes)


def _classify(session: Session, obj: Any, found: dict[str, set[int]],
              flags: dict[str, bool]) -> None:
    table = getattr(obj, "__tablename__", "")
    values = inspect(obj).dict
    if table == "patient":
        found["p"].add(values.get("id"))
    elif table == "visit":
        found["v"].add(values.get("id"))
        found["p"].add(values.get("patient_id"))
    elif table in _SETTINGS_TABLES:
        flags["settings"] = True
    elif table == "app_user":
        flags["users"] = True
    elif "photo" in table:
        found["ph"].add(values.get("id"))
        found["p"].add(values.get("patient_id"))
        found["v"].add(values.get("visit_id"))
    elif table in _PATIENT_TABLES or "patient_id" in values:
        found["p"].add(values.get("patient_id"))
    elif values.get("visit_id") is not None:
        found["v"].add(values["visit_id"])
        found["p"].add(_visit_patient(session, values["visit_id"]))
    for ids in found.values():
        ids.discard(None)


def _visit_patient(session: Session, visit_id: int) -> int | None:
    from app.models import Visit

    known = session.info.setdefault(_VISITS, {})
    if visit_id not in known:
        loaded = session.identity_map.get((Visit, (visit_id,), None))
        known[visit_id] = loaded.patient_id if loaded is not None else (
            session.connection().execute(
                select(Visit.patient_id).where(Visit.id == visit_id)).scalar())
    return known[visit_id]


def _before_commit(session: Session) -> None:
    session.info.pop(_VISITS, None)
    changes: Changes | None = session.info.pop(_KEY, None)
    if changes is None or changes.is_empty():
        return
    connection = session.connection()
    sender = session.info.get(_SENDER) or getattr(_signing, "sender", None)
    db_server.notify(connection, changes.to_payload(sender=sender))


def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
    session.info.pop(_VISITS, None)
    session.info.pop(_SENDER, None)


# -- listening --------------------------------------------------------------------------------
class ChangeFeed:
    """Tells `callback` what other connections committed: LISTEN/NOTIFY on a server,
    `PRAGMA data_version` polling on an SQLite file. `start` once, `stop` to end."""

    def __init__(self, url: str, *, passphrase: str | None = None,
                 poll_seconds: float = POLL_SECONDS):
        self.url = url
        self._passphrase = passphrase
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._callback: Callable[[Changes], object] | None = None
        self.ready = threading.Event()  # set once the feed listens (tests wait for it)
        self.sender = uuid.uuid4().hex[:16]  # names this window's NOTIFYs (own_commit)
        # SQLite: the feed's connection and the data_version last seen on it, shared with
        # own_commit on the database worker's thread, under the lock.
        self._lock = threading.Lock()
        self._file: Any = None
        self._version: int | None = None
        self.looks = 0  # how often the SQLite loop has looked (tests wait for a look)

    @classmethod
    def for_database(cls, db, **kwargs) -> ChangeFeed:
        return cls(db.url, passphrase=db.passphrase, **kwargs)

    @property
    def is_server(self) -> bool:
        from sqlalchemy.engine import make_url

        return make_url(self.url).get_backend_name() == "postgresql"

    def start(self, callback: Callable[[Changes], object]) -> ChangeFeed:
        if self._thread is not None:
            raise RuntimeError("the change feed is already started")
        self._callback = callback
        target = self._listen if self.is_server else self._watch_file
        self._thread = threading.Thread(target=target, name="dfu-change-feed", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @contextmanager
    def own_commit(self, session: Session) -> Iterator[None]:
        """Enter inside a write transaction of this window, just before its commit; leave
        after the commit: that commit is not reported back. Commits of anyone else are,
        those just before it included."""
        if self.is_server:
            session.info[_SENDER] = self.sender
            yield
            return
        session.connection()  # BEGIN IMMEDIATE taken: no other writer commits until ours
        with self._lock:
            if self._moved():  # someone else committed since the last look
                self._deliver(Changes.all())
            yield  # the commit; when it fails, nothing of ours moved the version
            self._moved()  # our own commit: the new baseline, not reported

    @contextmanager
    def own_work(self) -> Iterator[None]:
        """Around work on this thread that manages its own transactions and whose changes
        its caller announces (an import): on a server its NOTIFYs are not reported back.
        (On SQLite they still are: data_version cannot tell whose commit moved it.)"""
        _signing.sender = self.sender
        try:
            yield
        finally:
            _signing.sender = None

    def _moved(self) -> bool:
        """SQLite, under the lock: has data_version moved since the last look?"""
        if self._file is None:
            return False
        now = db_files.data_version(self._file)
        moved, self._version = now != self._version, now
        return moved

    def _deliver(self, changes: Changes) -> None:
        if changes.is_empty() or self._stop.is_set():
            return
        try:
            self._callback(changes)
        except Exception:  # a failing receiver must not end the feed
            log.exception("change feed callback failed")

    # -- PostgreSQL ---------------------------------------------------------------------------
    def _listen(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                connection = self._connect()
            except Exception as exc:  # server down: try again shortly
                log.info("change feed: cannot reach the server (%s)", type(exc).__name__)
                self._stop.wait(RECONNECT_SECONDS)
                continue
            if not first:  # notifications sent while disconnected are lost: reload all
                self._deliver(Changes.all())
            first = False
            self.ready.set()
            try:
                self._receive(connection)
            except Exception as exc:  # connection lost
                log.info("change feed: connection lost (%s)", type(exc).__name__)
            finally:
                connection.close()

    def _connect(self):
        import psycopg

        params = db_server.connect_parameters(self.url)
        connection = psycopg.connect(**params, autocommit=True)
        db_server.listen(connection)
        return connection

    def _receive(self, connection) -> None:
        while not self._stop.is_set():
            notes = list(connection.notifies(timeout=self._poll, stop_after=1))
            if not notes:
                connection.execute("SELECT 1")  # notices a dropped server while idle
                continue
            notes += connection.notifies(timeout=0)  # what arrived with it
            if self._deliver_notes(notes):  # at once: a lone change waits for nothing
                self._deliver_notes(list(connection.notifies(timeout=COALESCE_SECONDS)))

    def _deliver_notes(self, notes: list) -> bool:
        """Deliver the notifications of other windows as one Changes; True if any."""
        payloads = [n.payload for n in notes if Changes.sender_of(n.payload) != self.sender]
        if payloads:
            self._deliver(Changes.merge_all(Changes.from_payload(p) for p in payloads))
        return bool(payloads)

    # -- SQLite -------------------------------------------------------------------------------
    def _watch_file(self) -> None:
        from app.db import sqlite_path

        path = sqlite_path(self.url)
        if path is None:
            raise ValueError(f"no change feed for {self.url}")
        connection = db_files.connect(path, passphrase=self._passphrase)
        try:
            with self._lock:
                self._file, self._version = connection, db_files.data_version(connection)
            self.ready.set()
            while not self._stop.wait(self._poll):
                with self._lock:
                    moved = self._moved()
                    self.looks += 1
                if moved:
                    self._deliver(Changes.all())
        finally:
            with self._lock:
                self._file = None
            connection.close()

