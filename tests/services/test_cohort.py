"""Cohort statistics: a small hand-built clinic, filters, and agreement with load_history."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from app.domain.survival import Subject, kaplan_meier, logrank_test
from app.models import Patient, Ulcer
from app.services.cohort import CohortFilter, cohort_json, cohort_statistics, load_clinic_episodes
from app.services.errors import UserError
from app.services.history import load_history
from app.services.visit_sheet import import_visit_sheet


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


BASE = dt.date(2026, 1, 5)
HEADER = "mrn,patient_name,arm,visit_date,ulcer_site,length_cm,width_cm,closed\n"
# (mrn, arm, day, length, width, closed) for one site per patient.
VISITS = [
    ("C-1", "exosome", 0, 2, 2, "no"), ("C-1", "exosome", 14, 1, 1, "no"),
    ("C-1", "exosome", 28, 0, 0, "yes"), ("C-1", "exosome", 42, 0, 0, "yes"),
    ("C-1", "exosome", 56, 1, 1, "no"),  # reopens: a recurrence 28 days after closure
    ("C-2", "exosome", 0, 2, 2, "no"), ("C-2", "exosome", 28, 1.8, 1.8, "no"),
    ("C-2", "exosome", 49, 1.5, 1.5, "no"),  # open: censored at day 49, PAR4 = 19%
    ("C-3", "standard", 0, 3, 3, "no"), ("C-3", "standard", 21, 2, 2, "no"),
    ("C-3", "standard", 70, 0, 0, "yes"),  # closed on day 70; PAR4 (day 21) = 55.6%
    ("C-4", "standard", 0, 2, 2, "no"), ("C-4", "standard", 7, 2, 2, "no"),
    ("C-5", "", 0, 2, 2, "no"), ("C-5", "", 10, 0, 0, "yes"),  # no arm
]


def _sheet(rows) -> str:
    lines = [HEADER]
    for mrn, arm, day, length, width, closed in rows:
        on = (BASE + dt.timedelta(days=day)).isoformat()
        lines.append(f"{mrn},Patient {mrn},{arm},{on},R-heel,{length},{width},{closed}\n")
    return "".join(lines)


@pytest.fixture
def small_clinic(db, actor):
    import_visit_sheet(db, _sheet(VISITS), actor=actor, today=dt.date(2026, 11, 27))
    return db


def test_small_clinic_by_hand(small_clinic):
    with small_clinic.read() as session:
        stats = cohort_statistics(session)
    exosome, standard, msc = (stats.arms[a] for a in ("exosome", "standard", "exosome+msc"))
    assert exosome.closure.subjects == 2 and exosome.closed == 1
    assert [(p.time, p.survival, p.at_risk) for p in exosome.closure.points] == [
        (0, 1.0, 2), (28, 0.5, 2)]
    assert exosome.closure.median == 28 and exosome.closure.last_time == 49
    assert exosome.on_track_percent(4) == 50.0 and exosome.known_count(4) == 2
    assert exosome.healed_followed == 1 and exosome.recurred == 1
    assert exosome.recurrence.points[-1].time == 28  # 56 − 28 days recurrence-free
    assert standard.closure.median == 70 and standard.closed == 1
    assert standard.on_track_percent(4) == 100.0 and standard.known_count(4) == 1
    assert standard.recurrence.subjects == 1 and standard.recurred == 0
    assert msc.closure.subjects == 0 and msc.on_track_percent(4) is None
    assert stats.excluded == {"no_arm": 1, "no_metrics": 0}
    expected = logrank_test({"exosome": [Subject(28, True), Subject(49, False)],
                             "standard": [Subject(70, True), Subject(7, False)]})
    assert stats.logrank_closure.chi2 == pytest.approx(expected.chi2)
    assert stats.logrank_closure.df == 1


def test_small_clinic_json_schema(small_clinic):
    with small_clinic.read() as session:
        data = cohort_json(cohort_statistics(session))
    exosome = data["groups"]["exosome"]
    assert set(data["groups"]) == {"exosome", "exosome+msc", "standard"}
    assert exosome["episodes"] == 2 and exosome["closed"] == 1
    assert exosome["median_days_to_closure"] == 28
    assert exosome["week4_on_track_percent"] == 50.0
    assert exosome["km_closure"][0] == {"day": 0, "still_open": 1.0, "ci_low": 1.0,
                                        "ci_high": 1.0, "at_risk": 2, "closed": 0}
    assert [p["day"] for p in exosome["km_closure"]] == [0, 28]
    assert data["groups"]["exosome+msc"]["median_days_to_closure"] is None
    assert data["groups"]["exosome+msc"]["week4_on_track_percent"] is None
    assert set(data["logrank_closure"]) >= {"chi2", "df", "p"}
    assert data["groups"]["standard"]["recurrence"]["healed"] == 1


def test_filters(small_clinic):
    with small_clinic.write() as session:
        c3 = session.scalar(select(Patient.id).where(Patient.mrn == "C-3"))
        session.execute(update(Ulcer).where(Ulcer.patient_id == c3)
                        .values(etiology="ischemic", wagner_grade=3))
    with small_clinic.read() as session:
        def episodes(**kwargs):
            stats = cohort_statistics(session, CohortFilter(**kwargs))
            return {arm: s.closure.subjects for arm, s in stats.arms.items() if s.episodes}

        assert episodes(etiology="ischemic") == {"standard": 1}
        assert episodes(wagner_grade=3) == {"standard": 1}
        assert episodes(area_band=">5") == {"standard": 1}  # 3×3 ellipse = 7.07 cm²
        assert episodes(area_band="1-5") == {"exosome": 2, "standard": 1}
        assert episodes(area_band="<1") == {}
        assert episodes(baseline_from=BASE, baseline_to=BASE) == {"exosome": 2, "standard": 2}
        assert episodes(baseline_from=BASE + dt.timedelta(days=1)) == {}
        for bad in (dict(etiology="venous"), dict(wagner_grade=7), dict(area_band="huge"),
                    dict(baseline_from=BASE, baseline_to=BASE - dt.timedelta(days=1))):
            with pytest.raises(UserError):
                cohort_statistics(session, CohortFilter(**bad))


def test_clinic_episodes_equal_load_history(demo_db):
    """The set-based path computes exactly what load_history computes, patient by patient."""
    with demo_db.read() as session:
        episodes = load_clinic_episodes(session)
        by_patient: dict[int, list] = {}
        for e in episodes:
            by_patient.setdefault(e.patient_id, []).append(e)
        for patient_id, mine in by_patient.items():
            history = load_history(session, patient_id)
            assert sorted((v.ulcer_id, v.metrics, v.recurred_on) for v in history.episodes) == \
                sorted((e.ulcer_id, e.metrics, e.recurred_on) for e in mine)


def test_demo_curves_match_subjects_from_load_history(demo_db):
    with demo_db.read() as session:
        stats = cohort_statistics(session)
        subjects: dict[str, list[Subject]] = {}
        for patient_id in session.scalars(select(Patient.id)):
            history = load_history(session, patient_id)
            for view in history.episodes:
                if view.recurrence_of_episode is not None:
                    continue
                m = view.metrics
                closed = m.days_to_closure is not None
                days = m.days_to_closure if closed else (m.latest_date - m.baseline_date).days
                subjects.setdefault(history.patient.arm, []).append(Subject(days, closed))
    assert sum(s.closure.subjects for s in stats.arms.values()) == sum(map(len, subjects.values()))
    for arm, members in subjects.items():
        assert stats.arms[arm].closure.points == kaplan_meier(members).points
    assert stats.logrank_closure.chi2 == pytest.approx(logrank_test(subjects).chi2, abs=1e-12)


def test_deleted_patients_and_visits_are_left_out(small_clinic):
    import datetime as _dt

    from app.models import Visit

    with small_clinic.write() as session:
        c2 = session.scalar(select(Patient.id).where(Patient.mrn == "C-2"))
        session.execute(update(Patient).where(Patient.id == c2)
                        .values(deleted_at=_dt.datetime(2026, 11, 1)))
        c3 = session.scalar(select(Patient.id).where(Patient.mrn == "C-3"))
        last = session.scalar(select(Visit.id).where(Visit.patient_id == c3)
                              .order_by(Visit.visit_date.desc()))
        session.execute(update(Visit).where(Visit.id == last)
                        .values(deleted_at=_dt.datetime(2026, 11, 1)))
    with small_clinic.read() as session:
        stats = cohort_statistics(session)
    assert stats.arms["exosome"].closure.subjects == 1  # C-2 is gone
    standard = stats.arms["standard"].closure
    assert standard.events == 0 and standard.last_time == 21  # C-3's closure visit is gone
