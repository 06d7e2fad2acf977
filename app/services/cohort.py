"""Cohort statistics for the clinic: time to closure and to recurrence by treatment arm.

Subjects are the ulcer episodes that are not recurrences (issue 6). Time to closure is
`days_to_closure`, or, while the episode is open, the days from baseline to its latest
assessment (censored). Recurrence-free time runs from the first closure date to the baseline
of the next episode of the same site (event), or to the episode's latest assessment (censored).
Every episode metric comes from app.domain, computed as app.services.history computes it for one
patient; the whole clinic is read with three set-based queries.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.episodes import (
    AssessmentPoint,
    EpisodeMetrics,
    InvalidEpisode,
    assessment_point,
    episode_metrics,
)
from app.domain.survival import KaplanMeier, LogRank, Subject, kaplan_meier, logrank_test
from app.domain.wound import AreaMethod
from app.models import Assessment, Patient, Ulcer, Visit
from app.models.vocab import ARMS, ETIOLOGIES
from app.services.errors import UserError
from app.services.settings import load_settings

# Baseline area bands in cm², the PEDIS "extent" banding of Schaper 2004 as tabulated in
# BMC Med Inform Decis Mak 2020 (docs/clinical_reference.md §2.6): < 1, 1–5, > 5.
AREA_BANDS: dict[str, tuple[float, float]] = {
    "<1": (0.0, 1.0),
    "1-5": (1.0, 5.0),
    ">5": (5.0, math.inf),
}
# Days at which the number at risk is tabulated under the curves (every 4 weeks to week 24).
AT_RISK_DAYS: tuple[int, ...] = (0, 28, 56, 84, 112, 140, 168)


def in_area_band(band: str, area_cm2: float) -> bool:
    """`<1`: A < 1; `1-5`: 1 ≤ A ≤ 5; `>5`: A > 5 (cm²)."""
    low, high = AREA_BANDS[band]
    if band == "<1":
        return area_cm2 < high
    if band == ">5":
        return area_cm2 > low
    return low <= area_cm2 <= high


@dataclass(frozen=True)
class CohortFilter:
    """Which index episodes to include; None means any."""

    baseline_from: dt.date | None = None
    baseline_to: dt.date | None = None
    etiology: str | None = None
    wagner_grade: int | None = None
    area_band: str | None = None

    def check(self) -> None:
        """Raise UserError for a filter no episode could ever match by mistake."""
        if self.etiology is not None and self.etiology not in ETIOLOGIES:
            raise UserError(f"etiology must be one of {', '.join(ETIOLOGIES)}")
        if self.wagner_grade is not None and not 0 <= self.wagner_grade <= 5:
            raise UserError("Wagner grade must be between 0 and 5")
        if self.area_band is not None and self.area_band not in AREA_BANDS:
            raise UserError(f"area band must be one of {', '.join(AREA_BANDS)}")
        if self.baseline_from and self.baseline_to and self.baseline_from > self.baseline_to:
            raise UserError("the start of the date range is after its end")

    def accepts(self, episode: ClinicEpisode) -> bool:
        m = episode.metrics
        if m is None:
            return False
        if self.baseline_from is not None and m.baseline_date < self.baseline_from:
            return False
        if self.baseline_to is not None and m.baseline_date > self.baseline_to:
            return False
        if self.etiology is not None and episode.etiology != self.etiology:
            return False
        if self.wagner_grade is not None and episode.wagner_grade != self.wagner_grade:
            return False
        return self.area_band is None or in_area_band(self.area_band, m.baseline_area_cm2)

    def as_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class CohortEpisode:
    """One index episode reduced to what the cohort statistics need."""

    patient_id: int
    ulcer_id: int
    arm: str
    site: str
    baseline_date: dt.date
    baseline_area_cm2: float
    closure: Subject  # days to closure (event) or to the latest assessment (censored)
    recurrence: Subject | None  # from first closure; None while never closed
    par_week4_percent: float | None
    week4_on_track: bool | None
    par_week8_percent: float | None
    week8_on_track: bool | None


@dataclass(frozen=True)
class ArmStatistics:
    arm: str
    episodes: tuple[CohortEpisode, ...]
    closure: KaplanMeier
    recurrence: KaplanMeier

    @property
    def closed(self) -> int:
        return self.closure.events

    @property
    def healed_followed(self) -> int:
        return self.recurrence.subjects

    @property
    def recurred(self) -> int:
        return self.recurrence.events

    @property
    def par_week4_values(self) -> list[float]:
        return [e.par_week4_percent for e in self.episodes if e.par_week4_percent is not None]

    def on_track_percent(self, week: int) -> float | None:
        """Percent on track over the episodes whose PAR at that week is known."""
        flags = [e.week4_on_track if week == 4 else e.week8_on_track for e in self.episodes]
        known = [f for f in flags if f is not None]
        return 100.0 * sum(known) / len(known) if known else None

    def known_count(self, week: int) -> int:
        values = [e.par_week4_percent if week == 4 else e.par_week8_percent
                  for e in self.episodes]
        return sum(v is not None for v in values)


@dataclass(frozen=True)
class CohortStatistics:
    filters: CohortFilter
    area_method: AreaMethod
    arms: dict[str, ArmStatistics]
    logrank_closure: LogRank | None
    logrank_recurrence: LogRank | None
    excluded: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ClinicEpisode:
    """One episode of one live patient, with its metrics as `load_history` computes them."""

    patient_id: int
    arm: str | None
    ulcer_id: int
    site: str
    episode_no: int
    recurrence_of_id: int | None
    etiology: str | None
    wagner_grade: int | None
    metrics: EpisodeMetrics | None  # None when the episode is invalid input
    recurred_on: dt.date | None


def load_clinic_episodes(session: Session) -> list[ClinicEpisode]:
    """Every episode of every live patient, from three set-based queries.

    The points and metrics are built by app.domain exactly as `build_episode_views` builds
    them for one patient (tests hold the two to equality); the rows are read as plain tuples
    because 10,000 patients carry a quarter of a million assessments.
    """
    method = load_settings(session).area_method
    connection = session.connection()
    arms = dict(connection.execute(select(Patient.id, Patient.arm)
                                   .where(Patient.deleted_at.is_(None))).all())
    ulcers = [u for u in connection.execute(
        select(Ulcer.id, Ulcer.patient_id, Ulcer.site, Ulcer.episode_no, Ulcer.recurrence_of_id,
               Ulcer.etiology, Ulcer.wagner_grade, Ulcer.clinician_status).order_by(Ulcer.id))
        if u.patient_id in arms]
    points_by_ulcer: dict[int, list[AssessmentPoint]] = defaultdict(list)
    problems: dict[int, str] = {}
    first_date: dict[int, dt.date] = {}
    rows = connection.execute(
        select(Assessment.ulcer_id, Visit.visit_date, Assessment.length_cm, Assessment.width_cm,
               Assessment.traced_area_cm2, Assessment.closed, Assessment.id)
        .join(Visit, Assessment.visit_id == Visit.id).where(Visit.deleted_at.is_(None)))
    for ulcer_id, on, length, width, traced, closed, assessment_id in rows:
        if ulcer_id not in first_date or on < first_date[ulcer_id]:
            first_date[ulcer_id] = on
        try:
            points_by_ulcer[ulcer_id].append(assessment_point(
                on=on, length_cm=length, width_cm=width, traced_area_cm2=traced,
                closed_marked=closed, method=method, key=assessment_id))
        except InvalidEpisode as exc:
            problems[ulcer_id] = str(exc)
    baseline_by_episode = {(u.patient_id, u.site, u.episode_no): first_date[u.id]
                           for u in ulcers if u.id in first_date}
    episodes = []
    for u in ulcers:
        if u.id not in first_date:
            continue  # an episode without live assessments is not shown anywhere
        metrics = None
        if u.id not in problems:
            try:
                metrics = episode_metrics(points_by_ulcer[u.id],
                                          clinician_status=u.clinician_status)
            except InvalidEpisode:
                pass
        episodes.append(ClinicEpisode(
            patient_id=u.patient_id, arm=arms[u.patient_id], ulcer_id=u.id, site=u.site,
            episode_no=u.episode_no, recurrence_of_id=u.recurrence_of_id, etiology=u.etiology,
            wagner_grade=u.wagner_grade, metrics=metrics,
            recurred_on=baseline_by_episode.get((u.patient_id, u.site, u.episode_no + 1))))
    return episodes


def index_episode(episode: ClinicEpisode) -> CohortEpisode:
    """The closure and recurrence follow-up of one episode with computed metrics."""
    m = episode.metrics
    assert m is not None and episode.arm is not None
    if m.days_to_closure is not None:
        closure = Subject(float(m.days_to_closure), True)
    else:
        closure = Subject(float((m.latest_date - m.baseline_date).days), False)
    recurrence = None
    if m.first_closure_date is not None:
        if episode.recurred_on is not None:
            recurrence = Subject(float((episode.recurred_on - m.first_closure_date).days), True)
        else:
            recurrence = Subject(float((m.latest_date - m.first_closure_date).days), False)
    return CohortEpisode(
        patient_id=episode.patient_id, ulcer_id=episode.ulcer_id, arm=episode.arm,
        site=episode.site, baseline_date=m.baseline_date,
        baseline_area_cm2=m.baseline_area_cm2, closure=closure, recurrence=recurrence,
        par_week4_percent=m.par_week4_percent, week4_on_track=m.week4_on_track,
        par_week8_percent=m.par_week8_percent, week8_on_track=m.week8_on_track)


def cohort_statistics(session: Session, filters: CohortFilter | None = None) -> CohortStatistics:
    """Kaplan–Meier by arm, log-rank between arms, on-track proportions, for one filter."""
    filters = filters or CohortFilter()
    filters.check()
    method = load_settings(session).area_method
    by_arm: dict[str, list[CohortEpisode]] = {arm: [] for arm in ARMS}
    excluded = {"no_arm": 0, "no_metrics": 0}
    for episode in load_clinic_episodes(session):
        if episode.recurrence_of_id is not None:
            continue
        if episode.metrics is None:
            excluded["no_metrics"] += 1
            continue
        if not filters.accepts(episode):
            continue
        if episode.arm not in by_arm:
            excluded["no_arm"] += 1
            continue
        by_arm[episode.arm].append(index_episode(episode))
    arms = {}
    for arm, episodes in by_arm.items():
        arms[arm] = ArmStatistics(
            arm=arm, episodes=tuple(episodes),
            closure=kaplan_meier(e.closure for e in episodes),
            recurrence=kaplan_meier(e.recurrence for e in episodes if e.recurrence))
    logrank_closure = logrank_test({arm: [e.closure for e in s.episodes]
                                    for arm, s in arms.items()})
    logrank_recurrence = logrank_test({arm: [e.recurrence for e in s.episodes if e.recurrence]
                                       for arm, s in arms.items()})
    return CohortStatistics(filters=filters, area_method=method, arms=arms,
                            logrank_closure=logrank_closure,
                            logrank_recurrence=logrank_recurrence, excluded=excluded)


# -- the `cohort --json` schema -----------------------------------------------------------------
def _day(value: float | None) -> int | None:
    return None if value is None else int(value)


def _curve(km: KaplanMeier, value_key: str, event_key: str) -> list[dict[str, Any]]:
    return [{"day": _day(p.time), value_key: p.survival, "ci_low": p.ci_low, "ci_high": p.ci_high,
             "at_risk": p.at_risk, event_key: p.events} for p in km.points]


def _logrank_json(result: LogRank | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"chi2": result.chi2, "df": result.df, "p": result.p,
            "observed": result.observed, "expected": result.expected}


def arm_json(stats: ArmStatistics) -> dict[str, Any]:
    closure, recurrence = stats.closure, stats.recurrence
    return {
        "episodes": closure.subjects,
        "closed": closure.events,
        "censored": closure.subjects - closure.events,
        "median_days_to_closure": _day(closure.median),
        "median_days_to_closure_ci": [_day(closure.median_ci[0]), _day(closure.median_ci[1])],
        "week4_on_track_percent": stats.on_track_percent(4),
        "week4_par_known": stats.known_count(4),
        "week8_on_track_percent": stats.on_track_percent(8),
        "week8_par_known": stats.known_count(8),
        "follow_up_days_max": _day(closure.last_time),
        "at_risk": {str(day): closure.at_risk(day) for day in AT_RISK_DAYS},
        "km_closure": _curve(closure, "still_open", "closed"),
        "recurrence": {
            "healed": recurrence.subjects,
            "recurred": recurrence.events,
            "median_days_recurrence_free": _day(recurrence.median),
            "follow_up_days_max": _day(recurrence.last_time),
            "km_recurrence_free": _curve(recurrence, "recurrence_free", "recurred"),
        },
    }


def cohort_json(stats: CohortStatistics) -> dict[str, Any]:
    """The issue-6 schema: keys may be added, none of these renamed."""
    return {
        "area_method": stats.area_method.value,
        "filters": stats.filters.as_json(),
        "subjects": "ulcer episodes that are not recurrences",
        "groups": {arm: arm_json(s) for arm, s in stats.arms.items()},
        "logrank_closure": _logrank_json(stats.logrank_closure),
        "logrank_recurrence": _logrank_json(stats.logrank_recurrence),
        "excluded_episodes": dict(stats.excluded),
    }
