"""Building blocks of the visit form: a field with its message line, field values, messages
in the words of the field's label.

Typed text is read by app.ui.visit.reading (through app.domain.typed_input); every limit and
unit conversion is checked by app.domain through app.services.visit_input.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Sequence

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.typed_input import parse_iso_date
from app.ui.widgets.form_combo import FormComboBox

ERROR, WARNING = "error", "warning"
FEEDBACK_STYLE = """
QLineEdit[feedback="error"], QComboBox[feedback="error"],
QPlainTextEdit[feedback="error"] { border: 2px solid #c62828; border-radius: 3px; }
QLineEdit[feedback="warning"], QComboBox[feedback="warning"],
QPlainTextEdit[feedback="warning"] { border: 2px solid #d08a00; border-radius: 3px; }
QLabel[feedback="error"] { color: #b71c1c; }
QLabel[feedback="warning"] { color: #7a4f00; }
QLabel[role="hint"] { color: #555555; }
"""
# Room for more than a date: an extra keystroke is shown and refused, never silently dropped.
DATE_MAX_LENGTH = 24


def tr(text: str) -> str:
    """Translate text of the visit form outside a QObject method."""
    return QCoreApplication.translate("VisitDialog", text)


def with_caption(message: str, field: str, caption: str) -> str:
    """The message in the words of the field's label: "mrn is required" under the field
    captioned "MRN" reads "MRN is required"; other messages start with a capital."""
    name = field.replace("_", " ")
    caption = caption.replace("&", "").rstrip(" *").strip()
    if caption and name and message.lower().startswith(name.lower()):
        rest = message[len(name):]
        said = set(re.findall(r"\w+", caption.lower()))
        first = re.match(r"\s+(\w+)", rest)  # "vas pain must…" under "Pain (VAS 0–10)"
        if first and first.group(1).lower() in said:
            rest = rest[first.end():]
        return caption + rest
    return message[:1].upper() + message[1:]


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


class DateField(QLineEdit):
    """A date typed as YYYY-MM-DD, kept exactly as typed: never rolled, clamped or completed.

    Text that is not a real date stays in the field and its message line says why (the form
    reads it with app.ui.visit.reading). `date()` / `setDate()` keep the QDateEdit calls."""

    def __init__(self, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setMaxLength(DATE_MAX_LENGTH)
        self.setPlaceholderText("YYYY-MM-DD")

    def date(self) -> QDate:
        """The typed date; an invalid QDate when the text is not one."""
        value, problem = parse_iso_date(self.text())
        return to_qdate(value) if value is not None and not problem else QDate()

    def day(self) -> dt.date | None:
        return parse_iso_date(self.text())[0]

    def setDate(self, day: QDate | dt.date) -> None:  # noqa: N802 (QDateEdit's name)
        if isinstance(day, QDate):
            day = from_qdate(day)
        self.setText(day.isoformat())

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().focusInEvent(event)
        self.selectAll()  # typing a whole date replaces the old one


def message_line(lines: int = 2) -> QLabel:
    """The line under a field where its message appears: its height is reserved from the
    start, so a message never pushes the fields below it down (under the mouse). A longer
    message is cut at the reserved lines; its tooltip holds all of it."""
    label = QLabel()
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 2)
    return label


def hold_height(editor: QWidget) -> None:
    """Keep a field's height when its error border (a style sheet) is drawn: the border
    would otherwise change its size hint and move the fields below."""
    if isinstance(editor, (QLineEdit, QComboBox)):
        editor.setFixedHeight(editor.sizeHint().height())


class FieldSlot:
    """One editor and the message line under it, where its errors and warnings are shown."""

    def __init__(self, editor: QWidget, field: str, caption: str = "", *,
                 lines: int | None = None):
        self.editor = editor
        self.field = field
        self.caption = caption
        self.touched = False  # the nurse changed it: show its findings as they type
        self.severity = ""
        # Two lines under typed fields (numbers and dates: "Width (cm) must be between 0 and
        # 50 cm" in a narrow column), one under choices and ticks.
        if lines is None:
            lines = 2 if isinstance(editor, QLineEdit) and editor.maxLength() <= 24 else 1
        self.message = message_line(lines)
        hold_height(editor)

    @property
    def text(self) -> str:
        return self.message.text() if self.severity else ""

    def show_feedback(self, severity: str, text: str) -> None:
        if self.severity == ERROR and severity == WARNING:
            return  # an error outranks a warning on the same field
        text = with_caption(text, self.field, self.caption)
        if self.severity == severity and self.message.text():
            text = f"{self.message.text()}; {text}" if text not in self.message.text() \
                else self.message.text()
        self.severity = severity
        self.message.setText(text)
        self.message.setToolTip(text)
        self._style(severity)

    def clear(self) -> None:
        if not self.severity:
            return
        self.severity = ""
        self.message.clear()
        self.message.setToolTip("")
        self._style("")

    def _style(self, severity: str) -> None:
        for widget in (self.editor, self.message):
            widget.setProperty("feedback", severity)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            widget.update()  # repaint now: a cleared error left its red border on screen


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
    """A combo of (stored value, shown label); a first "—" item stands for not recorded. The
    wheel scrolls the form unless the combo has focus (app.ui.widgets.form_combo)."""
    combo = FormComboBox()
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
