"""The clinic's patient list: one frozen row per patient, from a few set-based queries.

Built for 10,000 patients: no history is loaded. Open ulcers, the week-4 flag and the
follow-up plan follow the same rules as the chart (app.domain.alerts, app.domain.episodes),
and tests/services/test_patient_list.py checks the two agree on a whole demo clinic.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.orm import Session

from app.domain.alerts import is_overdue, next_visit_due, off_track_at_week4
from app.domain.episodes import WEEK4_WINDOW, InvalidEpisode, assessment_point
from app.domain.limits import fold_for_search
from app.domain.patient_measures import age_in_years
from app.models import AdverseEvent, Assessment, Patient, Ulcer, Visit
from app.services.settings import load_settings

# The outcomes that end an adverse event: the same rule as AdverseEventRecord.is_open.
AE_ENDING_OUTCOMES = ("recovered", "recovered_with_sequelae", "fatal")


@dataclass(frozen=True)
class PatientListRow:
    """One line of the patient list, with what the search and the flags need."""

    id: int
    mrn: str
    name: str
    search_text: str  # MRN and name, accent- and case-folded (fold_for_search)
    age: int | None
    arm: str | None
    open_ulcers: int
    last_visit: dt.date | None
    next_visit_due: dt.date | None
    off_track_week4: bool  # an open episode with PAR at week 4 below 50% (Sheehan 2003)
    overdue: bool
    adverse_event_open: bool

    @property
    def flags(self) -> tuple[str, ...]:
        names = (("off_track_week4", self.off_track_week4), ("overdue", self.overdue),
                 ("adverse_event_open", self.adverse_event_open))
        return tuple(name for name, on in names if on)


def _closed_sql():
    """SQL twin of app.domain.wound.is_closed: marked closed, or L = W = 0."""
    return or_(Assessment.closed.is_(True),
               and_(Assessment.length_cm == 0, Assessment.width_cm == 0))


def _restrict(query, column, patient_ids: list[int] | None):
    return query if patient_ids is None else query.where(column.in_(patient_ids))


def _last_visits(connection: Connection, ids: list[int] | None
                 ) -> dict[int, tuple[dt.date, dt.date | None]]:
    """patient id → (date of the latest live visit, the next visit date planned at it)."""
    latest = _restrict(select(Visit.patient_id, func.max(Visit.visit_date).label("last"))
                       .where(Visit.deleted_at.is_(None)), Visit.patient_id, ids
                       ).group_by(Visit.patient_id).subquery()
    rows = connection.execute(
        select(Visit.patient_id, Visit.visit_date, Visit.next_visit_date)
        .join(latest, and_(Visit.patient_id == latest.c.patient_id,
                           Visit.visit_date == latest.c.last))
        .where(Visit.deleted_at.is_(None)))
    return {pid: (on, planned) for pid, on, planned in rows}


def _open_ulcer_flags(connection: Connection, ids: list[int] | None, method
                      ) -> tuple[dict[int, int], set[int]]:
    """patient id → number of open episodes, and the patients with one off track at week 4.

    An episode is open when it has no closed live assessment and no clinician status
    (docs/metrics.md `status`). One query of the open episodes' assessments; PAR at week 4 from
    app.domain, over the assessments up to day 35 only.
    """
    closed_ulcers = (select(Assessment.ulcer_id).join(Visit, Assessment.visit_id == Visit.id)
                     .where(Visit.deleted_at.is_(None), _closed_sql()))
    query = (select(Ulcer.id, Ulcer.patient_id, Visit.visit_date, Assessment.length_cm,
                    Assessment.width_cm, Assessment.traced_area_cm2, Assessment.closed)
             .join(Assessment, Assessment.ulcer_id == Ulcer.id)
             .join(Visit, Assessment.visit_id == Visit.id)
             .where(Visit.deleted_at.is_(None), Ulcer.clinician_status.is_(None),
                    Ulcer.id.not_in(closed_ulcers)))
    by_ulcer: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    rows = connection.execute(_restrict(query, Ulcer.patient_id, ids)).all()
    for ulcer_id, patient_id, *values in rows:
        by_ulcer[(patient_id, ulcer_id)].append(values)
    open_count: dict[int, int] = defaultdict(int)
    off_track: set[int] = set()
    last_day = WEEK4_WINDOW[1]
    for (patient_id, _), rows in by_ulcer.items():
        open_count[patient_id] += 1
        if patient_id in off_track:
            continue
        rows.sort(key=lambda r: r[0])
        baseline = rows[0][0]
        try:
            points = [assessment_point(on=on, length_cm=length, width_cm=width,
                                       traced_area_cm2=traced, closed_marked=closed,
                                       method=method)
                      for on, length, width, traced, closed in rows
                      if (on - baseline).days <= last_day]
        except InvalidEpisode:
            continue
        if off_track_at_week4(points):
            off_track.add(patient_id)
    return open_count, off_track


def _open_adverse_events(connection: Connection, ids: list[int] | None) -> set[int]:
    query = (select(AdverseEvent.patient_id).distinct()
             .where(AdverseEvent.deleted_at.is_(None), AdverseEvent.resolved_on.is_(None),
                    or_(AdverseEvent.outcome.is_(None),
                        AdverseEvent.outcome.not_in(AE_ENDING_OUTCOMES))))
    return set(connection.scalars(_restrict(query, AdverseEvent.patient_id, ids)))


def load_patient_list(session: Session, *, today: dt.date,
                      patient_ids: Iterable[int] | None = None) -> tuple[PatientListRow, ...]:
    """Every live patient (or only `patient_ids`) as list rows, in MRN order. Read only."""
    ids = None if patient_ids is None else list(patient_ids)
    settings = load_settings(session)
    connection = session.connection()  # Core rows, without the ORM's result processing
    patients = connection.execute(_restrict(
        select(Patient.id, Patient.mrn, Patient.name, Patient.name_search, Patient.birth_date,
               Patient.arm).where(Patient.deleted_at.is_(None)), Patient.id, ids)
        .order_by(Patient.mrn_key)).all()
    last_visits = _last_visits(connection, ids)
    open_count, off_track = _open_ulcer_flags(connection, ids, settings.area_method)
    open_events = _open_adverse_events(connection, ids)
    rows = []
    for pid, mrn, name, name_search, birth_date, arm in patients:
        last, planned = last_visits.get(pid, (None, None))
        due = next_visit_due(last_visit=last, planned_next=planned,
                             has_open_ulcer=open_count.get(pid, 0) > 0,
                             interval_days=settings.follow_up_interval_days)
        rows.append(PatientListRow(
            id=pid, mrn=mrn, name=name,
            search_text=f"{fold_for_search(mrn)}\n{name_search or fold_for_search(name)}",
            age=age_in_years(birth_date, today), arm=arm, open_ulcers=open_count.get(pid, 0),
            last_visit=last, next_visit_due=due, off_track_week4=pid in off_track,
            overdue=is_overdue(due, today=today), adverse_event_open=pid in open_events))
    return tuple(rows)


def load_patient_row(session: Session, patient_id: int, *, today: dt.date
                     ) -> PatientListRow | None:
    """One patient's list row after a change; None when the patient is gone."""
    rows = load_patient_list(session, today=today, patient_ids=[patient_id])
    return rows[0] if rows else None
