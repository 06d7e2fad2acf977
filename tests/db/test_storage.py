"""Storage promises of docs/reliability.md: pragmas, immediate write transactions, CHECKs."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text


def test_pragmas_on_every_connection(db):
    with db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_write_sessions_take_the_write_lock_at_begin(db, db_url):
    path = db_url.removeprefix("sqlite:///")
    with db.write() as session:
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    with db.read() as session:
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # a reader does not block writers
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.parametrize("column,value", [("length_cm", "abc"), ("length_cm", 51.0),
                                          ("depth_cm", -1.0), ("granulation_pct", 101.0)])
def test_check_constraints_refuse_bad_values(golden_db, column, value):
    with pytest.raises(Exception, match="CHECK constraint"):
        with golden_db.write() as session:
            session.execute(text(f"UPDATE assessment SET {column} = :v WHERE id = 1"), {"v": value})


def test_lab_values_checked_per_analyte(golden_db):
    with pytest.raises(Exception, match="CHECK constraint"):
        with golden_db.write() as session:
            session.execute(text("UPDATE lab_result SET value = 1001 WHERE analyte = 'crp_mg_l'"))


def test_nan_is_refused(golden_db):
    with pytest.raises(Exception):  # noqa: B017 (sqlite3 or SQLAlchemy's IntegrityError)
        with golden_db.write() as session:
            session.execute(text("UPDATE lab_result SET value = :v"), {"v": float("nan")})


def test_foreign_keys_enforced(db):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.write() as session:
            session.execute(text("INSERT INTO visit (patient_id, visit_date, created_at, "
                                 "updated_at, version) VALUES (999, '2026-01-01', "
                                 "'2026-01-01', '2026-01-01', 1)"))


def test_migrations_reach_head_and_rerun_is_a_no_op(db):
    assert db.current_revision() == db.head_revision()
    assert db.migrate() is False
