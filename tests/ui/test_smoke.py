"""The bundle's paint check (app/ui/smoke.py): quits with 0 and a screenshot once the main
window has painted, with 3 when no main window appears."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QMainWindow

from app.ui import smoke


@pytest.fixture
def exits(qapp, monkeypatch):
    statuses: list[int] = []
    monkeypatch.setattr(qapp, "exit", statuses.append)
    monkeypatch.setattr(smoke, "SETTLE_S", 0.0)
    return statuses


def test_painted_main_window_quits_with_0_and_a_screenshot(qtbot, tmp_path, monkeypatch, exits):
    window = QMainWindow()
    window.setWindowTitle("DFU Monitor")
    window.setCentralWidget(QLabel("Patients: D-00001, D-00002 " * 4))
    window.resize(400, 300)
    qtbot.addWidget(window)
    window.show()
    shot = tmp_path / "window.png"
    monkeypatch.setenv("DFU_MONITOR_SMOKE_SCREENSHOT", str(shot))
    check = smoke.arm_paint_check()
    qtbot.waitUntil(lambda: bool(exits), timeout=10_000)
    assert exits == [0]
    assert shot.is_file() and shot.stat().st_size > 0
    assert not check.timer.isActive() and not window.isVisible()


def test_no_main_window_quits_with_3(qtbot, monkeypatch, exits):
    monkeypatch.setenv("DFU_MONITOR_SMOKE_TIMEOUT", "0")
    monkeypatch.delenv("DFU_MONITOR_SMOKE_SCREENSHOT", raising=False)
    smoke.arm_paint_check()
    qtbot.waitUntil(lambda: bool(exits), timeout=10_000)
    assert exits == [smoke.FAILED]
