"""Everything one patient's chart reads, fetched with one statement.

The patient, the clinic settings and reference ranges, the live visits, the ulcers, and the
assessments, lab values, perfusion findings and treatments of the live visits, and the adverse
events come back as the rows of one UNION ALL, each told apart by its `kind`. A table's values
go in typed slots (so many integers, floats, texts, dates, date-times and flags: as many of
each as the widest table needs), so every branch gives a slot the same type: PostgreSQL accepts
the union, and Core converts each slot as its type says (SQLite's dates and flags).

One statement is one round trip to a server (the chart open over PostgreSQL was set by its
dozen round trips) and one pass through SQLAlchemy's per-statement work on SQLite
(bench/README.md, "Chart open"). The rows become the same plain rows `load_history` hands to
`assemble_history`, in the same orders, so the history is the same (the tests compare them).
The statement is built once, on first use.
"""
from __future__ import annotations

import functools
from collections import defaultdict, namedtuple
from dataclasses import dataclass
from operator import attrgetter
from typing import Callable

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.domain.records import ClinicSettings, PatientHistory
from app.models import (
    AdverseEvent,
    Assessment,
    LabResult,
    Patient,
    PerfusionImaging,
    ReferenceRangeSetting,
    Setting,
    Treatment,
    Ulcer,
    Visit,
)
from app.services.errors import NotFound
from app.services.history import PATIENT_FIELDS, assemble_history
from app.services.settings import clinic_settings

# A column's type -> the slot family it travels in (Text and String are both text).
FAMILIES = {Integer: Integer, Float: Float, String: String, Text: String, Date: Date,
            DateTime: DateTime, Boolean: Boolean}
# The branches, in the union's order: kind -> the table's columns, by name ("*": all of them).
BRANCHES = {
    "patient": (Patient, " ".join(PATIENT_FIELDS) + " deleted_at"),
    "setting": (Setting, "key value"),
    "range": (ReferenceRangeSetting, "analyte low high"),
    "visit": (Visit, "id visit_date clinician vas next_visit_date notes signed_by signed_at "
                     "version updated_by updated_at"),
    "ulcer": (Ulcer, "id site episode_no onset_date etiology wagner_grade ut_grade ut_stage "
                     "clinician_status recurrence_of_id"),
    "assessment": (Assessment, "*"),
    "lab": (LabResult, "visit_id analyte value unit raw_value raw_unit collected_on"),
    "perfusion": (PerfusionImaging, "*"),
    "treatment": (Treatment, "*"),
    "adverse_event": (AdverseEvent, "id visit_id onset_date description ctcae_grade serious "
                                    "relatedness outcome resolved_on"),
}


@dataclass(frozen=True)
class Branch:
    """How one table's rows read from the union's: its columns' places in the row, and
    the named tuple they make (the plain row assemble_history reads)."""

    columns: tuple  # the table's Columns, in the plain row's order
    places: tuple[int, ...]  # where each one is in a row of the union
    make: Callable


@dataclass(frozen=True)
class ChartStatement:
    statement: CompoundSelect
    branches: dict[str, Branch]  # by kind


def _table_columns(model, names: str) -> list:
    table = model.__table__
    return list(table.c) if names == "*" else [table.c[name] for name in names.split()]


def _family(column):
    for type_, family in FAMILIES.items():
        if type(column.type) is type_:
            return family
    raise TypeError(f"{column} has no slot family ({column.type!r})")


def _where(kind: str) -> tuple:
    """Which rows of each table the chart reads: the patient's, of its live visits."""
    patient_id = bindparam("patient_id")
    v = Visit.__table__.c
    live = (v.patient_id == patient_id, v.deleted_at.is_(None))
    live_ids = select(v.id).where(*live)
    return {
        "patient": (Patient.__table__.c.id == patient_id,),
        "visit": live,
        "ulcer": (Ulcer.__table__.c.patient_id == patient_id,),
        "assessment": (Assessment.__table__.c.visit_id.in_(live_ids),),
        "lab": (LabResult.__table__.c.visit_id.in_(live_ids),),
        "perfusion": (PerfusionImaging.__table__.c.visit_id.in_(live_ids),),
        "treatment": (Treatment.__table__.c.visit_id.in_(live_ids),),
        "adverse_event": (AdverseEvent.__table__.c.patient_id == patient_id,
                          AdverseEvent.__table__.c.deleted_at.is_(None)),
    }.get(kind, ())


@functools.lru_cache(maxsize=1)
def _branch_columns() -> dict[str, list]:
    return {kind: _table_columns(model, names) for kind, (model, names) in BRANCHES.items()}


@functools.lru_cache(maxsize=None)
def _row_maker(kind: str) -> Callable:
    """The named tuple of one table's plain rows (its columns' keys)."""
    return namedtuple(f"{kind.title().replace('_', '')}Row",
                      [column.key for column in _branch_columns()[kind]])._make


@functools.lru_cache(maxsize=1)
def chart_statement() -> ChartStatement:
    """The one statement of a chart, with the patient's id as the bound `patient_id`."""
    columns = _branch_columns()
    slots: list = []  # the family of each slot, in order
    for table_columns in columns.values():
        needed: dict = defaultdict(int)
        for column in table_columns:
            needed[_family(column)] += 1
        for family, count in needed.items():
            slots += [family] * max(0, count - slots.count(family))
    selects, branches = [], {}
    for kind, table_columns in columns.items():
        free = list(range(len(slots)))
        placed = {}  # slot -> column
        for column in table_columns:
            slot = next(s for s in free if slots[s] is _family(column))
            free.remove(slot)
            placed[slot] = column
        values = [literal_column(f"'{kind}'", String).label("kind")]
        values += [(placed[s] if s in placed else cast(null(), slots[s]())).label(f"s{s}")
                   for s in range(len(slots))]
        selects.append(select(*values).where(*_where(kind)))
        places = tuple(1 + next(s for s, c in placed.items() if c is column)
                       for column in table_columns)
        branches[kind] = Branch(tuple(table_columns), places, _row_maker(kind))
    return ChartStatement(union_all(*selects), branches)


@functools.lru_cache(maxsize=1)
def packed_statement() -> ChartStatement:
    """SQLite's form of the statement: each table's columns in the first places and bare
    NULLs after, the kind a number. SQLite types values, not columns, so a place need not
    keep one type: a row carries 18 values instead of 31, and each costs SQLite and the
    driver about the same, NULL or not (bench/README.md, "Chart open")."""
    columns = _branch_columns()
    width = max(len(table_columns) for table_columns in columns.values())
    selects, branches = [], {}
    for number, (kind, table_columns) in enumerate(columns.items()):
        values = [literal_column(str(number), Integer).label("kind")]
        values += [(table_columns[i] if i < len(table_columns) else null()).label(f"s{i}")
                   for i in range(width)]
        selects.append(select(*values).where(*_where(kind)))
        branches[kind] = Branch(tuple(table_columns), tuple(range(1, 1 + len(table_columns))),
                                _row_maker(kind))
    return ChartStatement(union_all(*selects), branches)


_READERS: dict[int, tuple] = {}


def _readers(dialect) -> tuple[str, tuple, dict[int, tuple[str, Callable]]]:
    """(SQL, bound names in order, kind's number -> (kind, reader of a driver row)), once per
    dialect: SQLite's packed statement compiled, each reader picking its table's places and
    converting only its own columns that need it, with their types' own result processors
    (dates, date-times and flags on SQLite)."""
    found = _READERS.get(id(dialect))
    if found is None or found[0] is not dialect:
        plan = packed_statement()
        compiled = plan.statement.compile(dialect=dialect)
        assert set(compiled.positiontup) == {"patient_id"}  # the one parameter, repeated
        readers = {}
        for number, (kind, branch) in enumerate(plan.branches.items()):
            converters = tuple(
                (i, convert) for i, column in enumerate(branch.columns)
                if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None)))
            readers[number] = (kind, _reader(branch.places, branch.make.__self__,
                                             converters))
        found = (dialect, (compiled.string, tuple(compiled.positiontup), readers))
        if len(_READERS) >= 8:  # one engine a database: a process holds few (tests, many)
            _READERS.clear()
        _READERS[id(dialect)] = found
    return found[1]


def _reader(places: tuple[int, ...], row_type: type, converters: tuple) -> Callable:
    """`read(driver_row)`: the table's named tuple from its places in the row, each value
    that needs it through its converter; one generated expression a table, without a loop
    or a list a row (half the cost: the chart reads ~500 rows an open)."""
    convert = dict(converters)
    values = "".join(f"_c{i}(row[{place}]), " if i in convert else f"row[{place}], "
                     for i, place in enumerate(places))
    namespace = {"_new": tuple.__new__, "_row_type": row_type,
                 **{f"_c{i}": function for i, function in convert.items()}}
    exec(f"def read(row):\n    return _new(_row_type, ({values}))\n", namespace)
    return namespace["read"]


def _union_rows(session: Session, patient_id: int) -> dict[str, list]:
    """The union's rows as each table's plain rows, by kind. On SQLite the packed statement
    runs on the driver's cursor (compiled once) and each table converts its own date and
    flag columns; elsewhere Core executes the typed one and converts each slot as its type
    says."""
    connection = session.connection()
    rows: dict[str, list] = defaultdict(list)
    if connection.dialect.name == "sqlite":
        sql, names, readers = _readers(connection.dialect)
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.execute(sql, [patient_id] * len(names))
            found = cursor.fetchall()
        finally:
            cursor.close()
        adders = {number: (rows[kind].append, read) for number, (kind, read) in readers.items()}
        for row in found:
            add, read = adders[row[0]]
            add(read(row))
        return rows
    branches = chart_statement().branches
    for row in connection.execute(chart_statement().statement, {"patient_id": patient_id}).all():
        branch = branches[row[0]]
        rows[row[0]].append(branch.make(row[p] for p in branch.places))
    return rows


def load_chart_history(session: Session, patient_id: int
                       ) -> tuple[PatientHistory, ClinicSettings]:
    """The patient's history (as load_history gives it) and the clinic's settings, from one
    statement; NotFound for an unknown or deleted patient. Pending changes of the session are
    flushed first, as load_history does."""
    if session.autoflush:
        session.flush()
    rows = _union_rows(session, patient_id)
    patient = rows["patient"][0] if rows["patient"] else None
    if patient is None or patient.deleted_at is not None:
        raise NotFound(f"no patient with id {patient_id}")
    settings = clinic_settings(rows["setting"], rows["range"])
    # The orders of load_history's queries (a stable sort keeps the rest as the table gives).
    history = assemble_history(
        patient=patient, settings=settings,
        visits=sorted(rows["visit"], key=attrgetter("visit_date")),
        ulcers=sorted(rows["ulcer"], key=attrgetter("id")),
        assessments=rows["assessment"], labs=rows["lab"], perfusion=rows["perfusion"],
        treatments=sorted(rows["treatment"], key=attrgetter("id")),
        adverse_events=sorted(rows["adverse_event"], key=attrgetter("onset_date", "id")))
    return history, settings
