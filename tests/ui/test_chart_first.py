"""The chart first, then the list (bench/README.md lesson 19): selecting a patient holds the
patient list's repaint until that patient's chart is delivered and painted, and the list is
never left held (an error, a newer selection, the same patient again, the timeout, closing)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QTableView

import app.ui.main_window as main_window_module
from app.ui.widgets.paint_hold import PaintHold
from tests.ui.golden_support import golden_copy, golden_template  # noqa: F401 (fixtures)
from tests.ui.test_main_window import open_window


class PaintLog(QObject):
    """Records, in order, the list viewport's paints and the charts delivered."""

    def __init__(self, window):
        super().__init__()
        self.events: list[tuple[str, object]] = []
        window.patient_table.viewport().installEventFilter(self)
        window.chart_loaded.connect(lambda pid: self.events.append(("chart", pid)))

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.events.append(("list paint", None))
        return False


@pytest.fixture
def window(qtbot, golden_copy):
    window = open_window(qtbot, golden_copy)
    window.list_hold.set_timeout_ms(30_000)  # no timeout on a loaded machine, but in its test
    yield window
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def ids(window) -> list[int]:
    model = window.patient_model
    return [model.row_at(r).id for r in range(model.rowCount())]


def settled(window) -> bool:
    return not window.list_hold.held and window.patient_table.viewport().updatesEnabled()


def test_the_list_repaints_after_the_chart_is_delivered(qtbot, window):
    first, last = ids(window)[0], ids(window)[-1]
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        window.select_patient(first)
    qtbot.waitUntil(lambda: settled(window))
    log = PaintLog(window)
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        window.select_patient(last)
        assert window.list_hold.held
    qtbot.waitUntil(lambda: ("list paint", None) in log.events, timeout=5_000)
    assert log.events.index(("chart", last)) < log.events.index(("list paint", None))
    assert settled(window)
    table = window.patient_table
    assert table.selectionModel().currentIndex().row() == len(ids(window)) - 1
    assert window.current_chart.history.patient.id == last


def test_a_load_error_releases_the_list(qtbot, window, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk gone")

    warnings = []
    monkeypatch.setattr(main_window_module, "load_patient_chart", broken)
    monkeypatch.setattr(main_window_module.QMessageBox, "warning",
                        lambda *args: warnings.append(args))
    window.select_patient(ids(window)[3])
    assert window.list_hold.held
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)
    assert settled(window)


def test_a_newer_selection_releases_the_list_at_once(qtbot, window):
    a, b = ids(window)[1], ids(window)[-2]
    window.select_patient(a)
    assert window.list_hold.held
    window.select_patient(b)  # before a's chart arrives
    assert settled(window)
    qtbot.waitUntil(lambda: window.current_chart is not None
                    and window.current_chart.history.patient.id == b, timeout=10_000)
    qtbot.waitUntil(lambda: settled(window))


def test_the_same_patient_again_holds_nothing(qtbot, window):
    pid = ids(window)[2]
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        window.select_patient(pid)
    qtbot.waitUntil(lambda: settled(window))
    window.select_patient(pid)  # no load: the armed hold is released at the next turn
    qtbot.waitUntil(lambda: settled(window), timeout=2_000)


def test_closing_mid_load_releases_the_list(qtbot, window):
    window.select_patient(ids(window)[4])
    assert window.list_hold.held
    window.close()
    assert settled(window)


@pytest.fixture
def demo_window(qtbot, demo_db):
    window = open_window(qtbot, demo_db)  # 40 patients
    window.list_hold.set_timeout_ms(30_000)
    yield window
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def test_quick_keyboard_navigation_through_20_rows(qtbot, demo_window):
    window = demo_window
    table = window.patient_table
    rows = ids(window)
    assert len(rows) > 20
    with qtbot.waitSignal(window.chart_loaded, timeout=10_000):
        window.select_patient(rows[0])
    qtbot.waitUntil(lambda: settled(window))
    log = PaintLog(window)
    table.setFocus()
    for _ in range(20):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert window.current_patient_id == rows[20]
    qtbot.waitUntil(lambda: window.current_chart.history.patient.id == rows[20], timeout=10_000)
    qtbot.waitUntil(lambda: settled(window), timeout=5_000)
    qtbot.waitUntil(lambda: ("list paint", None) in log.events, timeout=5_000)
    assert table.selectionModel().currentIndex().row() == 20


def test_the_timeout_ends_a_hold_whose_chart_never_comes(qtbot):
    table = QTableView()
    qtbot.addWidget(table)
    hold = PaintHold.over_view(table, table)
    hold.set_timeout_ms(30_000)
    hold.arm()
    hold.hold()  # claimed by a load that never delivers
    qtbot.wait(50)
    assert hold.held and not table.viewport().updatesEnabled()  # not at the next turn
    hold.release()
    hold.set_timeout_ms(50)
    hold.arm()
    hold.hold()
    assert hold.held and not table.viewport().updatesEnabled()
    qtbot.waitUntil(lambda: not hold.held, timeout=2_000)
    assert table.viewport().updatesEnabled()


def test_an_unclaimed_hold_ends_at_the_next_turn(qtbot):
    table = QTableView()
    qtbot.addWidget(table)
    hold = PaintHold.over_view(table, table)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton)  # arms; nothing selected
    qtbot.waitUntil(lambda: not hold.held, timeout=2_000)
    assert table.viewport().updatesEnabled()


def test_a_hold_waiting_for_the_first_paint_is_inert_then_holds_the_viewport(qtbot):
    """The main window's hold reaches the viewport after the window's first paint (lesson
    20): before that, arming holds nothing; once attached, a click on the viewport arms it."""
    table = QTableView()
    qtbot.addWidget(table)
    waiting = []
    hold = PaintHold.over_view(table, table, after=waiting.append)
    hold.arm()
    hold.hold()
    assert not hold.held and table.viewport().updatesEnabled()
    waiting.pop()()  # the first paint happened
    hold.set_timeout_ms(30_000)
    hold.arm()  # as a press on the view would
    hold.hold()
    assert hold.held and not table.viewport().updatesEnabled()
    hold.release()
    assert table.viewport().updatesEnabled()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton)  # the viewport's filter
    assert hold.held
    qtbot.waitUntil(lambda: not hold.held, timeout=2_000)  # unclaimed: ends at the next turn


def test_the_window_s_hold_is_attached_once_it_has_painted(window):
    assert window.list_hold._widget is window.patient_table.viewport()
