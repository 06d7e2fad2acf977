"""The visit sheet's rows and findings: what each row is as service input, where a finding
belongs on the sheet, and the problems and report an import gives back (docs/product.md
"Visit-sheet CSV"). Used by app.services.visit_sheet, which imports the sheet."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.domain.analytes import ANALYTES
from app.domain.episodes import AssessmentPoint, split_episodes
from app.domain.limits import Finding
from app.domain.wound import area_cm2, is_closed
from app.interop import visit_sheet as sheet
from app.models import Visit
from app.services.errors import UserError
from app.services.patients import PatientInput
from app.services.visit_input import AssessmentInput, LabInput, TreatmentInput, VisitInput


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
