"""Load one patient's whole history and compute every metric once (docs/metrics.md)."""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict, namedtuple
from typing import Any, Iterable, NamedTuple, Sequence

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from app.domain.analytes import ANALYTES, ReferenceRange
from app.domain.episodes import (
    EpisodeMetrics,
    InvalidEpisode,
    assessment_point,
    episode_metrics,
)
from app.domain.patient_measures import lab_summary, pain_summary
from app.domain.records import (
    AdverseEventRecord,
    AssessmentRecord,
    EpisodeView,
    LabRecord,
    PatientHistory,
    PatientRecord,
    PerfusionRecord,
    TreatmentRecord,
    VisitRecord,
)
from app.domain.wound import AreaMethod, area_cm2, is_closed, volume_cm3
from app.models import (
    AdverseEvent,
    Assessment,
    LabResult,
    Patient,
    PerfusionImaging,
    Treatment,
    Ulcer,
    Visit,
)
from app.services.errors import NotFound
from app.services.fast_records import record_maker
from app.services.settings import ClinicSettings, load_settings

_NO_RANGE = ReferenceRange(None, None)
PATIENT_FIELDS = ("id", "mrn", "name", "birth_date", "sex", "diabetes_type",
                  "diabetes_duration_years", "hba1c_enrolment_pct", "pad", "neuropathy",
                  "smoking", "ckd", "contact", "notes", "arm", "version")


def patient_record(patient) -> PatientRecord:
    """A PatientRecord from a Patient or a row of the patient table."""
    return PatientRecord(**{f: getattr(patient, f) for f in PATIENT_FIELDS})


def get_patient_by_mrn(session: Session, mrn: str) -> Patient:
    from app.domain.limits import normalise_mrn

    patient = session.scalar(select(Patient).where(Patient.mrn_key == normalise_mrn(mrn),
                                                   Patient.deleted_at.is_(None)))
    if patient is None:
        raise NotFound(f"no patient with MRN {mrn!r}")
    return patient


def patient_id_by_mrn(session: Session, mrn: str) -> int:
    """The id of the live patient with this MRN (as get_patient_by_mrn, without loading it)."""
    from app.domain.limits import normalise_mrn

    found = _fetch(session, _statements()["patient_by_mrn"], {"mrn_key": normalise_mrn(mrn)})
    patient_id = found[0][0] if found else None
    if patient_id is None:
        raise NotFound(f"no patient with MRN {mrn!r}")
    return patient_id


def assessment_record(row, *, site: str, on, method: AreaMethod) -> AssessmentRecord:
    """An AssessmentRecord from an Assessment or a row of the assessment table."""
    length, width = row.length_cm, row.width_cm
    closed = is_closed(closed_marked=row.closed, length_cm=length, width_cm=width)
    return record_maker(AssessmentRecord)(
        row.id, row.visit_id, row.ulcer_id, site, on, length, width, row.depth_cm,
        row.traced_area_cm2, row.method, row.granulation_pct, row.epithelial_pct,
        row.slough_pct, row.necrotic_pct, row.exudate, row.infection_signs, row.periwound,
        row.closed, closed,
        area_cm2(length_cm=length, width_cm=width, traced_area_cm2=row.traced_area_cm2,
                 closed=closed, method=method),
        volume_cm3(length_cm=length, width_cm=width, depth_cm=row.depth_cm, closed=closed))


@functools.lru_cache(maxsize=64)
def _row_shape(columns: tuple[str, ...]):
    return namedtuple("Row", columns)


def _rows(session: Session, statement, patient_id: int) -> list:
    """Plain named tuples instead of ORM objects or Core rows: the chart needs no identity
    map, and reading a Core row's attribute costs ten times a named tuple's (bench/README.md).
    """
    return _fetch(session, statement, {"patient_id": patient_id})


def _fetch(session: Session, statement, params: dict) -> list:
    """`statement`'s rows as named tuples. On SQLite the statement is compiled once and run on
    the driver's cursor, each column through its type's result processor (the same values as
    Core's), without SQLAlchemy's per-execution work (bench/README.md, "Summary")."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        result = connection.execute(statement, params)
        make = _row_shape(tuple(result.keys()))._make
        return [make(row) for row in result.all()]
    sql, names, defaults, converters, make = _sqlite_plan(statement, connection.dialect)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql, [params[n] if n in params else defaults[n] for n in names])
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not converters:
        return [make(row) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for index, convert in converters:
            values[index] = convert(values[index])
        out.append(make(values))
    return out


_PLANS: dict[int, tuple] = {}


def _sqlite_plan(statement, dialect) -> tuple:
    """(SQL, bound names in order, their default values, (column index, result processor)
    for the columns that need one, the row shape's maker), once per prebuilt statement."""
    plan = _PLANS.get(id(statement))
    if plan is None or plan[0] is not statement:
        compiled = statement.compile(dialect=dialect)
        columns = list(statement.selected_columns)
        converters = tuple((i, convert) for i, column in enumerate(columns)
                           if (convert := _result_processor(column.type, dialect)))
        plan = (statement, (compiled.string, tuple(compiled.positiontup),
                            {k: b.effective_value for k, b in compiled.binds.items()},
                            converters, _row_shape(tuple(c.key for c in columns))._make))
        _PLANS[id(statement)] = plan
    return plan[1]


def _result_processor(type_, dialect):
    """What Core applies to a column of this type in a result row (None: nothing), through
    the public TypeEngine API: the dialect's implementation of the type and its processor."""
    return type_.dialect_impl(dialect).result_processor(dialect, None)


def _columns(model, names: str) -> list:
    return [model.__table__.c[name] for name in names.split()]


@functools.lru_cache(maxsize=1)
def _statements() -> dict[str, Select]:
    """The queries of load_history, built once (on first use) with the patient as a bound
    parameter; each reads only the columns the records use."""
    patient_id = bindparam("patient_id")
    live = (Visit.patient_id == patient_id, Visit.deleted_at.is_(None))
    live_ids = select(Visit.id).where(*live).scalar_subquery()
    return {
        "patient_by_mrn": select(Patient.__table__.c.id).where(
            Patient.__table__.c.mrn_key == bindparam("mrn_key"),
            Patient.__table__.c.deleted_at.is_(None)),
        "patient": select(*_columns(Patient, " ".join(PATIENT_FIELDS) + " deleted_at"))
        .where(Patient.id == patient_id),
        "visits": select(*_columns(Visit, "id visit_date clinician vas next_visit_date notes "
                                          "signed_by signed_at version updated_by updated_at"))
        .where(*live).order_by(Visit.visit_date),
        "ulcers": select(*_columns(Ulcer, "id site episode_no onset_date etiology wagner_grade "
                                          "ut_grade ut_stage clinician_status recurrence_of_id"))
        .where(Ulcer.patient_id == patient_id).order_by(Ulcer.id),
        "assessments": select(Assessment.__table__).where(Assessment.visit_id.in_(live_ids)),
        "labs": select(*_columns(LabResult, "visit_id analyte value unit raw_value raw_unit "
                                            "collected_on"))
        .where(LabResult.visit_id.in_(live_ids)),
        "perfusion": select(PerfusionImaging.__table__)
        .where(PerfusionImaging.visit_id.in_(live_ids)),
        "treatments": select(Treatment.__table__).where(Treatment.visit_id.in_(live_ids))
        .order_by(Treatment.id),
        "adverse_events": select(*_columns(AdverseEvent, "id visit_id onset_date description "
                                                         "ctcae_grade serious relatedness "
                                                         "outcome resolved_on"))
        .where(AdverseEvent.patient_id == patient_id, AdverseEvent.deleted_at.is_(None))
        .order_by(AdverseEvent.onset_date, AdverseEvent.id),
    }


def load_history(session: Session, patient_id: int) -> PatientHistory:
    """One query per table, as plain rows; every number computed by app.domain."""
    if session.autoflush:
        session.flush()  # pending changes are seen, as they were when these were ORM queries
    queries = _statements()
    found = _rows(session, queries["patient"], patient_id)
    patient = found[0] if found else None
    if patient is None or patient.deleted_at is not None:
        raise NotFound(f"no patient with id {patient_id}")
    visits = _rows(session, queries["visits"], patient_id)
    has_visits = bool(visits)

    def rows(name: str) -> list:
        return _rows(session, queries[name], patient_id) if has_visits else []

    return assemble_history(
        patient=patient, settings=load_settings(session), visits=visits,
        ulcers=_rows(session, queries["ulcers"], patient_id), assessments=rows("assessments"),
        labs=rows("labs"), perfusion=rows("perfusion"), treatments=rows("treatments"),
        adverse_events=_rows(session, queries["adverse_events"], patient_id))


def assemble_history(*, patient, settings: ClinicSettings, visits: Sequence, ulcers: Sequence,
                     assessments: Iterable, labs: Iterable, perfusion: Iterable,
                     treatments: Iterable, adverse_events: Iterable) -> PatientHistory:
    """Build one patient's PatientHistory from plain rows of each table (live visits only,
    visits in date order, ulcers in id order, treatments in id order, adverse events in onset
    order). The one place records and metrics are made: load_history for one patient and
    app.services.bulk_history for a whole clinic both call it."""
    method = settings.area_method
    ranges = settings.reference_ranges
    visit_dates = {v.id: v.visit_date for v in visits}
    ulcer_by_id = {u.id: u for u in ulcers}

    assessments_by_ulcer: dict[int, list[AssessmentRecord]] = defaultdict(list)
    for row in assessments:
        assessments_by_ulcer[row.ulcer_id].append(
            assessment_record(row, site=ulcer_by_id[row.ulcer_id].site,
                              on=visit_dates[row.visit_id], method=method))
    visit_records = _visit_records(visits, _lab_records(labs, ranges), perfusion)
    return PatientHistory(
        patient=patient_record(patient), area_method=method, reference_ranges=dict(ranges),
        visits=visit_records,
        episodes=build_episode_views(ulcers, assessments_by_ulcer, method=method),
        treatments=_treatment_records(treatments, visit_dates, ulcer_by_id),
        adverse_events=tuple(_adverse_event_records(adverse_events)),
        pain=pain_summary([(v.visit_date, v.vas) for v in visit_records]),
        labs=_lab_summaries(visit_records, ranges))


# The records are built with record_maker (positional, every field in its declared order):
# the same frozen dataclasses as their __init__ makes, a third of the cost (bench/README.md).

def _lab_records(labs: Iterable, ranges) -> dict[int, dict[str, LabRecord]]:
    """Each visit's lab records by analyte column, in the rows' order."""
    make = record_maker(LabRecord)
    flags = {analyte: reference.flag for analyte, reference in ranges.items()}
    no_flag = _NO_RANGE.flag
    labs_by_visit: dict[int, dict[str, LabRecord]] = defaultdict(dict)
    for lab in labs:
        analyte, value = lab.analyte, lab.value
        labs_by_visit[lab.visit_id][analyte] = make(
            analyte, value, lab.unit, lab.raw_value, lab.raw_unit,
            flags.get(analyte, no_flag)(value), lab.collected_on)
    return labs_by_visit


def _visit_records(visits: Sequence, labs_by_visit: dict, perfusion: Iterable
                   ) -> tuple[VisitRecord, ...]:
    make_perfusion = record_maker(PerfusionRecord)
    perfusion_by_visit = {p.visit_id: make_perfusion(
        p.doppler_waveform, p.doppler_flow, p.imaging_modality, p.imaging_depth_cm,
        p.osteomyelitis, p.imaging_findings) for p in perfusion}
    make = record_maker(VisitRecord)
    return tuple(make(
        v.id, v.visit_date, v.clinician, v.vas, v.next_visit_date, v.notes, v.signed_by,
        v.signed_at, v.version, v.updated_by, v.updated_at, labs_by_visit.get(v.id, {}),
        perfusion_by_visit.get(v.id)) for v in visits)


def _treatment_records(treatments: Iterable, visit_dates: dict, ulcer_by_id: dict
                       ) -> tuple[TreatmentRecord, ...]:
    """In visit-date order, then id."""
    make = record_maker(TreatmentRecord)
    return tuple(sorted((make(
        t.id, t.visit_id, visit_dates[t.visit_id], t.ulcer_id,
        ulcer_by_id[t.ulcer_id].site if t.ulcer_id in ulcer_by_id else None,
        t.exosome_product, t.exosome_source, t.exosome_lot, t.exosome_dose,
        t.exosome_dose_unit, t.exosome_volume_ml, t.exosome_route, t.msc_cotherapy,
        t.msc_cells_million, t.debridement, t.dressing, t.offloading, t.antibiotics)
        for t in treatments), key=lambda t: (t.on, t.id)))


def _adverse_event_records(adverse_events: Iterable) -> Iterable[AdverseEventRecord]:
    make = record_maker(AdverseEventRecord)
    return (make(a.id, a.visit_id, a.onset_date, a.description, a.ctcae_grade, a.serious,
                 a.relatedness, a.outcome, a.resolved_on) for a in adverse_events)


def _lab_summaries(visit_records: Sequence[VisitRecord], ranges) -> dict:
    """Baseline, latest and change of each analyte measured (docs/metrics.md)."""
    return lab_summaries(((v.visit_date, column, lab.value) for v in visit_records
                          for column, lab in v.labs.items()), ranges)


def lab_summaries(values: Iterable[tuple], ranges) -> dict:
    """Each analyte's baseline, latest and change (docs/metrics.md) from (visit date, analyte
    column, value) triples in visit-date order; analytes in the registry's order."""
    series_by_column: dict[str, list] = defaultdict(list)
    for on, column, value in values:
        series_by_column[column].append((on, value))
    summaries = {}
    for column in ANALYTES:
        series = series_by_column.get(column)
        summary = lab_summary(series, ranges.get(column, _NO_RANGE)) if series else None
        if summary is not None:
            summaries[column] = summary
    return summaries


class EpisodeCourse(NamedTuple):
    """One ulcer episode's assessments (date order) and metrics, before it becomes an
    EpisodeView; `site`, `episode_no` and `clinician_status` read as an EpisodeView's."""

    ulcer: Any  # a row of the ulcer table (id, site, episode_no, clinician_status, ...)
    assessments: tuple
    metrics: EpisodeMetrics | None
    problem: str | None
    recurred_on: dt.date | None
    recurrence_of_episode: int | None

    @property
    def site(self) -> str:
        return self.ulcer.site

    @property
    def episode_no(self) -> int:
        return self.ulcer.episode_no

    @property
    def clinician_status(self) -> str | None:
        return self.ulcer.clinician_status


def episode_courses(ulcers: Sequence, assessments_by_ulcer, *, method: AreaMethod
                    ) -> list[EpisodeCourse]:
    """Each ulcer's episode with its metrics (or the problem that prevents them), in the order
    of their baseline dates, sites in the order they first appeared. An assessment is anything
    with `id`, `on`, `length_cm`, `width_cm`, `traced_area_cm2` and `closed_marked`."""
    episode_no_by_id = {u.id: u.episode_no for u in ulcers}
    site_order: dict[str, int] = {}
    for u in ulcers:
        site_order.setdefault(u.site, len(site_order))
    next_baseline: dict[tuple[str, int], object] = {}
    for u in ulcers:
        rows = assessments_by_ulcer.get(u.id)
        if rows:
            next_baseline[(u.site, u.episode_no)] = min(r.on for r in rows)

    courses = []
    for u in ulcers:
        rows = tuple(sorted(assessments_by_ulcer.get(u.id, ()), key=lambda r: r.on))
        if not rows:
            continue
        metrics, problem = None, None
        try:
            points = [assessment_point(on=r.on, length_cm=r.length_cm, width_cm=r.width_cm,
                                       traced_area_cm2=r.traced_area_cm2,
                                       closed_marked=r.closed_marked, method=method, key=r.id)
                      for r in rows]
            metrics = episode_metrics(points, clinician_status=u.clinician_status)
        except InvalidEpisode as exc:
            problem = str(exc)
        courses.append(EpisodeCourse(
            ulcer=u, assessments=rows, metrics=metrics, problem=problem,
            recurred_on=next_baseline.get((u.site, u.episode_no + 1)),
            recurrence_of_episode=episode_no_by_id.get(u.recurrence_of_id)))
    courses.sort(key=lambda c: (c.assessments[0].on, site_order[c.ulcer.site],
                                c.ulcer.episode_no))
    return courses


def build_episode_views(ulcers, assessments_by_ulcer, *, method: AreaMethod
                        ) -> tuple[EpisodeView, ...]:
    """Episodes in the order of their baseline dates; sites in the order they first appeared."""
    return tuple(EpisodeView(
        ulcer_id=c.ulcer.id, site=c.ulcer.site, episode_no=c.ulcer.episode_no,
        recurrence_of_episode=c.recurrence_of_episode, recurred_on=c.recurred_on,
        onset_date=c.ulcer.onset_date, etiology=c.ulcer.etiology,
        wagner_grade=c.ulcer.wagner_grade, ut_grade=c.ulcer.ut_grade,
        ut_stage=c.ulcer.ut_stage, clinician_status=c.ulcer.clinician_status,
        assessments=c.assessments, metrics=c.metrics, problem=c.problem)
        for c in episode_courses(ulcers, assessments_by_ulcer, method=method))
