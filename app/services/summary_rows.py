"""The rows `summary --json` reads for one patient, fetched with one statement.

The patient (by MRN), the clinic settings and reference ranges, the live visits, the ulcers,
the assessments and the lab values of the live visits come back as the rows of one UNION ALL,
each told apart by its `kind`. A table's values go in typed slots (three integers, three
floats, three texts, a date, a flag), so every branch gives a slot the same type: PostgreSQL
accepts the union, and Core converts each slot as its type says (SQLite's dates and flags).
Only the columns the summary reads are fetched.

One statement is one round trip to a server (there were eleven) and one execution through
Core on SQLite; with no records built from the rows, the summary costs about a third of what
it did (bench/README.md, "Summary in one statement"). The statement is a Core select built
once, on first use.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Date,
    Float,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.domain.limits import normalise_mrn
from app.models import Assessment, LabResult, Patient, ReferenceRangeSetting, Setting, Ulcer, Visit
from app.services.errors import NotFound

SLOTS = (("i1", Integer), ("i2", Integer), ("i3", Integer), ("f1", Float), ("f2", Float),
         ("f3", Float), ("t1", String), ("t2", String), ("t3", String), ("d1", Date),
         ("b1", Boolean))
KIND, I1, I2, I3, F1, F2, F3, T1, T2, T3, D1, B1 = range(1 + len(SLOTS))  # a row's columns


class UlcerRow(NamedTuple):
    id: int
    site: str
    episode_no: int
    clinician_status: str | None
    recurrence_of_id: int | None


class AssessmentRow(NamedTuple):
    """The measurements of one assessment that the episode metrics read."""

    id: int
    on: dt.date  # the visit's date
    length_cm: float | None
    width_cm: float | None
    traced_area_cm2: float | None
    closed_marked: bool


@dataclass(frozen=True)
class SummaryRows:
    """What one patient's summary is computed from, in the orders the history uses."""

    mrn: str
    name: str
    arm: str | None
    settings: list[tuple[str, str]]  # (key, JSON value)
    reference_ranges: list[tuple[str, float | None, float | None]]  # (analyte, low, high)
    visits: list[tuple[dt.date, float | None]]  # (visit date, VAS) of the live visits, by date
    ulcers: list[UlcerRow]  # by id
    assessments_by_ulcer: dict[int, list[AssessmentRow]]  # of the live visits
    labs: list[tuple[dt.date, str, float]]  # (visit date, analyte, value), by visit date


def _branch(kind: str, **slots) -> Select:
    """One table's part of the union: its kind, then every slot (a NULL cast to the slot's
    type where this table has nothing to put: PostgreSQL types a bare NULL as text when it
    meets another bare NULL in the union)."""
    columns = [literal_column(f"'{kind}'", String).label("kind")]
    columns += [(slots[name] if name in slots else cast(null(), type_)).label(name)
                for name, type_ in SLOTS]
    return select(*columns)


@functools.lru_cache(maxsize=1)
def summary_statement() -> CompoundSelect:
    """The one statement of a summary, with the normalised MRN as the bound `mrn_key`."""
    p, v, u = Patient.__table__.c, Visit.__table__.c, Ulcer.__table__.c
    a, lab = Assessment.__table__.c, LabResult.__table__.c
    s, r = Setting.__table__.c, ReferenceRangeSetting.__table__.c
    live_patient = (p.mrn_key == bindparam("mrn_key"), p.deleted_at.is_(None))
    patient_id = select(p.id).where(*live_patient).scalar_subquery()
    live_visits = (v.patient_id == patient_id, v.deleted_at.is_(None))
    live_visit_ids = select(v.id).where(*live_visits)
    return union_all(
        _branch("patient", t1=p.mrn, t2=p.name, t3=p.arm).where(*live_patient),
        _branch("setting", t1=s.key, t2=s.value),
        _branch("range", t1=r.analyte, f1=r.low, f2=r.high),
        _branch("visit", i1=v.id, d1=v.visit_date, f1=v.vas).where(*live_visits),
        _branch("ulcer", i1=u.id, i2=u.episode_no, i3=u.recurrence_of_id, t1=u.site,
                t2=u.clinician_status).where(u.patient_id == patient_id),
        _branch("assessment", i1=a.id, i2=a.visit_id, i3=a.ulcer_id, f1=a.length_cm,
                f2=a.width_cm, f3=a.traced_area_cm2, b1=a.closed)
        .where(a.visit_id.in_(live_visit_ids)),
        _branch("lab", i1=lab.visit_id, t1=lab.analyte, f1=lab.value)
        .where(lab.visit_id.in_(live_visit_ids)),
    )


def load_summary_rows(session: Session, mrn: str) -> SummaryRows:
    """The rows of the live patient with this MRN (NotFound when there is none), in one
    statement; pending changes of the session are flushed first, as load_history does."""
    if session.autoflush:
        session.flush()
    found = session.connection().execute(summary_statement(),
                                         {"mrn_key": normalise_mrn(mrn)}).all()
    by_kind: dict[str, list] = defaultdict(list)
    for row in found:  # by index: reading a Row's attribute costs ten times more
        by_kind[row[KIND]].append(row)
    if not by_kind["patient"]:
        raise NotFound(f"no patient with MRN {mrn!r}")
    patient = by_kind["patient"][0]
    visits = sorted(((row[D1], row[I1], row[F1]) for row in by_kind["visit"]), key=itemgetter(0))
    date_of = {visit_id: on for on, visit_id, _vas in visits}
    assessments_by_ulcer: dict[int, list[AssessmentRow]] = defaultdict(list)
    for row in by_kind["assessment"]:
        assessments_by_ulcer[row[I3]].append(AssessmentRow(
            row[I1], date_of[row[I2]], row[F1], row[F2], row[F3], row[B1]))
    return SummaryRows(
        mrn=patient[T1], name=patient[T2], arm=patient[T3],
        settings=[(row[T1], row[T2]) for row in by_kind["setting"]],
        reference_ranges=[(row[T1], row[F1], row[F2]) for row in by_kind["range"]],
        visits=[(on, vas) for on, _visit_id, vas in visits],
        ulcers=sorted((UlcerRow(row[I1], row[T1], row[I2], row[T2], row[I3])
                       for row in by_kind["ulcer"]), key=itemgetter(0)),
        assessments_by_ulcer=assessments_by_ulcer,
        labs=sorted(((date_of[row[I1]], row[T1], row[F1]) for row in by_kind["lab"]),
                    key=itemgetter(0)))
