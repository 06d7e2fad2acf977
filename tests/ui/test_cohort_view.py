"""The cohort view on a demo clinic: curves, bands, numbers at risk, PAR-4, filters, exports."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QFileDialog

from app.models.vocab import ARM_LABELS, ARMS
from app.services.actor import Actor
from app.services.audit import list_audit
from app.services.cohort import AT_RISK_DAYS, CohortFilter, cohort_statistics
from app.ui.cohort.view import CohortView

NURSE = Actor("nurse.test", "nurse")


def open_view(qtbot, db, actor=NURSE) -> CohortView:
    from app.ui.dbops import DatabaseRunner

    runner = DatabaseRunner(db)
    view = CohortView(runner=runner, actor=actor)
    view.owned_runner = runner  # kept alive with the view
    qtbot.addWidget(view, before_close_func=lambda w: w.runner.wait())
    with qtbot.waitSignal(view.statistics_ready, timeout=30_000):
        view.show()
    return view


@pytest.fixture
def view(qtbot, demo_db):
    view = open_view(qtbot, demo_db)
    yield view
    view.close()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def levels(ys) -> list[float]:
    """The successive heights of a step line."""
    out = []
    for y in ys:
        if not out or y != out[-1]:
            out.append(float(y))
    return out


def test_curves_bands_and_numbers_at_risk(view, demo_db):
    with demo_db.read() as session:
        expected = cohort_statistics(session)
    chart = view.closure_chart
    drawn = [arm for arm in ARMS if chart.curves[arm].isVisible()]
    assert drawn == [arm for arm in ARMS if expected.arms[arm].closure.subjects]
    assert len(drawn) == 3
    for arm in drawn:
        km = expected.arms[arm].closure
        xs, ys = chart.curves[arm].getData()
        # One step down per distinct closure day, from 1 to the final estimate.
        assert levels(ys) == [p.survival for p in km.points]
        assert len(xs) == 1 + 2 * (len(km.points) - 1) + (1 if km.last_time > km.points[-1].time
                                                         else 0)
        assert xs[-1] == km.last_time
        assert chart.bands[arm].isVisible()
        low, high = chart._band_edges[arm]
        assert levels(low.getData()[1]) == levels([p.ci_low for p in km.points])
        assert all(lo <= y <= h for lo, y, h in zip(low.getData()[1], ys, high.getData()[1]))
    assert len(chart.legend.items) == 3
    assert "n = " in chart.legend.items[0][1].text
    model = view.at_risk_model
    assert model.rowCount() == 3 and model.columnCount() == len(AT_RISK_DAYS)
    for row, arm in enumerate(drawn):
        assert model.headerData(row, Qt.Orientation.Vertical) == ARM_LABELS[arm]
        assert [int(model.index(row, c).data()) for c in range(len(AT_RISK_DAYS))] == [
            expected.arms[arm].closure.at_risk(day) for day in AT_RISK_DAYS]
    assert view.at_risk_table.isVisible() and view.at_risk_table.verticalScrollBar().maximum() == 0


def test_screenshot_shows_each_arm_in_its_colour(view, tmp_path):
    from PySide6.QtGui import QColor

    from app.ui.cohort.charts import ARM_COLOURS

    path = tmp_path / "cohort.png"
    assert view.grab().save(str(path))
    image = view.closure_chart.grab().toImage()
    counts = dict.fromkeys(ARMS, 0)
    wanted = {QColor(ARM_COLOURS[arm]).rgb(): arm for arm in ARMS}
    for x in range(0, image.width(), 2):
        for y in range(0, image.height(), 2):
            arm = wanted.get(image.pixel(x, y))
            if arm:
                counts[arm] += 1
    assert all(count > 20 for count in counts.values()), counts


def test_par4_distribution_recurrence_and_summary(view, demo_db):
    stats = view.statistics
    for arm in ARMS:
        heights = view.par_chart.bars[arm].opts["height"]
        known = stats.arms[arm].par_week4_values
        assert sum(heights) == pytest.approx(100.0 if known else 0.0)
    assert view.par_chart.threshold.value() == 50.0
    recurrence = view.recurrence_chart
    for arm in ARMS:
        km = stats.arms[arm].recurrence
        assert recurrence.curves[arm].isVisible() == bool(km.subjects)
        if km.subjects:
            assert levels(recurrence.curves[arm].getData()[1]) == [p.survival for p in km.points]
    summary = view.summary_model
    assert [summary.headerData(c, Qt.Orientation.Horizontal)
            for c in range(summary.columnCount())] == [ARM_LABELS[a] for a in ARMS]
    assert summary.index(0, 0).data() == str(stats.arms["exosome"].closure.subjects)
    text = view.logrank_label.text()
    assert "Log-rank" in text
    p = stats.logrank_closure.p
    # One p-value format for window, reports and CLI (app.domain.labels.format_p_value).
    assert ("p < 0.001" in text) if p < 0.001 else (f"p = {p:.3f}" in text)
    assert "e-" not in text
    assert "index episodes" in view.status.text()


def test_models_pass_the_model_tester(view, qtmodeltester):
    qtmodeltester.check(view.at_risk_model)
    qtmodeltester.check(view.summary_model)


def test_filters_recompute_off_the_gui_thread(qtbot, view, demo_db):
    with qtbot.waitSignal(view.statistics_ready, timeout=30_000) as shown:
        view.etiology_filter.setFocus()
        qtbot.keyClick(view.etiology_filter, Qt.Key.Key_Down)  # Any → Neuropathic
    assert shown.args[0].filters.etiology == "neuropathic"
    with demo_db.read() as session:
        expected = cohort_statistics(session, CohortFilter(etiology="neuropathic"))
    assert {a: s.closure.subjects for a, s in shown.args[0].arms.items()} == \
        {a: s.closure.subjects for a, s in expected.arms.items()}
    with qtbot.waitSignal(view.statistics_ready, timeout=30_000):
        view.area_filter.setFocus()
        qtbot.keyClick(view.area_filter, Qt.Key.Key_End)  # "> 5 cm²"
    assert view.statistics.filters.area_band == ">5"
    # A reversed date range is refused in words, and the curves stay as they were.
    view.until_edit.setDate(dt.date(2020, 1, 1))
    qtbot.mouseClick(view.since_check, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.statistics_failed, timeout=30_000) as failed:
        qtbot.mouseClick(view.until_check, Qt.MouseButton.LeftButton)
    assert "date range" in failed.args[0] and "date range" in view.status.text()
    assert view.statistics.filters.area_band == ">5"


def test_exports_from_the_view_are_written_and_audited(qtbot, view, demo_db, tmp_path,
                                                       monkeypatch):
    target = tmp_path / "research.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "")))
    with qtbot.waitSignal(view.export_finished, timeout=60_000) as finished:
        qtbot.mouseClick(view.export_csv_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].records > 0 and target.exists()
    assert "Exported" in view.status.text() and "pseudonymised" in view.status.text()
    with demo_db.read() as session:
        assert [e.user for e in list_audit(session) if e.action == "export"] == ["nurse.test"]


def test_the_clinic_menu_opens_the_view(qtbot, golden_db):
    from app.ui.main_window import create_main_window

    window = create_main_window(golden_db.url, "nurse.test", today=dt.date(2026, 11, 27))
    qtbot.addWidget(window, before_close_func=lambda w: w.runner.wait())
    with qtbot.waitSignal(window.patients_loaded, timeout=20_000):
        window.show()
    action = next(a for a in window.menu_clinic.actions() if a.objectName() == "cohortViewAction")
    action.trigger()
    view = window.cohort_view
    with qtbot.waitSignal(view.statistics_ready, timeout=30_000):
        pass
    assert view.isVisible()
    assert sum(s.closure.subjects for s in view.statistics.arms.values()) > 0
    view.runner.wait()
    view.close()


def test_the_figure_is_saved_as_png_and_pdf(qtbot, view, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage

    assert view.save_figure_button.isEnabled() and view.print_figure_button.isEnabled()
    answers = iter([(str(tmp_path / "cohort"), "PNG image (*.png)"),
                    (str(tmp_path / "cohort-figure"), "PDF (*.pdf)")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: next(answers)))
    qtbot.mouseClick(view.save_figure_button, Qt.MouseButton.LeftButton)
    png = tmp_path / "cohort.png"
    image = QImage(str(png))
    assert not image.isNull()
    assert image.width() >= 2 * view.figure.width()  # rendered at twice the screen size
    assert view.status.text() == f"Figure saved to {png}"
    qtbot.mouseClick(view.save_figure_button, Qt.MouseButton.LeftButton)
    pdf = tmp_path / "cohort-figure.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5_000
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Cohort: time to closure by treatment arm" in text and "Log-rank" in text


def test_the_figure_prints_on_one_page(qtbot, view, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QDialog

    out = tmp_path / "printed.pdf"

    def accept(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    qtbot.mouseClick(view.print_figure_button, Qt.MouseButton.LeftButton)
    assert view.status.text() == "Figure sent to the printer."
    from pypdf import PdfReader

    assert len(PdfReader(str(out)).pages) == 1
