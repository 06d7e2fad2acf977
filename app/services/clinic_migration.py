"""Moving a clinic to a server: copy an SQLite clinic into an empty PostgreSQL database.

`migrate --to URL` (docs/product.md). The target gets its schema through the same Alembic
migrations as any database, then every table of the clinic in one transaction: patients and
their records, users (password hashes as they are), settings, photos when the clinic has
them, and the audit trail with its ids and hashes unchanged, so the chain still verifies.
The id sequences then move past the copied ids. Afterwards the counts of every table and the
`summary --json` of every patient are compared; any difference is an error.

The SQLite file is only ever opened read-only. A file at an older schema is upgraded in a
temporary copy, never in place. A target holding any row is refused, nothing written.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection, func, select
from sqlalchemy.engine import make_url

from app import db_server
from app.db import Database, sqlite_path
from app.models import Base, Patient
from app.services.audit import verify_chain
from app.services.errors import UserError

CHUNK = 2000


class TargetNotEmpty(UserError):
    """The target database already holds rows: nothing was copied."""


class MigrationMismatch(UserError):
    """The copy differs from the clinic file (counts or summaries): do not use it."""


@dataclass(frozen=True)
class MigrationReport:
    target: str  # the URL without its password
    rows: dict[str, int]  # rows copied per table
    patients_compared: int  # summaries found identical

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def safe_url(url: str) -> str:
    """The URL as it may be shown or logged: never its password."""
    return make_url(url).render_as_string(hide_password=True)


def migrate_clinic(source_url: str, target_url: str, *, passphrase: str | None = None,
                   progress: Callable[[str, int], object] | None = None) -> MigrationReport:
    """Copy the SQLite clinic at `source_url` into the empty server database `target_url`."""
    path = sqlite_path(source_url)
    if path is None:
        raise UserError("migrate --to copies an SQLite clinic file; the current database is "
                        "not one")
    if make_url(target_url).get_backend_name() != "postgresql":
        raise UserError("migrate --to needs a PostgreSQL URL (postgresql://user@host/db)")
    with tempfile.TemporaryDirectory(prefix="dfu-migrate-") as scratch:
        source = _open_source(source_url, passphrase, Path(scratch))
        try:
            target = _prepare_target(target_url)
            try:
                rows = _copy(source, target, progress)
                compared = _verify(source, target, rows)
            finally:
                target.dispose()
        finally:
            source.dispose()
    return MigrationReport(safe_url(target_url), rows, compared)


def _open_source(url: str, passphrase: str | None, scratch: Path) -> Database:
    """The clinic file read-only; at an older schema, an upgraded temporary copy of it."""
    source = Database.open(url, create=False, migrate=False, read_only=True,
                           passphrase=passphrase)
    if source.current_revision() == source.head_revision():
        return source
    copy = source.backup_to(scratch / "clinic.db")
    source.dispose()
    return Database.open(f"sqlite:///{copy}", create=False, passphrase=source.passphrase)


def _prepare_target(url: str) -> Database:
    """Refuse a target holding any row; otherwise give it the schema (Alembic)."""
    target = Database.open(url, migrate=False)
    try:
        with target.engine.connect() as connection:
            filled = [t for t in db_server.user_tables(connection)
                      if t != "alembic_version" and connection.exec_driver_sql(
                          f'SELECT EXISTS (SELECT 1 FROM "{t}")').scalar()]
        if filled:
            raise TargetNotEmpty(
                f"{safe_url(url)} is not empty ({', '.join(filled[:5])} hold rows): a clinic "
                "is only copied into an empty database. Nothing was written.")
        target.migrate()
    except BaseException:
        target.dispose()
        raise
    return target


def _tables(source: Database) -> list:
    """The program's tables in dependency order; a table it does not know is refused."""
    with source.engine.connect() as connection:
        present = set(db_server.user_tables(connection)) - {"alembic_version"}
    unknown = present - set(Base.metadata.tables)
    if unknown:
        raise UserError(f"the clinic file holds tables this version does not know "
                        f"({', '.join(sorted(unknown))}): update DFU Monitor first")
    return [t for t in Base.metadata.sorted_tables if t.name in present]


def _copy(source: Database, target: Database,
          progress: Callable[[str, int], object] | None) -> dict[str, int]:
    rows: dict[str, int] = {}
    tables = _tables(source)
    with source.engine.connect() as reading, target.engine.begin() as writing:
        db_server.take_write_lock(writing)
        for table in tables:
            rows[table.name] = _copy_table(reading, writing, table)
            if progress is not None:
                progress(table.name, rows[table.name])
        db_server.advance_sequences(writing, [t.name for t in tables])
    return rows


def _copy_table(reading: Connection, writing: Connection, table) -> int:
    result = reading.execution_options(yield_per=CHUNK).execute(
        select(table).order_by(*table.primary_key.columns))
    count = 0
    for chunk in result.mappings().partitions(CHUNK):
        writing.execute(table.insert(), [dict(row) for row in chunk])
        count += len(chunk)
    return count


def _verify(source: Database, target: Database, rows: dict[str, int]) -> int:
    """Counts per table, the audit chain, and every patient's summary, or MigrationMismatch."""
    problems = []
    with target.read() as session:
        for name, count in rows.items():
            there = session.scalar(select(func.count()).select_from(
                Base.metadata.tables[name]))
            if there != count:
                problems.append(f"{name}: {count} rows in the file, {there} on the server")
        chain = verify_chain(session)
        if not chain.ok:
            problems.append(f"audit trail: {chain.problem}")
    before, after = _summaries(source), _summaries(target)
    if before != after:
        differing = sorted(k for k in before.keys() | after.keys()
                           if before.get(k) != after.get(k))
        problems.append(f"summaries differ for {len(differing)} patient(s), e.g. id "
                        f"{differing[0]}")
    if problems:
        raise MigrationMismatch("the copy on the server differs from the clinic file, do not "
                                "use it: " + "; ".join(problems[:5]))
    return len(before)


def _summaries(db: Database) -> dict[int, str]:
    """Every patient's `summary --json` (deleted ones too), as canonical JSON text."""
    from app.services.history import load_history
    from app.services.summary import history_summary

    out: dict[int, str] = {}
    with db.read() as session:
        for patient_id in session.scalars(select(Patient.id).order_by(Patient.id)):
            summary = history_summary(load_history(session, patient_id))
            out[patient_id] = json.dumps(summary, sort_keys=True, default=str)
    return out
