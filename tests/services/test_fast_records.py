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
