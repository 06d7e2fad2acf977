"""The visit form's patient-level groups: Doppler and imaging, treatment, adverse event.

The lab and perfusion values have their own module, app.ui.visit.labs."""
from __future__ import annotations

from dataclasses import fields
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QWidget

from app.domain import labels
from app.domain.limits import TEXT_LIMITS
from app.domain.records import AdverseEventRecord, PerfusionRecord, TreatmentRecord
from app.models.vocab import (
    AE_OUTCOMES,
    AE_RELATEDNESS,
    DOPPLER_WAVEFORMS,
    EXOSOME_ROUTES,
    EXOSOME_SOURCES,
    OSTEOMYELITIS,
)
from app.services.visit_input import TreatmentInput
from app.ui.visit.fields import (
    DATE_MAX_LENGTH,
    FieldSlot,
    choice_combo,
    connect_changed,
    format_number,
    hint_label,
    labelled,
    number_edit,
    set_widget_value,
    text_edit,
    tr,
)

Problems = list[tuple[FieldSlot, str]]
# The words of the chart and the reports (app.domain.labels), capitalised for a form.
SOURCE_LABELS = {k: v[:1].upper() + v[1:] for k, v in labels.SOURCE_LABELS.items()}
ROUTE_LABELS = {k: v[:1].upper() + v[1:] for k, v in labels.ROUTE_LABELS.items()}
CTCAE_LABELS = {grade: f"{grade} – {word}" for grade, word in labels.CTCAE_LABELS.items()}
DOSE_UNITS = ("particles", "µg")
IMAGING_MODALITIES = ("MRI", "CT", "X-ray", "ultrasound")


def _options(values, labels: dict | None = None) -> list[tuple[Any, str]]:
    labels = labels or {}
    return [(v, tr(labels.get(v, str(v).replace("_", " ").capitalize()))) for v in values]


class FormGroup(QGroupBox):
    """A titled group of fields that reports edits and knows its fields' draft keys."""

    changed = Signal()
    prefix = ""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.slots: dict[str, FieldSlot] = {}
        self.grid = QGridLayout(self)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(4)

    def _slot(self, field: str, editor: QWidget, *, lines: int | None = None) -> FieldSlot:
        slot = FieldSlot(editor, field, lines=lines)
        self.slots[field] = slot
        return slot

    def _cell(self, field: str, editor: QWidget, caption: str) -> QWidget:
        return labelled(self._slot(field, editor), caption)

    def start_listening(self) -> None:
        """Connect after pre-filling, so only the nurse's edits count as changes."""
        for slot in self.slots.values():
            connect_changed(slot.editor, lambda s=slot: self._on_edit(s))

    def _on_edit(self, slot: FieldSlot) -> None:
        slot.touched = True
        self.changed.emit()

    def draft_widgets(self) -> dict[str, QWidget]:
        return {f"{self.prefix}:{field}": slot.editor for field, slot in self.slots.items()}

    def tab_chain(self) -> list[QWidget]:
        return [slot.editor for slot in self.slots.values()]


class PerfusionGroup(FormGroup):
    """Doppler and imaging findings (ABI, TBI and TcPO₂ are analytes, in their own rows)."""

    prefix = "perfusion"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(tr("Doppler and imaging"), parent)
        g = self.grid
        g.addWidget(self._cell("doppler_waveform", choice_combo(
            "dopplerWaveform", _options(DOPPLER_WAVEFORMS)), tr("Doppler waveform")), 0, 0)
        g.addWidget(self._cell("doppler_flow", text_edit("dopplerFlow", max_length=120),
                               tr("Doppler flow")), 0, 1)
        g.addWidget(self._cell("imaging_modality", choice_combo(
            "imagingModality", _options(IMAGING_MODALITIES, {"ultrasound": "Ultrasound"})),
            tr("Imaging")), 0, 2)
        g.addWidget(self._cell("imaging_depth_cm", number_edit("imagingDepthCm"),
                               tr("Depth on imaging (cm)")), 1, 0)
        g.addWidget(self._cell("osteomyelitis", choice_combo(
            "osteomyelitis", _options(OSTEOMYELITIS)), tr("Osteomyelitis")), 1, 1)
        g.addWidget(self._cell("imaging_findings", text_edit(
            "imagingFindings", max_length=TEXT_LIMITS["notes"]), tr("Imaging findings")),
            2, 0, 1, 3)

    def load(self, record: PerfusionRecord | None) -> None:
        if record is None:
            return
        for field in ("doppler_waveform", "doppler_flow", "imaging_modality", "osteomyelitis",
                      "imaging_findings"):
            set_widget_value(self.slots[field].editor, getattr(record, field))
        set_widget_value(self.slots["imaging_depth_cm"].editor,
                         format_number(record.imaging_depth_cm))


class TreatmentGroup(FormGroup):
    """The treatment given: exosome product, lot, dose and route; MSC cells; standard care."""

    prefix = "treatment"
    EXOSOME_FIELDS = ("exosome_product", "exosome_source", "exosome_lot", "exosome_dose",
                      "exosome_dose_unit", "exosome_volume_ml", "exosome_route")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(tr("Treatment given"), parent)
        g = self.grid
        given = QCheckBox(tr("Exosome dose given today"))
        g.addWidget(self._cell("exosome_given", given, " "), 0, 0, 1, 2)
        site = choice_combo("treatedSite", [])
        g.addWidget(self._cell("site", site, tr("Treated ulcer")), 0, 2, 1, 2)
        g.addWidget(self._cell("exosome_product", text_edit(
            "exosomeProduct", max_length=TEXT_LIMITS["exosome_product"]), tr("Product")),
            1, 0, 1, 2)
        g.addWidget(self._cell("exosome_source", choice_combo(
            "exosomeSource", _options(EXOSOME_SOURCES, SOURCE_LABELS)), tr("Source")), 1, 2, 1, 2)
        g.addWidget(self._cell("exosome_lot", text_edit(
            "exosomeLot", max_length=TEXT_LIMITS["exosome_lot"]), tr("Lot / batch")), 2, 0)
        g.addWidget(self._cell("exosome_dose", number_edit(
            "exosomeDose", placeholder="5e9"), tr("Dose")), 2, 1)
        g.addWidget(self._cell("exosome_dose_unit", choice_combo(
            "exosomeDoseUnit", _options(DOSE_UNITS, {"particles": "particles"})),
            tr("Dose unit")), 2, 2)
        g.addWidget(self._cell("exosome_volume_ml", number_edit("exosomeVolumeMl"),
                               tr("Volume (mL)")), 2, 3)
        g.addWidget(self._cell("exosome_route", choice_combo(
            "exosomeRoute", _options(EXOSOME_ROUTES, ROUTE_LABELS)), tr("Route")), 3, 0, 1, 2)
        g.addWidget(self._cell("msc_cotherapy", QCheckBox(tr("MSC cell co-therapy")), " "),
                    3, 2)
        g.addWidget(self._cell("msc_cells_million", number_edit("mscCellsMillion"),
                               tr("MSC cells (×10⁶)")), 3, 3)
        g.addWidget(self._cell("debridement", QCheckBox(tr("Debridement")), " "), 4, 0)
        g.addWidget(self._cell("dressing", text_edit("dressing", max_length=120),
                               tr("Dressing")), 4, 1)
        g.addWidget(self._cell("offloading", text_edit("offloading", max_length=120),
                               tr("Offloading")), 4, 2)
        g.addWidget(self._cell("antibiotics", text_edit("antibiotics", max_length=120),
                               tr("Antibiotics")), 4, 3)
        for field, name in (("exosome_given", "exosomeGiven"), ("msc_cotherapy", "mscCotherapy"),
                            ("debridement", "debridement")):
            self.slots[field].editor.setObjectName(name)
        for column in range(4):
            g.setColumnStretch(column, 1)
        self.extra_treatments: tuple[TreatmentInput, ...] = ()
        given.toggled.connect(lambda _=None: self._enable())
        self.slots["msc_cotherapy"].editor.toggled.connect(lambda _=None: self._enable())
        self._enable()

    def _enable(self) -> None:
        given = self.slots["exosome_given"].editor.isChecked()
        for field in self.EXOSOME_FIELDS:
            self.slots[field].editor.setEnabled(given)
        self.slots["msc_cells_million"].editor.setEnabled(
            self.slots["msc_cotherapy"].editor.isChecked())

    def set_sites(self, sites: list[tuple[str, str]]) -> None:
        """Offer the ulcers of the form; keeps the choice when it is still offered."""
        combo = self.slots["site"].editor
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(tr("— (not linked to one ulcer)"), None)
        for value, label in sites:
            combo.addItem(label, value)
        set_widget_value(combo, chosen)
        combo.blockSignals(False)

    def follow_site(self, site: str | None) -> None:
        """Treat the ulcer being assessed, unless the nurse chose the treated ulcer herself."""
        combo = self.slots["site"].editor
        if not self.slots["site"].touched:
            combo.blockSignals(True)
            set_widget_value(combo, site)
            combo.blockSignals(False)

    def prefill_from(self, last: TreatmentRecord | None) -> None:
        """The product, source, lot, dose unit and route of the patient's last exosome dose."""
        if last is None:
            set_widget_value(self.slots["exosome_dose_unit"].editor, "particles")
            return
        for field in ("exosome_product", "exosome_source", "exosome_lot", "exosome_dose_unit",
                      "exosome_route"):
            set_widget_value(self.slots[field].editor, getattr(last, field))
        if last.exosome_dose is not None:
            self.slots["exosome_dose"].editor.setPlaceholderText(
                tr("last {0}").format(format_number(last.exosome_dose)))

    def hint_standard_care(self, last: TreatmentRecord | None) -> None:
        if last is None:
            return
        for field in ("dressing", "offloading", "antibiotics"):
            value = getattr(last, field)
            if value:
                self.slots[field].editor.setPlaceholderText(tr("last: {0}").format(value))

    def load(self, record: TreatmentRecord) -> None:
        set_widget_value(self.slots["exosome_given"].editor, record.has_exosome)
        for field in (*self.EXOSOME_FIELDS, "msc_cotherapy", "msc_cells_million", "debridement",
                      "dressing", "offloading", "antibiotics", "site"):
            value = getattr(record, field)
            if isinstance(value, float):
                value = format_number(value)
            set_widget_value(self.slots[field].editor, value)

    @staticmethod
    def kept_as_saved(record: TreatmentRecord) -> TreatmentInput:
        """A further treatment of an edited visit, kept unchanged (the form edits the first)."""
        return TreatmentInput(**{f.name: getattr(record, f.name) for f in fields(TreatmentInput)})

class AdverseEventGroup(FormGroup):
    """A new adverse event noticed at this visit (CTCAE v5 grade, relatedness, outcome)."""

    prefix = "ae"

    def __init__(self, recorded: tuple[AdverseEventRecord, ...] = (),
                 parent: QWidget | None = None):
        super().__init__(tr("Adverse event"), parent)
        g = self.grid
        if recorded:
            lines = [tr("Recorded at this visit: {0} (grade {1})").format(a.description,
                                                                         a.ctcae_grade)
                     for a in recorded]
            g.addWidget(hint_label("\n".join(lines)), 0, 0, 1, 3)
        g.addWidget(self._cell("description", text_edit(
            "aeDescription", max_length=TEXT_LIMITS["description"],
            placeholder=tr("leave empty when none")), tr("Description")), 1, 0, 1, 3)
        g.addWidget(self._cell("ctcae_grade", choice_combo(
            "aeGrade", _options(range(1, 6), CTCAE_LABELS)), tr("CTCAE grade")), 2, 0)
        g.addWidget(self._cell("relatedness", choice_combo(
            "aeRelatedness", _options(AE_RELATEDNESS)), tr("Related to treatment")), 2, 1)
        g.addWidget(self._cell("outcome", choice_combo(
            "aeOutcome", _options(AE_OUTCOMES)), tr("Outcome")), 2, 2)
        g.addWidget(self._cell("serious", QCheckBox(tr("Serious")), " "), 3, 0)
        g.addWidget(self._cell("resolved_on", text_edit(
            "aeResolvedOn", max_length=DATE_MAX_LENGTH, placeholder="YYYY-MM-DD"),
            tr("Resolved on")), 3, 1)
        self.slots["serious"].editor.setObjectName("aeSerious")
        for column in range(3):
            g.setColumnStretch(column, 1)
