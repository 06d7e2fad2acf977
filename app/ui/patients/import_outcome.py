"""The dialog that ends File ▸ Import visit sheet…: what the import did, or why nothing was
imported (app.ui.patients.import_sheet opens it; loaded then, not at start-up)."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class ImportOutcome(QDialog):
    """What the import did, or why nothing was imported (each problem on its own line)."""

    def __init__(self, title: str, summary: str, lines: list[str], parent: QWidget | None):
        super().__init__(parent)
        self.setObjectName("importOutcome")
        self.setWindowTitle(title)
        self.summary = QLabel(summary)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.details = QPlainTextEdit("\n".join(lines))
        self.details.setObjectName("importDetails")
        self.details.setReadOnly(True)
        self.details.setVisible(bool(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(560, 360 if lines else 140)
