"""Everything the patient chart shows: the history, the follow-up plan and the alerts.

`PatientChart` itself needs no ORM: the window's chart tabs import it before their first paint,
and the query (app.services.chart_rows: one statement, hence the models) is imported by
`load_patient_chart`, on the database worker.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

# The records and the alert rules are imported with the chart's data: the window imports
# PatientChart before its first paint, and defining their dataclasses takes ~40 ms; the ORM
# (the session's type) loads with the first session, after the paint too.
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.domain.alerts import Alert
    from app.domain.records import EpisodeView, PatientHistory


@dataclass(frozen=True)
class PatientChart:
    """One patient's chart, computed once, for the screen (frozen; no live ORM objects)."""

    history: PatientHistory
    alerts: tuple[Alert, ...]
    next_visit_due: dt.date | None
    overdue: bool
    today: dt.date


def episode_is_open(episode: EpisodeView) -> bool:
    """docs/metrics.md `status` open: no closed assessment and no clinician status."""
    return episode.clinician_status is None and not any(a.closed for a in episode.assessments)


def history_next_due(history: PatientHistory, *, interval_days: int) -> dt.date | None:
    """The next visit date planned at the last visit, else last visit + interval (open ulcer)."""
    from app.domain.alerts import next_visit_due

    last = history.last_visit
    has_open = any(episode_is_open(e) for e in history.episodes)
    return next_visit_due(last_visit=last.visit_date if last else None,
                          planned_next=last.next_visit_date if last else None,
                          has_open_ulcer=has_open, interval_days=interval_days)


def history_alerts(history: PatientHistory, *, today: dt.date,
                   interval_days: int) -> tuple[Alert, ...]:
    """The alerts of app.domain.alerts, fed from a PatientHistory."""
    from app.domain.alerts import EpisodeCourse, patient_alerts

    courses = [EpisodeCourse(label=e.label, metrics=e.metrics,
                             areas=tuple((a.on, a.area_cm2) for a in e.assessments
                                         if a.area_cm2 is not None))
               for e in history.episodes]
    labs: dict[str, list[tuple[dt.date, float]]] = {}
    for visit in history.visits:
        for column, lab in visit.labs.items():
            labs.setdefault(column, []).append((visit.visit_date, lab.value))
    return patient_alerts(episodes=courses, vas=[(v.visit_date, v.vas) for v in history.visits],
                          labs=labs, ranges=history.reference_ranges,
                          next_due=history_next_due(history, interval_days=interval_days),
                          today=today)


def load_patient_chart(session: Session, patient_id: int, *, today: dt.date) -> PatientChart:
    """Load one patient's history and the clinic's settings with one statement
    (app.services.chart_rows) and compute its follow-up plan and alerts (read only)."""
    from app.domain.alerts import is_overdue
    from app.services.chart_rows import load_chart_history

    history, settings = load_chart_history(session, patient_id)
    interval = settings.follow_up_interval_days
    due = history_next_due(history, interval_days=interval)
    return PatientChart(history=history,
                        alerts=history_alerts(history, today=today, interval_days=interval),
                        next_visit_due=due, overdue=is_overdue(due, today=today), today=today)
