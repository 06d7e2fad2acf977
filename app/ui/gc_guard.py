"""Garbage collection on the GUI thread only.

Python's cyclic garbage collector runs in whichever thread happens to allocate when a
threshold is crossed: with background loads that is often a worker thread. When it frees the
wrapper of a Qt widget there (pyqtgraph's plots hold many cycles), shiboken defers the C++
delete to the GUI thread and runs it at its next Python call, which can be inside a paint
event; with PySide6 6.12 a QMenu deleted that way deadlocked the GUI thread on a Qt mutex
(seen in the test suite). pyqtgraph's documented cure (`pyqtgraph.util.GarbageCollector`) is
to turn automatic collection off and collect on a GUI-thread timer; this is the same, without
importing pyqtgraph at start-up.
"""
from __future__ import annotations

import gc
import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer

_collector: MainThreadGarbageCollector | None = None
FULL_COLLECTION_S = 60.0


class MainThreadGarbageCollector(QObject):
    """Collect each generation on a GUI-thread timer when its threshold is crossed."""

    def __init__(self, parent: QObject, interval_ms: int = 100):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_if_due)
        self.timer.start(interval_ms)  # often: each collection then has little to scan
        self.frozen = False
        self.last_full = time.monotonic()

    def collect_if_due(self) -> None:
        if not self.frozen:
            # What start-up built (modules, the window, its models) lives as long as the
            # window: move it out of the collector's sight, so that a full collection scans
            # only what came later and never holds the GUI thread for a whole frame.
            gc.freeze()
            self.frozen = True
            return
        young, middle, old = gc.get_count()
        if young > self.thresholds[0]:
            gc.collect(0)
            if middle > self.thresholds[1]:
                gc.collect(1)
                # A full collection scans every object: Python's own collector defers it
                # until enough long-lived objects are new; an explicit one cannot tell, so it
                # runs at most once a minute here and never holds a frame on every import.
                now = time.monotonic()
                if old > self.thresholds[2] and now - self.last_full >= FULL_COLLECTION_S:
                    gc.collect(2)
                    self.last_full = now


def collect_garbage_on_gui_thread() -> MainThreadGarbageCollector | None:
    """Install the collector once per application (needs a QCoreApplication)."""
    global _collector
    app = QCoreApplication.instance()
    if app is None:
        return None
    if _collector is None or _collector.parent() is not app:
        _collector = MainThreadGarbageCollector(app)
    return _collector
