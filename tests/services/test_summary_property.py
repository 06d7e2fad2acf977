"""Property: for any stored history (sites with one or two episodes, recurrences, clinician
statuses, closures, missing sizes, deleted visits, labs), patient_summary's one-statement
path gives byte for byte the summary of history_summary(load_history(...))."""
from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SITES = ("left hallux", "right heel")
LABS = (("crp_mg_l", 1000.0, "mg/L"), ("esr_mm_h", 200.0, "mm/h"))
START = dt.date(2025, 1, 6)
_numbers = itertools.count(1)


def _tenths(low: float, high: float):
    return st.floats(low, high, allow_nan=False).map(lambda v: round(v, 1))


@st.composite
def histories(draw):
    days = sorted(draw(st.sets(st.integers(0, 240), max_size=7)))
    visits = [(day, draw(st.none() | _tenths(0, 10)), draw(st.integers(0, 5)) == 0)
              for day in days]  # (day, VAS, deleted)
    ulcers = [(site, episode, draw(st.sampled_from((None, None, "amputated", "lost"))),
               episode > 1 and draw(st.booleans()))  # (site, episode, status, recurrence)
              for site in draw(st.lists(st.sampled_from(SITES), max_size=2, unique=True))
              for episode in range(1, draw(st.integers(1, 2)) + 1)]
    assessments = []  # (visit, ulcer, length, width, traced area, closed)
    for v, u in itertools.product(range(len(visits)), range(len(ulcers))):
        if draw(st.integers(0, 2)):
            length, width = draw(st.none() | _tenths(0.1, 30)), draw(st.none() | _tenths(0.1, 30))
            closed = draw(st.booleans())
            if closed and draw(st.booleans()):
                length = width = 0.0
            assessments.append((v, u, length, width, draw(st.none() | _tenths(0.1, 300)),
                                closed))
    labs = [(v, column, draw(_tenths(0, high)), unit) for v in range(len(visits))
            for column, high, unit in LABS if draw(st.booleans())]
    return visits, ulcers, assessments, labs


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    from app.db import Database

    database = Database.open(f"sqlite:///{tmp_path_factory.mktemp('property') / 'c.db'}")
    yield database
    database.dispose()


def _store(connection, mrn: str, history) -> None:
    """The history's rows written with Core (no audit trail: what is read is the point)."""
    from app.models import Assessment, LabResult, Patient, Ulcer, Visit

    visits, ulcers, assessments, labs = history
    patient_id = connection.execute(Patient.__table__.insert().values(
        mrn=mrn, mrn_key=mrn.lower(), name=f"Patient {mrn}")).inserted_primary_key[0]
    visit_ids = [connection.execute(Visit.__table__.insert().values(
        patient_id=patient_id, visit_date=START + dt.timedelta(days=day), vas=vas,
        deleted_at=dt.datetime(2026, 1, 1) if deleted else None)).inserted_primary_key[0]
        for day, vas, deleted in visits]
    ulcer_ids: list[int] = []
    for site, episode, status, recurrence in ulcers:
        ulcer_ids.append(connection.execute(Ulcer.__table__.insert().values(
            patient_id=patient_id, site=site, episode_no=episode, clinician_status=status,
            recurrence_of_id=ulcer_ids[-1] if recurrence else None)).inserted_primary_key[0])
    for v, u, length, width, traced, closed in assessments:
        connection.execute(Assessment.__table__.insert().values(
            visit_id=visit_ids[v], ulcer_id=ulcer_ids[u], length_cm=length, width_cm=width,
            traced_area_cm2=traced, closed=closed))
    for v, column, value, unit in labs:
        connection.execute(LabResult.__table__.insert().values(
            visit_id=visit_ids[v], analyte=column, value=value, unit=unit, raw_value=value,
            raw_unit=unit, collected_on=START + dt.timedelta(days=visits[v][0])))


@settings(max_examples=40, deadline=None)
@given(history=histories())
def test_the_one_statement_summary_is_the_history_summary(clinic, history):
    from app.services.history import load_history, patient_id_by_mrn
    from app.services.summary import history_summary, patient_summary

    mrn = f"P-{next(_numbers):05d}"
    with clinic.write() as session:
        _store(session.connection(), mrn, history)
    with clinic.read() as session:
        fast = patient_summary(session, mrn)
        reference = history_summary(load_history(session, patient_id_by_mrn(session, mrn)))
    assert json.dumps(fast, indent=2) == json.dumps(reference, indent=2)
    assert fast == reference
    live_sites = {history[1][u][0] for v, u, *_ in history[2] if not history[0][v][2]}
    assert {u["site"] for u in fast["ulcers"]} == live_sites
