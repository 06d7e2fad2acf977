"""`check` for wound photos: every stored blob re-hashed, each damaged one named by the photo
and patient that use it (docs/photos.md, "Storage")."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Assessment, Patient, Photo, PhotoBlob, Ulcer, Visit
from app.services.photo_store import PhotoCheck, verify_blobs

_ROLES = (("sha256", "original"), ("working_sha256", "working copy"),
          ("thumbnail_sha256", "thumbnail"))


def photo_problems(session: Session) -> tuple[PhotoCheck, list[str]]:
    """(the re-hash of every blob, one line per damaged blob naming where it is used)."""
    check = verify_blobs(session)
    return check, [_describe(session, digest) for digest in check.damaged]


def _describe(session: Session, digest: str) -> str:
    rows = session.execute(
        select(Photo, Patient.mrn, Visit.visit_date, Ulcer.site)
        .join(Patient, Photo.patient_id == Patient.id)
        .join(Assessment, Photo.assessment_id == Assessment.id)
        .join(Visit, Assessment.visit_id == Visit.id)
        .join(Ulcer, Assessment.ulcer_id == Ulcer.id)
        .where(or_(Photo.sha256 == digest, Photo.working_sha256 == digest,
                   Photo.thumbnail_sha256 == digest))
        .order_by(Photo.id)).all()
    uses = []
    for photo, mrn, on, site in rows:
        role = next(name for column, name in _ROLES if getattr(photo, column) == digest)
        uses.append(f"the {role} of photo {photo.id} (MRN {mrn}, {site} on {on.isoformat()}"
                    f"{', removed' if photo.deleted_at is not None else ''})")
    where = "; ".join(uses) if uses else "used by no photo"
    size, stored = session.execute(select(PhotoBlob.byte_size, func.length(PhotoBlob.data))
                                   .where(PhotoBlob.sha256 == digest)).one()
    if size and not stored:  # a backup file: the bytes are in the photos folder beside it
        return (f"photo bytes not in this file: blob {digest[:12]}… ({where}) was backed up "
                "apart, in the photos folder beside the backup; restore the backup to use it")
    return (f"photo damaged: blob {digest[:12]}… no longer matches its SHA-256 ({where}); "
            "restore it from a backup")
