"""Server backups leave photo bytes out of pg_dump (--exclude-table-data=photo_blob) and copy
them once into photos/ beside the dumps; a restore into an empty database puts them back, or
refuses and leaves the database empty (docs/photos.md, "Backups")."""
from __future__ import annotations

import datetime as dt

import pytest

from app import db_server
from app.db import Database
from app.imaging.synthetic import synthetic_photo
from app.services.actor import Actor
from app.services.backup import RestoreRefused, backup_database, restore_database
from app.services.patients import PatientInput, create_patient
from app.services.photo_store import get_blob, stored_bytes, verify_blobs
from app.services.photos import attach_photo, find_assessment, prepare_photo
from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import save_visit

ADMIN = Actor("admin.eva", "admin")
NURSE = Actor("nurse.ana", "nurse")
DAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def prepared():
    return prepare_photo(synthetic_photo(41, size=(640, 480), area_cm2=5.0).jpeg,
                         file_name="IMG_41.JPG")


def server_clinic_with_photo(url: str, prepared) -> tuple[Database, str]:
    db = Database.open(url)
    with db.write() as s:
        pid = create_patient(s, PatientInput(mrn="S-1", name="Server Photo"), actor=NURSE,
                             today=DAY).id
        save_visit(s, VisitInput(patient_id=pid, visit_date=DAY,
                                 assessments=(AssessmentInput("R-heel", 2.0, 1.0),)),
                   actor=NURSE, today=DAY)
        heel = find_assessment(s, patient_id=pid, visit_date=DAY, site="R-heel")
        return db, attach_photo(s, prepared, assessment_id=heel, actor=NURSE).sha256


def test_a_server_backup_copies_photos_once_and_restores_them(pg_url, pg_empty_url, prepared,
                                                              tmp_path):
    db, digest = server_clinic_with_photo(pg_url, prepared)
    first = backup_database(db, tmp_path, actor=ADMIN)
    files = sorted(p for p in (tmp_path / "photos").glob("??/*"))
    with db.read() as s:
        assert sum(p.stat().st_size for p in files) == stored_bytes(s)
    assert len(files) == 3 and prepared.data[2000:6000] not in first.read_bytes()
    backup_database(db, tmp_path / "second.dump", actor=ADMIN)
    assert sorted((tmp_path / "photos").glob("??/*")) == files  # nothing copied again
    db.dispose()

    restore_database(pg_empty_url, first, actor=ADMIN)
    restored = Database.open(pg_empty_url)
    with restored.read() as s:
        assert verify_blobs(s).ok and verify_blobs(s).blobs == 3
        assert get_blob(s, digest) == prepared.data
    assert restored.verified_checks()[0] == []
    restored.dispose()


def test_a_server_restore_lacking_a_photo_is_refused_and_leaves_the_database_empty(
        pg_url, pg_empty_url, prepared, tmp_path):
    db, digest = server_clinic_with_photo(pg_url, prepared)
    written = backup_database(db, tmp_path, actor=ADMIN)
    db.dispose()
    (tmp_path / "photos" / digest[:2] / digest).unlink()
    with pytest.raises(RestoreRefused, match=f"lacks 1 photo file.*{digest}"):
        restore_database(pg_empty_url, written, actor=ADMIN)
    empty = Database.open(pg_empty_url, migrate=False)
    with empty.engine.connect() as connection:
        assert db_server.user_tables(connection) == []
    empty.dispose()
