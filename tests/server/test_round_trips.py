"""A server's units of work in few round trips (app/db_server_link.py), counted with libpq's
protocol trace (bench.server.round_trips), never timed: no ping per checkout, reads without
BEGIN and ROLLBACK, a write transaction that begins with the writer lock and the audit
chain's head in one message and sends its NOTIFY with the COMMIT. The guarantees stay: the
app reconnects by itself, a read-only unit of work writes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy import exc as sa_exc

from app import db_server_link
from app.db import Database
from app.models import AuditEntry, Patient, Visit
from app.services.audit import verify_chain
from app.services.patients import PatientInput, create_patient
from app.services.visit_input import AssessmentInput, LabInput, VisitInput
from app.services.visits import save_visit
from bench.server import round_trips
from tests.server import workers

LABS = (LabInput("crp_mg_l", 12.0), LabInput("esr_mm_h", 30.0), LabInput("il6_pg_ml", 6.1))
# The lock, BEGIN and the chain's head; the patient with the settings; the earlier visits
# with a same-day clash; the sites' episodes; visit, assessments, labs; the audit rows; the
# episode resync; the NOTIFY with the COMMIT. Before: a ping, BEGIN, the head and COMMIT
# apart, settings and ranges apart, the clash and the resync's second query (19).
SAVE_ROUND_TRIPS = 11


@pytest.fixture
def server_db(pg_url):
    db = Database.open(pg_url)
    yield db
    db.dispose()


def _statements(db, work) -> tuple[list[str], int]:
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        trips = round_trips(db.engine, work)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return sent, trips


def _new_patient(db, mrn: str) -> int:
    with db.write() as session:
        return create_patient(session, PatientInput(mrn=mrn, name="Round Trip"),
                              actor=workers._actor(), today=workers.TODAY).id


def test_a_read_is_one_round_trip_a_statement(server_db):
    _new_patient(server_db, "RT-0")  # the pool holds a used connection from here on

    def read() -> None:
        with server_db.read() as session:
            session.execute(text("SELECT 1"))

    assert _statements(server_db, read) == (["SELECT 1"], 1)  # no ping, BEGIN or ROLLBACK


def test_a_write_begins_in_one_message_and_commits_with_its_notify(server_db):
    _new_patient(server_db, "RT-1")
    sent, trips = _statements(server_db, lambda: _new_patient(server_db, "RT-2"))
    assert sent[0] == db_server_link.WRITE_BEGIN  # lock, BEGIN, the chain's head
    assert sent[-1].startswith("NOTIFY dfu_changes") and sent[-1].endswith("; COMMIT")
    assert not any("audit_log.hash" in s for s in sent[1:])  # the head is not read again
    assert trips == len(sent)  # nothing else waits for the server
    with server_db.read() as session:
        assert verify_chain(session).ok and verify_chain(session).rows > 0


def test_a_visit_save_takes_at_most_the_counted_round_trips(server_db):
    pid = _new_patient(server_db, "RT-3")

    def save(day: int):
        with server_db.write() as session:
            save_visit(session, VisitInput(
                patient_id=pid, visit_date=dt.date(2026, 9, 1) + dt.timedelta(days=day),
                assessments=(AssessmentInput("L-heel", 3.0, 2.0),
                             AssessmentInput("R-hallux", 1.5, 1.0)), labs=LABS),
                actor=workers._actor(), confirmed=True, today=workers.TODAY)

    save(0)
    sent, trips = _statements(server_db, lambda: save(7))
    assert trips <= SAVE_ROUND_TRIPS, "\n".join(sent)
    with server_db.read() as session:
        assert verify_chain(session).ok


def test_a_server_restarted_while_idle_is_reconnected_without_an_error(pg_cluster,
                                                                       server_db):
    _new_patient(server_db, "BEFORE-RESTART")  # a pooled connection the restart closes
    pg_cluster.restart()
    with server_db.read() as session:  # its socket says so: pinged, replaced, no error
        assert session.scalar(select(func.count()).select_from(Patient)) == 1
    _new_patient(server_db, "AFTER-RESTART")


def test_a_connection_idle_for_long_is_pinged_first(server_db, monkeypatch):
    _new_patient(server_db, "RT-4")
    monkeypatch.setattr(db_server_link, "PING_AFTER_IDLE_SECONDS", 0.0)

    def read() -> None:
        with server_db.read() as session:
            session.execute(text("SELECT 1"))

    assert _statements(server_db, read) == (["SELECT 1"], 2)


def test_a_read_only_unit_of_work_writes_nothing(server_db):
    with pytest.raises(sa_exc.InvalidRequestError, match="may not write"):
        with server_db.read() as session:  # autocommit: the INSERT would commit at once
            create_patient(session, PatientInput(mrn="NOPE", name="Never Written"),
                           actor=workers._actor(), today=workers.TODAY)
            session.flush()
    with server_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_bulk_loaded_clinic_has_fresh_statistics(server_db):
    """seed-demo (and migrate --to) ANALYZE what they wrote: the planner does not take the
    tables for empty until autovacuum's first pass."""
    from app.services.demo import seed_demo

    seed_demo(server_db, patients=3, seed=2, anchor=dt.date(2026, 11, 27))
    with server_db.read() as session:
        estimated = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'visit'"))
        counted = session.scalar(select(func.count()).select_from(Visit))
    assert counted > 0 and estimated == counted
