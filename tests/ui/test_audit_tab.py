"""The Audit tab of the chart: the patient's trail, loaded when shown, refreshed after a change."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from app.models import Visit
from app.services.actor import Actor
from app.services.audit import list_audit
from app.services.history import get_patient_by_mrn
from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import delete_visit, save_visit
from tests.db.helpers import golden_copy
from tests.ui.safety_support import TODAY, close_window, open_window


@pytest.fixture
def golden_db(tmp_path_factory, tmp_path):
    """The golden clinic, copied from a session template (faster than conftest's import)."""
    db = golden_copy(tmp_path_factory, tmp_path / "clinic.db")
    yield db
    db.dispose()


def shown(tab) -> list[list[str]]:
    view = tab.table
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


@pytest.fixture
def chart(qtbot, golden_db):
    window = open_window(qtbot, golden_db, "nurse.test")
    qtbot.keyClicks(window.patient_search, "H-01001")
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        qtbot.keyClick(window.patient_search, Qt.Key.Key_Return)
    yield window
    close_window(window)


def test_audit_tab_shows_the_patients_trail_when_opened(qtbot, chart, golden_db, qtmodeltester):
    tab = chart.audit_tab
    assert chart.chart_tabs.tabText(chart.chart_tabs.indexOf(tab)) == "Audit"
    assert tab.model.rowCount() == 0  # nothing loaded while hidden
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        chart.chart_tabs.setCurrentWidget(tab)
    with golden_db.read() as session:
        patient_id = get_patient_by_mrn(session, "H-01001").id
        expected = list_audit(session, patient_id=patient_id)
    assert tab.model.rowCount() == len(expected) > 0
    assert f"{len(expected)} audited changes" in tab.summary.text()
    rows = shown(tab)
    assert ["nurse.test", "create", "patient record", "MRN", "", "H-01001"] in [
        r[1:7] for r in rows]
    # No internal names: no "crp_mg_l", no "visit id 5572", no "_" in a field label.
    assert not any("_" in r[4] for r in rows)
    assert not any(r[3].startswith(("visit ", "lab result ")) and r[3].split()[-1].isdigit()
                   for r in rows)
    qtmodeltester.check(tab.model)


def test_a_signed_change_appears_with_its_reason_after_the_chart_reloads(qtbot, chart,
                                                                         golden_db):
    tab = chart.audit_tab
    chart.chart_tabs.setCurrentWidget(tab)
    patient_id = chart.current_patient_id
    with golden_db.write() as session:
        visit = session.query(Visit).filter_by(patient_id=patient_id).order_by(
            Visit.visit_date.desc()).first()
        visit_id, visit_day = visit.id, visit.visit_date
        delete_visit(session, visit_id, reason="duplicate entry", actor=Actor("dr.bo",
                                                                               "doctor"))
    with qtbot.waitSignal(chart.chart_loaded, timeout=10_000):
        chart.refresh_patient()
    qtbot.waitUntil(lambda: any(r[7] == "duplicate entry" for r in shown(tab)), timeout=10_000)
    deleted = [r for r in shown(tab) if r[4] == "deleted"]
    assert deleted[-1][1] == "dr.bo" and deleted[-1][3] == f"visit of {visit_day.isoformat()}"


def test_new_visit_rows_carry_the_user_of_the_window(qtbot, chart, golden_db):
    tab = chart.audit_tab
    with golden_db.write() as session:
        save_visit(session, VisitInput(
            patient_id=chart.current_patient_id, visit_date=TODAY, vas=2,
            assessments=(AssessmentInput(site="left hallux", length_cm=0.5, width_cm=0.4),)),
            actor=chart.actor, confirmed=True, today=TODAY)
    with qtbot.waitSignal(chart.chart_loaded, timeout=10_000):
        chart.refresh_patient()
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        chart.chart_tabs.setCurrentWidget(tab)
    vas = [r for r in shown(tab) if r[4] == "VAS pain (0–10)" and r[6] == "2.0"]
    assert vas and vas[-1][1] == "nurse.test" and vas[-1][0].startswith(
        dt.datetime.now().strftime("%Y-%m-%d"))


@pytest.fixture
def far_east_time(monkeypatch):
    """This computer's clock in Auckland (UTC+12/+13), so local time and UTC differ."""
    import time

    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_labs_read_by_label_and_times_are_local(qtbot, chart, golden_db, far_east_time):
    from app.services.visit_input import LabInput

    tab = chart.audit_tab
    with golden_db.write() as session:
        save_visit(session, VisitInput(
            patient_id=chart.current_patient_id, visit_date=TODAY,
            assessments=(AssessmentInput(site="R-hallux-plantar", length_cm=0.5,
                                         width_cm=0.4),),
            labs=(LabInput("crp_mg_l", 31.0),)),
            actor=chart.actor, confirmed=True, today=TODAY)
    with qtbot.waitSignal(chart.chart_loaded, timeout=10_000):
        chart.refresh_patient()
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        chart.chart_tabs.setCurrentWidget(tab)
    rows = shown(tab)
    crp = [r for r in rows if r[4] == "CRP (mg/L)" and r[6] == "31.0"]
    assert crp and crp[-1][3] == f"CRP (mg/L) of {TODAY.isoformat()}"
    assert not any("crp_mg_l" in " ".join(r) for r in rows)
    sites = [r for r in rows if r[4] == "site" and "R-hallux-plantar" in r[6]]
    assert sites[-1][6] == "right big toe, sole (R-hallux-plantar)"
    sizes = [r for r in rows if r[4] == "length (cm)" and r[6] == "0.5"]
    assert sizes[-1][3] == f"assessment of {TODAY.isoformat()} · right big toe, sole"
    with golden_db.read() as session:
        newest = list_audit(session, patient_id=chart.current_patient_id)[-1]
    utc = newest.at.replace(tzinfo=dt.timezone.utc)
    local = utc.astimezone()
    assert local.utcoffset() >= dt.timedelta(hours=12)
    row = rows[row_of(tab, newest.id)]
    assert row[0] == f"{local:%Y-%m-%d %H:%M}" != f"{utc:%Y-%m-%d %H:%M}"
    assert "times are local (NZ" in tab.summary.text()


def row_of(tab, record_id: int) -> int:
    """The row (in the view's order) showing the audit entry `record_id`."""
    from app.ui.chart.tables import RECORD_ID_ROLE

    model = tab.table.model()
    return next(r for r in range(model.rowCount())
                if model.index(r, 0).data(RECORD_ID_ROLE) == record_id)
