"""The GUI thread while a 12-MP photo is analysed through the window's runner: the longest
wall-clock gap between two turns of its event loop (bench.photos' "GUI thread blocked").

Run in its own process (`python -m bench.photo_gui`), offscreen; prints one JSON line.
"""
from __future__ import annotations

import json
import os
import time


def measure(runs: int = 3) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.imaging.synthetic import synthetic_photo
    from app.services.photos import prepare_photo
    from app.ui.dbops import DatabaseRunner

    app = QApplication.instance() or QApplication([])
    runner = DatabaseRunner(None)  # background work only: no database is touched
    scene = synthetic_photo(1000, size=(4000, 3000))
    gaps: list[float] = []
    for _ in range(runs):
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
        loop = QEventLoop()
        ticks.append(time.perf_counter())
        timer.start()
        runner.background("photo", lambda: prepare_photo(scene.jpeg, box=scene.box),
                          lambda _prepared, loop=loop: loop.quit())
        loop.exec()
        timer.stop()
        ticks.append(time.perf_counter())
        gaps.append(max(b - a for a, b in zip(ticks, ticks[1:])) * 1000)
    runner.wait()
    del app
    return {"gui_blocked_max_ms": max(gaps), "samples_ms": [round(g, 1) for g in gaps]}


if __name__ == "__main__":
    print(json.dumps(measure()))
