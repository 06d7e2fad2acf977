"""Smoke check of a built program: start the window, let it paint, save a screenshot, quit.

Used by packaging/smoke_bundle.sh through the bundle's entry point when
DFU_MONITOR_SMOKE_EXIT_AFTER_PAINT=1 (with `--demo`, so no log-in dialog waits for a user):

- `arm_paint_check()` makes the QApplication (the window reuses it) and a timer that waits
  for the main window to be visible, lets it settle (background loads), grabs it, checks the
  picture is not blank, saves it to $DFU_MONITOR_SMOKE_SCREENSHOT (if set) and quits with 0;
- no main window within $DFU_MONITOR_SMOKE_TIMEOUT seconds (default 120), or a blank picture,
  quits with status 3.
It prints one line saying which, so a CI log shows what happened.
"""
from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

POLL_MS = 200
SETTLE_S = 2.0
FAILED = 3


class PaintCheck:
    def __init__(self, app: QApplication, *, timeout_s: float, screenshot: str | None):
        self.app, self.screenshot = app, screenshot
        self.started = time.monotonic()
        self.deadline = self.started + timeout_s
        self.visible_since: float | None = None
        self.timer = QTimer(app)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

    def main_window(self) -> QMainWindow | None:
        return next((w for w in self.app.topLevelWidgets()
                     if isinstance(w, QMainWindow) and w.isVisible()), None)

    def poll(self) -> None:
        now = time.monotonic()
        window = self.main_window()
        if window is None:
            if now > self.deadline:
                self.finish(FAILED, "no main window appeared")
            return
        if self.visible_since is None:
            self.visible_since = now
        if now - self.visible_since < SETTLE_S:
            return
        image = window.grab().toImage()
        if image.isNull() or image.width() < 100 or image.height() < 100:
            self.finish(FAILED, "the main window painted nothing")
            return
        colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
                   for y in range(0, image.height(), 37)}
        if len(colours) < 3:
            self.finish(FAILED, "the main window is blank")
            return
        if self.screenshot:
            image.save(self.screenshot)
        self.finish(0, f"main window '{window.windowTitle()}' painted, "
                       f"{image.width()}x{image.height()}, {len(colours)} colours, "
                       f"after {now - self.started:.1f} s")

    def finish(self, status: int, message: str) -> None:
        self.timer.stop()
        print(f"paint check: {message}", file=sys.stderr if status else sys.stdout, flush=True)
        for widget in self.app.topLevelWidgets():
            widget.close()
        self.app.exit(status)


_armed: list[PaintCheck] = []  # keeps the check (and its timer) alive


def arm_paint_check() -> PaintCheck:
    """Create the QApplication and start the paint check; the window's event loop runs it."""
    app = QApplication.instance() or QApplication(sys.argv)
    timeout_s = float(os.environ.get("DFU_MONITOR_SMOKE_TIMEOUT", "120"))
    check = PaintCheck(app, timeout_s=timeout_s,
                       screenshot=os.environ.get("DFU_MONITOR_SMOKE_SCREENSHOT") or None)
    check.timer.start()
    _armed.append(check)
    return check
