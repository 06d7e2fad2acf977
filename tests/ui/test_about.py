"""Help ▸ About shows the version, the database location without a password, and licences."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.about import app_version
from app.ui.help.about import AboutDialog
from tests.ui.golden_support import golden_copy, golden_template  # noqa: F401 (fixtures)
from tests.ui.test_main_window import open_window


def test_about_names_the_version_the_database_and_the_licences(qtbot):
    dialog = AboutDialog("postgresql+psycopg://clinic:s3cret@db.example/dfu")
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    assert app_version() in text
    assert "s3cret" not in text and "db.example/dfu" in text
    assert "LGPL" in text  # Qt for Python
    assert "DejaVu" in text and "Licence" in text


def test_the_main_window_has_help_about(qtbot, golden_copy):
    golden_window = open_window(qtbot, golden_copy)
    action = golden_window.findChild(type(golden_window.action_about), "aboutAction")
    assert action is golden_window.action_about
    shown = []
    AboutDialog.exec = lambda self: shown.append(self.text.toPlainText()) or 0
    try:
        action.trigger()
    finally:
        del AboutDialog.exec
    assert shown and golden_window.db.path.name in shown[0]
    golden_window.runner.wait()
    golden_window.close()
    QApplication.processEvents()
