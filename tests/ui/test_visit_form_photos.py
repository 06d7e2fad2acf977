"""The visit form's "Add photo…" in an ulcer section: the photo's sizes fill the section
(method photo), the nurse may type over them, and the photo is attached when the visit is saved."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.photos import list_photos
from app.services.summary import patient_summary
from tests.ui.photo_support import scene
from tests.ui.visit_form_support import (
    TODAY,
    copy_of_clinic,
    field,
    history,
    make_clinic_template,
    open_form,
    press,
    section,
    wait_closed,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_clinic_template(tmp_path_factory.mktemp("photo_visit"))


@pytest.fixture
def db(template, tmp_path):
    database = copy_of_clinic(template[0], tmp_path)
    yield database
    database.dispose()


def _photos_of(dialog, site):
    from app.ui.photos.visit_hook import add_photo_row

    box = section(dialog, site)
    return getattr(box, "photos", None) or add_photo_row(box)


def _add(qtbot, dialog, site, path, monkeypatch):
    monkeypatch.setattr("app.ui.photos.adding.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(path), ""))
    photos = _photos_of(dialog, site)
    with qtbot.waitSignal(photos._adder().editor_opened, timeout=20_000) as opened:
        qtbot.mouseClick(photos.button, Qt.MouseButton.LeftButton)
    editor = opened.args[0]
    s = scene(71)
    x0, y0, x1, y1 = s.box
    pad = 0.25 * max(x1 - x0, y1 - y0)
    editor.canvas.box_drawn.emit((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    qtbot.waitUntil(lambda: editor.measurement is not None, timeout=20_000)
    m = editor.measurement
    editor.accept()
    dialog.activateWindow()
    field(dialog, "tracedAreaCm2", site).setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return photos, m


def test_a_photo_fills_the_section_and_is_attached_with_the_visit(qtbot, db, actor, template,
                                                                  tmp_path, monkeypatch):
    pid = template[1]
    path = tmp_path / "heel.jpg"
    path.write_bytes(scene(71).jpeg)
    dialog = open_form(qtbot, db, actor, pid)
    photos, m = _add(qtbot, dialog, "L-heel", path, monkeypatch)
    assert field(dialog, "lengthCm", "L-heel").text() == f"{m.length_cm:.2f}"
    assert field(dialog, "tracedAreaCm2", "L-heel").text() == f"{m.area_cm2:.2f}"
    assert field(dialog, "measuringMethod", "L-heel").currentData() == "photo"
    assert "1 photo" in photos.label.text()
    with db.read() as session:
        assert list_photos(session, patient_id=pid) == []  # nothing before the save
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)

    def attached():
        with db.read() as session:
            return list_photos(session, patient_id=pid)

    qtbot.waitUntil(lambda: len(attached()) == 1, timeout=20_000)
    record = attached()[0]
    assert record.visit_date == TODAY and record.site == "L-heel"
    assert record.area_cm2 == pytest.approx(m.area_cm2, abs=1e-3)
    latest = next(e for e in history(db, pid).episodes if e.site == "L-heel").assessments[-1]
    assert latest.on == TODAY and latest.method == "photo"
    assert latest.traced_area_cm2 == pytest.approx(round(m.area_cm2, 2))
    with db.read() as session:  # what `summary --json` prints
        summary = json.loads(json.dumps(patient_summary(session, "T-1")))
    heel = next(u for u in summary["ulcers"] if u["site"] == "L-heel")
    assert heel["latest_date"] == TODAY.isoformat()
    assert heel["latest_area_cm2"] == pytest.approx(latest.area_cm2)
    # the visit opened again for editing says its ulcer has a photo
    again = open_form(qtbot, db, actor, pid, visit_id=latest.visit_id)
    photos = section(again, "L-heel").photos
    qtbot.waitUntil(lambda: photos.attached == 1, timeout=10_000)
    assert "1 photo" in photos.label.text() and "attached" in photos.label.text()


def test_typed_over_sizes_win_and_the_photo_keeps_its_own(qtbot, db, actor, template, tmp_path,
                                                         monkeypatch):
    pid = template[1]
    path = tmp_path / "heel.jpg"
    path.write_bytes(scene(71).jpeg)
    dialog = open_form(qtbot, db, actor, pid)
    _photos, m = _add(qtbot, dialog, "L-heel", path, monkeypatch)
    traced = field(dialog, "tracedAreaCm2", "L-heel")
    traced.selectAll()
    qtbot.keyClicks(traced, "9.5")  # the nurse types over the photo's area
    assert "typed over" in _photos.label.text()
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)

    def attached():
        with db.read() as session:
            return list_photos(session, patient_id=pid)

    qtbot.waitUntil(lambda: len(attached()) == 1, timeout=20_000)
    latest = next(e for e in history(db, pid).episodes if e.site == "L-heel").assessments[-1]
    assert latest.traced_area_cm2 == 9.5
    assert attached()[0].area_cm2 == pytest.approx(m.area_cm2, abs=1e-3) != 9.5
