"""Every patient's history for whole-clinic exports, read a few hundred patients at a time.

`iter_histories` yields, patient by patient, exactly the PatientHistory that
`app.services.history.load_history` builds (the tests hold the two to equality), but from one
set-based query per table and chunk instead of seven queries per patient, with plain rows
instead of ORM objects. Record building reuses history's own pieces (`assessment_record`,
`build_episode_views`, `patient_record`) and app.domain's pain and lab summaries.
"""
from __future__ import annotations

from collections import defaultdict, namedtuple
from typing import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.analytes import ANALYTES, ReferenceRange
from app.domain.patient_measures import lab_summary, pain_summary
from app.models import (AdverseEvent, Assessment, LabResult, Patient, PerfusionImaging, Treatment,
                        Ulcer, Visit)
from app.services.history import assessment_record, build_episode_views, patient_record
from app.services.records import (AdverseEventRecord, LabRecord, PatientHistory,
                                  PerfusionRecord, TreatmentRecord, VisitRecord)
from app.services.settings import ClinicSettings, load_settings

CHUNK = 250
_NO_RANGE = ReferenceRange(None, None)


def live_patient_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Patient.id).where(Patient.deleted_at.is_(None))
                                .order_by(Patient.id)))


def iter_histories(session: Session, patient_ids: Sequence[int] | None = None, *,
                   chunk: int = CHUNK) -> Iterator[PatientHistory]:
    """The histories of `patient_ids` (default: every live patient, in enrolment order)."""
    settings = load_settings(session)
    ids = list(patient_ids) if patient_ids is not None else live_patient_ids(session)
    for start in range(0, len(ids), chunk):
        yield from _load_chunk(session, ids[start:start + chunk], settings)


def _rows(session: Session, statement) -> list:
    """Plain named tuples: attribute access without the cost of ORM objects or Core rows."""
    result = session.connection().execute(statement)
    shape = namedtuple("Row", list(result.keys()))
    return [shape._make(row) for row in result.all()]


def _by(rows, key: str) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _load_chunk(session: Session, ids: list[int], settings: ClinicSettings
                ) -> Iterator[PatientHistory]:
    method = settings.area_method
    ranges = settings.reference_ranges
    patients = {p.id: p for p in session.scalars(
        select(Patient).where(Patient.id.in_(ids), Patient.deleted_at.is_(None)))}
    live_visit = (Visit.patient_id.in_(ids), Visit.deleted_at.is_(None))
    visits = _by(_rows(session, select(Visit.__table__).where(*live_visit)
                       .order_by(Visit.visit_date)), "patient_id")
    ulcers = _by(_rows(session, select(Ulcer.__table__).where(Ulcer.patient_id.in_(ids))
                       .order_by(Ulcer.id)), "patient_id")
    assessments = _by(_rows(session, select(Assessment.__table__, Visit.patient_id)
                            .join(Visit, Assessment.visit_id == Visit.id).where(*live_visit)),
                      "patient_id")
    labs = _by(_rows(session, select(LabResult.__table__, Visit.patient_id)
                     .join(Visit, LabResult.visit_id == Visit.id).where(*live_visit)),
               "patient_id")
    perfusion = _by(_rows(session, select(PerfusionImaging.__table__, Visit.patient_id)
                          .join(Visit, PerfusionImaging.visit_id == Visit.id)
                          .where(*live_visit)), "patient_id")
    treatments = _by(_rows(session, select(Treatment.__table__, Visit.patient_id)
                           .join(Visit, Treatment.visit_id == Visit.id).where(*live_visit)
                           .order_by(Treatment.id)), "patient_id")
    events = _by(_rows(session, select(AdverseEvent.__table__)
                       .where(AdverseEvent.patient_id.in_(ids),
                              AdverseEvent.deleted_at.is_(None))
                       .order_by(AdverseEvent.onset_date, AdverseEvent.id)), "patient_id")
    for patient_id in ids:
        patient = patients.get(patient_id)
        if patient is None:
            continue
        patient_visits = visits.get(patient_id, [])
        visit_dates = {v.id: v.visit_date for v in patient_visits}
        patient_ulcers = ulcers.get(patient_id, [])
        ulcer_by_id = {u.id: u for u in patient_ulcers}

        assessments_by_ulcer: dict[int, list] = defaultdict(list)
        for row in assessments.get(patient_id, []):
            assessments_by_ulcer[row.ulcer_id].append(assessment_record(
                row, site=ulcer_by_id[row.ulcer_id].site, on=visit_dates[row.visit_id],
                method=method))
        labs_by_visit: dict[int, dict[str, LabRecord]] = defaultdict(dict)
        for lab in labs.get(patient_id, []):
            labs_by_visit[lab.visit_id][lab.analyte] = LabRecord(
                analyte=lab.analyte, value=lab.value, unit=lab.unit, raw_value=lab.raw_value,
                raw_unit=lab.raw_unit, flag=ranges.get(lab.analyte, _NO_RANGE).flag(lab.value),
                collected_on=lab.collected_on)
        perfusion_by_visit = {p.visit_id: PerfusionRecord(
            p.doppler_waveform, p.doppler_flow, p.imaging_modality, p.imaging_depth_cm,
            p.osteomyelitis, p.imaging_findings) for p in perfusion.get(patient_id, [])}
        treatment_records = sorted((TreatmentRecord(
            id=t.id, visit_id=t.visit_id, on=visit_dates[t.visit_id], ulcer_id=t.ulcer_id,
            site=ulcer_by_id[t.ulcer_id].site if t.ulcer_id in ulcer_by_id else None,
            exosome_product=t.exosome_product, exosome_source=t.exosome_source,
            exosome_lot=t.exosome_lot, exosome_dose=t.exosome_dose,
            exosome_dose_unit=t.exosome_dose_unit, exosome_volume_ml=t.exosome_volume_ml,
            exosome_route=t.exosome_route, msc_cotherapy=t.msc_cotherapy,
            msc_cells_million=t.msc_cells_million, debridement=t.debridement,
            dressing=t.dressing, offloading=t.offloading, antibiotics=t.antibiotics)
            for t in treatments.get(patient_id, [])), key=lambda t: (t.on, t.id))

        visit_records = tuple(VisitRecord(
            id=v.id, visit_date=v.visit_date, clinician=v.clinician, vas=v.vas,
            next_visit_date=v.next_visit_date, notes=v.notes, signed_by=v.signed_by,
            signed_at=v.signed_at, version=v.version, updated_by=v.updated_by,
            updated_at=v.updated_at, labs=labs_by_visit.get(v.id, {}),
            perfusion=perfusion_by_visit.get(v.id)) for v in patient_visits)
        episodes = build_episode_views(patient_ulcers, assessments_by_ulcer, method=method)
        ae_records = tuple(AdverseEventRecord(
            id=a.id, visit_id=a.visit_id, onset_date=a.onset_date, description=a.description,
            ctcae_grade=a.ctcae_grade, serious=a.serious, relatedness=a.relatedness,
            outcome=a.outcome, resolved_on=a.resolved_on) for a in events.get(patient_id, []))
        lab_summaries = {}
        for column in ANALYTES:
            series = [(v.visit_date, v.labs[column].value) for v in visit_records
                      if column in v.labs]
            summary = lab_summary(series, ranges.get(column, _NO_RANGE))
            if summary is not None:
                lab_summaries[column] = summary
        yield PatientHistory(
            patient=patient_record(patient), area_method=method,
            reference_ranges=dict(ranges), visits=visit_records, episodes=episodes,
            treatments=tuple(treatment_records), adverse_events=ae_records,
            pain=pain_summary([(v.visit_date, v.vas) for v in visit_records]),
            labs=lab_summaries)
