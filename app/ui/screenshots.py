"""Regenerate the screenshots of the README: `python -m app.ui.screenshots docs/screenshots`
(`make screenshots`): these, then the wound-photo views (app.ui.photos.screenshots) and the
administration windows (app.ui.admin.screenshots).

A demo clinic (300 synthetic patients, fixed seed and date) is seeded in a temporary folder
and the main window is rendered offscreen at 1280×800: the patient list with the Overview of
a patient, then each chart tab, the visit form, the cohort view, and the first page of the
patient's clinician report and of their one-page sheet. Nothing touches the user's own folders.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import tempfile
from pathlib import Path

ANCHOR = dt.date(2026, 11, 27)  # the demo's "today": the same pictures every run
SIZE = (1280, 800)
DEMO_PATIENTS = 300
DEMO_SEED = 1


def pick_patient(db, today: dt.date) -> int:
    """A patient who shows every chart well: exosome doses, two ulcers, labs, an alert."""
    from app.services.patient_chart import load_patient_chart
    from app.services.patient_list import load_patient_list

    with db.read() as session:
        rows = load_patient_list(session, today=today)
        best, best_score = rows[0].id, -1
        for row in rows:
            if row.arm not in ("exosome", "exosome+msc") or row.open_ulcers == 0:
                continue
            chart = load_patient_chart(session, row.id, today=today)
            history = chart.history
            sizes = sorted((len(e.assessments) for e in history.episodes), reverse=True)
            healing = any(e.metrics and e.metrics.par_percent > 60 for e in history.episodes)
            score = (3 * min(len(history.episodes), 2) + min(len(history.exosome_doses), 4)
                     + (5 if chart.alerts else 0) + (5 if healing else 0)
                     + (2 if history.adverse_events else 0) + min(sizes[0], 12) / 4)
            if score > best_score:
                best, best_score = row.id, score
    return best


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def render(out_dir: Path) -> list[Path]:
    """Seed a demo clinic, open the window and save one PNG per view; returns the files."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    out_dir.mkdir(parents=True, exist_ok=True)
    url, patient_id = _demo_clinic()

    from app.ui.main_window import create_main_window

    def settle() -> None:
        for _ in range(3):
            app.processEvents()

    window = create_main_window(url, "nurse", today=ANCHOR)
    window.resize(*SIZE)
    window.show()
    _wait_for(window.patients_loaded)
    window.select_patient(patient_id)
    if window.current_chart is None:
        _wait_for(window.chart_loaded)
    saved = _chart_tabs(window, out_dir, settle, patient_id)
    saved += _visit_form(window, out_dir, settle)
    saved += _cohort(window, out_dir, settle)
    saved += _report_pages(window, out_dir)
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return saved


def _demo_clinic() -> tuple[str, int]:
    """A seeded demo clinic in a temporary folder (user folders moved there too); its URL
    and the patient the screenshots show."""
    from app.db import Database
    from app.services.demo import seed_demo

    work = Path(tempfile.mkdtemp(prefix="dfu-screenshots-"))
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[variable] = str(work / variable.lower())
    url = f"sqlite:///{work / 'demo.db'}"
    db = Database.open(url, create=True)
    seed_demo(db, patients=DEMO_PATIENTS, seed=DEMO_SEED, anchor=ANCHOR)
    patient_id = pick_patient(db, ANCHOR)
    db.dispose()
    return url, patient_id


def _wait_for(signal) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()


def _chart_tabs(window, out_dir: Path, settle, patient_id: int) -> list[Path]:
    """One PNG per chart tab (the Audit tab of a demo clinic is empty, so not that one)."""
    saved = []
    tabs = window.chart_tabs
    chart_pages = (tabs.overview, tabs.visit_table, tabs.healing_page, tabs.pain_page,
                   tabs.lab_page, tabs.treatment_table, tabs.adverse_event_table)
    for page in chart_pages:
        index = tabs.indexOf(page)
        tabs.setCurrentIndex(index)
        settle()
        name = "main_window" if page is tabs.overview else f"chart_{slug(tabs.tabText(index))}"
        path = out_dir / f"{name}.png"
        window.grab().save(str(path))
        saved.append(path)
    if window.current_chart and not window.current_chart.history.adverse_events:
        # An empty table says little: show the adverse events of a patient who has one.
        with_event = next((r.id for r in window.patient_model.all_rows
                           if r.adverse_event_open), None)
        if with_event is not None:
            window.select_patient(with_event)
            _wait_for(window.chart_loaded)
            tabs.setCurrentWidget(tabs.adverse_event_table)
            settle()
            window.grab().save(str(out_dir / "chart_adverse_events.png"))
            window.select_patient(patient_id)
            _wait_for(window.chart_loaded)
    return saved


def _visit_form(window, out_dir: Path, settle) -> list[Path]:
    """The visit form for the same patient, when this build has it."""
    import importlib.util

    if importlib.util.find_spec("app.ui.visit.form") is None:
        return []
    from app.ui.visit.form import VisitDialog

    dialog = VisitDialog(db=window.db, actor=window.actor, patient_id=window.current_patient_id,
                         visit_id=None, parent=window, today=ANCHOR)
    dialog.resize(*SIZE)
    dialog.show()
    settle()
    path = out_dir / "visit_form.png"
    dialog.grab().save(str(path))
    dialog.done(0)
    dialog.deleteLater()
    return [path]


def _cohort(window, out_dir: Path, settle) -> list[Path]:
    """The cohort view of the demo clinic, once its statistics are shown."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.ui.cohort.view import open_cohort_view

    view = open_cohort_view(window, window.runner, window.actor)
    view.resize(*SIZE)
    loop = QEventLoop()
    view.statistics_ready.connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)
    if view.statistics is None:
        loop.exec()
    settle()
    path = out_dir / "cohort.png"
    view.grab().save(str(path))
    view.close()
    return [path]


def _report_pages(window, out_dir: Path, dpi: int = 60) -> list[Path]:
    """The first page of the clinician's report and the patient's one-page sheet, as PNG."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtPdf import QPdfDocument

    from app.reports import render_pdf
    from app.services.history import load_history
    from app.services.settings import load_settings

    with window.db.read() as session:
        history = load_history(session, window.current_patient_id)
        settings = load_settings(session)
    saved = []
    for audience, name in (("clinician", "report_page1.png"), ("patient", "report_patient.png")):
        data = render_pdf(history, settings, audience=audience, printed_by=window.actor.username,
                          report_date=ANCHOR)
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument()
        document.load(buffer)
        points = document.pagePointSize(0)
        image = document.render(0, QSize(round(points.width() * dpi * 2 / 72),
                                         round(points.height() * dpi * 2 / 72)))
        path = out_dir / name
        image.save(str(path))
        document.close()
        saved.append(path)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder for the PNG files")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.admin import screenshots as admin
    from app.ui.photos import screenshots as photos

    for build in (render, photos.render, admin.render):  # each on a clinic of its own
        for path in build(args.out_dir):
            print(path, flush=True)
    os._exit(0)  # skip the interpreter's teardown of live Qt objects


if __name__ == "__main__":
    raise SystemExit(main())
