"""Import of the visit-sheet CSV: all or nothing, every bad cell named (export: *_export)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.db import Database
from app.domain.analytes import ANALYTES
from app.domain.episodes import AssessmentPoint, split_episodes
from app.domain.limits import Finding, fold_for_search, normalise_mrn
from app.domain.wound import area_cm2, is_closed
from app.interop import visit_sheet as sheet
from app.models import Assessment, Patient, Ulcer, Visit
from app.services.actor import Actor
from app.services.audit import act_as
from app.services.bulk_ids import assign_ids
from app.services.episodes import resync_sites
from app.services.errors import UserError
from app.services.patients import PatientInput, validate_patient
from app.services.settings import load_settings
from app.services.visit_input import (
    AssessmentInput,
    LabInput,
    TreatmentInput,
    VisitInput,
    validate_visit_input,
)
from app.services.visits import write_visit

MAX_REPORTED = 200


@dataclass(frozen=True)
class SheetProblem:
    row: int | None  # data row number (1 = first row after the header); None for the header
    column: str | None
    message: str

    def __str__(self) -> str:
        where = "header" if self.row is None else f"row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ImportRejected(UserError):
    """The sheet was refused whole; `problems` names every bad row and column."""

    def __init__(self, problems: list[SheetProblem]):
        self.problems = problems
        super().__init__(f"import refused, nothing was imported: {len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''}")


@dataclass
class ImportReport:
    rows: int = 0
    patients_created: int = 0
    visits_created: int = 0
    assessments: int = 0
    warnings: list[SheetProblem] = field(default_factory=list)


@dataclass
class _VisitGroup:
    mrn_key: str
    visit_date: dt.date
    rows: list[sheet.SheetRow] = field(default_factory=list)


def read_sheet_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 "
                        "CSV") from None


def parse_rows(text: str) -> tuple[list[sheet.SheetRow], list[SheetProblem]]:
    header, raw_rows = sheet.read_sheet(text)
    problems = [SheetProblem(None, None, p) for p in sheet.header_problems(header)]
    if problems:
        return [], problems
    rows = []
    for number, raw in enumerate(raw_rows, start=1):
        row = sheet.SheetRow(number=number, raw=raw)
        if int(raw.pop("__width__")) > len(header):
            problems.append(SheetProblem(number, None, "more cells than the header has columns"))
        for column in header:
            text_value = raw.get(column, "")
            if text_value.strip() == "":
                continue
            try:
                row.values[column] = sheet.parse_cell(column, text_value.strip()
                                                      if column not in ("patient_name", "notes")
                                                      else text_value)
            except sheet.CellError as exc:
                problems.append(SheetProblem(number, column, str(exc)))
        for column in sheet.REQUIRED:
            if column not in row.values and not any(p.row == number and p.column == column
                                                    for p in problems):
                problems.append(SheetProblem(number, column, "is required"))
        rows.append(row)
    if not rows and not problems:
        problems.append(SheetProblem(None, None, "the sheet has no data rows"))
    return rows, problems


def _patient_input(row: sheet.SheetRow) -> PatientInput:
    v = row.values
    return PatientInput(mrn=v["mrn"], name=v.get("patient_name", ""),
                        birth_date=v.get("birth_date"), sex=v.get("sex"),
                        diabetes_type=v.get("diabetes_type"), arm=v.get("arm"))


def _assessment_input(row: sheet.SheetRow) -> AssessmentInput:
    v = row.values
    return AssessmentInput(
        site=v["ulcer_site"], length_cm=v.get("length_cm"), width_cm=v.get("width_cm"),
        depth_cm=v.get("depth_cm"), traced_area_cm2=v.get("traced_area_cm2"),
        closed=v.get("closed") == "yes",
        method="tracing" if v.get("traced_area_cm2") is not None else "ruler",
        granulation_pct=v.get("granulation_pct"), epithelial_pct=v.get("epithelial_pct"),
        slough_pct=v.get("slough_pct"), necrotic_pct=v.get("necrotic_pct"))


def _treatment_input(row: sheet.SheetRow) -> TreatmentInput | None:
    v = row.values
    if not any(c in v for c in sheet.EXOSOME_COLUMNS):
        return None
    return TreatmentInput(site=v["ulcer_site"], exosome_route=v.get("exosome_route"),
                          exosome_dose=v.get("exosome_dose"), exosome_lot=v.get("exosome_lot"),
                          exosome_dose_unit="particles" if "exosome_dose" in v else None)


def _agree(rows: list[sheet.SheetRow], columns, what: str) -> list[SheetProblem]:
    """Values that must be the same on every row of `rows` (empty cells do not count)."""
    problems = []
    for column in columns:
        first: dict[str, Any] = {}
        for row in rows:
            if column in row.values:
                if not first:
                    first = {"row": row.number, "value": row.values[column]}
                elif row.values[column] != first["value"]:
                    message = f"disagrees with row {first['row']} of the same {what}"
                    problems.append(SheetProblem(row.number, column, message))
    return problems


def _merged(rows: list[sheet.SheetRow], column: str):
    return next((r.values[column] for r in rows if column in r.values), None)


def import_visit_sheet(db: Database, text: str, *, actor: Actor,
                       today: dt.date | None = None) -> ImportReport:
    """Validate the whole sheet, then write it in one transaction, or raise ImportRejected."""
    actor.require("record")
    today = today or dt.date.today()
    rows, problems = parse_rows(text)
    if any(p.row is None for p in problems):
        raise ImportRejected(problems[:MAX_REPORTED])
    # Rows without their keys cannot be placed; every other row is still checked in full.
    rows = [r for r in rows if all(c in r.values for c in sheet.REQUIRED)]
    report = ImportReport(rows=len(rows), assessments=len(rows))  # a row is an assessment

    by_patient: dict[str, list[sheet.SheetRow]] = defaultdict(list)
    groups: dict[tuple[str, dt.date], _VisitGroup] = {}
    for row in rows:
        key = (normalise_mrn(row.values["mrn"]), row.values["visit_date"])
        by_patient[key[0]].append(row)
        groups.setdefault(key, _VisitGroup(*key)).rows.append(row)

    with db.write() as session:
        act_as(session, actor)
        settings = load_settings(session)
        existing_patients = {p.mrn_key: p for p in session.scalars(
            select(Patient).where(Patient.mrn_key.in_(list(by_patient))))}

        patient_inputs: dict[str, PatientInput] = {}
        for key, patient_rows in by_patient.items():
            problems += _agree(patient_rows, sheet.PATIENT_LEVEL, "patient")
            merged = sheet.SheetRow(patient_rows[0].number, {
                c: _merged(patient_rows, c) for c in ("mrn", *sheet.PATIENT_LEVEL)
                if _merged(patient_rows, c) is not None})
            existing = existing_patients.get(key)
            first = patient_rows[0].number
            if existing is None:
                data = _patient_input(merged)
                for finding in validate_patient(data, today=today):
                    column = {"name": "patient_name"}.get(finding.field, finding.field)
                    problems.append(SheetProblem(first, column, finding.message))
                patient_inputs[key] = data
            else:
                stored = {"patient_name": existing.name, "birth_date": existing.birth_date,
                          "sex": existing.sex, "diabetes_type": existing.diabetes_type,
                          "arm": existing.arm}
                for column, value in stored.items():
                    given = merged.values.get(column)
                    if given is not None and given != value:
                        problems.append(SheetProblem(
                            first, column, f"disagrees with the stored patient {existing.mrn} "
                                           f"({value if value is not None else 'empty'})"))

        seen_sites: dict[tuple[str, dt.date, str], int] = {}
        for group in groups.values():
            problems += _agree(group.rows, sheet.VISIT_LEVEL, "visit")
            for row in group.rows:
                site_key = (group.mrn_key, group.visit_date, row.values["ulcer_site"].strip())
                if site_key in seen_sites:
                    problems.append(SheetProblem(row.number, "ulcer_site",
                                                 f"repeats row {seen_sites[site_key]} (same MRN,"
                                                 " date and site)"))
                seen_sites.setdefault(site_key, row.number)

        # Existing assessments: duplicates, and the history each site continues.
        history: dict[tuple[str, str], list[AssessmentPoint]] = defaultdict(list)
        existing_visits: dict[tuple[str, dt.date], Visit] = {}
        if existing_patients:
            ids = {p.id: key for key, p in existing_patients.items()}
            for assessment, site, on, visit in session.execute(
                    select(Assessment, Ulcer.site, Visit.visit_date, Visit)
                    .join(Visit, Assessment.visit_id == Visit.id)
                    .join(Ulcer, Assessment.ulcer_id == Ulcer.id)
                    .where(Visit.patient_id.in_(list(ids)), Visit.deleted_at.is_(None))):
                key = ids[visit.patient_id]
                existing_visits[(key, on)] = visit
                history[(key, site)].append(_point(assessment.length_cm, assessment.width_cm,
                                                   assessment.traced_area_cm2, assessment.closed,
                                                   on, None, settings.area_method))
            for visit in session.scalars(select(Visit).where(Visit.patient_id.in_(list(ids)),
                                                             Visit.deleted_at.is_(None))):
                existing_visits[(ids[visit.patient_id], visit.visit_date)] = visit
            for site_key, number in seen_sites.items():
                key, on, site = site_key
                if any(pt.on == on for pt in history.get((key, site), ())):
                    problems.append(SheetProblem(number, "ulcer_site",
                                                 "this MRN, date and site are already in the "
                                                 "database"))

        for row in rows:
            a = _assessment_input(row)
            history[(normalise_mrn(row.values["mrn"]), a.site.strip())].append(
                _point(a.length_cm, a.width_cm, a.traced_area_cm2, a.closed,
                       row.values["visit_date"], row.number, settings.area_method))

        visit_inputs: list[tuple[_VisitGroup, VisitInput]] = []
        for group in groups.values():
            existing = existing_patients.get(group.mrn_key)
            birth_date = (existing.birth_date if existing
                          else patient_inputs[group.mrn_key].birth_date)
            data = _visit_input(group, patient_id=existing.id if existing else 0)
            stored_visit = existing_visits.get((group.mrn_key, group.visit_date))
            if stored_visit is not None:
                problems += _compare_with_stored(group, stored_visit)
            previous = _previous_areas(history, group)
            for finding in validate_visit_input(
                    data, birth_date=birth_date, today=today, method=settings.area_method,
                    ranges=settings.reference_ranges, previous_areas=previous):
                target = _row_for(group, finding)
                problem = SheetProblem(target, _column_for(finding), finding.message)
                (problems if finding.is_error else report.warnings).append(problem)
            visit_inputs.append((group, data))

        problems += _episode_problems(history)
        if problems:
            problems.sort(key=lambda p: (p.row or 0, p.column or ""))
            raise ImportRejected(problems[:MAX_REPORTED])

        patients = dict(existing_patients)
        for key, data in patient_inputs.items():
            patient = Patient(mrn=data.mrn.strip(), mrn_key=key, name=data.name.strip(),
                              name_search=fold_for_search(data.name), birth_date=data.birth_date,
                              sex=data.sex, diabetes_type=data.diabetes_type, arm=data.arm)
            session.add(patient)
            patients[key] = patient
            report.patients_created += 1
        session.flush()
        touched, caches = defaultdict(set), defaultdict(dict)
        with session.no_autoflush:  # all visits built, then one flush (bench/README.md)
            for group, data in sorted(visit_inputs, key=lambda item: item[0].rows[0].number):
                patient = patients[group.mrn_key]
                data = data.with_changes(patient_id=patient.id)
                visit = existing_visits.get((group.mrn_key, group.visit_date))
                if visit is None:
                    session.add(visit := Visit(patient_id=patient.id, created_by=actor.username,
                                               assessments=[], lab_results=[], treatments=[]))
                    report.visits_created += 1
                else:
                    data = _merge_into_stored(visit, data)
                write_visit(session, visit, data, actor=actor, ranges=settings.reference_ranges,
                            ulcer_cache=caches[patient.id], flush=False)
                touched[patient.id] |= {a.site.strip() for a in data.assessments}
            assign_ids(session)  # one executemany a table (app/services/bulk_ids.py)
        session.flush()
        for patient_id in sorted(touched):
            resync_sites(session, patient_id, touched[patient_id])
    return report


def _point(length, width, traced, closed_marked, on, row_number, method) -> AssessmentPoint:
    closed = is_closed(closed_marked=closed_marked, length_cm=length, width_cm=width)
    area = area_cm2(length_cm=length, width_cm=width, traced_area_cm2=traced, closed=closed,
                    method=method)
    return AssessmentPoint(on=on, area_cm2=area or 0.0, perimeter_cm=0.0, closed=closed,
                           key=row_number)


def _episode_problems(history) -> list[SheetProblem]:
    problems = []
    for (_key, site), points in history.items():
        for episode in split_episodes(points):
            baseline = episode[0]
            if baseline.area_cm2 == 0 and baseline.key is not None:
                problems.append(SheetProblem(
                    baseline.key, "ulcer_site",
                    f"{site} starts an episode with no open wound (area 0): a baseline needs "
                    "an area above 0"))
    return problems


def _previous_areas(history, group: _VisitGroup) -> dict[str, float | None]:
    """Each site's area at its latest assessment before this visit (stored or in the sheet)."""
    previous: dict[str, float | None] = {}
    for row in group.rows:
        site = row.values["ulcer_site"].strip()
        earlier = [p for p in history.get((group.mrn_key, site), ()) if p.on < group.visit_date]
        if earlier:
            previous[site] = max(earlier, key=lambda p: p.on).area_cm2
    return previous


def _visit_input(group: _VisitGroup, *, patient_id: int) -> VisitInput:
    rows = group.rows
    labs = tuple(LabInput(column, _merged(rows, column)) for column in ANALYTES
                 if _merged(rows, column) is not None)
    treatments = tuple(t for t in (_treatment_input(r) for r in rows) if t is not None)
    return VisitInput(patient_id=patient_id, visit_date=group.visit_date,
                      vas=_merged(rows, "vas"), notes=_merged(rows, "notes"),
                      assessments=tuple(_assessment_input(r) for r in rows), labs=labs,
                      treatments=treatments)


def _row_for(group: _VisitGroup, finding: Finding) -> int:
    index = finding.index
    if index is not None and finding.field not in ANALYTES and index < len(group.rows):
        if finding.field.startswith("exosome_") or finding.field == "site":
            with_treatment = [r for r in group.rows
                              if any(c in r.values for c in sheet.EXOSOME_COLUMNS)]
            return (with_treatment[index].number if index < len(with_treatment)
                    else group.rows[0].number)
        return group.rows[index].number
    if finding.field in ANALYTES or finding.field in ("vas", "notes"):
        return next((r.number for r in group.rows if finding.field in r.values),
                    group.rows[0].number)
    return group.rows[0].number


_FIELD_TO_COLUMN = {"area": "length_cm", "name": "patient_name", "site": "ulcer_site",
                    "exosome_volume_ml": "exosome_dose"}


def _column_for(finding: Finding) -> str:
    column = _FIELD_TO_COLUMN.get(finding.field, finding.field)
    if column not in sheet.HEADER and column == "next_visit_date":
        return "visit_date"
    return column


def _compare_with_stored(group: _VisitGroup, visit: Visit) -> list[SheetProblem]:
    """A new site on a visit already stored: its visit-level values must agree."""
    problems = []
    stored = {"vas": visit.vas, "notes": visit.notes}
    stored |= {lab.analyte: lab.value for lab in visit.lab_results}
    for row in group.rows:
        for column in sheet.VISIT_LEVEL:
            if column in row.values and column in stored and stored[column] is not None \
                    and stored[column] != row.values[column]:
                problems.append(SheetProblem(row.number, column,
                                             "disagrees with the visit already recorded"))
    return problems


def _merge_into_stored(visit: Visit, data: VisitInput) -> VisitInput:
    """Keep what the stored visit has and add the sheet's new sites and values."""
    kept = tuple(AssessmentInput(site=a.ulcer.site, **{f: getattr(a, f) for f in (
        "length_cm", "width_cm", "depth_cm", "traced_area_cm2", "closed", "method",
        "granulation_pct", "epithelial_pct", "slough_pct", "necrotic_pct", "exudate",
        "infection_signs", "periwound")}) for a in visit.assessments)
    labs = {lab.analyte: LabInput(lab.analyte, lab.raw_value,
                                  lab.raw_unit if lab.raw_unit != lab.unit else None)
            for lab in visit.lab_results}
    for lab in data.labs:
        labs.setdefault(lab.analyte, lab)
    kept_treatments = tuple(TreatmentInput(
        site=t.ulcer.site if t.ulcer else None, exosome_product=t.exosome_product,
        exosome_source=t.exosome_source, exosome_lot=t.exosome_lot, exosome_dose=t.exosome_dose,
        exosome_dose_unit=t.exosome_dose_unit, exosome_volume_ml=t.exosome_volume_ml,
        exosome_route=t.exosome_route, msc_cotherapy=t.msc_cotherapy,
        msc_cells_million=t.msc_cells_million, debridement=t.debridement, dressing=t.dressing,
        offloading=t.offloading, antibiotics=t.antibiotics) for t in visit.treatments)
    return data.with_changes(
        vas=visit.vas if visit.vas is not None else data.vas,
        notes=visit.notes or data.notes, next_visit_date=visit.next_visit_date,
        clinician=visit.clinician, assessments=kept + data.assessments,
        labs=tuple(labs.values()), treatments=kept_treatments + data.treatments)
