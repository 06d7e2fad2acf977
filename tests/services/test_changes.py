"""The Changes value the change feed delivers."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.services.changes import Changes

ids = st.frozensets(st.integers(min_value=1, max_value=10**9), max_size=20)
changes = st.builds(Changes, ids, ids, ids, st.booleans(), st.booleans(), st.booleans())


def test_empty_and_merge():
    assert Changes().is_empty()
    merged = Changes.of(patients=[1]).merge(Changes.of(visits=[5], settings=True))
    assert merged == Changes.of(patients=[1], visits=[5], settings=True)
    assert not merged.is_empty()
    assert Changes.all().touches_patient(42)
    assert not Changes.of(patients=[1]).touches_patient(2)


@given(changes)
def test_payload_round_trip(value):
    assert Changes.from_payload(value.to_payload()) == value


@given(changes, changes)
def test_merge_is_a_union(a, b):
    merged = a.merge(b)
    assert merged == b.merge(a)
    assert merged.patients == a.patients | b.patients
    assert merged.everything == (a.everything or b.everything)


def test_a_huge_change_becomes_everything_and_junk_too():
    huge = Changes.of(patients=range(5000))
    assert Changes.from_payload(huge.to_payload()).everything
    assert Changes.from_payload("not json").everything
