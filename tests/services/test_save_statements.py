"""Statements per save (issue 14): a count, not a time. The limits are what the service issues
after the save was cut down (one flush, one audit batch, the episode resync on plain rows);
bench/README.md ("Saving a visit") lists them. A new statement per save must be a choice."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from app.services.history import load_history
from app.services.patients import PatientInput, create_patient
from app.services.visit_input import AssessmentInput, LabInput, TreatmentInput, VisitInput
from app.services.visits import save_visit

TODAY = dt.date(2026, 11, 27)
LABS = (LabInput("crp_mg_l", 12.0), LabInput("esr_mm_h", 30.0), LabInput("il6_pg_ml", 6.1),
        LabInput("il10_pg_ml", 5.0), LabInput("tnf_alpha_pg_ml", 9.5))
# BEGIN, the patient with the settings, the earlier visits with a same-day clash, the sites'
# latest episodes, the inserts (visit, 2 assessments, 5 labs, a dose), the audit head and its
# one batch, the episode resync (episodes and assessments of both sites in one). Before issue
# 14: 29 and 23; before the server's round trips were counted (bench/README.md): 20 and 19.
NEW_VISIT_LIMIT = 16
EDIT_LIMIT = 15


def _visit(pid: int, day: int, scale: float, visit_id=None, version=None) -> VisitInput:
    return VisitInput(
        patient_id=pid, visit_date=dt.date(2026, 9, 1) + dt.timedelta(days=day), vas=3.0,
        visit_id=visit_id, expected_version=version,
        assessments=(AssessmentInput("L-heel", 3.0 * scale, 2.0 * scale),
                     AssessmentInput("R-hallux", 1.5 * scale, 1.0 * scale)),
        labs=LABS, treatments=(TreatmentInput(site="L-heel", exosome_lot="EXO-1",
                                              exosome_route="topical"),))


@pytest.fixture
def counted(db):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield statements
    event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def patient_id(db, actor):
    with db.write() as s:
        pid = create_patient(s, PatientInput(mrn="S-1", name="Count Test",
                                             birth_date=dt.date(1960, 5, 1), arm="exosome"),
                             actor=actor, today=TODAY).id
    for day, scale in ((0, 1.0), (7, 0.9)):
        with db.write() as s:
            save_visit(s, _visit(pid, day, scale), actor=actor, confirmed=True, today=TODAY)
    return pid


def test_a_follow_up_visit_takes_at_most_the_counted_statements(db, actor, patient_id,
                                                                   counted):
    counted.clear()
    with db.write() as s:
        save_visit(s, _visit(patient_id, 14, 0.8), actor=actor, confirmed=True, today=TODAY)
    assert len(counted) <= NEW_VISIT_LIMIT, "\n".join(counted)
    with db.read() as s:
        history = load_history(s, patient_id)
    assert len(history.visits) == 3 and len(history.visits[-1].labs) == 5
    # one batch of audit rows: a single INSERT INTO audit_log for the whole visit
    assert sum(st.startswith("INSERT INTO audit_log") for st in counted) == 1


def test_an_edit_takes_at_most_the_counted_statements(db, actor, patient_id, counted):
    with db.read() as s:
        last = load_history(s, patient_id).visits[-1]
    counted.clear()
    with db.write() as s:
        save_visit(s, _visit(patient_id, 7, 0.85, visit_id=last.id, version=last.version),
                   actor=actor, confirmed=True, today=TODAY)
    assert len(counted) <= EDIT_LIMIT, "\n".join(counted)
    assert sum(st.startswith("INSERT INTO audit_log") for st in counted) == 1
    with db.read() as s:
        edited = load_history(s, patient_id).visits[-1]
    assert edited.version == last.version + 1
