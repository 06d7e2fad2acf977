"""The event loop keeps turning (gaps under 50 ms) while the database works: a visit sheet of
300 patients imported through File ▸ Import visit sheet (docs/architecture.md "runner")."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QApplication

from app.db import Database
from app.services.demo import seed_demo
from app.services.visit_sheet_export import export_visit_sheet
from tests.ui.responsiveness import GAP_LIMIT_MS, LoopProbe
from tests.ui.safety_support import add_accounts, close_window, open_window

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def sheet_of_300_patients(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("demo300")
    demo = Database.open(f"sqlite:///{folder / 'demo.db'}")
    seed_demo(demo, patients=300, anchor=TODAY)
    with demo.read() as session:
        text = export_visit_sheet(session)
    demo.dispose()
    return first_visits_only(text)


def first_visits_only(text: str) -> str:
    """The sheet's header and each patient's first visit (300 patients, a few hundred rows)."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text)))
    first: dict[str, str] = {}
    for row in rows:
        first[row["mrn"]] = min(first.get(row["mrn"], row["visit_date"]), row["visit_date"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(r for r in rows if r["visit_date"] == first[r["mrn"]])
    return out.getvalue()


def test_importing_300_patients_never_freezes_the_window(qtbot, tmp_path,
                                                         sheet_of_300_patients):
    path = tmp_path / "sheet.csv"
    path.write_text(sheet_of_300_patients, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    db = Database.open(url)
    add_accounts(db)
    db.dispose()
    window = open_window(qtbot, url, "nurse.ana")
    probe = LoopProbe()
    window.runner.changed.connect(lambda _changes: probe.stop())  # the import committed
    probe.start()
    with qtbot.waitSignal(window.patients_loaded, timeout=120_000,
                          check_params_cb=lambda n: n == 300):
        window.sheet_importer.start(path)
    outcome = window.sheet_importer.outcome
    assert outcome is not None and "300 new patients" in outcome.summary.text()
    assert probe.turns > 20  # the import took a while, and the loop turned through it
    assert probe.longest_busy_ms < GAP_LIMIT_MS, probe.verdict()
    outcome.close()
    QApplication.processEvents()
    close_window(window)


def test_a_refused_sheet_lists_every_bad_row_and_imports_nothing(qtbot, tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    db = Database.open(url)
    add_accounts(db)
    db.dispose()
    header = open("tests/data/visits_public.csv", encoding="utf-8").readline()
    path = tmp_path / "bad.csv"
    path.write_text(header + "not,a,row\n", encoding="utf-8")
    window = open_window(qtbot, url, "nurse.ana")
    window.sheet_importer.start(path)
    qtbot.waitUntil(lambda: window.sheet_importer.outcome is not None, timeout=20_000)
    outcome = window.sheet_importer.outcome
    assert outcome.windowTitle() == "Nothing imported"
    assert "row 1" in outcome.details.toPlainText()
    assert window.patient_model.total_count == 0
    outcome.close()
    close_window(window)


def test_signing_in_never_freezes_the_log_in_box(qtbot, db):
    """argon2 takes a good part of a second on purpose: it runs on the dialog's worker."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    from app.ui.security.login import LoginDialog
    from tests.ui.safety_support import PASSWORDS

    add_accounts(db)
    dialog = LoginDialog(db, username="dr.bo")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password_edit, PASSWORDS["dr.bo"])
    probe = LoopProbe().start()
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted.value,
                    timeout=20_000)
    probe.stop()
    assert dialog.actor.username == "dr.bo"
    assert probe.longest_busy_ms < GAP_LIMIT_MS, probe.verdict()


def test_restoring_a_backup_never_freezes_the_window(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.services.actor import Actor
    from app.services.backup import backup_database

    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    db = Database.open(url)
    add_accounts(db)
    seed_demo(db, patients=60, anchor=TODAY)
    backup = tmp_path / "before.db"
    backup_database(db, backup, actor=Actor("admin.eva", "admin"))
    db.dispose()
    window = open_window(qtbot, url, "admin.eva")
    answers = []
    monkeypatch.setattr("app.ui.security.backup.choose_backup_file", lambda *a: backup)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: answers.append(a[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: answers.append(a[2]))
    probe = LoopProbe()
    window.runner.changed.connect(lambda _changes: probe.stop())  # the restore finished
    probe.start()
    window.backup_actions.restore()
    qtbot.waitUntil(lambda: bool(answers), timeout=60_000)
    probe.stop()
    assert "restored" in answers[0].lower(), answers
    assert probe.turns > 3
    assert probe.longest_busy_ms < GAP_LIMIT_MS, probe.verdict()
    close_window(window)
