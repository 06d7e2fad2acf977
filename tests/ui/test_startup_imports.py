"""Start-up imports what the first paint needs and nothing else (bench/README.md, "Start-up
imports"): the command line's parser without the ORM, the main window without the features
that load on first use, and no database work queued before the window has painted. Each check
runs in a fresh interpreter, as `main.py` starts."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "cv2", "PIL", "numpy", "pyqtgraph", "alembic", "argon2", "mako")
# Modules of features the first paint does not show: they load when first used.
FIRST_USE = ("app.ui.printing.batch", "app.ui.cohort.view", "app.ui.patients.new_patient",
             "app.ui.visit.form", "app.services.cohort", "app.services.visit_sheet",
             "app.services.report_batch", "app.services.backup", "app.services.users",
             "app.services.patient_list", "app.services.settings", "app.ui.photos.compare",
             "app.ui.photos.canvas", "app.ui.photos.adding", "app.ui.photos.manage",
             "app.ui.help.about",  # the About box (the Help menu is app.ui.help.menu)
             "app.ui.patients.import_outcome",  # the visit sheet's outcome dialog
             # every model (and the PostgreSQL dialect) and the chart's records: the chart
             # and the Audit tab load them on the database worker
             "app.models", "app.domain.records", "app.services.audit_view",
             "sqlalchemy.dialects.postgresql",
             # the ORM itself: the window signs in on a Core connection (Database.core_read)
             # and the first session, the list's load, imports it after the paint
             "sqlalchemy.orm")


# Chart pages built when first shown (app.ui.chart.tabs): the first paint shows their headers.
LATER_PAGES = ("treatmentTable", "adverseEventTable")


def run_fresh(code: str) -> list[str]:
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                               capture_output=True, text=True, timeout=120,
                               env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.split()


def loaded(names: tuple[str, ...]) -> str:
    """Code printing which of `names` (or their submodules) are imported."""
    return (f"print(*sorted(n for n in {names!r} if any(m == n or m.startswith(n + '.') "
            "for m in sys.modules)) or ['none'])")


def test_the_parser_imports_no_orm_and_no_heavy_library():
    printed = run_fresh(f"""
        import sys
        from app.cli.parser import build_parser
        build_parser()
        {loaded(HEAVY + ("app.models", "sqlalchemy.dialects.postgresql", "PySide6"))}
    """)
    assert printed == ["none"]


@pytest.mark.parametrize("argv", [[], ["--db", "x.db"], ["--db=x.db"], ["--demo"],
                                  ["--db", "a", "--user", "bob", "--demo"],
                                  ["--user=bob", "--db", "b"], ["--db", "a", "--db", "b"]])
def test_the_window_options_parse_as_the_full_parser_does(argv):
    from app.cli.parser import build_parser, window_arguments

    assert vars(window_arguments(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["-h"], ["--version"], ["--db"], ["--db", "-x"], ["check"],
                                  ["--dem"], ["--demo=1"], ["--db", "a", "check"],
                                  ["--user", "x", "summary"]])
def test_a_command_help_or_an_odd_option_goes_to_the_full_parser(argv):
    from app.cli.parser import window_arguments

    assert window_arguments(argv) is None


def test_the_sqlite_dialect_loads_with_the_parser_before_pyside_and_the_orm_does_not():
    # PySide's import hook reads the source of every module imported after PySide6: the
    # dialect costs twice as much there (app.db_sqlite, bench/README.md "Start-up imports").
    # The ORM is not needed before the first paint at all (lesson 20).
    printed = run_fresh("""
        import sys
        from app.cli.parser import build_parser
        build_parser()
        print("sqlalchemy.orm" in sys.modules, "sqlalchemy.dialects.sqlite" in sys.modules,
              "PySide6" in sys.modules)
    """)
    assert printed == ["False", "True", "False"]


def test_the_window_paints_before_importing_what_it_shows_later(db):
    db.dispose()
    printed = run_fresh(f"""
        import sys
        from PySide6.QtCore import QEvent, QObject, QTimer
        from PySide6.QtWidgets import QApplication, QWidget
        from app.cli.parser import build_parser
        build_parser()
        app = QApplication([])
        from app.ui.main_window import create_main_window
        window = create_main_window({db.url!r}, "nurse")
        LATER_PAGES = {LATER_PAGES!r}

        class FirstPaint(QObject):
            def eventFilter(self, watched, event):
                if watched is window and event.type() == QEvent.Type.Paint:
                    window.removeEventFilter(self)
                    QTimer.singleShot(0, report)
                return False

        def report():
            {loaded(HEAVY + FIRST_USE)}
            print(*(window.findChild(QWidget, name) is None for name in LATER_PAGES))
            print("idle" if window.runner.idle() else "busy", window.patients_ready)
            window.patients_loaded.connect(lambda _n: app.quit())

        watcher = FirstPaint()
        window.installEventFilter(watcher)
        window.show()
        app.exec()
        print(window.patients_ready)
        window.close()
    """)
    # Nothing heavy, no feature loaded on first use, no chart page built that the first paint
    # does not show, no database work before the paint; the list loads after it.
    assert printed == ["none", "True", "True", "idle", "False", "True"]


def test_the_log_in_box_paints_before_the_orm_loads(db):
    from tests.ui.safety_support import add_accounts

    add_accounts(db)
    db.dispose()
    printed = run_fresh(f"""
        import sys
        from PySide6.QtCore import QEvent, QObject, QTimer
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from app.db import Database
        from app.ui.security.login import LoginDialog
        dialog = LoginDialog(Database.open({db.url!r}), username="nurse.ana")

        class FirstPaint(QObject):
            def eventFilter(self, watched, event):
                if watched is dialog and event.type() == QEvent.Type.Paint:
                    dialog.removeEventFilter(self)
                    QTimer.singleShot(0, report)
                return False

        def report():
            print("app.models" in sys.modules)
            QTimer.singleShot(0, wait_for_the_orm)

        def wait_for_the_orm():
            if "app.services.users" in sys.modules and dialog.runner.idle():
                print("app.models" in sys.modules)
                dialog.reject()
            else:
                QTimer.singleShot(10, wait_for_the_orm)

        watcher = FirstPaint()
        dialog.installEventFilter(watcher)
        dialog.exec()
    """)
    assert printed == ["False", "True"]  # painted without it, loaded while the person types
