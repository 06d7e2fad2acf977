"""Help ▸ About: the version, where the database is (never its password) and the licences.

The text itself is Qt-free (app/about.py) so that `--version` and the About box agree. The
menu that opens it is app.ui.help.menu (this module loads when the box is first opened).
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.about import about_text, app_version


class AboutDialog(QDialog):
    """Version and database on top; components and full licence texts scrollable below."""

    def __init__(self, db_location: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About DFU Monitor"))
        title = QLabel(self.tr("<b>DFU Monitor</b> {0}").format(app_version()))
        title.setObjectName("aboutTitle")
        self.text = QPlainTextEdit(about_text(db_location))
        self.text.setObjectName("aboutText")
        self.text.setReadOnly(True)
        from PySide6.QtGui import QFont, QFontDatabase  # their enums: when the box opens

        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        font.setStyleHint(QFont.StyleHint.SansSerif)
        self.text.setFont(font)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(640, 520)
