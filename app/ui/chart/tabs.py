"""The patient chart (`chartTabs`): Overview, Visits, Healing curves, Pain, Labs, Treatments,
Adverse events.

Only the visible tab is refreshed when a new chart arrives; a hidden tab refreshes when it is
next shown. The chart tabs build their pyqtgraph widgets the first time they are shown, so
pyqtgraph is imported only then (docs/house_style.md "start-up is sacred").
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.patient_chart import PatientChart
from app.ui.chart.overview import OverviewTab
from app.ui.chart.tables import (
    RECORD_ID_ROLE,
    SORT_ROLE,
    TREATMENT_FLEXIBLE,
    RecordTableModel,
    adverse_event_columns,
    exosome_column,
    treatment_columns,
    visit_columns,
    visit_rows,
)

TAB_STYLE = """
QTabBar::tab { padding: 4px 7px; margin-right: 1px; background: #e9e9e9;
               border: 1px solid #c4c4c4; border-bottom: none;
               border-top-left-radius: 3px; border-top-right-radius: 3px; }
QTabBar::tab:selected { background: #ffffff; }
QTabBar::tab:!selected:hover { background: #f4f4f4; }
"""


class RecordTableView(QTableView):
    """A read-only table that says so when it has no rows, rather than showing a blank.

    With a `flexible_column`, the columns fit the view's width: every other column is as wide
    as its content, and the flexible one (free text, elided, full text in its tooltip) takes
    what is left, so the last column stays in view at the default window size."""

    FLEXIBLE_MIN = 70
    COLUMN_MAX = 180  # a longer cell is elided; its tooltip has it all
    CANDIDATES = 3  # cells measured by the delegate: the widest texts (ties of rounding)

    def __init__(self, placeholder: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.placeholder = placeholder
        self.flexible_column: int | None = None
        self.flexible_min = self.FLEXIBLE_MIN

    def fit_columns(self) -> None:
        """Size the columns to their content, the flexible one to the width left over."""
        model, flexible = self.model(), self.flexible_column
        if model is None or flexible is None or not 0 <= flexible < model.columnCount():
            return
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        for column in range(model.columnCount()):
            if column != flexible:
                header.resizeSection(column, self._content_width(column))
        self._fit_flexible()

    def _content_width(self, column: int) -> int:
        """The widest cell, or the longest line of the header with room for the sort arrow."""
        from PySide6.QtWidgets import QStyle  # its enums are built when first reached: not
        # before the first paint (bench/README.md, "Start-up imports")

        style, header = self.style(), self.horizontalHeader()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        arrow = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header)
        text = str(self.model().headerData(column, Qt.Orientation.Horizontal) or "")
        metrics = header.fontMetrics()
        title = max((metrics.horizontalAdvance(line) for line in text.split("\n")), default=0)
        return max(min(self._cells_width(column) + 2, self.COLUMN_MAX),
                   title + 3 * margin + arrow)

    def _cells_width(self, column: int) -> int:
        """What sizeHintForColumn answers (the delegate's width of the widest cell, one more
        for the grid), asking the delegate about the few cells whose text is widest only: Qt
        asks it about every row, a Python data() call per role and cell (bench/README.md,
        "Chart open")."""
        proxy = self.model()
        source = proxy.sourceModel() if isinstance(proxy, QSortFilterProxyModel) else None
        rows = source.rowCount() if isinstance(source, RecordTableModel) else 0
        if not 0 < rows <= self.verticalHeader().resizeContentsPrecision():
            return self.sizeHintForColumn(column)
        metrics = self.fontMetrics()
        widths = [max(map(metrics.horizontalAdvance, text.split("\n")))
                  for text in source.column_texts(column)]
        widest = sorted(range(rows), key=widths.__getitem__, reverse=True)[:self.CANDIDATES]
        from PySide6.QtWidgets import QStyleOptionViewItem  # see _content_width

        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate = self.itemDelegateForColumn(column) or self.itemDelegate()
        hint = max(delegate.sizeHint(option, proxy.mapFromSource(source.index(row, column)))
                   .width() for row in widest)
        return hint + 1 if self.showGrid() else hint

    def _fit_flexible(self) -> None:
        model, flexible = self.model(), self.flexible_column
        if model is None or flexible is None or not 0 <= flexible < model.columnCount():
            return
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(model.columnCount()) if c != flexible)
        room = self.viewport().width() - others
        header.resizeSection(flexible, max(self.flexible_min, room))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_flexible()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        model = self.model()
        if self.placeholder and model is not None and model.rowCount() == 0:
            from PySide6.QtGui import QColor, QPainter  # QPainter's enums: see _content_width

            painter = QPainter(self.viewport())
            painter.setPen(QColor("#666"))
            painter.drawText(self.viewport().rect().adjusted(0, 24, 0, 0),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                             self.placeholder)
            painter.end()


def record_table(name: str, model: RecordTableModel, widths: tuple[int, ...],
                 placeholder: str = "") -> RecordTableView:
    """A sortable, read-only table view over `model`."""
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = RecordTableView(placeholder)
    view.setObjectName(name)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


class LazyPage(QWidget):
    """A tab page whose content is built the first time it is shown."""

    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self._build = build
        self.content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.content is None:
            self.content = self._build()
            self._layout.addWidget(self.content)
        return self.content


class PatientChartTabs(QTabWidget):
    """The tabs of one patient's chart; `show_chart(chart)` fills them."""

    visit_activated = Signal(int)  # visit id, on double-click in the Visits table

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chartTabs")
        # Nine tabs in the chart panel at 1280×800: narrower tabs so none hides behind
        # the scroll arrows.
        self.tabBar().setStyleSheet(TAB_STYLE)
        self.chart: PatientChart | None = None
        self._shown: dict[QWidget, PatientChart | None] = {}
        self._laid_out: tuple | None = None  # the _layout_key of the last layout

        # The Overview and the Visits table (docs/product.md "Test surface") are built now;
        # every other page when first shown or first asked for (`treatment_table`, ...): the
        # first paint shows their headers only (bench/README.md, "Start-up imports").
        self.overview = OverviewTab()
        self.visit_table = self._build_visits()
        self.visit_model: RecordTableModel = self.visit_table.model().sourceModel()
        self.healing_page = LazyPage(self._build_healing)
        self.pain_page = LazyPage(self._build_pain)
        self.lab_page = LazyPage(self._build_labs)
        self.treatment_page = LazyPage(self._build_treatments)
        self.adverse_event_page = LazyPage(self._build_adverse_events)
        self.addTab(self.overview, self.tr("Overview"))
        self.addTab(self.visit_table, self.tr("Visits"))
        self.addTab(self.healing_page, self.tr("Healing curves"))
        self.addTab(self.pain_page, self.tr("Pain"))
        self.addTab(self.lab_page, self.tr("Labs"))
        self.addTab(self.treatment_page, self.tr("Treatments"))
        self.addTab(self.adverse_event_page, self.tr("Adverse events"))
        self.currentChanged.connect(self._refresh_current)

    # -- the record tables, built on first show --------------------------------------------
    @property
    def treatment_table(self) -> RecordTableView:
        return self.treatment_page.ensure_built()  # type: ignore[return-value]

    @property
    def treatment_model(self) -> RecordTableModel:
        return self.treatment_table.model().sourceModel()

    @property
    def adverse_event_table(self) -> RecordTableView:
        return self.adverse_event_page.ensure_built()  # type: ignore[return-value]

    @property
    def adverse_event_model(self) -> RecordTableModel:
        return self.adverse_event_table.model().sourceModel()

    def _build_visits(self) -> RecordTableView:
        model = RecordTableModel(visit_columns(), record_id=lambda r: r.visit.id, parent=self)
        view = record_table("visitTable", model, (84, 190, 72, 78, 150, 84, 100),
                            self.tr("No visit recorded yet."))
        view.doubleClicked.connect(self._visit_double_clicked)
        view.setToolTip(self.tr("Double-click a visit to edit it"))
        return view

    def _build_treatments(self) -> QWidget:
        model = RecordTableModel(treatment_columns(), record_id=lambda t: t.id, parent=self)
        view = record_table("treatmentTable", model, (84, 100, 132, 72, 110, 88, 84, 100, 200),
                            self.tr("No treatment recorded."))
        view.flexible_column = TREATMENT_FLEXIBLE  # "Standard care"
        return view

    def _build_adverse_events(self) -> QWidget:
        model = RecordTableModel(adverse_event_columns(), record_id=lambda e: e.id, parent=self)
        view = record_table("adverseEventTable", model, (84, 160, 56, 56, 88, 92, 84),
                            self.tr("No adverse event recorded."))
        view.flexible_column = 1  # the event's description
        return view

    def page_of(self, widget: QWidget) -> QWidget:
        """The tab page showing `widget`: its LazyPage for a page's content, else itself."""
        parent = widget.parentWidget()
        return parent if isinstance(parent, LazyPage) and parent.content is widget else widget

    def indexOf(self, widget: QWidget) -> int:  # noqa: N802 (Qt's name)
        """The tab of `widget`, a page or a page's content (e.g. `visit_table`)."""
        return super().indexOf(self.page_of(widget))

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt's name)
        super().setCurrentWidget(self.page_of(widget))

    # -- chart widgets, built on first show ------------------------------------------------
    def _build_healing(self) -> QWidget:
        from app.ui.chart.healing import HealingChart

        self.healing_chart = HealingChart()
        return self.healing_chart

    def _build_pain(self) -> QWidget:
        from app.ui.chart.trends import PainChart

        self.pain_chart = PainChart()
        return self.pain_chart

    def _build_labs(self) -> QWidget:
        from app.ui.chart.trends import LabChart

        self.lab_chart = LabChart()
        return self.lab_chart

    # -- data --------------------------------------------------------------------------
    def show_chart(self, chart: PatientChart | None) -> None:
        """A new chart (or None to clear); the visible tab is refreshed now, others later."""
        self.chart = chart
        self._refresh_current()

    def _refresh_current(self, *_args) -> None:
        page = self.currentWidget()
        if page in (self.treatment_page, self.adverse_event_page):
            page.ensure_built()  # its headers and "No … recorded" even without a patient
        if page is not None:
            self._refresh(page)

    def _refresh(self, page: QWidget) -> None:
        """Fill one tab with the current chart, unless it already shows it."""
        if self.chart is None or self._shown.get(page) is self.chart:
            return
        self._shown[page] = self.chart
        chart = self.chart
        if page is self.overview:
            self.overview.show_chart(chart)
        elif page is self.visit_table:
            sites, rows = visit_rows(chart.history)
            self.visit_model.set_content(visit_columns(sites), rows)
            self.visit_table.flexible_column = exosome_column(sites)
            self.visit_table.fit_columns()
        elif page is self.treatment_page:
            self.treatment_model.set_rows(chart.history.treatments)
            self.treatment_table.fit_columns()
        elif page is self.adverse_event_page:
            self.adverse_event_model.set_rows(chart.history.adverse_events)
            self.adverse_event_table.fit_columns()
        elif isinstance(page, LazyPage):
            content = page.ensure_built()
            content.show_chart(chart)  # type: ignore[attr-defined]
        elif hasattr(page, "show_chart"):  # tabs added by other features (e.g. Audit)
            page.show_chart(chart)

    def is_stale(self, page: QWidget) -> bool:
        """True when `page` (or a page's content) does not show the current chart yet (it is
        drawn when shown)."""
        return self.chart is not None and self._shown.get(self.page_of(page)) is not self.chart

    def refresh_all(self) -> None:
        """Bring every tab up to date with the current chart: the visible tab is drawn now,
        each hidden tab is stale and is drawn when it is next shown (what a user waits for
        is the tab in front of them; bench/README.md, "Chart open")."""
        self._refresh_current()

    def fill_all(self) -> None:
        """Draw every tab now, visible or not (tests and screenshots read hidden tabs)."""
        for index in range(self.count()):
            self._refresh(self.widget(index))

    def event(self, event: QEvent) -> bool:
        """A layout request that changes nothing the tabs are laid out from is dropped:
        QTabWidget answers every one by laying out its bar and pages again and repainting
        itself whole, and one comes up whenever the visible page's contents change size (the
        healing legend's text at every patient), so the plot was painted twice per chart."""
        if event.type() == QEvent.Type.LayoutRequest:
            key = self._layout_key()
            if key == self._laid_out:
                return True
            self._laid_out = key
        return super().event(event)

    def _layout_key(self) -> tuple:
        """What QTabWidget's layout of the bar and the pages depends on."""
        bar = self.tabBar()
        return (self.size().toTuple(), self.count(), self.currentIndex(),
                bar.sizeHint().toTuple(), bar.minimumSizeHint().toTuple(),
                self.sizeHint().toTuple(), self.minimumSizeHint().toTuple())

    def _visit_double_clicked(self, index) -> None:
        visit_id = index.siblingAtColumn(0).data(RECORD_ID_ROLE)
        if visit_id is not None:
            self.visit_activated.emit(int(visit_id))
