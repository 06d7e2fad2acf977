"""Import of the visit-sheet CSV: all or nothing, every bad cell named (export: *_export).

The import reads and checks the whole sheet first (every row, against the database's
patients, visits and each ulcer's history), and writes nothing unless nothing is wrong; then
every visit is built and written in one flush (bench/README.md).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

from app.db import Database
from app.domain.episodes import AssessmentPoint
from app.domain.limits import normalise_mrn, patient_keys, site_key
from app.interop import visit_sheet as sheet
from app.models import Assessment, Patient, Ulcer, Visit
from app.services.actor import Actor
from app.services.audit import act_as
from app.services.bulk_ids import assign_ids
from app.services.episodes import resync_sites
from app.services.errors import UserError
from app.services.patients import PatientInput, validate_patient
from app.services.settings import load_settings
from app.services.visit_input import VisitInput, validate_visit_input
from app.services.visit_sheet_rows import ImportRejected as ImportRejected
from app.services.visit_sheet_rows import ImportReport as ImportReport
from app.services.visit_sheet_rows import SheetProblem as SheetProblem
from app.services.visit_sheet_rows import (
    _agree,
    _assessment_input,
    _column_for,
    _compare_with_stored,
    _episode_problems,
    _merge_into_stored,
    _merged,
    _patient_input,
    _point,
    _previous_areas,
    _row_for,
    _visit_input,
    _VisitGroup,
)
from app.services.visits import write_visit

MAX_REPORTED = 200


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


def import_visit_sheet(db: Database, text: str, *, actor: Actor,
                       today: dt.date | None = None) -> ImportReport:
    """Validate the whole sheet, then write it in one transaction, or raise ImportRejected."""
    actor.require("record")
    rows, problems = parse_rows(text)
    if any(p.row is None for p in problems):
        raise ImportRejected(problems[:MAX_REPORTED])
    # Rows without their keys cannot be placed; every other row is still checked in full.
    rows = [r for r in rows if all(c in r.values for c in sheet.REQUIRED)]
    sheet_import = _SheetImport(rows, problems, today=today or dt.date.today())
    with db.write() as session:
        act_as(session, actor)
        sheet_import.check(session)
        sheet_import.write(session, actor)
    return sheet_import.report


class _SheetImport:
    """One import's rows grouped by patient and by visit, what the checks found, and what was
    written; `check` raises ImportRejected before anything is written."""

    def __init__(self, rows: list[sheet.SheetRow], problems: list[SheetProblem], *,
                 today: dt.date):
        self.rows, self.problems, self.today = rows, problems, today
        self.report = ImportReport(rows=len(rows), assessments=len(rows))  # a row: one
        self.by_patient: dict[str, list[sheet.SheetRow]] = defaultdict(list)
        self.groups: dict[tuple[str, dt.date], _VisitGroup] = {}
        for row in rows:
            key = (normalise_mrn(row.values["mrn"]), row.values["visit_date"])
            self.by_patient[key[0]].append(row)
            self.groups.setdefault(key, _VisitGroup(*key)).rows.append(row)
        self.patient_inputs: dict[str, PatientInput] = {}
        self.seen_sites: dict[tuple[str, dt.date, str], int] = {}
        self.history: dict[tuple[str, str], list[AssessmentPoint]] = defaultdict(list)
        self.existing_visits: dict[tuple[str, dt.date], Visit] = {}
        self.visit_inputs: list[tuple[_VisitGroup, VisitInput]] = []

    # -- checking -----------------------------------------------------------------------------
    def check(self, session) -> None:
        self.settings = load_settings(session)
        self.existing_patients = {p.mrn_key: p for p in session.scalars(
            select(Patient).where(Patient.mrn_key.in_(list(self.by_patient))))}
        for key, patient_rows in self.by_patient.items():
            self._check_patient(key, patient_rows)
        self._check_repeated_sites()
        if self.existing_patients:
            self._read_stored_history(session)
        self._warn_of_site_variants()  # before the sheet's rows join the stored history
        method = self.settings.area_method
        for row in self.rows:
            a = _assessment_input(row)
            self.history[(normalise_mrn(row.values["mrn"]), a.site.strip())].append(
                _point(a.length_cm, a.width_cm, a.traced_area_cm2, a.closed,
                       row.values["visit_date"], row.number, method))
        for group in self.groups.values():
            self._check_visit(group)
        self.problems += _episode_problems(self.history)
        if self.problems:
            self.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
            raise ImportRejected(self.problems[:MAX_REPORTED])

    def _check_patient(self, key: str, patient_rows: list[sheet.SheetRow]) -> None:
        """A new patient is validated; a known one must agree with what is stored."""
        self.problems += _agree(patient_rows, sheet.PATIENT_LEVEL, "patient")
        merged = sheet.SheetRow(patient_rows[0].number, {
            c: _merged(patient_rows, c) for c in ("mrn", *sheet.PATIENT_LEVEL)
            if _merged(patient_rows, c) is not None})
        existing = self.existing_patients.get(key)
        first = patient_rows[0].number
        if existing is None:
            data = _patient_input(merged)
            for finding in validate_patient(data, today=self.today):
                column = {"name": "patient_name"}.get(finding.field, finding.field)
                self.problems.append(SheetProblem(first, column, finding.message))
            self.patient_inputs[key] = data
            return
        stored = {"patient_name": existing.name, "birth_date": existing.birth_date,
                  "sex": existing.sex, "diabetes_type": existing.diabetes_type,
                  "arm": existing.arm}
        for column, value in stored.items():
            given = merged.values.get(column)
            if given is not None and given != value:
                self.problems.append(SheetProblem(
                    first, column, f"disagrees with the stored patient {existing.mrn} "
                                   f"({value if value is not None else 'empty'})"))

    def _warn_of_site_variants(self) -> None:
        """Warn of a row whose site differs from one of the patient's stored ulcers (the
        history just read), or from an earlier row's site, only in letter case or spacing
        (app.domain.limits.site_key). The row is imported as written: a sheet's site is a free
        label, compared exactly as recorded (docs/metrics.md), so the summary of an imported
        sheet is the same whatever program computes it; the warning asks staff to check."""
        stored: dict[str, set[str]] = defaultdict(set)
        labels: dict[tuple[str, str], str] = {}  # (patient, site key) -> the first label seen
        for key, site in sorted(self.history):
            stored[key].add(site)
            labels.setdefault((key, site_key(site)), site)
        for row in sorted(self.rows, key=lambda r: r.number):
            key, typed = normalise_mrn(row.values["mrn"]), row.values["ulcer_site"].strip()
            other = labels.setdefault((key, site_key(typed)), typed)
            if other != typed and typed not in stored[key]:
                self.report.warnings.append(SheetProblem(
                    row.number, "ulcer_site",
                    f"{typed} and {other} differ only in letter case or spacing: imported as "
                    "written, a separate site; if they are one ulcer, correct the sheet"))

    def _check_repeated_sites(self) -> None:
        for group in self.groups.values():
            self.problems += _agree(group.rows, sheet.VISIT_LEVEL, "visit")
            for row in group.rows:
                site_key = (group.mrn_key, group.visit_date, row.values["ulcer_site"].strip())
                if site_key in self.seen_sites:
                    self.problems.append(SheetProblem(
                        row.number, "ulcer_site",
                        f"repeats row {self.seen_sites[site_key]} (same MRN, date and site)"))
                self.seen_sites.setdefault(site_key, row.number)

    def _read_stored_history(self, session) -> None:
        """Stored assessments: the history each site continues, and duplicates refused."""
        ids = {p.id: key for key, p in self.existing_patients.items()}
        for assessment, site, on, visit in session.execute(
                select(Assessment, Ulcer.site, Visit.visit_date, Visit)
                .join(Visit, Assessment.visit_id == Visit.id)
                .join(Ulcer, Assessment.ulcer_id == Ulcer.id)
                .where(Visit.patient_id.in_(list(ids)), Visit.deleted_at.is_(None))):
            key = ids[visit.patient_id]
            self.existing_visits[(key, on)] = visit
            self.history[(key, site)].append(_point(
                assessment.length_cm, assessment.width_cm, assessment.traced_area_cm2,
                assessment.closed, on, None, self.settings.area_method))
        for visit in session.scalars(select(Visit).where(Visit.patient_id.in_(list(ids)),
                                                         Visit.deleted_at.is_(None))):
            self.existing_visits[(ids[visit.patient_id], visit.visit_date)] = visit
        for (key, on, site), number in self.seen_sites.items():
            if any(pt.on == on for pt in self.history.get((key, site), ())):
                self.problems.append(SheetProblem(
                    number, "ulcer_site", "this MRN, date and site are already in the database"))

    def _check_visit(self, group: _VisitGroup) -> None:
        """The visit service's own validation, each finding placed on its row and column."""
        existing = self.existing_patients.get(group.mrn_key)
        birth_date = (existing.birth_date if existing
                      else self.patient_inputs[group.mrn_key].birth_date)
        data = _visit_input(group, patient_id=existing.id if existing else 0)
        stored_visit = self.existing_visits.get((group.mrn_key, group.visit_date))
        if stored_visit is not None:
            self.problems += _compare_with_stored(group, stored_visit)
        previous = _previous_areas(self.history, group)
        for finding in validate_visit_input(
                data, birth_date=birth_date, today=self.today,
                method=self.settings.area_method, ranges=self.settings.reference_ranges,
                previous_areas=previous, sites_as_written=True):
            problem = SheetProblem(_row_for(group, finding), _column_for(finding),
                                   finding.message)
            (self.problems if finding.is_error else self.report.warnings).append(problem)
        self.visit_inputs.append((group, data))

    # -- writing ------------------------------------------------------------------------------
    def write(self, session, actor: Actor) -> None:
        """New patients, then every visit built in memory and written in one flush."""
        patients = dict(self.existing_patients)
        for key, data in self.patient_inputs.items():
            patient = Patient(**patient_keys(data.mrn, data.name), birth_date=data.birth_date,
                              sex=data.sex, diabetes_type=data.diabetes_type, arm=data.arm)
            session.add(patient)
            patients[key] = patient
            self.report.patients_created += 1
        session.flush()
        touched, caches = defaultdict(set), defaultdict(dict)
        with session.no_autoflush:  # all visits built, then one flush (bench/README.md)
            for group, data in sorted(self.visit_inputs, key=lambda item: item[0].rows[0].number):
                patient = patients[group.mrn_key]
                data = data.with_changes(patient_id=patient.id)
                visit = self.existing_visits.get((group.mrn_key, group.visit_date))
                if visit is None:
                    session.add(visit := Visit(patient_id=patient.id, created_by=actor.username,
                                               assessments=[], lab_results=[], treatments=[]))
                    self.report.visits_created += 1
                else:
                    data = _merge_into_stored(visit, data)
                write_visit(session, visit, data, actor=actor,
                            ranges=self.settings.reference_ranges,
                            ulcer_cache=caches[patient.id], flush=False)
                touched[patient.id] |= {a.site.strip() for a in data.assessments}
            assign_ids(session)  # one executemany a table (app/services/bulk_ids.py)
        session.flush()
        for patient_id in sorted(touched):
            resync_sites(session, patient_id, touched[patient_id])
