"""The audit trail in the clinic's words, for the chart's Audit tab (issue 11, "Smaller things").

`list_audit` keeps the stored names (table, row id, column) for `audit --json`; this module
says which record a row is about ("visit of 2026-03-02", "CRP (mg/L) of 2026-03-02", "ulcer
right heel (L-heel)") and what its field and values mean, using the labels of app.domain.labels.
Times stay UTC here; the window shows them in local time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.labels import analyte_label, field_label, site_label
from app.models import AdverseEvent, Assessment, LabResult, Treatment, Ulcer, Visit
from app.models.visit import PerfusionImaging
from app.services.audit import AuditRecord, list_audit

TABLE_WORDS = {"patient": "patient", "visit": "visit", "ulcer": "ulcer",
               "assessment": "assessment", "lab_result": "lab result",
               "perfusion_imaging": "perfusion and imaging", "treatment": "treatment",
               "adverse_event": "adverse event", "setting": "setting",
               "reference_range": "reference range", "app_user": "user"}
BOOLEAN_WORDS = {"true": "yes", "false": "no"}


@dataclass(frozen=True)
class AuditLine:
    """One audit row as the Audit tab shows it."""

    record: AuditRecord
    what: str  # the record the row is about, in words
    field: str  # the field's label
    old: str
    new: str

    @property
    def at_utc(self) -> dt.datetime:
        return self.record.at.replace(tzinfo=dt.timezone.utc)


@dataclass
class _Context:
    visits: dict[int, dt.date]
    ulcers: dict[int, str]
    labs: dict[int, tuple[int, str]]  # id → (visit id, analyte)
    rows: dict[str, dict[int, tuple[int | None, int | None]]]  # table → {id: (visit, ulcer)}


def _context(session: Session, patient_id: int) -> _Context:
    visits = dict(session.execute(select(Visit.id, Visit.visit_date)
                                  .where(Visit.patient_id == patient_id)).all())
    ulcers = dict(session.execute(select(Ulcer.id, Ulcer.site)
                                  .where(Ulcer.patient_id == patient_id)).all())
    ids = list(visits)
    labs = {row.id: (row.visit_id, row.analyte) for row in session.execute(
        select(LabResult.id, LabResult.visit_id, LabResult.analyte)
        .where(LabResult.visit_id.in_(ids)))}
    rows: dict[str, dict[int, tuple[int | None, int | None]]] = {}
    for table, model in (("assessment", Assessment), ("treatment", Treatment)):
        rows[table] = {row.id: (row.visit_id, row.ulcer_id) for row in session.execute(
            select(model.id, model.visit_id, model.ulcer_id).where(model.visit_id.in_(ids)))}
    for table, model in (("adverse_event", AdverseEvent), ("perfusion_imaging", PerfusionImaging)):
        rows[table] = {row.id: (row.visit_id, None) for row in session.execute(
            select(model.id, model.visit_id).where(model.visit_id.in_(ids)))}
    return _Context(visits, ulcers, labs, rows)


def _visit_words(context: _Context, visit_id: int | None) -> str | None:
    day = context.visits.get(visit_id) if visit_id is not None else None
    return f"visit of {day.isoformat()}" if day else None


def _ulcer_words(context: _Context, ulcer_id: int | None) -> str | None:
    site = context.ulcers.get(ulcer_id) if ulcer_id is not None else None
    if site is None:
        return None
    words = site_label(site)
    return f"ulcer {words}" if words == site else f"ulcer {words} ({site})"


def _row_id(record: AuditRecord) -> int | None:
    try:
        return int(record.row_id) if record.row_id is not None else None
    except ValueError:
        return None


def _what(record: AuditRecord, context: _Context) -> str:
    """The record a row is about, in words; the stored table and id when it is gone."""
    if not record.table:
        return "—"
    row = _row_id(record)
    table = record.table
    words: str | None = None
    if table == "visit":
        words = _visit_words(context, row)
    elif table == "ulcer":
        words = _ulcer_words(context, row)
    elif table == "patient":
        words = "patient record"
    elif table == "lab_result" and row in context.labs:
        visit_id, analyte = context.labs[row]
        day = context.visits.get(visit_id)
        words = f"{analyte_label(analyte)}" + (f" of {day.isoformat()}" if day else "")
    elif row is not None and row in context.rows.get(table, {}):
        visit_id, ulcer_id = context.rows[table][row]
        day = context.visits.get(visit_id) if visit_id is not None else None
        site = context.ulcers.get(ulcer_id) if ulcer_id is not None else None
        words = " · ".join(x for x in (
            TABLE_WORDS.get(table, table) + (f" of {day.isoformat()}" if day else ""),
            site_label(site) if site else None) if x)
    return words or f"{TABLE_WORDS.get(table, table.replace('_', ' '))} {record.row_id or ''}"\
        .strip()


def _value(record: AuditRecord, value: str | None, context: _Context) -> str:
    """A stored value in words: ids as the visit or ulcer they name, analytes by label."""
    if value is None:
        return ""
    name = record.field
    number = int(value) if value.isdigit() else None
    if name == "patient_id":
        return "this patient"
    if name == "visit_id":
        return _visit_words(context, number) or value
    if name == "ulcer_id":
        return _ulcer_words(context, number) or value
    if name == "analyte":
        return analyte_label(value)
    if name == "site":
        words = site_label(value)
        return words if words == value else f"{words} ({value})"
    if name.endswith("sha256"):  # a photo's bytes by their hash: the start names them
        return f"{value[:12]}…" if len(value) > 12 else value
    if name.endswith("_json"):
        return _json_words(name, value)
    return BOOLEAN_WORDS.get(value, value)


def _json_words(name: str, value: str) -> str:
    """A photo's outline or calibration in a few words (the full value stays in the trail)."""
    import json

    try:
        parsed = json.loads(value)
    except ValueError:
        return value[:40] + ("…" if len(value) > 40 else "")
    if name == "outline_json" and isinstance(parsed, list):
        return f"outline of {len(parsed)} points"
    if name == "calibration_json" and isinstance(parsed, dict):
        method = parsed.get("method") or "calibrated"
        per_cm = parsed.get("px_per_cm")
        return f"{method}, {per_cm:.1f} px/cm" if isinstance(per_cm, (int, float)) else method
    return "(structured value)"


def _field(record: AuditRecord, context: _Context) -> str:
    """The field's label; a lab result's value is named by its analyte ("CRP (mg/L)")."""
    row = _row_id(record)
    if record.table == "lab_result" and record.field == "value" and row in context.labs:
        return analyte_label(context.labs[row][1])
    return field_label(record.field)


def load_audit_lines(session: Session, patient_id: int) -> list[AuditLine]:
    """The patient's trail, oldest first, each row in words."""
    records = list_audit(session, patient_id=patient_id)
    context = _context(session, patient_id)
    return [AuditLine(r, _what(r, context), _field(r, context), _value(r, r.old, context),
                      _value(r, r.new, context)) for r in records]
