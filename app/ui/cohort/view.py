"""The cohort view (issue 6): does exosome therapy heal ulcers faster, and keep them healed?

Kaplan–Meier curves of time to closure by arm with their 95% bands and the number at risk
beneath; the distribution of PAR at week 4 with the 50% line; recurrence-free curves; a summary
table with medians and the log-rank test; filters by baseline date, etiology, Wagner grade and
baseline area. Statistics are read on the window's database runner (app.ui.dbops) and arrive by
signal. The research exports run from here too, on the runner, audited by the service. The
figure can be saved (PNG, PDF) and printed (app.ui.cohort.figure).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.domain.labels import ETIOLOGY_LABELS, format_p_value
from app.models.vocab import ETIOLOGIES
from app.services.actor import Actor
from app.services.cohort import AREA_BANDS, CohortFilter, CohortStatistics, cohort_statistics
from app.ui.cohort.tables import ArmSummaryModel, AtRiskModel, fit_height, read_only_table
from app.ui.dbops import DatabaseRunner
from app.ui.widgets.fit import resize_to_fit

AREA_BAND_LABELS = {"<1": "< 1 cm²", "1-5": "1–5 cm²", ">5": "> 5 cm²"}


class CohortView(QDialog):
    """Cohort statistics of the whole clinic, by treatment arm."""

    statistics_ready = Signal(object)  # CohortStatistics, once shown
    statistics_failed = Signal(str)  # why the statistics could not be computed
    export_finished = Signal(object)  # ExportResult or Exception

    def __init__(self, *, runner: DatabaseRunner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        from app.ui.cohort.charts import ParHistogram, SurvivalChart

        self.runner, self.db, self.actor = runner, runner.db, actor
        self.statistics: CohortStatistics | None = None
        self.setObjectName("cohortView")
        self.setWindowTitle(self.tr("Cohort: time to closure by treatment arm"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        resize_to_fit(self, 1280, 860)

        self.closure_chart = SurvivalChart(y_label=self.tr("Still open (fraction)"),
                                           x_label=self.tr("Days since baseline"))
        self.closure_chart.setObjectName("closureCurves")
        self.recurrence_chart = SurvivalChart(y_label=self.tr("Recurrence-free (fraction)"),
                                              x_label=self.tr("Days since first closure"),
                                              legend_offset=(10, -10))  # curves stay high
        self.recurrence_chart.setObjectName("recurrenceCurves")
        self.par_chart = ParHistogram()
        self.par_chart.setObjectName("par4Distribution")
        self.at_risk_model = AtRiskModel(self)
        self.at_risk_table = read_only_table(self.at_risk_model, "atRiskTable")
        self.summary_model = ArmSummaryModel(self)
        self.summary_table = read_only_table(self.summary_model, "cohortSummaryTable")
        self.summary_table.setWordWrap(True)
        self.logrank_label = QLabel()
        self.logrank_label.setObjectName("logrankLabel")
        self.logrank_label.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("cohortStatus")

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_filters())
        self.figure = self._build_figure()
        layout.addWidget(self.figure, 1)
        layout.addLayout(self._build_buttons(actor))
        self.refresh()

    # -- layout ---------------------------------------------------------------------------
    def _build_figure(self) -> QWidget:
        """The charts and the summary: what Save figure and Print figure put on paper."""
        grid = QGridLayout()
        grid.addWidget(self._titled(self.tr("Time to closure (Kaplan–Meier, 95% CI)"),
                                    self.closure_chart, self._at_risk_box()), 0, 0)
        grid.addWidget(self._titled(self.tr("PAR at week 4"), self.par_chart), 0, 1)
        grid.addWidget(self._titled(self.tr("Recurrence-free after closure (Kaplan–Meier)"),
                                    self.recurrence_chart), 1, 0)
        summary = QWidget()
        summary_layout = QVBoxLayout(summary)
        summary_layout.setContentsMargins(0, 0, 0, 0)
        summary_layout.addWidget(self.summary_table, 1)
        summary_layout.addWidget(self.logrank_label)
        grid.addWidget(self._titled(self.tr("Summary"), summary), 1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 4)
        figure = QWidget()
        figure.setObjectName("cohortFigure")
        figure.setLayout(grid)
        return figure

    def _build_buttons(self, actor: Actor) -> QHBoxLayout:
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        self.save_figure_button = QPushButton(self.tr("Save figure…"))
        self.save_figure_button.setObjectName("saveFigureButton")
        self.save_figure_button.setToolTip(self.tr("Save the curves and the summary as PNG or "
                                                   "PDF"))
        self.save_figure_button.clicked.connect(self.save_figure)
        self.print_figure_button = QPushButton(self.tr("Print figure…"))
        self.print_figure_button.setObjectName("printFigureButton")
        self.print_figure_button.clicked.connect(self.print_figure)
        for button in (self.save_figure_button, self.print_figure_button):
            button.setEnabled(False)  # until the statistics are shown
            bottom.addWidget(button)
        self.export_csv_button = QPushButton(self.tr("Export research CSV…"))
        self.export_csv_button.setObjectName("exportResearchButton")
        self.export_csv_button.clicked.connect(self.export_research)
        self.export_fhir_button = QPushButton(self.tr("Export FHIR bundle…"))
        self.export_fhir_button.setObjectName("exportFhirButton")
        self.export_fhir_button.clicked.connect(self.export_fhir)
        for button in (self.export_csv_button, self.export_fhir_button):
            button.setEnabled(actor.can("print"))
            bottom.addWidget(button)
        return bottom

    def _titled(self, title: str, *widgets: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(6, 6, 6, 6)
        for n, widget in enumerate(widgets):
            box_layout.addWidget(widget, 1 if n == 0 else 0)
        return box

    def _at_risk_box(self) -> QWidget:
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(QLabel(self.tr("Number at risk (still open and followed)")))
        box_layout.addWidget(self.at_risk_table)
        return box

    def _build_filters(self) -> QWidget:
        box = QGroupBox(self.tr("Index episodes (not recurrences) with"))
        row = QHBoxLayout(box)
        self.since_check = QCheckBox(self.tr("Baseline from"))
        self.since_check.setObjectName("sinceCheck")
        self.since_edit = QDateEdit(QDate.currentDate().addYears(-1))
        self.since_edit.setObjectName("sinceDate")
        self.until_check = QCheckBox(self.tr("to"))
        self.until_check.setObjectName("untilCheck")
        self.until_edit = QDateEdit(QDate.currentDate())
        self.until_edit.setObjectName("untilDate")
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        self.until_check.toggled.connect(self.until_edit.setEnabled)
        self.etiology_filter = self._choices("etiologyFilter", [
            (None, self.tr("Any etiology"))] + [(e, ETIOLOGY_LABELS[e])
                                                for e in ETIOLOGIES])
        self.wagner_filter = self._choices("wagnerFilter", [(None, self.tr("Any Wagner grade"))]
                                           + [(g, self.tr("Wagner {0}").format(g))
                                              for g in range(6)])
        self.area_filter = self._choices("areaBandFilter", [(None, self.tr("Any baseline area"))]
                                         + [(b, AREA_BAND_LABELS[b]) for b in AREA_BANDS])
        for widget in (self.since_check, self.since_edit, self.until_check, self.until_edit,
                       self.etiology_filter, self.wagner_filter, self.area_filter):
            row.addWidget(widget)
        row.addStretch(1)
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setObjectName("refreshCohortButton")
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.refresh_button)
        for check in (self.since_check, self.until_check):
            check.toggled.connect(self.refresh)
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(self.refresh)
        return box

    def _choices(self, name: str, items: list[tuple[Any, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        for value, text in items:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(self.refresh)
        return combo

    # -- statistics -----------------------------------------------------------------------
    def filters(self) -> CohortFilter:
        def date_of(check: QCheckBox, edit: QDateEdit) -> dt.date | None:
            return edit.date().toPython() if check.isChecked() else None

        return CohortFilter(baseline_from=date_of(self.since_check, self.since_edit),
                            baseline_to=date_of(self.until_check, self.until_edit),
                            etiology=self.etiology_filter.currentData(),
                            wagner_grade=self.wagner_filter.currentData(),
                            area_band=self.area_filter.currentData())

    def refresh(self) -> None:
        """Recompute for the current filters in the background; a newer request wins."""
        if not hasattr(self, "area_filter"):
            return  # still building the filters
        filters = self.filters()
        self.status.setText(self.tr("Computing…"))
        self.runner.read("cohort", lambda session: cohort_statistics(session, filters),
                         self._computed, on_error=self._failed, parent=self)

    def _computed(self, stats: CohortStatistics) -> None:
        if isValid(self):  # the view may have been closed and deleted meanwhile
            self.show_statistics(stats)

    def show_statistics(self, stats: CohortStatistics) -> None:
        self.statistics = stats
        for button in (self.save_figure_button, self.print_figure_button):
            button.setEnabled(True)
        self.closure_chart.show_curves({a: s.closure for a, s in stats.arms.items()})
        self.recurrence_chart.show_curves({a: s.recurrence for a, s in stats.arms.items()})
        self.par_chart.show_values({a: s.par_week4_values for a, s in stats.arms.items()})
        self.at_risk_model.set_statistics(stats)
        self.summary_model.set_statistics(stats)
        fit_height(self.at_risk_table)
        self.summary_table.resizeRowsToContents()
        test = stats.logrank_closure
        if test is None or test.p is None:
            self.logrank_label.setText(self.tr("Log-rank test: needs two arms with episodes."))
        else:
            self.logrank_label.setText(self.tr(
                "Log-rank test of time to closure across arms: χ² = {0:.2f}, df = {1}, "
                "{2}.").format(test.chi2, test.df, format_p_value(test.p)))
        self.logrank_label.setText(self.logrank_label.text() + " " + self.tr(
            "NR: not reached (the curve has not fallen to 0.5)."))
        total = sum(s.closure.subjects for s in stats.arms.values())
        excluded = sum(stats.excluded.values())
        text = self.tr("{0} index episodes; area by {1}").format(total, stats.area_method.value)
        if excluded:
            text += self.tr("; {0} left out (no arm or no valid baseline)").format(excluded)
        self.status.setText(text)
        self.statistics_ready.emit(stats)

    def _failed(self, error: Exception) -> None:
        if not isValid(self):
            return
        self.status.setText(self.tr("Could not compute: {0}").format(error))
        self.statistics_failed.emit(str(error))

    # -- exports --------------------------------------------------------------------------
    def export_research(self) -> None:
        from app.services.exports import export_research_csv

        self._export(self.tr("Export research CSV"), self.tr("CSV files (*.csv)"),
                     "research.csv", export_research_csv)

    def export_fhir(self) -> None:
        from app.services.exports import export_fhir_bundle

        self._export(self.tr("Export FHIR R4 bundle"), self.tr("FHIR JSON (*.json)"),
                     "clinic-fhir.json", export_fhir_bundle)

    def _export(self, title: str, pattern: str, default_name: str, run: Callable) -> None:
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / default_name),
                                              pattern)
        if not path:
            return
        db, actor = self.db, self.actor
        self.status.setText(self.tr("Exporting to {0}…").format(path))
        self.runner.call("cohort-export", lambda: run(db, Path(path), actor=actor),
                         self._exported, on_error=self._export_failed, parent=self)

    def _exported(self, result) -> None:
        if not isValid(self):
            return
        mode = self.tr("pseudonymised") if result.pseudonymised else self.tr("identified")
        self.status.setText(self.tr("Exported {0} records of {1} patients ({2}) to {3}").format(
            result.records, result.patients, mode, result.path))
        self.export_finished.emit(result)

    def _export_failed(self, error: Exception) -> None:
        if not isValid(self):
            return
        self.status.setText(self.tr("Export failed: {0}").format(error))
        self.export_finished.emit(error)

    # -- the figure on paper ----------------------------------------------------------------
    def figure_title(self) -> str:
        """What the figure counts, printed above it."""
        stats = self.statistics
        total = sum(s.closure.subjects for s in stats.arms.values()) if stats else 0
        parts = [self.tr("Cohort: time to closure by treatment arm"),
                 self.tr("{0} index episodes").format(total)]
        filters = self.filters()
        if filters.baseline_from or filters.baseline_to:
            parts.append(self.tr("baseline {0} to {1}").format(
                filters.baseline_from or "…", filters.baseline_to or "…"))
        for combo in (self.etiology_filter, self.wagner_filter, self.area_filter):
            if combo.currentData() is not None:
                parts.append(combo.currentText())
        parts.append(self.tr("printed {0}").format(dt.date.today().isoformat()))
        return " · ".join(parts)

    def save_figure(self) -> None:
        from app.ui.cohort.figure import save_figure

        default = str(Path.home() / f"cohort-{dt.date.today().isoformat()}.png")
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("Save cohort figure"), default,
                                                   self.tr("PNG image (*.png);;PDF (*.pdf)"))
        if not path:
            return
        target = Path(path)
        if not target.suffix and "pdf" in (chosen or "").lower():
            target = target.with_name(target.name + ".pdf")
        try:
            written = save_figure(self.figure, self.figure_title(), target)
        except OSError as exc:
            self.status.setText(self.tr("The figure could not be saved: {0}").format(exc))
            return
        self.status.setText(self.tr("Figure saved to {0}").format(str(written)))

    def print_figure(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from app.ui.cohort.figure import print_figure

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName("cohort")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print cohort figure"))
        result = dialog.exec()
        if getattr(result, "value", result) != QDialog.DialogCode.Accepted.value:
            return
        if print_figure(self.figure, self.figure_title(), printer):
            self.status.setText(self.tr("Figure sent to the printer."))
        else:
            self.status.setText(self.tr("The printer could not be started."))


def open_cohort_view(window: QWidget, runner: DatabaseRunner, actor: Actor) -> CohortView:
    """Show the window's cohort view (one per main window), creating it on first use."""
    view = window.cohort_view
    if view is None:
        view = CohortView(runner=runner, actor=actor, parent=window)
        window.cohort_view = view
    else:
        view.refresh()
    view.show()
    view.raise_()
    view.activateWindow()
    return view
