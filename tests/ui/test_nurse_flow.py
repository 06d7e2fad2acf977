"""End to end, as a nurse: find the patient, open the chart, record a visit, see it drawn."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QGroupBox, QLineEdit, QMessageBox, QPushButton

from app.services.history import get_patient_by_mrn, load_history
from tests.ui.visit_form_support import Answers, press, tab, tab_to, type_text

TODAY = dt.date(2026, 11, 27)


def shown_mrns(window) -> list[str]:
    proxy = window.patient_proxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


def area_points(area_chart) -> int:
    """Points of the area curves on `areaChart` (dose markers are scatter items, not curves)."""
    import pyqtgraph as pg

    curves = [item for item in area_chart.getPlotItem().listDataItems()
              if isinstance(item, pg.PlotDataItem)]
    return sum(len(curve.getData()[0] if curve.getData()[0] is not None else ())
               for curve in curves)


def record_visit_from_the_keyboard(qtbot, outcome: dict) -> None:
    """Runs inside the visit form's exec(): types a visit and presses Enter."""
    dialog = QApplication.activeModalWidget()
    try:
        assert dialog is not None and dialog.objectName() == "visitDialog"
        qtbot.waitUntil(lambda: dialog.ready, timeout=10_000)  # read on the window's runner
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                        and QApplication.focusWidget().window() is dialog)
        assert QApplication.focusWidget().objectName() == "visitDate"
        outcome["ulcers"] = [box.objectName() for box in dialog.findChildren(QGroupBox)
                             if box.objectName().startswith("ulcer_") and not box.isHidden()]
        tab(qtbot)
        type_text(qtbot, "3")                      # vasPain
        tab_to(qtbot, "lengthCm")
        type_text(qtbot, "1.2")
        tab(qtbot)
        type_text(qtbot, "0.9")
        tab(qtbot)
        type_text(qtbot, "0.2")
        tab_to(qtbot, "lab_crp_mg_l")
        type_text(qtbot, "0.6")
        tab(qtbot)
        type_text(qtbot, "mg/d")                   # 0.6 mg/dL = 6 mg/L
        press(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        outcome["result"] = dialog.result()
    finally:
        if dialog is not None and dialog.isVisible():
            dialog.done(QDialog.DialogCode.Rejected)  # never leave exec() waiting


def test_nurse_finds_the_patient_records_a_visit_and_sees_it_on_the_chart(qtbot, golden_db,
                                                                           monkeypatch):
    from app.ui.main_window import create_main_window

    # A visit a year after the last one may be unusual: answer any soft warning, never hang.
    questions = Answers(*[QMessageBox.StandardButton.Yes] * 3)
    monkeypatch.setattr(QMessageBox, "question", questions)

    window = create_main_window(golden_db.url, "nurse.test", today=TODAY)
    qtbot.addWidget(window, before_close_func=lambda w: w.runner.wait())
    with qtbot.waitSignal(window.patients_loaded, timeout=20_000):
        window.show()
    search = window.findChild(QLineEdit, "patientSearch")

    qtbot.keyClicks(search, "h-01006")             # by MRN, any case
    assert shown_mrns(window) == ["H-01006"]
    search.clear()
    qtbot.keyClicks(search, "mull")                # by part of the name, accents ignored
    assert sorted(shown_mrns(window)) == ["H-01003", "H-01006"]  # Priya and Olga Müller
    search.clear()
    qtbot.keyClicks(search, "lga mu")               # "Olga Müller", typed without the umlaut
    assert shown_mrns(window) == ["H-01006"]
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        qtbot.keyClick(search, Qt.Key.Key_Return)  # open the chart
    patient_id = window.current_patient_id
    assert window.current_chart.history.patient.name == "Olga Müller"

    tabs = window.chart_tabs
    tabs.setCurrentWidget(tabs.healing_page)       # pyqtgraph loads with the first chart
    import pyqtgraph as pg

    area_chart = window.findChild(pg.PlotWidget, "areaChart")
    points_before = area_points(area_chart)
    assert points_before == 16                     # R-heel, seen 16 times

    outcome: dict = {}
    QTimer.singleShot(0, lambda: record_visit_from_the_keyboard(qtbot, outcome))
    with qtbot.waitSignal(window.chart_loaded, timeout=20_000):
        qtbot.mouseClick(window.findChild(QPushButton, "newVisitButton"),
                         Qt.MouseButton.LeftButton)
    assert outcome.get("result") == QDialog.DialogCode.Accepted
    assert outcome["ulcers"] == ["ulcer_R-heel"]
    assert window.statusBar().currentMessage() == "Visit saved"

    assert area_points(area_chart) == points_before + 1
    with golden_db.read() as session:
        history = load_history(session, get_patient_by_mrn(session, "H-01006").id)
    assert history.patient.id == patient_id
    visit = history.visits[-1]
    assert visit.visit_date == dt.date.today() and visit.vas == 3.0
    crp = visit.labs["crp_mg_l"]
    assert (crp.value, crp.raw_value, crp.raw_unit) == (6.0, 0.6, "mg/dL")
    heel = history.episodes[0].assessments[-1]
    assert (heel.site, heel.length_cm, heel.width_cm, heel.depth_cm) == ("R-heel", 1.2, 0.9, 0.2)
