"""The chart's data in one statement (app.services.chart_rows): the same history and settings
as load_history and load_settings give, on SQLite and on PostgreSQL. Counts and values, never
times (bench/README.md, "Chart open")."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

TODAY = dt.date(2026, 11, 27)
ADMIN = ("admin.test", "admin")


@pytest.fixture
def db_url(any_db_url):
    """These tests run on SQLite and on PostgreSQL."""
    return any_db_url


def _patient_ids(session, *, live_only: bool = True) -> list[int]:
    where = " WHERE deleted_at IS NULL" if live_only else ""
    return [row[0] for row in session.connection().exec_driver_sql(
        f"SELECT id FROM patient{where} ORDER BY id")]


def _same_as_the_history(session, patient_id: int):
    """load_chart_history, after checking it equals load_history and load_settings (and the
    labs of each visit in the same order)."""
    from app.services.chart_rows import load_chart_history
    from app.services.history import load_history
    from app.services.settings import load_settings

    history, settings = load_chart_history(session, patient_id)
    reference = load_history(session, patient_id)
    assert history == reference, patient_id
    assert repr(history) == repr(reference), patient_id  # the same types too (1 == 1.0 == True)
    assert [list(v.labs) for v in history.visits] == \
        [list(v.labs) for v in reference.visits], patient_id
    assert settings == load_settings(session)
    return history


@contextmanager
def statements_sent(db):
    """The SQL statements the database receives inside the block, BEGIN and ROLLBACK aside:
    the driver's own trace on SQLite (load_chart_history runs there on the driver's cursor,
    where SQLAlchemy's events do not see it), the engine's events elsewhere."""
    from sqlalchemy import event

    sent: list[str] = []

    def keep(statement: str) -> None:
        if statement.split()[0].upper() not in ("BEGIN", "ROLLBACK", "COMMIT"):
            sent.append(statement)

    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.set_trace_callback(keep)

    def before(_conn, _cursor, statement, *_args) -> None:
        keep(statement)

    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        db.engine.dispose()  # every connection from here on is traced
        event.listen(db.engine, "connect", on_connect)
    else:
        event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        if sqlite:
            event.remove(db.engine, "connect", on_connect)
            db.engine.dispose()
        else:
            event.remove(db.engine, "before_cursor_execute", before)


def test_the_chart_history_equals_load_history_for_every_demo_patient(demo_db):
    with demo_db.read() as session:
        histories = [_same_as_the_history(session, pid) for pid in _patient_ids(session)]
    assert len(histories) == 40
    assert sum(len(h.episodes) for h in histories) > 40
    assert any(h.treatments for h in histories) and any(h.adverse_events for h in histories)
    assert any(v.labs for h in histories for v in h.visits)


def test_the_chart_history_equals_load_history_for_every_golden_patient(golden_db):
    with golden_db.read() as session:
        histories = [_same_as_the_history(session, pid) for pid in _patient_ids(session)]
    assert len(histories) == 8
    assert any(h.treatments for h in histories)


def test_one_statement_per_chart(demo_db):
    """One round trip on a server: the patient, settings, ranges, visits, ulcers,
    assessments, labs, perfusion, treatments and adverse events in one UNION ALL."""
    from app.services.patient_chart import load_patient_chart

    with demo_db.read() as session:
        patient_id = _patient_ids(session)[0]
    with statements_sent(demo_db) as sent:
        with demo_db.read() as session:
            chart = load_patient_chart(session, patient_id, today=TODAY)
    assert chart.history.visits and chart.history.episodes
    assert len(sent) == 1 and "UNION ALL" in sent[0]


def test_the_chart_follows_deletions_settings_statuses_and_pending_changes(golden_db):
    """Deleted visits are left out, the clinic's area method and reference ranges are used,
    a clinician's status and an episode without sizes are shown, and changes not yet flushed
    are seen: all as load_history gives them."""
    from sqlalchemy import select

    from app.models import Patient, PerfusionImaging, Visit
    from app.services.actor import Actor
    from app.services.audit import act_as
    from app.services.settings import set_reference_range, update_setting
    from app.services.visits import delete_visit
    from tests.services.history_edits import amputate_first_ulcer_and_clear_first_sizes

    with golden_db.read() as session:
        patient_id = session.scalar(select(Patient.id).where(Patient.mrn == "H-01000"))
        before = _same_as_the_history(session, patient_id)
        visit_ids = list(session.scalars(select(Visit.id).where(Visit.patient_id == patient_id)
                                         .order_by(Visit.visit_date)))
    admin, nurse = Actor(*ADMIN), Actor("nurse.test", "nurse")
    with golden_db.write() as session:
        update_setting(session, "area_method", "rectangle", actor=admin)
        set_reference_range(session, "crp_mg_l", 0.0, 1.0, actor=admin)
    with golden_db.write() as session:
        delete_visit(session, visit_ids[-1], reason="entered twice", actor=nurse)
    with golden_db.read() as session:
        after = _same_as_the_history(session, patient_id)
    assert len(after.visits) == len(before.visits) - 1
    assert after.area_method.value == "rectangle" and after != before
    with golden_db.write() as session:
        act_as(session, nurse)
        amputate_first_ulcer_and_clear_first_sizes(session, patient_id, visit_ids[0])
        flushed = _same_as_the_history(session, patient_id)
        session.get(Visit, visit_ids[1]).vas = 9.5  # not flushed yet: autoflush sees it
        pending = _same_as_the_history(session, patient_id)
    assert any(e.clinician_status == "amputated" for e in flushed.episodes)
    assert any(e.problem for e in flushed.episodes)
    with golden_db.write() as session:
        act_as(session, nurse)
        session.add(PerfusionImaging(visit_id=visit_ids[1], doppler_waveform="biphasic",
                                     imaging_modality="xray", imaging_depth_cm=1.5,
                                     osteomyelitis="suspected", imaging_findings="erosion"))
    with golden_db.read() as session:
        imaged = _same_as_the_history(session, patient_id)
    assert imaged.visits[1].perfusion.imaging_findings == "erosion"
    assert pending.visits[1].vas == 9.5 != flushed.visits[1].vas


def test_unknown_and_deleted_patients_are_not_found(golden_db):
    from sqlalchemy import select

    from app.models import Patient
    from app.services.actor import Actor
    from app.services.audit import act_as
    from app.services.chart_rows import load_chart_history
    from app.services.errors import NotFound

    with golden_db.read() as session:
        with pytest.raises(NotFound, match="no patient with id 987654"):
            load_chart_history(session, 987654)
    with golden_db.write() as session:
        act_as(session, Actor("nurse.test", "nurse"))
        patient = session.scalars(select(Patient).where(Patient.mrn == "H-01000")).one()
        patient.deleted_at = dt.datetime(2026, 11, 28)
        patient_id = patient.id
    with golden_db.read() as session:
        with pytest.raises(NotFound):
            load_chart_history(session, patient_id)
