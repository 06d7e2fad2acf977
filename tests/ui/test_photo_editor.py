"""The outline editor on its own: proposals, moving points, painting, tracing, the two-point
ruler when no card is found, and tissue colours that need confirming."""
from __future__ import annotations

import io
import math

import pytest
from PySide6.QtCore import QPointF, Qt

from app.services.photos import prepare_photo
from app.ui.photos.canvas import Mode
from app.ui.photos.editor import PhotoOutlineEditor, editor_photo_from_prepared
from tests.conftest import HEIC_FIXTURES
from tests.ui.photo_support import drag, scene


@pytest.fixture
def runner(qtbot, tmp_path):
    from app.db import Database
    from app.ui.dbops import DatabaseRunner

    db = Database.open(f"sqlite:///{tmp_path / 'x.db'}")
    runner = DatabaseRunner(db)
    yield runner
    runner.wait()
    db.dispose()


def open_editor(qtbot, runner, data: bytes) -> PhotoOutlineEditor:
    editor = PhotoOutlineEditor(runner, editor_photo_from_prepared(prepare_photo(data)))
    qtbot.addWidget(editor)
    editor.resize(1000, 700)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def propose(qtbot, editor, s) -> None:
    x0, y0, x1, y1 = s.box
    pad = 0.25 * max(x1 - x0, y1 - y0)
    editor.canvas.box_drawn.emit((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    qtbot.waitUntil(lambda: editor.outline is not None and not editor.busy, timeout=20_000)


def card_removed(s) -> bytes:
    from app.ui.photos.screenshots import _without_card

    return _without_card(s)


def test_a_click_inside_the_wound_proposes_its_outline(qtbot, runner):
    s = scene(11)
    editor = open_editor(qtbot, runner, s.jpeg)
    cx = sum(p[0] for p in s.outline_px) / len(s.outline_px)
    cy = sum(p[1] for p in s.outline_px) / len(s.outline_px)
    point = editor.canvas.mapFromScene(QPointF(cx + 0.5, cy + 0.5))
    qtbot.mouseClick(editor.canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: editor.outline is not None, timeout=20_000)
    assert editor.outline_source == "click"
    assert editor.measurement.area_cm2 == pytest.approx(s.area_cm2, rel=0.15)


def test_moving_a_point_outwards_grows_the_area(qtbot, runner):
    s = scene(11)
    editor = open_editor(qtbot, runner, s.jpeg)
    propose(qtbot, editor, s)
    before = editor.measurement.area_cm2
    qtbot.keyClick(editor, Qt.Key.Key_M)
    assert editor.canvas.mode is Mode.VERTICES
    cx = sum(p[0] for p in editor.outline) / len(editor.outline)
    cy = sum(p[1] for p in editor.outline) / len(editor.outline)
    vertex = editor.outline[0]
    out = (vertex[0] + (vertex[0] - cx) * 0.8, vertex[1] + (vertex[1] - cy) * 0.8)
    drag(qtbot, editor.canvas, vertex, out)
    assert editor.outline_source == "hand"
    assert editor.outline[0] == pytest.approx(out, abs=1.0)
    assert editor.measurement.area_cm2 > before


def test_painting_in_and_erasing_change_the_outline(qtbot, runner):
    s = scene(11)
    editor = open_editor(qtbot, runner, s.jpeg)
    propose(qtbot, editor, s)
    before = editor.measurement.area_cm2
    xs = [p[0] for p in editor.outline]
    ys = [p[1] for p in editor.outline]
    right, middle = max(xs), (min(ys) + max(ys)) / 2
    editor.set_mode(Mode.PAINT_ADD)
    editor.brush.setValue(10)
    drag(qtbot, editor.canvas, (right - 5, middle), (right + 40, middle))
    qtbot.waitUntil(lambda: not editor.busy and editor.measurement.area_cm2 > before,
                    timeout=20_000)
    grown = editor.measurement.area_cm2
    editor.set_mode(Mode.PAINT_REMOVE)
    drag(qtbot, editor.canvas, (right - 5, middle), (right + 40, middle))
    qtbot.waitUntil(lambda: not editor.busy and editor.measurement.area_cm2 < grown,
                    timeout=20_000)


def test_tracing_by_hand_makes_the_outline(qtbot, runner):
    s = scene(11)
    editor = open_editor(qtbot, runner, s.jpeg)
    editor.set_mode(Mode.TRACE)
    cx, cy, r = 600.0, 450.0, 60.0
    points = [(cx + r * math.cos(2 * math.pi * k / 24), cy + r * math.sin(2 * math.pi * k / 24))
              for k in range(25)]
    viewport = editor.canvas.viewport()
    to_view = [editor.canvas.mapFromScene(QPointF(x + 0.5, y + 0.5)) for x, y in points]
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=to_view[0])
    for p in to_view[1:]:
        qtbot.mouseMove(viewport, pos=p)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=to_view[-1])
    assert editor.outline_source == "hand" and len(editor.outline) >= 20
    px_per_cm = editor.calibration.px_per_cm
    assert editor.measurement.area_cm2 == pytest.approx(math.pi * (r / px_per_cm) ** 2, rel=0.3)


def test_without_a_card_a_ruler_or_unmeasured(qtbot, runner):
    s = scene(12)
    editor = open_editor(qtbot, runner, card_removed(s))
    assert editor.calibration is None
    assert "Not calibrated" in editor.calibration_label.text()
    propose(qtbot, editor, s)
    assert editor.measure_labels["area"].text() == "not calibrated"
    editor.accept()  # refused: neither calibrated nor kept unmeasured
    assert editor.isVisible() and "not calibrated" in editor.status.text()
    editor.set_mode(Mode.RULER)
    for point in ((100.0, 100.0), (300.0, 100.0)):
        qtbot.mouseClick(editor.canvas.viewport(), Qt.MouseButton.LeftButton,
                         pos=editor.canvas.mapFromScene(QPointF(point[0] + .5, point[1] + .5)))
    editor.ruler_distance.setValue(5.0)
    assert editor.calibration.method == "ruler"
    assert editor.calibration.px_per_cm == pytest.approx(200 / 5.0, rel=0.02)
    assert editor.measurement is not None and "ruler" in editor.calibration_label.text()
    editor.unmeasured.setChecked(True)
    assert editor.measurement is None
    editor.accept()
    assert not editor.isVisible()


def test_tissue_colours_are_written_only_when_confirmed(qtbot, runner):
    s = scene(11)
    editor = open_editor(qtbot, runner, s.jpeg)
    propose(qtbot, editor, s)
    editor.suggest_tissue()
    qtbot.waitUntil(lambda: editor.suggested_tissue is not None, timeout=20_000)
    shares = editor.suggested_tissue
    assert sum(shares.values()) == pytest.approx(100, abs=0.5)
    assert "granulation" in editor.tissue_label.text()
    assert editor.confirmed_tissue is None
    editor.tissue_confirm.setChecked(True)
    assert editor.confirmed_tissue == shares
    # a new outline drops the suggestion and its confirmation
    editor._show_outline(editor.outline[::2], source="hand")
    assert editor.confirmed_tissue is None and not editor.tissue_confirm.isEnabled()


def test_a_png_photo_opens_too(qtbot, runner):
    from PIL import Image

    s = scene(11)
    out = io.BytesIO()
    Image.open(io.BytesIO(s.jpeg)).save(out, format="PNG")
    editor = open_editor(qtbot, runner, out.getvalue())
    assert editor.calibration is not None


def test_jobs_queued_together_all_come_back(qtbot, runner):
    s = scene(11)
    editor = open_editor(qtbot, runner, s.jpeg)
    propose(qtbot, editor, s)
    editor.suggest_tissue()
    propose_box = s.box
    editor.canvas.box_drawn.emit(tuple(float(v) for v in propose_box))
    qtbot.waitUntil(lambda: not editor.busy, timeout=20_000)
    assert editor._jobs == 0


def test_a_heic_photo_from_an_iphone_opens_too(qtbot, runner):
    heic = (HEIC_FIXTURES / "scene11_800x600.heic").read_bytes()  # made by make_heic.py
    editor = open_editor(qtbot, runner, heic)
    assert editor.calibration is not None and editor.calibration.method == "card"


def test_the_editor_fits_the_screen_it_opens_on(qtbot, runner):
    """1180×760 hid Save and Cancel below the task bar of a 1280×800 screen."""
    editor = PhotoOutlineEditor(runner, editor_photo_from_prepared(prepare_photo(scene(11).jpeg)))
    qtbot.addWidget(editor)
    free = editor.screen().availableGeometry()
    assert editor.height() <= free.height()
    assert editor.width() <= max(free.width(), editor.minimumSizeHint().width())
