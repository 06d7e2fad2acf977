"""The window's title names the user and the open patient, never the app name twice (the
system appends the application's display name); the footer's count agrees in number."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.golden_support import golden_copy, golden_template  # noqa: F401 (fixtures)
from tests.ui.safety_support import close_window, open_window


def test_title_names_user_then_patient_without_the_app_name(qtbot, golden_copy):
    app = QApplication.instance()
    display = app.applicationDisplayName()
    app.setApplicationDisplayName("DFU Monitor")  # as app.ui.app sets it
    try:
        window = open_window(qtbot, golden_copy, "nurse.test")
        assert window.windowTitle() == "nurse.test"
        qtbot.keyClicks(window.patient_search, "H-01004")
        with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
            qtbot.keyClick(window.patient_search, Qt.Key.Key_Return)
        assert window.windowTitle() == "Zoë Tanaka · H-01004 — nurse.test"
        assert "DFU Monitor" not in window.windowTitle()
        close_window(window)
    finally:
        app.setApplicationDisplayName(display)


def test_the_footer_counts_in_the_right_number(qtbot, tmp_path):
    from app.db import Database
    from tests.reports.support import add_patient

    url = f"sqlite:///{tmp_path / 'one.db'}"
    db = Database.open(url, create=True)
    add_patient(db, mrn="P-1", name="Ana Lima")
    db.dispose()
    window = open_window(qtbot, url, "nurse.test")
    status = window.list_panel.status
    assert status.text() == "1 patient"
    qtbot.keyClicks(window.patient_search, "nobody")
    assert status.text() == "0 of 1 patient"
    close_window(window)
