"""Moving a clinic from its SQLite file to a server (`migrate --to`)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import AuditEntry, Patient, User
from app.services.actor import Actor
from app.services.audit import verify_chain
from app.services.clinic_migration import TargetNotEmpty, migrate_clinic
from app.services.demo import seed_demo
from app.services.users import add_user, create_first_admin
from app.services.visit_sheet import import_visit_sheet
from tests.conftest import GOLDEN_CSV
from tests.db.helpers import file_digest
from tests.server import workers

ADMIN = Actor("admin.eva", "admin")


@pytest.fixture
def clinic_file(tmp_path):
    """A clinic file with golden and demo patients, accounts, and an audit trail."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    db = Database.open(url)
    with db.write() as session:
        create_first_admin(session, "admin.eva", "admin password 12")
        add_user(session, "nurse.ana", "nurse password 34", "nurse", actor=ADMIN)
    import_visit_sheet(db, GOLDEN_CSV.read_text(encoding="utf-8"),
                       actor=Actor("nurse.ana", "nurse"), today=dt.date(2026, 11, 27))
    seed_demo(db, patients=5, seed=3, anchor=dt.date(2026, 11, 27), photos=1)
    db.dispose()
    return url, tmp_path / "clinic.db"


def test_a_clinic_moves_to_an_empty_server_whole_and_the_file_is_untouched(clinic_file,
                                                                             pg_empty_url):
    url, path = clinic_file
    before = file_digest(path)
    report = migrate_clinic(url, pg_empty_url)
    assert report.patients_compared == 13 and report.rows["patient"] == 13
    assert report.rows["app_user"] == 2 and report.rows["audit_log"] > 100
    assert report.rows["photo"] > 0 and report.rows["photo_blob"] >= report.rows["photo"]
    assert file_digest(path) == before  # never modified
    server = Database.open(pg_empty_url)
    with server.read() as session:
        chain = verify_chain(session)  # the hashes came over unchanged
        hashes = list(session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id)))
        assert session.scalar(select(User.password_hash).where(User.username == "nurse.ana"))
    source = Database.open(url, read_only=True)
    with source.read() as session:
        assert hashes == list(session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id)))
    source.dispose()
    assert chain.ok and chain.rows == report.rows["audit_log"]
    workers.add_patient(pg_empty_url, "ON-THE-SERVER")  # sequences moved past the copied ids
    with server.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 14
    server.dispose()


def test_a_target_holding_data_is_refused_and_left_alone(clinic_file, pg_url):
    url, _ = clinic_file
    workers.add_patient(pg_url, "ALREADY-HERE")
    with pytest.raises(TargetNotEmpty, match="not empty .*Nothing was written"):
        migrate_clinic(url, pg_url)
    server = Database.open(pg_url)
    with server.read() as session:
        assert list(session.scalars(select(Patient.mrn))) == ["ALREADY-HERE"]
    server.dispose()
