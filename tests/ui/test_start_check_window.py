"""The window paints before the start-up check (issue 14): the check runs in the background,
writes wait for it, and a damage it finds shows the read-only notice."""
from __future__ import annotations

import sqlite3

from app.db import Database
from tests.db.helpers import flip_bytes
from tests.ui.safety_support import add_accounts, close_window, open_window


def _clinic(tmp_path, name: str):
    db = Database.open(f"sqlite:///{tmp_path / name}")
    add_accounts(db)
    db.dispose()
    return tmp_path / name


def test_the_check_runs_after_the_window_and_releases_writes(qtbot, tmp_path):
    path = _clinic(tmp_path, "sound.db")
    window = open_window(qtbot, f"sqlite:///{path}", "nurse.ana")
    qtbot.waitUntil(lambda: not window.db.writes_held, timeout=20_000)
    assert not window.db.read_only and getattr(window, "read_only_notice", None) is None
    close_window(window)


def test_damage_found_after_the_first_paint_shows_the_notice(qtbot, tmp_path):
    path = _clinic(tmp_path, "damaged.db")
    with sqlite3.connect(path) as plain:  # pad the file so a page in the middle can be hit
        plain.execute("CREATE TABLE padding (x)")
        plain.executemany("INSERT INTO padding VALUES (?)", [("x" * 500,)] * 400)
    size = path.stat().st_size
    flip_bytes(path, offset=(size // 4096 // 2) * 4096)
    window = open_window(qtbot, f"sqlite:///{path}", "nurse.ana")
    qtbot.waitUntil(lambda: getattr(window, "read_only_notice", None) is not None,
                    timeout=20_000)
    assert window.db.read_only and window.db.damaged and not window.db.writes_held
    assert "integrity check" in window.read_only_notice.text()
    assert "(read-only)" in window.windowTitle()
    window.runner.wait()
    window.close()
