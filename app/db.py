"""The database: where it lives, the engine and its pragmas, sessions, migrations, checks.

All SQLite-specific SQL of the program lives here (HOUSE_STYLE.md); everything else is
portable SQLAlchemy, so a multi-workstation clinic can point every PC at PostgreSQL.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ENV_VAR = "DFU_MONITOR_DB"
APP_NAME = "dfu-monitor"
BUSY_TIMEOUT_MS = 5000
MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(Exception):
    """A database problem explained in words a clinic's admin can act on."""


def default_db_path() -> Path:
    """The clinic database in the user data directory (platformdirs)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "clinic.db"


def resolve_db_url(db: str | None = None) -> str:
    """`--db` first, then $DFU_MONITOR_DB, then the default file; a path or an SQLAlchemy URL."""
    chosen = db or os.environ.get(ENV_VAR) or str(default_db_path())
    if "://" in chosen:
        return chosen
    return "sqlite:///" + str(Path(chosen).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite") or parsed.database in (None, "",
                                                                                 ":memory:"):
        return None
    return Path(parsed.database)


def _install_sqlite_pragmas(engine: Engine) -> None:
    """Pragmas for every connection, and BEGIN IMMEDIATE for write transactions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            pass  # a read-only file keeps its journal mode
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        write = connection.get_execution_options().get("dfu_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@dataclass
class Database:
    """One clinic database: an engine and the sessions services open on it."""

    url: str
    engine: Engine

    @classmethod
    def open(cls, url: str, *, create: bool = True, migrate: bool = True) -> Database:
        """Open the database at `url`, creating and migrating it to the newest schema.

        With `create=False` a missing SQLite file is an error rather than a new empty database.
        """
        path = sqlite_path(url)
        if path is not None:
            if not path.exists():
                if not create:
                    raise DatabaseError(f"no database at {path}; create it with 'init'")
                path.parent.mkdir(parents=True, exist_ok=True)
            elif path.is_dir():
                raise DatabaseError(f"{path} is a folder, not a database file")
        engine = create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            _install_sqlite_pragmas(engine)
        database = cls(url=url, engine=engine)
        if path is not None and path.exists():
            database._ensure_is_database(path)
        if migrate:
            database.migrate()
        return database

    def _ensure_is_database(self, path: Path) -> None:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
        except Exception as exc:  # sqlite3.DatabaseError: file is not a database
            raise DatabaseError(f"{path} is not a readable DFU Monitor database ({exc.__class__.__name__}:"
                                f" {getattr(exc, 'orig', exc)})") from exc

    # -- sessions -----------------------------------------------------------------------
    @property
    def _readers(self) -> sessionmaker[Session]:
        return sessionmaker(bind=self.engine, expire_on_commit=False)

    @property
    def _writers(self) -> sessionmaker[Session]:
        return sessionmaker(bind=self.engine.execution_options(dfu_write=True),
                            expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (deferred BEGIN): never commits."""
        with self._readers() as session:
            yield session
            session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One user action: BEGIN IMMEDIATE, commit on success, roll back on any error."""
        with self._writers() as session, session.begin():
            yield session

    # -- schema -------------------------------------------------------------------------
    def alembic_config(self):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        config.attributes["engine"] = self.engine
        return config

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    def migrate(self) -> bool:
        """Upgrade the schema to head; True when anything was done."""
        current = self.current_revision()
        if current == self.head_revision():
            return False
        from alembic import command

        command.upgrade(self.alembic_config(), "head")
        return True

    # -- checks -------------------------------------------------------------------------
    def integrity_problems(self, *, quick: bool = False) -> list[str]:
        """SQLite's integrity_check (or quick_check); an empty list when the file is sound."""
        if self.engine.dialect.name != "sqlite":
            return []
        pragma = "quick_check" if quick else "integrity_check"
        with self.engine.connect() as connection:
            rows = [r[0] for r in connection.exec_driver_sql(f"PRAGMA {pragma}")]
        return [] if rows == ["ok"] else rows

    def foreign_key_problems(self) -> list[str]:
        if self.engine.dialect.name != "sqlite":
            return []
        with self.engine.connect() as connection:
            rows = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        return [f"{table} row {rowid} refers to a missing {parent}" for table, rowid, parent, _ in rows]

    def dispose(self) -> None:
        self.engine.dispose()
