"""Whole-clinic exports: the bulk reader equals load_history; audit, key and file safety."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models import Patient, Setting
from app.services.actor import Actor
from app.services.audit import list_audit, verify_chain
from app.services.bulk_history import iter_histories
from app.services.errors import PermissionDenied, UserError
from app.services.exports import (
    PSEUDONYM_KEY_SETTING,
    export_fhir_bundle,
    export_research_csv,
    pseudonym_key,
)
from app.services.history import load_history


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


NURSE = Actor("nurse.test", "nurse")


@pytest.mark.parametrize("fixture", ["golden_db", "demo_db"])
def test_bulk_histories_equal_load_history(fixture, request, any_db_url):
    db = request.getfixturevalue(fixture)  # built on any_db_url: both backends
    with db.read() as session:
        ids = list(session.scalars(select(Patient.id).order_by(Patient.id)))
        histories = list(iter_histories(session, chunk=7))  # several chunks
        assert [h.patient.id for h in histories] == ids
        for history in histories:
            assert history == load_history(session, history.patient.id)


def test_every_export_is_audited_and_the_chain_holds(golden_db, tmp_path):
    export_research_csv(golden_db, tmp_path / "r.csv", actor=NURSE)
    export_fhir_bundle(golden_db, tmp_path / "f.json", actor=Actor("dr.who", "doctor"),
                       pseudonymous=True)
    with golden_db.read() as session:
        events = [e for e in list_audit(session) if e.action == "export"]
        assert verify_chain(session).ok
    assert [(e.user, e.new.split(" ")[0]) for e in events] == [("nurse.test", "research"),
                                                               ("dr.who", "FHIR")]
    assert "158 records, 8 patients, pseudonymised" in events[0].new
    assert "r.csv" in events[0].new and "f.json" in events[1].new


def test_pseudonym_key_is_created_once_and_never_written_to_the_trail(golden_db):
    first = pseudonym_key(golden_db, actor=NURSE)
    assert len(first) == 32 and pseudonym_key(golden_db, actor=NURSE) == first
    with golden_db.read() as session:
        stored = session.scalar(select(Setting.value).where(Setting.key == PSEUDONYM_KEY_SETTING))
        trail = list_audit(session)
    assert bytes.fromhex(json.loads(stored)) == first
    assert [e.action for e in trail].count("pseudonym key created") == 1
    assert not any(first.hex() in (e.old or "") + (e.new or "") for e in trail)


def test_refusals_leave_no_file(golden_db, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UserError, match="does not exist"):
        export_research_csv(golden_db, out / "missing" / "r.csv", actor=NURSE)
    with pytest.raises(UserError, match="folder"):
        export_fhir_bundle(golden_db, out, actor=NURSE)
    with pytest.raises(PermissionDenied):
        export_research_csv(golden_db, out / "r.csv", actor=Actor("someone", "visitor"))
    assert list(out.iterdir()) == []
