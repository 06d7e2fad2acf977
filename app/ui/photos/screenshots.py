"""The README's wound-photo screenshots (rendered by `make screenshots`, app.ui.screenshots).

A small demo clinic (fixed seed and date) gets synthetic photos; one patient's ulcer gets a
photo at several visits (one of them without the card: "not calibrated"). Saved: the Photos
tab comparing the first and the latest photo (photos_tab.png), the outline editor after a box
was dragged and the tissue colours suggested (outline_editor.png), and the clinician report's
page with the photos (report_photos.png, by pdftoppm). Nothing touches the user's folders.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ANCHOR = dt.date(2026, 11, 27)
SIZE = (1280, 800)


def _without_card(scene) -> bytes:
    """The scene's JPEG with the card painted over (a photo taken without it)."""
    import numpy as np
    from PIL import Image, ImageDraw

    from app.imaging.card import CARD_HEIGHT_MM, CARD_WIDTH_MM

    corners = np.array([[0, 0, 1], [CARD_WIDTH_MM, 0, 1], [CARD_WIDTH_MM, CARD_HEIGHT_MM, 1],
                        [0, CARD_HEIGHT_MM, 1]], float).T
    projected = scene.card_to_image @ corners
    quad = [(float(x / w), float(y / w)) for x, y, w in projected.T]
    image = Image.open(io.BytesIO(scene.jpeg)).convert("RGB")
    ImageDraw.Draw(image).polygon(quad, fill=(58, 108, 118))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def seed(db) -> int:
    """Demo patients, photos for a few; the chosen patient gets photos at more visits."""
    from sqlalchemy import select

    from app.imaging.synthetic import synthetic_photo
    from app.models import Assessment, Photo
    from app.services.actor import Actor
    from app.services.demo import seed_demo
    from app.services.photos import attach_photo, prepare_photo

    seed_demo(db, patients=40, seed=1, anchor=ANCHOR, photos=3)
    with db.read() as session:
        ulcers = {session.get(Assessment, p.assessment_id).ulcer_id: p.patient_id
                  for p in session.scalars(select(Photo))}
        ulcer_id = max(ulcers, key=lambda u: len(session.scalars(
            select(Assessment.id).where(Assessment.ulcer_id == u)).all()))
        patient_id = ulcers[ulcer_id]
        taken = set(session.scalars(select(Photo.assessment_id)))
        rows = [(a.id, a.traced_area_cm2 or 0.785 * (a.length_cm or 1) * (a.width_cm or 1))
                for a in session.scalars(select(Assessment).where(Assessment.ulcer_id == ulcer_id)
                                         .order_by(Assessment.id)) if a.id not in taken]
    middle = [rows[round(k * (len(rows) - 1) / 4)] for k in (1, 2, 3)] if len(rows) > 4 else rows
    with db.write() as session:
        for n, (assessment_id, area) in enumerate(middle):
            scene = synthetic_photo(assessment_id, size=(1024, 768), area_cm2=max(area, 0.3))
            data = _without_card(scene) if n == 1 else scene.jpeg
            prepared = prepare_photo(data, file_name=f"visit-{n}.jpg", outline=scene.outline_px)
            attach_photo(session, prepared, assessment_id=assessment_id,
                         actor=Actor("demo", "nurse"))
    return patient_id


def _wait(app, condition, seconds: float = 60.0) -> None:
    import time

    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def render(out_dir: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from app.db import Database
    from app.ui.main_window import create_main_window

    app = QApplication.instance() or QApplication([sys.argv[0]])
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="dfu-photo-screenshots-"))
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[variable] = str(work / variable.lower())
    url = f"sqlite:///{work / 'demo.db'}"
    db = Database.open(url, create=True)
    patient_id = seed(db)
    db.dispose()
    window = create_main_window(url, "nurse", today=ANCHOR)
    window.resize(*SIZE)
    window.show()
    _wait(app, lambda: window.patients_ready)
    window.select_patient(patient_id)
    _wait(app, lambda: window.current_chart is not None)
    tab = window.photos_tab
    window.chart_tabs.setCurrentWidget(tab)
    _wait(app, lambda: tab.records)
    records = sorted(tab.records.values(), key=lambda r: r.visit_date)
    tab.select_photos([records[0].id, records[-1].id])
    compared = []
    tab.compared.connect(compared.append)
    tab.compare()
    _wait(app, lambda: compared)
    saved = [out_dir / "photos_tab.png"]
    window.grab().save(str(saved[0]))
    saved.append(_editor(app, window, out_dir))
    saved.append(_report_page(window, patient_id, out_dir))
    window.runner.wait()
    window.close()
    return saved


def _editor(app, window, out_dir: Path) -> Path:
    from app.imaging.synthetic import synthetic_photo
    from app.services.photos import prepare_photo
    from app.ui.photos.editor import PhotoOutlineEditor, editor_photo_from_prepared

    scene = synthetic_photo(7, size=(1600, 1200), area_cm2=9.0, tilt_deg=25.0)
    prepared = prepare_photo(scene.jpeg, file_name="today.jpg")
    editor = PhotoOutlineEditor(window.runner, editor_photo_from_prepared(
        prepared, "2026-11-27 · R-heel"), window)
    editor.resize(*SIZE)
    editor.show()
    app.processEvents()
    x0, y0, x1, y1 = scene.box
    pad = 0.2 * max(x1 - x0, y1 - y0)
    editor.canvas.box_drawn.emit((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    _wait(app, lambda: editor.outline is not None)
    editor.suggest_tissue()
    _wait(app, lambda: editor.suggested_tissue is not None)
    from app.ui.photos.canvas import Mode

    editor.set_mode(Mode.VERTICES)
    editor.toggle_zoom()
    path = out_dir / "outline_editor.png"
    app.processEvents()
    editor.grab().save(str(path))
    editor.reject()
    return path


def _report_page(window, patient_id: int, out_dir: Path, dpi: int = 70) -> Path:
    """The clinician report's first page holding photos, rendered by pdftoppm."""
    from pypdf import PdfReader

    from app.services.report_jobs import render_report

    pdf = render_report(window.db, patient_id, audience="clinician", actor=window.actor,
                        report_date=ANCHOR)
    reader = PdfReader(io.BytesIO(pdf))
    page = next(n for n, p in enumerate(reader.pages, 1) if "Photos of" in p.extract_text())
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                        "-singlefile", str(source), str(Path(folder) / "page")], check=True)
        target = out_dir / "report_photos.png"
        target.write_bytes((Path(folder) / "page.png").read_bytes())
    return target
