"""Photos in the research exports only when asked (issue 13 "Privacy"): FHIR `Media` with the
stripped bytes and their SHA-1, the research CSV's photo columns; no file name ever leaves."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import re
import struct
import uuid

import pytest
from PIL import Image

from app.imaging.synthetic import synthetic_photo
from app.interop.fhir import SNOMED, ResourceIds
from app.interop.photo_export import (
    PHOTO_COLUMNS,
    PHOTO_SHA256_SYSTEM,
    pseudonymous_photo_hash,
)
from app.interop.research_csv import pseudonym
from app.services.actor import Actor
from app.services.exports import export_fhir_bundle, export_research_csv, pseudonym_key
from tests.conftest import GOLDEN_CSV
from tests.interop.test_fhir import codes, resources, validate_r4

pytest.importorskip("fhir.resources")
NURSE = Actor("nurse.test", "nurse")
FILE_NAME = "jane-doe-left-foot.jpg"
MRN, VISIT, SITE = "H-01000", dt.date(2025, 4, 17), "R-MTH5-plantar"
SERIAL = b"BODY-SN-4711"


def with_private_exif(jpeg: bytes) -> bytes:
    """The same JPEG with an Exif segment carrying GPS and a body serial (image data kept)."""
    exif = Image.Exif()
    exif.get_ifd(0x8825)[1] = "N"
    exif.get_ifd(0x8825)[2] = (52.0, 31.0, 12.0)
    exif.get_ifd(0x8769)[0xA431] = SERIAL.decode()
    payload = exif.tobytes()
    payload = payload if payload.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + payload
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    at = 2
    if jpeg[2:4] == b"\xff\xe0":  # after JFIF
        at = 4 + struct.unpack(">H", jpeg[4:6])[0]
    return jpeg[:at] + segment + jpeg[at:]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """The golden clinic with one measured photo on H-01000's 2025-04-17 R-MTH5-plantar."""
    from app.db import Database
    from app.services.patients import find_by_mrn
    from app.services.photos import attach_photo, find_assessment, prepare_photo
    from app.services.visit_sheet import import_visit_sheet

    folder = tmp_path_factory.mktemp("photo-exports")
    db = Database.open(f"sqlite:///{folder / 'clinic.db'}")
    import_visit_sheet(db, GOLDEN_CSV.read_text(encoding="utf-8"), actor=NURSE,
                       today=dt.date(2026, 11, 27))
    scene = synthetic_photo(7, size=(1200, 900), tilt_deg=20.0, area_cm2=6.0)
    original = with_private_exif(scene.jpeg)
    prepared = prepare_photo(original, file_name=FILE_NAME, outline=scene.outline_px)
    with db.write() as s:
        patient_id = find_by_mrn(s, MRN).id
        assessment = find_assessment(s, patient_id=patient_id, visit_date=VISIT, site=SITE)
        attach_photo(s, prepared, assessment_id=assessment, actor=NURSE)
    yield db, folder, original, scene
    db.dispose()


def _bundle(clinic, name, **options):
    db, folder = clinic[:2]
    export_fhir_bundle(db, folder / name, actor=NURSE, **options)
    text = (folder / name).read_text(encoding="utf-8")
    return json.loads(text), text


def test_fhir_with_photos_has_one_valid_media_with_the_stripped_bytes(clinic):
    _, _, original, scene = clinic
    assert SERIAL in original
    bundle, text = _bundle(clinic, "photos.json", photos=True)
    validate_r4(bundle)
    [media] = resources(bundle, "Media")
    assert media["status"] == "completed" and media["createdDateTime"] == VISIT.isoformat()
    assert media["identifier"] == [{"system": PHOTO_SHA256_SYSTEM,
                                    "value": hashlib.sha256(original).hexdigest()}]
    patient = next(p for p in resources(bundle, "Patient")
                   if p["identifier"][0]["value"] == MRN)
    assert media["subject"]["reference"] == f"urn:uuid:{patient['id']}"
    assert media["bodySite"]["text"] == SITE and (SNOMED, "60496002") in codes(media["bodySite"])
    content = media["content"]
    data = base64.b64decode(content["data"])
    assert content["contentType"] == "image/jpeg" and content["size"] == len(data)
    assert content["hash"] == base64.b64encode(hashlib.sha1(data).digest()).decode()
    assert SERIAL not in data and not Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    assert data.endswith(original[original.index(b"\xff\xda"):])  # not re-compressed
    assert SITE in content["title"] and FILE_NAME not in text
    noted = re.search(r"area ([0-9.]+) cm2", media["note"][0]["text"])
    assert noted and float(noted.group(1)) == pytest.approx(scene.area_cm2, rel=0.02)
    [size] = [o for o in resources(bundle, "Observation")
              if media["partOf"][0]["reference"] == f"urn:uuid:{o['id']}"]
    assert size["effectiveDateTime"] == VISIT.isoformat()
    assert size["derivedFrom"] == [{"reference": f"urn:uuid:{media['id']}"}]


def test_fhir_without_photos_has_no_media_and_no_bytes(clinic):
    _, _, original, _ = clinic
    bundle, text = _bundle(clinic, "plain.json")
    validate_r4(bundle)
    assert not resources(bundle, "Media")
    assert hashlib.sha256(original).hexdigest() not in text
    assert '"data"' not in text and "derivedFrom" not in text


def test_pseudonymous_fhir_with_photos_names_no_file(clinic):
    db, _, original, _ = clinic
    bundle, text = _bundle(clinic, "pseudo.json", photos=True, pseudonymous=True)
    validate_r4(bundle)
    [media] = resources(bundle, "Media")
    assert FILE_NAME not in text and "jane" not in text.lower() and MRN not in text
    # the photo file's own hash would match the row to a copy of the file: keyed instead
    original_hash = hashlib.sha256(original).hexdigest()
    assert original_hash not in text
    assert media["identifier"][0]["value"] == pseudonymous_photo_hash(
        pseudonym_key(db, actor=NURSE), original_hash)


def _csv(clinic, name, **options):
    db, folder = clinic[:2]
    export_research_csv(db, folder / name, actor=NURSE, **options)
    text = (folder / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text))), text


def test_research_csv_with_photos_has_the_photo_columns(clinic):
    db, _, original, scene = clinic
    rows, text = _csv(clinic, "photos.csv", photos=True)
    assert set(PHOTO_COLUMNS) <= set(rows[0])
    subject = pseudonym(pseudonym_key(db, actor=NURSE), MRN)
    [row] = [r for r in rows if r["subject_id"] == subject and r["visit_date"] == "2025-04-17"
             and r["site"] == SITE]
    assert row["photo_count"] == "1" and row["photo_calibrated"] == "true"
    original_hash = hashlib.sha256(original).hexdigest()  # pseudonymised: keyed, not the file's
    assert row["photo_sha256"] == pseudonymous_photo_hash(pseudonym_key(db, actor=NURSE),
                                                          original_hash) != original_hash
    assert original_hash not in text
    assert float(row["photo_area_cm2"]) == pytest.approx(scene.area_cm2, rel=0.02)
    others = [r for r in rows if r is not row]
    assert {r["photo_count"] for r in others} == {"0"}
    assert {r["photo_sha256"] for r in others} == {""}
    assert FILE_NAME not in text and MRN not in text


def test_research_csv_without_photos_has_no_photo_columns(clinic):
    _, _, original, _ = clinic
    rows, text = _csv(clinic, "plain.csv")
    assert not set(PHOTO_COLUMNS) & set(rows[0])
    assert hashlib.sha256(original).hexdigest() not in text


def test_identified_research_csv_with_photos_keeps_the_column_order(clinic):
    from app.interop.research_csv import column_types

    rows, _ = _csv(clinic, "identified.csv", photos=True, identified=True)
    assert list(rows[0]) == list(column_types(identified=True, photos=True))
    original = clinic[2]
    assert {r["photo_sha256"] for r in rows} == {"", hashlib.sha256(original).hexdigest()}


def _photo(photo_id, *, primary=False, calibrated=True, area=4.0):
    from app.interop.photo_export import ExportedPhoto

    return ExportedPhoto(photo_id=photo_id, assessment_id=1, visit_date=VISIT, site=SITE,
                         sha256=f"{photo_id:064x}", is_primary=primary, calibrated=calibrated,
                         calibration_method="card" if calibrated else None,
                         area_cm2=area if calibrated else None, perimeter_cm=None,
                         length_cm=None, width_cm=None)


def test_photo_cells_follow_the_primary_photo_and_say_not_calibrated():
    from app.interop.photo_export import measurement_note, media_resource, photo_cells

    cells = photo_cells([_photo(1, area=3.0), _photo(2, primary=True, area=5.5)])
    assert cells == {"photo_count": 2, "photo_sha256": f"{2:064x}", "photo_area_cm2": 5.5,
                     "photo_calibrated": True}
    plain = photo_cells([_photo(3, calibrated=False)])
    assert plain["photo_area_cm2"] is None and plain["photo_calibrated"] is False
    assert photo_cells([]) == {"photo_count": 0}
    assert measurement_note(_photo(3, calibrated=False)).startswith("Not calibrated")
    with pytest.raises(ValueError, match="no exported bytes"):  # the CSV-only value has none
        media_resource(_photo(1), ResourceIds(uuid.uuid4()), patient_id=1,
                       body_site={"text": SITE})
