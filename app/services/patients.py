"""Patients: create, edit, find; MRNs compared after trimming, NFKC and case-folding."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.limits import (
    ERROR,
    Finding,
    Limit,
    check_range,
    normalise_mrn,
    patient_keys,
    validate_birth_date,
    validate_text,
)
from app.models import Patient
from app.models.vocab import ARMS, DIABETES_TYPES, SEXES
from app.services.actor import Actor
from app.services.audit import act_as
from app.services.errors import StaleEdit, ValidationFailed


@dataclass(frozen=True)
class PatientInput:
    mrn: str
    name: str
    birth_date: dt.date | None = None
    sex: str | None = None
    diabetes_type: str | None = None
    diabetes_duration_years: float | None = None
    hba1c_enrolment_pct: float | None = None
    pad: bool = False
    neuropathy: bool = False
    smoking: bool = False
    ckd: bool = False
    contact: str | None = None
    notes: str | None = None
    arm: str | None = None


def _choice(field: str, value: str | None, allowed: tuple[str, ...]) -> list[Finding]:
    if value is None or value in allowed:
        return []
    return [Finding(field, f"must be one of {', '.join(allowed)}")]


def validate_patient(data: PatientInput, *, today: dt.date) -> list[Finding]:
    """Every field-level problem of a patient's details (no database look-up)."""
    findings = validate_text("mrn", data.mrn.strip() if data.mrn else data.mrn, required=True)
    findings += validate_text("name", data.name.strip() if data.name else data.name,
                              required=True)
    findings += validate_text("contact", data.contact)
    findings += validate_text("notes", data.notes)
    findings += validate_birth_date(data.birth_date, today=today)
    findings += _choice("sex", data.sex, SEXES)
    findings += _choice("diabetes_type", data.diabetes_type, DIABETES_TYPES)
    findings += _choice("arm", data.arm, ARMS)
    findings += check_range("diabetes_duration_years", data.diabetes_duration_years,
                            Limit(0, 120, "years"), "diabetes duration")
    findings += check_range("hba1c_enrolment_pct", data.hba1c_enrolment_pct,
                            Limit(2, 25, "%"), "HbA1c")
    return findings


def find_by_mrn(session: Session, mrn: str) -> Patient | None:
    return session.scalar(select(Patient).where(Patient.mrn_key == normalise_mrn(mrn)))


def duplicate_finding(existing: Patient) -> Finding:
    return Finding("mrn", f"MRN already belongs to {existing.name} ({existing.mrn})", ERROR)


def create_patient(session: Session, data: PatientInput, *, actor: Actor,
                   today: dt.date | None = None) -> Patient:
    """Add a patient after validation; a duplicate MRN names the existing patient."""
    actor.require("register")
    act_as(session, actor)
    findings = validate_patient(data, today=today or dt.date.today())
    if not any(f.field == "mrn" for f in findings):
        existing = find_by_mrn(session, data.mrn)
        if existing is not None:
            findings.append(duplicate_finding(existing))
    if any(f.is_error for f in findings):
        raise ValidationFailed(findings)
    values = {f.name: getattr(data, f.name) for f in fields(PatientInput)}
    patient = Patient(**(values | patient_keys(data.mrn, data.name)))
    session.add(patient)
    session.flush()
    return patient


def update_patient(session: Session, patient_id: int, data: PatientInput, *, actor: Actor,
                   expected_version: int | None = None, today: dt.date | None = None) -> Patient:
    actor.require("register")
    act_as(session, actor)
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise ValidationFailed([Finding("mrn", "patient no longer exists")])
    if expected_version is not None and patient.version != expected_version:
        raise StaleEdit(f"changed by another user at {patient.updated_at:%Y-%m-%d %H:%M} UTC, "
                        "reload")
    findings = validate_patient(data, today=today or dt.date.today())
    other = find_by_mrn(session, data.mrn)
    if other is not None and other.id != patient_id:
        findings.append(duplicate_finding(other))
    if any(f.is_error for f in findings):
        raise ValidationFailed(findings)
    for f in fields(PatientInput):
        setattr(patient, f.name, getattr(data, f.name))
    for key, value in patient_keys(data.mrn, data.name).items():
        setattr(patient, key, value)
    session.flush()
    return patient
