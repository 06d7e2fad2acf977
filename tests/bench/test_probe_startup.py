"""The start-up probe (bench/probe_startup.py) runs main.py's own start with only the log-in
dialog replaced: if run_gui's sign-in step moved or was renamed, the probe would wait in a
dialog (or time another start) instead of painting the window. Nothing is timed here."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.probe_startup import LISTED, PAINTED

ROOT = Path(__file__).resolve().parents[2]


def test_the_application_probe_paints_the_main_window_through_main(db, db_url):
    db.dispose()  # a migrated, empty clinic: the window opens it as for a signed-in user
    completed = subprocess.run(
        [sys.executable, "-m", "bench.probe_startup", "app", db_url], cwd=ROOT,
        capture_output=True, text=True, timeout=90,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == [PAINTED, LISTED]  # the window, then its list
