"""The patient list's set-based rows agree with the chart's per-patient history."""
from __future__ import annotations

import datetime as dt

import pytest

from app.models import AdverseEvent, Patient, Visit
from app.services.patient_chart import episode_is_open, load_patient_chart
from app.services.patient_list import load_patient_list, load_patient_row

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


def assert_rows_match_charts(db) -> None:
    with db.read() as session:
        rows = load_patient_list(session, today=TODAY)
        assert rows
        for row in rows:
            chart = load_patient_chart(session, row.id, today=TODAY)
            history = chart.history
            open_episodes = [e for e in history.episodes if episode_is_open(e)]
            assert row.open_ulcers == len(open_episodes), row.mrn
            assert row.off_track_week4 == any(
                e.metrics is not None and e.metrics.week4_on_track is False
                for e in open_episodes), row.mrn
            assert row.last_visit == (history.last_visit.visit_date if history.visits else None)
            assert row.next_visit_due == chart.next_visit_due, row.mrn
            assert row.overdue == chart.overdue, row.mrn
            assert row.overdue == any(a.code == "follow_up_overdue" for a in chart.alerts)
            assert row.adverse_event_open == any(e.is_open for e in history.adverse_events)
            assert row.age == history.patient.age_on(TODAY)


def test_golden_rows(golden_db):
    with golden_db.read() as session:
        rows = {r.mrn: r for r in load_patient_list(session, today=TODAY)}
    assert list(rows) == sorted(rows)
    assert len(rows) == 8
    olga = rows["H-01006"]
    assert (olga.name, olga.age, olga.arm, olga.open_ulcers) == ("Olga Müller", 80, "exosome", 1)
    assert olga.last_visit == dt.date(2025, 12, 8)
    assert olga.next_visit_due == dt.date(2025, 12, 22)  # last visit + 14-day interval
    assert olga.flags == ("off_track_week4", "overdue")
    healed = rows["H-01001"]
    assert (healed.open_ulcers, healed.next_visit_due, healed.flags) == (0, None, ())
    assert rows["H-01004"].search_text == "h-01004\nzoe tanaka"


def test_golden_rows_match_the_chart(golden_db):
    assert_rows_match_charts(golden_db)


def test_demo_rows_match_the_chart(demo_db):
    assert_rows_match_charts(demo_db)


def test_flags_follow_adverse_events_deletions_and_planned_visits(golden_db):
    from app.services.actor import Actor
    from app.services.audit import act_as

    with golden_db.write() as session:
        act_as(session, Actor("nurse.test", "nurse"))
        patient = session.query(Patient).filter_by(mrn="H-01001").one()
        last = session.query(Visit).filter_by(patient_id=patient.id).order_by(
            Visit.visit_date.desc()).first()
        last.next_visit_date = TODAY - dt.timedelta(days=1)
        session.add(AdverseEvent(patient_id=patient.id, onset_date=last.visit_date,
                                 description="Cellulitis of the foot", ctcae_grade=3,
                                 outcome="recovering"))
        gone = session.query(Patient).filter_by(mrn="H-01002").one()
        gone.deleted_at = dt.datetime(2026, 11, 1)
        pid, gone_id = patient.id, gone.id
    with golden_db.read() as session:
        row = load_patient_row(session, pid, today=TODAY)
        assert row.flags == ("overdue", "adverse_event_open")
        assert load_patient_row(session, gone_id, today=TODAY) is None
        assert "H-01002" not in {r.mrn for r in load_patient_list(session, today=TODAY)}
    with golden_db.write() as session:
        act_as(session, Actor("nurse.test", "nurse"))
        event = session.query(AdverseEvent).filter_by(patient_id=pid).one()
        event.resolved_on = TODAY
    with golden_db.read() as session:
        assert load_patient_row(session, pid, today=TODAY).adverse_event_open is False
