"""Live updates: a patient another process imports appears in an open window without a click
(docs/product.md "Several workstations"), on SQLite (data_version polling) and PostgreSQL
(LISTEN/NOTIFY); and views refresh from the runner's Changes."""
from __future__ import annotations

from app.db import Database
from app.services.changes import Changes
from tests.cli.helpers import run_cli
from tests.conftest import GOLDEN_CSV
from tests.ui.safety_support import PASSWORDS, add_accounts, close_window, open_window


def test_a_patient_imported_by_another_process_appears_in_the_open_window(qtbot, any_db_url):
    db = Database.open(any_db_url)
    add_accounts(db)
    db.dispose()
    window = open_window(qtbot, any_db_url, "nurse.ana")
    assert window.patient_model.total_count == 0
    result = run_cli("import-csv", str(GOLDEN_CSV), env={
        "DFU_MONITOR_DB": any_db_url, "DFU_MONITOR_USER": "nurse.ana",
        "DFU_MONITOR_PASSWORD": PASSWORDS["nurse.ana"]})
    assert result.returncode == 0, result.stderr
    qtbot.waitUntil(lambda: window.patient_model.total_count == 8, timeout=3_000)
    assert "H-01001" in {row.mrn for row in window.patient_model.all_rows}
    close_window(window)


def test_changes_of_one_patient_reload_only_that_row_and_the_open_chart(qtbot, tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    db = Database.open(url)
    add_accounts(db)
    db.dispose()
    window = open_window(qtbot, url, "nurse.ana")
    reloaded: list[str] = []
    window.runner.read = lambda channel, *a, **k: reloaded.append(channel)
    window.current_patient_id = 7
    window.apply_changes(Changes.of(patients=[3, 7]))
    assert reloaded == ["row-3", "row-7", "chart"]
    reloaded.clear()
    window.apply_changes(Changes.of(patients=[3]))
    assert reloaded == ["row-3"]
    reloaded.clear()
    window.apply_changes(Changes.all())
    assert reloaded == ["patients", "chart"]
    del window.runner.read
    close_window(window)
