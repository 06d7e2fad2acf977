"""A new ulcer typed at a healed ulcer's site in other letter case ("r-heel" for the healed
"R-heel"): the form has no section for a healed ulcer, so the visit service refuses it
(app.domain.limits.site_clashes) and the form shows why at the site field; nothing is saved,
and the stored spelling saves as a recurrence of the same ulcer."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from app.services.visit_input import AssessmentInput, VisitInput
from app.services.visits import save_visit
from tests.ui.visit_form_support import (  # noqa: F401 (fixtures)
    TODAY,
    db,
    focused,
    history,
    make_patient,
    open_form,
    press,
    retype,
    tab_to,
    template,
    type_size,
    type_text,
    wait_closed,
    wait_idle,
)


def healed_right_heel(db, actor) -> int:
    pid = make_patient(db, actor, mrn="H-1", name="Healed Heel")
    for day, size in ((dt.date(2026, 9, 1), 2.0), (dt.date(2026, 10, 1), 0.0)):
        with db.write() as session:
            save_visit(session, VisitInput(patient_id=pid, visit_date=day, assessments=(
                AssessmentInput("R-heel", size, size, closed=not size),)),
                       actor=actor, today=TODAY)
    return pid


def test_a_healed_sites_other_spelling_is_refused_at_the_site_field(qtbot, db, actor):
    pid = healed_right_heel(db, actor)
    dialog = open_form(qtbot, db, actor, pid)
    tab_to(qtbot, "newUlcerSite")
    site = focused()
    type_text(qtbot, "r-heel")
    type_size(qtbot, "1.5", "1.0")
    press(qtbot, Qt.Key.Key_Return)
    wait_idle(qtbot, dialog)
    box = dialog.view.new_sections()[0]
    assert dialog.isVisible() and isinstance(site, QLineEdit)
    assert box.slots["ulcer_site"].text == (
        "Enter this site as R-heel, the ulcer already on record (r-heel is the same site: "
        "one ulcer per site, whatever the letter case or spacing)")
    assert site.property("feedback") == "error"
    dialog.grab().save("/tmp/visit_form_healed_site.png")
    assert len(history(db, pid).visits) == 2  # nothing saved
    site.setFocus()
    retype(qtbot, "R-heel")
    press(qtbot, Qt.Key.Key_Return)
    wait_closed(qtbot, dialog)
    episodes = history(db, pid).episodes
    assert [(e.site, e.episode_no) for e in episodes] == [("R-heel", 1), ("R-heel", 2)]
