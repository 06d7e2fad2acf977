"""A small clinic for the visit-form tests, and keyboard helpers that act as a nurse would."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app.services.history import load_history
from app.services.patients import PatientInput, create_patient
from app.services.visit_input import AssessmentInput, LabInput, TreatmentInput, VisitInput
from app.services.visits import save_visit

TODAY = dt.date(2026, 11, 27)
EARLIER = dt.date(2026, 10, 30)
LAST = dt.date(2026, 11, 13)


def make_patient(db, actor, *, mrn: str = "T-1", name: str = "Zoë Test") -> int:
    with db.write() as session:
        return create_patient(session, PatientInput(mrn=mrn, name=name,
                                                    birth_date=dt.date(1960, 5, 1),
                                                    arm="exosome"),
                              actor=actor, today=TODAY).id


def make_clinic(db, actor, *, second_ulcer: bool = False) -> int:
    """A patient with an open L-heel ulcer seen twice, the first time with an exosome dose."""
    pid = make_patient(db, actor)
    heel = dict(site="L-heel", etiology="neuropathic", wagner_grade=2)
    first = [AssessmentInput(length_cm=4.0, width_cm=3.0, depth_cm=0.5, method="ruler", **heel)]
    last = [AssessmentInput(length_cm=3.5, width_cm=2.5, depth_cm=0.4, method="ruler",
                            site="L-heel")]
    if second_ulcer:
        first.append(AssessmentInput(site="R-hallux", length_cm=2.0, width_cm=1.0))
        last.append(AssessmentInput(site="R-hallux", length_cm=1.8, width_cm=1.0))
    dose = TreatmentInput(site="L-heel", exosome_product="AD-MSC exosomes",
                          exosome_source="adipose", exosome_lot="EXO-1234", exosome_dose=5e9,
                          exosome_dose_unit="particles", exosome_volume_ml=1.0,
                          exosome_route="perilesional", dressing="foam")
    with db.write() as session:
        save_visit(session, VisitInput(patient_id=pid, visit_date=EARLIER, vas=6.0,
                                       assessments=tuple(first),
                                       labs=(LabInput("crp_mg_l", 12.0),),
                                       treatments=(dose,)),
                   actor=actor, today=TODAY)
    with db.write() as session:
        save_visit(session, VisitInput(patient_id=pid, visit_date=LAST, vas=5.0,
                                       assessments=tuple(last), clinician="nurse.old"),
                   actor=actor, today=TODAY)
    return pid


def copy_of_clinic(template: Path, tmp_path: Path):
    """A fresh database copied from a clinic made once (faster than migrating every time)."""
    from app.db import Database

    copy = tmp_path / "clinic.db"
    shutil.copyfile(template, copy)
    return Database.open(f"sqlite:///{copy}")


def make_clinic_template(directory: Path, *, second_ulcer: bool = False) -> tuple[Path, int]:
    from app.db import Database
    from app.services.actor import Actor

    path = directory / "clinic.db"
    db = Database.open(f"sqlite:///{path}")
    pid = make_clinic(db, Actor("nurse.test", "nurse"), second_ulcer=second_ulcer)
    db.dispose()  # the last connection checkpoints the WAL into the file
    return path, pid


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The small clinic of make_clinic, made once per test module."""
    return make_clinic_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def db(template, tmp_path):
    """Overrides the conftest `db`: a copy of the template clinic for each test."""
    database = copy_of_clinic(template[0], tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def clinic(template, db) -> int:
    """The template patient's id (an open L-heel ulcer seen twice, one exosome dose)."""
    return template[1]


@pytest.fixture
def dialog(qtbot, db, actor, clinic):
    """The visit form of the template patient, open and built: a new visit on TODAY."""
    return open_form(qtbot, db, actor, clinic)


def history(db, pid):
    with db.read() as session:
        return load_history(session, pid)


def open_form(qtbot, db, actor, pid, visit_id=None, *, today=TODAY):
    """The visit form on its own database runner, as the window opens it; returns once its
    context has been read and its fields are built."""
    from app.ui.dbops import DatabaseRunner
    from app.ui.visit.form import VisitDialog

    runner = DatabaseRunner(db)
    dialog = VisitDialog(runner=runner, actor=actor, patient_id=pid, visit_id=visit_id,
                         today=today)
    runner.setParent(dialog)

    def close(d) -> None:  # at teardown: no "not saved" question, no op left running
        d.done(QDialog.DialogCode.Rejected)
        runner.wait()

    qtbot.addWidget(dialog, before_close_func=close)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.ready, timeout=10_000)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return dialog


def wait_closed(qtbot, dialog, result=QDialog.DialogCode.Accepted) -> None:
    """Wait for the save on the runner to be written and the form to close with `result`."""
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert dialog.result() == result


def wait_idle(qtbot, dialog) -> None:
    """Wait until the form's runner has delivered every result (a refused save, a read)."""
    qtbot.waitUntil(lambda: dialog.runner.idle(), timeout=10_000)


def section(dialog, site: str) -> QWidget:
    """The container of one ulcer's fields (`ulcer_<site>`, the site as recorded)."""
    box = dialog.findChild(QWidget, f"ulcer_{site}")
    assert box is not None, f"no section for {site}"
    return box


def field(dialog, name: str, site: str | None = None) -> QWidget:
    """A field by object name; in the section of `site` when given."""
    parent = section(dialog, site) if site is not None else dialog
    widget = parent.findChild(QWidget, name)
    assert widget is not None, name
    return widget


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def type_text(qtbot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def press(qtbot, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifier)


def tab(qtbot, times: int = 1) -> None:
    for _ in range(times):
        press(qtbot, Qt.Key.Key_Tab)


def tab_to(qtbot, object_name: str, limit: int = 150) -> int:
    """Press Tab until the named field has the focus; the number of presses it took."""
    seen = []
    for presses in range(limit):
        if focused().objectName() == object_name:
            return presses
        seen.append(f"{focused().objectName()}@{focused().window().objectName()}")
        tab(qtbot)
    raise AssertionError(f"{object_name} cannot be reached with Tab: {seen[:40]}")


def type_size(qtbot, length: str, width: str | None = None) -> None:
    """Tab on to the next Length field and type `length`, then Tab and `width` when given."""
    tab_to(qtbot, "lengthCm")
    type_text(qtbot, length)
    if width is not None:
        tab(qtbot)
        type_text(qtbot, width)


def measure_first_ulcer(qtbot) -> None:
    """What makes an otherwise empty new visit valid: the first ulcer measured, 3 × 2 cm."""
    type_size(qtbot, "3", "2")


def retype(qtbot, text: str) -> None:
    """Replace the focused field's text, as a nurse would with Ctrl+A and typing."""
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Delete)
    if text:
        type_text(qtbot, text)


class Answers:
    """Stands in for QMessageBox.question: records each question and gives a set answer."""

    def __init__(self, *answers: QMessageBox.StandardButton):
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, parent, title, text, *args, **kwargs):
        self.asked.append(f"{title}: {text}")
        assert self.answers, f"unexpected question: {title}: {text}"
        return self.answers.pop(0)
