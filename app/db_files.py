"""The SQLite file itself: encryption, network shares, online backups, checking a backup file.

The companion of app/db.py for whatever works on the database *file* rather than through the
engine; like db.py, it is the only other place that speaks SQLite's own SQL. SQLite's
documentation is the source for every rule here: "How To Corrupt An SQLite Database File"
(network file systems, copying a live file), the Online Backup API, PRAGMA integrity_check
and foreign_key_check; SQLCipher's API for PRAGMA key.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable
from urllib.parse import quote

SQLITE_HEADER = b"SQLite format 3\x00"
# File systems on which SQLite's locking, and WAL's shared memory, do not hold.
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smbfs", "smb3", "afs", "ncpfs", "coda", "fuse.sshfs", "sshfs",
    "glusterfs", "fuse.glusterfs", "ceph", "fuse.ceph", "lustre", "gpfs", "davfs",
    "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "ocfs2", "gfs2", "beegfs", "orangefs"})

NETWORK_EXPLANATION = (
    "{path} is on a network file system ({kind}). SQLite databases get corrupted on network "
    "shares, because file locking and WAL's shared memory do not work across computers. Keep "
    "the database on this computer's own disk; to share one database between several "
    "workstations, run a PostgreSQL server and point every workstation at it with "
    "--db postgresql://user@server/dfu_monitor (or DFU_MONITOR_DB).")


class FileProblem(Exception):
    """The file cannot be opened as a database (not SQLite, wrong key, unreadable)."""


# -- what kind of file ------------------------------------------------------------------------
def is_plain_sqlite(path: Path) -> bool:
    """True for an unencrypted SQLite file (or an empty one); SQLCipher files look random."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    return head == b"" or head == SQLITE_HEADER


def looks_encrypted(path: Path) -> bool:
    """An SQLCipher file: no SQLite header, whole pages, and random bytes where a text or
    other document would have readable characters."""
    size = path.stat().st_size
    if size < 1024 or size % 512 or is_plain_sqlite(path):
        return False
    with open(path, "rb") as handle:
        head = handle.read(64)
    readable = sum(32 <= b < 127 or b in (9, 10, 13) for b in head)
    return readable < 56  # random bytes: about 25 of 64; text: all of them


def network_filesystem(path: Path, *, mounts: str | None = None) -> str | None:
    """The network file system type holding `path` ("nfs4", "cifs", "UNC share"), or None."""
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return "UNC share"
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive and ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4:  # DRIVE_REMOTE
            return "network drive"
        return None
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    best, kind = "", None
    target = os.path.abspath(text)
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind if kind in NETWORK_FILESYSTEMS else None


# -- connections ------------------------------------------------------------------------------
def driver(encrypted: bool) -> ModuleType:
    """sqlite3, or SQLCipher's drop-in DB-API module for an encrypted database."""
    if not encrypted:
        return sqlite3
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise FileProblem("this database is encrypted, and encryption needs the sqlcipher3 "
                          "package: pip install 'dfu-monitor[crypto]'") from None
    return dbapi2


def apply_key(connection, passphrase: str) -> None:
    """SQLCipher's PRAGMA key: the first statement on a connection. Its logging is switched
    off so a wrong key never prints to the terminal."""
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute("PRAGMA key = " + _quote(passphrase))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(path: Path, *, passphrase: str | None = None, read_only: bool = False,
            immutable: bool = False):
    """A DB-API connection to `path` (keyed when `passphrase` is given)."""
    module = driver(passphrase is not None)
    if read_only:
        uri = "file:" + quote(str(path)) + "?mode=ro" + ("&immutable=1" if immutable else "")
        connection = module.connect(uri, uri=True, check_same_thread=False)
    else:
        connection = module.connect(str(path), check_same_thread=False)
    if passphrase is not None:
        apply_key(connection, passphrase)
    return connection


def data_version(connection) -> int:
    """PRAGMA data_version: moves whenever another connection commits to the file (the
    change feed polls it, app.services.change_feed)."""
    return connection.execute("PRAGMA data_version").fetchone()[0]


def probe(connection) -> None:
    """Read the schema once: raises FileProblem for junk, a wrong key or a corrupt header."""
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:  # sqlite3 / sqlcipher3 DatabaseError
        raise FileProblem(str(exc)) from exc


def quick_check(path: Path, *, passphrase: str | None = None) -> list[str]:
    """SQLite's quick_check through a read-only connection: [] when the file is sound.
    Raises FileProblem when the file cannot be read as a database at all."""
    connection = _open_read_only(path, passphrase)
    try:
        rows = [r[0] for r in connection.execute("PRAGMA quick_check")]
        return [] if rows == ["ok"] else rows
    except Exception as exc:  # "database disk image is malformed" as an exception
        return [str(exc)]
    finally:
        connection.close()


def damage_problem(path: Path, *, passphrase: str | None = None) -> str | None:
    """The start-up check: SQLite's quick_check on a read-only connection; None when sound."""
    damage = quick_check(path, passphrase=passphrase)
    if not damage:
        return None
    return ("the database failed its integrity check (" +
            "; ".join(" ".join(d.split()) for d in damage[:3]) +
            "): it is open read-only so nothing more is written to it; restore a backup")


def write_problem(path: Path) -> str | None:
    """Why an existing database file cannot be written to, or None when it can."""
    if not os.access(path, os.W_OK):
        return f"the database file {path} is read-only for this user"
    if not os.access(path.parent, os.W_OK):
        return (f"the folder {path.parent} is read-only for this user (SQLite writes its "
                "journal beside the database)")
    return None


# -- online backup ----------------------------------------------------------------------------
def backup(source, target: Path, *, passphrase: str | None = None, pages: int = -1,
           progress: Callable[[int, int, int], object] | None = None) -> Path:
    """Copy the open database `source` into `target` with the online backup API.

    Written to `target.part`, made a single self-contained file (rollback journal), synced,
    then renamed: a crash leaves either no backup or a whole one. An encrypted source gives
    a backup encrypted with the same key.
    """
    target = Path(target)
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    destination = connect(part, passphrase=passphrase)
    try:
        source.backup(destination, pages=pages, progress=progress)
        destination.execute("PRAGMA journal_mode = DELETE")
        destination.commit()
    except BaseException:
        destination.close()
        part.unlink(missing_ok=True)
        raise
    destination.close()
    _fsync(part)
    os.replace(part, target)
    _fsync(target.parent)
    return target


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # folders cannot be opened on Windows
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def restore(source: Path, target: Path, *, passphrase: str | None = None) -> None:
    """Replace the database at `target` with the checked file `source`.

    Through the backup API into the live file when it is sound (other connections see the
    change, the WAL stays consistent); a damaged or unreadable file is instead replaced
    whole, its stale -wal and -shm removed so SQLite never replays them over the new data.
    """
    incoming = connect(source, passphrase=passphrase, read_only=True)
    try:
        if _restore_in_place(incoming, target, passphrase):
            return
        fresh = backup(incoming, target.with_name(target.name + ".restoring"),
                       passphrase=passphrase)
    finally:
        incoming.close()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(fresh, target)
    _fsync(target.parent)


def _restore_in_place(incoming, target: Path, passphrase: str | None) -> bool:
    """True when the live file was sound and now holds the backup's content."""
    try:
        live = connect(target, passphrase=passphrase)
    except Exception:  # sqlite3 or sqlcipher3 error: the file is not usable
        return False
    try:
        probe(live)
        if [r[0] for r in live.execute("PRAGMA quick_check")] != ["ok"]:
            return False
        incoming.backup(live)
        return True
    except Exception:  # a damaged file: it is replaced whole instead
        return False
    finally:
        live.close()


def _open_read_only(path: Path, passphrase: str | None):
    """Read-only, falling back to immutable when a WAL file's -shm cannot be created."""
    connection = connect(path, passphrase=passphrase, read_only=True)
    try:
        probe(connection)
        return connection
    except FileProblem:
        connection.close()
    connection = connect(path, passphrase=passphrase, read_only=True, immutable=True)
    probe(connection)
    return connection


# -- checking a file before it is trusted -----------------------------------------------------
@dataclass
class FileReport:
    """What `inspect_file` found; `problems` empty means the file may be restored."""

    revision: str | None = None
    problems: list[str] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)


def inspect_file(path: Path, *, passphrase: str | None, known_revisions: Iterable[str],
                 ) -> FileReport:
    """integrity_check, foreign_key_check and a known schema revision, read-only."""
    report = FileReport()
    path = Path(path)
    if not path.is_file():
        report.problems.append(f"{path} is not a file")
        return report
    if path.stat().st_size == 0:
        report.problems.append(f"{path} is empty")
        return report
    encrypted = not is_plain_sqlite(path)
    if encrypted and passphrase is None:
        report.problems.append(f"{path} is not an SQLite database (or it is encrypted and this "
                               "clinic database is not)")
        return report
    try:
        connection = _open_read_only(path, passphrase if encrypted else None)
    except Exception:  # FileProblem, or sqlite3 / sqlcipher3 errors
        report.problems.append(
            f"{path} is not a DFU Monitor database" +
            (" (or it was encrypted with another passphrase)" if encrypted else ""))
        return report
    try:
        report.tables = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        try:
            integrity = [r[0] for r in connection.execute("PRAGMA integrity_check")]
        except Exception as exc:
            integrity = [str(exc)]
        if integrity != ["ok"]:
            report.problems += [f"integrity: {p}" for p in integrity[:20]]
            return report
        for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check"):
            report.problems.append(f"foreign key: {table} row {rowid} refers to a missing "
                                   f"{parent}")
        if "alembic_version" not in report.tables:
            report.problems.append(f"{path} is an SQLite file but not a DFU Monitor database")
            return report
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        report.revision = row[0] if row else None
        if report.revision not in set(known_revisions):
            report.problems.append(f"schema {report.revision} is not one this version of DFU "
                                   "Monitor knows (a newer program made it?)")
    finally:
        connection.close()
    return report


def backup_folder(db_path: Path) -> Path:
    """Where automatic and pre-upgrade backups of a database file go: beside it."""
    return db_path.parent / "backups"
