"""A clinic server's connections in as few round trips as the guarantees allow.

Over a network (or a loaded machine) every message that waits for the server's answer costs
more than the work behind it, so app/db_server.py's engine gets:

- **No ping per checkout.** A pooled connection is pinged only when its socket has something
  to read while idle (the server closed it or said why: a restart, an administrator) or after
  PING_AFTER_IDLE_SECONDS; a failed ping makes the pool connect afresh, so the app still
  reconnects by itself. A connection the server drops while it is in use fails that one
  operation ("nothing was saved"), and SQLAlchemy then replaces every pooled connection.
- **Reads without BEGIN and ROLLBACK** (`read_options`): under READ COMMITTED each statement
  takes its own snapshot anyway, so a read-only unit of work in autocommit sees exactly what
  it would inside a transaction. A write in such a session is refused before it is sent
  (it would commit at once); a streaming read (a server-side cursor) gets its BEGIN.
- **Write transactions that begin in one message** (`write_options`): the driver is left in
  autocommit and the BEGIN event sends `set lock_timeout; the writer lock; BEGIN; the audit
  chain's head` as one simple query. PostgreSQL runs the statements of one message in turn,
  the BEGIN taking the lock statement into the transaction block, and under READ COMMITTED
  the head is read after the lock was granted: it is the head every other writer left. The
  audit trail uses it instead of reading it again (app.db.serialise_writers).
- **NOTIFY with the COMMIT**: notifications queued by the transaction go in the COMMIT's
  message; the server still delivers them only if the commit succeeds.

A statement of a write transaction that would run outside its transaction block (autocommit)
is refused before it is sent.
"""
from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy import exc as sa_exc

WRITE_LOCK_KEY = 0x44465530  # "DFU0": the clinic's one writer lock
CHANNEL = "dfu_changes"
LOCK_TIMEOUT = "60s"  # a writer waits this long for another workstation's save
PING_AFTER_IDLE_SECONDS = 30.0
_LOCK = (f"SELECT set_config('lock_timeout', '{LOCK_TIMEOUT}', true), "
         f"pg_advisory_xact_lock({WRITE_LOCK_KEY})")
_HEAD = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
WRITE_BEGIN = f"{_LOCK}; BEGIN; {_HEAD}"
_HEAD_KEY, _NOTIFY_KEY = "dfu_audit_head", "dfu_notify"
_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE


def read_options() -> dict[str, Any]:
    return {"isolation_level": "AUTOCOMMIT", "dfu_read": True}


def write_options() -> dict[str, Any]:
    return {"isolation_level": "AUTOCOMMIT", "dfu_write": True}


def install(engine: Engine) -> None:
    event.listen(engine.pool, "checkin", _note_checkin)
    event.listen(engine.pool, "checkout", _ping_if_stale)
    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "before_cursor_execute", _guard)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _forget)


# -- the pool ---------------------------------------------------------------------------------
def _note_checkin(_dbapi_connection, record) -> None:
    record.info["dfu_idle_since"] = time.monotonic()


def _ping_if_stale(dbapi_connection, record, _proxy) -> None:
    idle_since = record.info.get("dfu_idle_since")
    if idle_since is None:  # fresh from connect
        return
    if time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS and not _readable(
            dbapi_connection):
        return
    try:
        before = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # no BEGIN for the ping
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.autocommit = before
    except Exception:  # psycopg.OperationalError: the server is gone
        raise sa_exc.DisconnectionError("the pooled server connection was closed") from None


def _readable(dbapi_connection) -> bool:
    """An idle connection has nothing to read: end of file or a message means the server
    closed it. No round trip."""
    try:
        ready, _, _ = select.select([dbapi_connection.pgconn.socket], [], [], 0)
    except Exception:  # no socket any more
        return True
    return bool(ready)


# -- write transactions -----------------------------------------------------------------------
def owns_begin(connection: Connection) -> bool:
    """A write transaction whose BEGIN this module sends (the driver in autocommit)."""
    return (connection.get_execution_options().get("dfu_write", False)
            and connection.connection.dbapi_connection.autocommit)


def _on_begin(connection: Connection) -> None:
    if not connection.get_execution_options().get("dfu_write", False):
        return
    _forget(connection)  # nothing of an earlier transaction on this connection
    if not owns_begin(connection):  # the driver sent BEGIN: lock, then the head
        result = connection.exec_driver_sql(f"{_LOCK}; {_HEAD}")
        skip = 1
    else:
        result = connection.exec_driver_sql(WRITE_BEGIN)
        skip = 2
    cursor = result.cursor
    for _ in range(skip):
        cursor.nextset()
    connection.info[_HEAD_KEY] = (cursor.fetchone(),)
    result.close()


def take_chain_head(connection: Connection) -> tuple[tuple[int, str] | None] | None:
    """The audit chain's (id, hash) read with the writer lock at BEGIN, in a 1-tuple (None
    inside it: an empty trail); None when it was not read (or already taken)."""
    return connection.info.pop(_HEAD_KEY, None)


def _guard(connection: Connection, _cursor, statement: str, _parameters, context,
           _executemany) -> None:
    """Refuse, before it is sent, a statement of a write transaction outside its block and
    a write in a read-only unit of work (it would commit at once). A read that streams
    (yield_per: a server-side cursor) begins a transaction block for its cursor."""
    options = connection.get_execution_options()
    if options.get("dfu_read"):
        if statement.lstrip()[:6].upper() in _WRITES:
            raise sa_exc.InvalidRequestError("a read-only unit of work may not write "
                                             "(nothing was sent)")
        dbapi_connection = connection.connection.dbapi_connection
        if (context is not None and context.execution_options.get("stream_results")
                and dbapi_connection.info.transaction_status == _IDLE):
            dbapi_connection.execute("BEGIN")  # ended by the read's ROLLBACK
    if (options.get("dfu_write") and statement != WRITE_BEGIN
            and connection.connection.dbapi_connection.info.transaction_status == _IDLE
            and connection.connection.dbapi_connection.autocommit):
        raise sa_exc.InvalidRequestError("a write statement outside its transaction block "
                                         "was refused (nothing was sent)")


_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE ", "TRUNCA", "CREATE", "DROP "})


def queue_notify(connection: Connection, payload: str) -> bool:
    """Send `payload` on CHANNEL with this transaction's COMMIT; False when the caller must
    send it now (not a write transaction of this module)."""
    if not owns_begin(connection):
        return False
    literal = payload.replace("'", "''")
    connection.info.setdefault(_NOTIFY_KEY, []).append(f"NOTIFY {CHANNEL}, '{literal}'")
    return True


def _on_commit(connection: Connection) -> None:
    notes = connection.info.pop(_NOTIFY_KEY, None)
    connection.info.pop(_HEAD_KEY, None)
    if notes and owns_begin(connection):  # the driver's commit() then finds nothing to do
        connection.exec_driver_sql("; ".join([*notes, "COMMIT"]))


def _forget(connection: Connection) -> None:
    connection.info.pop(_NOTIFY_KEY, None)
    connection.info.pop(_HEAD_KEY, None)
