"""`photo export`: a patient's photos as files, without GPS or device serials, with a manifest.

Each photo is written as a shareable copy (app.imaging.privacy: a JPEG keeps its image data
byte for byte, only metadata segments change). manifest.json names, per file, the SHA-256 of
the original as stored (the hash in the audit trail) and of the exported copy, and the
measurements. The export is an event in the audit trail.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.imaging.privacy import shareable_copy
from app.models import Patient
from app.services.actor import Actor
from app.services.audit import record_event
from app.services.errors import NotFound, UserError
from app.services.files import atomic_output
from app.services.photo_store import sha256_hex
from app.services.photos import list_photos, photo_original

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PhotoExport:
    folder: Path
    files: tuple[Path, ...]
    manifest: Path


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-") or "site"


def export_photos(session: Session, *, patient_id: int, folder: Path,
                  actor: Actor) -> PhotoExport:
    """Write every live photo of a patient and manifest.json into `folder` (created if
    missing). Files are named DATE_SITE_ID.ext; an existing manifest is replaced."""
    actor.require("print")
    patient = session.get(Patient, patient_id)
    if patient is None or patient.deleted_at is not None:
        raise NotFound("the patient no longer exists")
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file; give a folder")
    folder.mkdir(parents=True, exist_ok=True)
    entries, files = [], []
    for record in list_photos(session, patient_id=patient_id):
        copy = shareable_copy(photo_original(session, record))
        name = f"{record.visit_date.isoformat()}_{_safe(record.site)}_{record.id}{copy.extension}"
        with atomic_output(folder / name, binary=True) as handle:
            handle.write(copy.data)
        files.append(folder / name)
        entry = record.as_json()
        entry.update({"file": name, "original_sha256": record.sha256,
                      "file_sha256": sha256_hex(copy.data)})
        entries.append(entry)
    manifest = folder / MANIFEST
    document = {"mrn": patient.mrn, "photos": entries,
                "note": "files carry no GPS position or device serial numbers; "
                        "original_sha256 is the hash of the photo as attached"}
    with atomic_output(manifest) as handle:
        handle.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    record_event(session, actor, "export", f"{len(files)} photos to {folder}",
                 patient_id=patient_id)
    return PhotoExport(folder=folder, files=tuple(files), manifest=manifest)
