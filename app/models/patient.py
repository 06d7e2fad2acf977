"""Patients and their ulcer episodes."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import (
    Base,
    between,
    entry_time,
    flag,
    intpk,
    long_text,
    measure,
    one_of,
    update_time,
)
from app.models.vocab import ARMS, CLINICIAN_STATUSES, DIABETES_TYPES, ETIOLOGIES, SEXES

if TYPE_CHECKING:
    from app.models.visit import AdverseEvent, Assessment, Visit


class Patient(Base):
    """A patient enrolled in the clinic, with the treatment arm they follow."""

    __tablename__ = "patient"
    __table_args__ = (
        CheckConstraint(one_of("sex", SEXES), name="sex"),
        CheckConstraint(one_of("diabetes_type", DIABETES_TYPES), name="diabetes_type"),
        CheckConstraint(one_of("arm", ARMS), name="arm"),
        CheckConstraint(between("diabetes_duration_years", 0, 120), name="duration"),
        CheckConstraint(between("hba1c_enrolment_pct", 2, 25), name="hba1c"),
        CheckConstraint("length(mrn) BETWEEN 1 AND 32", name="mrn_length"),
    )

    id: Mapped[intpk]
    mrn: Mapped[str] = mapped_column(String(32))
    mrn_key: Mapped[str] = mapped_column(String(64), unique=True)  # normalised for duplicates
    name: Mapped[str] = mapped_column(String(120))
    name_search: Mapped[str] = mapped_column(String(120), default="")  # accent-folded
    birth_date: Mapped[dt.date | None] = mapped_column(nullable=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    diabetes_type: Mapped[str | None] = mapped_column(String(8))
    diabetes_duration_years: Mapped[measure]
    hba1c_enrolment_pct: Mapped[measure]
    pad: Mapped[flag]
    neuropathy: Mapped[flag]
    smoking: Mapped[flag]
    ckd: Mapped[flag]
    contact: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[long_text]
    arm: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[entry_time]
    updated_at: Mapped[update_time]
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    deletion_reason: Mapped[long_text]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    ulcers: Mapped[list[Ulcer]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Ulcer.id")
    visits: Mapped[list[Visit]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Visit.visit_date")
    adverse_events: Mapped[list[AdverseEvent]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="AdverseEvent.onset_date")

    __mapper_args__ = {"version_id_col": version}


class Ulcer(Base):
    """One ulcer episode at one site; a recurrence links to the episode it follows."""

    __tablename__ = "ulcer"
    __table_args__ = (
        UniqueConstraint("patient_id", "site", "episode_no", name="site_episode"),
        CheckConstraint(one_of("etiology", ETIOLOGIES), name="etiology"),
        CheckConstraint(between("wagner_grade", 0, 5), name="wagner"),
        CheckConstraint(between("ut_grade", 0, 3), name="ut_grade"),
        CheckConstraint(one_of("ut_stage", ("A", "B", "C", "D")), name="ut_stage"),
        CheckConstraint(one_of("clinician_status", CLINICIAN_STATUSES), name="status"),
        CheckConstraint("episode_no >= 1", name="episode_no"),
    )

    id: Mapped[intpk]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"),
                                            index=True)
    site: Mapped[str] = mapped_column(String(60))
    episode_no: Mapped[int] = mapped_column(Integer, default=1)
    onset_date: Mapped[dt.date | None] = mapped_column(nullable=True)
    etiology: Mapped[str | None] = mapped_column(String(16))
    wagner_grade: Mapped[int | None] = mapped_column(Integer)
    ut_grade: Mapped[int | None] = mapped_column(Integer)
    ut_stage: Mapped[str | None] = mapped_column(String(1))
    clinician_status: Mapped[str | None] = mapped_column(String(16))
    recurrence_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("ulcer.id", ondelete="SET NULL"), nullable=True)
    notes: Mapped[long_text]
    created_at: Mapped[entry_time]

    patient: Mapped[Patient] = relationship(back_populates="ulcers")
    recurrence_of: Mapped[Ulcer | None] = relationship(remote_side="Ulcer.id")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="ulcer", cascade="all, delete-orphan")


Index("ix_patient_name_search", Patient.name_search)
