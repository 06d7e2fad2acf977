"""Server mode: the benchmark's metrics against a PostgreSQL server on the loopback interface.

    python -m bench.server --patients 10000        (make bench-server)
    python -m bench.server --patients 1000         (make bench-server-quick)

The bench starts its own throwaway cluster (initdb and pg_ctl from the installed binaries, as
tests/pg_cluster.py does) listening on 127.0.0.1 over TCP, with the server's durable defaults
(fsync, synchronous_commit on: unlike the test cluster), seeds the demo clinic into it, then
measures in this process:

- save_visit_ms: `save_visit` (2 sites, 5 labs, a dose, audit) in one write transaction,
  writer lock and NOTIFY included, committed on the server;
- summary_ms: `patient_summary` (the `summary --json` call) in a read session;
- chart_open_ms and search_keystroke_*: the main window (offscreen) over the server, timed
  as bench.probe_gui times them;
- change_seen_*: from a commit in this process to the `Changes` arriving in a ChangeFeed
  callback in another process (LISTEN/NOTIFY), CLOCK_MONOTONIC on both sides.
Results go to bench/results-server.json; bench/README.md records them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import Metric, machine, median, p95, sample

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results-server.json")
SAVE_MS, CHART_MS, SUMMARY_MS = 40.0, 60.0, 10.0
SEARCH_MEDIAN_MS, SEARCH_P95_MS = 16.0, 33.0
SEEN_MEDIAN_S, SEEN_P95_S = 1.0, 2.0
BENCH_USER, BENCH_PASSWORD = "bench", "bench password 12"


# -- the server -------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server():
    """A throwaway cluster on 127.0.0.1:<free port>; (cluster, url of database 'bench')."""
    from tests.pg_cluster import Cluster, NotAvailable, _server_user, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise NotAvailable("PostgreSQL is not installed (apt-get install postgresql)")
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="dfu-pg-bench-", dir="/tmp"))
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    os.chmod(root, 0o755)
    cluster = Cluster(bin_dir=bin_dir, root=root, user=user)
    port = _free_port()
    done = cluster._run("initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--no-instructions")
    if done.returncode:
        raise NotAvailable(f"initdb failed: {done.stderr.strip()[-300:]}")
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} "
               f"-c unix_socket_directories='{root}' -c max_connections=40 "
               "-c shared_buffers=128MB")
    done = cluster._run("pg_ctl", "-D", str(cluster.data), "-o", options, "-l",
                        str(root / "server.log"), "-w", "-t", "60", "start")
    if done.returncode:
        cluster.remove()
        raise NotAvailable(f"pg_ctl start failed: {done.stderr.strip()[-300:]}")
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                         autocommit=True) as connection:
        connection.execute("CREATE DATABASE bench")
    return cluster, f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"


def seed(url: str, patients: int) -> tuple[float, int]:
    """The demo clinic and a 'bench' nurse account; (seconds, id of the patient with the most
    visits, whose chart and summary are timed)."""
    from sqlalchemy import func, select

    from app.db import Database
    from app.models import Visit
    from app.services.actor import Actor
    from app.services.demo import seed_demo
    from app.services.users import add_user, create_first_admin

    start = time.perf_counter()
    db = Database.open(url)
    seed_demo(db, patients=patients, seed=1)
    # Fresh statistics, as autovacuum's first pass gives a loaded clinic within a minute:
    # timed at once, the planner's empty-table guesses once cost a save 50 ms.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    with db.write() as session:
        create_first_admin(session, "bench.admin", BENCH_PASSWORD)
        add_user(session, BENCH_USER, BENCH_PASSWORD, "nurse",
                 actor=Actor("bench.admin", "admin"))
    with db.read() as session:
        busiest = session.execute(select(Visit.patient_id).group_by(Visit.patient_id)
                                  .order_by(func.count().desc(), Visit.patient_id)
                                  .limit(1)).scalar()
    db.dispose()
    return time.perf_counter() - start, busiest


# -- services ---------------------------------------------------------------------------------
def service_metrics(url: str, patient_id: int, runs: int) -> list[Metric]:

    from app.db import Database
    from app.models import Patient
    from app.services.history import load_history
    from app.services.summary import patient_summary
    from bench.probe_services import visit_saver

    db = Database.open(url, migrate=False)
    with db.read() as session:
        mrn = session.get(Patient, patient_id).mrn
        history = load_history(session, patient_id)

    def summary() -> None:
        with db.read() as session:
            patient_summary(session, mrn)

    summaries = sample(summary, runs=runs, warmup=2)
    trips = sample(lambda: _select_one(db), runs=runs, warmup=2)
    summary_statements = _statements(db, summary)
    from app.services.patient_chart import load_patient_chart

    def chart() -> None:
        with db.read() as session:
            load_patient_chart(session, patient_id, today=dt.date.today())

    charts = sample(chart, runs=runs, warmup=2)
    chart_statements = _statements(db, chart)
    save = visit_saver(db, history)
    saves = sample(save, runs=runs, warmup=2)
    save_statements = _statements(db, save)
    db.dispose()
    trip = f"; {{}}, a SELECT 1 read session {median(trips):.2f} ms"
    return [Metric("server_summary_ms", median(summaries), "ms", SUMMARY_MS,
                   samples=summaries, detail=f"patient_summary of {mrn} over TCP loopback"
                   + trip.format(summary_statements)),
            Metric("server_chart_data_ms", median(charts), "ms", CHART_MS, samples=charts,
                   detail="load_patient_chart alone, the server's part of a chart open"
                   + trip.format(chart_statements)),
            Metric("server_save_visit_ms", median(saves), "ms", SAVE_MS, samples=saves,
                   detail="save_visit, 2 sites, 5 labs, a dose; writer lock, audit, NOTIFY, "
                          "durable commit" + trip.format(save_statements))]


def _select_one(db) -> None:
    from sqlalchemy import text

    with db.read() as session:
        session.execute(text("SELECT 1"))


def _statements(db, work) -> str:
    """What `work()` sends to the server: statements (before_cursor_execute) and round trips
    (libpq's protocol trace: each Sync or simple Query message waits for the server, so the
    pool's ping, BEGIN and COMMIT count too, which the statement count misses)."""
    from sqlalchemy import event

    count = [0]

    def counted(*_args) -> None:
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        trips = round_trips(db.engine, work)
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return f"{count[0]} statements, {trips} round trips"


def round_trips(engine, work) -> int:
    """Round trips `work()` makes: libpq traces every pooled connection (and any new one)
    meanwhile; the trace is flushed by untrace() and its Sync and Query lines counted."""
    from psycopg.pq import Trace
    from sqlalchemy import event

    path = Path(tempfile.mkstemp(prefix="dfu-trace-")[1])
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    traced = []

    def trace(dbapi_connection, *_args) -> None:
        dbapi_connection.pgconn.trace(fd)
        dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
        traced.append(dbapi_connection)

    pool = engine.pool
    for record in list(pool._pool.queue):  # the idle pooled connections
        if record.dbapi_connection is not None:
            trace(record.dbapi_connection)
    event.listen(pool, "connect", trace)
    try:
        work()
    finally:
        event.remove(pool, "connect", trace)
        for connection in traced:
            if not connection.closed:
                connection.pgconn.untrace()
        os.close(fd)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    path.unlink()
    return sum(1 for line in lines if line.startswith("F\t")
               and line.split("\t")[2] in ("Sync", "Query"))


# -- the window -------------------------------------------------------------------------------
def window_metrics(url: str, patient_id: int, runs: int) -> list[Metric]:
    """Chart open and search keystrokes in the main window over the server (offscreen)."""
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import create_main_window
    from bench.probe_gui import SignalWait, open_chart, search_metrics

    app = QApplication.instance() or QApplication([])
    window = create_main_window(url, BENCH_USER)
    window.resize(1280, 800)
    with SignalWait(window.patients_loaded, lambda _n: True, "the patient list") as loaded:
        window.show()
        loaded.wait()
    window.chart_tabs.setCurrentIndex(window.chart_tabs.indexOf(window.chart_tabs.healing_page))
    app.processEvents()
    other = window.patient_model.row_at(0).id
    if other == patient_id:
        other = window.patient_model.row_at(1).id
    opens = []
    for turn in range(runs + 2):
        open_chart(app, window, other)
        timing = open_chart(app, window, patient_id)
        if turn >= 2:  # two warm-up turns
            opens.append(timing)
    metrics = [Metric("server_chart_open_ms", median(opens), "ms", CHART_MS, samples=opens,
                      detail="select the busiest patient to the visible tab's data drawn, over "
                             "the server")]
    for metric in search_metrics(app, window):
        metric.name = "server_" + metric.name
        metrics.append(metric)
    window.runner.stop_following()
    window.runner.wait()
    window.close()
    return metrics


# -- a change seen on another window ------------------------------------------------------------
def listen(url: str) -> None:
    """The other process: print CLOCK_MONOTONIC and the patients of every Changes delivered."""
    from app.services.change_feed import ChangeFeed

    def arrived(changes) -> None:
        now = time.monotonic()
        sys.stdout.write(f"{now!r} {','.join(map(str, sorted(changes.patients)))}\n")
        sys.stdout.flush()

    feed = ChangeFeed(url).start(arrived)
    feed.ready.wait(30)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.read()  # until the bench closes the pipe
    feed.stop()


def _read_line(process: subprocess.Popen, timeout: float) -> str | None:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return process.stdout.readline().strip() if ready else None


def change_seen_metrics(url: str, runs: int) -> list[Metric]:
    """A new patient committed here, seen by the ChangeFeed of another process."""
    from app.db import Database
    from app.services.actor import Actor
    from app.services.patients import PatientInput, create_patient

    listener = subprocess.Popen([sys.executable, "-m", "bench.server", "--listen", url],
                                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, bufsize=1)
    db = Database.open(url, migrate=False)
    actor = Actor("bench.nurse", "nurse")
    delays: list[float] = []
    missed = 0
    try:
        if _read_line(listener, 60) != "ready":
            raise RuntimeError("the listening process did not start")
        for turn in range(runs + 2):
            with db.write() as session:
                pid = create_patient(session, PatientInput(
                    mrn=f"SEEN-{os.getpid()}-{turn}", name="Change Seen",
                    birth_date=dt.date(1960, 1, 1), arm="standard"), actor=actor,
                    today=dt.date.today()).id
            committed = time.monotonic()
            while True:
                line = _read_line(listener, 10)
                if line is None:
                    missed += 1
                    break
                stamp, _, patients = line.partition(" ")
                if str(pid) in patients.split(","):
                    if turn >= 2:
                        delays.append(float(stamp) - committed)
                    break
            time.sleep(0.15)  # commits arrive at any moment of the listener's wait
    finally:
        listener.stdin.close()
        listener.wait(30)
        db.dispose()
    detail = (f"commit here to the Changes in another process's ChangeFeed callback, "
              f"{len(delays)} changes, {missed} missed")
    return [Metric("server_change_seen_median_s", median(delays) if not missed else
                   float("inf"), "s", SEEN_MEDIAN_S, samples=delays, detail=detail),
            Metric("server_change_seen_p95_s", p95(delays) if not missed else float("inf"),
                   "s", SEEN_P95_S, detail=f"max {max(delays, default=float('nan')):.3f} s")]


# -- the run ----------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--listen", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.listen:
        listen(args.listen)
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    cluster, url = start_server()
    try:
        print(f"seeding {args.patients} demo patients into a loopback PostgreSQL server…",
              flush=True)
        seconds, patient_id = seed(url, args.patients)
        print(f"seeded in {seconds:.1f} s; timing patient {patient_id}", flush=True)
        metrics = service_metrics(url, patient_id, args.runs)
        metrics += change_seen_metrics(url, args.runs)
        metrics += window_metrics(url, patient_id, args.runs)
    finally:
        cluster.remove()
    for m in metrics:
        print(f"{m.name:36} {m.value:9.3f} {m.unit:3} target <= {m.target:g}  "
              f"{'ok' if m.ok else 'MISSED'}  {m.detail}")
    RESULTS.write_text(json.dumps({
        "patients": args.patients, "seed_seconds": round(seconds, 1),
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(), "metrics": {m.name: m.as_json() for m in metrics}},
        indent=1) + "\n", encoding="utf-8")
    return 0 if all(m.ok for m in metrics) else 1


if __name__ == "__main__":
    sys.exit(main())
