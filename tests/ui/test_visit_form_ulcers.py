"""One visit, every ulcer: each open ulcer has its own section, a new site can be added, an
unmeasured ulcer is asked about, and the same day's visit is reopened instead of refused."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLineEdit, QMessageBox, QWidget

from app.services.summary import patient_summary
from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import save_visit
from tests.ui.visit_form_support import (
    LAST,
    TODAY,
    Answers,
    copy_of_clinic,
    field,
    focused,
    history,
    make_clinic_template,
    open_form,
    press,
    retype,
    section,
    tab,
    tab_to,
    type_text,
    wait_closed,
    wait_idle,
)

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """An open L-heel and an open R-hallux ulcer, both seen on EARLIER and LAST."""
    return make_clinic_template(tmp_path_factory.mktemp("two_ulcers"), second_ulcer=True)


@pytest.fixture
def db(template, tmp_path):
    database = copy_of_clinic(template[0], tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def clinic(template, db) -> int:
    return template[1]


def measure(qtbot, dialog, site: str, length: str, width: str) -> None:
    """Type one ulcer's length and width in its own section."""
    editor = field(dialog, "lengthCm", site)
    dialog.view.focus_on(editor)
    retype(qtbot, length)
    tab(qtbot)
    assert focused() is field(dialog, "widthCm", site)
    retype(qtbot, width)


def test_every_open_ulcer_has_its_own_section_with_the_test_surface_names(qtbot, db, actor,
                                                                           clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    shown = [box.objectName() for box in dialog.findChildren(QGroupBox)
             if box.objectName().startswith("ulcer_") and not box.isHidden()]
    assert shown == ["ulcer_L-heel", "ulcer_R-hallux"]
    for site in ("L-heel", "R-hallux"):
        box = section(dialog, site)
        for name in ("lengthCm", "widthCm", "depthCm", "closedCheck", "granulationPct"):
            assert len(box.findChildren(QWidget, name)) == 1, (site, name)
    assert "last 1.8" in field(dialog, "lengthCm", "R-hallux").placeholderText()
    assert "last 3.5" in field(dialog, "lengthCm", "L-heel").placeholderText()
    # Tab goes from the heel's fields on into the hallux's.
    tab_to(qtbot, "utStage")
    assert section(dialog, "L-heel").isAncestorOf(focused())
    tab(qtbot)
    assert focused() is field(dialog, "lengthCm", "R-hallux")


def test_a_visit_with_two_ulcers_measured_shows_both_in_the_summary(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    measure(qtbot, dialog, "L-heel", "3.2", "2.1")
    measure(qtbot, dialog, "R-hallux", "1.6", "0.9")
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)

    h = history(db, clinic)
    assert len(h.visits) == 3 and h.visits[-1].visit_date == TODAY
    with db.read() as session:  # what `summary --json` prints
        summary = json.loads(json.dumps(patient_summary(session, "T-1")))
    ulcers = {u["site"]: u for u in summary["ulcers"]}
    assert set(ulcers) == {"L-heel", "R-hallux"}
    assert ulcers["L-heel"]["latest_date"] == ulcers["R-hallux"]["latest_date"] == "2026-11-27"
    assert (ulcers["L-heel"]["assessments"], ulcers["R-hallux"]["assessments"]) == (3, 3)
    sites = {e.site: e.assessments[-1] for e in h.episodes}
    for site in ("L-heel", "R-hallux"):
        assert ulcers[site]["latest_area_cm2"] == pytest.approx(sites[site].area_cm2)
    assert (sites["L-heel"].length_cm, sites["L-heel"].width_cm) == (3.2, 2.1)
    assert (sites["R-hallux"].length_cm, sites["R-hallux"].width_cm) == (1.6, 0.9)


def test_an_open_ulcer_left_unmeasured_is_asked_about_once(qtbot, db, actor, clinic,
                                                           monkeypatch):
    answers = Answers(NO)
    monkeypatch.setattr(QMessageBox, "question", answers)
    dialog = open_form(qtbot, db, actor, clinic)
    measure(qtbot, dialog, "L-heel", "3.2", "2.1")
    press(qtbot, Qt.Key.Key_Return)
    assert len(answers.asked) == 1 and "R-hallux" in answers.asked[0]
    assert "L-heel" not in answers.asked[0]
    wait_idle(qtbot, dialog)
    assert dialog.isVisible() and len(history(db, clinic).visits) == 2   # No: back to the form
    answers.answers.append(YES)
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    h = history(db, clinic)
    assert len(h.visits) == 3
    assert {e.site for e in h.episodes if e.assessments[-1].on == TODAY} == {"L-heel"}
    hallux = next(e for e in h.episodes if e.site == "R-hallux")
    assert hallux.assessments[-1].on == LAST                          # not measured today


def test_returning_the_same_day_opens_that_visit_for_editing(qtbot, db, actor, clinic):
    with db.write() as session:                    # the morning's visit
        morning = save_visit(session, VisitInput(
            patient_id=clinic, visit_date=TODAY, vas=4.0,
            assessments=(AssessmentInput("L-heel", 3.0, 2.0),
                         AssessmentInput("R-hallux", 1.7, 1.0))),
            actor=actor, today=TODAY).id
    dialog = open_form(qtbot, db, actor, clinic)
    assert dialog.visit_id == morning
    assert "already recorded" in dialog.findChild(QWidget, "formStatus").text()
    assert "Edit visit" in dialog.windowTitle()
    assert dialog.findChild(QLineEdit, "visitDate").text() == TODAY.isoformat()
    assert field(dialog, "lengthCm", "L-heel").text() == "3"
    assert field(dialog, "vasPain").text() == "4"
    measure(qtbot, dialog, "R-hallux", "1.5", "1")  # the afternoon's re-measurement
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)

    h = history(db, clinic)
    assert len(h.visits) == 3 and h.visits[-1].id == morning      # edited, not refused
    sites = {e.site: e.assessments[-1] for e in h.episodes}
    assert (sites["R-hallux"].on, sites["R-hallux"].length_cm) == (TODAY, 1.5)
    assert sites["L-heel"].length_cm == 3.0


def test_add_ulcer_site_records_a_third_ulcer_with_the_other_two(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    measure(qtbot, dialog, "L-heel", "3", "2")
    measure(qtbot, dialog, "R-hallux", "1.5", "1")
    qtbot.mouseClick(dialog.findChild(QWidget, "addUlcerButton"), Qt.MouseButton.LeftButton)
    assert focused().objectName() == "newUlcerSite"
    type_text(qtbot, "L-hallux")
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, "0.8")
    tab(qtbot)
    type_text(qtbot, "0.5")
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    today = {e.site for e in history(db, clinic).episodes
             if e.assessments and e.assessments[-1].on == TODAY}
    assert today == {"L-heel", "R-hallux", "L-hallux"}


def test_an_edited_treatment_keeps_the_ulcer_it_treated(qtbot, db, actor, clinic):
    from PySide6.QtWidgets import QComboBox

    from app.services.visit_input import TreatmentInput

    with db.write() as session:
        save_visit(session, VisitInput(
            patient_id=clinic, visit_date=TODAY,
            assessments=(AssessmentInput("L-heel", 3.0, 2.0),
                         AssessmentInput("R-hallux", 1.7, 1.0)),
            treatments=(TreatmentInput(site="R-hallux", debridement=True),)),
            actor=actor, today=TODAY)
    dialog = open_form(qtbot, db, actor, clinic)
    assert dialog.findChild(QComboBox, "treatedSite").currentData() == "R-hallux"
    assert dialog.findChild(QWidget, "debridement").isChecked()
