"""What another workstation does, run in a real second process (multiprocessing, spawn)."""
from __future__ import annotations

import datetime as dt
import time

TODAY = dt.date(2026, 11, 27)


def _actor(name: str = "nurse.other"):
    from app.services.actor import Actor

    return Actor(name, "nurse")


def save_visits(url: str, mrn: str, count: int, start) -> int:
    """Create a patient, then save `count` visits, each its own transaction; how many saved."""
    from app.db import Database
    from app.services.patients import PatientInput, create_patient
    from app.services.visit_input import AssessmentInput, VisitInput
    from app.services.visits import save_visit

    db = Database.open(url)
    actor = _actor(f"nurse.{mrn.lower()}")
    start.wait(60)
    with db.write() as session:
        patient_id = create_patient(session, PatientInput(mrn=mrn, name=f"Patient {mrn}"),
                                    actor=actor, today=TODAY).id
    saved = 0
    for i in range(count):
        data = VisitInput(patient_id=patient_id,
                          visit_date=dt.date(2026, 6, 1) + dt.timedelta(days=7 * i),
                          assessments=(AssessmentInput(site="left heel",
                                                       length_cm=4.0 - 0.1 * i,
                                                       width_cm=2.0),))
        with db.write() as session:
            save_visit(session, data, actor=actor, confirmed=True, today=TODAY)
        saved += 1
    db.dispose()
    return saved


def import_sheet(url: str, text: str, start) -> int:
    from app.db import Database
    from app.services.visit_sheet import import_visit_sheet

    db = Database.open(url)
    start.wait(60)
    report = import_visit_sheet(db, text, actor=_actor(), today=TODAY)
    db.dispose()
    return report.visits_created


def edit_visit(url: str, visit_id: int, version: int, vas: float, start) -> str:
    """Save the visit as seen at `version`: "saved" or the StaleEdit message."""
    from app.db import Database
    from app.models import Visit
    from app.services.errors import StaleEdit
    from app.services.history import load_history  # noqa: F401  (warm imports before the race)
    from app.services.visit_input import AssessmentInput, VisitInput
    from app.services.visits import save_visit

    db = Database.open(url)
    with db.read() as session:
        visit = session.get(Visit, visit_id)
        patient_id, on = visit.patient_id, visit.visit_date
    data = VisitInput(patient_id=patient_id, visit_date=on, vas=vas, visit_id=visit_id,
                      expected_version=version,
                      assessments=(AssessmentInput(site="left heel", length_cm=3.0,
                                                   width_cm=2.0),))
    start.wait(60)
    try:
        with db.write() as session:
            save_visit(session, data, actor=_actor(f"nurse.vas{int(vas)}"), confirmed=True,
                       today=TODAY)
        return "saved"
    except StaleEdit as exc:
        return str(exc)
    finally:
        db.dispose()


def hold_open_transaction(url: str, mrn: str, ready) -> None:
    """Write a patient inside a transaction that never commits (the parent kills us)."""
    from app.db import Database
    from app.services.patients import PatientInput, create_patient

    db = Database.open(url)
    with db.write() as session:
        create_patient(session, PatientInput(mrn=mrn, name="Never Committed"),
                       actor=_actor(), today=TODAY)
        session.flush()
        ready.set()
        time.sleep(600)


def add_patient(url: str, mrn: str) -> int:
    from app.db import Database
    from app.services.patients import PatientInput, create_patient

    db = Database.open(url)
    with db.write() as session:
        patient_id = create_patient(session, PatientInput(mrn=mrn, name=f"Patient {mrn}"),
                                    actor=_actor(), today=TODAY).id
    db.dispose()
    return patient_id
