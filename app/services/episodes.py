"""Keep a site's stored ulcer episodes in step with app.domain.episodes.split_episodes."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.domain.episodes import AssessmentPoint, split_episodes
from app.domain.wound import area_cm2, is_closed
from app.models import Assessment, Treatment, Ulcer, Visit


def resync_site(session: Session, patient_id: int, site: str) -> list[Ulcer]:
    """Re-split one site's live assessments into episodes and relink them.

    Episode rows are reused in order (keeping their classification), created when the site
    reopened, and removed when an edit merged two episodes. Returns the site's episodes.
    """
    return resync_sites(session, patient_id, [site])[site]


def resync_sites(session: Session, patient_id: int,
                 sites: Iterable[str]) -> dict[str, list[Ulcer]]:
    """`resync_site` for several sites of one patient, with one query for their episodes and
    live assessments together (not two a site, nor two: bench/README.md, "Saving a visit",
    "Server mode": on a server every query is a round trip)."""
    wanted = sorted(set(sites))
    if not wanted:
        return {}
    session.flush()
    live = and_(Assessment.visit_id == Visit.id, Visit.deleted_at.is_(None))
    # The episodes as objects (few, changed here); the assessments as plain rows (a long
    # history is hundreds of them, and an assessment rarely moves: _relink loads those).
    rows = session.execute(
        select(Ulcer, Assessment.id, Assessment.visit_id, Assessment.ulcer_id,
               Assessment.length_cm, Assessment.width_cm, Assessment.traced_area_cm2,
               Assessment.closed, Visit.visit_date)
        .outerjoin(Assessment, Assessment.ulcer_id == Ulcer.id).outerjoin(Visit, live)
        .where(Ulcer.patient_id == patient_id, Ulcer.site.in_(wanted))
        .order_by(Ulcer.episode_no, Visit.visit_date)).all()
    points: dict[str, list[AssessmentPoint]] = {site: [] for site in wanted}
    ulcers: dict[str, list[Ulcer]] = {site: [] for site in wanted}
    for ulcer, *assessment, on in rows:
        if not ulcers[ulcer.site] or ulcers[ulcer.site][-1] is not ulcer:
            ulcers[ulcer.site].append(ulcer)  # in episode order
        if assessment[0] is None or on is None:  # no assessment, or one of a deleted visit
            continue
        length, width, traced, marked = assessment[3:]
        closed = is_closed(closed_marked=marked, length_cm=length, width_cm=width)
        # Only "area above zero" matters for the split, and it does not depend on the method.
        area = area_cm2(length_cm=length, width_cm=width, traced_area_cm2=traced,
                        closed=closed) or 0.0
        points[ulcer.site].append(AssessmentPoint(on=on, area_cm2=area, perimeter_cm=0.0,
                                                  closed=closed, key=tuple(assessment[:3])))
    for site_points in points.values():
        site_points.sort(key=lambda point: point.on)  # one assessment a site a day
    return {site: _relink(session, patient_id, site, points[site], ulcers[site])
            for site in wanted}


def _relink(session: Session, patient_id: int, site: str, points: list[AssessmentPoint],
            ulcers: list[Ulcer]) -> list[Ulcer]:
    """Split one site's points into episodes and move assessments (and their visit's
    treatments) to the episode rows, creating or removing rows as needed."""
    episodes = split_episodes(points)
    template = ulcers[0] if ulcers else None
    while len(ulcers) < len(episodes):
        ulcers.append(Ulcer(patient_id=patient_id, site=site, episode_no=len(ulcers) + 1,
                            etiology=template.etiology if template else None))
        session.add(ulcers[-1])
    if any(u.id is None for u in ulcers):
        session.flush()
    moved: dict[int, int] = {}  # visit id -> its episode
    relinked: dict[int, int] = {}  # assessment id -> its new episode
    for number, episode in enumerate(episodes):
        ulcer = ulcers[number]
        ulcer.episode_no = number + 1
        ulcer.recurrence_of_id = ulcers[number - 1].id if number else None
        for point in episode:
            assessment_id, visit_id, ulcer_id = point.key
            if ulcer_id != ulcer.id:
                moved[visit_id] = relinked[assessment_id] = ulcer.id
            else:
                moved.setdefault(visit_id, ulcer.id)
    site_ulcer_ids = [u.id for u in ulcers]
    if relinked:  # a save that moved no assessment leaves them and the treatments alone
        for assessment in session.scalars(select(Assessment).where(
                Assessment.id.in_(list(relinked)))):
            assessment.ulcer_id = relinked[assessment.id]  # audited as an update
        for treatment in session.scalars(select(Treatment).where(
                Treatment.visit_id.in_(list(moved)), Treatment.ulcer_id.in_(site_ulcer_ids))):
            treatment.ulcer_id = moved[treatment.visit_id]
    for surplus in ulcers[len(episodes):]:
        if not session.scalar(select(Assessment.id).where(Assessment.ulcer_id == surplus.id)
                              .limit(1)):
            session.delete(surplus)
    session.flush()
    return ulcers[:len(episodes)]
