"""The Audit tab of a patient's chart: every change to their records, who made it, when (in
local time; UTC in the tooltip), from what to what, and why (docs/reliability.md "Records").
Records, fields and values are shown in words (app.services.audit_view: "visit of 2026-03-02",
"CRP (mg/L)"). Read only, loaded on the window's database runner when the tab is shown."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from app.ui.chart.tables import Column, RecordTableModel
from app.ui.chart.tabs import record_table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.services.audit_view import AuditLine

AUDIT_COLUMN_WIDTHS = (118, 80, 55, 230, 110, 90, 90)


def tr(text: str) -> str:
    return QCoreApplication.translate("AuditTab", text)


def read_audit_lines(session: Session, patient_id: int) -> tuple[int, list[AuditLine]]:
    """On the database worker: the patient's audit lines. The reader (and with it every
    model) is imported here, when the tab is first shown, not before the window's first
    paint (bench/README.md, "Start-up imports")."""
    from app.services.audit_view import load_audit_lines

    return patient_id, load_audit_lines(session, patient_id)


def local_time(line: AuditLine) -> str:
    """When, in this computer's local time."""
    return f"{line.at_utc.astimezone():%Y-%m-%d %H:%M}"


def audit_columns() -> list[Column[AuditLine]]:
    return [
        Column(tr("When"), local_time, lambda r: r.record.id,
               tooltip=lambda r: tr("{0} local time ({1} UTC)").format(
                   f"{r.at_utc.astimezone():%Y-%m-%d %H:%M:%S %Z}",
                   f"{r.at_utc:%Y-%m-%d %H:%M:%S}")),
        Column(tr("User"), lambda r: r.record.user),
        Column(tr("Action"), lambda r: r.record.action),
        Column(tr("Record"), lambda r: r.what, tooltip=lambda r: r.what),
        Column(tr("Field"), lambda r: r.field),
        Column(tr("Old"), lambda r: r.old, tooltip=lambda r: r.old or None),
        Column(tr("New"), lambda r: r.new, tooltip=lambda r: r.new or None),
        Column(tr("Reason"), lambda r: r.record.reason or "",
               tooltip=lambda r: r.record.reason),
    ]


class AuditTab(QWidget):
    """The audit rows of the window's current patient."""

    loaded = Signal(int)  # the number of rows shown

    def __init__(self, window: QMainWindow):
        super().__init__()
        self.setObjectName("auditTab")
        self.window_ = window
        self.model = RecordTableModel(audit_columns(), record_id=lambda r: r.record.id,
                                      parent=self)
        self.table = record_table("auditTable", self.model, AUDIT_COLUMN_WIDTHS)
        self.table.flexible_column = 7  # the reason takes the width left (long text elided)
        self.summary = QLabel(self.tr("Select a patient to see the changes to their records."))
        self.summary.setObjectName("auditSummary")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.patient_id: int | None = None
        self.shown_patient_id: int | None = None
        self.stale = True
        window.chart_loaded.connect(self.patient_loaded)
        window.chart_tabs.currentChanged.connect(self._tab_changed)

    def patient_loaded(self, patient_id: int) -> None:
        """A chart was (re)loaded: the trail may have grown. Reload now if visible."""
        self.patient_id, self.stale = patient_id, True
        if self.window_.chart_tabs.currentWidget() is self:
            self.reload()

    def _tab_changed(self, _index: int) -> None:
        if self.window_.chart_tabs.currentWidget() is self and self.stale:
            self.reload()

    def reload(self) -> None:
        patient_id = self.patient_id
        if patient_id is None:
            return
        self.stale = False
        self.window_.runner.read(
            "audit", lambda session: read_audit_lines(session, patient_id),
            self._loaded, on_error=self._failed, parent=self)

    def _loaded(self, result: tuple[int, list[AuditLine]]) -> None:
        patient_id, rows = result
        if patient_id != self.patient_id:
            return
        self.model.set_rows(rows)
        self.table.fit_columns()
        self.shown_patient_id = patient_id
        self.summary.setText(self.tr("{0} audited changes and events for this patient; "
                                     "times are local ({1}).").format(
            len(rows), dt.datetime.now().astimezone().tzname()))
        self.loaded.emit(len(rows))

    def _failed(self, error: Exception) -> None:
        self.stale = True
        self.summary.setText(self.tr("The audit trail could not be read: {0}").format(error))


def install_audit_tab(window: QMainWindow) -> AuditTab:
    tab = AuditTab(window)
    window.chart_tabs.addTab(tab, tab.tr("Audit"))
    return tab
