"""Backup and restore of the clinic database (docs/reliability.md, "Storage").

Backups use SQLite's online backup API (app.db_files), never a copy of a live file. A restore
checks the file first (integrity_check, foreign_key_check, a schema this program knows),
keeps the database it replaces, and refuses anything else with the current data untouched.

On a PostgreSQL server (app.db_server) a backup is pg_dump's custom format, and a restore runs
pg_restore into an EMPTY database only (a database holding data is never overwritten), then
re-applies the server's grants and upgrades the schema.

Photo bytes are copied once each into `photos/` beside the backups, not into every backup file
(app.services.photo_backup; an encrypted clinic keeps them inside its encrypted backup); a
restore puts back those its photos need, and refuses a backup whose photos folder lacks one.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app import db_files, db_server
from app.db import (
    PASSPHRASE_ENV_VAR,
    Database,
    DatabaseError,
    backup_folder,
    server_backup_folder,
    sqlite_path,
)
from app.services.actor import Actor
from app.services.audit import record_event
from app.services.errors import UserError
from app.services.photo_backup import (
    missing_photo_files,
    needed_in_file,
    needed_in_session,
    put_back_photos,
    write_backup,
)

AUTO_KEEP = 14
AUTO_TAG = "auto"


class RestoreRefused(UserError):
    """The file is not a sound DFU Monitor backup; `problems` says every reason."""

    def __init__(self, source: Path, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"{source} was not restored, the current data is untouched: "
                         + "; ".join(self.problems[:3]))


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    kept: Path | None  # the database that was replaced, kept beside the backups
    revision: str | None  # the schema of the restored file, before any upgrade


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%d-%H%M%S")


def _audit(db: Database, actor: Actor, action: str, detail: str) -> None:
    """An event in the trail; a read-only database cannot take it and is left as it is."""
    if db.read_only:
        return
    with db.write() as session:
        record_event(session, actor, action, detail)


# -- backup -----------------------------------------------------------------------------------
def backup_database(db: Database, target: Path, *, actor: Actor, progress=None) -> Path:
    """Write an online backup of `db` to `target` (a file, or a folder to put it in)."""
    actor.require("backup")
    target = Path(target).expanduser()
    if target.is_dir():
        target = target / (f"{db.server_name}-{_stamp()}.dump" if db.path is None
                           else f"{db.path.stem}-{_stamp()}.db")
    if not target.parent.is_dir():
        raise UserError(f"folder {target.parent} does not exist")
    if db.path is not None and target.resolve() == db.path.resolve():
        raise UserError("a backup cannot overwrite the database itself")
    backup = write_backup(db, target, progress=progress)
    written = backup.file
    _audit(db, actor, "backup", f"backup written to {written}" + (
        f"; photos: {backup.photos.written} new file(s) in {written.parent / 'photos'}"
        if backup.photos else ""))
    return written


def automatic_backup(db: Database, *, keep: int = AUTO_KEEP, now: dt.datetime | None = None,
                     folder: Path | None = None) -> Path | None:
    """The backup taken when the app closes: <folder>/<name>-auto-<time>.db, the last `keep`
    kept; `folder` is the clinic setting `backup_folder` (None: backups/ beside the file).
    Of a server: a pg_dump (.dump) into `folder` or this computer's backups folder, when
    pg_dump is installed (the server's own scheduled backups are the main ones)."""
    if db.path is not None and not db.path.exists():
        return None
    folder = Path(folder) if folder else _default_folder(db)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        written = write_backup(
            db, folder / f"{_name(db)}-{AUTO_TAG}-{_stamp(now)}{_suffix(db)}").file
    except DatabaseError:
        if db.path is not None:
            raise
        return None  # no pg_dump on this computer
    for old in automatic_backups(db, folder=folder)[:-max(1, keep)]:
        old.unlink(missing_ok=True)
    return written


def automatic_backups(db: Database, *, folder: Path | None = None) -> list[Path]:
    """The automatic backups of `db` (in `folder`, or backups/ beside it), oldest first."""
    folder = Path(folder) if folder else _default_folder(db)
    pattern = f"{_name(db)}-{AUTO_TAG}-*{_suffix(db)}"
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def _default_folder(db: Database) -> Path:
    return server_backup_folder() if db.path is None else backup_folder(db.path)


def _name(db: Database) -> str:
    return db.server_name if db.path is None else db.path.stem


def _suffix(db: Database) -> str:
    return ".dump" if db.path is None else ".db"


# -- restore ----------------------------------------------------------------------------------
def known_revisions() -> set[str]:
    """Every schema revision of this program's migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from app.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def check_backup_file(source: Path, *, passphrase: str | None,
                      current_encrypted: bool | None) -> db_files.FileReport:
    """Every reason `source` may not be restored (an empty list when it may)."""
    source = Path(source).expanduser()
    if source.is_file() and source.stat().st_size and current_encrypted is not None:
        encrypted = not db_files.is_plain_sqlite(source)
        if encrypted and not db_files.looks_encrypted(source):
            return db_files.FileReport(problems=[
                f"{source} is not a DFU Monitor backup (not an SQLite file)"])
        if encrypted and not current_encrypted:
            return db_files.FileReport(problems=[
                f"{source} is not an SQLite database (or it is encrypted and the clinic "
                "database is not)"])
        if current_encrypted and not encrypted:
            return db_files.FileReport(problems=[
                f"{source} is not encrypted and the clinic database is: restoring it would "
                "store the records unencrypted"])
    return db_files.inspect_file(source, passphrase=passphrase,
                                 known_revisions=known_revisions())


def restore_database(url: str, source: Path, *, actor: Actor | None,
                     passphrase: str | None = None,
                     sign_in: Callable[[Database], Actor] | None = None) -> RestoreResult:
    """Replace the database at `url` with the backup `source`, keeping the one replaced.

    Works on a database that is damaged, or that is not a database at all: that is when a
    restore is needed most. Callers holding a Database on `url` dispose of it first and
    `reopen()` it after. An empty server database has no accounts to sign in with: there
    `sign_in` checks the user against the restored accounts, and a refusal undoes the restore.
    """
    source = Path(source).expanduser()
    path = sqlite_path(url)
    if path is None:
        return _restore_server(url, source, actor, sign_in)
    if actor is None:
        raise UserError("a restore needs a signed-in user")
    actor.require("backup")
    if source.resolve() == path.resolve():
        raise UserError("that file is the database itself")
    if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise UserError(f"{path} or its folder is read-only: nothing was restored")
    current_encrypted = (not db_files.is_plain_sqlite(path)) if path.is_file() else None
    if passphrase is None:
        passphrase = os.environ.get(PASSPHRASE_ENV_VAR)
    report = check_backup_file(source, passphrase=passphrase, current_encrypted=current_encrypted)
    if report.problems:
        raise RestoreRefused(source, report.problems)
    if current_encrypted is False or (current_encrypted is None
                                      and db_files.is_plain_sqlite(source)):
        passphrase = None
    needed = needed_in_file(source, passphrase if not db_files.is_plain_sqlite(source) else None)
    problems = missing_photo_files(source, needed)
    if problems:
        raise RestoreRefused(source, problems)
    kept = _keep_current(url, path, passphrase)
    try:
        db_files.restore(source, path, passphrase=passphrase)
    except OSError as exc:
        raise DatabaseError(f"the restore could not write {path}: {exc.strerror}; the "
                            f"replaced database is kept at {kept}") from exc
    restored = Database.open(url, create=False, passphrase=passphrase)  # upgrades, backed up
    try:
        if needed:
            with restored.write() as session:
                put_back_photos(session, source, needed)
        _audit(restored, actor, "restore", f"restored from {source}" +
               (f"; the replaced database is kept at {kept}" if kept else ""))
    finally:
        restored.dispose()
    return RestoreResult(source=source, kept=kept, revision=report.revision)


def _keep_current(url: str, path: Path, passphrase: str | None) -> Path | None:
    """Put the database about to be replaced beside the backups; None when there is none."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    kept = backup_folder(path) / f"{path.stem}-replaced-{_stamp()}.db"
    kept.parent.mkdir(parents=True, exist_ok=True)
    try:
        current = Database.open(url, create=False, migrate=False, read_only=True,
                                passphrase=passphrase)
    except DatabaseError:
        current = None
    if current is not None:
        try:
            if not current.integrity_problems(quick=True):
                return current.backup_to(kept)
        except Exception:  # a damaged file: its bytes are kept as they are
            pass
        finally:
            current.dispose()
    # Damaged or unreadable, so nothing is writing to it: its bytes (and WAL) are kept as is.
    shutil.copy2(path, kept)
    wal = Path(str(path) + "-wal")
    if wal.exists():
        shutil.copy2(wal, Path(str(kept) + "-wal"))
    return kept


def _restore_server(url: str, source: Path, actor: Actor | None,
                    sign_in: Callable[[Database], Actor] | None) -> RestoreResult:
    """pg_restore a custom-format backup into the EMPTY database at `url`."""
    if actor is not None:
        actor.require("backup")
    elif sign_in is None:
        raise UserError("a restore needs a signed-in user")
    if not source.is_file():
        raise RestoreRefused(source, [f"{source} is not a file"])
    try:
        db_server.list_dump(source)
    except db_server.ToolFailed as exc:
        raise RestoreRefused(source, [str(exc)]) from None
    target = Database.open(url, migrate=False)
    try:
        with target.engine.connect() as connection:
            tables = db_server.user_tables(connection)
    finally:
        target.dispose()
    if tables:
        raise UserError(f"restore into an empty database only: {target.server_name} already "
                        f"holds {len(tables)} tables, nothing was restored. Create an empty "
                        "database (createdb) and restore into it.")
    try:
        db_server.restore(url, source, sections=("pre-data", "data"))
    except db_server.ToolFailed as exc:
        raise DatabaseError(f"the restore failed and was rolled back: {exc}") from exc
    _complete_server_restore(url, source)
    restored = Database.open(url, migrate=False)
    try:
        if actor is None:
            actor = _signed_in_or_undone(restored, sign_in)
        revision = restored.current_revision()
        restored.migrate()
        with restored.engine.begin() as connection:  # pg_dump keeps no grants: redo them
            db_server.secure_server(connection)
        _audit(restored, actor, "restore", f"restored from {source}")
    finally:
        restored.dispose()
    return RestoreResult(source=source, kept=None, revision=revision)


def _complete_server_restore(url: str, source: Path) -> None:
    """After the tables and rows: the photo bytes the dump left out, from `photos/` beside
    it, then the constraints, indexes and triggers. Any failure (a photos folder lacking a
    blob among them) empties the database again."""
    restored = Database.open(url, migrate=False)
    try:
        with restored.read() as session:
            needed = needed_in_session(session)
        problems = missing_photo_files(source, needed)
        if problems:
            raise RestoreRefused(source, problems)
        if needed:
            with restored.write() as session:
                put_back_photos(session, source, needed)
        db_server.restore(url, source, sections=("post-data",))
    except BaseException as exc:
        with restored.engine.begin() as connection:
            db_server.drop_everything(connection)
        if isinstance(exc, db_server.ToolFailed):
            raise DatabaseError(f"the restore failed and was rolled back: {exc}") from exc
        raise
    finally:
        restored.dispose()


def _signed_in_or_undone(restored: Database, sign_in: Callable[[Database], Actor]) -> Actor:
    """The user signed in against the restored accounts, allowed to restore; otherwise the
    database is emptied again and the refusal raised."""
    try:
        actor = sign_in(restored)
        actor.require("backup")
        return actor
    except BaseException:
        with restored.engine.begin() as connection:
            db_server.drop_everything(connection)
        raise
