"""A follow-up visit and what was recorded at it: assessments, labs, perfusion, treatment, AEs."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.analytes import ANALYTE_LIST
from app.domain.limits import SIZE_LIMITS, TISSUE_FIELDS, TISSUE_LIMIT, VAS_LIMIT
from app.models.base import (
    Base,
    between,
    entry_time,
    flag,
    intpk,
    long_text,
    measure,
    one_of,
    short_text,
    update_time,
)
from app.models.patient import Patient, Ulcer
from app.models.vocab import (
    AE_OUTCOMES,
    AE_RELATEDNESS,
    DOPPLER_WAVEFORMS,
    EXOSOME_ROUTES,
    EXOSOME_SOURCES,
    EXUDATE_AMOUNTS,
    MEASURING_METHODS,
    OSTEOMYELITIS,
    PERIWOUND_STATES,
)


class Visit(Base):
    """One follow-up session of one patient on one date (at most one live visit a day)."""

    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint(between("vas", VAS_LIMIT.low, VAS_LIMIT.high), name="vas"),
        Index("uq_visit_patient_date", "patient_id", "visit_date", unique=True,
              sqlite_where=text("deleted_at IS NULL"),
              postgresql_where=text("deleted_at IS NULL")),
        Index("ix_visit_patient_date", "patient_id", "visit_date"),
        Index("ix_visit_date", "visit_date"),
    )

    id: Mapped[intpk]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    visit_date: Mapped[dt.date] = mapped_column(Date)
    clinician: Mapped[short_text]
    vas: Mapped[measure]
    next_visit_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[long_text]
    created_at: Mapped[entry_time]
    updated_at: Mapped[update_time]
    created_by: Mapped[short_text]
    updated_by: Mapped[short_text]
    signed_by: Mapped[short_text]
    signed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    deletion_reason: Mapped[long_text]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    patient: Mapped[Patient] = relationship(back_populates="visits")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Assessment.id")
    lab_results: Mapped[list[LabResult]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="LabResult.id")
    perfusion: Mapped[PerfusionImaging | None] = relationship(
        back_populates="visit", cascade="all, delete-orphan", uselist=False)
    treatments: Mapped[list[Treatment]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Treatment.id")

    __mapper_args__ = {"version_id_col": version}


def _size_checks() -> tuple[CheckConstraint, ...]:
    checks = [CheckConstraint(between(f, lim.low, lim.high), name=f)
              for f, lim in SIZE_LIMITS.items()]
    checks += [CheckConstraint(between(f, TISSUE_LIMIT.low, TISSUE_LIMIT.high), name=f)
               for f in TISSUE_FIELDS]
    checks.append(CheckConstraint(
        "NOT (length_cm = 0 AND width_cm > 0) AND NOT (width_cm = 0 AND length_cm > 0)",
        name="l_w_zero_together"))
    return tuple(checks)


class Assessment(Base):
    """One ulcer assessed at one visit: size, tissue, exudate, infection signs, closure."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("visit_id", "ulcer_id", name="visit_ulcer"),
        *_size_checks(),
        CheckConstraint(one_of("method", MEASURING_METHODS), name="method"),
        CheckConstraint(one_of("exudate", EXUDATE_AMOUNTS), name="exudate"),
        CheckConstraint(one_of("periwound", PERIWOUND_STATES), name="periwound"),
    )

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    ulcer_id: Mapped[int] = mapped_column(ForeignKey("ulcer.id", ondelete="CASCADE"), index=True)
    length_cm: Mapped[measure]
    width_cm: Mapped[measure]
    depth_cm: Mapped[measure]
    traced_area_cm2: Mapped[measure]
    method: Mapped[str | None] = mapped_column(String(16))
    granulation_pct: Mapped[measure]
    epithelial_pct: Mapped[measure]
    slough_pct: Mapped[measure]
    necrotic_pct: Mapped[measure]
    exudate: Mapped[str | None] = mapped_column(String(16))
    infection_signs: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    periwound: Mapped[str | None] = mapped_column(String(16))
    closed: Mapped[flag]

    visit: Mapped[Visit] = relationship(back_populates="assessments")
    ulcer: Mapped[Ulcer] = relationship(back_populates="assessments")


def _analyte_value_check() -> CheckConstraint:
    """Each analyte's hard limits, generated from the one registry (app.domain.analytes)."""
    clauses = " AND ".join(
        f"(analyte <> '{a.column}' OR (value >= {float(a.hard_min)!r} "
        f"AND value <= {float(a.hard_max)!r}))" for a in ANALYTE_LIST)
    known = ", ".join(f"'{a.column}'" for a in ANALYTE_LIST)
    return CheckConstraint(f"analyte IN ({known}) AND {clauses}", name="value_in_limits")


class LabResult(Base):
    """A lab or perfusion value: canonical value and unit, what was typed, range and flag."""

    __tablename__ = "lab_result"
    __table_args__ = (
        UniqueConstraint("visit_id", "analyte", name="visit_analyte"),
        _analyte_value_check(),
        CheckConstraint(one_of("flag", ("H", "L", "N")), name="flag"),
    )

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    analyte: Mapped[str] = mapped_column(String(32))  # the visit-sheet column name
    value: Mapped[float] = mapped_column(Float, nullable=False)  # canonical unit
    unit: Mapped[str] = mapped_column(String(16))
    raw_value: Mapped[float] = mapped_column(Float, nullable=False)  # as entered
    raw_unit: Mapped[str] = mapped_column(String(16))
    ref_low: Mapped[measure]
    ref_high: Mapped[measure]
    flag: Mapped[str | None] = mapped_column(String(1))
    loinc: Mapped[str | None] = mapped_column(String(16))
    collected_on: Mapped[dt.date] = mapped_column(Date)  # clinical time
    entered_at: Mapped[entry_time]  # entry time

    visit: Mapped[Visit] = relationship(back_populates="lab_results")


class PerfusionImaging(Base):
    """Doppler and imaging findings of a visit (ABI, TBI, TcPO₂ are LabResult rows)."""

    __tablename__ = "perfusion_imaging"
    __table_args__ = (
        CheckConstraint(one_of("doppler_waveform", DOPPLER_WAVEFORMS), name="waveform"),
        CheckConstraint(one_of("osteomyelitis", OSTEOMYELITIS), name="osteomyelitis"),
        CheckConstraint(between("imaging_depth_cm", 0, 20), name="depth"),
    )

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), unique=True)
    doppler_waveform: Mapped[str | None] = mapped_column(String(16))
    doppler_flow: Mapped[short_text]
    imaging_modality: Mapped[str | None] = mapped_column(String(16))
    imaging_depth_cm: Mapped[measure]
    osteomyelitis: Mapped[str | None] = mapped_column(String(16))
    imaging_findings: Mapped[long_text]

    visit: Mapped[Visit] = relationship(back_populates="perfusion")


class Treatment(Base):
    """What an ulcer was given at a visit: exosome product and lot, MSC cells, standard care."""

    __tablename__ = "treatment"
    __table_args__ = (
        CheckConstraint(one_of("exosome_source", EXOSOME_SOURCES), name="source"),
        CheckConstraint(one_of("exosome_route", EXOSOME_ROUTES), name="route"),
        CheckConstraint(between("exosome_dose", 0, 1e16), name="dose"),
        CheckConstraint(between("exosome_volume_ml", 0, 100), name="volume"),
        CheckConstraint(between("msc_cells_million", 0, 10000), name="msc_cells"),
    )

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    ulcer_id: Mapped[int | None] = mapped_column(ForeignKey("ulcer.id", ondelete="SET NULL"),
                                                 nullable=True, index=True)
    exosome_product: Mapped[short_text]
    exosome_source: Mapped[str | None] = mapped_column(String(16))
    exosome_lot: Mapped[str | None] = mapped_column(String(60))
    exosome_dose: Mapped[measure]
    exosome_dose_unit: Mapped[str | None] = mapped_column(String(16))
    exosome_volume_ml: Mapped[measure]
    exosome_route: Mapped[str | None] = mapped_column(String(16))
    msc_cotherapy: Mapped[flag]
    msc_cells_million: Mapped[measure]
    debridement: Mapped[flag]
    dressing: Mapped[short_text]
    offloading: Mapped[short_text]
    antibiotics: Mapped[short_text]

    visit: Mapped[Visit] = relationship(back_populates="treatments")
    ulcer: Mapped[Ulcer | None] = relationship()

    @property
    def has_exosome(self) -> bool:
        return bool(self.exosome_route or self.exosome_lot or self.exosome_dose)


class AdverseEvent(Base):
    """An adverse event with its CTCAE v5 grade, relatedness and outcome."""

    __tablename__ = "adverse_event"
    __table_args__ = (
        CheckConstraint("ctcae_grade BETWEEN 1 AND 5", name="grade"),
        CheckConstraint(one_of("relatedness", AE_RELATEDNESS), name="relatedness"),
        CheckConstraint(one_of("outcome", AE_OUTCOMES), name="outcome"),
    )

    id: Mapped[intpk]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"),
                                            index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="SET NULL"),
                                                 nullable=True)
    onset_date: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500))
    ctcae_grade: Mapped[int] = mapped_column(Integer)
    serious: Mapped[flag]
    relatedness: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(32))
    resolved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[entry_time]
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    deletion_reason: Mapped[long_text]

    patient: Mapped[Patient] = relationship(back_populates="adverse_events")

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None and self.outcome not in ("recovered", "fatal",
                                                                 "recovered_with_sequelae")
