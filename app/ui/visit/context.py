"""What the visit form needs to know before the nurse types: read once through the services.

Plain Python (no Qt): the open ulcers to assess, the last values to pre-fill or show, the last
exosome dose, and, when editing, the visit as it was saved.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.db import Database
from app.services.history import load_history
from app.services.records import (AdverseEventRecord, AssessmentRecord, EpisodeView, LabRecord,
                                  PatientHistory, TreatmentRecord, VisitRecord)
from app.services.settings import ClinicSettings, load_settings


@dataclass(frozen=True)
class UlcerChoice:
    """One ulcer the form offers a section for."""

    site: str
    episode: EpisodeView
    last: AssessmentRecord | None  # the latest assessment before the visit being recorded
    current: AssessmentRecord | None  # the edited visit's own assessment of this ulcer

    @property
    def is_open(self) -> bool:
        metrics = self.episode.metrics
        if metrics is not None:
            return metrics.status == "open"
        return self.episode.clinician_status is None and not (
            self.episode.assessments and self.episode.assessments[-1].closed)


@dataclass(frozen=True)
class VisitFormContext:
    history: PatientHistory
    settings: ClinicSettings
    visit: VisitRecord | None  # the visit being edited; None for a new one
    ulcers: tuple[UlcerChoice, ...]
    known_sites: tuple[str, ...]
    last_labs: dict[str, LabRecord]
    last_exosome: TreatmentRecord | None
    last_treatment: TreatmentRecord | None
    visit_treatments: tuple[TreatmentRecord, ...]
    visit_adverse_events: tuple[AdverseEventRecord, ...]

    @property
    def last_vas(self) -> float | None:
        """VAS at the latest earlier visit that recorded it."""
        before = self.visit.visit_date if self.visit is not None else dt.date.max
        earlier = [v.vas for v in self.history.visits if v.vas is not None
                   and v.visit_date < before]
        return earlier[-1] if earlier else None

    @property
    def last_method(self) -> str | None:
        """The measuring method used most recently, the clinic's habit."""
        latest = [u.last for u in self.ulcers if u.last is not None and u.last.method]
        return max(latest, key=lambda a: a.on).method if latest else None


def load_visit_form_context(db: Database, patient_id: int,
                            visit_id: int | None = None) -> VisitFormContext:
    """One read transaction; raises NotFound for a deleted patient or visit."""
    from app.services.errors import NotFound

    with db.read() as session:
        history = load_history(session, patient_id)
        settings = load_settings(session)
    visit = None
    if visit_id is not None:
        visit = next((v for v in history.visits if v.id == visit_id), None)
        if visit is None:
            raise NotFound("the visit no longer exists")
    before = visit.visit_date if visit is not None else dt.date.max

    latest_episode: dict[str, EpisodeView] = {}
    for episode in history.episodes:
        known = latest_episode.get(episode.site)
        if known is None or episode.episode_no > known.episode_no:
            latest_episode[episode.site] = episode

    ulcers: list[UlcerChoice] = []
    for episode in history.episodes:
        current = next((a for a in episode.assessments if visit and a.visit_id == visit.id), None)
        earlier = [a for a in episode.assessments
                   if a.on < before and (visit is None or a.visit_id != visit.id)]
        choice = UlcerChoice(site=episode.site, episode=episode,
                             last=earlier[-1] if earlier else None, current=current)
        if current is not None or (latest_episode[episode.site] is episode and choice.is_open):
            ulcers.append(choice)
    # One section per site: the episode this visit assessed wins over a later open one.
    assessed = {u.site for u in ulcers if u.current is not None}
    ulcers = [u for u in ulcers if u.current is not None or u.site not in assessed]

    last_labs: dict[str, LabRecord] = {}
    for record in history.visits:
        if record.visit_date < before and (visit is None or record.id != visit.id):
            last_labs.update(record.labs)

    earlier_treatments = [t for t in history.treatments
                          if t.on < before and (visit is None or t.visit_id != visit.id)]
    doses = [t for t in earlier_treatments if t.has_exosome]
    return VisitFormContext(
        history=history, settings=settings, visit=visit, ulcers=tuple(ulcers),
        known_sites=tuple(latest_episode),
        last_labs=last_labs,
        last_exosome=doses[-1] if doses else None,
        last_treatment=earlier_treatments[-1] if earlier_treatments else None,
        visit_treatments=tuple(t for t in history.treatments
                               if visit is not None and t.visit_id == visit.id),
        visit_adverse_events=tuple(a for a in history.adverse_events
                                   if visit is not None and a.visit_id == visit.id),
    )
