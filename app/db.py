"""The database: where it lives, the engine and its pragmas, sessions, migrations, checks.

All SQLite-specific SQL of the program lives here (docs/house_style.md); everything else is
portable SQLAlchemy, so a multi-workstation clinic can point every PC at PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import db_files, db_server

ENV_VAR = "DFU_MONITOR_DB"
PASSPHRASE_ENV_VAR = "DFU_MONITOR_PASSPHRASE"
APP_NAME = "dfu-monitor"
BUSY_TIMEOUT_MS = 5000
# How long a write waits for the background start-up check (a 10,000-patient file: ~1.5 s).
WRITE_HOLD_SECONDS = 120.0
MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(Exception):
    """A database problem explained in words a clinic's admin can act on."""


class ReadOnlyDatabase(DatabaseError):
    """The database is open read-only (file or folder read-only, or damaged): nothing saved."""


class DiskFull(DatabaseError):
    """The disk is full: the transaction was rolled back, nothing was saved."""


class PassphraseNeeded(DatabaseError):
    """The file is encrypted (or not SQLite at all) and no passphrase was given."""


class WrongPassphrase(DatabaseError):
    """The passphrase does not open the file; nothing was created or changed."""


class NetworkFileSystem(DatabaseError):
    """The database path is on a network file system, where SQLite corrupts."""


class ServerUnavailable(DatabaseError):
    """The database server went away (network, restart): rolled back, nothing was saved."""


class ServerBusy(DatabaseError):
    """Another workstation held the writer lock too long: nothing was saved."""


DISK_FULL_MESSAGE = ("the disk holding the database is full: nothing was saved. Free some space "
                     "and save again (what you typed is still there).")


def default_db_path() -> Path:
    """The clinic database in the user data directory (platformdirs)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "clinic.db"


def resolve_db_url(db: str | None = None) -> str:
    """`--db` first, then $DFU_MONITOR_DB, then the default file; a path or an SQLAlchemy URL."""
    chosen = db or os.environ.get(ENV_VAR) or str(default_db_path())
    if chosen.startswith(("postgresql://", "postgres://")):  # psycopg 3 is the driver
        return "postgresql+psycopg://" + chosen.split("://", 1)[1]
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
        except Exception:  # sqlite3 or sqlcipher3 OperationalError
            pass  # a read-only file keeps its journal mode
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        write = connection.get_execution_options().get("dfu_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _unclean_shutdown(path: Path) -> bool:
    """A WAL with frames or a rollback journal beside the file: the last session did not end
    cleanly (a clean close checkpoints and removes them)."""
    wal, journal = Path(f"{path}-wal"), Path(f"{path}-journal")
    return (wal.exists() and wal.stat().st_size > 0) or journal.exists()


@dataclass
class Database:
    """One clinic database: an engine and the sessions services open on it."""

    url: str
    engine: Engine
    read_only: bool = False
    problem: str | None = None  # why the database is read-only, in words for the user
    damaged: bool = False  # the start-up check failed: offer a restore
    passphrase: str | None = field(default=None, repr=False)  # SQLCipher key; never logged
    # Set while the start-up check runs in the background (hold_writes_for_check): writes wait.
    _checked: threading.Event | None = field(default=None, repr=False, compare=False)

    @classmethod
    def open(cls, url: str, *, create: bool = True, migrate: bool = True,
             passphrase: str | None = None, read_only: bool = False,
             check: bool | str = False) -> Database:
        """Open the database at `url`, creating and migrating it to the newest schema.

        With `create=False` a missing SQLite file is an error rather than a new empty database.
        A path on a network file system is refused. An encrypted file needs `passphrase` (or
        $DFU_MONITOR_PASSPHRASE); a new file is encrypted when a passphrase is given. A file
        or folder without write permission opens read-only; so does, with `check=True`, a file
        that fails SQLite's quick_check (the start-up check), with `problem` saying why.
        `check="background"`: the same check, left to run_start_check off the GUI thread with
        writes held (hold_writes_for_check), unless the last session ended uncleanly (a WAL
        or journal left behind): then it runs here, before anything could replay it.
        """
        path = sqlite_path(url)
        if path is None:
            server = make_url(url).get_backend_name() == "postgresql"
            engine = (db_server.server_engine(url) if server
                      else create_engine(url, hide_parameters=True))
            return cls._opened(cls(url=url, engine=engine), migrate)
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
        if encrypted:
            passphrase = passphrase if passphrase is not None else os.environ.get(
                PASSPHRASE_ENV_VAR)
            if passphrase is None:
                raise PassphraseNeeded(
                    f"{path} is encrypted (or is not an SQLite database): give the passphrase "
                    f"(the terminal asks for it, or set {PASSPHRASE_ENV_VAR})")
        else:
            passphrase = None
        damaged = False
        later = check == "background" and not _unclean_shutdown(path)
        try:
            if check and not later and problem is None and path.exists():
                # On a read-only connection: a damaged file is never touched.
                problem = db_files.damage_problem(path, passphrase=passphrase)
                damaged = problem is not None
            engine = _sqlite_engine(url, path, passphrase=passphrase,
                                    read_only=problem is not None)
        except db_files.FileProblem as exc:  # junk, a wrong key, or no sqlcipher3
            if passphrase is not None and "sqlcipher3" not in str(exc):
                raise WrongPassphrase(f"the passphrase does not open {path} (or it is not a "
                                      "DFU Monitor database); nothing was changed") from None
            raise DatabaseError(f"{path} is not a readable DFU Monitor database ({exc})") from None
        database = cls(url=url, engine=engine, read_only=problem is not None, problem=problem,
                       damaged=damaged, passphrase=passphrase)
        if path.exists():
            database._ensure_is_database(path)
        if later:
            database.hold_writes_for_check()
            if migrate and database.current_revision() not in (None, newest_revision()):
                database.run_start_check()  # a schema upgrade writes: the verdict first
        return cls._opened(database, migrate)

    @staticmethod
    def _opened(database: Database, migrate: bool) -> Database:
        try:
            if migrate and not database.read_only:
                database.migrate()
            elif database.path is None:
                database.current_revision()  # a server: reachable, signed in?
        except sa_exc.OperationalError as exc:
            database.dispose()
            reason = " ".join(str(exc.orig).split())[:300]
            raise ServerUnavailable(f"cannot use the database server "
                                    f"{make_url(database.url).render_as_string()}: {reason}"
                                    ) from exc
        except sa_exc.ProgrammingError as exc:  # a workstation role may not change the schema
            database.dispose()
            if type(exc.orig).__name__ != "InsufficientPrivilege":
                raise
            raise DatabaseError("the clinic database needs a schema upgrade that only its "
                                "owner may make: ask the administrator to run 'init' with "
                                "the owner's account, then start again") from exc
        return database

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a database server."""
        return sqlite_path(self.url)

    def _ensure_is_database(self, path: Path) -> None:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
        except Exception as exc:  # sqlite3.DatabaseError: file is not a database
            self.dispose()
            if self.passphrase is not None:
                raise WrongPassphrase(f"the passphrase does not open {path} (or it is not a DFU "
                                      "Monitor database); nothing was changed") from None
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
        try:
            with self._readers() as session:
                yield session
                session.rollback()
        except sa_exc.OperationalError as exc:
            self._raise_server_error(exc)
            raise

    def _raise_server_error(self, exc: sa_exc.OperationalError) -> None:
        """A lost or busy server as the DatabaseError the user reads (a no-op for SQLite)."""
        if self.engine.dialect.name == "postgresql":
            kind, message = db_server.describe_operational_error(exc)
            raise (ServerBusy if kind == "busy" else ServerUnavailable)(message) from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One user action: BEGIN IMMEDIATE, commit on success, roll back on any error.

        A full disk raises DiskFull and a read-only database ReadOnlyDatabase, both after the
        rollback, so the caller keeps what the user typed and says so.
        """
        if self._checked is not None and not self._checked.wait(WRITE_HOLD_SECONDS):
            raise ReadOnlyDatabase("the start-up integrity check of the database is still "
                                   "running: nothing was saved; try again in a moment")
        if self.read_only:
            raise ReadOnlyDatabase(f"the database is read-only: {self.problem}; nothing was saved")
        try:
            with self._writers() as session, session.begin():
                yield session
        except sa_exc.OperationalError as exc:
            self._raise_server_error(exc)
            message = str(exc.orig).lower()
            if "full" in message:
                raise DiskFull(DISK_FULL_MESSAGE) from exc
            if "readonly" in message or "read-only" in message:
                raise ReadOnlyDatabase("the database file cannot be written (read-only file or "
                                       "folder); nothing was saved") from exc
            raise

    # -- the start-up check off the first paint (docs/reliability.md) ---------------------
    def hold_writes_for_check(self) -> None:
        """Open without the start-up check, then call this: every write() waits for the
        verdict of run_start_check (reads go on), so nothing is written to a damaged file."""
        if self.path is not None and not self.read_only and self._checked is None:
            self._checked = threading.Event()

    @property
    def writes_held(self) -> bool:
        """True until the background start-up check has given its verdict."""
        return self._checked is not None and not self._checked.is_set()

    def run_start_check(self) -> str | None:
        """SQLite's quick_check on a read-only connection (the start-up check, run off the GUI
        thread). A damaged file, or one the check cannot read, turns this database read-only
        with `problem` (and `damaged`); held writes are released either way. Returns the
        problem, or None when the file is sound."""
        try:
            path = self.path
            if path is not None and not self.read_only and path.exists():
                try:
                    problem = db_files.damage_problem(path, passphrase=self.passphrase)
                except Exception as exc:  # fail closed: without a verdict, no writes
                    problem = f"the start-up integrity check could not read the file ({exc})"
                if problem is not None:
                    self.read_only, self.problem, self.damaged = True, problem, True
                    return problem
            return None
        finally:
            if self._checked is not None:
                self._checked.set()

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
        """Upgrade the schema to head; True when anything was done.

        A database that holds data at an older schema is first backed up beside itself
        (backups/<name>-before-<head>-<time>.db), so an upgrade never costs a record.
        """
        current = self.current_revision()
        if current is not None and current == newest_revision():
            return False  # up to date: no need to load Alembic at start-up
        head = self.head_revision()
        if current == head:
            return False
        if current is not None:
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
            if self.path is not None:
                self.backup_to(backup_folder(self.path) /
                               f"{self.path.stem}-before-{head}-{stamp}.db")
            else:  # a server: pg_dump into this computer's backups folder first
                self.backup_to(server_backup_folder() /
                               f"{self.server_name}-before-{head}-{stamp}.dump")
        from alembic import command

        command.upgrade(self.alembic_config(), "head")
        return True

    # -- backup and restore (SQLite) ------------------------------------------------------
    def backup_to(self, target: Path, *, pages: int = -1, progress=None) -> Path:
        """An online backup (SQLite's backup API, never a file copy of a live database);
        of a server, pg_dump's custom format."""
        target = Path(target)
        if self.path is None:
            if self.engine.dialect.name != "postgresql":
                raise DatabaseError("backups of this database server are made with its own "
                                    "tools")
            try:
                return db_server.dump(self.engine.url, target)
            except (db_server.ToolFailed, OSError) as exc:
                raise DatabaseError(f"the backup to {target} failed: {exc}") from exc
        target.parent.mkdir(parents=True, exist_ok=True)
        with self.engine.connect() as connection:
            source = connection.connection.dbapi_connection
            try:
                return db_files.backup(source, target, passphrase=self.passphrase,
                                       pages=pages, progress=progress)
            except OSError as exc:
                raise DatabaseError(f"cannot write the backup {target}: {exc.strerror}") from exc
            except Exception as exc:  # sqlite3 / sqlcipher3 errors
                if "full" in str(exc).lower():
                    raise DiskFull(f"the disk is full: no backup was written to {target}") from exc
                raise DatabaseError(f"the backup to {target} failed: {exc}") from exc

    def reopen(self) -> None:
        """Open the same file afresh (after a restore), keeping this object for its holders."""
        fresh = Database.open(self.url, create=False, passphrase=self.passphrase, check=True)
        self.engine.dispose()
        self.engine, self.read_only, self.problem = fresh.engine, fresh.read_only, fresh.problem
        self.damaged = fresh.damaged

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

    def verified_checks(self) -> tuple[list[str], list[str]]:
        """(problems, what was verified, in words) for `check`: SQLite's integrity_check and
        foreign_key_check; on a server, every foreign key by a query and the constraints'
        validation, while storage integrity is the server's own (not claimed here)."""
        if self.engine.dialect.name != "postgresql":
            problems = [f"integrity: {p}" for p in self.integrity_problems()]
            if problems:
                return problems, []
            problems = [f"foreign key: {p}" for p in self.foreign_key_problems()]
            return problems, ([] if problems else ["integrity ok", "foreign keys ok"])
        with self.engine.connect() as connection:
            checked, missing = db_server.foreign_key_problems(connection)
            problems = [f"foreign key: {p}" for p in missing]
            problems += db_server.unvalidated_constraints(connection)
        verified = [f"foreign keys ok ({checked} checked by query on the server)",
                    "constraints validated by the server",
                    "storage integrity: the server's own (not checkable from here)"]
        return problems, ([] if problems else verified)

    @property
    def server_name(self) -> str:
        """The database name of a server URL (for backup file names); never the password."""
        return make_url(self.url).database or "clinic"

    def dispose(self) -> None:
        self.engine.dispose()


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]",
                            re.MULTILINE)


@functools.lru_cache(maxsize=1)
def newest_revision() -> str | None:
    """The head of app/migrations/versions from the scripts' own `revision` lines, without
    importing Alembic (a quarter of a second at start-up); None unless they form one chain
    with a single head, and then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        if "down_revision" in found:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows of one table in the caller's transaction, at driver speed on SQLite.

    Every row has the keys of the first. Python-side column defaults fill the columns no row
    gives (a callable one, such as an entry time, is evaluated once for the whole call).
    Values go through each column type's own bind processor, so the rows read back exactly
    as Core's insert() writes them; skipping Core's per-row parameter processing makes a
    demo clinic of 10,000 patients seed in about half the time (bench/README.md).
    Other databases use Core's executemany.
    """
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    constants: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.name not in rows[0] and default is not None and not default.is_sequence:
            constants[column.name] = default.arg if default.is_scalar else default.arg(None)
    columns = [table.c[name] for name in names] + [table.c[name] for name in constants]
    converters = [_memoised(c.type.dialect_impl(dialect).bind_processor(dialect))
                  for c in columns]
    tail = tuple(convert(value) if convert else value
                 for convert, value in zip(converters[len(names):], constants.values()))
    converting = [(i, convert) for i, convert in enumerate(converters[:len(names)]) if convert]

    def values(row: dict[str, Any]) -> tuple:
        out = [row[name] for name in names]
        for i, convert in converting:
            out[i] = convert(out[i])
        return (*out, *tail)

    sql = (f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, map(values, rows))
    finally:
        cursor.close()


def _memoised(convert: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A bind processor remembering its answers: dates and flags repeat across many rows."""
    if convert is None:
        return None
    seen: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = convert(value)
            return result
        except TypeError:  # an unhashable value
            return convert(value)

    return cached


def backup_folder(db_path: Path) -> Path:
    """Where automatic and pre-upgrade backups of a database file go: beside it."""
    return db_path.parent / "backups"


def server_backup_folder() -> Path:
    """Where this computer keeps its pg_dump backups of a server: the user data folder."""
    return default_db_path().parent / "backups"


def serialise_writers(connection: Connection) -> None:
    """Hold the clinic's writer lock until this transaction ends: on a server a
    transaction-level advisory lock (pg_advisory_xact_lock); SQLite's BEGIN IMMEDIATE
    already holds its own. The audit trail takes it before it reads the chain's last row."""
    db_server.take_write_lock(connection)


def _sqlite_engine(url: str, path: Path, *, passphrase: str | None,
                   read_only: bool) -> Engine:
    """The engine for an SQLite file: plain, read-only, or SQLCipher-encrypted."""
    if passphrase is None and not read_only:
        engine = create_engine(url, future=True, hide_parameters=True)
    else:
        module = db_files.driver(passphrase is not None)
        immutable = read_only and not os.access(path.parent, os.W_OK) and not Path(
            str(path) + "-shm").exists()

        def connect():
            return db_files.connect(path, passphrase=passphrase, read_only=read_only,
                                    immutable=immutable)

        engine = create_engine(url, future=True, hide_parameters=True, module=module,
                               creator=connect)
    _install_sqlite_pragmas(engine)
    return engine
