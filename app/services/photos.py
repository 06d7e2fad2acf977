"""Wound photos of an assessment: attach, outline, measure, mark primary, remove, export.

Two steps, so that no transaction waits for image work and the GUI thread never decodes:

1. `prepare_photo(data, outline=|box=|click=, ruler=)` (pure, any thread, no database):
   decodes with limits, finds the card (or uses a two-point ruler), proposes or takes the
   outline and measures it. Raises app.imaging.decode.PhotoError and friends, all UserErrors
   in spirit: their str is the message for the nurse.
2. `attach_photo(session, prepared, assessment_id=, actor=)` inside the caller's
   `with db.write() as session:` stores the original bytes (content-addressed), the working
   copy and the thumbnail, writes the photo row (audited: hash, outline, measurements) and,
   when measured, fills the assessment's traced area, length and width with method "photo".
   The same photo twice on one assessment is refused; nothing is half-attached.

The CLI (`photo attach/measure/export`) and the GUI call only these functions and the
frozen `PhotoRecord`; the bytes come back through `photo_original/working/thumbnail`.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.limits import SIZE_LIMITS, check_range
from app.imaging.calibrate import Calibration, ruler_calibration
from app.imaging.measure import WoundMeasurement, measure_outline
from app.imaging.pipeline import PhotoAnalysis, analyse_photo
from app.models import Assessment, Photo, Ulcer, Visit
from app.models.base import utc_now
from app.services.actor import Actor
from app.services.audit import act_as
from app.services.errors import NotFound, UserError, ValidationFailed
from app.services.photo_store import get_blob, put_blob

PHOTO_METHOD = "photo"  # Assessment.method for sizes measured on a photo
Ruler = tuple[tuple[float, float], tuple[float, float], float]  # two image points, cm between


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo analysed and ready to attach (no database touched yet)."""

    data: bytes
    file_name: str | None
    analysis: PhotoAnalysis
    outline_source: str | None  # "box", "click", "hand" or "file"


@dataclass(frozen=True)
class PhotoRecord:
    """One attached photo, for the Photos tab, reports and exports."""

    id: int
    patient_id: int
    assessment_id: int
    visit_date: dt.date
    site: str
    sha256: str
    format: str
    width_px: int
    height_px: int
    taken_at: dt.datetime | None
    file_name: str | None
    is_primary: bool
    calibrated: bool  # False: documentation only, shown as "not calibrated"
    calibration: Calibration | None
    outline: tuple[tuple[float, float], ...] | None
    area_cm2: float | None
    perimeter_cm: float | None
    length_cm: float | None
    width_cm: float | None
    created_at: dt.datetime
    created_by: str | None

    def as_json(self) -> dict:
        return {"id": self.id, "visit_date": self.visit_date.isoformat(), "site": self.site,
                "sha256": self.sha256, "format": self.format, "file_name": self.file_name,
                "width_px": self.width_px, "height_px": self.height_px,
                "primary": self.is_primary, "calibrated": self.calibrated,
                "method": self.calibration.method if self.calibration else None,
                "px_per_cm": self.calibration.px_per_cm if self.calibration else None,
                "tilt_deg": self.calibration.tilt_deg if self.calibration else None,
                "outline": [list(p) for p in self.outline] if self.outline else None,
                "area_cm2": self.area_cm2, "perimeter_cm": self.perimeter_cm,
                "length_cm": self.length_cm, "width_cm": self.width_cm}


def prepare_photo(data: bytes, *, file_name: str | None = None,
                  outline: Sequence[Sequence[float]] | None = None,
                  box: Sequence[float] | None = None, click: Sequence[float] | None = None,
                  ruler: Ruler | None = None,
                  outline_source: str | None = None) -> PreparedPhoto:
    """Analyse a photo off the GUI thread. `ruler` calibrates when no card is found;
    `outline_source` names where a given outline came from ("hand", "file"; default "file")."""
    analysis = analyse_photo(data, outline=outline, box=box, click=click)
    if analysis.calibration is None and ruler is not None:
        calibration = ruler_calibration(*ruler)
        measured = measure_outline(analysis.outline_px, calibration) \
            if analysis.outline_px else None
        analysis = replace(analysis, calibration=calibration, measurement=measured)
    source = (outline_source or "file") if outline is not None else "box" if box is not None \
        else "click" if click is not None else None
    return PreparedPhoto(data=data, file_name=file_name, analysis=analysis,
                         outline_source=source)


def find_assessment(session: Session, *, patient_id: int, visit_date: dt.date, site: str) -> int:
    """The id of the patient's live assessment of `site` at the visit of `visit_date`."""
    found = session.scalar(
        select(Assessment.id).join(Visit, Assessment.visit_id == Visit.id)
        .join(Ulcer, Assessment.ulcer_id == Ulcer.id)
        .where(Visit.patient_id == patient_id, Visit.visit_date == visit_date,
               Visit.deleted_at.is_(None), Ulcer.site == site.strip()))
    if found is None:
        raise NotFound(f"no assessment of {site} on {visit_date.isoformat()} for this patient; "
                       "record the visit first")
    return found


def _live_assessment(session: Session, assessment_id: int) -> tuple[Assessment, Visit]:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.visit.deleted_at is not None:
        raise NotFound("the assessment no longer exists")
    return assessment, assessment.visit


def _fill_assessment(assessment: Assessment, visit: Visit, m: WoundMeasurement, *,
                     actor: Actor, reason: str | None) -> None:
    """Write a photo's sizes into the assessment (method "photo"), within the hard limits."""
    values = {"traced_area_cm2": round(m.area_cm2, 2), "length_cm": round(m.length_cm, 2),
              "width_cm": round(m.width_cm, 2)}
    findings = [f for name, value in values.items()
                for f in check_range(name, value, SIZE_LIMITS[name], name.replace("_", " "))]
    if findings:
        raise ValidationFailed(findings)
    if visit.signed_at is not None and not (reason and reason.strip()):
        raise UserError("this visit is signed: give a reason for the change")
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.method = PHOTO_METHOD
    visit.updated_by = actor.username
    visit.updated_at = utc_now()  # raises the visit's version: stale forms elsewhere are refused


def attach_photo(session: Session, prepared: PreparedPhoto, *, assessment_id: int,
                 actor: Actor, primary: bool | None = None, fill_assessment: bool = True,
                 reason: str | None = None) -> PhotoRecord:
    """Attach an analysed photo to an assessment (see the module docstring)."""
    actor.require("record")
    act_as(session, actor, reason=reason)
    assessment, visit = _live_assessment(session, assessment_id)
    analysis = prepared.analysis
    photo = analysis.photo
    clash = session.scalar(select(Photo).where(
        Photo.assessment_id == assessment_id, Photo.sha256 == photo.sha256,
        Photo.deleted_at.is_(None)))
    if clash is not None:
        raise UserError(f"this photo is already attached to this assessment (by "
                        f"{clash.created_by or 'someone'} on {clash.created_at:%Y-%m-%d})")
    others = session.scalars(select(Photo).where(Photo.assessment_id == assessment_id,
                                                 Photo.deleted_at.is_(None))).all()
    is_primary = primary if primary is not None else not any(p.is_primary for p in others)
    if is_primary:
        for other in others:
            other.is_primary = False
    blobs = [put_blob(session, data)
             for data in (prepared.data, photo.working_jpeg, photo.thumbnail_jpeg)]
    session.flush()  # the bytes first: the photo row refers to them
    row = Photo(patient_id=visit.patient_id, assessment_id=assessment_id,
                sha256=blobs[0], working_sha256=blobs[1], thumbnail_sha256=blobs[2],
                format=photo.format, width_px=photo.width, height_px=photo.height,
                taken_at=photo.taken_at, file_name=(prepared.file_name or None),
                is_primary=is_primary, created_by=actor.username,
                outline_source=prepared.outline_source if analysis.outline_px else None)
    _set_measurement(row, analysis.calibration, analysis.outline_px, analysis.measurement)
    session.add(row)
    if fill_assessment and is_primary and analysis.measurement is not None:
        _fill_assessment(assessment, visit, analysis.measurement, actor=actor, reason=reason)
    session.flush()
    return _record(session, row)


def _set_measurement(row: Photo, calibration: Calibration | None,
                     outline: Sequence[Sequence[float]] | None,
                     m: WoundMeasurement | None) -> None:
    row.calibrated = calibration is not None
    row.calibration_method = calibration.method if calibration else None
    row.calibration_json = json.dumps(calibration.as_json()) if calibration else None
    row.outline_json = json.dumps([[round(x, 2), round(y, 2)] for x, y in outline]) \
        if outline else None
    row.area_cm2 = round(m.area_cm2, 3) if m else None
    row.perimeter_cm = round(m.perimeter_cm, 3) if m else None
    row.length_cm = round(m.length_cm, 3) if m else None
    row.width_cm = round(m.width_cm, 3) if m else None


def _live_photo(session: Session, photo_id: int) -> Photo:
    row = session.get(Photo, photo_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("the photo no longer exists")
    return row


def set_outline(session: Session, photo_id: int, outline: Sequence[Sequence[float]], *,
                actor: Actor, source: str = "hand", fill_assessment: bool = True,
                reason: str | None = None) -> PhotoRecord:
    """Replace a photo's outline (edited vertices, painted or hand-traced) and re-measure it
    with the photo's stored calibration."""
    actor.require("record")
    act_as(session, actor, reason=reason)
    row = _live_photo(session, photo_id)
    calibration = Calibration.from_json(json.loads(row.calibration_json)) \
        if row.calibration_json else None
    points = [(float(p[0]), float(p[1])) for p in outline]
    measurement = measure_outline(points, calibration) if calibration else None
    _set_measurement(row, calibration, points, measurement)
    row.outline_source = source
    if fill_assessment and row.is_primary and measurement is not None:
        assessment, visit = _live_assessment(session, row.assessment_id)
        _fill_assessment(assessment, visit, measurement, actor=actor, reason=reason)
    session.flush()
    return _record(session, row)


def set_primary(session: Session, photo_id: int, *, actor: Actor,
                reason: str | None = None) -> None:
    """Make one photo the primary photo of its assessment. The assessment's sizes are its
    primary photo's: a measured photo made primary gives them its own (method "photo")."""
    actor.require("record")
    act_as(session, actor, reason=reason)
    row = _live_photo(session, photo_id)
    for other in session.scalars(select(Photo).where(Photo.assessment_id == row.assessment_id,
                                                     Photo.deleted_at.is_(None))):
        other.is_primary = other.id == row.id
    if None not in (row.area_cm2, row.perimeter_cm, row.length_cm, row.width_cm):
        assessment, visit = _live_assessment(session, row.assessment_id)
        _fill_assessment(assessment, visit, WoundMeasurement(
            row.area_cm2, row.perimeter_cm, row.length_cm, row.width_cm), actor=actor,
            reason=reason)


def remove_photo(session: Session, photo_id: int, *, actor: Actor, reason: str) -> None:
    """Take a photo off its assessment (kept in the database, with who, when and why)."""
    if not (reason and reason.strip()):
        raise UserError("give a reason for removing the photo")
    actor.require("record")
    act_as(session, actor, reason=reason)
    row = _live_photo(session, photo_id)
    row.deleted_at = utc_now()
    row.deletion_reason = reason.strip()
    row.is_primary = False


def list_photos(session: Session, *, patient_id: int,
                assessment_id: int | None = None) -> list[PhotoRecord]:
    """A patient's live photos, by visit date, site and attach order."""
    query = (select(Photo, Visit.visit_date, Ulcer.site)
             .join(Assessment, Photo.assessment_id == Assessment.id)
             .join(Visit, Assessment.visit_id == Visit.id)
             .join(Ulcer, Assessment.ulcer_id == Ulcer.id)
             .where(Photo.patient_id == patient_id, Photo.deleted_at.is_(None),
                    Visit.deleted_at.is_(None))
             .order_by(Visit.visit_date, Ulcer.site, Photo.id))
    if assessment_id is not None:
        query = query.where(Photo.assessment_id == assessment_id)
    return [_to_record(row, on, site) for row, on, site in session.execute(query)]


def _record(session: Session, row: Photo) -> PhotoRecord:
    on, site = session.execute(
        select(Visit.visit_date, Ulcer.site).join(Assessment, Assessment.visit_id == Visit.id)
        .join(Ulcer, Assessment.ulcer_id == Ulcer.id)
        .where(Assessment.id == row.assessment_id)).one()
    return _to_record(row, on, site)


def _to_record(row: Photo, on: dt.date, site: str) -> PhotoRecord:
    calibration = Calibration.from_json(json.loads(row.calibration_json)) \
        if row.calibration_json else None
    outline = tuple((float(x), float(y)) for x, y in json.loads(row.outline_json)) \
        if row.outline_json else None
    return PhotoRecord(
        id=row.id, patient_id=row.patient_id, assessment_id=row.assessment_id, visit_date=on,
        site=site, sha256=row.sha256, format=row.format, width_px=row.width_px,
        height_px=row.height_px, taken_at=row.taken_at, file_name=row.file_name,
        is_primary=row.is_primary, calibrated=row.calibrated, calibration=calibration,
        outline=outline, area_cm2=row.area_cm2, perimeter_cm=row.perimeter_cm,
        length_cm=row.length_cm, width_cm=row.width_cm, created_at=row.created_at,
        created_by=row.created_by)


def photo_original(session: Session, record: PhotoRecord) -> bytes:
    """The original bytes as attached, verified against their hash."""
    return get_blob(session, record.sha256)


def photo_working(session: Session, photo_id: int) -> bytes:
    """The upright working copy (JPEG, long side <= 2048 px), verified."""
    return get_blob(session, _live_photo(session, photo_id).working_sha256)


def photo_thumbnail(session: Session, photo_id: int) -> bytes:
    """The thumbnail (JPEG, long side 256 px), verified."""
    return get_blob(session, _live_photo(session, photo_id).thumbnail_sha256)
