"""Wound photos in the research exports, only when asked (`--photos`; issue 13 "Privacy").

Pure: the service layer (app.services.exports) reads the photo records and the original bytes,
strips GPS and serial numbers (app.imaging.privacy.shareable_copy) and hands plain
`ExportedPhoto` values in; this module turns them into FHIR R4 `Media` resources and into the
research CSV's photo cells. No file name ever leaves: titles are built from site and date.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from app.interop.visit_sheet import format_number

if TYPE_CHECKING:  # read, never imported at run time (services → interop)
    from app.interop.fhir import ResourceIds

PHOTO_SHA256_SYSTEM = "urn:dfu-monitor:photo-sha256"
MEDIA_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/media-type"
PHOTO_COLUMNS = {  # research CSV, per assessment row, only with --photos
    "photo_count": "integer", "photo_sha256": "text", "photo_area_cm2": "number",
    "photo_calibrated": "boolean",
}


@dataclass(frozen=True)
class ExportedPhoto:
    """One live photo of an assessment, as an export sees it (no file name, by design)."""

    photo_id: int
    assessment_id: int
    visit_date: dt.date
    site: str
    sha256: str  # of the original bytes (pseudonymised exports: pseudonymous_photo_hash)
    is_primary: bool
    calibrated: bool
    calibration_method: str | None
    area_cm2: float | None
    perimeter_cm: float | None
    length_cm: float | None
    width_cm: float | None
    data: bytes | None = None  # the shareable copy (GPS and serials stripped); FHIR only
    content_type: str | None = None  # "image/jpeg" or "image/png"


def pseudonymous_photo_hash(key: bytes, sha256: str) -> str:
    """What a pseudonymised export says instead of a photo's SHA-256: HMAC-SHA256 of it under
    the clinic's pseudonym key. Stable from export to export, but it cannot be matched to the
    photo file (a copy left on the phone, a message) the way the file's own hash can."""
    return hmac.new(key, b"photo/" + sha256.encode("ascii"), hashlib.sha256).hexdigest()


def primary_photo(photos: Iterable[ExportedPhoto]) -> ExportedPhoto | None:
    """The photo marked primary, else the first attached."""
    listed = list(photos)
    return next((p for p in listed if p.is_primary), listed[0] if listed else None)


def photo_cells(photos: list[ExportedPhoto]) -> dict[str, Any]:
    """The research CSV's photo values of one assessment (count 0 and blanks without a photo)."""
    primary = primary_photo(photos)
    if primary is None:
        return {"photo_count": 0}
    return {"photo_count": len(photos), "photo_sha256": primary.sha256,
            "photo_area_cm2": primary.area_cm2,
            "photo_calibrated": primary.calibrated}


def measurement_note(photo: ExportedPhoto) -> str:
    """The photo's measurement in words, for Media.note."""
    if not photo.calibrated or photo.area_cm2 is None:
        return "Not calibrated: documentation only, not measured."
    parts = [f"area {format_number(round(photo.area_cm2, 2))} cm2"]
    for name, value in (("perimeter", photo.perimeter_cm), ("length", photo.length_cm),
                        ("width", photo.width_cm)):
        if value is not None:
            parts.append(f"{name} {format_number(round(value, 2))} cm")
    method = f" (calibrated by {photo.calibration_method})" if photo.calibration_method else ""
    return "Measured on the photo: " + ", ".join(parts) + method + "."


def attachment(photo: ExportedPhoto, title: str) -> dict[str, Any]:
    """FHIR R4 Attachment of the shareable copy; `hash` is its base64 SHA-1 (R4 Attachment)."""
    if photo.data is None or photo.content_type is None:
        raise ValueError(f"photo {photo.photo_id} has no exported bytes")
    return {"contentType": photo.content_type,
            "data": base64.b64encode(photo.data).decode("ascii"),
            "size": len(photo.data),
            "hash": base64.b64encode(hashlib.sha1(photo.data).digest()).decode("ascii"),
            "title": title}


def media_resource(photo: ExportedPhoto, ids: ResourceIds, *, patient_id: int,
                   body_site: dict[str, Any]) -> dict[str, Any]:
    """A FHIR R4 Media for one photo: part of the assessment's wound-size Observation."""
    role = "primary photo" if photo.is_primary else "photo"
    title = f"Wound {role}, {photo.site}, {photo.visit_date.isoformat()}"
    return {
        "resourceType": "Media", "id": ids.of("Media", photo.photo_id),
        "identifier": [{"system": PHOTO_SHA256_SYSTEM, "value": photo.sha256}],
        "partOf": [ids.reference("Observation", f"size/{photo.assessment_id}")],
        "status": "completed",
        "type": {"coding": [{"system": MEDIA_TYPE_SYSTEM, "code": "image",
                             "display": "Image"}]},
        "subject": ids.reference("Patient", patient_id),
        "createdDateTime": photo.visit_date.isoformat(),
        "bodySite": body_site,
        "content": attachment(photo, title),
        "note": [{"text": measurement_note(photo)}],
    }
