"""Hard limits refuse bad input at the field and block saving; soft warnings ask once."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app.domain.analytes import ANALYTES
from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    LAST,
    TODAY,
    Answers,
    clinic,
    db,
    dialog,
    field,
    focused,
    history,
    measure_first_ulcer,
    open_form,
    press,
    retype,
    tab,
    tab_to,
    template,
    type_size,
    type_text,
    wait_closed,
    wait_idle,
)

NOT_NUMBERS = ("abc", "nan", "inf", "-inf", "1..2")

# (field, text above its hard limit, text below it, a good value); every hard-limit field.
HARD_LIMITS = [
    ("lengthCm", "50.5", "-1", "3"), ("widthCm", "51", "-0.1", "2"),
    ("depthCm", "20.1", "-2", "0.3"), ("tracedAreaCm2", "2501", "-1", "4"),
    ("granulationPct", "101", "-1", "100"), ("epithelialPct", "150", "-5", "100"),
    ("sloughPct", "100.5", "-1", "100"), ("necroticPct", "200", "-1", "100"),
    ("vasPain", "10.1", "-0.5", "3"), ("imagingDepthCm", "21", "-1", "0.5"),
    ("exosomeDose", "2e16", "-1", "5e9"), ("exosomeVolumeMl", "101", "-1", "1"),
    ("mscCellsMillion", "10001", "-1", "10"),
    *((f"lab_{a.column}", f"{a.hard_max * 1.01 + 1:g}", f"{a.hard_min - 1:g}",
       f"{a.ref_low if a.ref_low is not None else a.hard_min:g}") for a in ANALYTES.values()),
]
NEEDS_TICK = {"exosomeDose": "exosomeGiven", "exosomeVolumeMl": "exosomeGiven",
              "mscCellsMillion": "mscCotherapy"}


@pytest.mark.parametrize("name,too_high,too_low,good", HARD_LIMITS,
                         ids=[h[0] for h in HARD_LIMITS])
def test_every_hard_limit_field_refuses_bad_input_and_nothing_is_saved(
        qtbot, db, clinic, dialog, name, too_high, too_low, good):
    measure_first_ulcer(qtbot)
    if name in NEEDS_TICK:
        tab_to(qtbot, NEEDS_TICK[name])
        press(qtbot, Qt.Key.Key_Space)
    tab_to(qtbot, name)
    editor = focused()
    for text in (*NOT_NUMBERS, too_high, too_low):
        retype(qtbot, text)
        message = dialog.message_for(name)
        assert message, f"{name} accepted {text!r}"
        assert editor.property("feedback") == "error"
        assert dialog.findChild(QWidget, name) is editor
        press(qtbot, Qt.Key.Key_Return)
        assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
        assert focused() is editor, "saving should send the nurse back to the bad field"
    assert len(history(db, clinic).visits) == 2
    # Corrected, the same field clears and the visit saves.
    retype(qtbot, good)
    assert dialog.message_for(name) == "" and editor.property("feedback") == ""
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    assert len(history(db, clinic).visits) == 3


def test_messages_say_what_is_wrong(qtbot, dialog):
    type_size(qtbot, "abc")
    assert dialog.message_for("lengthCm") == "Not a number"
    retype(qtbot, "nan")
    assert dialog.message_for("lengthCm") == "Not a number"
    retype(qtbot, "1e999")
    assert dialog.message_for("lengthCm") == "Must be a finite number"
    retype(qtbot, "1.234,5")
    assert "not both" in dialog.message_for("lengthCm")
    retype(qtbot, "60")
    # The field's label, not its internal name ("length cm must be …").
    assert dialog.message_for("lengthCm") == "Length (cm) must be between 0 and 50 cm"
    tab_to(qtbot, "lab_crp_mg_l")
    type_text(qtbot, "150")
    tab(qtbot)
    type_text(qtbot, "mg/d")                       # 150 mg/dL = 1500 mg/L, over the limit
    assert "CRP must be between 0 and 1000 mg/L" in dialog.message_for("lab_crp_mg_l")


def test_cross_field_errors_wait_until_save_then_show_at_the_field(qtbot, db, clinic, dialog):
    type_size(qtbot, "3")                          # width not typed yet: no shouting
    assert dialog.message_for("widthCm") == ""
    press(qtbot, Qt.Key.Key_Return)
    assert "length and width" in dialog.message_for("widthCm")
    assert focused().objectName() == "lengthCm"    # the nurse stays where she was typing
    assert len(history(db, clinic).visits) == 2
    tab(qtbot)
    type_text(qtbot, "2")
    assert dialog.message_for("widthCm") == "" and dialog.message_for("lengthCm") == ""


def test_future_date_and_existing_visit_date_are_refused_at_the_date(qtbot, db, clinic, dialog):
    measure_first_ulcer(qtbot)
    date = field(dialog, "visitDate")
    date.setFocus()
    type_text(qtbot, "2026-12-01")
    assert date.text() == "2026-12-01"             # kept as typed, and refused at the field
    assert dialog.message_for("visitDate") == "Visit date is in the future"
    tab(qtbot)
    press(qtbot, Qt.Key.Key_Backtab)               # back into the date: all of it is selected
    type_text(qtbot, LAST.isoformat())             # the date of a visit already recorded
    assert dialog.message_for("visitDate") == ""
    press(qtbot, Qt.Key.Key_Return)
    wait_idle(qtbot, dialog)
    assert "already recorded" in dialog.message_for("visitDate")
    assert dialog.isVisible() and len(history(db, clinic).visits) == 2
    tab(qtbot)
    press(qtbot, Qt.Key.Key_Backtab)
    type_text(qtbot, TODAY.isoformat())
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)


def test_soft_warning_shows_at_the_field_then_asks_once_and_saves(qtbot, db, actor, clinic,
                                                                  monkeypatch):
    answers = Answers(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", answers)
    dialog = open_form(qtbot, db, actor, clinic)
    type_size(qtbot, "25", "2")                    # possible, but over 20 cm
    tab(qtbot)
    editor = field(dialog, "lengthCm")
    assert "over 20 cm" in dialog.message_for("lengthCm")
    assert editor.property("feedback") == "warning"
    tab_to(qtbot, "lab_crp_mg_l")
    type_text(qtbot, "80")                         # more than 5× the upper reference
    assert "outside its reference range" in dialog.message_for("lab_crp_mg_l")
    press(qtbot, Qt.Key.Key_Return)

    wait_closed(qtbot, dialog)
    assert len(answers.asked) == 1
    assert "over 20 cm" in answers.asked[0] and "reference range" in answers.asked[0]
    h = history(db, clinic)
    assert h.episodes[0].assessments[-1].length_cm == 25.0
    assert h.visits[-1].labs["crp_mg_l"].value == 80.0


def test_declined_warning_saves_nothing_and_keeps_the_form(qtbot, db, actor, clinic,
                                                            monkeypatch):
    answers = Answers(QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "question", answers)
    dialog = open_form(qtbot, db, actor, clinic)
    type_size(qtbot, "9", "8")                     # the area more than doubled
    tab(qtbot)
    assert "more than doubled" in dialog.message_for("lengthCm")
    press(qtbot, Qt.Key.Key_Return)
    wait_idle(qtbot, dialog)
    assert len(answers.asked) == 1 and "more than doubled" in answers.asked[0]
    assert dialog.isVisible() and len(history(db, clinic).visits) == 2
    assert field(dialog, "lengthCm").text() == "9"


def test_disk_full_says_so_keeps_the_typing_and_changes_nothing(qtbot, db, actor, clinic,
                                                                 monkeypatch):
    from sqlalchemy import event

    with db.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _full(dbapi_connection, _record):  # SQLite's own way to fake a full disk
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    errors = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda parent, title, text, *a, **k: errors.append(text))
    dialog = open_form(qtbot, db, actor, clinic)
    measure_first_ulcer(qtbot)
    tab_to(qtbot, "visitNotes")
    type_text(qtbot, "wound photos reviewed " * 60)
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert len(errors) == 1 and "database is full" in errors[0] and "SELECT" not in errors[0]
    assert dialog.isVisible() and field(dialog, "lengthCm").text() == "3"
    assert dialog.draft_path.exists()
    event.remove(db.engine, "connect", _full)
    db.engine.dispose()
    assert len(history(db, clinic).visits) == 2
