"""Backups whose photo bytes are copied once (issue 13; docs/photos.md, "Backups").

A clinic of 10,000 patients × 20 photos × 3 MB holds 600 GB of photos that never change. A
backup therefore carries every table except the bytes of `photo_blob`, and the bytes go once
each into a content-addressed folder beside the backups, `<backup folder>/photos/ab/abcdef…`
(app.services.photo_store.copy_new_blobs): a nightly run writes the day's photos only, and
every backup in that folder shares them. A restore puts back, from `photos/` beside the
backup file, the blobs the backup's photos refer to, each verified against its name; a
backup whose folder lacks one is refused before anything is replaced.

- Plain SQLite: the backup file is written table by table from one read snapshot of the live
  database (its schema copied verbatim, then its rows, then indexes and triggers), without
  the rows of `photo_blob`: the photo bytes are never read or written for it.
- Encrypted SQLite (SQLCipher): the bytes stay inside the encrypted backup file, a whole copy
  as before, so no photo is ever written unencrypted; such clinics trade backup size for it.
- PostgreSQL: pg_dump's custom format with `--exclude-table-data=photo_blob`, and the new
  blobs read through the server into the same kind of folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, inspect, select, text
from sqlalchemy.orm import Session

from app import db_files, db_server
from app.db import Database, DatabaseError, DiskFull
from app.models import PhotoBlob
from app.services.photo_store import (
    BlobCopy,
    PhotoDamaged,
    blob_path,
    copy_new_blobs,
    sha256_hex,
)

PHOTO_FOLDER = "photos"
BLOB_TABLE = "photo_blob"
_REFERENCES = ("sha256", "working_sha256", "thumbnail_sha256")


@dataclass(frozen=True)
class PhotoBackup:
    """One backup: the database file and what it cost in photo files."""

    file: Path
    photos: BlobCopy | None  # None: the photo bytes are inside the file (encrypted clinic)


def photo_folder(backup_file: Path) -> Path:
    """The content-addressed photo folder shared by the backups of one folder."""
    return Path(backup_file).parent / PHOTO_FOLDER


def backs_up_photos_apart(db: Database) -> bool:
    """False for an encrypted clinic: its photo bytes stay in the encrypted backup file."""
    return db.path is None or db.passphrase is None


# -- backup -----------------------------------------------------------------------------------
def write_backup(db: Database, target: Path, *, progress=None) -> PhotoBackup:
    """The clinic's backup at `target`, its photo bytes in `photo_folder(target)`."""
    target = Path(target)
    if not backs_up_photos_apart(db):
        return PhotoBackup(db.backup_to(target, progress=progress), None)
    if db.path is None:
        written = _dump_server(db, target)
    else:
        written = _copy_sqlite(db, target)
    try:
        with db.read() as session:
            if BLOB_TABLE not in inspect(session.connection()).get_table_names():
                return PhotoBackup(written, None)  # a schema from before photos
            copied = copy_new_blobs(session, photo_folder(written))
    except OSError as exc:
        raise DatabaseError(f"the photos of the backup could not be written to "
                            f"{photo_folder(written)}: {exc.strerror}") from exc
    if copied.damaged:
        raise PhotoDamaged(
            f"the backup {written} was written, but {len(copied.damaged)} photo(s) in the "
            f"database are damaged and could not be copied (first: {copied.damaged[0][:12]}…): "
            "run check to see which, and restore them from an earlier backup")
    return PhotoBackup(written, copied)


def _dump_server(db: Database, target: Path) -> Path:
    if db.engine.dialect.name != "postgresql":
        raise DatabaseError("backups of this database server are made with its own tools")
    try:
        return db_server.dump(db.engine.url, target, exclude_table_data=(BLOB_TABLE,))
    except (db_server.ToolFailed, OSError) as exc:
        raise DatabaseError(f"the backup to {target} failed: {exc}") from exc


def _copy_sqlite(db: Database, target: Path) -> Path:
    """Every table but photo_blob's rows, from one snapshot, into `target` (written to
    `target.part`, synced, renamed: a crash leaves no half backup under the final name)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    try:
        copy_without_blobs(db.path, part)
        db_files._fsync(part)
        os.replace(part, target)
        db_files._fsync(target.parent)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise DatabaseError(f"cannot write the backup {target}: {exc.strerror}") from exc
    except Exception as exc:  # sqlite3 errors
        part.unlink(missing_ok=True)
        if "full" in str(exc).lower():
            raise DiskFull(f"the disk is full: no backup was written to {target}") from exc
        raise DatabaseError(f"the backup to {target} failed: {exc}") from exc
    return target


def copy_without_blobs(source: Path, target: Path) -> None:
    """Copy the plain SQLite database `source` into the new file `target`: schema verbatim,
    all rows but photo_blob's, in one read transaction (a consistent snapshot even while the
    clinic writes). Indexes and triggers come after the rows, so no trigger fires."""
    connection = db_files.connect(target)
    try:
        connection.isolation_level = None
        connection.execute("PRAGMA busy_timeout = 10000")  # a checkpoint in progress
        connection.execute("ATTACH DATABASE ? AS src", (str(source),))
        connection.execute("BEGIN")
        schema = connection.execute(
            "SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
        tables = [name for kind, name, _ in schema if kind == "table"]
        for kind, _, sql in schema:
            if kind == "table":
                connection.execute(sql)
        for name in tables:
            connection.execute(f'INSERT INTO main."{name}" SELECT {_columns(connection, name)} '
                               f'FROM src."{name}"')
        if connection.execute("SELECT 1 FROM src.sqlite_master WHERE name = "
                              "'sqlite_sequence'").fetchone():
            connection.execute("DELETE FROM main.sqlite_sequence")
            connection.execute("INSERT INTO main.sqlite_sequence SELECT * FROM src.sqlite_sequence")
        for kind, _, sql in schema:
            if kind != "table":
                connection.execute(sql)
        version = connection.execute("PRAGMA src.user_version").fetchone()[0]
        connection.execute(f"PRAGMA main.user_version = {int(version)}")
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE src")
    finally:
        connection.close()


def _columns(connection, table: str) -> str:
    """`*`, or for photo_blob its columns with `data` left empty: the row keeps its hash, size
    and time (and the photos their foreign keys), the bytes are in the photos folder."""
    if table != BLOB_TABLE:
        return "*"
    names = [row[1] for row in connection.execute(f'PRAGMA src.table_info("{table}")')]
    return ", ".join("X''" if name == "data" else f'"{name}"' for name in names)


# -- restore ----------------------------------------------------------------------------------
def missing_photo_files(source: Path, needed: set[str]) -> list[str]:
    """The problems with the photo files a backup at `source` needs (hashes it refers to but
    does not hold): absent from its photos folder, or not matching their name."""
    folder = photo_folder(source)
    absent, damaged = [], []
    for digest in sorted(needed):
        path = blob_path(folder, digest)
        if not path.is_file():
            absent.append(digest)
        elif sha256_hex(path.read_bytes()) != digest:
            damaged.append(digest)
    problems = []
    if absent:
        problems.append(f"its photos folder {folder} lacks {len(absent)} photo file(s) this "
                        f"backup needs (first: {absent[0][:2]}/{absent[0]}): put the "
                        f"'{PHOTO_FOLDER}' folder written with the backups beside the backup file")
    if damaged:
        problems.append(f"{len(damaged)} photo file(s) in {folder} do not match their name "
                        f"(first: {damaged[0][:2]}/{damaged[0]}): that copy is damaged")
    return problems


def needed_in_file(source: Path, passphrase: str | None) -> set[str]:
    """Blob hashes the photos of the SQLite backup `source` refer to but it does not hold."""
    connection = db_files.connect(source, passphrase=passphrase, read_only=True)
    try:
        names = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "photo" not in names or BLOB_TABLE not in names:
            return set()
        return _needed(lambda sql: [r[0] for r in connection.execute(sql)])
    finally:
        connection.close()


def needed_in_session(session: Session) -> set[str]:
    """Blob hashes the photos of a (just restored) database refer to but it does not hold."""
    tables = set(inspect(session.connection()).get_table_names())
    if "photo" not in tables or BLOB_TABLE not in tables:
        return set()  # a backup made before photos existed
    return _needed(lambda sql: list(session.execute(text(sql)).scalars()))


def _needed(rows) -> set[str]:
    """Blobs kept apart: rows whose bytes were left out (empty `data`, a size above 0), and
    hashes the photos refer to with no row at all (a server backup leaves the table empty)."""
    referenced = set()
    for column in _REFERENCES:
        referenced.update(rows(f"SELECT DISTINCT {column} FROM photo"))
    left_out = set(rows(f"SELECT sha256 FROM {BLOB_TABLE} "
                        "WHERE length(data) = 0 AND byte_size > 0"))
    return left_out | (referenced - set(rows(f"SELECT sha256 FROM {BLOB_TABLE}")))


def put_back_photos(session: Session, source: Path, needed: set[str]) -> int:
    """Insert, from the photos folder beside `source`, each blob in `needed`, verified
    against its name; one at a time, so memory holds one photo. Returns how many."""
    folder = photo_folder(source)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA defer_foreign_keys = ON"))  # this transaction only
    for digest in sorted(needed):
        data = blob_path(folder, digest).read_bytes()
        if sha256_hex(data) != digest:
            raise DatabaseError(f"{blob_path(folder, digest)} does not match its name: the "
                                "backup copy of that photo is damaged")
        table = PhotoBlob.__table__
        created = session.scalar(select(table.c.created_at).where(table.c.sha256 == digest))
        # The row left without its bytes goes and comes back whole (rows are never updated).
        session.execute(delete(table).where(table.c.sha256 == digest))
        values = {"sha256": digest, "byte_size": len(data), "data": data}
        session.execute(insert(table).values(**values, **(
            {"created_at": created} if created is not None else {})))
    return len(needed)
