"""Lab and perfusion values on the visit form: one row per analyte, with a unit chooser."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from app.domain.analytes import ANALYTES, Analyte, ReferenceRange
from app.domain.records import LabRecord
from app.domain.typed_input import parse_decimal
from app.ui.visit.fields import (
    choice_combo,
    format_number,
    hint_label,
    number_edit,
    set_widget_value,
    tr,
)
from app.ui.visit.groups import FormGroup

FLAG_WORDS = {"H": "H", "L": "L"}  # as on the Labs chart; the tooltip says it in words
FLAG_TIPS = {"H": "above the reference range", "L": "below the reference range"}


class AnalyteGroup(FormGroup):
    """One row per analyte: value, unit chooser, the value in the canonical unit, the range.

    The unit chooser converts with `Analyte.to_canonical` (app.domain.analytes); the saved
    LabResult keeps both the value as typed and the canonical one.
    """

    prefix = "lab"

    def __init__(self, title: str, columns: tuple[str, ...], *, last: dict[str, LabRecord],
                 ranges: dict[str, ReferenceRange], parent: QWidget | None = None):
        super().__init__(title, parent)
        self.columns = columns
        self.units: dict[str, Any] = {}
        self.conversions: dict[str, QLabel] = {}
        self.references: dict[str, ReferenceRange] = {}
        self.row_count = 0
        for column in columns:
            self._add_row(ANALYTES[column], last.get(column), ranges.get(column))
        self.grid.setColumnStretch(3, 1)

    def _add_row(self, analyte: Analyte, last: LabRecord | None,
                 reference: ReferenceRange | None) -> None:
        column, row = analyte.column, self.row_count
        placeholder = ""
        if last is not None:
            placeholder = tr("last {0}").format(format_number(last.raw_value, analyte.decimals + 1))
        editor = number_edit(f"lab_{column}", placeholder=placeholder)
        editor.setMaximumWidth(130)
        slot = self._slot(column, editor, lines=1)  # its message spans the row below
        slot.caption = analyte.label
        caption = QLabel(analyte.label)
        caption.setBuddy(editor)
        self.grid.addWidget(caption, row, 0)
        self.grid.addWidget(editor, row, 1)
        if analyte.alternatives:
            unit = choice_combo(f"unit_{column}", [(u.label, u.label) for u in analyte.units],
                                none_label=None)
            if last is not None:
                set_widget_value(unit, last.raw_unit)
            self.units[column] = unit
            self.grid.addWidget(unit, row, 2)
        else:
            self.grid.addWidget(QLabel(analyte.unit), row, 2)
        conversion = hint_label()
        conversion.setObjectName(f"canonical_{column}")
        self.conversions[column] = conversion
        self.grid.addWidget(conversion, row, 3)
        reference = reference or ReferenceRange(analyte.ref_low, analyte.ref_high)
        self.references[column] = reference
        self.grid.addWidget(hint_label(self._range_text(analyte, reference)), row, 4)
        self.grid.addWidget(slot.message, row + 1, 1, 1, 4)
        self.row_count += 2

    @staticmethod
    def _range_text(analyte: Analyte, reference: ReferenceRange) -> str:
        low, high = reference.low, reference.high
        if low is not None and high is not None:
            return tr("ref {0}–{1}").format(format_number(low), format_number(high))
        if high is not None:
            return tr("ref ≤ {0}").format(format_number(high))
        if low is not None:
            return tr("ref ≥ {0}").format(format_number(low))
        return ""

    def start_listening(self) -> None:
        super().start_listening()
        for column, unit in self.units.items():
            unit.currentIndexChanged.connect(lambda _=None, c=column: self._on_unit(c))
        for column in self.columns:
            self.slots[column].editor.textChanged.connect(
                lambda _=None, c=column: self.update_conversion(c))

    def _on_unit(self, column: str) -> None:
        self.slots[column].touched = True
        self.update_conversion(column)
        self.changed.emit()

    def unit_of(self, column: str) -> str:
        unit = self.units.get(column)
        return unit.currentData() if unit is not None else ANALYTES[column].unit

    def update_conversion(self, column: str) -> None:
        """Show the typed value in the canonical unit next to it, when another unit is chosen,
        and its H/L flag against the clinic's reference range as it is typed."""
        analyte = ANALYTES[column]
        value, problem = parse_decimal(self.slots[column].editor.text())
        unit = self.unit_of(column)
        if value is None or problem:
            self.conversions[column].setText("")
            self.conversions[column].setToolTip("")
            return
        canonical = analyte.to_canonical(value, unit) if unit != analyte.unit else value
        said = [] if unit == analyte.unit else [
            f"= {canonical:.{analyte.decimals}f} {analyte.unit}"]
        flag = self.references[column].flag(canonical)
        if flag in FLAG_WORDS:
            said.append(tr(FLAG_WORDS[flag]))
        self.conversions[column].setText(" · ".join(said))
        self.conversions[column].setToolTip(tr(FLAG_TIPS[flag]) if flag in FLAG_TIPS else "")

    def draft_widgets(self) -> dict[str, QWidget]:
        widgets = super().draft_widgets()
        widgets.update({f"lab:{column}:unit": unit for column, unit in self.units.items()})
        return widgets

    def tab_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for column in self.columns:
            chain.append(self.slots[column].editor)
            if column in self.units:
                chain.append(self.units[column])
        return chain

    def load(self, labs: dict[str, LabRecord]) -> None:
        for column in self.columns:
            record = labs.get(column)
            if record is None:
                continue
            if column in self.units:
                set_widget_value(self.units[column], record.raw_unit)
            decimals = ANALYTES[column].decimals + 2
            set_widget_value(self.slots[column].editor, format_number(record.raw_value, decimals))
            self.update_conversion(column)
