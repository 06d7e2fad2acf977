"""The audit trail: who changed which field of which record, when, from what, to what, and why.

One row per field for every create, change and delete of clinical data (21 CFR 11.10(e)),
written by a flush listener, so every service is covered without writing audit code of its
own: a service only says who is acting (`act_as`). Each row carries the hash of the row before
it, so an edited or removed row breaks the chain that `verify_chain` walks. Exports, report
printing, backups and logins are events (`record_event`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Float, event, insert, inspect, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.util import identity_key

from app.db import serialise_writers
from app.db_bulk import bulk_insert
from app.models import AuditEntry, Base, Patient, Visit
from app.models.base import utc_now
from app.services.actor import Actor
from app.services.errors import PermissionDenied

GENESIS = "0" * 64
UNATTRIBUTED = "unknown"

# Tables whose rows are audited, and the permission a change to them needs. Users are checked
# by app.services.users itself (a log-in updates its own lockout bookkeeping).
AUDITED: dict[str, str | None] = {
    "patient": "register", "ulcer": "record", "visit": "record", "assessment": "record",
    "lab_result": "record", "perfusion_imaging": "record", "treatment": "record",
    "adverse_event": "record", "setting": "settings", "reference_range": "settings",
    "app_user": None, "photo": "record",  # photo_blob: bytes, named by the photo's sha256
}
# Bookkeeping columns: derived, or already said by the audit row itself.
_NOT_AUDITED = frozenset({"id", "version", "created_at", "updated_at", "created_by", "updated_by",
                          "name_search", "mrn_key", "entered_at", "failed_attempts",
                          "locked_until", "last_login_at"})
_SECRET = "password_hash"


@dataclass(frozen=True)
class AuditRecord:
    """One audit row, for the Audit tab and `audit --json`."""

    id: int
    at: dt.datetime  # UTC
    user: str
    action: str
    table: str | None
    row_id: str | None
    patient_id: int | None
    field: str | None
    old: str | None
    new: str | None
    reason: str | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(timespec="seconds") + "Z",
                "user": self.user, "action": self.action, "table": self.table, "row": self.row_id,
                "patient_id": self.patient_id, "field": self.field, "old": self.old,
                "new": self.new, "reason": self.reason}


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the hash chain; `first_broken` is the id of the first bad row."""

    rows: int
    first_broken: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken is None


# -- who is acting ----------------------------------------------------------------------------
def act_as(session: Session, actor: Actor, *, reason: str | None = None) -> None:
    """Attribute this session's changes to `actor` (and `reason`, when one is given)."""
    install()
    reason = reason.strip() if reason and reason.strip() else None
    previous = (session.info.get("actor"), session.info.get("audit_reason"))
    if previous[0] is not None and previous != (actor, reason):
        session.flush()  # what was done before stays with its own actor and reason
    session.info["actor"], session.info["audit_reason"] = actor, reason


def install() -> None:
    """Register the flush listeners once per process (idempotent).

    Mapper events see every row the flush writes, orphans removed by a cascade included;
    `after_flush` then writes the collected rows while attribute history is still there.
    """
    from app.services.change_feed import install_publisher

    install_publisher()  # other workstations hear of what this session commits
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Base, "after_insert", _row_inserted, propagate=True)
        event.listen(Base, "after_update", _row_updated, propagate=True)
        event.listen(Base, "after_delete", _row_deleted, propagate=True)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_transaction_end", _forget_head)


def record_event(session: Session, actor: Actor, action: str, detail: str, *,
                 patient_id: int | None = None) -> None:
    """Write one event row (export, report printed, backup, log-in) into the trail."""
    _append(session, [_entry(at=utc_now(), user=actor.username, action=action,
                             patient_id=patient_id, new=detail)])


# -- the listener -----------------------------------------------------------------------------
def _before_flush(session: Session, _context, _instances) -> None:
    session.info["audit_pending"] = []
    actor: Actor | None = session.info.get("actor")
    for obj in (*session.new, *session.dirty, *session.deleted):
        _check_permission(actor, obj)


def _check_permission(actor: Actor | None, obj: Any) -> None:
    """Refuse, before anything is written, a change the acting role may not make, and any
    change of such records that nobody is acting for (fail closed: no actor, no change)."""
    permission = AUDITED.get(getattr(obj, "__tablename__", ""))
    if not permission:
        return
    table = obj.__tablename__.replace("_", " ")
    if actor is None:
        raise PermissionDenied(f"a change to {table} records needs a signed-in user "
                               "(the service did not say who is acting); nothing was saved")
    if not actor.can(permission):
        raise PermissionDenied(f"{actor.username} ({actor.role}) may not change "
                               f"{table} records")


def _row_written(action: str, target: Any) -> None:
    table = getattr(target, "__tablename__", None)
    session = object_session(target)
    if table in AUDITED and session is not None:
        session.info.setdefault("audit_pending", []).append((action, target))


def _row_inserted(_mapper, _connection, target) -> None:
    _row_written("create", target)


def _row_updated(_mapper, _connection, target) -> None:
    _row_written("update", target)


def _row_deleted(_mapper, _connection, target) -> None:
    _row_written("delete", target)


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    actor: Actor | None = session.info.get("actor")
    user = actor.username if actor else UNATTRIBUTED
    reason = session.info.get("audit_reason")
    at = utc_now()
    # Visits written by this flush are not in the identity map yet: their patients from here.
    visits: dict[int, int | None] = {obj.id: obj.patient_id for _, obj in pending
                                     if isinstance(obj, Visit) and obj.id is not None}
    entries: list[dict[str, Any]] = []
    for action, obj in pending:
        state = inspect(obj)
        _check_permission(actor, obj)  # orphans removed by a cascade, too
        changes = list(_changes(state, action))
        if not changes:  # flushed as dirty with no net change (an attribute set to its value)
            continue
        row_id = "/".join(str(v) for v in state.mapper.primary_key_from_instance(obj))
        patient_id = _patient_of(session, obj, visits)
        for field, old, new in changes:
            entries.append(_entry(at=at, user=user, action=action, table=obj.__tablename__,
                                  row_id=row_id, patient_id=patient_id, field=field, old=old,
                                  new=new, reason=reason))
    if entries:
        _append(session, entries)


def _changes(state, action: str) -> Iterable[tuple[str, str | None, str | None]]:
    """(field, old text, new text) for each audited column of one flushed object."""
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _NOT_AUDITED:
            continue
        if action == "create":  # no history needed: the new value is all there is
            old, new = None, state.dict.get(key)
        elif action == "delete":
            history = state.attrs[key].history
            old = (history.deleted or history.unchanged or [state.dict.get(key)])[0]
            new = None
        else:
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        if old is None and new is None or old == new:
            continue
        if key == _SECRET:  # never the hash of a password, let alone the password
            yield ("password", None if old is None else "(hidden)",
                   None if new is None else "(changed)")
            continue
        if isinstance(attr.columns[0].type, Float):  # 3 and 3.0 are one value: say "3.0"
            old, new = _as_float(old), _as_float(new)
        yield key, as_text(old), as_text(new)


def _as_float(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _patient_of(session: Session, obj: Any, visits: dict[int, int | None]) -> int | None:
    """The patient a row belongs to, so `audit --mrn` can find it."""
    if isinstance(obj, Patient):
        return obj.id
    state = inspect(obj)
    for key in ("patient_id", "visit_id"):
        if key not in state.mapper.column_attrs:
            continue
        history = state.attrs[key].history
        value = (history.added or history.unchanged or history.deleted or [None])[0]
        if value is None:
            continue
        if key == "patient_id":
            return value
        if value not in visits:
            known = session.identity_map.get(identity_key(Visit, value))
            if known is not None and "patient_id" in inspect(known).dict:
                visits[value] = known.patient_id  # the visit is in the session: no query
            else:
                visits[value] = session.connection().execute(
                    select(Visit.patient_id).where(Visit.id == value)).scalar()
        return visits[value]
    return None


def as_text(value: Any) -> str | None:
    """A value as the audit trail stores it: ISO dates, 'true'/'false', repr of floats."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


# -- the chain --------------------------------------------------------------------------------
def _entry(*, at: dt.datetime, user: str, action: str, table: str | None = None,
           row_id: str | None = None, patient_id: int | None = None, field: str | None = None,
           old: str | None = None, new: str | None = None,
           reason: str | None = None) -> dict[str, Any]:
    return {"at": at, "username": user, "action": action, "table_name": table, "row_id": row_id,
            "patient_id": patient_id, "field": field, "old": old, "new": new, "reason": reason}


def entry_hash(row: dict[str, Any] | AuditEntry) -> str:
    """SHA-256 over the previous hash and every column of the row (a canonical JSON list)."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    at = get("at")
    payload = [get("prev_hash"), get("id"), at.isoformat(timespec="microseconds"),
               get("username"), get("action"), get("table_name"), get("row_id"),
               get("patient_id"), get("field"), get("old"), get("new"), get("reason")]
    return hashlib.sha256(_CANONICAL.encode(payload).encode("utf-8")).hexdigest()


# json.dumps(payload, ensure_ascii=False, separators=(",", ":")), without building an encoder
# for every row (an import writes one audit row per field: bench/README.md)
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _append(session: Session, entries: list[dict[str, Any]]) -> None:
    """Chain and insert rows inside the caller's write transaction: BEGIN IMMEDIATE on
    SQLite, the writer lock on a server (app.db.serialise_writers), so no other writer can
    take the same place in the chain.

    The chain's head is read once per transaction: the writer lock is held until it ends, so
    only this transaction moves the head, and later flushes continue from the remembered one
    (forgotten when any transaction or savepoint of the session ends: a rolled-back savepoint
    may have taken rows back)."""
    connection = session.connection()
    head = session.info.get(_HEAD)
    if head is None or head[0] is not connection:
        taken = serialise_writers(connection)  # a server's BEGIN read the head with the lock
        last = taken[0] if taken is not None else connection.execute(
            select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc())
            .limit(1)).first()
        next_id, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    else:
        next_id, previous = head[1], head[2]
    for row in entries:
        row["id"], row["prev_hash"] = next_id, previous
        row["hash"] = previous = entry_hash(row)
        next_id += 1
    if len(entries) >= _BULK_ROWS:  # an import: at driver speed, the same stored values
        bulk_insert(connection, AuditEntry.__table__, entries)
    else:
        connection.execute(insert(AuditEntry.__table__), entries)
    session.info[_HEAD] = (connection, next_id, previous)


_HEAD = "audit_chain_head"
_BULK_ROWS = 1000


def _forget_head(session: Session, _transaction) -> None:
    session.info.pop(_HEAD, None)


def verify_chain(session: Session) -> ChainReport:
    """Walk the trail in order; name the first row whose hash or link does not hold."""
    previous, count = GENESIS, 0
    for row in session.execute(select(AuditEntry).order_by(AuditEntry.id)
                               .execution_options(yield_per=2000)).scalars():
        count += 1
        if row.prev_hash != previous:
            return ChainReport(count, row.id, f"audit row {row.id} does not follow the row "
                                              "before it: rows were removed or altered")
        if entry_hash(row) != row.hash:
            return ChainReport(count, row.id, f"audit row {row.id} ({row.action} by "
                                              f"{row.username}) was altered after it was "
                                              "written")
        previous = row.hash
    return ChainReport(count)


# -- reading ----------------------------------------------------------------------------------
def list_audit(session: Session, *, patient_id: int | None = None,
               limit: int | None = None) -> list[AuditRecord]:
    """The trail, newest last; only one patient's rows when `patient_id` is given."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if patient_id is not None:
        query = query.where(AuditEntry.patient_id == patient_id)
    if limit is not None:
        query = query.order_by(None).order_by(AuditEntry.id.desc()).limit(limit)
    rows = [AuditRecord(r.id, r.at, r.username, r.action, r.table_name, r.row_id, r.patient_id,
                        r.field, r.old, r.new, r.reason) for r in session.scalars(query)]
    return sorted(rows, key=lambda r: r.id)
