"""app.db_bulk.bulk_insert: the driver-level path stores exactly what Core's insert() stores."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, text

from app.db import Database
from app.db_bulk import bulk_insert
from app.models import LabResult, Patient, Visit

STAMP = dt.datetime(2026, 11, 27, 12, 30)  # no microseconds: the driver would drop them


def _patient(pid: int) -> dict:
    return dict(id=pid, mrn=f"B-{pid}", mrn_key=f"b-{pid}", name="Zoë Øster",
                birth_date=dt.date(1950, 2, 28), sex="F", diabetes_type="2",
                diabetes_duration_years=12.0, hba1c_enrolment_pct=None, pad=True,
                neuropathy=False, smoking=False, ckd=True, arm="exosome", version=1)


def _visits(pid: int, first_id: int) -> list[dict]:
    return [dict(id=first_id + i, patient_id=pid, visit_date=dt.date(2026, 1, 1) +
                 dt.timedelta(days=7 * i), clinician="Nurse", vas=None if i else 6.5,
                 next_visit_date=None, created_at=STAMP, updated_at=STAMP,
                 created_by="demo", updated_by="demo", version=1) for i in range(3)]


def _labs(first_visit: int, first_id: int) -> list[dict]:
    return [dict(id=first_id + i, visit_id=first_visit + i, analyte="crp_mg_l",
                 value=12.5 + i, unit="mg/L", raw_value=12.5 + i, raw_unit="mg/L",
                 ref_low=None, ref_high=5.0, flag=None, loinc="1988-5",
                 collected_on=dt.date(2026, 1, 1) + dt.timedelta(days=7 * i), entered_at=STAMP)
            for i in range(3)]


def _stored(db: Database, table: str, ids: range) -> list[tuple]:
    """The raw stored values (SQLite's own text and numbers, before any type processing)."""
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"SELECT * FROM {table} WHERE id BETWEEN {ids.start} AND {ids.stop - 1} "
            "ORDER BY id").fetchall()
    return [row[1:] for row in rows]  # without the id


def test_rows_are_stored_exactly_as_core_stores_them(db):
    with db.write() as session:
        connection = session.connection()
        connection.execute(insert(Patient.__table__), [_patient(1)])
        connection.execute(insert(Visit.__table__), _visits(1, 1))
        connection.execute(insert(LabResult.__table__), _labs(1, 1))
        bulk_insert(connection, Patient.__table__, [_patient(2)])
        bulk_insert(connection, Visit.__table__, _visits(2, 11))
        bulk_insert(connection, LabResult.__table__, _labs(11, 11))

    core_patient, bulk_patient = _stored(db, "patient", range(1, 3))
    different = [i for i, (a, b) in enumerate(zip(core_patient, bulk_patient)) if a != b]
    # Only the MRN, its key and the entry times (defaults, taken at insert time) differ.
    names = [c.name for c in Patient.__table__.c][1:]
    assert {names[i] for i in different} <= {"mrn", "mrn_key", "created_at", "updated_at"}
    assert {"mrn", "mrn_key"} <= {names[i] for i in different}
    assert [row[1:] for row in _stored(db, "visit", range(1, 4))] == \
        [row[1:] for row in _stored(db, "visit", range(11, 14))]
    assert [row[1:] for row in _stored(db, "lab_result", range(1, 4))] == \
        [row[1:] for row in _stored(db, "lab_result", range(11, 14))]


def test_python_defaults_fill_the_missing_columns(db):
    with db.write() as session:
        bulk_insert(session.connection(), Patient.__table__, [_patient(5)])
    with db.read() as session:
        patient = session.get(Patient, 5)
        assert patient.name_search == ""  # the column's scalar default
        assert patient.created_at is not None and patient.deleted_at is None
        assert (patient.birth_date, patient.pad, patient.ckd, patient.neuropathy) == (
            dt.date(1950, 2, 28), True, True, False)


def test_checks_and_foreign_keys_still_hold(db):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.write() as session:
            bulk_insert(session.connection(), Visit.__table__, _visits(99, 1))
    bad = _labs(1, 1)[:1]
    bad[0]["value"] = -3.0  # below CRP's hard limit
    with pytest.raises(Exception, match="CHECK constraint"):
        with db.write() as session:
            connection = session.connection()
            bulk_insert(connection, Patient.__table__, [_patient(1)])
            bulk_insert(connection, Visit.__table__, _visits(1, 1))
            bulk_insert(connection, LabResult.__table__, bad)
    with db.read() as session:  # the failed transaction left nothing behind
        assert session.execute(text("SELECT count(*) FROM patient")).scalar() == 0


def test_nothing_to_insert_is_a_no_op(db):
    with db.write() as session:
        bulk_insert(session.connection(), Patient.__table__, [])
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM patient")).scalar() == 0
