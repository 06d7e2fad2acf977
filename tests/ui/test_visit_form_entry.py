"""Entry never alters what was typed: dates kept exactly or refused at their field, no
impossible previews, messages in the words of each field's label on lines that never move
the form, and Alt+1 … Alt+5 to jump between the form's sections."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QWidget

from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    TODAY,
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
)

ALT = Qt.KeyboardModifier.AltModifier


@pytest.mark.parametrize("typed, message", [
    ("2027-01-15", "Visit date is in the future"),
    ("2026-02-30", "Not a real date (February 2026 has 28 days)"),
    ("2026-13-01", "Not a real date (there is no month 13)"),
    ("27/11/2026", "Enter the date as YYYY-MM-DD"),
    ("1950-01-01", "Visit date is before the birth date"),
])
def test_a_typed_visit_date_is_kept_exactly_or_refused_at_the_field(qtbot, db, clinic, dialog,
                                                                    typed, message):
    measure_first_ulcer(qtbot)
    date = field(dialog, "visitDate")
    date.setFocus()
    retype(qtbot, typed)
    assert date.text() == typed                    # never rolled into another date
    assert dialog.message_for("visitDate") == message
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert focused() is date and date.text() == typed
    assert len(history(db, clinic).visits) == 2


def test_a_typed_past_visit_date_is_saved_exactly(qtbot, db, clinic, dialog):
    measure_first_ulcer(qtbot)
    field(dialog, "visitDate").setFocus()
    retype(qtbot, "2026-11-20")
    assert dialog.message_for("visitDate") == ""
    assert field(dialog, "nextVisitDate").text() == "2026-12-04"  # follows the typed date
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    assert history(db, clinic).visits[-1].visit_date == dt.date(2026, 11, 20)


def test_other_date_fields_say_why_a_date_does_not_exist(qtbot, dialog):
    tab_to(qtbot, "nextVisitDate")
    retype(qtbot, "2027-02-29")
    assert dialog.message_for("nextVisitDate") == "Not a real date (February 2027 has 28 days)"
    assert field(dialog, "nextVisitDate").text() == "2027-02-29"


def test_no_impossible_area_preview(qtbot, dialog):
    preview = field(dialog, "areaPreview", "L-heel")
    type_size(qtbot, "3.5", "2.3")
    assert preview.text().startswith("Area ") and "-" not in preview.text()
    retype(qtbot, "-2.3")                          # a negative width
    assert preview.text() == ""
    assert dialog.message_for("widthCm") == "Width (cm) must be between 0 and 50 cm"
    assert dialog.message_for("lengthCm") == ""
    retype(qtbot, "2.3")
    assert preview.text().startswith("Area ")


def test_letters_in_width_put_the_error_under_width_only(qtbot, dialog):
    type_size(qtbot, "3", "two")
    assert dialog.message_for("widthCm") == "Not a number"
    assert dialog.message_for("lengthCm") == ""
    press(qtbot, Qt.Key.Key_Return)                # even after trying to save
    assert dialog.message_for("widthCm") == "Not a number"
    assert dialog.message_for("lengthCm") == ""
    assert field(dialog, "areaPreview", "L-heel").text() == ""


def test_messages_use_the_fields_label(qtbot, dialog):
    tab(qtbot)
    type_text(qtbot, "11")
    assert dialog.message_for("vasPain") == "Pain (VAS 0–10) must be between 0 and 10"
    tab_to(qtbot, "granulationPct")
    type_text(qtbot, "120")
    assert dialog.message_for("granulationPct").startswith("Granulation")
    assert "_" not in dialog.message_for("granulationPct")
    tab_to(qtbot, "tracedAreaCm2")
    type_text(qtbot, "-1")
    assert dialog.message_for("tracedAreaCm2").startswith("Traced area (cm²) must be")


def positions(dialog, names) -> list[QPoint]:
    body = dialog.view.scroll.widget()
    return [field(dialog, name).mapTo(body, QPoint(0, 0)) for name in names]


def test_errors_do_not_move_the_fields(qtbot, dialog):
    names = ["lengthCm", "widthCm", "depthCm", "measuringMethod", "granulationPct", "exudate",
             "etiology", "exosomeGiven", "aeDescription", "lab_crp_mg_l", "lab_esr_mm_h",
             "lab_abi", "nextVisitDate"]
    header = [field(dialog, n).mapTo(dialog, QPoint(0, 0)) for n in ("visitDate", "vasPain")]
    before = positions(dialog, names)
    tab(qtbot)
    type_text(qtbot, "99")                         # VAS out of range
    type_size(qtbot, "abc", "-1")
    tab_to(qtbot, "granulationPct")
    type_text(qtbot, "the whole wound bed is granulating")
    tab_to(qtbot, "lab_crp_mg_l")
    type_text(qtbot, "lots")
    press(qtbot, Qt.Key.Key_Return)                # every error shown
    qtbot.wait(50)                                 # let the layout settle, as on screen
    for name in ("vasPain", "lengthCm", "widthCm", "granulationPct", "lab_crp_mg_l"):
        assert dialog.message_for(name), name
        assert field(dialog, name).property("feedback") == "error"
    assert positions(dialog, names) == before
    assert [field(dialog, n).mapTo(dialog, QPoint(0, 0))
            for n in ("visitDate", "vasPain")] == header


def test_alt_digits_jump_to_the_forms_sections(qtbot, dialog):
    jumps = {Qt.Key.Key_1: "lengthCm", Qt.Key.Key_2: "granulationPct",
             Qt.Key.Key_3: "lab_crp_mg_l", Qt.Key.Key_4: "exosomeGiven",
             Qt.Key.Key_5: "aeDescription"}
    for key, name in jumps.items():
        press(qtbot, key, ALT)
        assert focused().objectName() == name, name
        if key == Qt.Key.Key_4:  # the treatment's fields come into view, not only its tick
            qtbot.waitUntil(lambda: not field(dialog, "exosomeDose").visibleRegion().isEmpty())
    press(qtbot, Qt.Key.Key_1, ALT)
    assert focused() is field(dialog, "lengthCm", "L-heel")
    shown = dialog.findChild(QWidget, "shortcutHint").text()
    for text in ("Alt+1 Size", "Alt+2 Tissue", "Alt+3 Labs", "Alt+4 Treatment",
                 "Alt+5 Adverse event"):
        assert text in shown
    assert "Alt+3" in dialog.view.labs.title() and "Alt+4" in dialog.view.treatment.title()
    assert "Alt+1" in field(dialog, "lengthCm").toolTip()


def test_tab_presses_from_length_to_crp(qtbot, db, actor, clinic):
    """With one ulcer: 31 Tabs from Length to CRP (the issue counted 31 too); Alt+3 is one."""
    open_form(qtbot, db, actor, clinic)
    tab_to(qtbot, "lengthCm")
    assert tab_to(qtbot, "lab_crp_mg_l") == 31
    press(qtbot, Qt.Key.Key_1, ALT)
    press(qtbot, Qt.Key.Key_3, ALT)
    assert focused().objectName() == "lab_crp_mg_l"
    assert TODAY.isoformat() == "2026-11-27"


def test_keystrokes_past_a_whole_date_are_shown_and_refused_not_dropped(qtbot, dialog):
    date = field(dialog, "visitDate")
    date.end(False)                                # the cursor after the pre-filled date
    qtbot.keyClicks(date, "2027-01-15")
    assert date.text() == "2026-11-272027-01-15"
    assert dialog.message_for("visitDate") == "Enter the date as YYYY-MM-DD"
    date.clear()
    qtbot.keyClicks(date, "2027-01-15")
    assert date.text() == "2027-01-15" and date.date().toString("yyyy-MM-dd") == "2027-01-15"
    assert dialog.message_for("visitDate") == "Visit date is in the future"
