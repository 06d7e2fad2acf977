"""Synthetic wound photos for the demo clinic, so a newcomer sees the Photos tab filled.

Each live, open assessment of the chosen patients gets one photo rendered by
app.imaging.synthetic with the assessment's own area (traced, or the ellipse from L x W),
seeded by the assessment id (the same demo gives the same photos). The true outline is
attached as a hand-traced outline and measured through the card found in the photo.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.imaging.synthetic import AREA_RANGE_CM2, synthetic_photo
from app.models import Assessment, Photo, Visit
from app.services.actor import Actor
from app.services.photos import attach_photo, prepare_photo

DEMO_PHOTO_SIZE = (1024, 768)


def _demo_area(assessment: Assessment) -> float | None:
    if assessment.closed:
        return None
    if assessment.traced_area_cm2:
        area = assessment.traced_area_cm2
    elif assessment.length_cm and assessment.width_cm:
        area = math.pi / 4 * assessment.length_cm * assessment.width_cm
    else:
        return None
    return min(max(area, AREA_RANGE_CM2[0]), AREA_RANGE_CM2[1])


def add_demo_photos(session: Session, *, patient_ids: Sequence[int], actor: Actor,
                    fill_assessment: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> int:
    """Attach one synthetic photo to every open assessment of `patient_ids` that has none.
    Returns how many were attached. `fill_assessment` also writes the photo's sizes into the
    assessment (method "photo"), as a real attach does."""
    rows = session.execute(
        select(Assessment).join(Visit, Assessment.visit_id == Visit.id)
        .where(Visit.patient_id.in_(list(patient_ids)), Visit.deleted_at.is_(None))
        .order_by(Visit.patient_id, Visit.visit_date, Assessment.id)).scalars().all()
    with_photos = set(session.scalars(select(Photo.assessment_id).where(
        Photo.assessment_id.in_([a.id for a in rows]), Photo.deleted_at.is_(None))))
    todo = [(a, _demo_area(a)) for a in rows if a.id not in with_photos]
    todo = [(a, area) for a, area in todo if area is not None]
    for done, (assessment, area) in enumerate(todo, start=1):
        scene = synthetic_photo(assessment.id, size=DEMO_PHOTO_SIZE, area_cm2=area)
        prepared = prepare_photo(scene.jpeg, file_name=f"demo-{assessment.id}.jpg",
                                 outline=scene.outline_px)
        attach_photo(session, prepared, assessment_id=assessment.id, actor=actor,
                     fill_assessment=fill_assessment)
        if progress is not None:
            progress(done, len(todo))
    return len(todo)
