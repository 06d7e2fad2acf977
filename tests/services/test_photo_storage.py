"""Photo storage promises of issue 13 (docs/photos.md "Storage"): a visit edit never drops
an assessment's photos, `check` re-hashes every photo, backups copy photo bytes once."""
from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sqlite3

import pytest
from sqlalchemy import func, select, text

from app.db import Database
from app.imaging.synthetic import synthetic_photo
from app.models import Assessment, Photo, Visit
from app.services.actor import Actor
from app.services.audit import list_audit
from app.services.backup import RestoreRefused, backup_database, restore_database
from app.services.errors import UserError
from app.services.patients import PatientInput, create_patient
from app.services.photo_backup import write_backup
from app.services.photo_store import PhotoDamaged, get_blob, stored_bytes, verify_blobs
from app.services.photos import attach_photo, find_assessment, prepare_photo, remove_photo
from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import save_visit
from tests.cli.helpers import call_cli
from tests.db.helpers import FIXTURE_0001, content_hashes, file_digest

TODAY = dt.date(2026, 11, 27)
VISIT_DAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def photos():
    """Two different prepared photos (module scope: decoding is the slow part)."""
    return [prepare_photo(synthetic_photo(seed, size=(640, 480), tilt_deg=10.0, area_cm2=6.0,
                                          jpeg_quality=85).jpeg, file_name=f"IMG_{seed}.JPG")
            for seed in (31, 32)]


def two_site_visit(db, actor) -> tuple[int, int]:
    """A patient with one visit assessing R-heel and L-hallux: (patient id, visit id)."""
    with db.write() as s:
        pid = create_patient(s, PatientInput(mrn="PH-1", name="Photo Storage",
                                             birth_date=dt.date(1950, 1, 1)),
                             actor=actor, today=TODAY).id
        visit = save_visit(s, VisitInput(patient_id=pid, visit_date=VISIT_DAY, assessments=(
            AssessmentInput("R-heel", 3.0, 2.0), AssessmentInput("L-hallux", 1.0, 1.0))),
            actor=actor, today=TODAY)
        return pid, visit.id


def drop_heel(db, actor, pid: int, visit_id: int) -> None:
    with db.write() as s:
        version = s.get(Visit, visit_id).version
        save_visit(s, VisitInput(patient_id=pid, visit_id=visit_id, visit_date=VISIT_DAY,
                                 expected_version=version,
                                 assessments=(AssessmentInput("L-hallux", 1.0, 1.0),)),
                   actor=actor, today=TODAY)


def assessment_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Assessment))


def test_dropping_a_section_with_photos_is_refused_clearly_and_nothing_is_saved(
        db, actor, photos):
    pid, visit_id = two_site_visit(db, actor)
    with db.write() as s:
        heel = find_assessment(s, patient_id=pid, visit_date=VISIT_DAY, site="R-heel")
        for prepared in photos:
            attach_photo(s, prepared, assessment_id=heel, actor=actor)
    with pytest.raises(UserError, match=r"^the assessment of R-heel on 2026-03-02 has 2 "
                                        r"photos: remove them first \(with a reason\)$"):
        drop_heel(db, actor, pid, visit_id)
    assert assessment_count(db) == 2
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Photo)) == 2


def test_after_its_photos_are_removed_the_section_can_be_dropped(db, actor, photos):
    pid, visit_id = two_site_visit(db, actor)
    with db.write() as s:
        heel = find_assessment(s, patient_id=pid, visit_date=VISIT_DAY, site="R-heel")
        photo_id = attach_photo(s, photos[0], assessment_id=heel, actor=actor).id
    with pytest.raises(UserError, match="has 1 photo: remove it first"):
        drop_heel(db, actor, pid, visit_id)
    with db.write() as s:
        remove_photo(s, photo_id, actor=actor, reason="wrong foot")
    drop_heel(db, actor, pid, visit_id)
    assert assessment_count(db) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Photo)) == 0
        deleted = [r for r in list_audit(s, patient_id=pid)
                   if r.table == "photo" and r.field == "sha256" and r.new is None]
        assert [r.old for r in deleted] == [photos[0].analysis.photo.sha256]  # on record


# -- check ------------------------------------------------------------------------------------
def clinic_with_photo(db, actor, prepared) -> tuple[int, str]:
    """(patient id, the hash of the attached original)."""
    pid, _ = two_site_visit(db, actor)
    with db.write() as s:
        heel = find_assessment(s, patient_id=pid, visit_date=VISIT_DAY, site="R-heel")
        return pid, attach_photo(s, prepared, assessment_id=heel, actor=actor).sha256


def tamper(path, digest: str) -> None:
    """Alter a stored blob the way a bad disk would: a test-only connection drops the
    immutability trigger first."""
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER photo_blob_no_update")
    data = bytearray(raw.execute("SELECT data FROM photo_blob WHERE sha256 = ?",
                                 (digest,)).fetchone()[0])
    data[1000] ^= 0x01  # one flipped bit
    raw.execute("UPDATE photo_blob SET data = ? WHERE sha256 = ?", (bytes(data), digest))
    raw.commit()
    raw.close()


def test_check_rehashes_every_photo_and_names_a_damaged_one(db, actor, photos, tmp_path):
    _, digest = clinic_with_photo(db, actor, photos[0])
    path = db.path
    db.dispose()
    out = call_cli("--db", str(path), "check")
    assert out.returncode == 0, out.stderr
    assert "photos ok (3 files re-hashed" in out.stdout.strip().splitlines()[-1]

    damaged = tmp_path / "damaged.db"
    shutil.copy(path, damaged)
    tamper(damaged, digest)
    result = call_cli("--db", str(damaged), "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("photo damaged"))
    assert digest[:12] in line
    assert "the original of photo 1 (MRN PH-1, R-heel on 2026-03-02)" in line
    assert "check FAILED: 1 problem" in result.stderr


# -- backups: photo bytes once, restored verified -----------------------------------------------
ADMIN = Actor("admin.eva", "admin")


def blob_files(folder) -> list:
    return sorted(p for p in folder.glob("??/*") if p.is_file())


def test_backups_copy_each_photo_once_and_the_file_carries_no_photo_bytes(
        db, actor, photos, tmp_path):
    pid, _ = clinic_with_photo(db, actor, photos[0])
    folder = tmp_path / "backups"
    folder.mkdir()
    first = write_backup(db, folder / "monday.db")
    second = write_backup(db, folder / "tuesday.db")
    assert (first.photos.written, second.photos.written) == (3, 0)  # original, working, thumb
    assert second.photos.bytes_written == 0 and second.photos.already_there == 3
    with db.read() as s:
        stored = stored_bytes(s)
    assert first.photos.bytes_written == stored
    for backup in (first, second):
        raw = sqlite3.connect(backup.file)
        # the rows stay (hash, size, time: the photos' foreign keys hold), the bytes do not
        assert raw.execute("SELECT count(*), sum(length(data)), sum(byte_size) "
                           "FROM photo_blob").fetchone() == (3, 0, stored)
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("SELECT count(*) FROM photo").fetchone() == (1,)
        raw.close()
        assert photos[0].data[2000:6000] not in backup.file.read_bytes()
    with db.write() as s:  # a second photo: the next backup copies its three blobs only
        heel = find_assessment(s, patient_id=pid, visit_date=VISIT_DAY, site="R-heel")
        attach_photo(s, photos[1], assessment_id=heel, actor=actor)
    backup_database(db, folder, actor=ADMIN)
    assert len(blob_files(folder / "photos")) == 6
    with db.read() as s:
        assert stored_bytes(s) == sum(p.stat().st_size for p in blob_files(folder / "photos"))


def test_restore_brings_the_photos_back_verified_and_check_passes(db, actor, photos, tmp_path):
    _, digest = clinic_with_photo(db, actor, photos[0])
    backup = backup_database(db, tmp_path / "friday.db", actor=ADMIN)
    before = content_hashes(db, skip=("audit_log",))
    with db.write() as s:  # after the backup, the photo is lost from the live database
        s.execute(text("DELETE FROM photo"))
    db.dispose()
    restore_database(db.url, backup, actor=ADMIN)
    db.reopen()
    assert content_hashes(db, skip=("audit_log",)) == before
    with db.read() as s:
        check = verify_blobs(s)
        assert check.ok and check.blobs == 3
        assert get_blob(s, digest) == photos[0].data
    db.dispose()
    out = call_cli("--db", str(db.path), "check")
    assert out.returncode == 0 and "photos ok (3 files re-hashed" in out.stdout


def test_a_backup_whose_photo_folder_lacks_a_blob_is_refused_and_nothing_changes(
        db, actor, photos, tmp_path):
    _, digest = clinic_with_photo(db, actor, photos[0])
    backup = backup_database(db, tmp_path / "friday.db", actor=ADMIN)
    (tmp_path / "photos" / digest[:2] / digest).unlink()
    db.dispose()
    before = file_digest(db.path)
    with pytest.raises(RestoreRefused, match=r"lacks 1 photo file\(s\) this backup needs "
                                             rf"\(first: {digest[:2]}/{digest}\)"):
        restore_database(db.url, backup, actor=ADMIN)
    assert file_digest(db.path) == before
    (tmp_path / "photos" / digest[:2] / digest).write_bytes(b"not the photo")
    with pytest.raises(RestoreRefused, match="do not match their name"):
        restore_database(db.url, backup, actor=ADMIN)
    assert file_digest(db.path) == before


@pytest.mark.skipif(importlib.util.find_spec("sqlcipher3") is None,
                    reason="the crypto extra (sqlcipher3) is not installed")
def test_an_encrypted_clinic_keeps_its_photo_bytes_inside_the_encrypted_backup(
        actor, photos, tmp_path):
    key = "Correct-Horse-Battery-7781"
    db = Database.open(f"sqlite:///{tmp_path / 'secret.db'}", passphrase=key)
    try:
        _, digest = clinic_with_photo(db, actor, photos[0])
        backup = write_backup(db, tmp_path / "backups" / "secret-1.db")
        assert backup.photos is None and not (tmp_path / "backups" / "photos").exists()
        assert photos[0].data[:4096] not in backup.file.read_bytes()
        copy = Database.open(f"sqlite:///{backup.file}", create=False, passphrase=key,
                             migrate=False, read_only=True)
        with copy.read() as s:
            assert get_blob(s, digest) == photos[0].data
        copy.dispose()
    finally:
        db.dispose()


def test_check_of_a_backup_file_says_its_photo_bytes_are_kept_apart(db, actor, photos,
                                                                    tmp_path):
    _, digest = clinic_with_photo(db, actor, photos[0])
    backup = write_backup(db, tmp_path / "b" / "monday.db")
    result = call_cli("--db", str(backup.file), "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [x for x in result.stdout.splitlines() if x.startswith("photo bytes not in this")]
    assert len(lines) == 3 and any(digest[:12] in x for x in lines)
    assert "photo damaged" not in result.stdout


def test_a_damaged_photo_does_not_stop_the_others_being_backed_up(db, actor, photos,
                                                                  tmp_path):
    _, digest = clinic_with_photo(db, actor, photos[0])
    path = db.path
    db.dispose()
    tamper(path, digest)
    db.reopen()
    with pytest.raises(PhotoDamaged, match=rf"written, but 1 photo\(s\).*{digest[:12]}"):
        write_backup(db, tmp_path / "b" / "monday.db")
    assert (tmp_path / "b" / "monday.db").is_file()
    copied = [p.name for p in (tmp_path / "b" / "photos").glob("??/*")]
    assert len(copied) == 2 and digest not in copied  # working copy and thumbnail


def test_a_first_schema_database_is_backed_up_without_a_photo_folder(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE_0001, path)
    old = Database.open(f"sqlite:///{path}", create=False, migrate=False, read_only=True)
    try:
        backup = write_backup(old, tmp_path / "b" / "old-1.db")
    finally:
        old.dispose()
    assert backup.photos is None and not (tmp_path / "b" / "photos").exists()
    assert file_digest(path) == file_digest(FIXTURE_0001)
    raw = sqlite3.connect(backup.file)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0].startswith("0001")
    raw.close()


def test_a_backup_folder_carried_to_a_new_computer_restores_with_its_photos(
        db, actor, photos, tmp_path):
    _, digest = clinic_with_photo(db, actor, photos[0])
    (tmp_path / "usb").mkdir()
    backup_database(db, tmp_path / "usb" / "clinic-1.db", actor=ADMIN)
    db.dispose()
    carried = tmp_path / "new-pc" / "from-usb"
    shutil.copytree(tmp_path / "usb", carried)  # the backup file and its photos folder
    url = f"sqlite:///{tmp_path / 'new-pc' / 'clinic.db'}"
    result = restore_database(url, carried / "clinic-1.db", actor=ADMIN)
    assert result.kept is None
    fresh = Database.open(url, create=False)
    try:
        with fresh.read() as s:
            assert verify_blobs(s).blobs == 3 and verify_blobs(s).ok
            assert get_blob(s, digest) == photos[0].data
    finally:
        fresh.dispose()
