"""The start-up check off the first paint (issue 14): opened without it, writes held until
run_start_check's verdict; a damaged file turns read-only and is never written."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from app.db import Database, ReadOnlyDatabase
from app.services.actor import Actor
from app.services.patients import PatientInput, create_patient
from tests.db.helpers import file_digest, flip_bytes
from tests.db.test_faults import closed_copy, golden_db  # noqa: F401 - the fixture

NURSE = Actor("nurse.test", "nurse")


def _add_patient(db: Database, mrn: str) -> None:
    with db.write() as s:
        create_patient(s, PatientInput(mrn=mrn, name="Held Write"), actor=NURSE)


def test_a_write_waits_for_the_verdict_then_goes_through(golden_db, tmp_path):
    path = closed_copy(golden_db, tmp_path / "sound.db")
    db = Database.open(f"sqlite:///{path}", create=False, check="background")
    assert db.writes_held
    with db.read() as s:  # reads are not held
        assert s.connection().exec_driver_sql("SELECT count(*) FROM patient").scalar() > 0
    writer = threading.Thread(target=_add_patient, args=(db, "HELD-1"))
    writer.start()
    writer.join(timeout=0.5)
    assert writer.is_alive(), "the write went ahead before the start-up check's verdict"
    assert db.run_start_check() is None
    writer.join(timeout=30)
    assert not writer.is_alive() and not db.writes_held and not db.read_only
    with db.read() as s:
        assert s.connection().exec_driver_sql(
            "SELECT count(*) FROM patient WHERE mrn = 'HELD-1'").scalar() == 1
    db.dispose()


def test_a_damaged_file_found_in_the_background_refuses_writes(golden_db, tmp_path):
    damaged = closed_copy(golden_db, tmp_path / "damaged.db")
    with sqlite3.connect(damaged) as plain:  # as the clinic's own file is
        plain.execute("PRAGMA journal_mode = WAL")
    flip_bytes(damaged, offset=4096 * 50)
    before = file_digest(damaged)
    db = Database.open(f"sqlite:///{damaged}", create=False, check="background")
    assert db.writes_held and not db.read_only
    problem = db.run_start_check()
    assert problem and "integrity check" in problem
    assert db.read_only and db.damaged and db.problem == problem and not db.writes_held
    with pytest.raises(ReadOnlyDatabase, match="read-only"):
        _add_patient(db, "NEVER-1")
    db.dispose()
    assert file_digest(damaged) == before


def test_without_a_hold_nothing_waits(tmp_path):
    db = Database.open(f"sqlite:///{tmp_path / 'new.db'}")
    assert not db.writes_held and db.run_start_check() is None
    _add_patient(db, "FREE-1")
    db.dispose()


def test_after_an_unclean_shutdown_the_check_runs_at_open(golden_db, tmp_path):
    damaged = closed_copy(golden_db, tmp_path / "crashed.db")
    flip_bytes(damaged, offset=4096 * 50)
    (tmp_path / "crashed.db-journal").write_bytes(b"")  # left by a session that died
    db = Database.open(f"sqlite:///{damaged}", create=False, check="background")
    assert db.read_only and db.damaged and not db.writes_held
    db.dispose()


def test_an_up_to_date_file_has_its_schema_revision_read_once(golden_db, tmp_path, monkeypatch):
    """The open with the check left to the background reads the revision for the verdict
    and hands it to migrate(): one read (the start-up's first paint waits for it)."""
    path = closed_copy(golden_db, tmp_path / "sound.db")
    reads: list[str | None] = []
    read = Database.current_revision
    monkeypatch.setattr(Database, "current_revision",
                        lambda self: reads.append(read(self)) or reads[-1])
    db = Database.open(f"sqlite:///{path}", create=False, check="background")
    try:
        assert len(reads) == 1 and reads[0] is not None
        assert db.migrate() is False and len(reads) == 2  # a later call reads it again
    finally:
        db.run_start_check()
        db.dispose()
