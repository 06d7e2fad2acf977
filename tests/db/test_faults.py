"""docs/reliability.md fault table at the storage layer: a corrupt file, a read-only file or folder,
a full disk, a network share, an old schema with data, and encryption at rest."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from app import db_files
from app.db import (
    Database,
    DatabaseError,
    DiskFull,
    NetworkFileSystem,
    PassphraseNeeded,
    ReadOnlyDatabase,
    WrongPassphrase,
)
from app.models import Patient
from app.services.actor import Actor
from app.services.patients import PatientInput, create_patient
from tests.db.helpers import (
    FIXTURE_0001,
    ROOT,
    child_env,
    content_hashes,
    file_digest,
    flip_bytes,
    golden_copy,
)

NURSE = Actor("nurse.test", "nurse")


def add_patient(db: Database, mrn: str, notes: str | None = None) -> None:
    with db.write() as session:
        create_patient(session, PatientInput(mrn=mrn, name=f"Patient {mrn}", notes=notes),
                       actor=NURSE)


def closed_copy(db: Database, target: Path) -> Path:
    """A whole single-file copy of a database nobody is writing (via the backup API)."""
    db.backup_to(target)
    return target


@pytest.fixture
def golden_db(tmp_path_factory, tmp_path):
    """The golden clinic, copied from a session template (faster than conftest's import)."""
    db = golden_copy(tmp_path_factory, tmp_path / "clinic.db")
    yield db
    db.dispose()


# -- corrupt file -----------------------------------------------------------------------------
def test_corrupt_file_is_detected_at_start_opened_read_only_and_never_written(golden_db,
                                                                              tmp_path):
    damaged = closed_copy(golden_db, tmp_path / "damaged.db")
    flip_bytes(damaged, offset=4096 * 50)
    before = file_digest(damaged)
    db = Database.open(f"sqlite:///{damaged}", create=False, check=True)
    assert db.read_only
    assert "integrity check" in db.problem and "restore a backup" in db.problem
    with pytest.raises(ReadOnlyDatabase, match="nothing was saved"):
        add_patient(db, "NEW-1")
    db.dispose()
    assert file_digest(damaged) == before  # no writes, not even a journal replay


def test_corrupt_header_is_a_clear_error(tmp_path, golden_db):
    damaged = closed_copy(golden_db, tmp_path / "header.db")
    flip_bytes(damaged, offset=0, count=16)
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        Database.open(f"sqlite:///{damaged}", create=False, check=True)


# -- read-only file or folder -----------------------------------------------------------------
READ_ONLY_CHILD = """
import json, sys
from sqlalchemy import text
from app.db import Database, ReadOnlyDatabase
from app.services.actor import Actor
from app.services.patients import PatientInput, create_patient
db = Database.open(sys.argv[1], create=False, check=True)
out = {"read_only": db.read_only, "problem": db.problem}
with db.read() as session:
    out["patients"] = session.execute(text("SELECT count(*) FROM patient")).scalar()
try:
    with db.write() as session:
        create_patient(session, PatientInput(mrn="RO-1", name="New"), actor=Actor("n", "nurse"))
    out["write"] = "saved"
except ReadOnlyDatabase as exc:
    out["write"] = str(exc)
print(json.dumps(out))
"""


def run_unprivileged(*args: str) -> subprocess.CompletedProcess:
    """Run Python as a clinic's user would: root bypasses file permissions (chmod is the test
    of docs/reliability.md), so as root the child runs without the capabilities that do that."""
    command = [sys.executable, *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner",
                   *command]
    return subprocess.run(command, capture_output=True, text=True, env=child_env(), cwd=ROOT,
                          timeout=60)


@pytest.fixture
def shared_folder(golden_db, tmp_path):
    folder = tmp_path / "clinic"
    folder.mkdir()
    closed_copy(golden_db, folder / "clinic.db")
    yield folder
    folder.chmod(0o755)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_file_or_folder_gives_read_only_mode(shared_folder, what):
    path = shared_folder / "clinic.db"
    if what == "file":
        path.chmod(0o444)
    else:
        path.chmod(0o666)
        shared_folder.chmod(0o555)
    before = file_digest(path)
    result = run_unprivileged("-c", READ_ONLY_CHILD, f"sqlite:///{path}")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["read_only"] is True
    assert "read-only" in out["problem"] and what in out["problem"]
    assert out["patients"] == 8  # the records can still be read
    assert "read-only" in out["write"] and "nothing was saved" in out["write"]
    assert file_digest(path) == before


def test_a_file_made_read_only_after_opening_gives_a_clear_message(db):
    """The write itself failing with SQLITE_READONLY is translated, not a crash."""
    @event.listens_for(db.engine, "connect")
    def _query_only(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only = ON")

    db.engine.dispose()
    with pytest.raises(ReadOnlyDatabase, match="cannot be written.*nothing was saved"):
        add_patient(db, "Q-1")


# -- full disk --------------------------------------------------------------------------------
def test_disk_full_is_a_clear_message_and_changes_nothing(golden_db):
    before = content_hashes(golden_db)
    with golden_db.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    golden_db.engine.dispose()

    @event.listens_for(golden_db.engine, "connect")
    def _tiny_disk(dbapi_connection, _record):  # SQLite's own way to fake a full disk
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

    with pytest.raises(DiskFull) as caught:
        with golden_db.write() as session:
            for n in range(40):
                create_patient(session, PatientInput(mrn=f"FULL-{n}", name="Full Disk",
                                                     notes="typed " * 300), actor=NURSE)
    assert "disk" in str(caught.value) and "nothing was saved" in str(caught.value)
    event.remove(golden_db.engine, "connect", _tiny_disk)
    golden_db.engine.dispose()
    assert content_hashes(golden_db) == before
    assert golden_db.integrity_problems() == []


# -- network file system ----------------------------------------------------------------------
def test_network_share_is_recognised_from_the_mount_table():
    mounts = ("/dev/vda / ext4 rw 0 0\n"
              "server:/export /mnt/clinic nfs4 rw,relatime 0 0\n"
              "//nas/share /mnt/smb\\040share cifs rw 0 0\n")
    assert db_files.network_filesystem(Path("/mnt/clinic/db/clinic.db"), mounts=mounts) == "nfs4"
    assert db_files.network_filesystem(Path("/mnt/smb share/c.db"), mounts=mounts) == "cifs"
    assert db_files.network_filesystem(Path("/home/clinic/c.db"), mounts=mounts) is None
    assert db_files.network_filesystem(Path("/mnt/clinical/c.db"), mounts=mounts) is None
    assert db_files.network_filesystem(Path("//server/share/c.db")) == "UNC share"


def test_database_on_a_network_share_is_refused_with_the_postgresql_alternative(tmp_path,
                                                                                 monkeypatch):
    real = db_files.network_filesystem
    mounts = f"/dev/vda / ext4 rw 0 0\nnas:/clinic {tmp_path} nfs rw 0 0\n"
    monkeypatch.setattr(db_files, "network_filesystem",
                        lambda path, mounts_=None: real(path, mounts=mounts))
    with pytest.raises(NetworkFileSystem) as caught:
        Database.open(f"sqlite:///{tmp_path / 'clinic.db'}")
    message = str(caught.value)
    assert "network file system (nfs)" in message and "PostgreSQL" in message
    assert "postgresql://" in message
    assert not (tmp_path / "clinic.db").exists()


# -- old schema with data ---------------------------------------------------------------------
def test_first_schema_database_upgrades_with_every_row_kept_and_a_backup_first(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE_0001, path)
    old = Database.open(f"sqlite:///{path}", create=False, migrate=False, read_only=True)
    assert old.current_revision() == "0001"
    before = content_hashes(old, skip=("alembic_version",))
    old.dispose()

    db = Database.open(f"sqlite:///{path}", create=False)
    assert db.current_revision() == db.head_revision() == "0004"
    after = content_hashes(db, skip=("alembic_version",))
    assert {table: after[table] for table in before} == before
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 15
    add_patient(db, "AFTER-UPGRADE")  # and it works at the new schema, audit included
    db.dispose()

    backups = list((tmp_path / "backups").glob("old-before-0004-*.db"))
    assert len(backups) == 1
    kept = Database.open(f"sqlite:///{backups[0]}", create=False, migrate=False, read_only=True)
    assert kept.current_revision() == "0001"
    assert content_hashes(kept, skip=("alembic_version",)) == before
    kept.dispose()


# -- encryption at rest -----------------------------------------------------------------------
needs_sqlcipher = pytest.mark.skipif(importlib.util.find_spec("sqlcipher3") is None,
                                     reason="the crypto extra (sqlcipher3) is not installed")
KEY = "correct horse battery staple"


@pytest.fixture
def encrypted(tmp_path):
    db = Database.open(f"sqlite:///{tmp_path / 'secret.db'}", passphrase=KEY)
    add_patient(db, "ENC-1", notes="confidential wound history")
    yield db
    db.dispose()


@needs_sqlcipher
def test_encrypted_file_does_not_open_without_the_key(encrypted):
    path = encrypted.path
    encrypted.dispose()
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3") and b"confidential" not in raw
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT * FROM patient").fetchall()
    with pytest.raises(PassphraseNeeded, match="encrypted"):
        Database.open(f"sqlite:///{path}", create=False)


@needs_sqlcipher
def test_wrong_key_is_a_clear_error_and_changes_nothing(encrypted, tmp_path, monkeypatch):
    path = encrypted.path
    encrypted.dispose()
    before = file_digest(path)
    monkeypatch.setenv("DFU_MONITOR_PASSPHRASE", "not the passphrase")
    with pytest.raises(WrongPassphrase, match="passphrase does not open"):
        Database.open(f"sqlite:///{path}", create=True)
    assert file_digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.db"]  # nothing new created
    monkeypatch.setenv("DFU_MONITOR_PASSPHRASE", KEY)
    db = Database.open(f"sqlite:///{path}", create=False)
    with db.read() as session:
        assert session.scalar(select(Patient.notes)) == "confidential wound history"
    db.dispose()


@needs_sqlcipher
def test_backup_of_an_encrypted_database_is_encrypted(encrypted, tmp_path):
    target = encrypted.backup_to(tmp_path / "copy.db")
    raw = target.read_bytes()
    assert not raw.startswith(b"SQLite format 3") and b"confidential" not in raw
    copy = Database.open(f"sqlite:///{target}", create=False, passphrase=KEY, check=True)
    assert not copy.read_only
    assert content_hashes(copy) == content_hashes(encrypted)
    copy.dispose()
    with pytest.raises(WrongPassphrase):
        Database.open(f"sqlite:///{target}", create=False, passphrase="another passphrase")
