"""What the visit form needs to know before the nurse types: read once through the services.

Plain Python (no Qt): the open ulcers to assess, the last values to pre-fill or show, the last
exosome dose, and, when editing, the visit as it was saved. Read on the window's database
runner (`runner.read`), never on the GUI thread.

A new visit for a day that already has one opens that visit for editing (`reopened`): the
nurse returning to the patient later the same day adds to the visit instead of being refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.records import (
    AdverseEventRecord,
    AssessmentRecord,
    EpisodeView,
    LabRecord,
    PatientHistory,
    TreatmentRecord,
    VisitRecord,
)
from app.services.history import load_history
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
    areas_before: dict[str, float | None]  # each site's area before the visit's date
    reopened: bool = False  # a new visit asked for a day that has one: that one is edited

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


def read_visit_form_context(session: Session, patient_id: int, visit_id: int | None = None,
                            *, today: dt.date | None = None) -> VisitFormContext:
    """Everything the form shows, from one read session; raises NotFound for a deleted patient
    or visit. With `visit_id=None`, a visit already recorded on `today` is opened instead."""
    from app.services.errors import NotFound
    from app.services.visits import previous_areas

    history = load_history(session, patient_id)
    settings = load_settings(session)
    visit, reopened = None, False
    if visit_id is not None:
        visit = next((v for v in history.visits if v.id == visit_id), None)
        if visit is None:
            raise NotFound("the visit no longer exists")
    elif today is not None:
        visit = next((v for v in history.visits if v.visit_date == today), None)
        reopened = visit is not None
    before = visit.visit_date if visit is not None else dt.date.max
    areas_before = previous_areas(session, patient_id, visit.visit_date if visit else today
                                  or dt.date.today(), method=history.area_method,
                                  exclude_visit_id=visit.id if visit else None)

    latest_episode = _latest_episodes(history)
    ulcers = _ulcers_to_assess(history, visit, before, latest_episode)

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
        areas_before=areas_before, reopened=reopened,
    )


def _latest_episodes(history: PatientHistory) -> dict[str, EpisodeView]:
    """Each site's latest episode."""
    latest: dict[str, EpisodeView] = {}
    for episode in history.episodes:
        known = latest.get(episode.site)
        if known is None or episode.episode_no > known.episode_no:
            latest[episode.site] = episode
    return latest


def _ulcers_to_assess(history: PatientHistory, visit: VisitRecord | None, before: dt.date,
                      latest_episode: dict[str, EpisodeView]) -> list[UlcerChoice]:
    """Every open ulcer (the site's latest episode), and every ulcer the edited visit assessed;
    one section per site: the episode this visit assessed wins over a later open one."""
    ulcers: list[UlcerChoice] = []
    for episode in history.episodes:
        current = next((a for a in episode.assessments if visit and a.visit_id == visit.id), None)
        earlier = [a for a in episode.assessments
                   if a.on < before and (visit is None or a.visit_id != visit.id)]
        choice = UlcerChoice(site=episode.site, episode=episode,
                             last=earlier[-1] if earlier else None, current=current)
        if current is not None or (latest_episode[episode.site] is episode and choice.is_open):
            ulcers.append(choice)
    assessed = {u.site for u in ulcers if u.current is not None}
    return [u for u in ulcers if u.current is not None or u.site not in assessed]
