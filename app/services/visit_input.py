"""What a nurse enters for one visit, as plain frozen values, and its validation."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from app.domain.analytes import ANALYTES, ReferenceRange
from app.domain.limits import (
    ERROR,
    Finding,
    Limit,
    area_jump_warning,
    check_range,
    site_clashes,
    site_key,
    validate_analyte,
    validate_size,
    validate_text,
    validate_tissue,
    validate_vas,
    validate_visit_date,
)
from app.domain.wound import AreaMethod, area_cm2, is_closed
from app.models.vocab import (
    AE_OUTCOMES,
    AE_RELATEDNESS,
    DOPPLER_WAVEFORMS,
    ETIOLOGIES,
    EXOSOME_ROUTES,
    EXOSOME_SOURCES,
    EXUDATE_AMOUNTS,
    MEASURING_METHODS,
    OSTEOMYELITIS,
    PERIWOUND_STATES,
)


@dataclass(frozen=True)
class AssessmentInput:
    site: str
    length_cm: float | None = None
    width_cm: float | None = None
    depth_cm: float | None = None
    traced_area_cm2: float | None = None
    closed: bool = False
    method: str | None = None
    granulation_pct: float | None = None
    epithelial_pct: float | None = None
    slough_pct: float | None = None
    necrotic_pct: float | None = None
    exudate: str | None = None
    infection_signs: bool = False
    periwound: str | None = None
    # Classification, kept on the ulcer episode when given.
    onset_date: dt.date | None = None
    etiology: str | None = None
    wagner_grade: int | None = None
    ut_grade: int | None = None
    ut_stage: str | None = None

    def area(self, method: AreaMethod) -> float | None:
        closed = is_closed(closed_marked=self.closed, length_cm=self.length_cm,
                           width_cm=self.width_cm)
        return area_cm2(length_cm=self.length_cm, width_cm=self.width_cm,
                        traced_area_cm2=self.traced_area_cm2, closed=closed, method=method)


@dataclass(frozen=True)
class LabInput:
    analyte: str
    value: float  # as entered
    unit: str | None = None  # None: the canonical unit

    def canonical(self) -> float:
        return ANALYTES[self.analyte].to_canonical(self.value, self.unit)


@dataclass(frozen=True)
class PerfusionInput:
    doppler_waveform: str | None = None
    doppler_flow: str | None = None
    imaging_modality: str | None = None
    imaging_depth_cm: float | None = None
    osteomyelitis: str | None = None
    imaging_findings: str | None = None

    def is_empty(self) -> bool:
        return all(v in (None, "") for v in vars(self).values())


@dataclass(frozen=True)
class TreatmentInput:
    site: str | None = None
    exosome_product: str | None = None
    exosome_source: str | None = None
    exosome_lot: str | None = None
    exosome_dose: float | None = None
    exosome_dose_unit: str | None = None
    exosome_volume_ml: float | None = None
    exosome_route: str | None = None
    msc_cotherapy: bool = False
    msc_cells_million: float | None = None
    debridement: bool = False
    dressing: str | None = None
    offloading: str | None = None
    antibiotics: str | None = None


@dataclass(frozen=True)
class AdverseEventInput:
    description: str
    ctcae_grade: int
    onset_date: dt.date | None = None  # the visit date when None
    serious: bool = False
    relatedness: str | None = None
    outcome: str | None = None
    resolved_on: dt.date | None = None


@dataclass(frozen=True)
class VisitInput:
    patient_id: int
    visit_date: dt.date
    clinician: str | None = None
    vas: float | None = None
    next_visit_date: dt.date | None = None
    notes: str | None = None
    assessments: tuple[AssessmentInput, ...] = ()
    labs: tuple[LabInput, ...] = ()
    perfusion: PerfusionInput | None = None
    treatments: tuple[TreatmentInput, ...] = ()
    adverse_events: tuple[AdverseEventInput, ...] = ()
    visit_id: int | None = None  # set when editing
    expected_version: int | None = None  # optimistic lock when editing
    reason: str | None = None  # required to change a signed visit

    def with_changes(self, **changes) -> VisitInput:
        return replace(self, **changes)


def _choice(field: str, value, allowed, index=None) -> list[Finding]:
    if value is None or value in allowed:
        return []
    return [Finding(field, f"must be one of {', '.join(allowed)}", ERROR, index)]


def _indexed(findings: list[Finding], index: int) -> list[Finding]:
    return [replace(f, index=index) for f in findings]


def validate_visit_input(
    data: VisitInput,
    *,
    birth_date: dt.date | None,
    today: dt.date,
    method: AreaMethod,
    ranges: dict[str, ReferenceRange],
    previous_areas: dict[str, float | None],
    existing_sites: Collection[str] = (),
    sites_as_written: bool = False,
) -> list[Finding]:
    """Every hard error and soft warning of one visit; `index` names the assessment etc.
    `existing_sites`: the patient's stored ulcer sites; a new site that is one of them, or
    another of this visit's, in other letter case or spacing is refused
    (app.domain.limits.site_clashes). `sites_as_written`: a visit sheet's sites, compared
    exactly as recorded (docs/metrics.md): only an exact repeat is refused."""
    findings = validate_visit_date(data.visit_date, birth_date=birth_date, today=today)
    if data.next_visit_date is not None and data.next_visit_date <= data.visit_date:
        findings.append(Finding("next_visit_date", "next visit must be after this visit"))
    findings += validate_vas(data.vas)
    findings += validate_text("clinician", data.clinician)
    findings += validate_text("notes", data.notes)

    sites = [a.site.strip() for a in data.assessments]
    clashes = site_clashes(sites, existing_sites, key=str if sites_as_written else site_key)
    for i, a in enumerate(data.assessments):
        findings += _indexed(_assessment_findings(a, clashes.get(i), method=method,
                                                  previous_areas=previous_areas), i)
    findings += _lab_findings(data.labs, ranges)
    if data.perfusion is not None:
        findings += _perfusion_findings(data.perfusion)
    for i, t in enumerate(data.treatments):
        findings += _indexed(_treatment_findings(t, sites), i)
    for i, ae in enumerate(data.adverse_events):
        findings += _indexed(_adverse_event_findings(ae, visit_date=data.visit_date,
                                                     today=today), i)
    return findings


def _assessment_findings(a: AssessmentInput, clash: str | None, *, method: AreaMethod,
                         previous_areas: dict[str, float | None]) -> list[Finding]:
    item = validate_text("ulcer_site", a.site, required=True)
    if clash is not None:
        item.append(Finding("ulcer_site", clash))
    item += validate_size(length_cm=a.length_cm, width_cm=a.width_cm, depth_cm=a.depth_cm,
                          traced_area_cm2=a.traced_area_cm2, closed_marked=a.closed)
    item += validate_tissue({f: getattr(a, f) for f in ("granulation_pct", "epithelial_pct",
                                                        "slough_pct", "necrotic_pct")})
    item += _choice("method", a.method, MEASURING_METHODS)
    item += _choice("exudate", a.exudate, EXUDATE_AMOUNTS)
    item += _choice("periwound", a.periwound, PERIWOUND_STATES)
    item += _choice("etiology", a.etiology, ETIOLOGIES)
    item += check_range("wagner_grade", a.wagner_grade, Limit(0, 5, ""), "Wagner grade")
    item += check_range("ut_grade", a.ut_grade, Limit(0, 3, ""), "UT grade")
    item += _choice("ut_stage", a.ut_stage, ("A", "B", "C", "D"))
    if not any(f.is_error for f in item):
        item += area_jump_warning(previous_areas.get(a.site.strip()), a.area(method))
    return item


def _lab_findings(labs: Sequence[LabInput], ranges: dict[str, ReferenceRange]) -> list[Finding]:
    findings: list[Finding] = []
    seen_labs = set()
    for i, lab in enumerate(labs):
        if lab.analyte not in ANALYTES:
            findings.append(Finding(lab.analyte, "unknown lab", ERROR, i))
            continue
        if lab.analyte in seen_labs:
            findings.append(Finding(lab.analyte, "entered twice", ERROR, i))
        seen_labs.add(lab.analyte)
        try:
            value = lab.canonical()
        except ValueError as exc:
            findings.append(Finding(lab.analyte, str(exc), ERROR, i))
            continue
        findings += validate_analyte(lab.analyte, value, ranges.get(lab.analyte))
    return findings


def _perfusion_findings(p: PerfusionInput) -> list[Finding]:
    findings = _choice("doppler_waveform", p.doppler_waveform, DOPPLER_WAVEFORMS)
    findings += _choice("osteomyelitis", p.osteomyelitis, OSTEOMYELITIS)
    findings += check_range("imaging_depth_cm", p.imaging_depth_cm, Limit(0, 20, "cm"),
                            "imaging depth")
    findings += validate_text("notes", p.imaging_findings)
    return findings


def _treatment_findings(t: TreatmentInput, sites: list[str]) -> list[Finding]:
    item = _choice("exosome_source", t.exosome_source, EXOSOME_SOURCES)
    item += _choice("exosome_route", t.exosome_route, EXOSOME_ROUTES)
    item += check_range("exosome_dose", t.exosome_dose, Limit(0, 1e16, ""), "exosome dose")
    item += check_range("exosome_volume_ml", t.exosome_volume_ml, Limit(0, 100, "mL"),
                        "exosome volume")
    item += check_range("msc_cells_million", t.msc_cells_million, Limit(0, 10000, "×10⁶"),
                        "MSC cells")
    item += validate_text("exosome_lot", t.exosome_lot)
    item += validate_text("exosome_product", t.exosome_product)
    if t.site is not None and t.site.strip() not in sites:
        item.append(Finding("site", f"treated site {t.site} is not assessed at this visit"))
    return item


def _adverse_event_findings(ae: AdverseEventInput, *, visit_date: dt.date,
                            today: dt.date) -> list[Finding]:
    item = validate_text("description", ae.description, required=True)
    if ae.ctcae_grade not in (1, 2, 3, 4, 5):
        item.append(Finding("ctcae_grade", "CTCAE grade must be 1–5"))
    item += _choice("relatedness", ae.relatedness, AE_RELATEDNESS)
    item += _choice("outcome", ae.outcome, AE_OUTCOMES)
    onset = ae.onset_date or visit_date
    if onset > today:
        item.append(Finding("onset_date", "adverse event onset is in the future"))
    if ae.resolved_on is not None and ae.resolved_on < onset:
        item.append(Finding("resolved_on", "resolved before it began"))
    return item
