"""The top line of the visit form: date, pain, clinician, and whose visit it is."""
from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.domain.limits import TEXT_LIMITS
from app.models.vocab import ARM_LABELS
from app.ui.visit.context import VisitFormContext
from app.ui.visit.fields import (
    DateField,
    FieldSlot,
    format_number,
    labelled,
    number_edit,
    text_edit,
)


class VisitHeader(QWidget):
    """`visitDate`, `vasPain` and `clinician`, with the patient on the right.

    The visit date is typed as YYYY-MM-DD and kept exactly as typed, or refused on its own
    message line (app.ui.visit.fields.DateField)."""

    def __init__(self, context: VisitFormContext, *, today: dt.date,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context, self.today = context, today
        self.visit_date = DateField("visitDate")
        last_vas = context.last_vas
        self.vas = number_edit("vasPain", placeholder="" if last_vas is None else self.tr(
            "last {0}").format(format_number(last_vas, 1)))
        self.clinician = text_edit("clinician", max_length=TEXT_LIMITS["clinician"])
        for editor in (self.visit_date, self.vas):  # the cell is wider, for the message
            editor.setMaximumWidth(160)
        self.slots: dict[str, FieldSlot] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, (field, editor, caption) in enumerate((
                ("visit_date", self.visit_date, self.tr("&Visit date")),
                ("vas", self.vas, self.tr("&Pain (VAS 0–10)")),
                ("clinician", self.clinician, self.tr("C&linician")))):
            self.slots[field] = FieldSlot(editor, field)
            grid.addWidget(labelled(self.slots[field], caption), 0, column)
        self.patient_banner = QLabel(self.banner_text())
        self.patient_banner.setObjectName("visitPatient")
        self.patient_banner.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.patient_banner.setWordWrap(True)
        grid.addWidget(self.patient_banner, 0, 3)
        for column in range(3):  # room for a two-line message under each field
            grid.setColumnMinimumWidth(column, 250)
        grid.setColumnStretch(3, 1)

    def banner_text(self) -> str:
        """Name (bold), MRN, age, arm, and who signed the visit being edited."""
        patient, visit = self.context.history.patient, self.context.visit
        parts = [f"<b>{html.escape(patient.name)}</b>", html.escape(patient.mrn)]
        age = patient.age_on(self.today)
        if age is not None:
            parts.append(self.tr("{0} y").format(age))
        if patient.arm:
            parts.append(html.escape(self.tr(ARM_LABELS.get(patient.arm, patient.arm))))
        if visit is not None and visit.signed_at is not None:
            parts.append(self.tr("signed by {0}").format(html.escape(visit.signed_by or "?")))
        return " · ".join(parts)
