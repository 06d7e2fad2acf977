"""record_maker (app.services.fast_records): the records it builds are the ones the
dataclasses' own __init__ builds (equal, same repr, same vars in the same order, same hash),
and it refuses the dataclasses it cannot build that way."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest


def _rebuilt(record):
    """The record made again by its class's own __init__, from its fields."""
    return type(record)(**{f.name: getattr(record, f.name) for f in dataclasses.fields(record)})


def _same_as_init(record) -> None:
    again = _rebuilt(record)
    assert record == again
    assert repr(record) == repr(again)
    assert list(vars(record).items()) == list(vars(again).items())
    if type(record).__name__ != "VisitRecord":  # a visit holds its labs' dict: no hash
        assert hash(record) == hash(again)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, dataclasses.fields(record)[0].name, None)  # still frozen


def test_a_made_record_is_the_one_init_makes():
    from app.domain.records import LabRecord
    from app.services.fast_records import record_maker

    values = ("crp", 12.5, "mg/L", 1.25, "mg/dL", "H", dt.date(2026, 1, 2))
    made = record_maker(LabRecord)(*values)
    assert type(made) is LabRecord
    assert made == LabRecord(*values)
    assert repr(made) == repr(LabRecord(*values))
    assert list(vars(made).items()) == list(vars(LabRecord(*values)).items())
    assert hash(made) == hash(LabRecord(*values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = 1.0
    with pytest.raises(TypeError):
        record_maker(LabRecord)(*values[:-1])  # every field is passed


def test_every_record_of_the_demo_histories_is_the_one_init_makes(demo_db):
    from app.services.history import load_history

    with demo_db.read() as session:
        ids = [row[0] for row in session.connection().exec_driver_sql(
            "SELECT id FROM patient WHERE deleted_at IS NULL ORDER BY id")]
        histories = [load_history(session, pid) for pid in ids]
    kinds = set()
    for history in histories:
        records = [*history.visits, *history.treatments, *history.adverse_events]
        records += [lab for v in history.visits for lab in v.labs.values()]
        records += [v.perfusion for v in history.visits if v.perfusion is not None]
        records += [a for e in history.episodes for a in e.assessments]
        for record in records:
            _same_as_init(record)
            kinds.add(type(record).__name__)
    assert kinds >= {"VisitRecord", "LabRecord", "AssessmentRecord", "TreatmentRecord",
                     "AdverseEventRecord"}


def test_dataclasses_it_cannot_build_are_refused():
    from app.services.fast_records import record_maker

    @dataclasses.dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            raise ValueError

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        value: int

    @dataclasses.dataclass(frozen=True)
    class WithInitVar:
        value: int
        scale: dataclasses.InitVar[int] = 1

    for cls in (Checked, Slotted, WithInitVar, tuple):
        with pytest.raises(TypeError):
            record_maker(cls)


def _columns_agree(record, row, *, differ: frozenset[str] = frozenset()) -> None:
    """Every field of `record` named like a column of the ORM `row` holds that column's
    value: a field given to record_maker in the wrong place would not."""
    from sqlalchemy import inspect

    columns = {c.key for c in inspect(type(row)).column_attrs}
    shared = [f.name for f in dataclasses.fields(record) if f.name in columns - differ]
    assert shared, type(record).__name__
    assert {n: getattr(record, n) for n in shared} == {n: getattr(row, n) for n in shared}


def test_every_positional_record_field_holds_its_own_column(demo_db):
    """record_maker takes values by position: the histories the chart and the summary read
    are checked field by field against the rows they come from, by name."""
    from sqlalchemy import select

    from app.models import (
        AdverseEvent,
        Assessment,
        LabResult,
        Patient,
        PerfusionImaging,
        Treatment,
        Visit,
    )
    from app.services.chart_rows import load_chart_history
    from app.services.history import load_history

    with demo_db.read() as session:
        for patient_id in session.scalars(select(Patient.id).order_by(Patient.id)):
            for history in (load_history(session, patient_id),
                            load_chart_history(session, patient_id)[0]):
                for visit in history.visits:
                    _columns_agree(visit, session.get(Visit, visit.id))
                    for lab in visit.labs.values():  # its flag: the clinic's ranges today
                        _columns_agree(lab, session.scalars(select(LabResult).where(
                            LabResult.visit_id == visit.id,
                            LabResult.analyte == lab.analyte)).one(),
                            differ=frozenset({"flag"}))
                    if visit.perfusion is not None:
                        _columns_agree(visit.perfusion, session.scalars(select(
                            PerfusionImaging).where(PerfusionImaging.visit_id == visit.id)).one())
                for treatment in history.treatments:
                    _columns_agree(treatment, session.get(Treatment, treatment.id))
                for event in history.adverse_events:
                    _columns_agree(event, session.get(AdverseEvent, event.id))
                for episode in history.episodes:
                    for assessment in episode.assessments:  # its `closed` is the closure rule's
                        _columns_agree(assessment, session.get(Assessment, assessment.id),
                                       differ=frozenset({"closed"}))
