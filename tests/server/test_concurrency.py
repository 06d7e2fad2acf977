"""Two workstations at once (two real processes): saves, imports, the edit conflict, a
killed client, a restarted server. Every test but the last two runs on both backends."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.db import Database, ServerUnavailable
from app.models import AuditEntry, Patient, Visit
from app.services.audit import verify_chain
from tests.server import workers
from tests.server.conftest import golden_halves


def _counts(db) -> tuple[int, int]:
    with db.read() as session:
        return (session.scalar(select(func.count()).select_from(Patient)),
                session.scalar(select(func.count()).select_from(Visit)))


def _chain_ok(db) -> bool:
    with db.read() as session:
        report = verify_chain(session)
    return report.ok and report.rows > 0


def test_two_workstations_saving_visits_for_different_patients_both_save(any_db, pool,
                                                                        manager):
    start = manager.Event()
    results = [pool.apply_async(workers.save_visits, (any_db.url, mrn, 6, start))
               for mrn in ("CC-1", "CC-2")]
    start.set()
    assert [r.get(120) for r in results] == [6, 6]
    assert _counts(any_db) == (2, 12)
    assert _chain_ok(any_db)  # one unbroken chain under two writers


def test_two_imports_at_once_both_succeed(any_db, pool, manager):
    first, second = golden_halves()
    start = manager.Event()
    results = [pool.apply_async(workers.import_sheet, (any_db.url, text, start))
               for text in (first, second)]
    start.set()
    created = [r.get(180) for r in results]
    assert all(n > 0 for n in created)
    patients, visits = _counts(any_db)
    assert patients == 8 and visits == sum(created)
    assert _chain_ok(any_db)


def test_the_same_visit_edited_on_two_workstations_one_wins_the_other_reloads(any_db, pool,
                                                                             manager):
    patient_id = workers.add_patient(any_db.url, "ED-1")
    from app.services.visit_input import AssessmentInput, VisitInput
    from app.services.visits import save_visit

    with any_db.write() as session:
        visit = save_visit(session, VisitInput(
            patient_id=patient_id, visit_date=dt.date(2026, 11, 2), vas=5.0,
            assessments=(AssessmentInput(site="left heel", length_cm=3.0, width_cm=2.0),)),
            actor=workers._actor(), confirmed=True, today=workers.TODAY)
        visit_id, version = visit.id, visit.version
    start = manager.Event()
    results = [pool.apply_async(workers.edit_visit, (any_db.url, visit_id, version, vas,
                                                      start)) for vas in (2.0, 8.0)]
    start.set()
    outcomes = [r.get(120) for r in results]
    assert sorted(outcomes)[-1] == "saved" and outcomes.count("saved") == 1, outcomes
    refused = next(o for o in outcomes if o != "saved")
    assert "changed by nurse.vas" in refused and refused.endswith("UTC, reload")
    winner = 2.0 if outcomes[0] == "saved" else 8.0
    with any_db.read() as session:
        assert session.get(Visit, visit_id).vas == winner  # the loser overwrote nothing


def test_a_client_killed_mid_transaction_leaves_nothing_behind(pg_url, spawn):
    db = Database.open(pg_url)
    ready = spawn.Event()
    child = spawn.Process(target=workers.hold_open_transaction, args=(pg_url, "KILL-1", ready))
    child.start()
    try:
        assert ready.wait(60), "the child never reached its open transaction"
        child.kill()
        child.join(30)
        # The server rolled the dead client back: its writer lock is free again...
        workers.add_patient(pg_url, "AFTER-KILL")
        with db.read() as session:  # ...and its patient was never written
            mrns = set(session.scalars(select(Patient.mrn)))
        assert mrns == {"AFTER-KILL"}
        assert _chain_ok(db)
    finally:
        if child.is_alive():
            child.kill()
        db.dispose()


def test_a_restarted_server_fails_the_save_clearly_and_the_app_reconnects(pg_cluster,
                                                                          pg_url):
    db = Database.open(pg_url)
    workers.add_patient(pg_url, "BEFORE")
    _counts(db)  # the pool now holds a connection the restart will break
    from app.services.patients import PatientInput, create_patient

    with pytest.raises(ServerUnavailable, match="nothing was saved"):
        with db.write() as session:
            create_patient(session, PatientInput(mrn="IN-FLIGHT", name="Lost Save"),
                           actor=workers._actor(), today=workers.TODAY)
            session.flush()
            pg_cluster.restart()  # the network drops in the middle of the save
    with db.read() as session:  # the failed save replaced the pool: a fresh connection
        mrns = set(session.scalars(select(Patient.mrn)))
        assert session.scalar(select(func.count()).select_from(AuditEntry)) > 0
    assert mrns == {"BEFORE"}  # nothing half-written
    db.dispose()
