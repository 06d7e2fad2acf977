"""Shared set-up for the wound-photo GUI tests: a golden clinic window on one patient, and
synthetic photos with a known wound (app.imaging.synthetic)."""
from __future__ import annotations

import functools

from PySide6.QtCore import Qt

from app.services.actor import Actor
from app.services.history import get_patient_by_mrn, load_history

MRN = "H-01001"
ACTOR = Actor("nurse.test", "nurse")


@functools.lru_cache(maxsize=8)
def scene(seed: int, size: tuple[int, int] = (1200, 900), area_cm2: float | None = 6.0):
    from app.imaging.synthetic import synthetic_photo

    return synthetic_photo(seed, size=size, area_cm2=area_cm2, tilt_deg=15.0)


def patient_assessments(db, mrn: str = MRN):
    """(patient id, [(assessment id, date, site)] oldest first)."""
    with db.read() as session:
        patient_id = get_patient_by_mrn(session, mrn).id
        history = load_history(session, patient_id)
    rows = sorted((a.on, a.id, a.site) for e in history.episodes for a in e.assessments)
    return patient_id, [(i, on, site) for on, i, site in rows]


def attach_scene(db, assessment_id: int, seed: int, *, outline: bool = True):
    from app.services.photos import attach_photo, prepare_photo

    s = scene(seed)
    prepared = prepare_photo(s.jpeg, file_name=f"scene-{seed}.jpg",
                             outline=s.outline_px if outline else None)
    with db.write() as session:
        return attach_photo(session, prepared, assessment_id=assessment_id, actor=ACTOR)


def open_chart(qtbot, db, mrn: str = MRN):
    from tests.ui.safety_support import open_window

    window = open_window(qtbot, db, "nurse.test")
    qtbot.keyClicks(window.patient_search, mrn)
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        qtbot.keyClick(window.patient_search, Qt.Key.Key_Return)
    return window


def show_photos_tab(qtbot, window):
    tab = window.photos_tab
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        window.chart_tabs.setCurrentWidget(tab)
    return tab


def drag(qtbot, canvas, start, end) -> None:
    """A left-button drag on the canvas between two image points (working px)."""
    from PySide6.QtCore import QPointF

    viewport = canvas.viewport()
    a = canvas.mapFromScene(QPointF(start[0] + 0.5, start[1] + 0.5))
    b = canvas.mapFromScene(QPointF(end[0] + 0.5, end[1] + 0.5))
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    for k in range(1, 6):
        p = a + (b - a) * (k / 5)
        qtbot.mouseMove(viewport, pos=p)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)
