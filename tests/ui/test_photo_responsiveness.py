"""The window keeps turning while a 12-megapixel photo is decoded, calibrated and outlined:
the GUI thread is never busy 50 ms between two turns of its loop (docs/architecture.md)."""
from __future__ import annotations

import io

import pytest

from tests.db.helpers import golden_copy
from tests.ui.photo_support import open_chart, scene, show_photos_tab
from tests.ui.responsiveness import GAP_LIMIT_MS, LoopProbe
from tests.ui.safety_support import close_window


def twelve_megapixels() -> tuple[bytes, tuple[float, ...]]:
    """A synthetic wound photo enlarged to 4000 x 3000 px (quicker than rendering one), and
    the wound's box in the enlarged image."""
    from PIL import Image

    s = scene(41)
    with Image.open(io.BytesIO(s.jpeg)) as image:
        big = image.resize((4000, 3000), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    big.save(out, format="JPEG", quality=88)
    k = 4000 / s.width
    return out.getvalue(), tuple(v * k for v in s.box)


@pytest.fixture
def golden_db(tmp_path_factory, tmp_path):
    db = golden_copy(tmp_path_factory, tmp_path / "clinic.db")
    yield db
    db.dispose()


def test_a_12_megapixel_photo_never_freezes_the_window(qtbot, golden_db, tmp_path):
    data, box = twelve_megapixels()
    path = tmp_path / "big.jpg"
    path.write_bytes(data)
    window = open_chart(qtbot, golden_db)
    try:
        tab = show_photos_tab(qtbot, window)
        probe = LoopProbe().start()
        with qtbot.waitSignal(tab.adder.editor_opened, timeout=60_000) as opened:
            tab.adder.add_path(path, tab.target)
        editor = opened.args[0]
        working_box = [v / editor.photo.working_scale for v in box]
        editor.canvas.box_drawn.emit(tuple(working_box))
        qtbot.waitUntil(lambda: editor.outline is not None, timeout=60_000)
        probe.stop()
        assert max(editor.photo.working.shape) <= 2048 and editor.photo.working_scale >= 1.95
        assert editor.measurement is not None
        assert probe.longest_busy_ms < GAP_LIMIT_MS, probe.verdict()
        editor.reject()
    finally:
        close_window(window)
