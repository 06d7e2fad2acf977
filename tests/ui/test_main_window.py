"""The main window as a nurse meets it: search, open a chart, the buttons other features use."""
from __future__ import annotations

import datetime as dt
import importlib.machinery
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QPushButton, QTableView, QTabWidget

from app.services.changes import Changes
from app.services.patient_list import load_patient_list
from app.ui.main_window import MainWindow, create_main_window
from tests.ui.golden_support import golden_copy, golden_template  # noqa: F401 (fixtures)

TODAY = dt.date(2026, 11, 27)
ROOT = Path(__file__).resolve().parents[2]


def open_window(qtbot, db) -> MainWindow:
    window = create_main_window(db.url, "nurse.test", today=TODAY)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.patients_loaded, timeout=20_000):
        window.show()
    return window


@pytest.fixture
def window(qtbot, golden_copy):
    window = open_window(qtbot, golden_copy)
    yield window
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def shown_mrns(window: MainWindow) -> list[str]:
    proxy = window.patient_proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def open_chart(qtbot, window: MainWindow, mrn: str):
    window.patient_search.clear()
    qtbot.keyClicks(window.patient_search, mrn)
    assert shown_mrns(window) == [mrn]
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        qtbot.keyClick(window.patient_search, Qt.Key.Key_Return)
    return window.current_chart


def test_object_names_of_the_test_surface(window):
    for name, kind in (("patientSearch", QLineEdit), ("patientTable", QTableView),
                       ("newPatientButton", QPushButton), ("newVisitButton", QPushButton),
                       ("printReportButton", QPushButton), ("chartTabs", QTabWidget),
                       ("visitTable", QTableView)):
        assert window.findChild(kind, name) is not None, name
    assert window.chart_tabs.objectName() == "chartTabs"
    assert window.menu_file.title() and window.menu_clinic.title()
    assert window.actor.username == "nurse.test"


def test_the_window_paints_before_the_list_loads(qtbot, golden_copy):
    window = create_main_window(golden_copy.url, "nurse.test", today=TODAY)
    qtbot.addWidget(window)
    assert window.patient_model.rowCount() == 0 and not window.patients_ready
    with qtbot.waitSignal(window.patients_loaded, timeout=20_000) as loaded:
        window.show()
    assert loaded.args == [8] and window.list_status.text() == "8 patients"


def test_search_by_mrn_and_by_part_of_a_name_ignoring_accents(qtbot, window):
    qtbot.keyClicks(window.patient_search, "h-01004")
    assert shown_mrns(window) == ["H-01004"]
    window.patient_search.clear()
    qtbot.keyClicks(window.patient_search, "zoe")
    assert sorted(shown_mrns(window)) == ["H-01004", "H-01007"]  # Zoë Tanaka, Zoë Petrov
    qtbot.keyClicks(window.patient_search, " PETR")
    assert shown_mrns(window) == ["H-01007"]
    window.patient_search.clear()
    qtbot.keyClicks(window.patient_search, "mull")
    assert sorted(shown_mrns(window)) == ["H-01003", "H-01006"]  # Müller
    assert window.list_status.text() == "2 of 8 patients"
    qtbot.keyClick(window.patient_search, Qt.Key.Key_Escape)
    assert window.patient_search.text() == "" and len(shown_mrns(window)) == 8


def test_open_a_chart_from_the_keyboard(qtbot, window):
    chart = open_chart(qtbot, window, "H-01006")
    assert chart.history.patient.name == "Olga Müller"
    assert window.current_patient_id == chart.history.patient.id
    assert window.patient_header.text() == "Olga Müller · H-01006"
    assert window.new_visit_button.isEnabled() and window.print_report_button.isEnabled()
    overview = window.chart_tabs.overview
    assert [c.episode.label for c in overview.cards] == ["R-heel"]
    card = overview.cards[0]
    assert card.values["par_week4"] == "43.7%, day 29" and card.values["week4_badge"] == "off track"
    assert [a.alert.code for a in overview.alert_cards] == ["follow_up_overdue", "par_week4",
                                                            "par_week8"]
    assert "Sheehan" in overview.alert_cards[1].rule.text()


def test_overdue_filter_and_sorting_keep_the_search_right(qtbot, window):
    qtbot.mouseClick(window.overdue_filter, Qt.MouseButton.LeftButton)
    assert sorted(shown_mrns(window)) == ["H-01000", "H-01006", "H-01007"]
    assert window.action_overdue.isChecked()
    window.patient_table.sortByColumn(window.patient_model.NAME, Qt.SortOrder.DescendingOrder)
    assert shown_mrns(window) == ["H-01007", "H-01000", "H-01006"]  # Zoë, Wei, Olga
    qtbot.keyClicks(window.patient_search, "olga")
    assert shown_mrns(window) == ["H-01006"]
    qtbot.mouseClick(window.overdue_filter, Qt.MouseButton.LeftButton)
    window.patient_search.clear()
    window.patient_table.sortByColumn(window.patient_model.AGE, Qt.SortOrder.AscendingOrder)
    ages = [window.patient_proxy.index(r, 2).data() for r in range(8)]
    assert ages == sorted(ages, key=int)


def test_models_pass_the_model_tester(qtbot, qtmodeltester, window):
    qtmodeltester.check(window.patient_model)
    qtmodeltester.check(window.patient_proxy)
    open_chart(qtbot, window, "H-01002")
    window.chart_tabs.fill_all()
    tabs = window.chart_tabs
    for model in (tabs.visit_model, tabs.treatment_model, tabs.adverse_event_model,
                  tabs.visit_table.model(), tabs.treatment_table.model(),
                  tabs.adverse_event_table.model()):
        assert model.rowCount() > 0 or model in (tabs.adverse_event_model,
                                                 tabs.adverse_event_table.model())
        qtmodeltester.check(model)


def install_fake_module(monkeypatch, name: str, **attributes) -> None:
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    for key, value in attributes.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)


def test_new_visit_and_double_click_open_the_visit_form(qtbot, window, monkeypatch):
    opened = []

    class FakeVisitDialog:  # saves as the real one does: its write announces the patient
        def __init__(self, *, runner, actor, patient_id, visit_id, parent):
            opened.append((runner.db, actor, patient_id, visit_id, parent))
            self.runner, self.patient_id = runner, patient_id

        def exec(self):
            self.runner.announce(Changes.of(patients=[self.patient_id]))
            return QDialog.DialogCode.Accepted

    install_fake_module(monkeypatch, "app.ui.visit.form", VisitDialog=FakeVisitDialog)
    chart = open_chart(qtbot, window, "H-01001")
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):  # Accepted: chart reloads
        qtbot.mouseClick(window.new_visit_button, Qt.MouseButton.LeftButton)
    assert opened[-1] == (window.db, window.actor, chart.history.patient.id, None, window)

    window.chart_tabs.setCurrentWidget(window.chart_tabs.visit_table)
    table = window.chart_tabs.visit_table
    newest = chart.history.visits[-1]
    qtbot.waitExposed(table)
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened[-1][2:4] == (chart.history.patient.id, newest.id)


def test_print_report_calls_the_report_preview(qtbot, window, monkeypatch):
    calls = []
    install_fake_module(monkeypatch, "app.ui.printing.preview",
                        open_report_preview=lambda *args: calls.append(args))
    chart = open_chart(qtbot, window, "H-01003")
    qtbot.mouseClick(window.print_report_button, Qt.MouseButton.LeftButton)
    assert calls == [(window, window.db, window.actor, chart.history.patient.id)]


def test_refresh_patient_shows_a_new_visit(qtbot, window, golden_copy):
    from app.services.actor import Actor
    from app.services.visit_input import AssessmentInput, VisitInput
    from app.services.visits import save_visit

    chart = open_chart(qtbot, window, "H-01006")
    window.chart_tabs.setCurrentWidget(window.chart_tabs.healing_page)
    healing = window.chart_tabs.healing_chart
    before = len(healing.area_curve(0).getData()[0])
    with golden_copy.write() as session:
        save_visit(session, VisitInput(
            patient_id=chart.history.patient.id, visit_date=TODAY,
            assessments=(AssessmentInput(site="R-heel", length_cm=1.0, width_cm=1.0),)),
            actor=Actor("nurse.test", "nurse"), confirmed=True, today=TODAY)
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        window.refresh_patient()
    assert len(healing.area_curve(0).getData()[0]) == before + 1
    model, pid = window.patient_model, chart.history.patient.id
    qtbot.waitUntil(lambda: model.row_at(model.row_of(pid)).last_visit == TODAY)
    assert model.row_at(model.row_of(pid)).overdue is False
    assert model.index(model.row_of(pid), model.FLAGS).data() == "W4"
    with golden_copy.read() as session:
        stored = {r.mrn: r for r in load_patient_list(session, today=TODAY)}["H-01006"]
    assert stored == model.row_at(model.row_of(pid))


def test_pyqtgraph_is_imported_only_when_a_chart_is_shown(golden_copy):
    script = textwrap.dedent(f"""
        import datetime, sys
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication, QWidget
        app = QApplication([])
        from app.ui.main_window import create_main_window

        def wait(signal):
            loop = QEventLoop()
            signal.connect(loop.quit)
            QTimer.singleShot(60_000, loop.quit)
            loop.exec()

        w = create_main_window({golden_copy.url!r}, "nurse", today=datetime.date(2026, 11, 27))
        w.show()
        wait(w.patients_loaded)
        w.select_patient(w.patient_model.rows[0].id)
        wait(w.chart_loaded)
        before = "pyqtgraph" in sys.modules
        w.chart_tabs.setCurrentWidget(w.chart_tabs.healing_page)
        after = "pyqtgraph" in sys.modules
        print(before, after, w.findChild(QWidget, "areaChart") is not None)
        w.close()
    """)
    completed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                               text=True, timeout=120,
                               env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["False", "True", "True"]



def test_the_list_shows_a_whole_mrn_and_name(window):
    """At the default size, "MRN-0001" and a two-word name are not cut to "MRN-0…"."""
    table, metrics = window.patient_table, window.patient_table.fontMetrics()
    padding = 16  # the cell's margins
    assert table.columnWidth(0) >= metrics.horizontalAdvance("MRN-0001") + padding
    assert table.columnWidth(1) >= metrics.horizontalAdvance("Maria Gonçalves") + padding
