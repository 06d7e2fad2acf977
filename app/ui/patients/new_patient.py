"""The New patient dialog: validated by the patient service, errors shown at each field.

Nothing typed is ever cleared or altered by a failed save: a birth date is read exactly
(app.domain.typed_input; "2031-02-30" says February 2031 has 28 days), numbers by the one
shared parser. Each error sits on the line reserved under its own field, in the words of the
field's label ("MRN is required"), so the form never jumps. A duplicate MRN (after trimming,
NFKC and case-folding) names the patient who already has it. The patient is written on the
window's database runner (`runner.write`), which announces the new patient.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.domain.limits import TEXT_LIMITS, Finding
from app.domain.typed_input import parse_decimal, parse_iso_date
from app.models.vocab import ARM_LABELS, ARMS, DIABETES_TYPES
from app.services.actor import Actor
from app.services.changes import Changes
from app.services.errors import UserError, ValidationFailed
from app.services.patients import PatientInput, create_patient, validate_patient
from app.ui.visit.fields import hold_height, message_line, with_caption
from app.ui.widgets.form_combo import FormComboBox

ERROR_STYLE = "border: 1px solid #b3261e;"


class NewPatientDialog(QDialog):
    """Enter a patient's details; Save creates the patient in one write transaction on the
    window's runner. Without a runner (older callers) the dialog makes its own and waits for
    the save to finish."""

    def __init__(self, *, actor: Actor, runner=None, db: Database | None = None,
                 today: dt.date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        from app.ui.dbops import DatabaseRunner

        self.setObjectName("newPatientDialog")
        self.setWindowTitle(self.tr("New patient"))
        self._own_runner = runner is None
        self.runner = runner if runner is not None else DatabaseRunner(db, parent=self)
        self.db, self.actor = self.runner.db, actor
        self.today = today or dt.date.today()
        self.created_patient_id: int | None = None
        self.errors: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}
        self.captions: dict[str, str] = {}
        self._build_fields()
        form = self._build_form()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("savePatientButton")
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.general_error = QLabel()
        self.general_error.setObjectName("patientFormError")
        self.general_error.setStyleSheet("color: #b3261e;")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    # -- building -----------------------------------------------------------------------
    def _build_fields(self) -> None:
        self.mrn = self._line("mrn", "mrnEdit", TEXT_LIMITS["mrn"])
        self.name = self._line("name", "nameEdit", TEXT_LIMITS["name"])
        self.birth_date = self._line("birth_date", "birthDateEdit", 10)
        self.birth_date.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.sex = self._combo("sex", "sexSelect", [("", self.tr("not recorded")),
                                                    ("F", self.tr("female")),
                                                    ("M", self.tr("male")),
                                                    ("X", self.tr("other"))])
        self.diabetes_type = self._combo(
            "diabetes_type", "diabetesTypeSelect",
            [("", self.tr("not recorded"))] + [(t, self.tr("type {0}").format(t) if t != "other"
                                                else self.tr("other")) for t in DIABETES_TYPES])
        self.duration = self._line("diabetes_duration_years", "diabetesDurationEdit", 8)
        self.duration.setPlaceholderText(self.tr("years"))
        self.hba1c = self._line("hba1c_enrolment_pct", "hba1cEdit", 8)
        self.hba1c.setPlaceholderText("%")
        self.arm = self._combo("arm", "armSelect", [("", self.tr("not assigned"))] +
                               [(a, self.tr(ARM_LABELS[a])) for a in ARMS])
        self.comorbidities = {key: QCheckBox(label) for key, label in (
            ("pad", self.tr("peripheral arterial disease")), ("neuropathy", self.tr("neuropathy")),
            ("smoking", self.tr("smoking")), ("ckd", self.tr("chronic kidney disease")))}
        self.contact = self._line("contact", "contactEdit", TEXT_LIMITS["contact"])
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notesEdit")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(60)
        self.fields["notes"] = self.notes

    def _build_form(self) -> QFormLayout:
        """Each field with its caption, and its reserved message line under it."""
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, key, widget in (
                (self.tr("MRN *"), "mrn", self.mrn), (self.tr("Name *"), "name", self.name),
                (self.tr("Birth date"), "birth_date", self.birth_date),
                (self.tr("Sex"), "sex", self.sex),
                (self.tr("Diabetes"), "diabetes_type", self.diabetes_type),
                (self.tr("Diabetes for (years)"), "diabetes_duration_years", self.duration),
                (self.tr("HbA1c at enrolment (%)"), "hba1c_enrolment_pct", self.hba1c),
                (self.tr("Treatment arm"), "arm", self.arm)):
            self.captions[key] = label
            form.addRow(label, self._with_error(key, widget))
        boxes = QWidget()
        box_layout = QVBoxLayout(boxes)
        box_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.comorbidities.values():
            box_layout.addWidget(box)
        form.addRow(self.tr("Comorbidities"), boxes)
        for key, label, widget in (("contact", self.tr("Contact"), self.contact),
                                   ("notes", self.tr("Notes"), self.notes)):
            self.captions[key] = label
            form.addRow(label, self._with_error(key, widget))
        return form

    def _line(self, key: str, name: str, max_length: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setMaxLength(max_length + 1)  # one over, so the limit is reported, not truncated
        edit.textEdited.connect(lambda _text, k=key: self._clear_error(k))
        hold_height(edit)
        self.fields[key] = edit
        return edit

    def _combo(self, key: str, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = FormComboBox()  # the wheel never changes a value the user did not pick
        combo.setObjectName(name)
        for value, label in items:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _i, k=key: self._clear_error(k))
        hold_height(combo)
        self.fields[key] = combo
        return combo

    def _with_error(self, key: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(widget)
        error = message_line(1)  # reserved: an error never pushes the fields below down
        error.setObjectName(f"{key}Error")
        error.setStyleSheet("color: #b3261e;")
        layout.addWidget(error)
        self.errors[key] = error
        return box

    # -- errors -------------------------------------------------------------------------
    def show_findings(self, findings: list[Finding]) -> None:
        first: QWidget | None = None
        for finding in findings:
            if not finding.is_error:
                continue
            label = self.errors.get(finding.field)
            if label is None:
                self.general_error.setText(with_caption(finding.message, finding.field, ""))
                self.general_error.show()
                continue
            text = with_caption(finding.message, finding.field, self.captions[finding.field])
            label.setText(text)
            label.setToolTip(text)
            self.fields[finding.field].setStyleSheet(ERROR_STYLE)
            first = first or self.fields[finding.field]
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_error(self, key: str) -> None:
        if key in self.errors and self.errors[key].text():
            self.errors[key].clear()
            self.errors[key].setToolTip("")
            self.fields[key].setStyleSheet("")

    def error_text(self, key: str) -> str:
        return self.errors[key].text()

    # -- reading ------------------------------------------------------------------------
    def _number(self, key: str, edit: QLineEdit, findings: list[Finding]) -> float | None:
        value, problem = parse_decimal(edit.text())
        if problem:
            findings.append(Finding(key, self.tr(problem)))
        return value

    def read_input(self) -> tuple[PatientInput | None, list[Finding]]:
        """What was typed as a PatientInput, or the findings that stop it from being one."""
        findings: list[Finding] = []
        birth, problem = parse_iso_date(self.birth_date.text())
        if problem:
            findings.append(Finding("birth_date", self.tr(problem)))
        duration = self._number("diabetes_duration_years", self.duration, findings)
        hba1c = self._number("hba1c_enrolment_pct", self.hba1c, findings)
        data = PatientInput(
            mrn=self.mrn.text(), name=self.name.text(), birth_date=birth,
            sex=self.sex.currentData() or None, diabetes_type=self.diabetes_type.currentData()
            or None, diabetes_duration_years=duration, hba1c_enrolment_pct=hba1c,
            contact=self.contact.text().strip() or None,
            notes=self.notes.toPlainText().strip() or None, arm=self.arm.currentData() or None,
            **{key: box.isChecked() for key, box in self.comorbidities.items()})
        findings += validate_patient(data, today=self.today)
        return (None if any(f.is_error for f in findings) else data), findings

    # -- saving -------------------------------------------------------------------------
    def save(self) -> None:
        """Validate, then create the patient; on any error keep everything typed."""
        for key in self.errors:
            self._clear_error(key)
        self.general_error.hide()
        data, findings = self.read_input()
        if data is None:
            self.show_findings(findings)
            return
        self.save_button.setEnabled(False)
        self.runner.write(lambda session: create_patient(session, data, actor=self.actor,
                                                         today=self.today).id,
                          changes=lambda patient_id: Changes.of(patients=[patient_id]),
                          on_done=self._saved, on_error=self._failed, parent=self)
        if self._own_runner:  # no window: wait here for the one write
            self.runner.wait()
            QCoreApplication.sendPostedEvents(None, 0)

    def _saved(self, patient_id: int) -> None:
        self.save_button.setEnabled(True)
        self.created_patient_id = patient_id
        self.accept()

    def _failed(self, exc: Exception) -> None:
        """Say why at the fields or under the form; keep everything typed."""
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            self.show_findings(exc.findings)
            return
        if isinstance(exc, UserError):
            self.general_error.setText(str(exc))
        else:  # disk full, database locked...: say so
            self.general_error.setText(self.tr("The patient could not be saved: {0}").format(
                str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__))
        self.general_error.show()
