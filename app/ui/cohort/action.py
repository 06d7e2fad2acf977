"""Clinic ▸ Cohort view… in the main window. The view and its statistics (app.ui.cohort.view,
app.services.cohort) are imported when the action is first used, not at start-up."""
from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow


def add_cohort_action(window: QMainWindow) -> QAction:
    """Add "Cohort view…" to the main window's Clinic menu."""

    def open_view() -> None:
        from app.ui.cohort.view import open_cohort_view

        open_cohort_view(window, window.runner, window.actor)

    action = QAction(window.tr("&Cohort view…"), window)
    action.setObjectName("cohortViewAction")
    action.triggered.connect(open_view)
    window.menu_clinic.addAction(action)
    return action
