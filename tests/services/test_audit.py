"""The audit trail (docs/reliability.md "Records"): one row per field for every create, change and
delete, who and when (UTC) and why; append-only; a hash chain that shows tampering."""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from app.db import Database
from app.models import AuditEntry, Visit
from app.models.base import utc_now
from app.services.actor import Actor
from app.services.audit import list_audit, record_event, verify_chain
from app.services.errors import StaleEdit, UserError
from app.services.patients import PatientInput, create_patient, update_patient
from app.services.visit_input import AssessmentInput, LabInput, VisitInput
from app.services.visits import delete_visit, save_visit, sign_visit

TODAY = dt.date(2026, 11, 27)
NURSE = Actor("nurse.ana", "nurse")
DOCTOR = Actor("dr.bo", "doctor")


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


def new_rows(db, after: int) -> list:
    with db.read() as session:
        return [r for r in list_audit(session) if r.id > after]


def last_id(db) -> int:
    with db.read() as session:
        rows = list_audit(session, limit=1)
    return rows[-1].id if rows else 0


@dataclass
class Clinic:
    db: Database
    patient_id: int
    visit_id: int

    @property
    def ids(self) -> tuple[int, int]:
        return self.patient_id, self.visit_id

    def read(self):
        return self.db.read()

    def write(self):
        return self.db.write()

    @property
    def path(self):
        return self.db.path


@pytest.fixture
def visit_db(db) -> Clinic:
    """One patient with one visit: two assessments and a CRP."""
    with db.write() as session:
        patient = create_patient(session, PatientInput(mrn="AU-1", name="Ana Audit"),
                                 actor=NURSE, today=TODAY)
        visit = save_visit(session, VisitInput(
            patient_id=patient.id, visit_date=dt.date(2026, 11, 2), vas=5,
            assessments=(AssessmentInput(site="left heel", length_cm=2.0, width_cm=1.5),
                         AssessmentInput(site="right hallux", length_cm=1.0, width_cm=1.0)),
            labs=(LabInput("crp_mg_l", 12.0),)), actor=NURSE, confirmed=True, today=TODAY)
    return Clinic(db, patient.id, visit.id)


def edit(clinic: Clinic, changes: dict, *, actor=NURSE, reason=None, version=None,
         db: Database | None = None):
    """Save the clinic's visit with `changes`, from `db` (another workstation) if given."""
    db = db or clinic.db
    patient_id, visit_id = clinic.ids
    with db.read() as session:
        visit = session.get(Visit, visit_id)
        version = version or visit.version
    data = VisitInput(patient_id=patient_id, visit_date=dt.date(2026, 11, 2), vas=5,
                      assessments=(AssessmentInput(site="left heel", length_cm=2.0,
                                                   width_cm=1.5),
                                   AssessmentInput(site="right hallux", length_cm=1.0,
                                                   width_cm=1.0)),
                      labs=(LabInput("crp_mg_l", 12.0),), visit_id=visit_id,
                      expected_version=version, reason=reason)
    with db.write() as session:
        save_visit(session, data.with_changes(**changes), actor=actor, confirmed=True,
                   today=TODAY)


def test_create_writes_one_row_per_field_with_user_and_utc_time(db):
    before = utc_now()
    with db.write() as session:
        patient = create_patient(session, PatientInput(mrn="AU-9", name="Zoë Ñandú",
                                                       sex="F"), actor=NURSE, today=TODAY)
    rows = new_rows(db, 0)
    fields = {r.field: r for r in rows if r.table == "patient"}
    assert fields["mrn"].new == "AU-9" and fields["mrn"].old is None
    assert fields["name"].new == "Zoë Ñandú" and fields["sex"].new == "F"
    assert all(r.action == "create" and r.user == "nurse.ana" for r in rows)
    assert all(r.row_id == str(patient.id) and r.patient_id == patient.id for r in rows)
    assert all(before <= r.at <= utc_now() for r in rows)  # naive UTC, as stored
    assert "mrn_key" not in fields and "version" not in fields  # bookkeeping is not audited


def test_change_records_old_and_new_value_of_each_changed_field_only(visit_db):
    mark = last_id(visit_db)
    edit(visit_db, {"vas": 3.0, "assessments": (
        AssessmentInput(site="left heel", length_cm=1.8, width_cm=1.5),
        AssessmentInput(site="right hallux", length_cm=1.0, width_cm=1.0))})
    changes = {(r.table, r.field): (r.old, r.new) for r in new_rows(visit_db, mark)}
    assert changes == {("visit", "vas"): ("5.0", "3.0"),
                       ("assessment", "length_cm"): ("2.0", "1.8")}


def test_removed_values_are_recorded_as_deletes(visit_db):
    mark = last_id(visit_db)
    edit(visit_db, {"labs": (), "assessments": (
        AssessmentInput(site="left heel", length_cm=2.0, width_cm=1.5),)})
    rows = new_rows(visit_db, mark)
    deleted = {(r.table, r.field): r.old for r in rows if r.action == "delete"}
    assert deleted[("lab_result", "value")] == "12.0"
    assert deleted[("lab_result", "analyte")] == "crp_mg_l"
    assert deleted[("assessment", "length_cm")] == "1.0"
    assert all(r.new is None for r in rows if r.action == "delete")
    assert {r.patient_id for r in rows} == {visit_db.ids[0]}


def test_signed_visit_changes_only_with_a_reason_and_the_reason_is_recorded(visit_db):
    _, visit_id = visit_db.ids
    with visit_db.write() as session:
        sign_visit(session, visit_id, actor=DOCTOR)
    signed = {r.field: r for r in new_rows(visit_db, 0) if r.action == "update"}
    assert signed["signed_by"].new == "dr.bo" and signed["signed_by"].user == "dr.bo"
    with pytest.raises(UserError, match="signed: give a reason"):
        edit(visit_db, {"vas": 2.0})
    mark = last_id(visit_db)
    edit(visit_db, {"vas": 2.0}, reason="VAS typed in the wrong box")
    rows = new_rows(visit_db, mark)
    assert [(r.field, r.old, r.new, r.reason) for r in rows] == [
        ("vas", "5.0", "2.0", "VAS typed in the wrong box")]


def test_soft_delete_needs_a_reason_keeps_the_visit_and_records_why(visit_db):
    _, visit_id = visit_db.ids
    with pytest.raises(UserError, match="needs a reason"):
        with visit_db.write() as session:
            delete_visit(session, visit_id, reason="  ", actor=NURSE)
    mark = last_id(visit_db)
    with visit_db.write() as session:
        delete_visit(session, visit_id, reason="entered for the wrong patient", actor=NURSE)
    with visit_db.read() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None and visit.deleted_at is not None  # still on record
        assert len(visit.assessments) == 2
    rows = {r.field: r for r in new_rows(visit_db, mark)}
    assert rows["deleted_at"].reason == "entered for the wrong patient"
    assert rows["deletion_reason"].new == "entered for the wrong patient"


def test_second_workstation_saving_the_same_visit_is_refused(visit_db, db_url):
    _, visit_id = visit_db.ids
    other = Database.open(db_url)  # a second workstation: its own engine and connections
    with visit_db.read() as session:
        seen_by_both = session.get(Visit, visit_id).version
    edit(visit_db, {"vas": 4.0}, version=seen_by_both)
    with pytest.raises(StaleEdit, match=r"changed by nurse\.ana at \d{4}-\d\d-\d\d \d\d:\d\d "
                                        r"UTC, reload"):
        edit(visit_db, {"vas": 9.0}, actor=Actor("nurse.cy", "nurse"), version=seen_by_both,
             db=other)
    with other.read() as session:
        assert session.get(Visit, visit_id).vas == 4.0  # never a silent overwrite
    other.dispose()


def test_patient_edit_with_stale_version_is_refused(db):
    with db.write() as session:
        patient = create_patient(session, PatientInput(mrn="ST-1", name="Stale"), actor=NURSE)
    with db.write() as session:
        update_patient(session, patient.id, PatientInput(mrn="ST-1", name="Stale Two"),
                       actor=NURSE, expected_version=1)
    with pytest.raises(StaleEdit, match="reload"):
        with db.write() as session:
            update_patient(session, patient.id, PatientInput(mrn="ST-1", name="Lost"),
                           actor=NURSE, expected_version=1)


def test_events_such_as_exports_are_in_the_trail(visit_db):
    with visit_db.write() as session:
        record_event(session, Actor("staff.di", "staff"), "export",
                     "research CSV of 12 patients", patient_id=visit_db.ids[0])
    event = new_rows(visit_db, last_id(visit_db) - 1)[-1]
    assert (event.user, event.action, event.new, event.patient_id) == (
        "staff.di", "export", "research CSV of 12 patients", visit_db.ids[0])
    with visit_db.read() as session:
        assert verify_chain(session).ok


# -- append-only and the hash chain ---------------------------------------------------------
def test_update_and_delete_on_the_audit_table_are_refused(visit_db):
    for statement in ("UPDATE audit_log SET new = 'forged' WHERE id = 1",
                      "DELETE FROM audit_log WHERE id = 1"):
        with pytest.raises(Exception, match="append-only"):
            with visit_db.write() as session:
                session.execute(text(statement))
    with pytest.raises(Exception, match="append-only"):
        with visit_db.write() as session:  # through the ORM too
            session.scalar(select(AuditEntry).where(AuditEntry.id == 2)).new = "forged"
    if visit_db.path is not None:  # the file, bypassing the program
        raw = sqlite3.connect(visit_db.path)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM audit_log")
        raw.close()
    else:  # the server refuses TRUNCATE too, even to its owner
        with pytest.raises(Exception, match="append-only"):
            with visit_db.db.engine.begin() as connection:
                connection.exec_driver_sql("TRUNCATE audit_log")
    with visit_db.read() as session:
        assert verify_chain(session).ok


def tamper(db, statement: str) -> None:
    """What someone with the file and an SQLite shell could do: drop the guard, then edit
    (on a server: its superuser disabling the trigger)."""
    if db.path is None:
        with db.db.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            connection.exec_driver_sql(statement)
        return
    raw = sqlite3.connect(db.path)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute(statement)
    raw.commit()
    raw.close()


@pytest.mark.parametrize("statement,broken", [
    ("UPDATE audit_log SET new = '1.0' WHERE id = 7", 7),
    ("UPDATE audit_log SET username = 'someone.else' WHERE id = 3", 3),
    ("DELETE FROM audit_log WHERE id = 5", 6),
])
def test_tampered_chain_is_detected_and_the_first_broken_row_named(visit_db, statement, broken):
    with visit_db.read() as session:
        assert verify_chain(session).ok
    tamper(visit_db, statement)
    with visit_db.read() as session:
        report = verify_chain(session)
    assert not report.ok and report.first_broken == broken
    assert f"audit row {broken}" in report.problem


def test_rewriting_a_row_with_a_recomputed_hash_still_breaks_the_next_link(visit_db):
    from app.services.audit import entry_hash

    with visit_db.read() as session:
        row = session.get(AuditEntry, 4)
        forged = {c: getattr(row, c) for c in ("id", "at", "username", "action", "table_name",
                                               "row_id", "patient_id", "field", "old", "new",
                                               "reason", "prev_hash")}
    forged["new"] = "forged"
    new_hash = entry_hash(forged)
    tamper(visit_db, f"UPDATE audit_log SET new = 'forged', hash = '{new_hash}' WHERE id = 4")
    with visit_db.read() as session:
        assert verify_chain(session).first_broken == 5
