"""Database.core_read: the read-only unit of work on a Core connection that the window's
first paint uses instead of an ORM session (bench/README.md, lesson 20). It must read what
read() reads and keep nothing written inside it, on SQLite and on a server alike."""
from __future__ import annotations

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy import exc as sa_exc

from app.models import Patient
from app.services.patients import PatientInput, create_patient


def _count(unit) -> int:
    return unit.scalar(select(func.count()).select_from(Patient.__table__))


def test_core_read_sees_what_the_session_sees(any_db, actor):
    with any_db.write() as session:
        create_patient(session, PatientInput(mrn="CR-1", name="Core Reader"), actor=actor)
    with any_db.core_read() as connection, any_db.read() as session:
        assert isinstance(connection, Connection)
        assert _count(connection) == _count(session) == 1
        mrn = Patient.__table__.c.mrn
        assert connection.scalar(select(mrn)) == session.scalar(select(Patient.mrn)) == "CR-1"


def test_nothing_written_inside_core_read_is_kept(any_db):
    insert = Patient.__table__.insert().values(mrn="NOPE", mrn_key="nope", name="Never Kept")
    if any_db.engine.dialect.name == "postgresql":  # autocommit there: refused outright
        with pytest.raises(sa_exc.InvalidRequestError, match="may not write"):
            with any_db.core_read() as connection:
                connection.execute(insert)
    else:  # SQLite: a deferred transaction, rolled back at the end
        with any_db.core_read() as connection:
            connection.execute(insert)
            assert _count(connection) == 1
    with any_db.read() as session:
        assert _count(session) == 0
