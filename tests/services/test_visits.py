"""Saving visits through the service: validation, confirmation, episodes, locking, permissions."""
from __future__ import annotations

import datetime as dt

import pytest

from app.services.actor import Actor
from app.services.errors import (
    NeedsConfirmation,
    PermissionDenied,
    StaleEdit,
    UserError,
    ValidationFailed,
)
from app.services.history import load_history
from app.services.patients import PatientInput, create_patient
from app.services.visit_input import AssessmentInput, LabInput, TreatmentInput, VisitInput
from app.services.visits import delete_visit, save_visit, sign_visit


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def patient_id(db, actor):
    with db.write() as s:
        return create_patient(s, PatientInput(mrn="T-1", name="Zoë Test",
                                              birth_date=dt.date(1960, 5, 1), arm="exosome"),
                              actor=actor, today=TODAY).id


def visit(pid, day, length, width, closed=False, **kw):
    return VisitInput(patient_id=pid, visit_date=dt.date(2026, 9, 1) + dt.timedelta(days=day),
                      assessments=(AssessmentInput("L-heel", length, width, closed=closed),), **kw)


def test_save_and_reload(db, actor, patient_id):
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, 3.0, 2.0, vas=6.0,
                            labs=(LabInput("crp_mg_l", 2.5, "mg/dL"),),
                            treatments=(TreatmentInput(site="L-heel", exosome_lot="EXO-1",
                                                       exosome_route="topical"),)),
                   actor=actor, today=TODAY)
    with db.read() as s:
        h = load_history(s, patient_id)
    lab = h.visits[0].labs["crp_mg_l"]
    assert (lab.value, lab.unit, lab.raw_value, lab.raw_unit, lab.flag) == (25.0, "mg/L", 2.5,
                                                                            "mg/dL", "H")
    assert h.exosome_doses[0].exosome_lot == "EXO-1" and h.exosome_doses[0].site == "L-heel"
    assert h.episodes[0].metrics.baseline_area_cm2 == pytest.approx(3.14159265 * 1.5)


def test_hard_error_saves_nothing(db, actor, patient_id):
    with pytest.raises(ValidationFailed) as exc:
        with db.write() as s:
            save_visit(s, visit(patient_id, 0, 60.0, 2.0), actor=actor, today=TODAY)
    assert exc.value.findings[0].field == "length_cm"
    with db.read() as s:
        assert load_history(s, patient_id).visits == ()


def test_soft_warning_needs_confirmation(db, actor, patient_id):
    with pytest.raises(NeedsConfirmation):
        with db.write() as s:
            save_visit(s, visit(patient_id, 0, 25.0, 2.0), actor=actor, today=TODAY)
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, 25.0, 2.0), actor=actor, today=TODAY, confirmed=True)
    with db.read() as s:
        assert len(load_history(s, patient_id).visits) == 1


def test_recurrence_creates_and_edit_merges_episodes(db, actor, patient_id):
    with db.write() as s:
        for day, (length, w, c) in enumerate([(3, 2, False), (0, 0, True), (1, 1, False)]):
            save_visit(s, visit(patient_id, day * 14, length, w, closed=c), actor=actor,
                       today=TODAY)
    with db.read() as s:
        h = load_history(s, patient_id)
    assert [(e.episode_no, e.recurrence_of_episode) for e in h.episodes] == [(1, None), (2, 1)]
    assert h.episodes[0].recurred_on == dt.date(2026, 9, 29)
    # Correcting the "closed" visit to open merges everything back into one episode.
    closed_visit = h.visits[1]
    with db.write() as s:
        save_visit(s, visit(patient_id, 14, 2.0, 1.5, visit_id=closed_visit.id,
                            expected_version=closed_visit.version), actor=actor, today=TODAY)
    with db.read() as s:
        h = load_history(s, patient_id)
    assert len(h.episodes) == 1 and len(h.episodes[0].assessments) == 3


def test_stale_edit_refused(db, actor, patient_id):
    with db.write() as s:
        v = save_visit(s, visit(patient_id, 0, 3.0, 2.0), actor=actor, today=TODAY)
        vid, version = v.id, v.version
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, 2.5, 2.0, visit_id=vid, expected_version=version),
                   actor=Actor("other.nurse", "nurse"), today=TODAY)
    with pytest.raises(StaleEdit, match="changed by other.nurse"):
        with db.write() as s:
            save_visit(s, visit(patient_id, 0, 2.0, 2.0, visit_id=vid, expected_version=version),
                       actor=actor, today=TODAY)


def test_edit_of_only_a_lab_still_refuses_the_stale_copy(db, actor, patient_id):
    with db.write() as s:
        v = save_visit(s, visit(patient_id, 0, 3.0, 2.0, labs=(LabInput("crp_mg_l", 5.0),)),
                       actor=actor, today=TODAY)
        vid, version = v.id, v.version
    with db.write() as s:  # same visit fields, only the lab changes
        save_visit(s, visit(patient_id, 0, 3.0, 2.0, labs=(LabInput("crp_mg_l", 6.0),),
                            visit_id=vid, expected_version=version), actor=actor, today=TODAY)
    with pytest.raises(StaleEdit):
        with db.write() as s:
            save_visit(s, visit(patient_id, 0, 3.0, 2.5, visit_id=vid, expected_version=version),
                       actor=actor, today=TODAY)


def test_duplicate_date_future_date_and_staff(db, actor, patient_id):
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, 3.0, 2.0), actor=actor, today=TODAY)
    with pytest.raises(ValidationFailed, match="already recorded"):
        with db.write() as s:
            save_visit(s, visit(patient_id, 0, 3.0, 2.0), actor=actor, today=TODAY)
    with pytest.raises(ValidationFailed, match="future"):
        with db.write() as s:
            save_visit(s, VisitInput(patient_id=patient_id, visit_date=TODAY + dt.timedelta(1)),
                       actor=actor, today=TODAY)
    with pytest.raises(PermissionDenied):
        with db.write() as s:
            save_visit(s, visit(patient_id, 7, 3.0, 2.0), actor=Actor("desk", "staff"),
                       today=TODAY)


def test_signed_visit_needs_reason_and_soft_delete(db, actor, patient_id):
    with db.write() as s:
        vid = save_visit(s, visit(patient_id, 0, 3.0, 2.0), actor=actor, today=TODAY).id
    with db.write() as s:
        sign_visit(s, vid, actor=Actor("dr", "doctor"))
    with pytest.raises(UserError, match="reason"):
        with db.write() as s:
            save_visit(s, visit(patient_id, 0, 2.0, 2.0, visit_id=vid), actor=actor, today=TODAY)
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, 2.0, 2.0, visit_id=vid, reason="typo in length"),
                   actor=actor, today=TODAY)
    with pytest.raises(UserError):
        with db.write() as s:
            delete_visit(s, vid, reason=" ", actor=actor)
    with db.write() as s:
        delete_visit(s, vid, reason="entered on the wrong patient", actor=actor)
    with db.read() as s:
        assert load_history(s, patient_id).visits == ()
