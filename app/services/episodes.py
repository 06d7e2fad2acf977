"""Keep a site's stored ulcer episodes in step with app.domain.episodes.split_episodes."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.episodes import AssessmentPoint, split_episodes
from app.domain.wound import area_cm2, is_closed
from app.models import Assessment, Treatment, Ulcer, Visit


def resync_site(session: Session, patient_id: int, site: str) -> list[Ulcer]:
    """Re-split one site's live assessments into episodes and relink them.

    Episode rows are reused in order (keeping their classification), created when the site
    reopened, and removed when an edit merged two episodes. Returns the site's episodes.
    """
    session.flush()
    rows = session.execute(
        select(Assessment, Visit.visit_date)
        .join(Visit, Assessment.visit_id == Visit.id)
        .join(Ulcer, Assessment.ulcer_id == Ulcer.id)
        .where(Ulcer.patient_id == patient_id, Ulcer.site == site, Visit.deleted_at.is_(None))
        .order_by(Visit.visit_date)).all()
    points = []
    for assessment, on in rows:
        closed = is_closed(closed_marked=assessment.closed, length_cm=assessment.length_cm,
                           width_cm=assessment.width_cm)
        # Only "area above zero" matters for the split, and it does not depend on the method.
        area = area_cm2(length_cm=assessment.length_cm, width_cm=assessment.width_cm,
                        traced_area_cm2=assessment.traced_area_cm2, closed=closed) or 0.0
        points.append(AssessmentPoint(on=on, area_cm2=area, perimeter_cm=0.0, closed=closed,
                                      key=assessment))
    episodes = split_episodes(points)
    ulcers = list(session.scalars(select(Ulcer).where(Ulcer.patient_id == patient_id,
                                                      Ulcer.site == site)
                                  .order_by(Ulcer.episode_no)))
    template = ulcers[0] if ulcers else None
    while len(ulcers) < len(episodes):
        ulcers.append(Ulcer(patient_id=patient_id, site=site, episode_no=len(ulcers) + 1,
                            etiology=template.etiology if template else None))
        session.add(ulcers[-1])
    session.flush()
    moved: dict[int, int] = {}
    for number, episode in enumerate(episodes):
        ulcer = ulcers[number]
        ulcer.episode_no = number + 1
        ulcer.recurrence_of_id = ulcers[number - 1].id if number else None
        for point in episode:
            assessment: Assessment = point.key
            if assessment.ulcer_id != ulcer.id:
                moved[assessment.visit_id] = ulcer.id
                assessment.ulcer_id = ulcer.id
            else:
                moved.setdefault(assessment.visit_id, ulcer.id)
    site_ulcer_ids = [u.id for u in ulcers]
    if moved:
        for treatment in session.scalars(select(Treatment).where(
                Treatment.visit_id.in_(list(moved)), Treatment.ulcer_id.in_(site_ulcer_ids))):
            treatment.ulcer_id = moved[treatment.visit_id]
    for surplus in ulcers[len(episodes):]:
        if not session.scalar(select(Assessment.id).where(Assessment.ulcer_id == surplus.id)
                              .limit(1)):
            session.delete(surplus)
    session.flush()
    return ulcers[:len(episodes)]
