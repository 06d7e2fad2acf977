"""An SQLite file as the program opens it: the checks before opening (no network share,
SQLite or SQLCipher, the passphrase), the engine with its pragmas (WAL, synchronous=FULL,
foreign keys, a busy timeout) and BEGIN IMMEDIATE for write transactions.

The SQLite-specific SQL of the program lives here, in app/db.py and in app/db_files.py
(docs/house_style.md).
"""
from __future__ import annotations

import os
from pathlib import Path

# SQLAlchemy's SQLite dialect, imported here rather than by the first create_engine: this
# module loads with the command line's parser, before PySide6, and PySide's import hook reads
# the source of every module imported after PySide6 to look for Qt use. The dialect (its
# package imports all its drivers) costs ~8 ms before PySide6 and ~18 ms after, inside the
# window's start (bench/README.md, "Start-up imports").
import sqlalchemy.dialects.sqlite  # noqa: F401
from sqlalchemy import Engine, create_engine, event

from app import db_files
from app.db_errors import DatabaseError, NetworkFileSystem, PassphraseNeeded, WrongPassphrase

BUSY_TIMEOUT_MS = 5000


def install_sqlite_pragmas(engine: Engine) -> None:
    """Pragmas for every connection, and BEGIN IMMEDIATE for write transactions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except Exception:  # sqlite3 or sqlcipher3 OperationalError
            pass  # a read-only file keeps its journal mode
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        write = connection.get_execution_options().get("dfu_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def unclean_shutdown(path: Path) -> bool:
    """A WAL with frames or a rollback journal beside the file: the last session did not end
    cleanly (a clean close checkpoints and removes them)."""
    wal, journal = Path(f"{path}-wal"), Path(f"{path}-journal")
    return (wal.exists() and wal.stat().st_size > 0) or journal.exists()


def sqlite_engine(url: str, path: Path, *, passphrase: str | None,
                   read_only: bool) -> Engine:
    """The engine for an SQLite file: plain, read-only, or SQLCipher-encrypted."""
    if passphrase is None and not read_only:
        engine = create_engine(url, future=True, hide_parameters=True)
    else:
        module = db_files.driver(passphrase is not None)
        immutable = read_only and not os.access(path.parent, os.W_OK) and not Path(
            str(path) + "-shm").exists()

        def open_connection():
            return db_files.connect(path, passphrase=passphrase, read_only=read_only,
                           immutable=immutable)

        engine = create_engine(url, future=True, hide_parameters=True, module=module,
                               creator=open_connection)
    install_sqlite_pragmas(engine)
    return engine


def prepare_file(path: Path, *, create: bool, read_only: bool, passphrase: str | None,
                 passphrase_variable: str) -> tuple[str | None, str | None]:
    """Check an SQLite file before it is opened: not on a network share, a file (created
    with its folder when missing and allowed), SQLite or SQLCipher. Returns the passphrase to
    use (the given one, else the environment's for an encrypted file; None for a plain one)
    and why the file must open read-only (None when it may be written)."""
    kind = db_files.network_filesystem(path)
    if kind is not None:
        raise NetworkFileSystem(db_files.NETWORK_EXPLANATION.format(path=path, kind=kind))
    problem = "opened read-only on request" if read_only else None
    if not path.exists():
        if not create:
            raise DatabaseError(f"no database at {path}; create it with 'init'")
        if read_only:
            raise DatabaseError(f"no database at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        encrypted = passphrase is not None
    elif path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    else:
        encrypted = not db_files.is_plain_sqlite(path)
        if encrypted and not db_files.looks_encrypted(path):
            raise DatabaseError(f"{path} is not an SQLite database, so not a DFU Monitor "
                                "database (nor an encrypted one)")
        problem = problem or db_files.write_problem(path)
    if not encrypted:
        return None, problem
    passphrase = passphrase if passphrase is not None else os.environ.get(passphrase_variable)
    if passphrase is None:
        raise PassphraseNeeded(
            f"{path} is encrypted (or is not an SQLite database): give the passphrase "
            f"(the terminal asks for it, or set {passphrase_variable})")
    return passphrase, problem


def check_is_database(engine: Engine, path: Path, *, encrypted: bool) -> None:
    """Read the schema once: junk or a wrong key is told apart from a clinic database."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
    except Exception as exc:  # sqlite3.DatabaseError: file is not a database
        if encrypted:
            raise WrongPassphrase(f"the passphrase does not open {path} (or it is not a DFU "
                                  "Monitor database); nothing was changed") from None
        raise DatabaseError(f"{path} is not a readable DFU Monitor database "
                            f"({exc.__class__.__name__}: {getattr(exc, 'orig', exc)})") from exc
