"""Building blocks of the visit form: a field with its message line, text parsing, field values.

Parsing here only turns typed text into numbers and dates; every limit and unit conversion is
checked by app.domain through app.services.visit_input.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Sequence

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDateTimeEdit, QLabel, QLineEdit,
                               QPlainTextEdit, QSizePolicy, QVBoxLayout, QWidget)

ERROR, WARNING = "error", "warning"
FEEDBACK_STYLE = """
QLineEdit[feedback="error"], QComboBox[feedback="error"], QDateEdit[feedback="error"],
QPlainTextEdit[feedback="error"] { border: 2px solid #c62828; border-radius: 3px; }
QLineEdit[feedback="warning"], QComboBox[feedback="warning"], QDateEdit[feedback="warning"],
QPlainTextEdit[feedback="warning"] { border: 2px solid #d08a00; border-radius: 3px; }
QLabel[feedback="error"] { color: #b71c1c; }
QLabel[feedback="warning"] { color: #7a4f00; }
QLabel[role="hint"] { color: #555555; }
"""
_RELATIVE_DAYS = re.compile(r"^\+\s*(\d{1,3})\s*([dw]?)$", re.IGNORECASE)


def tr(text: str) -> str:
    """Translate text of the visit form outside a QObject method."""
    return QCoreApplication.translate("VisitDialog", text)


def parse_number(text: str) -> tuple[float | None, str | None]:
    """(value, None), (None, None) for an empty field, or (None, message) for text, NaN or ±inf.

    A single decimal comma is read as a decimal point, as many clinic keyboards type it.
    """
    cleaned = text.strip()
    if not cleaned:
        return None, None
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None, tr("not a number")
    if not math.isfinite(value):
        return None, tr("must be a finite number")
    return value, None


def parse_optional_date(text: str, *, relative_to: dt.date | None = None
                        ) -> tuple[dt.date | None, str | None]:
    """An ISO date (YYYY-MM-DD), or "+14" / "+2w" days or weeks after `relative_to`."""
    cleaned = text.strip()
    if not cleaned:
        return None, None
    match = _RELATIVE_DAYS.match(cleaned)
    if match and relative_to is not None:
        days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
        return relative_to + dt.timedelta(days=days), None
    try:
        return dt.date.fromisoformat(cleaned), None
    except ValueError:
        return None, tr("use YYYY-MM-DD")


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def format_number(value: float | None, decimals: int = 2) -> str:
    """A stored value as the nurse would type it: no trailing zeros, no exponent for doses < 1e6."""
    if value is None:
        return ""
    if abs(value) >= 1e6:  # doses in particles: 5e9, as they are typed, without rounding
        mantissa, exponent = f"{value:.15e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"


class DateField(QDateEdit):
    """An ISO date field where Tab moves on to the next field (not to the next date section)
    and focus selects the year, so typing a whole date such as 2026-11-20 replaces it."""

    def __init__(self, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setCalendarPopup(True)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            forward = event.key() == Qt.Key.Key_Tab and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            QWidget.focusNextPrevChild(self, forward)
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().focusInEvent(event)
        self.setCurrentSection(QDateTimeEdit.Section.YearSection)


class FieldSlot:
    """One editor and the message line under it, where its errors and warnings are shown."""

    def __init__(self, editor: QWidget, field: str, caption: str = ""):
        self.editor = editor
        self.field = field
        self.caption = caption
        self.touched = False  # the nurse changed it: show its findings as they type
        self.severity = ""
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.message.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    @property
    def text(self) -> str:
        return self.message.text() if self.severity else ""

    def show_feedback(self, severity: str, text: str) -> None:
        if self.severity == ERROR and severity == WARNING:
            return  # an error outranks a warning on the same field
        if self.severity == severity and self.message.text():
            text = f"{self.message.text()}; {text}" if text not in self.message.text() \
                else self.message.text()
        self.severity = severity
        self.message.setText(text)
        self.message.setToolTip(text)
        self._style(severity)
        self.message.setVisible(True)

    def clear(self) -> None:
        if not self.severity:
            return
        self.severity = ""
        self.message.clear()
        self.message.setVisible(False)
        self._style("")

    def _style(self, severity: str) -> None:
        for widget in (self.editor, self.message):
            widget.setProperty("feedback", severity)
            widget.style().unpolish(widget)
            widget.style().polish(widget)


def labelled(slot: FieldSlot, caption: str, *, hint: QWidget | None = None) -> QWidget:
    """The caption above the editor and the message line below it, as one cell of a grid."""
    cell = QWidget()
    layout = QVBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    label = QLabel(caption)
    label.setBuddy(slot.editor)
    layout.addWidget(label)
    layout.addWidget(slot.editor)
    if hint is not None:
        layout.addWidget(hint)
    layout.addWidget(slot.message)
    layout.addStretch(1)
    slot.caption = slot.caption or caption.replace("&", "")
    return cell


def hint_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


def number_edit(object_name: str, *, placeholder: str = "", width: int = 96) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(object_name)
    edit.setPlaceholderText(placeholder)
    edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    edit.setMinimumWidth(width)
    edit.setMaxLength(24)
    return edit


def text_edit(object_name: str, *, max_length: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(object_name)
    edit.setMaxLength(max_length)
    edit.setPlaceholderText(placeholder)
    return edit


def choice_combo(object_name: str, options: Sequence[tuple[Any, str]], *,
                 none_label: str | None = "—") -> QComboBox:
    """A combo of (stored value, shown label); a first "—" item stands for not recorded."""
    combo = QComboBox()
    combo.setObjectName(object_name)
    if none_label is not None:
        combo.addItem(none_label, None)
    for value, label in options:
        combo.addItem(label, value)
    return combo


def set_combo_value(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def widget_value(widget: QWidget) -> Any:
    """The value a draft keeps for a field: text, the chosen value, a tick or an ISO date."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QDateEdit):
        return from_qdate(widget.date()).isoformat()
    raise TypeError(f"no draft value for {type(widget).__name__}")


def set_widget_value(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QLineEdit):
        widget.setText("" if value is None else str(value))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText("" if value is None else str(value))
    elif isinstance(widget, QComboBox):
        set_combo_value(widget, value)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QDateEdit) and isinstance(value, str):
        try:
            widget.setDate(to_qdate(dt.date.fromisoformat(value)))
        except ValueError:
            pass


def connect_changed(widget: QWidget, callback) -> None:
    """Call `callback()` whenever the nurse changes the field."""
    if isinstance(widget, QLineEdit):
        widget.textChanged.connect(lambda _=None: callback())
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(callback)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda _=None: callback())
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(lambda _=None: callback())
    elif isinstance(widget, QDateEdit):
        widget.dateChanged.connect(lambda _=None: callback())
