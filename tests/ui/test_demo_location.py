"""`--demo` respects `--db` and $DFU_MONITOR_DB: the demo clinic is made where it is told, and
a location holding a real clinic (with accounts) is not opened without signing in."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
    import sys
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    import app.ui.app as start
    import app.ui.main_window as main_window

    start.DEMO_PATIENTS = 12  # a small demo clinic is enough here
    factory, shown = main_window.create_main_window, []

    def create(url, username, **kwargs):
        window = factory(url, username, **kwargs)
        def listed(count):
            shown.append(count)
            if count == 12:
                app.quit()
        window.patients_loaded.connect(listed)
        return window

    main_window.create_main_window = create
    status = start.run_gui(db=ARG, demo=True)
    print(status, shown[-1], start.demo_db_path().exists())
"""


def run_demo(tmp_path: Path, db_arg: str | None, env_db: str | None):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("DFU_MONITOR_DB", None)
    if env_db:
        env["DFU_MONITOR_DB"] = env_db
    script = textwrap.dedent(SCRIPT).replace("ARG", repr(db_arg))
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _patients(path: Path) -> int:
    from sqlalchemy import func, select

    from app.db import Database
    from app.models import Patient

    db = Database.open(f"sqlite:///{path}", create=False)
    try:
        with db.read() as session:
            return session.scalar(select(func.count(Patient.id)))
    finally:
        db.dispose()


def test_demo_is_created_at_the_db_given(tmp_path):
    target = tmp_path / "class" / "teaching.db"
    target.parent.mkdir()
    done = run_demo(tmp_path, str(target), env_db=None)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "12", "False"]  # no demo.db in the user data folder
    assert _patients(target) == 12


def test_demo_follows_the_environment_variable(tmp_path):
    target = tmp_path / "from-env.db"
    done = run_demo(tmp_path, None, env_db=str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "12", "False"]
    assert _patients(target) == 12


def test_a_location_with_accounts_is_not_opened_as_a_demo(tmp_path):
    from app.ui.app import demo_db_url, has_accounts

    real = tmp_path / "clinic.db"
    from app.db import Database
    from app.services.users import create_first_admin

    db = Database.open(f"sqlite:///{real}", create=True)
    with db.write() as session:
        create_first_admin(session, "admin.ana", "a long enough password 1")
    db.dispose()
    assert demo_db_url(str(real)) == f"sqlite:///{real.resolve()}"
    assert has_accounts(f"sqlite:///{real}")
    assert not has_accounts(f"sqlite:///{tmp_path / 'empty.db'}")
