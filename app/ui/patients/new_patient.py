"""The New patient dialog: validated by the patient service, errors shown at each field.

Nothing typed is ever cleared by a failed save; a duplicate MRN (after trimming, NFKC and
case-folding) names the patient who already has it.
"""
from __future__ import annotations

import datetime as dt
import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout,
                               QWidget)

from app.db import Database
from app.domain.limits import TEXT_LIMITS, Finding
from app.models.vocab import ARM_LABELS, ARMS, DIABETES_TYPES
from app.services.actor import Actor
from app.services.errors import UserError, ValidationFailed
from app.services.patients import PatientInput, create_patient, validate_patient

ERROR_STYLE = "border: 1px solid #b3261e;"


class NewPatientDialog(QDialog):
    """Enter a patient's details; Save creates the patient in one transaction."""

    def __init__(self, *, db: Database, actor: Actor, today: dt.date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("newPatientDialog")
        self.setWindowTitle(self.tr("New patient"))
        self.db, self.actor = db, actor
        self.today = today or dt.date.today()
        self.created_patient_id: int | None = None
        self.errors: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}

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
            form.addRow(label, self._with_error(key, widget))
        boxes = QWidget()
        box_layout = QVBoxLayout(boxes)
        box_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.comorbidities.values():
            box_layout.addWidget(box)
        form.addRow(self.tr("Comorbidities"), boxes)
        form.addRow(self.tr("Contact"), self._with_error("contact", self.contact))
        form.addRow(self.tr("Notes"), self._with_error("notes", self.notes))

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
    def _line(self, key: str, name: str, max_length: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setMaxLength(max_length + 1)  # one over, so the limit is reported, not truncated
        edit.textEdited.connect(lambda _text, k=key: self._clear_error(k))
        self.fields[key] = edit
        return edit

    def _combo(self, key: str, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        for value, label in items:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _i, k=key: self._clear_error(k))
        self.fields[key] = combo
        return combo

    def _with_error(self, key: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(widget)
        error = QLabel()
        error.setObjectName(f"{key}Error")
        error.setStyleSheet("color: #b3261e;")
        error.setWordWrap(True)
        error.hide()
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
                self.general_error.setText(f"{finding.field}: {finding.message}")
                self.general_error.show()
                continue
            label.setText(finding.message)
            label.show()
            self.fields[finding.field].setStyleSheet(ERROR_STYLE)
            first = first or self.fields[finding.field]
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_error(self, key: str) -> None:
        if key in self.errors and self.errors[key].isVisible():
            self.errors[key].hide()
            self.fields[key].setStyleSheet("")

    def error_text(self, key: str) -> str:
        label = self.errors[key]
        return label.text() if not label.isHidden() else ""

    # -- reading ------------------------------------------------------------------------
    def _number(self, key: str, edit: QLineEdit, findings: list[Finding]) -> float | None:
        text = edit.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            findings.append(Finding(key, self.tr("enter a number")))
            return None
        return value

    def read_input(self) -> tuple[PatientInput | None, list[Finding]]:
        """What was typed as a PatientInput, or the findings that stop it from being one."""
        findings: list[Finding] = []
        birth = None
        if self.birth_date.text().strip():
            try:
                birth = dt.date.fromisoformat(self.birth_date.text().strip())
            except ValueError:
                findings.append(Finding("birth_date", self.tr("enter the date as YYYY-MM-DD")))
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
        try:
            with self.db.write() as session:
                patient = create_patient(session, data, actor=self.actor, today=self.today)
                patient_id = patient.id
        except ValidationFailed as exc:
            self.show_findings(exc.findings)
            return
        except UserError as exc:
            self.general_error.setText(str(exc))
            self.general_error.show()
            return
        except Exception as exc:  # disk full, database locked...: say so, keep what was typed
            self.general_error.setText(self.tr("The patient could not be saved: {0}").format(
                str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__))
            self.general_error.show()
            return
        self.created_patient_id = patient_id
        self.accept()
