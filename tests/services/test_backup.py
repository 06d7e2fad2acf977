"""Backup and restore (docs/reliability.md "Storage"): identical content, junk refused with the
current data untouched, the replaced database kept, 14 automatic backups, older schemas."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest

from app.db import Database
from app.services.actor import Actor
from app.services.audit import list_audit
from app.services.backup import (
    AUTO_KEEP,
    RestoreRefused,
    automatic_backup,
    automatic_backups,
    backup_database,
    restore_database,
)
from app.services.errors import PermissionDenied
from app.services.patients import PatientInput, create_patient
from tests.db.helpers import FIXTURE_0001, content_hashes, file_digest, flip_bytes, golden_copy

ADMIN = Actor("admin.eva", "admin")
NURSE = Actor("nurse.ana", "nurse")


@pytest.fixture
def golden_db(tmp_path_factory, tmp_path):
    """The golden clinic, copied from a session template (faster than conftest's import)."""
    db = golden_copy(tmp_path_factory, tmp_path / "clinic.db")
    yield db
    db.dispose()


def add_patient(db: Database, mrn: str) -> None:
    with db.write() as session:
        create_patient(session, PatientInput(mrn=mrn, name=f"Patient {mrn}"), actor=NURSE)


def test_backup_then_restore_gives_identical_content(demo_db, tmp_path):
    add_patient(demo_db, "BEFORE-1")
    backup = backup_database(demo_db, tmp_path / "monday.db", actor=ADMIN)
    saved = content_hashes(demo_db, skip=("audit_log",))
    add_patient(demo_db, "AFTER-1")  # work done after the backup...
    changed = content_hashes(demo_db)
    demo_db.dispose()

    result = restore_database(demo_db.url, backup, actor=ADMIN)
    demo_db.reopen()
    restored = content_hashes(demo_db, skip=("audit_log",))
    assert restored == saved  # row hashes of every table
    kept = Database.open(f"sqlite:///{result.kept}", create=False, migrate=False,
                         read_only=True)
    assert content_hashes(kept) == changed  # ...is kept in the replaced database
    kept.dispose()
    with demo_db.read() as session:
        last = list_audit(session)[-1]
    assert (last.action, last.user) == ("restore", "admin.eva")
    assert str(backup) in last.new and str(result.kept) in last.new


@pytest.mark.parametrize("junk", ["text", "empty", "other sqlite", "truncated", "damaged",
                                  "foreign keys", "newer schema"])
def test_junk_restore_is_refused_with_the_current_data_untouched(golden_db, tmp_path, junk):
    candidate = tmp_path / "candidate.db"
    if junk == "text":
        candidate.write_text("patient,visit\n1,2\n" * 200)
    elif junk == "empty":
        candidate.write_bytes(b"")
    elif junk == "other sqlite":
        other = sqlite3.connect(candidate)
        other.execute("CREATE TABLE notes (x)")
        other.commit()
        other.close()
    else:
        golden_db.backup_to(candidate)
        if junk == "truncated":
            candidate.write_bytes(candidate.read_bytes()[:len(candidate.read_bytes()) // 3])
        elif junk == "damaged":
            flip_bytes(candidate, offset=4096 * 20)
        else:
            raw = sqlite3.connect(candidate)
            raw.execute("PRAGMA foreign_keys = OFF")
            if junk == "foreign keys":
                raw.execute("UPDATE assessment SET visit_id = 99999 WHERE id = 1")
            else:
                raw.execute("UPDATE alembic_version SET version_num = '9999'")
            raw.commit()
            raw.close()
    before_file = file_digest(golden_db.path)
    before = content_hashes(golden_db)
    with pytest.raises(RestoreRefused) as caught:
        restore_database(golden_db.url, candidate, actor=ADMIN)
    assert "not restored, the current data is untouched" in str(caught.value)
    assert caught.value.problems
    assert content_hashes(golden_db) == before
    assert file_digest(golden_db.path) == before_file
    assert not (golden_db.path.parent / "backups").exists()  # nothing replaced, nothing kept


def test_restore_repairs_a_damaged_database_and_keeps_its_bytes(golden_db, tmp_path):
    good = backup_database(golden_db, tmp_path / "good.db", actor=ADMIN)
    expected = content_hashes(golden_db, skip=("audit_log",))
    path = golden_db.path
    golden_db.dispose()
    flip_bytes(path, offset=4096 * 30)
    damaged_bytes = file_digest(path)
    damaged = Database.open(golden_db.url, create=False, check=True)
    assert damaged.read_only  # what the window shows, offering a restore
    damaged.dispose()

    result = restore_database(golden_db.url, good, actor=ADMIN)
    assert file_digest(result.kept) == damaged_bytes
    db = Database.open(golden_db.url, create=False, check=True)
    assert not db.read_only and db.integrity_problems() == []
    assert content_hashes(db, skip=("audit_log",)) == expected
    db.dispose()


def test_restoring_a_first_schema_backup_upgrades_it(db, tmp_path):
    restore_database(db.url, FIXTURE_0001, actor=ADMIN)
    db.reopen()
    assert db.current_revision() == db.head_revision()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM patient").scalar() == 15


def test_backup_and_restore_need_the_backup_permission(db, tmp_path):
    for actor in (NURSE, Actor("staff.di", "staff"), Actor("dr.bo", "doctor")):
        with pytest.raises(PermissionDenied):
            backup_database(db, tmp_path / "b.db", actor=actor)
        with pytest.raises(PermissionDenied):
            restore_database(db.url, FIXTURE_0001, actor=actor)
    assert not (tmp_path / "b.db").exists()


def test_automatic_backup_keeps_the_last_14(db):
    add_patient(db, "AUTO-1")
    start = dt.datetime(2026, 11, 1, 18, 0, tzinfo=dt.timezone.utc)
    for day in range(AUTO_KEEP + 3):
        automatic_backup(db, now=start + dt.timedelta(days=day))
    kept = automatic_backups(db)
    assert len(kept) == AUTO_KEEP == 14
    assert kept[0].name.endswith("20261104-180000.db")  # the three oldest went
    assert kept[-1].name.endswith("20261117-180000.db")
    newest = Database.open(f"sqlite:///{kept[-1]}", create=False, migrate=False,
                           read_only=True)
    assert content_hashes(newest) == content_hashes(db)
    newest.dispose()


def test_a_backup_never_overwrites_the_database(db):
    with pytest.raises(Exception, match="cannot overwrite"):
        backup_database(db, db.path, actor=ADMIN)


def test_restore_from_a_folder_with_the_live_copy_of_another_clinic(db, tmp_path, demo_db):
    """A live WAL-mode file (not one of our backups) is read consistently and restored."""
    source = tmp_path / "other" / "clinic.db"
    source.parent.mkdir()
    shutil.copy(demo_db.path, source)
    for suffix in ("-wal",):
        wal = demo_db.path.with_name(demo_db.path.name + suffix)
        if wal.exists():
            shutil.copy(wal, source.with_name(source.name + suffix))
    restore_database(db.url, source, actor=ADMIN)
    db.reopen()
    assert content_hashes(db, skip=("audit_log",)) == content_hashes(demo_db,
                                                                     skip=("audit_log",))
