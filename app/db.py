"""The database: where it lives, the engine, sessions, migrations, checks.

All SQLite-specific SQL of the program lives here and in its file-level half, app/db_files.py
(pragmas, the engine of a file, encryption); PostgreSQL's in app/db_server.py
(docs/house_style.md). Everything else is portable SQLAlchemy, so a multi-workstation clinic
can point every PC at PostgreSQL. The errors are app/db_errors.py's, named here too.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

if TYPE_CHECKING:  # the ORM loads with the first session, after the first paint
    from sqlalchemy.orm import Session, sessionmaker

from app import db_checks, db_files, db_server, db_sqlite
from app.db_errors import DISK_FULL_MESSAGE as DISK_FULL_MESSAGE  # re-exported: app.db's words
from app.db_errors import DatabaseError as DatabaseError
from app.db_errors import DiskFull as DiskFull
from app.db_errors import NetworkFileSystem as NetworkFileSystem
from app.db_errors import PassphraseNeeded as PassphraseNeeded
from app.db_errors import ReadOnlyDatabase as ReadOnlyDatabase
from app.db_errors import ServerBusy as ServerBusy
from app.db_errors import ServerUnavailable as ServerUnavailable
from app.db_errors import WrongPassphrase as WrongPassphrase
from app.db_files import backup_folder as backup_folder  # re-exported: where backups go
from app.migrations import MIGRATIONS, newest_revision

ENV_VAR = "DFU_MONITOR_DB"
PASSPHRASE_ENV_VAR = "DFU_MONITOR_PASSPHRASE"
APP_NAME = "dfu-monitor"
WRITE_HOLD_SECONDS = 120.0  # a write's wait for the background start-up check (10k: ~1.5 s)


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


def database_identity(url: str) -> str:
    """The database a URL names, without its password: what this PC's drafts and last user
    are keyed on (a changed password orphans nothing; no secret is hashed into a name)."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.database in (None, "", ":memory:") or parsed.get_backend_name()[:6] != "sqlite":
        return None
    return Path(parsed.database)


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
    _check_lock: threading.Lock = field(default_factory=threading.Lock, repr=False,
                                        compare=False)
    _makers: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

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
        passphrase, problem = db_sqlite.prepare_file(
            path, create=create, read_only=read_only, passphrase=passphrase,
            passphrase_variable=PASSPHRASE_ENV_VAR)
        damaged = False
        later = check == "background" and not db_sqlite.unclean_shutdown(path)
        try:
            if check and not later and problem is None and path.exists():
                # On a read-only connection: a damaged file is never touched.
                problem = db_files.damage_problem(path, passphrase=passphrase)
                damaged = problem is not None
            engine = db_sqlite.sqlite_engine(url, path, passphrase=passphrase,
                                    read_only=problem is not None)
        except db_files.FileProblem as exc:  # junk, a wrong key, or no sqlcipher3
            if passphrase is not None and "sqlcipher3" not in str(exc):
                raise WrongPassphrase(f"the passphrase does not open {path} (or it is not a "
                                      "DFU Monitor database); nothing was changed") from None
            raise DatabaseError(f"{path} is not a readable DFU Monitor database ({exc})") from None
        database = cls(url=url, engine=engine, read_only=problem is not None, problem=problem,
                       damaged=damaged, passphrase=passphrase)
        if path.exists():
            try:
                db_sqlite.check_is_database(engine, path, encrypted=passphrase is not None)
            except DatabaseError:
                database.dispose()
                raise
        known = (database.current_revision(),) if later and migrate else ()  # read once
        if later:
            database.hold_writes_for_check()
            if known and known[0] not in (None, newest_revision()):
                database.run_start_check()  # a schema upgrade writes: the verdict first
        return cls._opened(database, migrate, *known)

    @staticmethod
    def _opened(database: Database, migrate: bool, *known: str | None) -> Database:
        try:
            if migrate and not database.read_only:
                database.migrate(*known)
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

    # -- sessions -----------------------------------------------------------------------
    def _bound(self, kind: str) -> Engine:
        """The engine with the "read" or "write" unit's execution options, made once."""
        options = db_server.read_options if kind == "read" else db_server.write_options
        return self._makers.get(kind) or self._makers.setdefault(
            kind, self.engine.execution_options(**options(self.engine)))

    def _sessions(self, kind: str) -> sessionmaker[Session]:
        """The "read" or "write" session factory, made once (a new one per session: ~0.1 ms).
        sqlalchemy.orm is imported here: the window's first paint reads through core_read."""
        from sqlalchemy.orm import sessionmaker

        return self._makers.get(f"{kind} session") or self._makers.setdefault(
            f"{kind} session", sessionmaker(bind=self._bound(kind), expire_on_commit=False))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (deferred BEGIN; on a server none: a write is refused)."""
        with self._reading(self._sessions("read")) as session:
            yield session

    @contextmanager
    def core_read(self) -> Iterator[Connection]:
        """read() on a Core connection, without the ORM: for what runs before the window's
        first paint (app.services.sign_in), so that sqlalchemy.orm is not imported there."""
        with self._reading(self._bound("read").connect) as connection:
            yield connection

    @contextmanager
    def _reading(self, unit) -> Iterator:
        try:
            with unit() as opened:
                yield opened
                opened.rollback()
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
            with self._sessions("write")() as session, \
                    session.begin():
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
        problem, or None when the file is sound. A second caller waits for the first's
        verdict instead of checking again (the log-in starts it, the window may ask too)."""
        with self._check_lock:
            if self._checked is not None and self._checked.is_set():
                return self.problem if self.damaged else None
            return self._start_check()

    def check_while_waiting(self) -> None:
        """Start run_start_check on a thread now (while the log-in dialog waits for a person)."""
        if self.writes_held:
            threading.Thread(target=self.run_start_check, name="dfu-start-check",
                             daemon=True).start()

    def _start_check(self) -> str | None:
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

    def migrate(self, *known: str | None) -> bool:
        """Upgrade the schema to head; True when anything was done.

        A database that holds data at an older schema is first backed up beside itself
        (backups/<name>-before-<head>-<time>.db), so an upgrade never costs a record.
        """
        current = known[0] if known else self.current_revision()  # known: read at open
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
        self._makers.clear()  # bound to the old engine
        self.engine, self.read_only, self.problem = fresh.engine, fresh.read_only, fresh.problem
        self.damaged = fresh.damaged

    # -- checks (app.db_checks) ---------------------------------------------------------
    def integrity_problems(self, *, quick: bool = False) -> list[str]:
        return db_checks.integrity_problems(self.engine, quick=quick)

    def foreign_key_problems(self) -> list[str]:
        return db_checks.foreign_key_problems(self.engine)

    def verified_checks(self) -> tuple[list[str], list[str]]:
        return db_checks.verified_checks(self.engine)

    @property
    def server_name(self) -> str:
        """The database name of a server URL (for backup file names); never the password."""
        return make_url(self.url).database or "clinic"

    def dispose(self) -> None:
        self.engine.dispose()


def server_backup_folder() -> Path:
    """Where this computer keeps its pg_dump backups of a server: the user data folder."""
    return default_db_path().parent / "backups"


def serialise_writers(connection: Connection) -> tuple[tuple[int, str] | None] | None:
    """Hold the clinic's writer lock until this transaction ends: on a server a
    transaction-level advisory lock (pg_advisory_xact_lock); SQLite's BEGIN IMMEDIATE
    already holds its own. The audit trail takes it before it reads the chain's last row:
    a server's write transaction read (id, hash) of that row with the lock, given once in
    a 1-tuple; None when the caller must read it."""
    return db_server.take_write_lock(connection)
