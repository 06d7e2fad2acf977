"""Export of every live visit as a visit sheet (docs/product.md): canonical units, formula-safe."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.interop import visit_sheet as sheet
from app.models import Assessment, LabResult, Patient, Treatment, Ulcer, Visit


def export_rows(session: Session) -> list[dict[str, Any]]:
    """One dict per live assessment, in patient, date and site order, canonical units."""
    patients = {p.id: p for p in session.scalars(
        select(Patient).where(Patient.deleted_at.is_(None)))}
    site_rank: dict[tuple[int, str], int] = {}
    for ulcer in session.scalars(select(Ulcer).order_by(Ulcer.id)):
        site_rank.setdefault((ulcer.patient_id, ulcer.site), len(site_rank))
    labs: dict[int, dict[str, float]] = defaultdict(dict)
    for visit_id, analyte, value in session.execute(
            select(LabResult.visit_id, LabResult.analyte, LabResult.value)):
        labs[visit_id][analyte] = value
    treatments: dict[tuple[int, int | None], Treatment] = {}
    for t in session.scalars(select(Treatment).order_by(Treatment.id)):
        treatments.setdefault((t.visit_id, t.ulcer_id), t)
    rows = []
    query = (select(Assessment, Ulcer, Visit).join(Visit, Assessment.visit_id == Visit.id)
             .join(Ulcer, Assessment.ulcer_id == Ulcer.id).where(Visit.deleted_at.is_(None)))
    records = [(a, u, v) for a, u, v in session.execute(query) if v.patient_id in patients]
    records.sort(key=lambda r: (r[2].patient_id, r[2].visit_date,
                                site_rank[(r[1].patient_id, r[1].site)]))
    for assessment, ulcer, visit in records:
        patient = patients[visit.patient_id]
        row: dict[str, Any] = {
            "mrn": patient.mrn, "patient_name": patient.name, "birth_date": patient.birth_date,
            "sex": patient.sex, "diabetes_type": patient.diabetes_type, "arm": patient.arm,
            "visit_date": visit.visit_date, "ulcer_site": ulcer.site,
            "length_cm": assessment.length_cm, "width_cm": assessment.width_cm,
            "depth_cm": assessment.depth_cm, "traced_area_cm2": assessment.traced_area_cm2,
            "closed": assessment.closed,
            "granulation_pct": assessment.granulation_pct,
            "epithelial_pct": assessment.epithelial_pct, "slough_pct": assessment.slough_pct,
            "necrotic_pct": assessment.necrotic_pct, "vas": visit.vas, "notes": visit.notes,
        }
        row |= labs.get(visit.id, {})
        treatment = treatments.get((visit.id, ulcer.id))
        if treatment is not None and treatment.has_exosome:
            row |= {"exosome_route": treatment.exosome_route,
                    "exosome_dose": treatment.exosome_dose, "exosome_lot": treatment.exosome_lot}
        rows.append(row)
    return rows


def export_visit_sheet(session: Session) -> str:
    return sheet.write_sheet(export_rows(session))
