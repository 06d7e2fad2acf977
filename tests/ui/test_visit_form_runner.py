"""The visit form's database work runs on the window's runner, never on the GUI thread:
the context it shows, each day's previous areas while the date is typed, and the save."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt

import app.services.visits as visits_service
import app.ui.visit.form as form_module
from tests.ui.responsiveness import GAP_LIMIT_MS, LoopProbe
from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    clinic,
    db,
    field,
    history,
    measure_first_ulcer,
    open_form,
    press,
    retype,
    template,
    wait_closed,
)


def recording(calls: list[str], name: str, function):
    def wrapper(*args, **kwargs):
        calls.append((name, threading.current_thread() is threading.main_thread()))
        return function(*args, **kwargs)
    return wrapper


def test_reads_and_the_save_run_off_the_gui_thread(qtbot, db, actor, clinic, monkeypatch):
    calls: list = []
    monkeypatch.setattr(form_module, "read_visit_form_context", recording(
        calls, "context", form_module.read_visit_form_context))
    monkeypatch.setattr(visits_service, "previous_areas", recording(
        calls, "previous_areas", visits_service.previous_areas))
    monkeypatch.setattr(visits_service, "save_visit", recording(
        calls, "save", visits_service.save_visit))
    changes = []
    dialog = open_form(qtbot, db, actor, clinic)
    dialog.runner.changed.connect(changes.append)
    measure_first_ulcer(qtbot)
    field(dialog, "visitDate").setFocus()
    retype(qtbot, "2026-11-20")                    # a day whose previous areas are not read yet
    qtbot.waitUntil(lambda: any(name == "previous_areas" for name, _ in calls[1:]),
                    timeout=10_000)
    probe = LoopProbe().start()
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    probe.stop()

    assert {name for name, _ in calls} == {"context", "previous_areas", "save"}
    assert not any(on_gui for _, on_gui in calls), calls
    assert probe.longest_busy_ms < GAP_LIMIT_MS, probe.verdict()
    visit_id = dialog.saved_visit_id
    assert [(c.patients, c.visits) for c in changes] == [(frozenset({clinic}),
                                                          frozenset({visit_id}))]
    assert history(db, clinic).visits[-1].id == visit_id
