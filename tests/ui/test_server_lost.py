"""Losing the clinic server in the window (docs/reliability.md, "Faults"): a save
while the server is down fails with a clear message, the form keeps its values, nothing is
half-written; when the server is back the app reconnects by itself (app/db_server_link.py)."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.db import Database, ServerUnavailable
from app.models import Patient
from app.ui.dbops import DatabaseRunner, user_message
from app.ui.patients.new_patient import NewPatientDialog

TODAY = dt.date(2026, 11, 27)


def _patients(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count(Patient.id)))


def test_a_save_while_the_server_is_down_keeps_the_form_and_works_once_it_is_back(
        qtbot, pg_cluster, pg_url, actor):
    db = Database.open(pg_url)
    runner = DatabaseRunner(db)
    dialog = NewPatientDialog(runner=runner, actor=actor, today=TODAY)
    runner.setParent(dialog)
    qtbot.addWidget(dialog)
    dialog.show()
    assert _patients(db) == 0  # the pool holds a live connection from here on
    dialog.mrn.setText("S-0001")
    dialog.name.setText("Server Gone")
    dialog.birth_date.setText("1961-04-12")
    pg_cluster.stop("fast")
    try:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.general_error.isHidden(), timeout=20_000)
        assert "connection to the clinic database server was lost" in \
            dialog.general_error.text()
        assert "nothing was saved" in dialog.general_error.text()
        assert (dialog.mrn.text(), dialog.name.text(), dialog.birth_date.text()) == (
            "S-0001", "Server Gone", "1961-04-12")
        assert dialog.save_button.isEnabled() and dialog.isVisible()
    finally:
        pg_cluster.restart()  # from stopped: started again with the same options
    assert _patients(db) == 0  # nothing half-written; and this read reconnected by itself
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.created_patient_id is not None, timeout=20_000)
    assert _patients(db) == 1
    runner.wait()
    db.dispose()


def test_the_runner_names_a_lost_server_in_plain_words():
    text = user_message(ServerUnavailable("the connection to the clinic database server was "
                                          "lost: nothing was saved"))
    assert text.startswith("The clinic server cannot be reached: the connection")
