"""Attaching wound photos: storage by hash, audit, assessment sizes, duplicates, export, check."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from PIL import Image
from sqlalchemy import select, text

from app.imaging.decode import PhotoError
from app.imaging.synthetic import synthetic_photo
from app.models import Assessment, Photo, PhotoBlob
from app.services.actor import Actor
from app.services.audit import list_audit, verify_chain
from app.services.errors import PermissionDenied, UserError
from app.services.patients import PatientInput, create_patient
from app.services.photo_export import export_photos
from app.services.photo_store import copy_new_blobs, get_blob, restore_missing_blobs, verify_blobs
from app.services.photos import (
    attach_photo,
    find_assessment,
    list_photos,
    prepare_photo,
    remove_photo,
    set_outline,
    set_primary,
)
from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import save_visit

TODAY = dt.date(2026, 11, 27)
VISIT_DAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def scene():
    return synthetic_photo(21, size=(800, 600), tilt_deg=20.0, area_cm2=8.0, jpeg_quality=90)


@pytest.fixture(scope="module")
def prepared(scene):
    return prepare_photo(scene.jpeg, file_name="IMG_0001.JPG", box=scene.box)


@pytest.fixture
def assessment_id(db, actor):
    with db.write() as s:
        pid = create_patient(s, PatientInput(mrn="P-1", name="Photo Test",
                                             birth_date=dt.date(1955, 3, 1), arm="exosome"),
                             actor=actor, today=TODAY).id
        save_visit(s, VisitInput(patient_id=pid, visit_date=VISIT_DAY,
                                 assessments=(AssessmentInput("R-hallux", 3.0, 2.0),)),
                   actor=actor, today=TODAY)
    with db.read() as s:
        return find_assessment(s, patient_id=pid, visit_date=VISIT_DAY, site="R-hallux")


def test_attach_fills_the_assessment_with_the_photo_sizes(db, actor, scene, prepared,
                                                          assessment_id):
    with db.write() as s:
        record = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    assert record.calibrated and record.is_primary and record.site == "R-hallux"
    assert record.area_cm2 == pytest.approx(scene.area_cm2, rel=0.05)
    assert record.sha256 == prepared.analysis.photo.sha256
    with db.read() as s:
        row = s.get(Assessment, assessment_id)
        assert row.method == "photo"
        assert row.traced_area_cm2 == pytest.approx(record.area_cm2, abs=0.01)
        assert (row.length_cm, row.width_cm) == (round(record.length_cm, 2),
                                                 round(record.width_cm, 2))
        assert get_blob(s, record.sha256) == scene.jpeg  # the original, byte for byte
        assert s.scalar(select(PhotoBlob.byte_size).where(PhotoBlob.sha256 == record.sha256)) \
            == len(scene.jpeg)


def test_hash_outline_and_measurements_are_in_the_audit_trail(db, actor, prepared,
                                                              assessment_id):
    with db.write() as s:
        record = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    with db.read() as s:
        rows = [r for r in list_audit(s, patient_id=record.patient_id) if r.table == "photo"]
        fields = {r.field: r.new for r in rows}
        assert fields["sha256"] == record.sha256
        assert json.loads(fields["outline_json"])[0] == list(record.outline[0])
        assert float(fields["area_cm2"]) == record.area_cm2
        assert verify_chain(s).ok


def test_the_same_photo_twice_is_refused_and_nothing_is_half_attached(db, actor, prepared,
                                                                      assessment_id):
    with db.write() as s:
        attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    with pytest.raises(UserError, match="already attached"):
        with db.write() as s:
            attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    with db.read() as s:
        assert s.scalar(select(text("count(*)")).select_from(Photo)) == 1


def test_bad_file_is_refused_before_the_database(assessment_id):
    with pytest.raises(PhotoError):
        prepare_photo(b"%PDF-1.4 renamed.jpg")


def test_uncalibrated_photo_is_documentation_only(db, actor, assessment_id):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (190, 150, 130)).save(out, format="JPEG")
    prepared = prepare_photo(out.getvalue(), outline=[(10, 10), (100, 10), (100, 90)])
    with db.write() as s:
        record = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    assert not record.calibrated and record.area_cm2 is None
    with db.read() as s:
        row = s.get(Assessment, assessment_id)
        assert row.method != "photo" and row.length_cm == 3.0  # typed values untouched


def test_ruler_calibrates_when_there_is_no_card(db, actor, assessment_id):
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (190, 150, 130)).save(out, format="PNG")
    square = [(100, 100), (200, 100), (200, 200), (100, 200)]
    prepared = prepare_photo(out.getvalue(), outline=square, ruler=((0, 0), (0, 250), 5.0))
    assert prepared.analysis.calibration.method == "ruler"
    with db.write() as s:
        record = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    assert record.area_cm2 == pytest.approx(4.0)


def test_edited_outline_is_remeasured(db, actor, prepared, assessment_id):
    with db.write() as s:
        record = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    half = record.outline[::2]
    with db.write() as s:
        edited = set_outline(s, record.id, half, actor=actor)
    assert edited.area_cm2 < record.area_cm2 * 1.01
    with db.read() as s:
        assert s.get(Assessment, assessment_id).traced_area_cm2 == round(edited.area_cm2, 2)


def test_primary_and_removal(db, actor, scene, prepared, assessment_id):
    other = prepare_photo(synthetic_photo(22, size=(640, 480)).jpeg)
    with db.write() as s:
        first = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
        second = attach_photo(s, other, assessment_id=assessment_id, actor=actor)
    assert first.is_primary and not second.is_primary
    with db.write() as s:
        set_primary(s, second.id, actor=actor)
    with pytest.raises(UserError):
        with db.write() as s:
            remove_photo(s, first.id, actor=actor, reason=" ")
    with db.write() as s:
        remove_photo(s, first.id, actor=actor, reason="wrong patient")
    with db.read() as s:
        live = list_photos(s, patient_id=first.patient_id)
        assert [(p.id, p.is_primary) for p in live] == [(second.id, True)]
        assert get_blob(s, first.sha256) == scene.jpeg  # the bytes are kept


def test_staff_may_not_attach(db, prepared, assessment_id):
    with pytest.raises(PermissionDenied):
        with db.write() as s:
            attach_photo(s, prepared, assessment_id=assessment_id,
                         actor=Actor("front.desk", "staff"))


def test_blob_bytes_cannot_be_altered(db, actor, prepared, assessment_id):
    with db.write() as s:
        record = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    with pytest.raises(Exception, match="never altered"):
        with db.write() as s:
            s.execute(text("UPDATE photo_blob SET data = :d WHERE sha256 = :h"),
                      {"d": b"tampered", "h": record.sha256})
    with db.read() as s:
        assert verify_blobs(s).ok and verify_blobs(s).blobs == 3


def test_incremental_blob_copy_and_restore(db, actor, prepared, assessment_id, tmp_path):
    with db.write() as s:
        attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    with db.read() as s:
        first = copy_new_blobs(s, tmp_path / "photos")
        again = copy_new_blobs(s, tmp_path / "photos")
    assert (first.written, again.written, again.already_there) == (3, 0, 3)
    from app.db import Database

    other = Database.open(f"sqlite:///{tmp_path / 'restored.db'}")
    try:  # a database without the blobs takes them back from the folder, verified
        with other.write() as s:
            assert restore_missing_blobs(s, tmp_path / "photos") == 3
        with other.read() as s:
            assert verify_blobs(s).ok and verify_blobs(s).blobs == 3
        (damaged,) = [p for p in (tmp_path / "photos").glob("??/*")][:1]
        damaged.write_bytes(b"not the photo")
        with other.write() as s:
            s.execute(text("DELETE FROM photo_blob WHERE sha256 = :h"), {"h": damaged.name})
        with pytest.raises(UserError, match="damaged"):
            with other.write() as s:
                restore_missing_blobs(s, tmp_path / "photos")
    finally:
        other.dispose()


def test_export_strips_private_metadata_and_writes_a_manifest(db, actor, assessment_id,
                                                              tmp_path):
    exif = Image.Exif()
    exif.get_ifd(0x8825)[1] = "N"
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-99"
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (190, 150, 130)).save(out, format="JPEG", exif=exif.tobytes())
    with db.write() as s:
        record = attach_photo(s, prepare_photo(out.getvalue()), assessment_id=assessment_id,
                              actor=actor)
    with db.write() as s:
        result = export_photos(s, patient_id=record.patient_id, folder=tmp_path / "out",
                               actor=actor)
    (exported,) = result.files
    assert b"SERIAL-99" not in exported.read_bytes()
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["mrn"] == "P-1"
    assert manifest["photos"][0]["original_sha256"] == record.sha256
    assert manifest["photos"][0]["calibrated"] is False


def test_attach_and_immutable_bytes_on_both_backends(any_db, actor, prepared):
    with any_db.write() as s:
        pid = create_patient(s, PatientInput(mrn="P-2", name="Server Photo",
                                             birth_date=dt.date(1950, 1, 1), arm="exosome"),
                             actor=actor, today=TODAY).id
        save_visit(s, VisitInput(patient_id=pid, visit_date=VISIT_DAY,
                                 assessments=(AssessmentInput("L-heel", 3.0, 2.0),)),
                   actor=actor, today=TODAY)
    with any_db.write() as s:
        aid = find_assessment(s, patient_id=pid, visit_date=VISIT_DAY, site="L-heel")
        record = attach_photo(s, prepared, assessment_id=aid, actor=actor)
    with pytest.raises(Exception, match="never altered"):
        with any_db.write() as s:
            s.execute(text("UPDATE photo_blob SET byte_size = 0 WHERE sha256 = :h"),
                      {"h": record.sha256})
    with any_db.read() as s:
        assert get_blob(s, record.sha256) == prepared.data
        assert [p.id for p in list_photos(s, patient_id=pid)] == [record.id]
        assert s.get(Assessment, aid).method == "photo"


def test_an_assessment_with_photos_is_not_removed_with_them(db, actor, prepared, assessment_id):
    with db.write() as s:
        record = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
        visit_id = s.get(Assessment, assessment_id).visit_id
    with pytest.raises(Exception):  # noqa: B017 - the database refuses, whatever the driver
        with db.write() as s:
            s.execute(text("DELETE FROM assessment WHERE id = :a"), {"a": assessment_id})
    with db.read() as s:
        assert [p.id for p in list_photos(s, patient_id=record.patient_id)] == [record.id]
        assert s.get(Assessment, assessment_id).visit_id == visit_id


def test_the_assessment_takes_its_sizes_from_the_primary_photo_only(db, actor, scene, prepared,
                                                                    assessment_id):
    """A second photo does not replace the measurement; making it primary does."""
    small = synthetic_photo(23, size=(800, 600), tilt_deg=10.0, area_cm2=2.0, jpeg_quality=90)
    other = prepare_photo(small.jpeg, outline=small.outline_px)
    with db.write() as s:
        first = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
        second = attach_photo(s, other, assessment_id=assessment_id, actor=actor)
    with db.read() as s:
        assessment = s.get(Assessment, assessment_id)
        assert assessment.traced_area_cm2 == pytest.approx(first.area_cm2, abs=0.01)
    with db.write() as s:
        set_primary(s, second.id, actor=actor)
    with db.read() as s:
        assessment = s.get(Assessment, assessment_id)
        assert assessment.traced_area_cm2 == pytest.approx(second.area_cm2, abs=0.01)
        assert assessment.traced_area_cm2 == pytest.approx(2.0, rel=0.05)
        assert assessment.method == "photo"


def test_the_audit_tab_says_a_photo_in_words(db, actor, prepared, assessment_id):
    """Hashes by their start, the outline and calibration in a few words (the trail itself
    keeps every value whole)."""
    from app.services.audit_view import load_audit_lines

    with db.write() as s:
        record = attach_photo(s, prepared, assessment_id=assessment_id, actor=actor)
    with db.read() as s:
        lines = [line for line in load_audit_lines(s, record.patient_id)
                 if line.record.table == "photo"]
        kept = {r.field: r.new for r in list_audit(s, patient_id=record.patient_id)
                if r.table == "photo"}
    shown = {line.record.field: line.new for line in lines}
    assert shown["sha256"] == record.sha256[:12] + "…"
    assert shown["outline_json"].startswith("outline of ") and "points" in shown["outline_json"]
    assert shown["calibration_json"].startswith("card, ") and "px/cm" in shown["calibration_json"]
    assert kept["sha256"] == record.sha256  # the trail keeps the whole hash
    assert all(len(value) < 60 for value in shown.values() if value)
