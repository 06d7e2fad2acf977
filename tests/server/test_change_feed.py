"""Live updates: a write in another process reaches a listening window (both backends)."""
from __future__ import annotations

import datetime as dt
import threading

from app.services.change_feed import ChangeFeed
from app.services.changes import Changes
from tests.pg_cluster import wait_until
from tests.server import workers


class Inbox:
    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[Changes] = []

    def __call__(self, changes: Changes) -> None:
        with self.lock:
            self.received.append(changes)

    def merged(self) -> Changes:
        with self.lock:
            return Changes.merge_all(self.received)


def test_a_patient_added_by_another_process_is_seen(any_db, pool):
    inbox = Inbox()
    feed = ChangeFeed.for_database(any_db).start(inbox)
    try:
        assert feed.ready.wait(30)
        patient_id = pool.apply(workers.add_patient, (any_db.url, "LIVE-1"))
        assert wait_until(lambda: inbox.merged().touches_patient(patient_id), timeout=20)
        if any_db.path is None:  # a server says exactly which patient
            assert patient_id in inbox.merged().patients and not inbox.merged().everything
    finally:
        feed.stop()


def test_a_server_names_visits_and_settings_and_stays_silent_on_rollback(pg_url):
    from app.db import Database
    from app.services.patients import PatientInput, create_patient
    from app.services.visit_input import AssessmentInput, VisitInput
    from app.services.visits import save_visit

    db = Database.open(pg_url)
    inbox = Inbox()
    feed = ChangeFeed.for_database(db).start(inbox)
    try:
        assert feed.ready.wait(30)
        try:
            with db.write() as session:
                create_patient(session, PatientInput(mrn="RB-1", name="Rolled Back"),
                               actor=workers._actor(), today=workers.TODAY)
                session.flush()
                raise RuntimeError("the save fails after the flush")
        except RuntimeError:
            pass
        with db.write() as session:
            patient = create_patient(session, PatientInput(mrn="NV-1", name="Notified"),
                                     actor=workers._actor(), today=workers.TODAY)
            visit = save_visit(session, VisitInput(
                patient_id=patient.id, visit_date=dt.date(2026, 11, 2),
                assessments=(AssessmentInput(site="left heel", length_cm=2.0,
                                             width_cm=1.0),)),
                actor=workers._actor(), confirmed=True, today=workers.TODAY)
        assert wait_until(lambda: visit.id in inbox.merged().visits, timeout=20)
        merged = inbox.merged()
        assert merged.patients == {patient.id}  # nothing of the rolled-back patient
    finally:
        feed.stop()
        db.dispose()


def test_the_demo_clinic_on_a_server_takes_new_patients_afterwards(pg_url):
    from sqlalchemy import func, select

    from app.db import Database
    from app.models import Patient
    from app.services.demo import seed_demo

    db = Database.open(pg_url)
    seed_demo(db, patients=3, seed=2, anchor=dt.date(2026, 11, 27))
    workers.add_patient(pg_url, "AFTER-DEMO")  # the id sequences moved past the demo's ids
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 4
    db.dispose()
