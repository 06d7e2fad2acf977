"""Roles are enforced in the services, not only by hiding buttons: every mutating service
refuses a role without the permission, and nothing reaches the database."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import Patient, Visit
from app.services.actor import Actor
from app.services.errors import PermissionDenied
from app.services.patients import PatientInput, create_patient, update_patient
from app.services.settings import load_settings, set_reference_range, update_setting
from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import delete_visit, save_visit, sign_visit
from tests.db.helpers import content_hashes

TODAY = dt.date(2026, 11, 27)
STAFF = Actor("staff.di", "staff")
NURSE = Actor("nurse.ana", "nurse")
ADMIN = Actor("admin.eva", "admin")


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


@pytest.fixture
def clinic(db):
    with db.write() as session:
        patient = create_patient(session, PatientInput(mrn="P-1", name="Pat"), actor=NURSE)
        visit = save_visit(session, VisitInput(
            patient_id=patient.id, visit_date=dt.date(2026, 11, 2), vas=5,
            assessments=(AssessmentInput(site="left heel", length_cm=2.0, width_cm=1.5),)),
            actor=NURSE, confirmed=True, today=TODAY)
    return db, patient.id, visit.id


def service_calls(patient_id: int, visit_id: int):
    visit = VisitInput(patient_id=patient_id, visit_date=dt.date(2026, 11, 2), vas=9,
                       visit_id=visit_id, reason="because")
    return {
        "create patient": lambda s, a: create_patient(s, PatientInput(mrn="P-2", name="X"),
                                                      actor=a),
        "update patient": lambda s, a: update_patient(s, patient_id,
                                                      PatientInput(mrn="P-1", name="Y"),
                                                      actor=a),
        "save visit": lambda s, a: save_visit(s, visit, actor=a, confirmed=True, today=TODAY),
        "new visit": lambda s, a: save_visit(s, visit.with_changes(
            visit_id=None, visit_date=dt.date(2026, 11, 9)), actor=a, confirmed=True,
            today=TODAY),
        "delete visit": lambda s, a: delete_visit(s, visit_id, reason="why", actor=a),
        "sign visit": lambda s, a: sign_visit(s, visit_id, actor=a),
        "setting": lambda s, a: update_setting(s, "idle_lock_minutes", 5, actor=a),
        "reference range": lambda s, a: set_reference_range(s, "crp_mg_l", 0, 5, actor=a),
    }


REFUSED = {
    # Front-desk staff register patients (create, update) but record no clinical data.
    "staff": ["save visit", "new visit", "delete visit", "sign visit", "setting",
              "reference range"],
    "nurse": ["sign visit", "setting", "reference range"],
    "admin": ["create patient", "update patient", "save visit", "new visit", "delete visit",
              "sign visit"],
}


@pytest.mark.parametrize("role", sorted(REFUSED))
def test_each_role_is_refused_what_it_may_not_do_and_nothing_changes(clinic, role):
    db, patient_id, visit_id = clinic
    before = content_hashes(db)
    actor = Actor(f"{role}.user", role)
    for name in REFUSED[role]:
        with pytest.raises(PermissionDenied):
            with db.write() as session:
                service_calls(patient_id, visit_id)[name](session, actor)
    assert content_hashes(db) == before


def test_staff_cannot_change_a_clinical_value_even_by_touching_the_records(clinic):
    """Defence in depth: a change made directly on the ORM in a staff session is refused at
    flush time, for any service that forgot its `require`."""
    from app.services.audit import act_as

    db, patient_id, visit_id = clinic
    before = content_hashes(db)
    with pytest.raises(PermissionDenied, match="staff"):
        with db.write() as session:
            act_as(session, STAFF)
            session.get(Visit, visit_id).vas = 0.0
    with pytest.raises(PermissionDenied):
        with db.write() as session:
            act_as(session, STAFF)
            session.delete(session.get(Visit, visit_id).assessments[0])
    assert content_hashes(db) == before


def test_roles_that_may_do_it_can(clinic):
    db, patient_id, visit_id = clinic
    with db.write() as session:
        sign_visit(session, visit_id, actor=Actor("dr.bo", "doctor"))
        update_setting(session, "idle_lock_minutes", 5, actor=ADMIN)
    with db.read() as session:
        assert session.get(Visit, visit_id).signed_by == "dr.bo"
        assert load_settings(session).idle_lock_minutes == 5
        assert session.scalar(select(Patient.mrn)) == "P-1"


def test_staff_register_patients_but_a_read_only_database_refuses_every_role(clinic):
    db, patient_id, _visit_id = clinic
    with db.write() as session:
        create_patient(session, PatientInput(mrn="P-9", name="Front Desk"), actor=STAFF)
    with db.read() as session:
        assert session.scalar(select(Patient.name).where(Patient.mrn == "P-9")) == "Front Desk"
    for role in ("nurse", "doctor", "staff", "admin", "local"):
        reader = Actor(f"{role}.user", role, read_only=True)
        assert reader.can("read") and reader.can("print")
        for permission in ("register", "record", "sign", "users", "settings", "backup"):
            assert not reader.can(permission)
            assert "read-only" in (reader.why_not(permission) or "") or \
                not Actor("x", role).can(permission)


def test_a_change_with_no_actor_is_refused_at_flush(clinic):
    """Fail closed: a clinical or registration change that nobody signed is never written."""
    db, patient_id, visit_id = clinic
    before = content_hashes(db)
    with pytest.raises(PermissionDenied, match="signed-in user"):
        with db.write() as session:
            session.get(Patient, patient_id).name = "Nobody Signed"
    with pytest.raises(PermissionDenied, match="signed-in user"):
        with db.write() as session:
            session.get(Visit, visit_id).vas = 1.0
    assert content_hashes(db) == before
