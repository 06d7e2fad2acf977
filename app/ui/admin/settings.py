"""Clinic ▸ Settings… (admin only): the clinic's name, address and logo for the reports, the
idle-lock minutes, the area method, where the automatic backups go and how many are kept, and
the reference range of each analyte (entered in any of its units, stored in the canonical one).

Read and saved on the window's runner in one transaction (app.services.settings checks every
value; the audit trail records each change); the save announces Changes(settings=True), so
the idle lock, the backup on close and the charts use the new values without a restart.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.db import backup_folder
from app.domain.analytes import ANALYTE_LIST, ReferenceRange
from app.domain.wound import AreaMethod
from app.services.actor import Actor
from app.services.changes import Changes
from app.services.errors import UserError
from app.services.settings import (
    LOGO_SUFFIXES,
    MAX_NAME,
    ClinicSettings,
    load_settings,
    set_reference_range,
    update_settings,
)
from app.ui.dbops import DatabaseRunner, user_message
from app.ui.security.backup import is_temporary_folder
from app.ui.security.fields import error_label

AREA_METHOD_LABELS = {AreaMethod.ELLIPSE: "Ellipse (π/4 × length × width, Kundin)",
                      AreaMethod.RECTANGLE: "Rectangle (length × width, ruler)"}
RANGE_COLUMNS = ("Analyte", "Low", "High", "Unit")


def parse_bound(text: str, label: str) -> float | None:
    """A range end as typed ("" is open); a decimal comma is accepted."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise UserError(f"{label}: {text!r} is not a number") from None


def shown_bound(value: float | None, decimals: int) -> str:
    return "" if value is None else f"{value:.{max(decimals, 2)}f}".rstrip("0").rstrip(".")


class SettingsDialog(QDialog):
    """The clinic settings, saved together (all or none)."""

    def __init__(self, *, runner: DatabaseRunner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.loaded: ClinicSettings | None = None
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Clinic settings"))
        tabs = QTabWidget()
        tabs.setObjectName("settingsTabs")
        tabs.addTab(self._clinic_page(), self.tr("Clinic"))
        tabs.addTab(self._ranges_page(), self.tr("Reference ranges"))
        self.error = error_label("settingsError")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveSettingsButton")
        self.save_button.setEnabled(False)  # until the settings are read
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(720, 560)
        runner.read("settings-dialog", load_settings, self._loaded,
                    on_error=self._failed, parent=self)

    # -- layout ----------------------------------------------------------------------------
    def _clinic_page(self) -> QWidget:
        page = QWidget()
        self.clinic_name = QLineEdit()
        self.clinic_name.setObjectName("clinicName")
        self.clinic_name.setMaxLength(MAX_NAME)
        self.clinic_address = QPlainTextEdit()
        self.clinic_address.setObjectName("clinicAddress")
        self.clinic_address.setFixedHeight(72)
        self.clinic_address.setPlaceholderText(self.tr("Street, postcode, town"))
        self.clinic_logo = QLineEdit()
        self.clinic_logo.setObjectName("clinicLogo")
        self.clinic_logo.setPlaceholderText(self.tr("PNG or JPEG; empty for none"))
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idleLockMinutes")
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setSuffix(self.tr(" minutes"))
        self.area_method = QComboBox()
        self.area_method.setObjectName("areaMethod")
        for method, label in AREA_METHOD_LABELS.items():
            self.area_method.addItem(self.tr(label), method.value)
        self.backup_folder = QLineEdit()
        self.backup_folder.setObjectName("backupFolder")
        self.backup_folder.setPlaceholderText(self._default_backup_folder())
        self.backups_to_keep = QSpinBox()
        self.backups_to_keep.setObjectName("backupsToKeep")
        self.backups_to_keep.setRange(1, 365)
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        form.addRow(self.tr("Clinic name"), self.clinic_name)
        form.addRow(self.tr("Address"), self.clinic_address)
        form.addRow(self.tr("Logo"), self._with_browse(self.clinic_logo, self.choose_logo))
        form.addRow(self.tr("Lock after"), self.idle_minutes)
        form.addRow(self.tr("Area from length × width"), self.area_method)
        form.addRow(self.tr("Backup folder"),
                    self._with_browse(self.backup_folder, self.choose_folder))
        form.addRow(self.tr("Automatic backups kept"), self.backups_to_keep)
        return page

    def _default_backup_folder(self) -> str:
        """The placeholder: where the automatic backups go when no folder is chosen."""
        path = getattr(self.runner.db, "path", None)
        if path is None:
            return self.tr("this computer's backups folder")
        folder = backup_folder(path)
        if is_temporary_folder(folder):
            return self.tr("{0} — a temporary folder: choose another").format(folder)
        return self.tr("{0} (beside the database)").format(folder)

    def _with_browse(self, edit: QLineEdit, slot) -> QWidget:
        box = QWidget()
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton(self.tr("Browse…"))
        button.setObjectName(edit.objectName() + "Browse")
        button.clicked.connect(slot)
        row.addWidget(button)
        return box

    def _ranges_page(self) -> QWidget:
        table = QTableWidget(len(ANALYTE_LIST), len(RANGE_COLUMNS))
        table.setObjectName("referenceRanges")
        table.setHorizontalHeaderLabels([self.tr(c) for c in RANGE_COLUMNS])
        table.verticalHeader().hide()
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.range_units: dict[str, QComboBox] = {}
        self._shown_unit: dict[str, str] = {}
        for row, analyte in enumerate(ANALYTE_LIST):
            name = QTableWidgetItem(analyte.label)
            name.setFlags(name.flags() & ~name.flags().ItemIsEditable)
            table.setItem(row, 0, name)
            units = QComboBox()
            units.setObjectName(f"unit_{analyte.column}")
            for option in analyte.units:
                units.addItem(option.label, option.label)
            units.currentIndexChanged.connect(
                lambda _i, r=row, a=analyte: self._unit_changed(r, a))
            table.setCellWidget(row, 3, units)
            self.range_units[analyte.column] = units
        self.ranges = table
        page = QWidget()
        layout = QVBoxLayout(page)
        hint = QLabel(self.tr("The range each lab value is flagged against (H above, L below) "
                              "in the charts, the visit form and the reports. Type it in the "
                              "unit chosen on its row; it is stored in the first unit. An empty "
                              "row goes back to the default range."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(table, 1)
        return page

    # -- loading ---------------------------------------------------------------------------
    def _loaded(self, settings: ClinicSettings) -> None:
        self.loaded = settings
        self.clinic_name.setText(settings.clinic_name)
        self.clinic_address.setPlainText(settings.clinic_address)
        self.clinic_logo.setText(settings.clinic_logo_path or "")
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        self.area_method.setCurrentIndex(self.area_method.findData(settings.area_method.value))
        self.backup_folder.setText(settings.backup_folder or "")
        self.backups_to_keep.setValue(settings.backups_to_keep)
        for row, analyte in enumerate(ANALYTE_LIST):
            self.range_units[analyte.column].setCurrentIndex(0)
            self._shown_unit[analyte.column] = analyte.unit
            self._show_range(row, analyte, settings.reference_ranges.get(analyte.column))
        self.save_button.setEnabled(True)

    def _show_range(self, row: int, analyte, reference: ReferenceRange | None) -> None:
        """The canonical range shown in the row's chosen unit."""
        option = analyte.unit_option(self.range_units[analyte.column].currentData())
        reference = reference or ReferenceRange(None, None)
        for column, value in ((1, reference.low), (2, reference.high)):
            shown = None if value is None else option.from_canonical(value)
            self.ranges.setItem(row, column,
                                QTableWidgetItem(shown_bound(shown, analyte.decimals)))

    def _unit_changed(self, row: int, analyte) -> None:
        """Show what the row holds (typed or stored) in the newly chosen unit."""
        previous = analyte.unit_option(self._shown_unit.get(analyte.column, analyte.unit))
        self._shown_unit[analyte.column] = self.range_units[analyte.column].currentData()
        if self.loaded is None:
            return
        try:
            low, high = self._typed(row, analyte)
        except UserError:
            return  # leave a typo for the user to see
        self._show_range(row, analyte, ReferenceRange(
            *(None if v is None else previous.to_canonical(v) for v in (low, high))))

    def _typed(self, row: int, analyte) -> tuple[float | None, float | None]:
        texts = [self.ranges.item(row, c).text() if self.ranges.item(row, c) else ""
                 for c in (1, 2)]
        return (parse_bound(texts[0], f"{analyte.label} low"),
                parse_bound(texts[1], f"{analyte.label} high"))

    def _canonical_range(self, row: int, analyte) -> ReferenceRange | None:
        return self.loaded.reference_ranges.get(analyte.column) if self.loaded else None

    # -- saving ----------------------------------------------------------------------------
    def values(self) -> dict[str, object]:
        return {
            "clinic_name": self.clinic_name.text(),
            "clinic_address": self.clinic_address.toPlainText(),
            "clinic_logo_path": self.clinic_logo.text().strip() or None,
            "idle_lock_minutes": self.idle_minutes.value(),
            "area_method": self.area_method.currentData(),
            "backup_folder": self.backup_folder.text().strip() or None,
            "backups_to_keep": self.backups_to_keep.value(),
        }

    def changed_ranges(self) -> list[tuple[str, float | None, float | None, str]]:
        """(analyte, low, high, unit) of every row whose range differs from the stored one."""
        changed = []
        for row, analyte in enumerate(ANALYTE_LIST):
            unit = self.range_units[analyte.column].currentData()
            option = analyte.unit_option(unit)
            low, high = self._typed(row, analyte)
            stored = self._canonical_range(row, analyte) or ReferenceRange(None, None)
            before = tuple(None if v is None else shown_bound(option.from_canonical(v),
                                                              analyte.decimals)
                           for v in (stored.low, stored.high))
            now = tuple(None if v is None else shown_bound(v, analyte.decimals)
                        for v in (low, high))
            if before != now:
                changed.append((analyte.column, low, high, unit))
        return changed

    def save(self) -> None:
        logo = self.clinic_logo.text().strip()
        try:
            if logo and (Path(logo).suffix.lower() not in LOGO_SUFFIXES
                         or not Path(logo).expanduser().is_file()):
                raise UserError(self.tr("The logo must be an existing PNG or JPEG file: {0}")
                                .format(logo))
            values, ranges = self.values(), self.changed_ranges()
        except UserError as exc:
            self._failed(exc)
            return
        actor = self.actor

        def op(session) -> list[str]:
            changed = update_settings(session, values, actor=actor)
            for analyte, low, high, unit in ranges:
                set_reference_range(session, analyte, low, high, unit=unit, actor=actor)
                changed.append(f"range {analyte}")
            return changed

        self.save_button.setEnabled(False)
        self.error.setText(self.tr("Saving…"))
        self.runner.write(op, changes=Changes.of(settings=True), on_done=self._saved,
                          on_error=self._failed, parent=self)

    def _saved(self, _changed: list[str]) -> None:
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.save_button.setEnabled(self.loaded is not None)
        self.error.setText(user_message(error))

    # -- file choosers (tests replace these) -----------------------------------------------
    def choose_logo(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Clinic logo"),
                                              self.clinic_logo.text(),
                                              self.tr("Images (*.png *.jpg *.jpeg)"))
        if name:
            self.clinic_logo.setText(name)

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, self.tr("Backup folder"),
                                                self.backup_folder.text())
        if name:
            self.backup_folder.setText(name)
