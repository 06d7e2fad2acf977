"""File ▸ Import visit sheet…: a whole visit sheet (docs/product.md "Visit-sheet CSV") read,
checked and written on the database worker; all or nothing, every bad row listed.

The window keeps turning while a large sheet is imported (the work is the same service as
`import-csv`, run through the runner); when it ends, every view reloads (Changes.all()).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from app.services.changes import Changes

# The import service, the file dialog and the outcome dialog load when a sheet is imported,
# not at start-up (their Qt classes' enums alone cost ~2 ms before the first paint).
if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from app.services.visit_sheet import ImportReport
    from app.ui.patients.import_outcome import ImportOutcome


class SheetImporter:
    """Runs one import at a time for `window` and reports its outcome."""

    def __init__(self, window: QMainWindow):
        self.window = window
        self.outcome: ImportOutcome | None = None
        self.action: QAction | None = None
        self.running = False

    def choose_and_import(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self.window, self.window.tr("Import visit sheet"), str(Path.home()),
            self.window.tr("Visit sheets (*.csv);;All files (*)"))
        if path:
            self.start(Path(path))

    def start(self, path: Path) -> None:
        """Import `path` on the database worker; the outcome dialog opens when it ends."""
        if self.running:
            return
        window, actor = self.window, self.window.actor
        db = window.db
        self.running = True
        window.statusBar().showMessage(window.tr("Importing {0}…").format(path.name))

        def work() -> ImportReport:
            from app.services.visit_sheet import import_visit_sheet, read_sheet_file

            return import_visit_sheet(db, read_sheet_file(path), actor=actor,
                                      today=window.today)

        window.runner.call("import-sheet", work, self._done, changes=Changes.all(),
                           on_error=self._failed, parent=window)

    def _done(self, report: ImportReport) -> None:
        self.running = False
        tr = self.window.tr
        summary = tr("Imported {0} rows: {1} new patients, {2} new visits, {3} assessments."
                     ).format(report.rows, report.patients_created, report.visits_created,
                              report.assessments)
        self.window.statusBar().showMessage(summary, 10_000)
        warnings = [str(w) for w in report.warnings]
        if warnings:
            summary += " " + tr("{0} values to check:").format(len(warnings))
        self._show(tr("Visit sheet imported"), summary, warnings)

    def _failed(self, error: Exception) -> None:
        self.running = False
        tr = self.window.tr
        self.window.statusBar().clearMessage()
        from app.services.visit_sheet import ImportRejected

        if isinstance(error, ImportRejected):
            lines = [str(p) for p in error.problems]
            self._show(tr("Nothing imported"),
                       tr("The sheet was not imported: fix these rows and import it again."),
                       lines)
            return
        from app.ui.dbops import show_error

        show_error(self.window, error)

    def _show(self, title: str, summary: str, lines: list[str]) -> None:
        from app.ui.patients.import_outcome import ImportOutcome

        self.outcome = ImportOutcome(title, summary, lines, self.window)
        self.outcome.open()


def add_import_action(window: QMainWindow, menu) -> SheetImporter:
    """File ▸ Import visit sheet… (Ctrl+I) in `menu`; enabled for roles that record."""
    importer = SheetImporter(window)
    action = QAction(window.tr("&Import visit sheet…"), window)
    action.setObjectName("importSheetAction")
    action.setShortcut(QKeySequence("Ctrl+I"))
    action.triggered.connect(importer.choose_and_import)
    reason = window.actor.why_not("record")
    action.setEnabled(reason is None)
    if reason is not None:
        action.setToolTip(reason)
    menu.addAction(action)
    importer.action = action
    return importer
