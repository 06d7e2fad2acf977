"""`summary --json`: the docs/metrics.md schema, from a PatientHistory (history_summary) or
straight from the patient's rows (patient_summary: one statement; bench/README.md, "Summary
in one statement"). Both compute every number with the same app.domain functions, through
app.services.history's episode_courses and lab_summaries, so they give the same summary."""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from sqlalchemy.orm import Session

from app.domain.patient_measures import PainSummary, pain_summary
from app.domain.records import EpisodeView, PatientHistory
from app.domain.wound import AreaMethod
from app.services.history import EpisodeCourse, episode_courses, lab_summaries
from app.services.settings import clinic_settings
from app.services.summary_rows import load_summary_rows


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def episode_summary(view: EpisodeView | EpisodeCourse) -> dict[str, Any]:
    m = view.metrics
    base: dict[str, Any] = {"site": view.site, "episode": view.episode_no,
                            "recurrence_of_episode": view.recurrence_of_episode}
    if m is None:
        return base | {"status": view.clinician_status or "open", "problem": view.problem,
                       "recurred_on": _iso(view.recurred_on)}
    return base | {
        "status": m.status,
        "baseline_date": _iso(m.baseline_date),
        "baseline_area_cm2": m.baseline_area_cm2,
        "latest_date": _iso(m.latest_date),
        "latest_area_cm2": m.latest_area_cm2,
        "par_percent": m.par_percent,
        "par_week4_percent": m.par_week4_percent,
        "week4_on_track": m.week4_on_track,
        "par_week8_percent": m.par_week8_percent,
        "week8_on_track": m.week8_on_track,
        "area_slope_cm2_per_week": m.area_slope_cm2_per_week,
        "gilman_cm_per_week": m.gilman_cm_per_week,
        "projected_closure_date": _iso(m.projected_closure_date),
        "first_closure_date": _iso(m.first_closure_date),
        "days_to_closure": m.days_to_closure,
        "closure_confirmed": m.closure_confirmed,
        "recurred_on": _iso(view.recurred_on),
        "assessments": len(view.assessments),
    }


def history_summary(history: PatientHistory) -> dict[str, Any]:
    patient = history.patient
    return _summary(mrn=patient.mrn, name=patient.name, arm=patient.arm,
                    method=history.area_method, episodes=history.episodes, pain=history.pain,
                    labs=history.labs)


def patient_summary(session: Session, mrn: str) -> dict[str, Any]:
    """The summary of the live patient with this MRN (NotFound when there is none), equal to
    history_summary(load_history(...)) but read with one statement and no records."""
    rows = load_summary_rows(session, mrn)
    settings = clinic_settings(rows.settings, rows.reference_ranges)
    method = settings.area_method
    return _summary(mrn=rows.mrn, name=rows.name, arm=rows.arm, method=method,
                    episodes=episode_courses(rows.ulcers, rows.assessments_by_ulcer,
                                             method=method),
                    pain=pain_summary(rows.visits),
                    labs=lab_summaries(rows.labs, settings.reference_ranges))


def _summary(*, mrn: str, name: str, arm: str | None, method: AreaMethod,
             episodes: Sequence[EpisodeView | EpisodeCourse], pain: PainSummary,
             labs: dict) -> dict[str, Any]:
    return {
        "mrn": mrn,
        "name": name,
        "area_method": method.value,
        "arm": arm,
        "ulcers": [episode_summary(v) for v in episodes],
        "pain": {"baseline_vas": pain.baseline_vas, "latest_vas": pain.latest_vas,
                 "change": pain.change,
                 "clinically_important_reduction": pain.clinically_important_reduction},
        "labs": {column: {"baseline": s.baseline, "latest": s.latest, "change": s.change,
                          "latest_flag": s.latest_flag}
                 for column, s in labs.items()},
    }
