"""`summary --json`: the docs/metrics.md schema, built from a PatientHistory."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from app.domain.records import EpisodeView, PatientHistory
from app.services.history import load_history, patient_id_by_mrn


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def episode_summary(view: EpisodeView) -> dict[str, Any]:
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
    pain = history.pain
    return {
        "mrn": history.patient.mrn,
        "name": history.patient.name,
        "area_method": history.area_method.value,
        "arm": history.patient.arm,
        "ulcers": [episode_summary(v) for v in history.episodes],
        "pain": {"baseline_vas": pain.baseline_vas, "latest_vas": pain.latest_vas,
                 "change": pain.change,
                 "clinically_important_reduction": pain.clinically_important_reduction},
        "labs": {column: {"baseline": s.baseline, "latest": s.latest, "change": s.change,
                          "latest_flag": s.latest_flag}
                 for column, s in history.labs.items()},
    }


def patient_summary(session: Session, mrn: str) -> dict[str, Any]:
    return history_summary(load_history(session, patient_id_by_mrn(session, mrn)))
