"""patient_summary reads one patient's rows with one statement and gives the same summary as
history_summary(load_history(...)) (bench/README.md, "Summary"), on SQLite and PostgreSQL.
Counts and values, never times."""
from __future__ import annotations

import datetime as dt
import json

import pytest

ADMIN = ("admin.test", "admin")


@pytest.fixture
def db_url(any_db_url):
    """These tests run on SQLite and on PostgreSQL."""
    return any_db_url


def _same_as_the_history(session, mrn: str) -> dict:
    """patient_summary, after checking it equals the reference path's summary to the byte."""
    from app.services.history import load_history, patient_id_by_mrn
    from app.services.summary import history_summary, patient_summary

    fast = patient_summary(session, mrn)
    reference = history_summary(load_history(session, patient_id_by_mrn(session, mrn)))
    assert fast == reference, mrn
    assert json.dumps(fast, ensure_ascii=False, indent=2) == \
        json.dumps(reference, ensure_ascii=False, indent=2), mrn
    return fast


def _live_mrns(session) -> list[str]:
    return [row[0] for row in session.connection().exec_driver_sql(
        "SELECT mrn FROM patient WHERE deleted_at IS NULL ORDER BY id")]


def test_the_summary_equals_the_history_summary_for_every_demo_patient(demo_db):
    with demo_db.read() as session:
        summaries = [_same_as_the_history(session, mrn) for mrn in _live_mrns(session)]
    assert len(summaries) == 40
    assert sum(len(s["ulcers"]) for s in summaries) > 40
    assert any(s["labs"] for s in summaries) and any(s["pain"]["change"] for s in summaries)


def test_one_statement_per_summary(demo_db):
    """One round trip on a server: the patient, settings, visits, ulcers, assessments and
    labs in one UNION ALL (SQLite's BEGIN, sent by app.db_sqlite, is not counted)."""
    from sqlalchemy import event

    from app.services.summary import patient_summary

    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.strip().upper() != "BEGIN":
            sent.append(statement)

    with demo_db.read() as session:
        mrn = _live_mrns(session)[0]
    event.listen(demo_db.engine, "before_cursor_execute", count)
    try:
        with demo_db.read() as session:
            summary = patient_summary(session, mrn)
    finally:
        event.remove(demo_db.engine, "before_cursor_execute", count)
    assert summary["mrn"] == mrn and summary["ulcers"]
    assert len(sent) == 1 and "UNION ALL" in sent[0]


def test_the_summary_follows_deletions_settings_statuses_and_pending_changes(golden_db):
    """Deleted visits are left out, the clinic's area method and reference ranges are used,
    a clinician's status and an episode without sizes are reported, and changes not yet
    flushed are seen: all as the history gives them."""
    from sqlalchemy import select

    from app.models import Patient, Visit
    from app.services.actor import Actor
    from app.services.audit import act_as
    from app.services.settings import set_reference_range, update_setting
    from app.services.visits import delete_visit
    from tests.services.history_edits import amputate_first_ulcer_and_clear_first_sizes

    mrn = "H-01000"
    with golden_db.read() as session:
        before = _same_as_the_history(session, mrn)
        patient_id = session.scalar(select(Patient.id).where(Patient.mrn == mrn))
        visit_ids = list(session.scalars(select(Visit.id).where(Visit.patient_id == patient_id)
                                         .order_by(Visit.visit_date)))
    admin = Actor(*ADMIN)
    with golden_db.write() as session:
        update_setting(session, "area_method", "rectangle", actor=admin)
        set_reference_range(session, "crp_mg_l", 0.0, 1.0, actor=admin)
        delete_visit(session, visit_ids[-1], reason="entered twice",
                     actor=Actor("nurse.test", "nurse"))
    with golden_db.read() as session:
        after = _same_as_the_history(session, mrn)
    assert after["area_method"] == "rectangle" and after != before
    with golden_db.write() as session:
        act_as(session, Actor("nurse.test", "nurse"))
        amputate_first_ulcer_and_clear_first_sizes(session, patient_id, visit_ids[0])
        flushed = _same_as_the_history(session, mrn)
        session.get(Visit, visit_ids[0]).vas = 9.5  # the baseline, not flushed yet
        pending = _same_as_the_history(session, mrn)
    assert any(u["status"] == "amputated" for u in flushed["ulcers"])
    assert any(u.get("problem") for u in flushed["ulcers"])
    assert pending["pain"] != flushed["pain"]


def test_unknown_and_deleted_patients_are_not_found(golden_db):
    from sqlalchemy import select

    from app.models import Patient
    from app.services.actor import Actor
    from app.services.audit import act_as
    from app.services.errors import NotFound
    from app.services.summary import patient_summary

    with golden_db.read() as session:
        with pytest.raises(NotFound, match="no patient with MRN 'X-404'"):
            patient_summary(session, "X-404")
        assert patient_summary(session, " h-01000 ")["mrn"] == "H-01000"  # normalised
    with golden_db.write() as session:
        act_as(session, Actor("nurse.test", "nurse"))
        session.scalars(select(Patient).where(Patient.mrn == "H-01000")).one().deleted_at = \
            dt.datetime(2026, 11, 28)
    with golden_db.read() as session:
        with pytest.raises(NotFound):
            patient_summary(session, "H-01000")
