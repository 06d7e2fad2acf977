"""Window metrics, in one fresh process (offscreen Qt): memory, search, chart open, scaling.

    python -m bench.probe_gui --db BIG --small SMALL --patient ID --scale-patient ID

In order: open the main window over BIG, browse 30 charts and read the resident memory (first,
so nothing else the probe does weighs on it); type into `patientSearch` key by key; open the
chart of the 60-visit patient against its floor; open one chart in BIG and in SMALL, turn by
turn, for the scaling ratio. Each chart open runs from selecting the patient in the list to
the chart's data drawn on the visible tab (chart_loaded, then refresh_all, which draws the
visible tab and leaves the hidden ones stale: each is drawn when it is first shown, timed apart
and reported in the detail); the paint of the visible tab follows, timed apart.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import time
from pathlib import Path

from bench import floors
from bench.timing import Metric, median, p95, report, rss_mb

RSS_MB = 350.0
SEARCH_MEDIAN_MS, SEARCH_P95_MS = 16.0, 33.0
CHART_MS, CHART_RATIO, SCALING_RATIO = 60.0, 2.5, 1.2
SEARCH_WORDS = ("chen", "d-0063", "silva", "moreau", "kim", "d-09", "laurent", "sato")
TIMEOUT_S = 120.0


def wait_until(app, condition, what: str) -> None:
    """Run the event loop until `condition()` holds (the probe's only way of waiting)."""
    deadline = time.perf_counter() + TIMEOUT_S
    while not condition():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        if not condition():
            time.sleep(0.0005)  # a worker thread is busy; do not spin the GUI thread hot


class SignalWait:
    """`with SignalWait(signal, accept) as w: trigger(); w.wait()` — connected before the
    trigger, so a result delivered at once is not missed."""

    def __init__(self, signal, accept, what: str):
        from PySide6.QtCore import QEventLoop, QTimer

        self.signal, self.accept, self.what = signal, accept, what
        self.loop = QEventLoop()
        self.seen: list = []
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.loop.quit)

    def _arrived(self, value) -> None:
        if self.accept(value):
            self.seen.append(value)
            self.loop.quit()

    def __enter__(self) -> SignalWait:
        self.signal.connect(self._arrived)
        return self

    def wait(self) -> None:
        if not self.seen:
            self.timer.start(int(TIMEOUT_S * 1000))
            self.loop.exec()
            self.timer.stop()
        if not self.seen:
            raise TimeoutError(f"timed out waiting for {self.what}")

    def __exit__(self, *_exc) -> None:
        self.signal.disconnect(self._arrived)


def open_window(app, path: Path):
    from app.ui.main_window import create_main_window

    window = create_main_window(f"sqlite:///{path}", "bench")
    window.resize(1280, 800)
    start = time.perf_counter()
    with SignalWait(window.patients_loaded, lambda _n: True, "the patient list") as loaded:
        window.show()
        loaded.wait()
    seconds = time.perf_counter() - start
    healing = window.chart_tabs.indexOf(window.chart_tabs.healing_page)
    window.chart_tabs.setCurrentIndex(healing)  # a chart tab is the one painted
    app.processEvents()
    return window, seconds


PAINTS: list[float] = []  # ms to paint the visible tab after each chart open (reported)
LIST_PAINTS: list[float] = []  # ms of the list's repaint held until then (lesson 19)


def open_chart(app, window, patient_id: int) -> float:
    """ms from selecting `patient_id` in the list to the visible tab's data drawn: the chart
    loaded off the GUI thread and shown (chart_loaded), then refresh_all (the visible tab's
    setData; hidden tabs are stale until shown, see tab_fills). The paint of the visible tab
    that follows is timed apart, as the floor's is."""
    with SignalWait(window.chart_loaded, lambda pid: pid == patient_id,
                    f"the chart of patient {patient_id}") as shown:
        start = time.perf_counter()
        window.select_patient(patient_id)
        shown.wait()
        window.chart_tabs.refresh_all()
        drawn = time.perf_counter()
    app.processEvents()
    painted = time.perf_counter()
    PAINTS.append((painted - drawn) * 1000.0)
    hold = getattr(window, "list_hold", None)  # the list repaints after the chart's paint
    if hold is not None:
        wait_until(app, lambda: not hold.held, "the patient list's repaint")
        app.processEvents()
        LIST_PAINTS.append((time.perf_counter() - painted) * 1000.0)
    return (drawn - start) * 1000.0


def tab_fills(app, window, patient_id: int, other: int, runs: int = 3) -> str:
    """ms to draw each hidden tab when it is first shown after an open of `patient_id` (what
    a user waits for on clicking it; not in the target): the median of `runs`, each after a
    fresh open. The Photos and Audit tabs read their own rows on the runner: only their
    synchronous part is timed."""
    tabs = window.chart_tabs
    visible = tabs.currentIndex()
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        for index in range(tabs.count()):
            if index == visible:
                continue
            open_chart(app, window, other)
            open_chart(app, window, patient_id)
            start = time.perf_counter()
            tabs.setCurrentIndex(index)
            times.setdefault(tabs.tabText(index), []).append(
                (time.perf_counter() - start) * 1000.0)
            app.processEvents()
            tabs.setCurrentIndex(visible)
            app.processEvents()
    return ", ".join(f"{name} {median(values):.0f}" for name, values in times.items())


def browse(app, window, patient_ids: list[int]) -> list[float]:
    return [open_chart(app, window, pid) for pid in patient_ids]


def search_metrics(app, window) -> list[Metric]:
    """Keystroke in `patientSearch` to the proxy holding the filtered rows, one key at a time
    as a user types. The repaint that follows is timed apart (reported, not in the target)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    field = window.patient_search
    field.setFocus()
    proxy, model = window.patient_proxy, window.patient_model
    app.processEvents()
    timings: list[float] = []
    paints: list[float] = []

    def key(k, text: str, expected: int) -> tuple[float, float]:
        start = time.perf_counter()
        QTest.keyClick(field, text) if text else QTest.keyClick(field, k)
        wait_until(app, lambda: proxy.rowCount() == expected, "the filtered list")
        filtered = time.perf_counter()
        app.processEvents()  # the list repaints
        return (filtered - start) * 1000.0, (time.perf_counter() - filtered) * 1000.0

    def matching(text: str) -> int:
        needles = text.split()
        return sum(all(n in t for n in needles) for t in model.search_texts)

    for n, word in enumerate(SEARCH_WORDS):
        steps = [key(None, ch, matching(word[:i + 1])) for i, ch in enumerate(word)]
        steps += [key(Qt.Key.Key_Backspace, "", matching(word[:i]))
                  for i in range(len(word) - 1, -1, -1)]
        if n:  # the first word is the warm-up
            timings += [filtered for filtered, _ in steps]
            paints += [painted for _, painted in steps]
    detail = (f"{len(timings)} keystrokes over {model.rowCount()} patients; then the repaint, "
              f"not in the target: median {median(paints):.1f} ms, p95 {p95(paints):.1f} ms")
    return [Metric("search_keystroke_median_ms", median(timings), "ms", SEARCH_MEDIAN_MS,
                   samples=timings, detail=detail),
            Metric("search_keystroke_p95_ms", p95(timings), "ms", SEARCH_P95_MS,
                   detail=f"max {max(timings):.1f} ms")]


class ChartFloor:
    """The floor of a chart open: the patient's rows fetched with sqlite3, and the same points
    handed to pyqtgraph curves made once (area and PAR per episode, VAS, five labs) with
    setData, on tabs the same size as the chart's; then the visible tab painted."""

    LABS = ("crp_mg_l", "esr_mm_h", "il6_pg_ml", "tnf_alpha_pg_ml", "il10_pg_ml")

    def __init__(self, path: Path, patient_id: int):
        import pyqtgraph as pg
        from PySide6.QtWidgets import QTabWidget

        self.connection = floors.connect(path)
        episodes = len(floors.fetch_patient_rows(self.connection, patient_id)["ulcer"])
        self.names = {t: floors.column_names(self.connection, t) for t in floors.PATIENT_QUERIES}
        self.tabs = QTabWidget()
        area = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.area = [area.plot(symbol="o") for _ in range(2 * episodes)]
        pain = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.pain = pain.plot(symbol="o")
        labs = pg.GraphicsLayoutWidget()
        self.labs = []
        for row in range(len(self.LABS)):
            plot = labs.addPlot(row=row, col=0, axisItems={"bottom": pg.DateAxisItem()})
            self.labs.append(plot.plot(symbol="o"))
        for page, title in ((area, "Healing"), (pain, "Pain"), (labs, "Labs")):
            self.tabs.addTab(page, title)
        self.tabs.resize(900, 700)
        self.tabs.show()

    def run(self, app, patient_id: int) -> None:
        rows = floors.fetch_patient_rows(self.connection, patient_id)
        day = {v[0]: dt.datetime.fromisoformat(v[2]).timestamp() for v in rows["visit"]}
        a = self.names["assessment"]
        visit_i, ulcer_i = a.index("visit_id"), a.index("ulcer_id")
        length_i, width_i = a.index("length_cm"), a.index("width_cm")
        for n, ulcer in enumerate(rows["ulcer"]):
            points = [(day[r[visit_i]], (r[length_i] or 0) * (r[width_i] or 0) * 0.785)
                      for r in rows["assessment"] if r[ulcer_i] == ulcer[0]]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            self.area[2 * n].setData(xs, ys)
            self.area[2 * n + 1].setData(xs, [100 * (1 - y / ys[0]) if ys[0] else 0 for y in ys])
        self.pain.setData([day[v[0]] for v in rows["visit"]],
                          [v[4] or 0 for v in rows["visit"]])
        lab = self.names["lab_result"]
        visit_l, analyte_l, value_l = lab.index("visit_id"), lab.index("analyte"), \
            lab.index("value")
        for curve, analyte in zip(self.labs, self.LABS):
            points = [(day[r[visit_l]], r[value_l]) for r in rows["lab_result"]
                      if r[analyte_l] == analyte]
            curve.setData([p[0] for p in points], [p[1] for p in points])
        for index in range(self.tabs.count()):
            self.tabs.setCurrentIndex(index)
        self.tabs.setCurrentIndex(0)


def chart_metrics(app, window, path: Path, patient_id: int, other: int,
                  runs: int) -> list[Metric]:
    floor = ChartFloor(path, patient_id)
    ours, theirs = [], []
    for n in range(runs + 2):
        open_chart(app, window, other)  # another patient first: each open is a change
        gc.collect()
        mine = open_chart(app, window, patient_id)
        gc.collect()
        start = time.perf_counter()
        floor.run(app, patient_id)
        base = (time.perf_counter() - start) * 1000.0
        app.processEvents()  # its paint, untimed like the application's
        if n >= 2:  # two warm-ups
            ours.append(mine)
            theirs.append(base)
    floor.tabs.close()
    paint = median(PAINTS)
    held = (f"; then the patient list's repaint, held until the chart's paint "
            f"{median(LIST_PAINTS):.0f} ms (apart)" if LIST_PAINTS else "")
    fills = tab_fills(app, window, patient_id, other)
    visits = len(window.current_chart.history.visits)
    return [Metric("chart_open_ms", median(ours), "ms", CHART_MS, samples=ours,
                   detail=f"patient {patient_id}: {visits} visits, "
                          f"{len(window.current_chart.history.episodes)} episodes, the "
                          f"Healing tab in front; then painting it {paint:.0f} ms (apart){held}; "
                          f"each other tab drawn when first shown (apart), ms: {fills}"),
            Metric("chart_open_ratio", median(ours) / median(theirs), "×", CHART_RATIO,
                   floor=median(theirs),
                   detail=f"{median(ours):.1f} ms vs sqlite3 + setData {median(theirs):.1f} ms")]


def scaling_metric(app, big, small, big_n: int, small_n: int, patient_id: int, other: int,
                   runs: int) -> Metric:
    """The same patient's chart with the whole clinic loaded, BIG against SMALL."""
    times = {"big": [], "small": []}
    for n in range(runs + 2):
        for name, window in (("big", big), ("small", small)):
            open_chart(app, window, other)
            gc.collect()
            elapsed = open_chart(app, window, patient_id)
            if n >= 2:
                times[name].append(elapsed)
    ratio = median(times["big"]) / median(times["small"])
    return Metric("chart_open_scaling_ratio", ratio, "×", SCALING_RATIO,
                  floor=median(times["small"]),
                  detail=f"{big_n} patients {median(times['big']):.1f} ms vs {small_n} "
                         f"patients {median(times['small']):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--small", type=Path, required=True)
    parser.add_argument("--patient", type=int, required=True)
    parser.add_argument("--scale-patient", type=int, required=True)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    window, list_seconds = open_window(app, args.db)
    patients = window.patient_model.rowCount()
    step = max(1, patients // 30)
    ids = [window.patient_model.row_at(i).id for i in range(0, patients, step)][:29]
    browse(app, window, [args.patient] + ids)
    gc.collect()
    memory = Metric("rss_mb", rss_mb(), "MB", RSS_MB,
                    detail=f"{patients} patients listed, {1 + len(ids)} charts browsed")
    metrics = [memory]
    metrics += search_metrics(app, window)
    # Each timed open comes from the first patient of the list (D-00001), as in the scaling
    # ratio: what an open costs depends a little on the chart shown before it.
    other = window.patient_model.row_at(0).id
    if other == args.patient:
        other = window.patient_model.row_at(1).id
    metrics += chart_metrics(app, window, args.db, args.patient, other, args.runs)
    small, _ = open_window(app, args.small)
    small_other = small.patient_model.row_at(0).id
    if small_other == args.scale_patient:
        small_other = small.patient_model.row_at(1).id
    metrics.append(scaling_metric(app, window, small, patients, small.patient_model.rowCount(),
                                  args.scale_patient, small_other, args.runs))
    report(metrics, list_seconds=list_seconds)


if __name__ == "__main__":
    main()
