"""Frozen records the screens, reports and exports read: never live ORM objects."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.domain.analytes import ReferenceRange
from app.domain.episodes import EpisodeMetrics
from app.domain.patient_measures import LabSummary, PainSummary, age_in_years
from app.domain.wound import AreaMethod


@dataclass(frozen=True)
class PatientRecord:
    id: int
    mrn: str
    name: str
    birth_date: dt.date | None
    sex: str | None
    diabetes_type: str | None
    diabetes_duration_years: float | None
    hba1c_enrolment_pct: float | None
    pad: bool
    neuropathy: bool
    smoking: bool
    ckd: bool
    contact: str | None
    notes: str | None
    arm: str | None
    version: int

    def age_on(self, day: dt.date) -> int | None:
        return age_in_years(self.birth_date, day)

    @property
    def comorbidities(self) -> list[str]:
        names = {"pad": "peripheral arterial disease", "neuropathy": "neuropathy",
                 "smoking": "smoking", "ckd": "chronic kidney disease"}
        return [label for attr, label in names.items() if getattr(self, attr)]


@dataclass(frozen=True)
class AssessmentRecord:
    id: int
    visit_id: int
    ulcer_id: int
    site: str
    on: dt.date
    length_cm: float | None
    width_cm: float | None
    depth_cm: float | None
    traced_area_cm2: float | None
    method: str | None
    granulation_pct: float | None
    epithelial_pct: float | None
    slough_pct: float | None
    necrotic_pct: float | None
    exudate: str | None
    infection_signs: bool
    periwound: str | None
    closed_marked: bool
    closed: bool
    area_cm2: float | None
    volume_cm3: float | None


@dataclass(frozen=True)
class LabRecord:
    analyte: str
    value: float
    unit: str
    raw_value: float
    raw_unit: str
    flag: str | None
    collected_on: dt.date


@dataclass(frozen=True)
class TreatmentRecord:
    id: int
    visit_id: int
    on: dt.date
    ulcer_id: int | None
    site: str | None
    exosome_product: str | None
    exosome_source: str | None
    exosome_lot: str | None
    exosome_dose: float | None
    exosome_dose_unit: str | None
    exosome_volume_ml: float | None
    exosome_route: str | None
    msc_cotherapy: bool
    msc_cells_million: float | None
    debridement: bool
    dressing: str | None
    offloading: str | None
    antibiotics: str | None

    @property
    def has_exosome(self) -> bool:
        return bool(self.exosome_route or self.exosome_lot or self.exosome_dose)


@dataclass(frozen=True)
class PerfusionRecord:
    doppler_waveform: str | None
    doppler_flow: str | None
    imaging_modality: str | None
    imaging_depth_cm: float | None
    osteomyelitis: str | None
    imaging_findings: str | None


@dataclass(frozen=True)
class VisitRecord:
    id: int
    visit_date: dt.date
    clinician: str | None
    vas: float | None
    next_visit_date: dt.date | None
    notes: str | None
    signed_by: str | None
    signed_at: dt.datetime | None
    version: int
    updated_by: str | None
    updated_at: dt.datetime | None
    labs: dict[str, LabRecord] = field(default_factory=dict)
    perfusion: PerfusionRecord | None = None


@dataclass(frozen=True)
class AdverseEventRecord:
    id: int
    visit_id: int | None
    onset_date: dt.date
    description: str
    ctcae_grade: int
    serious: bool
    relatedness: str | None
    outcome: str | None
    resolved_on: dt.date | None

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None and self.outcome not in (
            "recovered", "recovered_with_sequelae", "fatal")


@dataclass(frozen=True)
class EpisodeView:
    """One ulcer episode with its assessments and every docs/metrics.md value."""

    ulcer_id: int
    site: str
    episode_no: int
    recurrence_of_episode: int | None
    recurred_on: dt.date | None
    onset_date: dt.date | None
    etiology: str | None
    wagner_grade: int | None
    ut_grade: int | None
    ut_stage: str | None
    clinician_status: str | None
    assessments: tuple[AssessmentRecord, ...]
    metrics: EpisodeMetrics | None
    problem: str | None = None  # why metrics could not be computed

    @property
    def label(self) -> str:
        return self.site if self.episode_no == 1 else f"{self.site} (episode {self.episode_no})"


@dataclass(frozen=True)
class PatientHistory:
    """Everything recorded for one patient, with every computed metric, for one screen or page."""

    patient: PatientRecord
    area_method: AreaMethod
    reference_ranges: dict[str, ReferenceRange]
    visits: tuple[VisitRecord, ...]
    episodes: tuple[EpisodeView, ...]
    treatments: tuple[TreatmentRecord, ...]
    adverse_events: tuple[AdverseEventRecord, ...]
    pain: PainSummary
    labs: dict[str, LabSummary]

    @property
    def exosome_doses(self) -> tuple[TreatmentRecord, ...]:
        return tuple(t for t in self.treatments if t.has_exosome)

    @property
    def last_visit(self) -> VisitRecord | None:
        return self.visits[-1] if self.visits else None


@dataclass(frozen=True)
class ClinicSettings:
    """The clinic's settings as the charts, reports and checks read them (plain values)."""

    clinic_name: str
    clinic_logo_path: str | None
    area_method: AreaMethod
    paper_size: str
    idle_lock_minutes: int
    follow_up_interval_days: int
    reference_ranges: dict[str, ReferenceRange] = field(default_factory=dict)
    clinic_address: str = ""
    backup_folder: str | None = None
    backups_to_keep: int = 14
