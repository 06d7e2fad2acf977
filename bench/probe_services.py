"""Service metrics, in one fresh process: summary, saving a visit, one clinician PDF.

    python -m bench.probe_services --db PATH --work PATH --patient ID --runs N

`--db` is the cached clinic (read only); `--work` a working copy that saving visits may change.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from pathlib import Path

from bench import floors
from bench.timing import Metric, median, paired, report, sample

SUMMARY_MS, SUMMARY_RATIO = 10.0, 3.0
SAVE_MS = 40.0
PDF_MS, PDF_RATIO = 200.0, 3.0


def summary_metrics(db_path: Path, patient_id: int, runs: int) -> list[Metric]:
    """`patient_summary` (the `summary --json` service call) against a raw sqlite3 fetch."""
    from app.db import Database
    from app.services.summary import patient_summary

    db = Database.open(f"sqlite:///{db_path}", create=False, migrate=False)
    connection = floors.connect(db_path)
    mrn = connection.execute("SELECT mrn FROM patient WHERE id = ?", (patient_id,)).fetchone()[0]

    def ours() -> None:
        with db.read() as session:
            patient_summary(session, mrn)

    def floor() -> None:
        floors.fetch_patient_rows(connection, patient_id)

    mine, theirs = paired(ours, floor, runs=runs, warmup=2)
    db.dispose()
    connection.close()
    ratio = median(mine) / median(theirs)
    return [Metric("summary_ms", median(mine), "ms", SUMMARY_MS, samples=mine,
                   detail=f"patient_summary of {mrn}"),
            Metric("summary_ratio", ratio, "×", SUMMARY_RATIO, floor=median(theirs),
                   detail=f"{median(mine):.2f} ms vs raw sqlite3 fetch {median(theirs):.2f} ms")]


def pdf_metrics(db_path: Path, patient_id: int, runs: int) -> list[Metric]:
    """One clinician PDF built in-process (`render_report`: load and build) against a raw
    fetch plus a bare reportlab document with the same tables."""
    from app.db import Database
    from app.services.actor import Actor
    from app.services.report_jobs import render_report

    db = Database.open(f"sqlite:///{db_path}", create=False, migrate=False)
    actor = Actor("bench", "staff")
    connection = floors.connect(db_path)
    names = {table: floors.column_names(connection, table) for table in floors.PATIENT_QUERIES}
    report_date = dt.date.today()
    pages: list[int] = []

    def ours() -> None:
        pdf = render_report(db, patient_id, audience="clinician", actor=actor,
                            report_date=report_date)
        pages.append(pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page"))

    def floor() -> None:
        floors.bare_report(floors.fetch_patient_rows(connection, patient_id), names)

    mine, theirs = paired(ours, floor, runs=runs, warmup=2)
    db.dispose()
    connection.close()
    return [Metric("pdf_clinician_ms", median(mine), "ms", PDF_MS, samples=mine,
                   detail="render_report (load_history + build_report) of the bench patient"),
            Metric("pdf_clinician_ratio", median(mine) / median(theirs), "×", PDF_RATIO,
                   floor=median(theirs),
                   detail=f"{median(mine):.0f} ms vs bare reportlab {median(theirs):.0f} ms")]


def _next_visit(history, on: dt.date):
    """A realistic follow-up visit: each site measured a little smaller, five labs, VAS and an
    exosome dose; built from the patient's last assessments."""
    from app.services.visit_input import AssessmentInput, LabInput, TreatmentInput, VisitInput

    latest = {}
    for episode in history.episodes:
        latest[episode.site] = episode.assessments[-1]
    assessments = []
    for site, a in latest.items():
        if a.closed:
            assessments.append(AssessmentInput(site=site, length_cm=0.0, width_cm=0.0,
                                               closed=True, method="ruler"))
        else:
            assessments.append(AssessmentInput(
                site=site, length_cm=round(max(0.2, (a.length_cm or 1) * 0.97), 1),
                width_cm=round(max(0.1, (a.width_cm or 1) * 0.97), 1),
                depth_cm=a.depth_cm, method="ruler", granulation_pct=70.0,
                epithelial_pct=20.0, slough_pct=10.0, necrotic_pct=0.0, exudate="light",
                periwound="intact"))
    labs = (LabInput("crp_mg_l", 12.0), LabInput("esr_mm_h", 30.0), LabInput("il6_pg_ml", 6.1),
            LabInput("il10_pg_ml", 5.0), LabInput("tnf_alpha_pg_ml", 9.5))
    treatment = TreatmentInput(site=next(iter(latest)), exosome_product="UC-MSC exosomes",
                               exosome_source="umbilical_cord", exosome_lot="EXO-4242",
                               exosome_dose=5e9, exosome_dose_unit="particles",
                               exosome_volume_ml=1.0, exosome_route="perilesional",
                               debridement=True, dressing="hydrogel")
    return VisitInput(patient_id=history.patient.id, visit_date=on, clinician="Bench nurse",
                      vas=3.5, next_visit_date=on + dt.timedelta(days=7),
                      assessments=tuple(assessments), labs=labs, treatments=(treatment,))


def visit_saver(db, history):
    """A call that saves the patient's next visit (`_next_visit`), a day after the one saved
    before, in its own write transaction: what the save metrics time, on SQLite and on a
    server."""
    from app.services.actor import Actor
    from app.services.visits import save_visit

    template = _next_visit(history, history.last_visit.visit_date)
    day = [history.last_visit.visit_date]
    actor = Actor("bench.nurse", "nurse")

    def save() -> None:
        day[0] += dt.timedelta(days=1)
        data = dataclasses.replace(template, visit_date=day[0],
                                   next_visit_date=day[0] + dt.timedelta(days=7))
        with db.write() as session:
            save_visit(session, data, actor=actor, confirmed=True, today=day[0])

    return save


def save_metrics(work_path: Path, patient_id: int, runs: int) -> list[Metric]:
    """`save_visit` in its own write transaction: validation, episode resync, audit rows and
    the commit, fsync'd (WAL, synchronous=FULL). One new visit a day after the last one."""
    from app.db import Database
    from app.services.history import load_history

    db = Database.open(f"sqlite:///{work_path}", create=False, migrate=False)
    with db.read() as session:
        history = load_history(session, patient_id)
    timings = sample(visit_saver(db, history), runs=runs, warmup=2)
    db.dispose()
    return [Metric("save_visit_ms", median(timings), "ms", SAVE_MS, samples=timings,
                   detail="save_visit with 2 sites, 5 labs, a dose; audit; fsync'd commit")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--patient", type=int, required=True)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    metrics = summary_metrics(args.db, args.patient, args.runs)
    metrics += save_metrics(args.work, args.patient, args.runs)
    metrics += pdf_metrics(args.db, args.patient, args.runs)
    report(metrics)


if __name__ == "__main__":
    main()
