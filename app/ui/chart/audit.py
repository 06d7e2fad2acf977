"""The Audit tab of a patient's chart: every change to their records, who made it, when (UTC),
from what to what, and why (RELIABILITY.md "Records"). Read only, loaded off the GUI thread
when the tab is shown."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from app.services.audit import AuditRecord, list_audit
from app.ui.chart.tabs import record_table
from app.ui.chart.tables import Column, RecordTableModel

AUDIT_COLUMN_WIDTHS = (125, 80, 55, 105, 100, 80, 80)


def tr(text: str) -> str:
    return QCoreApplication.translate("AuditTab", text)


def _what(r: AuditRecord) -> str:
    return f"{r.table.replace('_', ' ')} {r.row_id}" if r.table else "—"


def audit_columns() -> list[Column[AuditRecord]]:
    return [
        Column(tr("When (UTC)"), lambda r: f"{r.at:%Y-%m-%d %H:%M}", lambda r: r.id,
               tooltip=lambda r: f"{r.at:%Y-%m-%d %H:%M:%S} UTC"),
        Column(tr("User"), lambda r: r.user),
        Column(tr("Action"), lambda r: r.action),
        Column(tr("Record"), _what),
        Column(tr("Field"), lambda r: (r.field or "").replace("_", " ")),
        Column(tr("Old"), lambda r: r.old if r.old is not None else "",
               tooltip=lambda r: r.old),
        Column(tr("New"), lambda r: r.new if r.new is not None else "",
               tooltip=lambda r: r.new),
        Column(tr("Reason"), lambda r: r.reason or "", tooltip=lambda r: r.reason),
    ]


class AuditTab(QWidget):
    """The audit rows of the window's current patient."""

    loaded = Signal(int)  # the number of rows shown

    def __init__(self, window: QMainWindow):
        super().__init__()
        self.setObjectName("auditTab")
        self.window_ = window
        self.model = RecordTableModel(audit_columns(), record_id=lambda r: r.id, parent=self)
        self.table = record_table("auditTable", self.model, AUDIT_COLUMN_WIDTHS)
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
        db = self.window_.db

        def load() -> tuple[int, list[AuditRecord]]:
            with db.read() as session:
                return patient_id, list_audit(session, patient_id=patient_id)

        self.window_.runner.submit("audit", load, self._loaded, self._failed)

    def _loaded(self, result: tuple[int, list[AuditRecord]]) -> None:
        patient_id, rows = result
        if patient_id != self.patient_id:
            return
        self.model.set_rows(rows)
        self.shown_patient_id = patient_id
        self.summary.setText(self.tr("{0} audited changes and events for this patient; "
                                     "times are UTC.").format(len(rows)))
        self.loaded.emit(len(rows))

    def _failed(self, error: Exception) -> None:
        self.stale = True
        self.summary.setText(self.tr("The audit trail could not be read: {0}").format(error))


def install_audit_tab(window: QMainWindow) -> AuditTab:
    tab = AuditTab(window)
    window.chart_tabs.addTab(tab, tab.tr("Audit"))
    window.audit_tab = tab
    return tab
