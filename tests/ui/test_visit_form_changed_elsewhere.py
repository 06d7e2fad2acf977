"""A visit form being edited is never overwritten by a refresh: when another workstation
saves the same visit (or, for a new one, a visit on its day), the form says so without
blocking and keeps every typed value (docs/product.md "Several workstations")."""
from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from app.services.actor import Actor
from app.services.changes import Changes
from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import save_visit
from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    LAST,
    TODAY,
    clinic,
    db,
    history,
    open_form,
    retype,
    tab_to,
    template,
    wait_idle,
)

OTHER = Actor("nurse.other", "nurse")


def _notice(dialog):
    return dialog.changed_notice


def _other_workstation_saves(db, pid, day, visit=None) -> None:
    with db.write() as session:
        save_visit(session, VisitInput(
            patient_id=pid, visit_date=day, vas=2.0,
            visit_id=visit.id if visit else None,
            expected_version=visit.version if visit else None,
            assessments=(AssessmentInput("L-heel", 3.4, 2.4),)), actor=OTHER, today=TODAY)


def test_the_edited_visit_saved_elsewhere_shows_a_notice_and_keeps_the_typing(
        qtbot, db, actor, clinic):
    last = next(v for v in history(db, clinic).visits if v.visit_date == LAST)
    dialog = open_form(qtbot, db, actor, clinic, visit_id=last.id)
    tab_to(qtbot, "lengthCm")
    retype(qtbot, "3.2")
    _other_workstation_saves(db, clinic, LAST, last)
    dialog.runner.announce(Changes.of(patients=[clinic], visits=[last.id]))
    qtbot.waitUntil(lambda: not _notice(dialog).isHidden(), timeout=10_000)
    assert "changed on another workstation by nurse.other" in _notice(dialog).text()
    assert "saving will ask you to reload" in _notice(dialog).text()
    assert dialog.findChild(QLineEdit, "lengthCm").text() == "3.2"
    assert dialog.isVisible() and dialog.save_button.isEnabled()


def test_news_that_did_not_change_the_visit_shows_nothing(qtbot, db, actor, clinic):
    last = next(v for v in history(db, clinic).visits if v.visit_date == LAST)
    dialog = open_form(qtbot, db, actor, clinic, visit_id=last.id)
    tab_to(qtbot, "lengthCm")
    retype(qtbot, "3.1")
    dialog.runner.announce(Changes.all())  # SQLite's data_version: "something changed"
    dialog.runner.announce(Changes.of(patients=[clinic + 1]))  # another patient
    wait_idle(qtbot, dialog)
    assert _notice(dialog).isHidden()
    assert dialog.findChild(QLineEdit, "lengthCm").text() == "3.1"


def test_a_visit_saved_elsewhere_on_the_new_visits_day_is_said(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)  # a new visit for TODAY
    tab_to(qtbot, "lengthCm")
    retype(qtbot, "2.9")
    _other_workstation_saves(db, clinic, TODAY)
    dialog.runner.announce(Changes.of(patients=[clinic]))
    qtbot.waitUntil(lambda: not _notice(dialog).isHidden(), timeout=10_000)
    assert dialog.findChild(QLineEdit, "lengthCm").text() == "2.9"


def test_on_a_server_another_workstations_save_reaches_the_open_form(qtbot, pg_url, actor):
    """End to end on PostgreSQL: the other workstation's commit, NOTIFY, the window runner's
    change feed, the notice; the typed value stays."""
    from app.db import Database
    from tests.ui.visit_form_support import make_clinic

    db = Database.open(pg_url)
    other = Database.open(pg_url)  # another workstation: its own engine and connections
    try:
        pid = make_clinic(db, actor)
        last = next(v for v in history(db, pid).visits if v.visit_date == LAST)
        dialog = open_form(qtbot, db, actor, pid, visit_id=last.id)
        dialog.runner.follow_other_workstations()
        tab_to(qtbot, "lengthCm")
        retype(qtbot, "3.3")
        qtbot.waitUntil(lambda: dialog.runner._feed.ready.is_set(), timeout=10_000)
        _other_workstation_saves(other, pid, LAST, last)
        qtbot.waitUntil(lambda: not _notice(dialog).isHidden(), timeout=10_000)
        assert dialog.findChild(QLineEdit, "lengthCm").text() == "3.3"
        dialog.runner.stop_following()
        dialog.runner.wait()
    finally:
        other.dispose()
        db.dispose()
