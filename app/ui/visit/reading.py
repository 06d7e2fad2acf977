"""Reading the visit form's state (app.ui.visit.state) into the visit it records.

Plain Python, no Qt: each typed value is read by app.domain.typed_input (numbers and ISO
dates, kept exactly or refused with the reason), and what cannot be read is returned as a
problem named by its draft key ("ulcer:L-heel:width_cm"), for the form to show under that
field. Every limit is checked afterwards by `validate_visit_input`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from app.domain.analytes import ANALYTES
from app.domain.limits import site_key
from app.domain.typed_input import DATE_PATTERN, parse_decimal, parse_iso_date
from app.services.visit_input import (
    AdverseEventInput,
    AssessmentInput,
    LabInput,
    PerfusionInput,
    TreatmentInput,
    VisitInput,
)
from app.ui.visit.state import UlcerEntry, VisitFormState

NEW_ULCER_SITE = "\x00new"  # the treated-site value that stands for the new ulcer's site
SIZE_NUMBERS = ("length_cm", "width_cm", "depth_cm", "traced_area_cm2", "granulation_pct",
                "epithelial_pct", "slough_pct", "necrotic_pct")
CHOICES = ("method", "exudate", "periwound", "etiology", "wagner_grade", "ut_grade", "ut_stage")
CLASSIFICATION = ("etiology", "wagner_grade", "ut_grade", "ut_stage")
EXOSOME_TEXT = ("exosome_product", "exosome_lot")
EXOSOME_CHOICES = ("exosome_source", "exosome_dose_unit", "exosome_route")
_RELATIVE_DAYS = re.compile(r"^\+\s*(\d{1,3})\s*([dw]?)$", re.IGNORECASE)


@dataclass
class Reading:
    """What was read, the ulcer entries it assesses (in VisitInput order), and the keys of the
    fields that could not be read, with the reason."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    assessed: list[UlcerEntry] = field(default_factory=list)

    def number(self, key: str, text: Any) -> float | None:
        value, problem = parse_decimal(str(text or ""))
        if problem:
            self.problems.append((key, problem))
        return value

    def date(self, key: str, text: Any, *, relative_to: dt.date | None = None
             ) -> dt.date | None:
        """An ISO date, or "+14" / "+2w" after `relative_to` (the next visit)."""
        cleaned = str(text or "").strip()
        match = _RELATIVE_DAYS.match(cleaned)
        if match and relative_to is not None:
            days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
            return relative_to + dt.timedelta(days=days)
        value, problem = parse_iso_date(cleaned)
        if problem:
            self.problems.append((key, problem))
        return value


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def has_entries(entry: UlcerEntry, initial: Mapping[str, Any] | None) -> bool:
    """Assessed at this visit: something was typed, or the edited visit assessed it."""
    if entry.saved:
        return any(v not in (None, "", False) for f, v in entry.values.items()
                   if f not in ("method", *CLASSIFICATION))
    return dict(entry.values) != dict(initial or {})


def repeated_sites(ulcers: tuple[UlcerEntry, ...]) -> dict[str, str]:
    """Each new ulcer whose typed site already has a section (an open ulcer's, or an earlier
    new ulcer's; compared by app.domain.limits.site_key, so letter case and spacing aside), by
    its key, with the reason. A site assessed twice would be saved as one, so such a section
    is refused at its site field and not read."""
    taken = {site_key(e.site): f"{e.site} already has its own section above: "
                               "measure it there" for e in ulcers if not e.is_new}
    repeated: dict[str, str] = {}
    for entry in ulcers:
        site = str(entry.values.get("ulcer_site") or "").strip() if entry.is_new else ""
        if site and site_key(site) in taken:
            repeated[entry.key] = taken[site_key(site)]
        elif site:
            taken[site_key(site)] = f"{site} is already added above: one section per site"
    return repeated


def read_assessment(entry: UlcerEntry, reading: Reading) -> AssessmentInput:
    values = entry.values
    numbers = {f: reading.number(f"{entry.key}:{f}", values.get(f)) for f in SIZE_NUMBERS}
    onset = reading.date(f"{entry.key}:onset_date", values.get("onset_date")) \
        if entry.is_new else None
    site = str(values.get("ulcer_site") or "").strip() if entry.is_new else entry.site
    return AssessmentInput(site=site, closed=bool(values.get("closed")),
                           infection_signs=bool(values.get("infection_signs")),
                           onset_date=onset, **numbers,
                           **{f: values.get(f) for f in CHOICES})


def new_ulcer_site_value(number: int) -> str:
    """The treated-site value that stands for the `number`-th new ulcer's typed site."""
    return NEW_ULCER_SITE if number == 1 else f"{NEW_ULCER_SITE}{number}"


def read_treatment(groups: Mapping[str, Any], new_sites: Mapping[str, str], reading: Reading
                   ) -> TreatmentInput | None:
    """The treatment typed; `new_sites`: each new ulcer's typed site by its treated-site
    value (new_ulcer_site_value)."""
    def value(name: str) -> Any:
        return groups.get(f"treatment:{name}")

    if not (value("exosome_given") or value("msc_cotherapy") or value("debridement")
            or any(_text(value(f)) for f in ("dressing", "offloading", "antibiotics"))):
        return None
    exosome: dict[str, Any] = {}
    if value("exosome_given"):
        exosome = {f: _text(value(f)) for f in EXOSOME_TEXT}
        exosome |= {f: value(f) for f in EXOSOME_CHOICES}
        exosome |= {f: reading.number(f"treatment:{f}", value(f))
                    for f in ("exosome_dose", "exosome_volume_ml")}
    msc = bool(value("msc_cotherapy"))
    site = value("site")
    if str(site or "").startswith(NEW_ULCER_SITE):  # a new ulcer: the site typed for it
        site = new_sites.get(site) or None
    return TreatmentInput(
        site=site, msc_cotherapy=msc,
        msc_cells_million=reading.number("treatment:msc_cells_million",
                                         value("msc_cells_million")) if msc else None,
        debridement=bool(value("debridement")), dressing=_text(value("dressing")),
        offloading=_text(value("offloading")), antibiotics=_text(value("antibiotics")),
        **exosome)


def read_labs(groups: Mapping[str, Any], reading: Reading) -> list[LabInput]:
    """Each analyte typed, as typed, with its unit (None: the canonical unit)."""
    labs = []
    for column, analyte in ANALYTES.items():
        value = reading.number(f"lab:{column}", groups.get(f"lab:{column}"))
        if value is not None:
            unit = groups.get(f"lab:{column}:unit") or analyte.unit
            labs.append(LabInput(column, value, None if unit == analyte.unit else unit))
    return labs


def read_perfusion(groups: Mapping[str, Any], reading: Reading) -> PerfusionInput | None:
    def value(name: str) -> Any:
        return groups.get(f"perfusion:{name}")

    entered = PerfusionInput(
        doppler_waveform=value("doppler_waveform"), doppler_flow=_text(value("doppler_flow")),
        imaging_modality=value("imaging_modality"),
        imaging_depth_cm=reading.number("perfusion:imaging_depth_cm", value("imaging_depth_cm")),
        osteomyelitis=value("osteomyelitis"), imaging_findings=_text(value("imaging_findings")))
    return None if entered.is_empty() else entered


def read_adverse_event(groups: Mapping[str, Any], reading: Reading) -> AdverseEventInput | None:
    def value(name: str) -> Any:
        return groups.get(f"ae:{name}")

    if not (_text(value("description"))
            or any(value(f) for f in ("ctcae_grade", "relatedness", "outcome"))):
        return None
    return AdverseEventInput(
        description=_text(value("description")) or "", ctcae_grade=value("ctcae_grade") or 0,
        serious=bool(value("serious")), relatedness=value("relatedness"),
        outcome=value("outcome"), resolved_on=reading.date("ae:resolved_on",
                                                           value("resolved_on")))


def read_visit(state: VisitFormState, *, initial: VisitFormState, today: dt.date,
               kept_treatments: tuple[TreatmentInput, ...] = ()) -> tuple[VisitInput, Reading]:
    """The VisitInput the state holds; `initial` is the form as it opened (an ulcer counts as
    assessed once anything differs from it); `kept_treatments` are an edited visit's further
    treatments, kept as saved."""
    reading = Reading()
    visit = state.visit
    visit_date = reading.date("visit:visit_date", visit.get("visit_date"))
    if visit_date is None and not any(k == "visit:visit_date" for k, _ in reading.problems):
        reading.problems.append(("visit:visit_date", DATE_PATTERN))
    vas = reading.number("visit:vas", visit.get("vas"))
    next_visit = reading.date("visit:next_visit_date", visit.get("next_visit_date"),
                              relative_to=visit_date)
    opened = {e.key: e.values for e in initial.ulcers}
    repeated = repeated_sites(state.ulcers)
    reading.problems += [(f"{key}:ulcer_site", message) for key, message in repeated.items()]
    reading.assessed = [e for e in state.ulcers
                        if e.key not in repeated and has_entries(e, opened.get(e.key))]
    assessments = tuple(read_assessment(e, reading) for e in reading.assessed)
    new_sites = {new_ulcer_site_value(e.new_number): str(e.values.get("ulcer_site") or "").strip()
                 for e in state.ulcers if e.is_new}
    treatment = read_treatment(state.groups, new_sites, reading)
    adverse_event = read_adverse_event(state.groups, reading)
    data = VisitInput(
        patient_id=state.patient_id, visit_date=visit_date or today,
        clinician=_text(visit.get("clinician")), vas=vas, next_visit_date=next_visit,
        notes=_text(visit.get("notes")), assessments=assessments,
        labs=tuple(read_labs(state.groups, reading)),
        perfusion=read_perfusion(state.groups, reading),
        treatments=((treatment,) if treatment else ()) + kept_treatments,
        adverse_events=(adverse_event,) if adverse_event else (),
        visit_id=state.visit_id, expected_version=state.base_version)
    return data, reading
