"""Wound photos in the window: add one through the outline editor, bad files refused, the
Photos tab's strips and comparison, the healing curve's photo points."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.services.photos import list_photos
from tests.db.helpers import golden_copy
from tests.ui.photo_support import (
    attach_scene,
    drag,
    open_chart,
    patient_assessments,
    scene,
    show_photos_tab,
)
from tests.ui.safety_support import close_window


@pytest.fixture
def golden_db(tmp_path_factory, tmp_path):
    db = golden_copy(tmp_path_factory, tmp_path / "clinic.db")
    yield db
    db.dispose()


@pytest.fixture
def window(qtbot, golden_db):
    window = open_chart(qtbot, golden_db)
    yield window
    close_window(window)


def _photos(db, patient_id):
    with db.read() as session:
        return list_photos(session, patient_id=patient_id)


def test_add_a_photo_box_outline_save(qtbot, window, golden_db, tmp_path, monkeypatch):
    patient_id, assessments = patient_assessments(golden_db)
    latest_id = assessments[-1][0]
    s = scene(11)
    path = tmp_path / "wound.jpg"
    path.write_bytes(s.jpeg)
    monkeypatch.setattr("app.ui.photos.adding.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(path), ""))
    before = next(a for e in window.current_chart.history.episodes for a in e.assessments
                  if a.id == latest_id)
    tab = show_photos_tab(qtbot, window)
    assert tab.assessment_combo.currentData() == latest_id  # the latest assessment first
    with qtbot.waitSignal(tab.adder.editor_opened, timeout=20_000) as opened:
        qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    editor = opened.args[0]
    assert editor.objectName() == "photoOutlineEditor"
    assert "card" in editor.calibration_label.text()
    assert editor.outline is None and editor.measure_labels["area"].text() == "no outline"
    editor.resize(1100, 700)
    qtbot.waitExposed(editor)
    x0, y0, x1, y1 = s.box
    pad = 0.25 * max(x1 - x0, y1 - y0)
    drag(qtbot, editor.canvas, (x0 - pad, y0 - pad), (x1 + pad, y1 + pad))
    qtbot.waitUntil(lambda: editor.outline is not None, timeout=20_000)
    assert editor.outline_source == "box"
    area = editor.measurement.area_cm2
    assert area == pytest.approx(6.0, rel=0.1)
    assert editor.measure_labels["area"].text() == f"{area:.2f} cm²"
    # Tissue colours are only a suggestion until confirmed
    editor.suggest_tissue()
    qtbot.waitUntil(lambda: editor.suggested_tissue is not None, timeout=20_000)
    assert editor.confirmed_tissue is None and editor.tissue_confirm.isEnabled()
    with qtbot.waitSignal(tab.adder.attached, timeout=20_000) as attached:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    record = attached.args[0]
    assert record.assessment_id == latest_id and record.area_cm2 == pytest.approx(area, abs=1e-3)
    qtbot.waitUntil(lambda: len(tab.records) == 1, timeout=20_000)
    chart = window.current_chart
    saved = next(a for e in chart.history.episodes for a in e.assessments if a.id == latest_id)
    assert saved.method == "photo"
    assert saved.traced_area_cm2 == pytest.approx(round(area, 2))
    # the suggestion was not confirmed, so the tissue fields are as they were
    assert (saved.granulation_pct, saved.slough_pct, saved.necrotic_pct) == (
        before.granulation_pct, before.slough_pct, before.necrotic_pct)
    strip = next(iter(tab.strips.values()))
    assert strip.count() == 1 and "cm²" in strip.item(0).text()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels (no pixel data): a 200-MP photo, cheaply."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize("content, words", [
    (b"%PDF-1.7\n%fake", "PDF"),
    (b"", "empty"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "photo"),
    (b"not an image at all", "not a photo"),
    ("truncated", "truncated"),
    (png_header(20000, 10000), "too large"),
])
def test_a_bad_file_says_why_and_attaches_nothing(qtbot, window, golden_db, tmp_path,
                                                  content, words):
    if content == "truncated":
        data = scene(11).jpeg
        content = data[:len(data) // 2]
    patient_id, _ = patient_assessments(golden_db)
    tab = show_photos_tab(qtbot, window)
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with qtbot.waitSignal(tab.adder.refused, timeout=20_000) as refused:
        tab.adder.add_path(path, tab.target)
    assert words in refused.args[0]
    assert tab.adder.message_box.isVisible()
    assert tab.adder.editor is None
    assert _photos(golden_db, patient_id) == []


def test_the_same_photo_twice_is_refused(qtbot, window, golden_db, tmp_path):
    patient_id, assessments = patient_assessments(golden_db)
    attach_scene(golden_db, assessments[-1][0], 11)
    tab = show_photos_tab(qtbot, window)
    path = tmp_path / "again.jpg"
    path.write_bytes(scene(11).jpeg)
    with qtbot.waitSignal(tab.adder.editor_opened, timeout=20_000) as opened:
        tab.adder.add_path(path, tab.target)
    editor = opened.args[0]
    with qtbot.waitSignal(tab.adder.refused, timeout=20_000) as refused:
        editor.accept()
    assert "already attached" in refused.args[0]
    assert len(_photos(golden_db, patient_id)) == 1


def test_photos_tab_strip_and_side_by_side(qtbot, golden_db, tmp_path_factory):
    patient_id, assessments = patient_assessments(golden_db)
    first, last = assessments[0], assessments[-1]
    first_photo = attach_scene(golden_db, first[0], 21)
    attach_scene(golden_db, last[0], 22)
    window = open_chart(qtbot, golden_db)
    try:
        tab = show_photos_tab(qtbot, window)
        assert len(tab.records) == 2
        texts = [strip.item(n).text() for strip in tab.strips.values()
                 for n in range(strip.count())]
        assert any("day 0" in t for t in texts) and all("cm²" in t for t in texts)
        tab.select_photos([first_photo.id])
        assert "cm²" in tab.summary.text() and "card, camera tilt" in tab.summary.text()
        tab.select_photos(tab.records)
        assert tab.compare_button.isEnabled() and "2 photos." in tab.summary.text()
        with qtbot.waitSignal(tab.compared, timeout=20_000):
            qtbot.mouseClick(tab.compare_button, Qt.MouseButton.LeftButton)
        views = tab.compare_view.views
        assert len(views) == 2 and views[0].px_per_mm == views[1].px_per_mm
        assert tab.compare_view.drawn_grid_lines >= 4
        with qtbot.waitSignal(tab.compared, timeout=20_000):
            tab.overlay_check.setChecked(True)
        assert tab.compare_view.overlay
        from PySide6.QtWidgets import QGraphicsPolygonItem

        outlines = [i for i in tab.compare_view.scene().items()
                    if isinstance(i, QGraphicsPolygonItem)]
        assert len(outlines) == 2  # today's outline and the earlier one, on one photo
        assert {i.pen().style() for i in outlines} == {Qt.PenStyle.SolidLine,
                                                       Qt.PenStyle.DashLine}
    finally:
        close_window(window)


def test_healing_curve_marks_photo_points_and_opens_the_photo(qtbot, golden_db):
    patient_id, assessments = patient_assessments(golden_db)
    record = attach_scene(golden_db, assessments[-1][0], 31)
    window = open_chart(qtbot, golden_db)
    try:
        tabs = window.chart_tabs
        tabs.setCurrentWidget(tabs.healing_page)
        chart = tabs.healing_chart
        qtbot.waitUntil(lambda: len(chart.photo_points.points()) == 1, timeout=10_000)
        point = chart.photo_points.points()[0]
        assert point.symbol() != chart.area_curve(0).opts["symbol"]
        assert point.data() == record.assessment_id
        with qtbot.waitSignal(window.photos_tab.loaded, timeout=10_000):
            chart.photo_clicked.emit(point.data())
        assert tabs.currentWidget() is window.photos_tab
        qtbot.waitUntil(lambda: [r.id for r in window.photos_tab.selected_records()]
                        == [record.id], timeout=10_000)
    finally:
        close_window(window)


def test_edit_outline_make_primary_and_remove_with_a_reason(qtbot, golden_db, monkeypatch):
    patient_id, assessments = patient_assessments(golden_db)
    first = attach_scene(golden_db, assessments[-1][0], 81)
    second = attach_scene(golden_db, assessments[-1][0], 82)
    window = open_chart(qtbot, golden_db)
    try:
        tab = show_photos_tab(qtbot, window)
        assert tab.records[first.id].is_primary and not tab.records[second.id].is_primary
        tab.select_photos([first.id])
        with qtbot.waitSignal(tab.actions.editor_opened, timeout=20_000) as opened:
            qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
        editor = opened.args[0]
        assert editor.outline is not None and not editor.tool_buttons[
            editor.canvas.mode.RULER].isEnabled()  # an attached photo keeps its calibration
        smaller = editor.outline[::3]
        editor._show_outline(smaller, source="hand")
        area = editor.measurement.area_cm2
        with qtbot.waitSignal(tab.loaded, timeout=20_000):
            editor.accept()
        assert tab.records[first.id].area_cm2 == pytest.approx(area, abs=1e-3)
        tab.select_photos([second.id])
        with qtbot.waitSignal(tab.loaded, timeout=20_000):
            qtbot.mouseClick(tab.primary_button, Qt.MouseButton.LeftButton)
        assert tab.records[second.id].is_primary and not tab.records[first.id].is_primary
        monkeypatch.setattr("app.ui.photos.manage.QInputDialog.getText",
                            lambda *a, **k: ("blurred, retaken", True))
        tab.select_photos([first.id])
        with qtbot.waitSignal(tab.loaded, timeout=20_000):
            qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
        assert set(tab.records) == {second.id}
        from app.models import Photo

        with golden_db.read() as session:
            assert session.get(Photo, first.id).deletion_reason == "blurred, retaken"
    finally:
        close_window(window)


def test_drop_and_paste_open_the_editor(qtbot, window, golden_db, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDropEvent, QImage
    from PySide6.QtWidgets import QApplication

    path = tmp_path / "dropped.jpg"
    path.write_bytes(scene(11).jpeg)
    tab = show_photos_tab(qtbot, window)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(tab.adder.editor_opened, timeout=20_000) as opened:
        tab.dropEvent(drop)  # (QApplication refuses a drop event without a drag under way)
    assert drop.isAccepted()
    assert opened.args[0].calibration is not None
    opened.args[0].reject()
    image = QImage()
    assert image.loadFromData(scene(12).jpeg)
    QApplication.clipboard().setImage(image)
    with qtbot.waitSignal(tab.adder.editor_opened, timeout=20_000) as pasted:
        tab.paste()
    assert pasted.args[0].photo.working.shape[:2] == (image.height(), image.width())
    pasted.args[0].reject()


def test_clinic_menu_prints_the_calibration_card(qtbot, window, tmp_path):
    from app.ui.photos.install import print_calibration_card

    assert window.action_calibration_card in window.menu_clinic.actions()
    target = tmp_path / "card.pdf"
    print_calibration_card(window, target, open_after=False)
    qtbot.waitUntil(lambda: getattr(window, "card_written", None) == target, timeout=20_000)
    assert target.read_bytes().startswith(b"%PDF")
    assert "100%" in window.statusBar().currentMessage()


def test_captions_say_day_area_or_not_calibrated():
    import datetime as dt
    from types import SimpleNamespace

    from app.ui.photos.tab import photo_caption

    base = dict(visit_date=dt.date(2026, 3, 15), calibrated=True, area_cm2=3.456)
    assert photo_caption(SimpleNamespace(**base), dt.date(2026, 3, 1)) == \
        "2026-03-15 · day 14 · 3.46 cm²"
    assert photo_caption(SimpleNamespace(**{**base, "calibrated": False}), None) == \
        "2026-03-15 · not calibrated"
    assert photo_caption(SimpleNamespace(**{**base, "area_cm2": None}), None) == \
        "2026-03-15 · not outlined"


@pytest.mark.parametrize("answer, attached", [(("dressing changed, retaken", True), True),
                                              (("", False), False)])
def test_a_signed_visit_asks_for_a_reason(qtbot, golden_db, tmp_path, monkeypatch, answer,
                                          attached):
    from app.services.actor import Actor
    from app.services.visits import sign_visit

    patient_id, assessments = patient_assessments(golden_db)
    latest_id = assessments[-1][0]
    from app.models import Assessment

    with golden_db.write() as session:
        visit_id = session.get(Assessment, latest_id).visit_id
        sign_visit(session, visit_id, actor=Actor("dr.bo", "doctor"))
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText", lambda *a, **k: answer)
    path = tmp_path / "signed.jpg"
    path.write_bytes(scene(11).jpeg)
    window = open_chart(qtbot, golden_db)
    try:
        tab = show_photos_tab(qtbot, window)
        assert tab.is_signed(latest_id)
        with qtbot.waitSignal(tab.adder.editor_opened, timeout=20_000) as opened:
            tab.adder.add_path(path, tab.target)
        editor = opened.args[0]
        s = scene(11)
        editor.canvas.box_drawn.emit(tuple(float(v) for v in s.box))
        qtbot.waitUntil(lambda: editor.measurement is not None, timeout=20_000)
        signal = tab.adder.attached if attached else tab.adder.refused
        with qtbot.waitSignal(signal, timeout=20_000):
            editor.accept()
        assert len(_photos(golden_db, patient_id)) == (1 if attached else 0)
    finally:
        close_window(window)
