"""The research export: one row per assessment, long format, raw values beside every metric.

Pure: PatientHistory records in, CSV text out (streamed to a text file). Every computed value is
the one app.domain computed for `load_history` (docs/metrics.md); nothing is recomputed here except
the perimeter, which app.domain.wound gives. Patient identifiers are replaced by a keyed-HMAC
pseudonym (RFC 2104, SHA-256) unless the export is identified. Text cells are neutralised against
spreadsheet formula injection exactly as the visit sheet does.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
from typing import TYPE_CHECKING, Any, Iterable, Iterator, TextIO

from app.domain.analytes import ANALYTE_LIST
from app.domain.limits import normalise_mrn
from app.domain.patient_measures import age_in_years
from app.domain.wound import perimeter_cm
from app.interop.photo_export import PHOTO_COLUMNS, ExportedPhoto, photo_cells
from app.interop.visit_sheet import format_number, neutralise

if TYPE_CHECKING:  # the records are read, never imported at run time (services → interop)
    from app.domain.records import (
        AssessmentRecord,
        EpisodeView,
        PatientHistory,
        TreatmentRecord,
        VisitRecord,
    )

PSEUDONYM_PREFIX = "S-"

# Column name → type, in output order. Types: text, integer, number, boolean, date.
IDENTIFIED_COLUMNS = {"mrn": "text", "patient_name": "text", "birth_date": "date"}
PATIENT_COLUMNS = {
    "subject_id": "text", "sex": "text", "diabetes_type": "text",
    "diabetes_duration_years": "number", "hba1c_enrolment_pct": "number", "pad": "boolean",
    "neuropathy": "boolean", "smoking": "boolean", "ckd": "boolean", "arm": "text",
}
EPISODE_COLUMNS = {
    "site": "text", "episode": "integer", "recurrence_of_episode": "integer", "etiology": "text",
    "wagner_grade": "integer", "ut_grade": "integer", "ut_stage": "text", "onset_date": "date",
    "clinician_status": "text",
}
ASSESSMENT_COLUMNS = {
    "visit_date": "date", "age_years": "integer", "day": "integer", "week": "number",
    "length_cm": "number", "width_cm": "number", "depth_cm": "number",
    "traced_area_cm2": "number", "measuring_method": "text", "closed_marked": "boolean",
    "granulation_pct": "number", "epithelial_pct": "number", "slough_pct": "number",
    "necrotic_pct": "number", "exudate": "text", "infection_signs": "boolean",
    "periwound": "text",
    # computed for this assessment (docs/metrics.md "Assessment values")
    "closed": "boolean", "area_cm2": "number", "perimeter_cm": "number", "volume_cm3": "number",
    "par_at_visit_percent": "number",
}
METRIC_COLUMNS = {  # docs/metrics.md "Episode metrics", repeated on each row of the episode
    "area_method": "text", "status": "text", "baseline_date": "date",
    "baseline_area_cm2": "number", "latest_date": "date", "latest_area_cm2": "number",
    "par_percent": "number", "par_week4_percent": "number", "par_week4_day": "integer",
    "week4_on_track": "boolean", "par_week8_percent": "number", "par_week8_day": "integer",
    "week8_on_track": "boolean", "area_slope_cm2_per_week": "number",
    "gilman_cm_per_week": "number", "projected_closure_date": "date",
    "first_closure_date": "date", "days_to_closure": "integer", "closure_confirmed": "boolean",
    "recurred_on": "date", "metrics_problem": "text",
}
TREATMENT_COLUMNS = {
    "exosome_product": "text", "exosome_source": "text", "exosome_lot": "text",
    "exosome_dose": "number", "exosome_dose_unit": "text", "exosome_volume_ml": "number",
    "exosome_route": "text", "msc_cotherapy": "boolean", "msc_cells_million": "number",
    "debridement": "boolean", "dressing": "text", "offloading": "text", "antibiotics": "text",
}
VISIT_COLUMNS = {
    "vas": "number",
    **{a.column: "number" for a in ANALYTE_LIST},
    **{f"{a.column}_flag": "text" for a in ANALYTE_LIST},
    "doppler_waveform": "text", "osteomyelitis": "text",
}
PATIENT_METRIC_COLUMNS = {  # docs/metrics.md "Pain and labs", per patient
    "pain_baseline_vas": "number", "pain_latest_vas": "number", "pain_change": "number",
    "pain_clinically_important_reduction": "boolean",
    **{f"{a.column}_{part}": kind for a in ANALYTE_LIST
       for part, kind in (("baseline", "number"), ("latest", "number"), ("change", "number"),
                          ("latest_flag", "text"))},
}


PER_ROW_COLUMNS = {**ASSESSMENT_COLUMNS, **TREATMENT_COLUMNS, **VISIT_COLUMNS}


def column_types(*, identified: bool, photos: bool = False) -> dict[str, str]:
    """Every column of the export, in order, with its type; the photo columns with `photos`."""
    return {**(IDENTIFIED_COLUMNS if identified else {}), **PATIENT_COLUMNS, **EPISODE_COLUMNS,
            **METRIC_COLUMNS, **PER_ROW_COLUMNS, **(PHOTO_COLUMNS if photos else {}),
            **PATIENT_METRIC_COLUMNS}


def pseudonym(key: bytes, mrn: str) -> str:
    """A stable pseudonym: HMAC-SHA256 of the normalised MRN under the clinic's secret key."""
    digest = hmac.new(key, normalise_mrn(mrn).encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:16]


def _treatment_for(same_visit: list[TreatmentRecord], a: AssessmentRecord
                   ) -> TreatmentRecord | None:
    """The treatment given to this ulcer at this visit (or to no ulcer in particular)."""
    for t in same_visit:
        if t.ulcer_id == a.ulcer_id:
            return t
    return next((t for t in same_visit if t.ulcer_id is None), None)


def _episode_values(history: PatientHistory, view: EpisodeView) -> dict[str, Any]:
    values: dict[str, Any] = {
        "site": view.site, "episode": view.episode_no,
        "recurrence_of_episode": view.recurrence_of_episode, "etiology": view.etiology,
        "wagner_grade": view.wagner_grade, "ut_grade": view.ut_grade,
        "ut_stage": view.ut_stage, "onset_date": view.onset_date,
        "clinician_status": view.clinician_status, "area_method": history.area_method.value,
        "recurred_on": view.recurred_on, "metrics_problem": view.problem,
    }
    m = view.metrics
    if m is None:
        return values | {"status": view.clinician_status or "open"}
    return values | {name: getattr(m, name) for name in METRIC_COLUMNS
                     if name not in values and hasattr(m, name)}


def _patient_values(history: PatientHistory, subject_id: str) -> dict[str, Any]:
    p, pain = history.patient, history.pain
    values = {"subject_id": subject_id, "sex": p.sex, "diabetes_type": p.diabetes_type,
              "diabetes_duration_years": p.diabetes_duration_years,
              "hba1c_enrolment_pct": p.hba1c_enrolment_pct, "pad": p.pad,
              "neuropathy": p.neuropathy, "smoking": p.smoking, "ckd": p.ckd, "arm": p.arm,
              "mrn": p.mrn, "patient_name": p.name, "birth_date": p.birth_date,
              "pain_baseline_vas": pain.baseline_vas, "pain_latest_vas": pain.latest_vas,
              "pain_change": pain.change,
              "pain_clinically_important_reduction": pain.clinically_important_reduction}
    for column, summary in history.labs.items():
        values |= {f"{column}_baseline": summary.baseline, f"{column}_latest": summary.latest,
                   f"{column}_change": summary.change,
                   f"{column}_latest_flag": summary.latest_flag}
    return values


def _assessment_values(history: PatientHistory, view: EpisodeView, index: int,
                       visit: VisitRecord | None, treatment: TreatmentRecord | None
                       ) -> dict[str, Any]:
    a, m = view.assessments[index], view.metrics
    values = {
        "visit_date": a.on, "age_years": age_in_years(history.patient.birth_date, a.on),
        "day": m.days[index] if m else None, "week": m.days[index] / 7.0 if m else None,
        "length_cm": a.length_cm, "width_cm": a.width_cm, "depth_cm": a.depth_cm,
        "traced_area_cm2": a.traced_area_cm2, "measuring_method": a.method,
        "closed_marked": a.closed_marked, "granulation_pct": a.granulation_pct,
        "epithelial_pct": a.epithelial_pct, "slough_pct": a.slough_pct,
        "necrotic_pct": a.necrotic_pct, "exudate": a.exudate,
        "infection_signs": a.infection_signs, "periwound": a.periwound,
        "closed": a.closed, "area_cm2": a.area_cm2,
        "perimeter_cm": perimeter_cm(length_cm=a.length_cm, width_cm=a.width_cm,
                                     traced_area_cm2=a.traced_area_cm2, closed=a.closed,
                                     method=history.area_method),
        "volume_cm3": a.volume_cm3,
        "par_at_visit_percent": m.par_series[index] if m else None,
    }
    if treatment is not None:
        values |= {name: getattr(treatment, name) for name in TREATMENT_COLUMNS}
    if visit is not None:
        values["vas"] = visit.vas
        for column, lab in visit.labs.items():
            values[column] = lab.value
            values[f"{column}_flag"] = lab.flag
        if visit.perfusion is not None:
            values["doppler_waveform"] = visit.perfusion.doppler_waveform
            values["osteomyelitis"] = visit.perfusion.osteomyelitis
    return values


def _cells(values: dict[str, Any], columns: dict[str, str]) -> list[str]:
    get = values.get
    return ["" if (value := get(name)) is None else _FORMATTERS[kind](value)
            for name, kind in columns.items()]


def research_lines(history: PatientHistory, *, subject_id: str, identified: bool,
                   photos: Iterable[ExportedPhoto] | None = None) -> Iterator[list[str]]:
    """One patient's formatted rows, in `column_types` order: every assessment of every
    episode, in date order. Patient and episode cells are formatted once, not once a row.
    With `photos` (possibly empty), each row carries the PHOTO_COLUMNS of its assessment."""
    by_assessment: dict[int, list[ExportedPhoto]] | None = None
    if photos is not None:
        by_assessment = {}
        for photo in photos:
            by_assessment.setdefault(photo.assessment_id, []).append(photo)
    patient = _patient_values(history, subject_id)
    prefix = _cells(patient, {**(IDENTIFIED_COLUMNS if identified else {}), **PATIENT_COLUMNS})
    suffix = _cells(patient, PATIENT_METRIC_COLUMNS)
    visits = {v.id: v for v in history.visits}
    treatments: dict[int, list[TreatmentRecord]] = {}
    for t in history.treatments:
        treatments.setdefault(t.visit_id, []).append(t)
    for view in history.episodes:
        episode = _cells(_episode_values(history, view), EPISODE_COLUMNS | METRIC_COLUMNS)
        for index, a in enumerate(view.assessments):
            values = _assessment_values(history, view, index, visits.get(a.visit_id),
                                        _treatment_for(treatments.get(a.visit_id, []), a))
            row = prefix + episode + _cells(values, PER_ROW_COLUMNS)
            if by_assessment is not None:
                row += _cells(photo_cells(by_assessment.get(a.id, [])), PHOTO_COLUMNS)
            yield row + suffix


def format_research_cell(kind: str, value: Any) -> str:
    """Empty for null; true/false; ISO dates; shortest exact numbers; neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind in ("number", "integer") and isinstance(value, (int, float)):
        return format_number(value)
    return neutralise(str(value))


def _number_cell(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return format_research_cell("number", value)
    return format_number(value)


_FORMATTERS = {
    "number": _number_cell, "integer": _number_cell,
    "boolean": lambda value: format_research_cell("boolean", value),
    "date": lambda value: format_research_cell("date", value),
    "text": lambda value: neutralise(str(value)),
}


def write_research_csv(lines: Iterable[list[str]], out: TextIO, *, identified: bool,
                       photos: bool = False) -> int:
    """Write the header and the formatted `lines` to `out`; returns the number of data rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(column_types(identified=identified, photos=photos)))
    count = 0
    for line in lines:
        writer.writerow(line)
        count += 1
    return count
