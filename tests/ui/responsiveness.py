"""A probe of the GUI thread: how long it went without turning the event loop.

A 5 ms timer notes, at each firing, the wall clock and the GUI thread's own CPU time. Between
two firings the GUI thread was either busy (its CPU time grew: work done on the GUI thread,
which the runner exists to prevent) or waiting for its turn on a loaded machine (only the wall
clock grew). Tests assert on the busy time, which does not depend on what else the machine
runs; the wall-clock gaps are reported beside it, and measured on a quiet machine by the
benchmark (bench/README.md).
"""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer

GAP_LIMIT_MS = 50.0  # docs/architecture.md: the window never stalls longer than this


class LoopProbe:
    """Start before the work, stop after; `longest_busy_ms` is the worst stall of our own."""

    def __init__(self, interval_ms: int = 5):
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.ticks: list[tuple[float, float]] = []

    def _tick(self) -> None:
        self.ticks.append((time.perf_counter(), time.thread_time()))

    def start(self) -> LoopProbe:
        self.ticks = []
        self._tick()
        self.timer.start()
        return self

    def stop(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self._tick()

    def _gaps(self, index: int) -> list[float]:
        return [1000.0 * (b[index] - a[index]) for a, b in zip(self.ticks, self.ticks[1:])]

    @property
    def longest_busy_ms(self) -> float:
        """The most CPU the GUI thread spent between two turns of the event loop."""
        return max(self._gaps(1), default=0.0)

    @property
    def longest_wall_gap_ms(self) -> float:
        return max(self._gaps(0), default=0.0)

    @property
    def turns(self) -> int:
        return len(self.ticks)

    def verdict(self) -> str:
        return (f"GUI thread busy up to {self.longest_busy_ms:.0f} ms between two turns "
                f"(wall-clock gap up to {self.longest_wall_gap_ms:.0f} ms, {self.turns} turns)")
