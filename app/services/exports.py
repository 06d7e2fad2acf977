"""Research exports of the whole clinic: the long-format CSV and the FHIR R4 Bundle.

Each export reads every live patient as `load_history` would (app.services.bulk_history, so each
number is the one the chart shows), streams the file through a temporary file that is
renamed into place, and is then written to the audit trail (docs/reliability.md: every export
is audited). Pseudonyms are keyed with a per-clinic secret kept in the settings table; the key
is inserted without the ORM so that the audit listener never copies it into the trail, and its
creation is recorded as an event.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.db import Database
from app.interop import fhir, research_csv
from app.interop.photo_export import ExportedPhoto, pseudonymous_photo_hash
from app.models import Setting
from app.services.actor import Actor
from app.services.audit import record_event
from app.services.bulk_history import iter_histories
from app.services.files import atomic_output

PSEUDONYM_KEY_SETTING = "research_pseudonym_key"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    patients: int
    records: int  # CSV rows or Bundle entries
    pseudonymised: bool
    photos: bool = False  # photo columns / Media resources were asked for


def pseudonym_key(db: Database, *, actor: Actor) -> bytes:
    """The clinic's secret pseudonym key (32 random bytes), created on first use."""
    with db.read() as session:
        value = session.scalar(select(Setting.value).where(Setting.key == PSEUDONYM_KEY_SETTING))
    if value is None:
        with db.write() as session:
            value = session.scalar(select(Setting.value)
                                   .where(Setting.key == PSEUDONYM_KEY_SETTING))
            if value is None:
                value = json.dumps(secrets.token_hex(32))
                session.connection().execute(insert(Setting.__table__).values(
                    key=PSEUDONYM_KEY_SETTING, value=value,
                    updated_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
                record_event(session, actor, "pseudonym key created",
                             "per-clinic key for research pseudonyms")
    return bytes.fromhex(json.loads(value))


def exported_photos(session: Session, patient_id: int, *, with_bytes: bool,
                    pseudonym_key: bytes | None = None) -> list[ExportedPhoto]:
    """A patient's live photos as plain export values; with `with_bytes`, each carries its
    shareable copy (GPS and serials stripped, app.imaging.privacy), never the original. With
    `pseudonym_key` (a pseudonymised export), each names its photo by a keyed hash, not by the
    file's SHA-256 (app.interop.photo_export.pseudonymous_photo_hash)."""
    from app.imaging.privacy import shareable_copy
    from app.services.photos import list_photos, photo_original

    photos = []
    for record in list_photos(session, patient_id=patient_id):
        data = content_type = None
        if with_bytes:
            copy = shareable_copy(photo_original(session, record))
            data = copy.data
            content_type = "image/png" if copy.extension == ".png" else "image/jpeg"
        calibration = record.calibration
        photos.append(ExportedPhoto(
            photo_id=record.id, assessment_id=record.assessment_id,
            visit_date=record.visit_date, site=record.site,
            sha256=(record.sha256 if pseudonym_key is None
                    else pseudonymous_photo_hash(pseudonym_key, record.sha256)),
            is_primary=record.is_primary, calibrated=record.calibrated,
            calibration_method=calibration.method if calibration else None,
            area_cm2=record.area_cm2, perimeter_cm=record.perimeter_cm,
            length_cm=record.length_cm, width_cm=record.width_cm,
            data=data, content_type=content_type))
    return photos


def write_atomically(path: Path, write: Callable[[TextIO], int]) -> int:
    """Stream an export through `atomic_output`: a crash never leaves half an export."""
    with atomic_output(path) as out:
        return write(out)


def _audit(db: Database, actor: Actor, what: str, result: ExportResult) -> None:
    with db.write() as session:
        record_event(session, actor, "export",
                     f"{what} {result.path.name}: {result.records} records, "
                     f"{result.patients} patients, "
                     + ("pseudonymised" if result.pseudonymised else "identified")
                     + (", with photos" if result.photos else ""))


def export_research_csv(db: Database, path: Path, *, actor: Actor,
                        identified: bool = False, photos: bool = False) -> ExportResult:
    """One row per assessment with every docs/metrics.md value; pseudonymised unless
    `identified`; with `photos`, the photo columns (count, primary hash, area, calibrated)."""
    actor.require("print")
    key = None if identified else pseudonym_key(db, actor=actor)
    patients = 0

    def rows(session: Session):
        nonlocal patients
        for history in iter_histories(session):
            patients += 1
            subject = (history.patient.mrn if identified
                       else research_csv.pseudonym(key, history.patient.mrn))
            shots = (exported_photos(session, history.patient.id, with_bytes=False,
                                     pseudonym_key=key) if photos else None)
            yield from research_csv.research_lines(history, subject_id=subject,
                                                   identified=identified, photos=shots)

    with db.read() as session:
        count = write_atomically(path, lambda out: research_csv.write_research_csv(
            rows(session), out, identified=identified, photos=photos))
    result = ExportResult(Path(path), patients, count, not identified, photos)
    _audit(db, actor, "research CSV", result)
    return result


def export_fhir_bundle(db: Database, path: Path, *, actor: Actor, pseudonymous: bool = False,
                       photos: bool = False, now: dt.datetime | None = None) -> ExportResult:
    """A FHIR R4 collection Bundle of every patient; ids are stable from export to export.
    With `photos`, a Media per live wound photo carrying its shareable copy inline."""
    actor.require("print")
    key = pseudonym_key(db, actor=actor)
    mode = "pseudonymous" if pseudonymous else "identified"
    namespace = uuid.UUID(bytes=hmac.new(key, f"fhir-ids/{mode}".encode(),
                                         hashlib.sha256).digest()[:16])
    ids = fhir.ResourceIds(namespace)
    patients = 0

    def resources(session: Session):
        nonlocal patients
        for history in iter_histories(session):
            patients += 1
            alias = research_csv.pseudonym(key, history.patient.mrn) if pseudonymous else None
            shots = (exported_photos(session, history.patient.id, with_bytes=True,
                                     pseudonym_key=key if pseudonymous else None)
                     if photos else None)
            yield from fhir.patient_resources(history, ids, pseudonym=alias, photos=shots)

    stamp = now or dt.datetime.now(dt.timezone.utc)
    with db.read() as session:
        count = write_atomically(path, lambda out: fhir.write_bundle(
            resources(session), out, bundle_id=str(uuid.uuid4()), timestamp=stamp))
    result = ExportResult(Path(path), patients, count, pseudonymous, photos)
    _audit(db, actor, "FHIR bundle", result)
    return result
