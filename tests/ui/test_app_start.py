"""Starting the window: `--demo` creates the demo clinic on first use; 100,000 emits survive."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("DFU_MONITOR_DB", None)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_demo_opens_a_300_patient_clinic_created_on_first_use(tmp_path):
    script = """
        import sys
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        import app.ui.main_window as main_window
        from app.ui.app import demo_db_path, run_gui

        factory, shown = main_window.create_main_window, []

        def create(url, username, **kwargs):
            window = factory(url, username, **kwargs)
            def listed(count):
                shown.append(count)
                if count == 300:
                    app.quit()
            window.patients_loaded.connect(listed)
            return window

        main_window.create_main_window = create
        status = run_gui(db=None, demo=True)
        print(status, shown[-1], demo_db_path().exists(), demo_db_path().name)
    """
    first = run_python(script, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["0", "300", "True", "demo.db"]
    assert (tmp_path / "data" / "dfu-monitor" / "demo.db").exists()
    # Second start: the same clinic, not 300 more patients.
    again = run_python(script.replace("count == 300", "count >= 300"), tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split()[:2] == ["0", "300"]


def test_100_000_signals_and_void_calls_do_not_abort_the_interpreter(tmp_path):
    """PySide6 6.12.0 returns None/True from void calls and emit() without a new reference;
    on the Pythons we support (3.12+, immortal None/True) that must be harmless, with no
    reference counts patched by the application."""
    script = """
        import sys
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QLabel
        import app.ui
        import app.ui.main_window
        app = QApplication([])

        class Relay(QObject):
            done = Signal(int)

        relay, label = Relay(), QLabel()
        received = []
        relay.done.connect(received.append)
        for n in range(100_000):
            relay.done.emit(n)
            label.setText("x")
        print("survived", len(received), sys.version_info >= (3, 12))
    """
    result = run_python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["survived", "100000", "True"]


def test_no_reference_count_is_patched_through_ctypes():
    """Only app/db_files.py (the Windows drive-type check) may use ctypes."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app"
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if "ctypes" in p.read_text(encoding="utf-8"))
    assert users == ["db_files.py"]


def test_log_in_then_window_runs_the_start_up_check_once(tmp_path):
    script = """
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        import app.db as db_module
        import app.ui.security.login as login
        from app.services.actor import Actor
        from app.ui.app import run_gui

        checks = []
        real_open = db_module.Database.open.__func__

        def counting_open(cls, url, **kwargs):
            if kwargs.get("check"):
                checks.append(url)
            return real_open(cls, url, **kwargs)

        db_module.Database.open = classmethod(counting_open)
        login.sign_in = lambda db, username: Actor("nurse.ana", "nurse")
        QTimer.singleShot(300, app.quit)
        status = run_gui(db=r"%s", demo=False)
        print(status, len(checks))
    """ % (tmp_path / "clinic.db")
    result = run_python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "1"]
