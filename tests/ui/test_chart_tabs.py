"""The chart tabs of a known golden patient: every chart shows the right points."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QWidget

from app.domain.analytes import ANALYTES
from app.services.patient_chart import load_patient_chart
from app.services.patient_list import load_patient_list
from tests.ui.golden_support import golden_copy, golden_template  # noqa: F401 (fixtures)

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def tabs(qtbot, golden_copy):
    """The chart tabs, shown, for whichever golden patient a test loads with `show`."""
    from app.ui.chart.tabs import PatientChartTabs

    widget = PatientChartTabs()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    with golden_copy.read() as session:
        ids = {r.mrn: r.id for r in load_patient_list(session, today=TODAY)}

    def show(mrn: str):
        with golden_copy.read() as session:
            chart = load_patient_chart(session, ids[mrn], today=TODAY)
        widget.show_chart(chart)
        return chart

    widget.show_mrn = show
    yield widget
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def plain(html: str) -> str:
    """What a rich-text label reads as, with ordinary spaces."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText().replace("\xa0", " ")


def points(item) -> tuple[list[float], list[float]]:
    xs, ys = item.getData()
    return ([] if xs is None else list(xs)), ([] if ys is None else list(ys))


def test_chart_widgets_carry_their_object_names(tabs):
    tabs.show_mrn("H-01002")
    tabs.fill_all()
    for name in ("areaChart", "painChart", "labChart", "visitTable", "treatmentTable",
                 "adverseEventTable", "healingAxis", "labAnalytes"):
        assert tabs.findChild(QWidget, name) is not None, name
    import pyqtgraph as pg

    for name in ("areaChart", "painChart", "labChart"):
        assert isinstance(tabs.findChild(QWidget, name), pg.PlotWidget), name


def test_area_chart_one_curve_per_episode_with_par_and_targets(tabs):
    chart = tabs.show_mrn("H-01007")  # two episodes of L-MTH1-plantar: 11 and 8 assessments
    tabs.setCurrentWidget(tabs.healing_page)
    healing = tabs.healing_chart
    episodes = chart.history.episodes
    assert [len(e.assessments) for e in episodes] == [11, 8]
    for n, episode in enumerate(episodes):
        xs, areas = points(healing.area_curve(n))
        assert xs == [float((a.on - episode.assessments[0].on).days) for a in episode.assessments]
        assert areas == pytest.approx([a.area_cm2 for a in episode.assessments])
        assert points(healing.par_curve(n))[1] == pytest.approx(list(episode.metrics.par_series))
    assert [tuple(p.pos()) for p in healing.targets.points()] == [(28.0, 50.0), (28.0, 50.0)]
    assert healing.day28_line.isVisible()
    item = healing.plot.getPlotItem()
    assert item.getAxis("left").labelText == "Ulcer area (cm²)"
    assert item.getAxis("right").labelText == "Area reduction, PAR (%)"
    assert item.getAxis("bottom").labelText == "Days since baseline (days)"
    assert healing.legend_entries[:3] == ["L-MTH1-plantar", "L-MTH1-plantar (episode 2)",
                                          "PAR, dashed (right axis)"]
    assert "L-MTH1-plantar (episode 2)" in plain(healing.legend.text())
    # The next patient reuses the curves; a spare curve is emptied, not left behind.
    tabs.show_mrn("H-01003")
    assert len(points(healing.area_curve(0))[0]) == 18
    assert points(healing.area_curve(1)) == ([], [])
    assert healing.legend_entries[0] == "R-hallux-plantar"
    assert "exosome dose" in plain(healing.legend.text())  # H-01003 had one dose
    tabs.show_mrn("H-01001")
    assert healing.legend_entries[0] == "L-hallux-plantar"
    assert "exosome dose" not in plain(healing.legend.text())


def test_exosome_doses_are_markers_with_product_lot_dose_and_route(tabs):
    chart = tabs.show_mrn("H-01002")
    tabs.setCurrentWidget(tabs.healing_page)
    healing = tabs.healing_chart
    doses = chart.history.exosome_doses
    assert len(doses) == 3
    tips = healing.dose_tips()
    assert len(tips) == 3
    for dose, tip in zip(doses, tips):
        assert dose.exosome_lot and f"Lot: {dose.exosome_lot}" in tip
        assert f"Route: {dose.exosome_route}" in tip
        assert "Product:" in tip and "Dose:" in tip


def test_x_axis_switch_first_dose_and_calendar(tabs):
    import pyqtgraph as pg

    chart = tabs.show_mrn("H-01002")
    tabs.setCurrentWidget(tabs.healing_page)
    healing = tabs.healing_chart
    from app.ui.chart.healing import XAxis

    first_dose = chart.history.exosome_doses[0].on
    healing.set_x_axis(XAxis.FIRST_DOSE)
    assert [p.pos().x() for p in healing.doses.points()][0] == 0.0
    xs = points(healing.area_curve(0))[0]
    assert xs[0] == float((chart.history.episodes[0].assessments[0].on - first_dose).days)
    assert not healing.day28_line.isVisible()
    healing.set_x_axis(XAxis.CALENDAR)
    axis = healing.plot.getPlotItem().getAxis("bottom")
    assert isinstance(axis, pg.DateAxisItem) and axis.labelText == "Visit date"
    first = chart.history.episodes[0].assessments[0].on
    assert points(healing.area_curve(0))[0][0] == dt.datetime(
        first.year, first.month, first.day, tzinfo=dt.timezone.utc).timestamp()
    # A patient without doses cannot keep the first-dose axis.
    healing.set_x_axis(XAxis.FIRST_DOSE)
    tabs.show_mrn("H-01001")
    assert healing.x_axis is XAxis.BASELINE
    assert not healing.axis_select.model().item(1).isEnabled()


def test_pain_chart_points_and_band(tabs):
    chart = tabs.show_mrn("H-01007")
    tabs.setCurrentWidget(tabs.pain_page)
    pain = tabs.pain_chart
    assert len(points(pain.curve)[1]) == 19
    assert points(pain.curve)[1] == [v.vas for v in chart.history.visits]
    baseline = chart.history.pain.baseline_vas
    assert pain.band.getRegion() == pytest.approx((baseline - 2, baseline + 2))
    assert pain.plot.getPlotItem().getAxis("left").labelText == "VAS pain (0–10 points)"
    assert "clinically important reduction" in pain.summary.text()


def test_lab_small_multiples_with_bands_and_flags(tabs):
    chart = tabs.show_mrn("H-01007")
    tabs.setCurrentWidget(tabs.lab_page)
    labs = tabs.lab_chart
    assert labs.selected == ["crp_mg_l", "esr_mm_h", "tnf_alpha_pg_ml", "il6_pg_ml",
                             "il10_pg_ml"]
    crp = [v.labs["crp_mg_l"] for v in chart.history.visits if "crp_mg_l" in v.labs]
    assert len(points(labs.plot.curve_for("crp_mg_l"))[1]) == len(crp) == 12
    assert labs.plot.flags_for("crp_mg_l") == [lab.flag for lab in crp if lab.flag in "HL"]
    assert labs.plot.flags_for("crp_mg_l").count("H") == sum(lab.value > 10 for lab in crp)
    assert labs.plot.marks_for("crp_mg_l") == {"H": sum(lab.value > 10 for lab in crp), "L": 0}
    assert points(labs.plot.curve_for("tnf_alpha_pg_ml")) == ([], [])  # not recorded
    first = labs.plot.slots[0]
    assert first.plot is labs.plot.plotItem  # the PlotWidget's own plot is the first multiple
    assert first.band.getRegion() == (0, 10)
    assert first.plot.getAxis("left").labelText == "CRP (mg/L)"
    shared = {s.plot.getViewBox().viewRange()[0][0] for s in labs.plot.slots[:5]}
    assert len(shared) == 1  # one time axis
    labs.actions_by_column["esr_mm_h"].trigger()  # untick ESR from the chooser
    labs.actions_by_column["albumin_g_l"].trigger()  # tick albumin
    assert "esr_mm_h" not in labs.selected and "albumin_g_l" in labs.selected
    assert labs.plot.curve_for("esr_mm_h") is None
    albumin = labs.plot.curve_for("albumin_g_l")
    assert len(points(albumin)[1]) == sum("albumin_g_l" in v.labs for v in chart.history.visits)
    assert [s.column for s in labs.plot.slots[:5]] == ["crp_mg_l", "albumin_g_l",
                                                       "tnf_alpha_pg_ml", "il6_pg_ml",
                                                       "il10_pg_ml"]
    assert ANALYTES["albumin_g_l"].unit in labs.plot.slots[1].plot.getAxis("left").labelText


def test_tables_list_visits_treatments_and_events(tabs):
    chart = tabs.show_mrn("H-01002")
    tabs.fill_all()
    assert tabs.visit_model.rowCount() == len(chart.history.visits) == 19
    assert tabs.treatment_model.rowCount() == len(chart.history.treatments)
    newest = tabs.visit_table.model().index(0, 0).data()
    assert newest == chart.history.visits[-1].visit_date.isoformat()
    visits = tabs.visit_model
    headers = [visits.headerData(c, Qt.Orientation.Horizontal) for c in range(visits.columnCount())]
    assert headers[:3] == ["Date", "R-MTH5-plantar\narea (cm²)", "VAS\n(0–10)"]
    episode = chart.history.episodes[0]
    by_visit = {a.visit_id: a for a in episode.assessments}
    for row in range(visits.rowCount()):  # each ulcer's areas read down its own column
        record = visits.row_at(row).visit
        shown = visits.index(row, 1).data()
        assessed = by_visit.get(record.id)
        assert shown == ("" if assessed is None else "closed" if assessed.closed
                         else f"{assessed.area_cm2:.2f}")
    model = tabs.treatment_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    dose = chart.history.exosome_doses[0]
    first = dict(zip(headers, (model.index(0, c).data() for c in range(model.columnCount()))))
    assert first["Date"] == chart.history.treatments[0].on.isoformat()
    assert {"Exosome product", "Lot", "Dose", "Route"} <= set(headers)
    lots = {model.index(r, headers.index("Lot")).data() for r in range(model.rowCount())}
    assert dose.exosome_lot in lots
    assert tabs.adverse_event_table.placeholder == "No adverse event recorded."


def test_hidden_tabs_refresh_when_next_shown(tabs):
    tabs.show_mrn("H-01002")
    tabs.setCurrentWidget(tabs.visit_table)
    assert tabs.visit_model.rowCount() == 19
    chart = tabs.show_mrn("H-01000")  # visits visible: refreshed now
    assert tabs.visit_model.rowCount() == len(chart.history.visits) == 14
    tabs.setCurrentWidget(tabs.overview)
    tabs.show_mrn("H-01003")
    assert tabs.visit_model.rowCount() == 14  # hidden: not yet
    tabs.setCurrentWidget(tabs.visit_table)
    assert tabs.visit_model.rowCount() == 18


def test_refresh_all_draws_the_visible_tab_and_leaves_hidden_ones_stale(tabs):
    tabs.setCurrentWidget(tabs.healing_page)
    tabs.fill_all()  # nothing to draw yet: no chart
    chart = tabs.show_mrn("H-01002")
    tabs.refresh_all()
    assert not tabs.is_stale(tabs.healing_page)
    assert len(points(tabs.healing_chart.area_curve(0))[0]) > 0
    hidden = [tabs.widget(i) for i in range(tabs.count()) if tabs.widget(i) is not
              tabs.healing_page]
    assert all(tabs.is_stale(page) for page in hidden)
    assert tabs.lab_page.content is None  # the Labs chart is not even built yet
    assert tabs.visit_model.rowCount() == 0
    tabs.setCurrentWidget(tabs.lab_page)  # shown: drawn now, from the same chart
    assert not tabs.is_stale(tabs.lab_page)
    crp = tabs.lab_chart.plot.curve_for("crp_mg_l")
    assert len(points(crp)[1]) == sum("crp_mg_l" in v.labs for v in chart.history.visits) > 0
    tabs.fill_all()
    assert not any(tabs.is_stale(page) for page in hidden)
    assert tabs.visit_model.rowCount() == len(chart.history.visits) == 19


def test_healing_x_range_is_settled_before_the_paint(tabs):
    """The next patient's x range is set when the data is, not by the paint (a range changed
    while painting dirties the scene and paints the chart a second time)."""
    tabs.setCurrentWidget(tabs.healing_page)
    tabs.show_mrn("H-01007")
    QCoreApplication.processEvents()
    chart = tabs.show_mrn("H-01002")  # no event processed: no paint since the data changed
    view = tabs.healing_chart.plot.getPlotItem().vb
    low, high = view.viewRange()[0]
    days = [float((a.on - e.assessments[0].on).days) for e in chart.history.episodes
            for a in e.assessments]
    assert low <= min(days) and max(days) <= high
    assert high - low < 1.3 * (max(days) - min(days))  # fitted, not the previous range


def test_symbols_are_drawn_once_not_at_every_chart(tabs):
    """pyqtgraph keeps each symbol drawn in an atlas keyed on the pen and brush objects:
    the charts reuse theirs, so showing patients again adds nothing to the atlases."""
    def atlases() -> list[int]:
        healing, labs = tabs.healing_chart, tabs.lab_chart.plot
        scatters = [healing.targets, healing.photo_points, healing.doses]
        scatters += [c.area.scatter for c in healing.curves] + [c.par.scatter for c in
                                                                  healing.curves]
        scatters += [s.curve.scatter for s in labs.slots]
        return [len(s.fragmentAtlas) for s in scatters]

    def both() -> None:
        for mrn in ("H-01007", "H-01003"):
            tabs.show_mrn(mrn)
            for page in (tabs.healing_page, tabs.lab_page):
                tabs.setCurrentWidget(page)
                QCoreApplication.processEvents()  # painted: the atlases are filled

    both()
    drawn = atlases()
    assert sum(drawn) > 0
    both()
    both()
    assert atlases() == drawn


def test_table_columns_are_as_wide_as_qt_measures_them(tabs):
    """The tables measure only their widest cells with the delegate: the widths are what
    Qt's sizeHintForColumn gives from every cell, for every golden patient."""
    views = (tabs.visit_table, tabs.treatment_table, tabs.adverse_event_table)
    checked = 0
    for mrn in ("H-01000", "H-01001", "H-01002", "H-01003", "H-01006", "H-01007"):
        tabs.show_mrn(mrn)
        tabs.fill_all()
        for view in views:
            for column in range(view.model().columnCount()):
                if view.model().rowCount():
                    assert view._cells_width(column) == view.sizeHintForColumn(column), \
                        (mrn, view.objectName(), column)
                    checked += 1
    assert checked > 60


def test_a_new_legend_repaints_the_legend_not_the_whole_chart(tabs):
    """The healing legend's new text changes the page's contents, not the tabs' layout: the
    tab widget is not laid out and repainted whole (the plot painted a second time)."""
    from PySide6.QtCore import QObject

    class Paints(QObject):
        whole = 0

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint and \
                    event.region().boundingRect() == watched.rect():
                self.whole += 1
            return False

    tabs.setCurrentWidget(tabs.healing_page)
    tabs.show_mrn("H-01007")
    for _ in range(5):
        QCoreApplication.processEvents()
    paints = Paints()
    tabs.installEventFilter(paints)
    legend = tabs.healing_chart.legend_entries
    tabs.show_mrn("H-01003")  # one episode and a dose: another legend
    assert tabs.healing_chart.legend_entries != legend
    for _ in range(5):
        QCoreApplication.processEvents()
    assert paints.whole == 0
    tabs.resize(920, 700)  # a real change of the tabs' layout still lays them out
    for _ in range(5):
        QCoreApplication.processEvents()
    assert paints.whole >= 1
    assert tabs.currentWidget().geometry().width() > 880


def test_par_label_is_drawn_above_every_curve(tabs):
    tabs.show_mrn("H-01007")
    tabs.setCurrentWidget(tabs.healing_page)
    healing = tabs.healing_chart
    label = healing.target_line.label
    assert label.isVisible() and label.toPlainText() == "PAR 50%"
    scene = healing.plot.scene()
    stacked = scene.items()  # topmost first
    curves = [c.area.curve for c in healing.curves] + [c.par.curve for c in healing.curves]
    assert all(stacked.index(label) < stacked.index(curve) for curve in curves)
    assert label.fill.color().alpha() > 200  # an opaque patch behind the words


def _lowest_point_inside(plot, ys) -> bool:
    low, high = plot.getViewBox().viewRange()[1]
    return low < min(ys) and (min(ys) - low) >= 0.05 * (high - low)


def test_lab_panels_keep_room_under_the_lowest_point(tabs):
    tabs.show_mrn("H-01007")
    tabs.setCurrentWidget(tabs.lab_page)
    labs = tabs.lab_chart
    labs.set_selected(["crp_mg_l", "il6_pg_ml", "il10_pg_ml", "albumin_g_l"])
    drawn = 0
    for slot in labs.plot.slots[:4]:
        ys = points(slot.curve)[1]
        if ys:
            drawn += 1
            assert _lowest_point_inside(slot.plot, ys), slot.column
            low, high = slot.plot.getViewBox().viewRange()[1]
            assert high > max(ys)
    assert drawn >= 2


def test_flag_letters_are_thinned_on_long_series():
    from app.ui.chart.trends import MAX_LETTERS, letter_points

    assert letter_points(["H", "H", None, "H", "L", "L"]) == [0, 3, 4]
    alternating = ["H", None] * (MAX_LETTERS + 1)
    assert letter_points(alternating) == []  # too many runs: dots only
    assert letter_points(["H"] * 40) == [0]


def test_a_long_flagged_series_shows_dots_and_few_letters(tabs):
    import dataclasses

    chart = tabs.show_mrn("H-01007")
    history = chart.history
    lab = next(v.labs["crp_mg_l"] for v in history.visits if "crp_mg_l" in v.labs)
    visits = []
    for n in range(60):  # sixty visits, CRP alternating high and normal
        day = history.visits[0].visit_date + dt.timedelta(days=7 * n)
        value = dataclasses.replace(lab, value=40.0 if n % 2 else 5.0,
                                    flag="H" if n % 2 else None)
        visits.append(dataclasses.replace(history.visits[0], visit_date=day,
                                          labs={"crp_mg_l": value}))
    long_chart = dataclasses.replace(chart, history=dataclasses.replace(
        history, visits=tuple(visits)))
    tabs.setCurrentWidget(tabs.lab_page)
    tabs.show_chart(long_chart)
    labs = tabs.lab_chart.plot
    assert labs.marks_for("crp_mg_l") == {"H": 30, "L": 0}  # every flagged point a dot
    assert labs.letters_for("crp_mg_l") == 0  # no smear of 30 letters
    dots = labs.slots[0].marks["H"][0]
    assert dots.points()[0].size() < 8  # smaller dots when dense


def test_visits_table_shows_its_last_column_at_the_default_size(qtbot, golden_copy):
    from app.ui.main_window import create_main_window

    window = create_main_window(golden_copy.url, "nurse.test", today=TODAY)
    qtbot.addWidget(window, before_close_func=lambda w: w.runner.wait())
    with qtbot.waitSignal(window.patients_loaded, timeout=20_000):
        window.show()
    assert (window.width(), window.height()) == (1280, 800)
    with qtbot.waitSignal(window.chart_loaded, timeout=20_000):
        window.select_patient(window.patient_model.row_at(0).id)
    tabs = window.chart_tabs
    bar = tabs.tabBar()  # every tab (the Audit tab last) in view, none behind scroll arrows
    assert bar.tabRect(bar.count() - 1).right() <= bar.width()
    for mrn in ("H-01002", "H-01007"):
        row = next(r for r in window.patient_model.all_rows if r.mrn == mrn)
        with qtbot.waitSignal(window.chart_loaded, timeout=20_000):
            window.select_patient(row.id)
        tabs.setCurrentWidget(tabs.visit_table)
        table = tabs.visit_table
        header = table.horizontalHeader()
        last = table.model().columnCount() - 1
        assert table.model().headerData(last, Qt.Orientation.Horizontal) == "Clinician"
        scroll = table.horizontalScrollBar()
        qtbot.waitUntil(lambda: scroll.maximum() == 0)  # noqa: B023 (nothing hidden)
        right = header.sectionViewportPosition(last) + header.sectionSize(last)
        assert right <= table.viewport().width(), mrn
        assert header.sectionSize(last) >= table.sizeHintForColumn(last), mrn  # not squeezed
    window.close()


def test_tables_use_the_shared_labels(tabs):
    import dataclasses

    from app.domain.labels import SOURCE_LABELS, site_label

    chart = tabs.show_mrn("H-01002")
    tabs.fill_all()
    model = tabs.treatment_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    dose = dataclasses.replace(chart.history.exosome_doses[0], exosome_source="umbilical_cord")
    model.set_rows([dose])
    assert model.index(0, headers.index("Source")).data() == "umbilical-cord MSC" == \
        SOURCE_LABELS["umbilical_cord"]
    assert model.index(0, headers.index("Ulcer")).data(Qt.ItemDataRole.ToolTipRole) == \
        site_label(dose.site) == "right ball of the foot under the little toe"
    card = tabs.overview.findChild(QWidget, "episodeCard")
    assert card.title.toolTip() == site_label(chart.history.episodes[0].site)
    assert card.title.toolTip() in card.title.text()  # said on the card, not only on hover
    assert all(value.alignment() & Qt.AlignmentFlag.AlignTop for value in card.shown)


def test_a_closed_ulcers_zero_area_is_not_cut_off(tabs):
    chart = tabs.show_mrn("H-01007")  # the first episode closed: its last area is 0
    tabs.setCurrentWidget(tabs.healing_page)
    healing = tabs.healing_chart
    assert min(a.area_cm2 for a in chart.history.episodes[0].assessments) == 0
    low, high = healing.plot.getPlotItem().getViewBox().viewRange()[1]
    assert low < 0 and -low >= 0.03 * high  # room under the zero line for the marker
