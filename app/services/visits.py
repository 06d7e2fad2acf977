"""Record, edit, sign and delete visits: one transaction each, validated, episodes kept in step."""
from __future__ import annotations

import datetime as dt
from dataclasses import fields
from typing import Mapping

from sqlalchemy import Date, Float, String, Text, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from app.domain.analytes import ANALYTES, ReferenceRange
from app.domain.limits import Finding
from app.domain.wound import AreaMethod
from app.models import (
    AdverseEvent,
    Assessment,
    LabResult,
    Patient,
    PerfusionImaging,
    Photo,
    ReferenceRangeSetting,
    Setting,
    Treatment,
    Ulcer,
    Visit,
)
from app.models.base import utc_now
from app.services.actor import Actor
from app.services.audit import act_as
from app.services.episodes import resync_sites
from app.services.errors import NeedsConfirmation, NotFound, StaleEdit, UserError, ValidationFailed
from app.services.history import assessment_record
from app.services.settings import ClinicSettings, clinic_settings
from app.services.visit_input import (
    AssessmentInput,
    PerfusionInput,
    TreatmentInput,
    VisitInput,
    validate_visit_input,
)

_ASSESSMENT_FIELDS = ("length_cm", "width_cm", "depth_cm", "traced_area_cm2", "closed", "method",
                      "granulation_pct", "epithelial_pct", "slough_pct", "necrotic_pct",
                      "exudate", "infection_signs", "periwound")
_ULCER_FIELDS = ("onset_date", "etiology", "wagner_grade", "ut_grade", "ut_stage")


def previous_areas(session: Session, patient_id: int, before: dt.date, *, method: AreaMethod,
                   exclude_visit_id: int | None = None) -> dict[str, float | None]:
    """The area of each site at the patient's most recent earlier assessment."""
    rows = _visits_up_to(session, patient_id, before, inclusive=False)
    return _areas(rows, method=method, exclude_visit_id=exclude_visit_id)


def _visits_up_to(session: Session, patient_id: int, day: dt.date, *, inclusive: bool) -> list:
    """The patient's live visits before `day` (and on it, when `inclusive`), oldest first,
    each with its assessments' columns and sites (None for a visit without any): plain rows,
    not ORM objects, in one statement."""
    return session.execute(
        select(Visit.id.label("live_visit_id"), Visit.visit_date, Ulcer.site,
               *Assessment.__table__.columns)
        .outerjoin(Assessment, Assessment.visit_id == Visit.id)
        .outerjoin(Ulcer, Assessment.ulcer_id == Ulcer.id)
        .where(Visit.patient_id == patient_id, Visit.deleted_at.is_(None),
               Visit.visit_date <= day if inclusive else Visit.visit_date < day)
        .order_by(Visit.visit_date)).all()


def _areas(rows: list, *, method: AreaMethod,
           exclude_visit_id: int | None) -> dict[str, float | None]:
    # Only the latest assessment of each site counts.
    latest = {row.site: row for row in rows
              if row.site is not None and row.live_visit_id != exclude_visit_id}
    return {site: assessment_record(row, site=site, on=row.visit_date, method=method).area_cm2
            for site, row in latest.items()}


def _patient_and_settings(session: Session, patient_id: int
                          ) -> tuple[dt.date | None, ClinicSettings, frozenset[str]]:
    """The live patient's birth date, the clinic's settings and the patient's stored ulcer
    sites (every episode's, healed or on deleted visits too), in one statement (on a server
    one round trip, not four); NotFound for a missing or deleted patient."""
    def typed_nulls(*types) -> list:
        return [cast(null(), kind) for kind in types]

    rows = session.execute(union_all(
        select(literal("patient"), *typed_nulls(String, Text, Float, Float),
               Patient.birth_date).where(Patient.id == patient_id,
                                         Patient.deleted_at.is_(None)),
        select(literal("setting"), Setting.key, Setting.value,
               *typed_nulls(Float, Float, Date)),
        select(literal("range"), ReferenceRangeSetting.analyte,
               *typed_nulls(Text), ReferenceRangeSetting.low, ReferenceRangeSetting.high,
               *typed_nulls(Date)),
        select(literal("site"), Ulcer.site, *typed_nulls(Text, Float, Float, Date))
        .where(Ulcer.patient_id == patient_id))).all()
    births = [row[5] for row in rows if row[0] == "patient"]
    if not births:
        raise NotFound("the patient no longer exists")
    return births[0], clinic_settings(
        [(row[1], row[2]) for row in rows if row[0] == "setting"],
        [(row[1], row[3], row[4]) for row in rows if row[0] == "range"]), frozenset(
        row[1] for row in rows if row[0] == "site")


def check_visit(session: Session, data: VisitInput, *, today: dt.date,
                settings: ClinicSettings | None = None) -> list[Finding]:
    """All findings for `data`, including those that need the database (duplicates, history)."""
    birth_date, stored, sites = _patient_and_settings(session, data.patient_id)
    return _findings(session, data, today=today, birth_date=birth_date,
                     settings=settings or stored, sites=sites)


def _findings(session: Session, data: VisitInput, *, today: dt.date,
              birth_date: dt.date | None, settings: ClinicSettings,
              sites: frozenset[str]) -> list[Finding]:
    # The earlier visits (their areas) and a visit on the same day, in one statement.
    rows = _visits_up_to(session, data.patient_id, data.visit_date, inclusive=True)
    earlier = [row for row in rows if row.visit_date < data.visit_date]
    findings = validate_visit_input(
        data, birth_date=birth_date, today=today, method=settings.area_method,
        ranges=settings.reference_ranges,
        previous_areas=_areas(earlier, method=settings.area_method,
                              exclude_visit_id=data.visit_id), existing_sites=sites)
    if any(row.visit_date == data.visit_date and row.live_visit_id != data.visit_id
           for row in rows):
        findings.append(Finding("visit_date", f"a visit on {data.visit_date.isoformat()} is "
                                              "already recorded: open it from the Visits tab "
                                              "to add to it"))
    return findings


def save_visit(session: Session, data: VisitInput, *, actor: Actor, confirmed: bool = False,
               today: dt.date | None = None) -> Visit:
    """Validate and write one visit. Errors raise ValidationFailed (among them a new site that
    is a stored ulcer's, or another of this visit's, in other letter case or spacing:
    app.domain.limits.site_clashes); unconfirmed soft warnings raise NeedsConfirmation; a
    concurrent edit raises StaleEdit. Nothing is half-saved."""
    actor.require("record")
    act_as(session, actor, reason=data.reason)
    birth_date, settings, sites = _patient_and_settings(session, data.patient_id)
    findings = _findings(session, data, today=today or dt.date.today(), birth_date=birth_date,
                         settings=settings, sites=sites)
    if any(f.is_error for f in findings):
        raise ValidationFailed(findings)
    warnings = [f for f in findings if not f.is_error]
    if warnings and not confirmed:
        raise NeedsConfirmation(warnings)

    if data.visit_id is None:
        # Empty collections from the start: after the first flush they would each be
        # lazy-loaded with a SELECT that can only find nothing.
        visit = Visit(patient_id=data.patient_id, created_by=actor.username, assessments=[],
                      lab_results=[], treatments=[], perfusion=None)
        session.add(visit)
        old_sites: set[str] = set()
    else:
        visit = session.get(Visit, data.visit_id)
        if visit is None or visit.deleted_at is not None:
            raise NotFound("the visit no longer exists")
        if data.expected_version is not None and visit.version != data.expected_version:
            raise StaleEdit(f"changed by {visit.updated_by or 'another user'} at "
                            f"{visit.updated_at:%Y-%m-%d %H:%M} UTC, reload")
        if visit.signed_at is not None and not (data.reason and data.reason.strip()):
            raise UserError("this visit is signed: give a reason for the change")
        old_sites = {a.ulcer.site for a in visit.assessments}
        _clear_removed_sections(session, visit, {a.site.strip() for a in data.assessments})
    write_visit(session, visit, data, actor=actor, ranges=settings.reference_ranges)
    resync_sites(session, data.patient_id, old_sites | {a.site.strip() for a in data.assessments})
    return visit


def _clear_removed_sections(session: Session, visit: Visit, wanted: set[str]) -> None:
    """Before an edit drops ulcer sections: a section whose assessment has photos on record
    is refused while any is live (UserError, nothing written); photos already removed (with a
    reason) go with the assessment, their rows' deletion audited, their bytes kept."""
    dropped = {a.id: a.ulcer.site for a in visit.assessments
               if a.ulcer.site not in wanted and a.id is not None}
    if not dropped:
        return
    photos = session.scalars(select(Photo).where(Photo.assessment_id.in_(dropped))
                             .order_by(Photo.id)).all()
    for assessment_id, site in sorted(dropped.items(), key=lambda item: item[1]):
        live = sum(1 for p in photos if p.assessment_id == assessment_id and p.deleted_at is None)
        if live:
            raise UserError(f"the assessment of {site} on {visit.visit_date.isoformat()} has "
                            f"{live} photo{'s' if live != 1 else ''}: remove "
                            f"{'them' if live != 1 else 'it'} first (with a reason)")
    for photo in photos:
        session.delete(photo)
    if photos:
        session.flush()  # before the assessment rows they refer to


def _latest_ulcers(session: Session, patient_id: int, sites: list[str],
                   cache: dict[str, Ulcer]) -> None:
    """Put the latest episode of each of `sites` into `cache`, in one query."""
    if sites:
        for ulcer in session.scalars(select(Ulcer).where(Ulcer.patient_id == patient_id,
                                                         Ulcer.site.in_(sites))
                                     .order_by(Ulcer.episode_no)):
            cache[ulcer.site] = ulcer  # the highest episode number comes last


def _site_ulcer(session: Session, patient_id: int, site: str, cache: dict[str, Ulcer]) -> Ulcer:
    """The site's latest episode (resync_site moves assessments to the right one)."""
    if site not in cache:
        ulcer = session.scalar(select(Ulcer).where(Ulcer.patient_id == patient_id,
                                                   Ulcer.site == site)
                               .order_by(Ulcer.episode_no.desc()).limit(1))
        if ulcer is None:  # pending until the visit's flush: the cache finds it until then
            ulcer = Ulcer(patient_id=patient_id, site=site, episode_no=1)
            session.add(ulcer)
        cache[site] = ulcer
    return cache[site]


def write_visit(session: Session, visit: Visit, data: VisitInput, *, actor: Actor,
                ranges: Mapping[str, ReferenceRange],
                ulcer_cache: dict[str, Ulcer] | None = None, flush: bool = True) -> Visit:
    """Apply `data` to `visit` in place: changed values are updated, removed ones deleted;
    lab flags against the clinic's `ranges`.

    Does not validate and does not resync episodes: callers do both. `flush=False` leaves
    the rows pending, for an import that writes many visits in one flush.
    """
    cache = ulcer_cache if ulcer_cache is not None else {}
    visit.visit_date = data.visit_date
    visit.clinician = data.clinician
    visit.vas = data.vas
    visit.next_visit_date = data.next_visit_date
    visit.notes = data.notes
    visit.updated_by = actor.username
    # Always touch the visit row, so an edit of only its assessments or labs still raises
    # `version`: a second workstation's stale copy of any part of the visit is refused.
    visit.updated_at = utc_now()
    # One flush at the end writes the visit and all its rows (one audit batch, bench/README.md
    # "Saving a visit"); look-ups on the way must not flush half a visit.
    with session.no_autoflush:
        _write_children(session, visit, data, ranges=ranges, cache=cache)
    if flush:
        session.flush()
    return visit


def _write_children(session: Session, visit: Visit, data: VisitInput, *,
                    ranges: Mapping[str, ReferenceRange], cache: dict[str, Ulcer]) -> None:
    """The assessments, labs, perfusion, treatments and adverse events of `write_visit`."""
    _write_assessments(session, visit, data, cache)
    _write_labs(visit, data)
    _apply_ranges(visit, ranges)
    perfusion = data.perfusion if data.perfusion and not data.perfusion.is_empty() else None
    if perfusion is None:
        visit.perfusion = None
    else:
        row = visit.perfusion or PerfusionImaging()
        for f in fields(PerfusionInput):
            setattr(row, f.name, getattr(perfusion, f.name))
        visit.perfusion = row
    _write_treatments(visit, data)
    if data.adverse_events and visit.id is None:
        session.flush()  # the events name the visit by its id
    for entered in data.adverse_events:
        session.add(AdverseEvent(
            patient_id=data.patient_id, visit_id=visit.id,
            onset_date=entered.onset_date or data.visit_date, description=entered.description,
            ctcae_grade=entered.ctcae_grade, serious=entered.serious,
            relatedness=entered.relatedness, outcome=entered.outcome,
            resolved_on=entered.resolved_on))


def _write_assessments(session: Session, visit: Visit, data: VisitInput,
                       cache: dict[str, Ulcer]) -> None:
    """One assessment per site entered; a site no longer entered loses its assessment."""
    by_site = {a.ulcer.site: a for a in visit.assessments}
    wanted = {a.site.strip(): a for a in data.assessments}
    for site, row in by_site.items():
        if site not in wanted:
            visit.assessments.remove(row)
    _latest_ulcers(session, data.patient_id,
                   [site for site in wanted if site not in by_site and site not in cache], cache)
    for site, entered in wanted.items():
        ulcer = by_site[site].ulcer if site in by_site else _site_ulcer(
            session, data.patient_id, site, cache)
        _apply_ulcer_classification(ulcer, entered)
        row = by_site.get(site) or Assessment(ulcer=ulcer)
        for name in _ASSESSMENT_FIELDS:
            setattr(row, name, getattr(entered, name))
        if site not in by_site:
            visit.assessments.append(row)


def _write_labs(visit: Visit, data: VisitInput) -> None:
    """Each lab in its canonical unit, with the value and unit as typed beside it."""
    existing_labs = {lab.analyte: lab for lab in visit.lab_results}
    wanted_labs = {lab.analyte: lab for lab in data.labs}
    for analyte, row in existing_labs.items():
        if analyte not in wanted_labs:
            visit.lab_results.remove(row)
    for analyte, entered in wanted_labs.items():
        info = ANALYTES[analyte]
        row = existing_labs.get(analyte) or LabResult(analyte=analyte)
        row.value = entered.canonical()
        row.unit = info.unit
        row.raw_value = entered.value
        row.raw_unit = info.unit_option(entered.unit).label if entered.unit else info.unit
        row.loinc = info.loinc
        row.collected_on = data.visit_date
        if analyte not in existing_labs:
            visit.lab_results.append(row)


def _write_treatments(visit: Visit, data: VisitInput) -> None:
    existing_treatments = list(visit.treatments)
    for index, entered in enumerate(data.treatments):
        row = existing_treatments[index] if index < len(existing_treatments) else Treatment()
        for f in fields(TreatmentInput):
            if f.name != "site":
                setattr(row, f.name, getattr(entered, f.name))
        site = entered.site.strip() if entered.site else None
        row.ulcer = (visit_site_ulcer(visit, site) if site else None)
        if index >= len(existing_treatments):
            visit.treatments.append(row)
    for row in existing_treatments[len(data.treatments):]:
        visit.treatments.remove(row)


def visit_site_ulcer(visit: Visit, site: str) -> Ulcer | None:
    return next((a.ulcer for a in visit.assessments if a.ulcer.site == site), None)


def _apply_ulcer_classification(ulcer: Ulcer, entered: AssessmentInput) -> None:
    for name in _ULCER_FIELDS:
        value = getattr(entered, name)
        if value is not None:
            setattr(ulcer, name, value)


def _apply_ranges(visit: Visit, ranges: Mapping[str, ReferenceRange]) -> None:
    """Each lab keeps the range it was judged against, and its flag."""
    for row in visit.lab_results:
        reference = ranges.get(row.analyte) or ReferenceRange(None, None)
        row.ref_low, row.ref_high = reference.low, reference.high
        row.flag = reference.flag(row.value)


def delete_visit(session: Session, visit_id: int, *, reason: str, actor: Actor) -> None:
    """Soft delete with a reason: the visit disappears from charts but stays on record."""
    actor.require("record")
    if not reason or not reason.strip():
        raise UserError("deleting a visit needs a reason")
    act_as(session, actor, reason=reason)
    visit = session.get(Visit, visit_id)
    if visit is None or visit.deleted_at is not None:
        raise NotFound("the visit no longer exists")
    visit.deleted_at = utc_now()
    visit.deletion_reason = reason.strip()
    visit.updated_by = actor.username
    resync_sites(session, visit.patient_id, {a.ulcer.site for a in visit.assessments})


def sign_visit(session: Session, visit_id: int, *, actor: Actor) -> None:
    actor.require("sign")
    act_as(session, actor)
    visit = session.get(Visit, visit_id)
    if visit is None or visit.deleted_at is not None:
        raise NotFound("the visit no longer exists")
    visit.signed_by = actor.username
    visit.signed_at = utc_now()
