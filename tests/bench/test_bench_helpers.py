"""The benchmark's own arithmetic and choices (bench/): percentiles, verdicts, the patients
and the batch window it picks. The benchmark itself runs with `make bench`, never in tests."""
from __future__ import annotations

import json
import math
from pathlib import Path

from bench import cache, floors
from bench.timing import Metric, median, p95, read_report, report


def test_p95_is_nearest_rank_and_median_is_the_middle():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert p95(values) == 95.0
    assert p95([3.0, 1.0, 2.0]) == 3.0
    assert median([5.0, 1.0, 3.0]) == 3.0
    assert math.isnan(p95([])) and math.isnan(median([]))


def test_a_metric_is_met_at_its_target_and_not_above_or_when_missing():
    assert Metric("x", 16.0, "ms", 16.0).ok
    assert not Metric("x", 16.01, "ms", 16.0).ok
    assert not Metric("x", math.nan, "ms", 16.0).ok
    entry = Metric("x", 2.0, "×", 3.0, floor=1.0, detail="d").as_json()
    assert entry == {"value": 2.0, "unit": "×", "target": 3.0, "ok": True, "floor": 1.0,
                     "detail": "d"}


def test_a_probe_result_line_round_trips(capsys):
    report([Metric("summary_ms", 4.5, "ms", 10.0)], list_seconds=1.5)
    out = capsys.readouterr().out
    data = read_report("noise before\n" + out)
    assert data["list_seconds"] == 1.5
    assert data["metrics"][0]["name"] == "summary_ms"
    json.dumps(data)  # plain JSON all the way down


def test_patient_and_batch_window_choices(demo_db):
    path = Path(demo_db.url.removeprefix("sqlite:///"))
    patient_id, mrn, visits = cache.long_history_patient(path, within=40)
    with demo_db.engine.connect() as connection:
        ulcers = connection.exec_driver_sql(
            "SELECT count(*) FROM ulcer WHERE patient_id = ?", (patient_id,)).scalar()
        most = connection.exec_driver_sql(
            "SELECT max(n) FROM (SELECT p.id, count(v.id) n FROM patient p JOIN visit v ON "
            "v.patient_id = p.id AND v.deleted_at IS NULL WHERE (SELECT count(*) FROM ulcer u "
            "WHERE u.patient_id = p.id) = 2 GROUP BY p.id)").scalar()
    assert ulcers == 2 and visits == most and mrn.startswith("D-")
    since, until, count = cache.batch_window(path, patients=10)
    with demo_db.engine.connect() as connection:
        seen = connection.exec_driver_sql(
            "SELECT count(DISTINCT patient_id) FROM visit WHERE deleted_at IS NULL AND "
            "visit_date BETWEEN ? AND ?", (since, until)).scalar()
    assert seen == count and abs(count - 10) <= 3


def test_the_floor_fetches_every_row_of_the_patient(demo_db):
    path = Path(demo_db.url.removeprefix("sqlite:///"))
    patient_id, _, visits = cache.long_history_patient(path, within=40)
    connection = floors.connect(path)
    rows = floors.fetch_patient_rows(connection, patient_id)
    names = {t: floors.column_names(connection, t) for t in floors.PATIENT_QUERIES}
    connection.close()
    assert len(rows["patient"]) == 1 and len(rows["visit"]) == visits
    assert rows["lab_result"] and rows["assessment"]
    pdf = floors.bare_report(rows, names)
    assert pdf.startswith(b"%PDF")
