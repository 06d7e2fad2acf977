"""Load one patient's whole history and compute every metric once (METRICS.md)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.analytes import ANALYTES, ReferenceRange
from app.domain.episodes import InvalidEpisode, assessment_point, episode_metrics
from app.domain.patient_measures import lab_summary, pain_summary
from app.domain.wound import AreaMethod, area_cm2, is_closed, volume_cm3
from app.models import (AdverseEvent, Assessment, LabResult, Patient, PerfusionImaging, Treatment,
                        Ulcer, Visit)
from app.services.errors import NotFound
from app.services.records import (AdverseEventRecord, AssessmentRecord, EpisodeView, LabRecord,
                                  PatientHistory, PatientRecord, PerfusionRecord, TreatmentRecord,
                                  VisitRecord)
from app.services.settings import load_settings

PATIENT_FIELDS = ("id", "mrn", "name", "birth_date", "sex", "diabetes_type",
                  "diabetes_duration_years", "hba1c_enrolment_pct", "pad", "neuropathy",
                  "smoking", "ckd", "contact", "notes", "arm", "version")


def patient_record(patient: Patient) -> PatientRecord:
    return PatientRecord(**{f: getattr(patient, f) for f in PATIENT_FIELDS})


def get_patient_by_mrn(session: Session, mrn: str) -> Patient:
    from app.domain.limits import normalise_mrn

    patient = session.scalar(select(Patient).where(Patient.mrn_key == normalise_mrn(mrn),
                                                   Patient.deleted_at.is_(None)))
    if patient is None:
        raise NotFound(f"no patient with MRN {mrn!r}")
    return patient


def assessment_record(row: Assessment, *, site: str, on, method: AreaMethod) -> AssessmentRecord:
    closed = is_closed(closed_marked=row.closed, length_cm=row.length_cm, width_cm=row.width_cm)
    return AssessmentRecord(
        id=row.id, visit_id=row.visit_id, ulcer_id=row.ulcer_id, site=site, on=on,
        length_cm=row.length_cm, width_cm=row.width_cm, depth_cm=row.depth_cm,
        traced_area_cm2=row.traced_area_cm2, method=row.method,
        granulation_pct=row.granulation_pct, epithelial_pct=row.epithelial_pct,
        slough_pct=row.slough_pct, necrotic_pct=row.necrotic_pct, exudate=row.exudate,
        infection_signs=row.infection_signs, periwound=row.periwound, closed_marked=row.closed,
        closed=closed,
        area_cm2=area_cm2(length_cm=row.length_cm, width_cm=row.width_cm,
                          traced_area_cm2=row.traced_area_cm2, closed=closed, method=method),
        volume_cm3=volume_cm3(length_cm=row.length_cm, width_cm=row.width_cm,
                              depth_cm=row.depth_cm, closed=closed),
    )


def load_history(session: Session, patient_id: int) -> PatientHistory:
    """One query per table; every number computed by app.domain."""
    patient = session.get(Patient, patient_id)
    if patient is None or patient.deleted_at is not None:
        raise NotFound(f"no patient with id {patient_id}")
    settings = load_settings(session)
    method = settings.area_method

    visits = session.scalars(select(Visit).where(Visit.patient_id == patient_id,
                                                 Visit.deleted_at.is_(None))
                             .order_by(Visit.visit_date)).all()
    visit_dates = {v.id: v.visit_date for v in visits}
    visit_ids = list(visit_dates)
    ulcers = session.scalars(select(Ulcer).where(Ulcer.patient_id == patient_id)
                             .order_by(Ulcer.id)).all()
    ulcer_by_id = {u.id: u for u in ulcers}

    assessments_by_ulcer: dict[int, list[AssessmentRecord]] = defaultdict(list)
    labs_by_visit: dict[int, dict[str, LabRecord]] = defaultdict(dict)
    perfusion_by_visit: dict[int, PerfusionRecord] = {}
    treatments: list[TreatmentRecord] = []
    if visit_ids:
        for row in session.scalars(select(Assessment).where(Assessment.visit_id.in_(visit_ids))):
            ulcer = ulcer_by_id[row.ulcer_id]
            assessments_by_ulcer[row.ulcer_id].append(
                assessment_record(row, site=ulcer.site, on=visit_dates[row.visit_id],
                                  method=method))
        for lab in session.scalars(select(LabResult).where(LabResult.visit_id.in_(visit_ids))):
            labs_by_visit[lab.visit_id][lab.analyte] = LabRecord(
                analyte=lab.analyte, value=lab.value, unit=lab.unit, raw_value=lab.raw_value,
                raw_unit=lab.raw_unit,
                flag=settings.reference_ranges.get(lab.analyte, ReferenceRange(None, None))
                .flag(lab.value),
                collected_on=lab.collected_on)
        for p in session.scalars(select(PerfusionImaging)
                                 .where(PerfusionImaging.visit_id.in_(visit_ids))):
            perfusion_by_visit[p.visit_id] = PerfusionRecord(
                p.doppler_waveform, p.doppler_flow, p.imaging_modality, p.imaging_depth_cm,
                p.osteomyelitis, p.imaging_findings)
        for t in session.scalars(select(Treatment).where(Treatment.visit_id.in_(visit_ids))
                                 .order_by(Treatment.id)):
            treatments.append(TreatmentRecord(
                id=t.id, visit_id=t.visit_id, on=visit_dates[t.visit_id], ulcer_id=t.ulcer_id,
                site=ulcer_by_id[t.ulcer_id].site if t.ulcer_id in ulcer_by_id else None,
                exosome_product=t.exosome_product, exosome_source=t.exosome_source,
                exosome_lot=t.exosome_lot, exosome_dose=t.exosome_dose,
                exosome_dose_unit=t.exosome_dose_unit, exosome_volume_ml=t.exosome_volume_ml,
                exosome_route=t.exosome_route, msc_cotherapy=t.msc_cotherapy,
                msc_cells_million=t.msc_cells_million, debridement=t.debridement,
                dressing=t.dressing, offloading=t.offloading, antibiotics=t.antibiotics))
    treatments.sort(key=lambda t: (t.on, t.id))

    visit_records = tuple(VisitRecord(
        id=v.id, visit_date=v.visit_date, clinician=v.clinician, vas=v.vas,
        next_visit_date=v.next_visit_date, notes=v.notes, signed_by=v.signed_by,
        signed_at=v.signed_at, version=v.version, updated_by=v.updated_by,
        updated_at=v.updated_at, labs=labs_by_visit.get(v.id, {}),
        perfusion=perfusion_by_visit.get(v.id)) for v in visits)

    episodes = build_episode_views(ulcers, assessments_by_ulcer, method=method)

    aes = session.scalars(select(AdverseEvent).where(AdverseEvent.patient_id == patient_id,
                                                     AdverseEvent.deleted_at.is_(None))
                          .order_by(AdverseEvent.onset_date, AdverseEvent.id)).all()
    ae_records = tuple(AdverseEventRecord(
        id=a.id, visit_id=a.visit_id, onset_date=a.onset_date, description=a.description,
        ctcae_grade=a.ctcae_grade, serious=a.serious, relatedness=a.relatedness,
        outcome=a.outcome, resolved_on=a.resolved_on) for a in aes)

    pain = pain_summary([(v.visit_date, v.vas) for v in visit_records])
    labs = {}
    for column in ANALYTES:
        series = [(v.visit_date, v.labs[column].value) for v in visit_records if column in v.labs]
        summary = lab_summary(series, settings.reference_ranges.get(column,
                                                                    ReferenceRange(None, None)))
        if summary is not None:
            labs[column] = summary

    return PatientHistory(
        patient=patient_record(patient), area_method=method,
        reference_ranges=dict(settings.reference_ranges), visits=visit_records,
        episodes=episodes, treatments=tuple(treatments), adverse_events=ae_records,
        pain=pain, labs=labs)


def build_episode_views(ulcers, assessments_by_ulcer, *, method: AreaMethod
                        ) -> tuple[EpisodeView, ...]:
    """Episodes in the order of their baseline dates; sites in the order they first appeared."""
    episode_no_by_id = {u.id: u.episode_no for u in ulcers}
    site_order: dict[str, int] = {}
    for u in ulcers:
        site_order.setdefault(u.site, len(site_order))
    next_baseline: dict[tuple[str, int], object] = {}
    for u in ulcers:
        rows = assessments_by_ulcer.get(u.id)
        if rows:
            next_baseline[(u.site, u.episode_no)] = min(r.on for r in rows)

    views = []
    for u in ulcers:
        rows = tuple(sorted(assessments_by_ulcer.get(u.id, ()), key=lambda r: r.on))
        if not rows:
            continue
        metrics, problem = None, None
        try:
            points = [assessment_point(on=r.on, length_cm=r.length_cm, width_cm=r.width_cm,
                                       traced_area_cm2=r.traced_area_cm2,
                                       closed_marked=r.closed_marked, method=method, key=r.id)
                      for r in rows]
            metrics = episode_metrics(points, clinician_status=u.clinician_status)
        except InvalidEpisode as exc:
            problem = str(exc)
        recurred_on = next_baseline.get((u.site, u.episode_no + 1))
        views.append(EpisodeView(
            ulcer_id=u.id, site=u.site, episode_no=u.episode_no,
            recurrence_of_episode=episode_no_by_id.get(u.recurrence_of_id),
            recurred_on=recurred_on, onset_date=u.onset_date, etiology=u.etiology,
            wagner_grade=u.wagner_grade, ut_grade=u.ut_grade, ut_stage=u.ut_stage,
            clinician_status=u.clinician_status, assessments=rows, metrics=metrics,
            problem=problem))
    views.sort(key=lambda v: (v.assessments[0].on, site_order[v.site], v.episode_no))
    return tuple(views)
