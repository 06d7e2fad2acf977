"""Several new ulcers in one visit: "Add ulcer site" works any number of times, also on a
patient's first visit and beside a new ulcer not yet saved; a site can't be added twice; the
visit saves every new ulcer with its assessment at once (docs/product.md, "Visit form")."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QGroupBox, QLineEdit, QMessageBox, QWidget

from app.services.patient_chart import load_patient_chart
from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    TODAY,
    Answers,
    clinic,
    db,
    field,
    focused,
    history,
    make_patient,
    measure_first_ulcer,
    open_form,
    press,
    section,
    tab,
    tab_to,
    template,
    type_size,
    type_text,
    wait_closed,
    wait_idle,
)

SPACE, RETURN = Qt.Key.Key_Space, Qt.Key.Key_Return


def new_sections(dialog) -> list[QGroupBox]:
    """The new ulcers' boxes shown, top to bottom."""
    return [s for s in dialog.view.new_sections() if not s.isHidden()]


def add_site_by_keyboard(qtbot, dialog, site: str, length: str, width: str) -> QGroupBox:
    """Tab to "Add ulcer site", Space, type the site, then its length and width."""
    tab_to(qtbot, "addUlcerButton")
    press(qtbot, SPACE)
    assert focused().objectName() == "newUlcerSite" and focused().text() == ""
    box = new_sections(dialog)[-1]
    assert box.isAncestorOf(focused())
    type_text(qtbot, site)
    type_size(qtbot, length, width)
    assert box.isAncestorOf(focused())
    return box


def first_visit_with_right_heel(qtbot, db, actor):
    """A patient's first visit: the new ulcer's section is open; the right heel typed in."""
    pid = make_patient(db, actor, mrn="T-2", name="Two Ulcers")
    dialog = open_form(qtbot, db, actor, pid)
    tab_to(qtbot, "newUlcerSite")
    type_text(qtbot, "R-heel")
    type_size(qtbot, "2.5", "1.5")
    return pid, dialog


def test_a_first_visit_records_two_new_ulcers_in_one_save(qtbot, db, actor):
    pid, dialog = first_visit_with_right_heel(qtbot, db, actor)
    # The site suggestions from the keyboard: type part of it, Down, Enter picks it.
    tab_to(qtbot, "addUlcerButton")
    press(qtbot, SPACE)
    site = focused()
    type_text(qtbot, "L-hallux-pl")
    popup = site.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, RETURN)
    assert site.text() == "L-hallux-plantar" and dialog.isVisible()   # picked, not saved
    assert section(dialog, "L-hallux-plantar") is new_sections(dialog)[1]
    assert section(dialog, "R-heel") is new_sections(dialog)[0]
    for box in new_sections(dialog):  # the test surface's names in each section
        for name in ("lengthCm", "widthCm", "depthCm", "closedCheck"):
            assert len(box.findChildren(QWidget, name)) == 1, name
    type_size(qtbot, "1.2", "0.8")
    assert section(dialog, "L-hallux-plantar").isAncestorOf(focused())
    tab_to(qtbot, "treatedSite")                           # the big toe was debrided
    type_text(qtbot, "N")                                  # New ulcer 1, then Down
    press(qtbot, Qt.Key.Key_Down)
    assert focused().currentText() == "New ulcer 2"
    tab_to(qtbot, "debridement")
    press(qtbot, SPACE)
    press(qtbot, RETURN)
    wait_closed(qtbot, dialog)

    h = history(db, pid)
    assert len(h.visits) == 1
    sizes = {e.site: [(a.on, a.length_cm, a.width_cm) for a in e.assessments]
             for e in h.episodes}
    assert sizes == {"R-heel": [(TODAY, 2.5, 1.5)], "L-hallux-plantar": [(TODAY, 1.2, 0.8)]}
    assert {a.visit_id for e in h.episodes for a in e.assessments} == {h.visits[0].id}
    assert [(t.site, t.debridement) for t in h.treatments] == [("L-hallux-plantar", True)]
    assert_chart_shows(qtbot, db, pid, ["R-heel", "L-hallux-plantar"])


def assert_chart_shows(qtbot, db, pid: int, sites: list[str]) -> None:
    """The patient's chart: one area curve per ulcer, and a column per ulcer in Visits."""
    from app.ui.chart.tabs import PatientChartTabs

    with db.read() as session:
        chart = load_patient_chart(session, pid, today=TODAY)
    tabs = PatientChartTabs()
    qtbot.addWidget(tabs)
    tabs.show()
    tabs.show_chart(chart)
    tabs.fill_all()
    tabs.setCurrentWidget(tabs.healing_page)
    assert sorted(tabs.healing_chart.legend_entries[:2]) == sorted(sites)
    model = tabs.visit_model
    headers = " ".join(str(model.headerData(c, Qt.Orientation.Horizontal))
                       for c in range(model.columnCount()))
    assert model.rowCount() == 1 and all(site in headers for site in sites), headers


def test_the_same_site_twice_is_refused_at_its_field_and_nothing_is_saved(qtbot, db, actor):
    pid, dialog = first_visit_with_right_heel(qtbot, db, actor)
    second = add_site_by_keyboard(qtbot, dialog, "r-heel", "1", "1")   # letter case aside
    site = second.findChild(QLineEdit, "newUlcerSite")
    message = "R-heel is already added above: one section per site"
    assert site.property("feedback") == "error"
    assert dialog.message_for("newUlcerSite") == "" and dialog.view.new_sections()[1].slots[
        "ulcer_site"].text == message                      # at the second site, not the first
    press(qtbot, RETURN)
    wait_idle(qtbot, dialog)
    assert dialog.isVisible() and focused() is site
    assert len(history(db, pid).visits) == 0 and not history(db, pid).episodes  # nothing
    site.selectAll()
    type_text(qtbot, "L-heel")                             # corrected: both saved
    assert dialog.view.new_sections()[1].slots["ulcer_site"].text == ""
    press(qtbot, RETURN)
    wait_closed(qtbot, dialog)
    assert sorted(e.site for e in history(db, pid).episodes) == ["L-heel", "R-heel"]


def test_a_new_ulcer_at_an_open_ulcers_site_points_to_its_section(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    add_site_by_keyboard(qtbot, dialog, "L-heel", "3", "2")
    site = new_sections(dialog)[0].findChild(QLineEdit, "newUlcerSite")
    slot = dialog.view.new_section.slots["ulcer_site"]
    assert slot.text == "L-heel already has its own section above: measure it there"
    assert site.property("feedback") == "error"
    message = slot.message  # read whole on screen, not cut at its reserved height
    assert message.isVisible() and message.heightForWidth(message.width()) <= message.height()
    press(qtbot, RETURN)
    wait_idle(qtbot, dialog)
    assert dialog.isVisible() and len(history(db, clinic).visits) == 2
    heel = history(db, clinic).episodes[0]
    assert (heel.site, len(heel.assessments)) == ("L-heel", 2)


def test_add_ulcer_site_beside_an_unsaved_new_ulcer_then_remove_one(qtbot, db, actor, clinic):
    """On a visit with an open ulcer: two new ulcers added, the second removed with the
    keyboard; the heel and the first new ulcer are saved."""
    dialog = open_form(qtbot, db, actor, clinic)
    measure_first_ulcer(qtbot)
    add_site_by_keyboard(qtbot, dialog, "R-MTH1-plantar", "1", "1")
    second = add_site_by_keyboard(qtbot, dialog, "L-dorsum", "0.5", "0.5")
    assert [s.title() for s in new_sections(dialog)] == ["New ulcer site", "New ulcer site 2"]
    assert dialog.is_dirty()
    tab_to(qtbot, "removeUlcerButton")
    assert second.isAncestorOf(focused())
    press(qtbot, SPACE)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert [s.objectName() for s in new_sections(dialog)] == ["ulcer_R-MTH1-plantar"]
    assert dialog.findChild(QWidget, "ulcer_L-dorsum") is None
    assert focused().objectName() == "addUlcerButton"
    tab(qtbot)                                             # on to the treatment, then Save
    assert focused().objectName() == "exosomeGiven"
    press(qtbot, RETURN, Qt.KeyboardModifier.ControlModifier)
    wait_closed(qtbot, dialog)
    today = sorted(e.site for e in history(db, clinic).episodes
                   if e.assessments and e.assessments[-1].on == TODAY)
    assert today == ["L-heel", "R-MTH1-plantar"]


def test_removing_the_first_new_ulcer_empties_and_hides_it(qtbot, db, actor, clinic):
    dialog = open_form(qtbot, db, actor, clinic)
    first = add_site_by_keyboard(qtbot, dialog, "R-heel", "1", "1")
    assert dialog.is_dirty()
    qtbot.mouseClick(first.findChild(QWidget, "removeUlcerButton"), Qt.MouseButton.LeftButton)
    assert first.isHidden() and not dialog.is_dirty()      # as the form opened
    press(qtbot, SPACE)                                    # the focus is on "Add ulcer site"
    assert not first.isHidden() and first.findChild(QLineEdit, "newUlcerSite").text() == ""


def test_removing_the_first_of_two_new_ulcers_keeps_the_second_as_the_first(qtbot, db, actor):
    pid, dialog = first_visit_with_right_heel(qtbot, db, actor)
    first = new_sections(dialog)[0]
    add_site_by_keyboard(qtbot, dialog, "L-heel", "1", "0.5")
    qtbot.mouseClick(first.findChild(QWidget, "removeUlcerButton"), Qt.MouseButton.LeftButton)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    (left,) = new_sections(dialog)
    assert (left.objectName(), left.title()) == ("ulcer_L-heel", "New ulcer site")
    assert dialog.state().fields()["new:ulcer_site"] == "L-heel"   # its draft key follows
    assert "new2:ulcer_site" not in dialog.state().fields()
    press(qtbot, RETURN)
    wait_closed(qtbot, dialog)
    assert [(e.site, e.assessments[0].width_cm) for e in history(db, pid).episodes] == [
        ("L-heel", 0.5)]


def test_tab_runs_through_each_new_ulcer_then_add_ulcer_site(qtbot, db, actor):
    _, dialog = first_visit_with_right_heel(qtbot, db, actor)
    add_site_by_keyboard(qtbot, dialog, "L-heel", "1", "1")
    boxes = new_sections(dialog)
    tab_to(qtbot, "utStage")
    assert boxes[1].isAncestorOf(focused())
    tab(qtbot)
    assert focused().objectName() == "removeUlcerButton" and boxes[1].isAncestorOf(focused())
    tab(qtbot)
    assert focused().objectName() == "addUlcerButton"
    press(qtbot, Qt.Key.Key_Backtab)
    press(qtbot, Qt.Key.Key_Backtab)
    assert focused().objectName() == "utStage" and boxes[1].isAncestorOf(focused())
    tab_to(qtbot, "visitNotes")
    tab(qtbot)
    assert focused().objectName() == "cancelButton"        # the footer still ends the chain
    tab(qtbot)
    assert focused().objectName() == "saveVisitButton"


def test_a_draft_keeps_every_new_ulcer(qtbot, db, actor, clinic, monkeypatch):
    from app.services.drafts import read_draft

    yes = QMessageBox.StandardButton.Yes
    answers = Answers(QMessageBox.StandardButton.Close, yes, yes)  # keep, restore, heel unmeasured
    monkeypatch.setattr(QMessageBox, "question", answers)
    first = open_form(qtbot, db, actor, clinic)
    add_site_by_keyboard(qtbot, first, "R-heel", "1.1", "1")
    add_site_by_keyboard(qtbot, first, "L-dorsum", "0.7", "0.4")
    press(qtbot, Qt.Key.Key_Escape)                        # "Close" keeps the draft
    draft = read_draft(first.draft_path)
    assert (draft.fields["new:ulcer_site"], draft.fields["new2:ulcer_site"]) == ("R-heel",
                                                                               "L-dorsum")
    again = open_form(qtbot, db, actor, clinic)            # "Restore it?" Yes
    assert [s.objectName() for s in new_sections(again)] == ["ulcer_R-heel", "ulcer_L-dorsum"]
    assert field(again, "lengthCm", "L-dorsum").text() == "0.7"
    assert field(again, "widthCm", "R-heel").text() == "1"
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_closed(qtbot, again)
    assert "L-heel" in answers.asked[-1]
    today = sorted(e.site for e in history(db, clinic).episodes
                   if e.assessments and e.assessments[-1].on == TODAY)
    assert today == ["L-dorsum", "R-heel"]
