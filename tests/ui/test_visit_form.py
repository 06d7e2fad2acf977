"""The visit form, driven from the keyboard as a nurse records a visit."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QMessageBox, QWidget

from app.domain.analytes import ANALYTES
from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    TODAY,
    Answers,
    clinic,
    db,
    field,
    focused,
    history,
    make_patient,
    open_form,
    press,
    section,
    tab,
    tab_to,
    template,
    type_text,
    wait_closed,
)


def test_test_surface_object_names_are_present_once(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    assert dialog.objectName() == "visitDialog"
    names = ["visitDate", "vasPain", "saveVisitButton", *(f"lab_{column}" for column in ANALYTES)]
    for name in names:
        assert len(dialog.findChildren(QWidget, name)) == 1, name
    heel = section(dialog, "L-heel")
    for name in ("lengthCm", "widthCm", "depthCm", "closedCheck"):
        assert len(heel.findChildren(QWidget, name)) == 1, name


def test_tab_order_starts_with_what_every_visit_records(qtbot, db, actor, clinic):
    open_form(qtbot, db, actor, clinic)
    order = [focused().objectName()]
    for _ in range(6):
        tab(qtbot)
        order.append(focused().objectName())
    assert order == ["visitDate", "vasPain", "clinician", "lengthCm", "widthCm", "depthCm",
                     "tracedAreaCm2"]


def test_form_is_prefilled_from_the_patients_record(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    find = lambda name: dialog.findChild(QWidget, name)
    assert find("visitDate").date().toString("yyyy-MM-dd") == "2026-11-27"
    assert find("visitDate").text() == "2026-11-27"
    assert find("clinician").text() == actor.username
    assert section(dialog, "L-heel").title() == "L-heel — left heel"  # the site in words too
    assert find("lengthCm").text() == "" and "3.5" in find("lengthCm").placeholderText()
    assert find("measuringMethod").currentData() == "ruler"
    assert find("wagnerGrade").currentData() == 2
    assert "12" in find("lab_crp_mg_l").placeholderText()
    # Product, lot and route of the last exosome dose; the dose itself is measured anew.
    assert find("exosomeProduct").text() == "AD-MSC exosomes"
    assert find("exosomeLot").text() == "EXO-1234"
    assert find("exosomeRoute").currentData() == "perilesional"
    assert find("exosomeDose").text() == ""
    assert find("nextVisitDate").text() == (TODAY + dt.timedelta(days=14)).isoformat()
    assert not dialog.is_dirty()


def test_nurse_records_a_visit_entirely_from_the_keyboard(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    assert focused().objectName() == "visitDate"
    tab(qtbot)
    type_text(qtbot, "4.5")                       # vasPain
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "3.1")
    tab(qtbot)
    type_text(qtbot, "2.2")                       # widthCm
    tab(qtbot)
    type_text(qtbot, "0.4")                       # depthCm
    tab_to(qtbot, "granulationPct")
    for value in ("70", "20", "10", "0"):
        type_text(qtbot, value)
        tab(qtbot)
    assert focused().objectName() == "exudate"
    type_text(qtbot, "Mod")
    tab_to(qtbot, "exosomeGiven")
    press(qtbot, Qt.Key.Key_Space)
    tab_to(qtbot, "exosomeDose")
    type_text(qtbot, "5e9")
    tab(qtbot, 2)
    type_text(qtbot, "1")                          # exosomeVolumeMl
    tab_to(qtbot, "debridement")
    press(qtbot, Qt.Key.Key_Space)
    tab_to(qtbot, "lab_crp_mg_l")
    type_text(qtbot, "2.5")
    tab(qtbot)
    assert focused().objectName() == "unit_crp_mg_l"
    press(qtbot, Qt.Key.Key_Down)                  # mg/L -> mg/dL
    tab_to(qtbot, "lab_abi")
    type_text(qtbot, "0.8")
    assert dialog.findChild(QWidget, "canonical_crp_mg_l").text() == \
        "= 25.0 mg/L · H"  # flagged against 0–10 mg/L as it is typed
    assert dialog.findChild(QWidget, "canonical_crp_mg_l").toolTip() == \
        "above the reference range"
    press(qtbot, Qt.Key.Key_Return)

    wait_closed(qtbot, dialog)
    h = history(db, clinic)
    visit = h.visits[-1]
    assert visit.visit_date == TODAY and visit.id == dialog.saved_visit_id
    assert (visit.vas, visit.clinician) == (4.5, actor.username)
    assert visit.next_visit_date == TODAY + dt.timedelta(days=14)
    crp = visit.labs["crp_mg_l"]
    assert (crp.value, crp.unit, crp.raw_value, crp.raw_unit) == (25.0, "mg/L", 2.5, "mg/dL")
    assert visit.labs["abi"].value == 0.8
    heel = h.episodes[0].assessments[-1]
    assert (heel.site, heel.on, heel.length_cm, heel.width_cm, heel.depth_cm) == (
        "L-heel", TODAY, 3.1, 2.2, 0.4)
    assert (heel.granulation_pct, heel.epithelial_pct, heel.slough_pct, heel.necrotic_pct) == (
        70, 20, 10, 0)
    assert (heel.method, heel.exudate) == ("ruler", "moderate")
    dose = h.exosome_doses[-1]
    assert (dose.on, dose.site, dose.exosome_product, dose.exosome_lot, dose.exosome_route,
            dose.exosome_dose, dose.exosome_volume_ml, dose.debridement) == (
        TODAY, "L-heel", "AD-MSC exosomes", "EXO-1234", "perilesional", 5e9, 1.0, True)


def test_lab_unit_conversion_shows_both_values_and_stores_canonical(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "3")
    tab(qtbot)
    type_text(qtbot, "2")
    tab_to(qtbot, "lab_crp_mg_l")
    type_text(qtbot, "2.5")
    shown = dialog.findChild(QWidget, "canonical_crp_mg_l")
    assert shown.text() == ""                      # canonical unit chosen: nothing to convert
    tab(qtbot)
    type_text(qtbot, "mg/d")                       # choose the unit by typing its name
    assert dialog.findChild(QComboBox, "unit_crp_mg_l").currentText() == "mg/dL"
    assert dialog.findChild(QLineEdit, "lab_crp_mg_l").text() == "2.5"
    assert shown.text() == "= 25.0 mg/L · H"
    tab_to(qtbot, "lab_hba1c_pct")
    type_text(qtbot, "53")
    assert dialog.findChild(QWidget, "canonical_hba1c_pct").text() == "H"  # 53 %, above 4–6.5
    tab(qtbot)
    type_text(qtbot, "mmol")
    assert dialog.findChild(QWidget, "canonical_hba1c_pct").text() == "= 7.0 % · H"
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)

    labs = history(db, clinic).visits[-1].labs
    assert (labs["crp_mg_l"].value, labs["crp_mg_l"].raw_value,
            labs["crp_mg_l"].raw_unit) == (25.0, 2.5, "mg/dL")
    assert labs["hba1c_pct"].value == pytest.approx(0.0915 * 53 + 2.15)
    assert labs["hba1c_pct"].raw_unit == "mmol/mol"


def test_new_ulcer_and_two_ulcers_in_one_visit(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    new = section(dialog, "new")
    assert new.isHidden()                          # behind "Add ulcer site"
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "3")
    tab(qtbot)
    type_text(qtbot, "2")
    tab_to(qtbot, "addUlcerButton")
    press(qtbot, Qt.Key.Key_Space)
    assert not new.isHidden() and focused().objectName() == "newUlcerSite"
    assert new.isAncestorOf(focused())
    type_text(qtbot, "R-heel")
    tab_to(qtbot, "lengthCm")
    assert new.isAncestorOf(focused())
    type_text(qtbot, "1.5")
    tab(qtbot)
    type_text(qtbot, "1")
    tab_to(qtbot, "etiology")
    type_text(qtbot, "Isch")
    tab(qtbot)
    type_text(qtbot, "1")                          # Wagner grade
    press(qtbot, Qt.Key.Key_Return)

    wait_closed(qtbot, dialog)
    h = history(db, clinic)
    sites = {e.site: e for e in h.episodes}
    assert set(sites) == {"L-heel", "R-heel"}
    assert sites["R-heel"].assessments[0].on == TODAY
    assert (sites["R-heel"].etiology, sites["R-heel"].wagner_grade) == ("ischemic", 1)
    assert sites["L-heel"].assessments[-1].length_cm == 3.0
    # The dose box was left unticked: no treatment recorded today.
    assert all(t.on != TODAY for t in h.treatments)


def test_patient_without_ulcers_starts_on_a_new_ulcer(qtbot, db, actor):
    pid = make_patient(db, actor, mrn="T-9", name="No Ulcer Yet")
    dialog = open_form(qtbot, db, actor, pid)
    assert not section(dialog, "new").isHidden()
    # "Add ulcer site" stays for a second new ulcer on a first visit.
    assert not dialog.findChild(QWidget, "addUlcerButton").isHidden()
    tab_to(qtbot, "newUlcerSite")
    type_text(qtbot, "L-hallux")
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "2")
    tab(qtbot)
    type_text(qtbot, "1")
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    assert [e.site for e in history(db, pid).episodes] == ["L-hallux"]


def test_escape_with_changes_asks_first(qtbot, db, actor, clinic, monkeypatch):
    dialog = open_form(qtbot, db, actor, clinic)
    answers = Answers(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(QMessageBox, "question", answers)
    tab(qtbot)
    type_text(qtbot, "3")
    press(qtbot, Qt.Key.Key_Escape)
    assert len(answers.asked) == 1 and "not saved" in answers.asked[0]
    assert "Cancel goes back to the form" in answers.asked[0]  # three buttons, each explained
    assert dialog.isVisible()                      # Cancel: back to the form, typing kept
    assert dialog.findChild(QLineEdit, "vasPain").text() == "3"
    answers.answers.append(QMessageBox.StandardButton.Discard)
    press(qtbot, Qt.Key.Key_Escape)
    assert len(answers.asked) == 2
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.draft_path.exists()
    assert len(history(db, clinic).visits) == 2


def test_escape_without_changes_closes_at_once(qtbot, db, actor, clinic, monkeypatch):
    dialog = open_form(qtbot, db, actor, clinic)
    monkeypatch.setattr(QMessageBox, "question", Answers())  # any question fails the test
    tab_to(qtbot, "lengthCm")
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_adverse_event_perfusion_and_notes_from_the_keyboard(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "3")
    tab(qtbot)
    type_text(qtbot, "2")
    tab_to(qtbot, "aeDescription")
    type_text(qtbot, "Erythema at the injection site")
    tab(qtbot)
    type_text(qtbot, "2")                          # CTCAE grade 2 – moderate
    tab(qtbot)
    type_text(qtbot, "Poss")                       # relatedness: possible
    tab(qtbot)
    type_text(qtbot, "Recovering")
    tab_to(qtbot, "lab_tcpo2_mmhg")
    type_text(qtbot, "35")
    tab(qtbot)
    type_text(qtbot, "Bi")                         # Doppler waveform: biphasic
    tab_to(qtbot, "osteomyelitis")
    type_text(qtbot, "Susp")
    tab_to(qtbot, "nextVisitDate")
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "+7")                         # a week after this visit
    tab(qtbot)
    assert focused().objectName() == "visitNotes"
    type_text(qtbot, "Seen with her daughter.")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Enter is a newline here

    wait_closed(qtbot, dialog)
    h = history(db, clinic)
    visit = h.visits[-1]
    assert visit.next_visit_date == TODAY + dt.timedelta(days=7)
    assert visit.notes == "Seen with her daughter."
    assert visit.labs["tcpo2_mmhg"].value == 35
    assert (visit.perfusion.doppler_waveform, visit.perfusion.osteomyelitis) == ("biphasic",
                                                                                 "suspected")
    event = h.adverse_events[-1]
    assert (event.description, event.ctcae_grade, event.relatedness, event.outcome,
            event.onset_date, event.visit_id) == ("Erythema at the injection site", 2,
                                                  "possible", "recovering", TODAY, visit.id)


def test_adverse_event_needs_its_grade(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "3")
    tab(qtbot)
    type_text(qtbot, "2")
    tab_to(qtbot, "aeDescription")
    type_text(qtbot, "Blister")
    press(qtbot, Qt.Key.Key_Return)
    assert "CTCAE grade must be 1–5" in dialog.message_for("aeGrade")
    assert focused().objectName() == "aeGrade"
    assert dialog.isVisible() and history(db, clinic).adverse_events == ()


def test_staff_may_read_but_not_record(qtbot, db, actor, clinic):
    from app.services.actor import Actor

    dialog = open_form(qtbot, db, Actor("front.desk", "staff"), clinic)
    button = dialog.findChild(QWidget, "saveVisitButton")
    assert not button.isEnabled()
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "3")
    assert "may read visits but not record" in dialog.findChild(QWidget, "formStatus").text()
