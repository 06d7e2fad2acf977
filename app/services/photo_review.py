"""What the outline editor saves: a photo attached or re-outlined, and, only when the nurse
confirmed them, the tissue colours the photo suggested (docs/product.md, photos).

A tissue suggestion is red (granulation), yellow (slough) and black (necrosis) shares of the
outline's pixels (app.imaging.segment.tissue_colours); confirmed, they become the assessment's
granulation, slough and necrotic % with epithelial 0 (the three already make 100%). Each is
one transaction with the attach or the outline edit, audited like any change.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from app.domain.limits import validate_tissue
from app.models import Assessment, Photo
from app.models.base import utc_now
from app.services.actor import Actor
from app.services.errors import NotFound, UserError, ValidationFailed
from app.services.photos import PhotoRecord, PreparedPhoto, attach_photo, set_outline

TISSUE_OF_COLOUR = {"red": "granulation_pct", "yellow": "slough_pct", "black": "necrotic_pct"}


def tissue_values(shares: Mapping[str, float]) -> dict[str, float]:
    """The assessment's tissue fields from confirmed colour shares (epithelial 0)."""
    values = {field: round(float(shares[colour]), 1) for colour, field in TISSUE_OF_COLOUR.items()}
    values["epithelial_pct"] = 0.0
    return values


def confirm_tissue(session: Session, assessment_id: int, shares: Mapping[str, float], *,
                   actor: Actor, reason: str | None = None) -> None:
    """Write confirmed tissue colours into an assessment (the caller's transaction)."""
    actor.require("record")
    values = tissue_values(shares)
    findings = validate_tissue(values)
    if findings:
        raise ValidationFailed(findings)
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.visit.deleted_at is not None:
        raise NotFound("the assessment no longer exists")
    visit = assessment.visit
    if visit.signed_at is not None and not (reason and reason.strip()):
        raise UserError("this visit is signed: give a reason for the change")
    for field, value in values.items():
        setattr(assessment, field, value)
    visit.updated_by = actor.username
    visit.updated_at = utc_now()


def attach_reviewed(session: Session, prepared: PreparedPhoto, *, assessment_id: int,
                    actor: Actor, tissue: Mapping[str, float] | None = None,
                    fill_assessment: bool = True, reason: str | None = None) -> PhotoRecord:
    """Attach a photo as the editor left it, and the confirmed tissue colours if any."""
    record = attach_photo(session, prepared, assessment_id=assessment_id, actor=actor,
                          fill_assessment=fill_assessment, reason=reason)
    if tissue is not None:
        confirm_tissue(session, assessment_id, tissue, actor=actor, reason=reason)
    return record


def save_outline(session: Session, photo_id: int, outline: Sequence[Sequence[float]], *,
                 actor: Actor, source: str = "hand", tissue: Mapping[str, float] | None = None,
                 reason: str | None = None) -> PhotoRecord:
    """An attached photo's corrected outline (re-measured), and confirmed tissue if any."""
    record = set_outline(session, photo_id, outline, actor=actor, source=source, reason=reason)
    if tissue is not None:
        row = session.get(Photo, photo_id)
        confirm_tissue(session, row.assessment_id, tissue, actor=actor, reason=reason)
    return record


def attach_to_visit(session: Session, prepared: PreparedPhoto, *, visit_id: int, site: str,
                    actor: Actor) -> PhotoRecord:
    """Attach a photo taken in the visit form, once the visit is saved: to the visit's
    assessment of `site`. The form already saved the sizes as the nurse left them (the photo's,
    or what she typed over them: the audit trail shows both), so they are not filled again."""
    from sqlalchemy import select

    from app.models import Ulcer

    assessment_id = session.scalar(
        select(Assessment.id).join(Ulcer, Assessment.ulcer_id == Ulcer.id)
        .where(Assessment.visit_id == visit_id, Ulcer.site == site.strip()))
    if assessment_id is None:
        raise NotFound(f"the saved visit has no assessment of {site}: attach the photo from "
                       "the chart's Photos tab")
    return attach_photo(session, prepared, assessment_id=assessment_id, actor=actor,
                        fill_assessment=False)
