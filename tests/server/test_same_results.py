"""The same clinic on SQLite and on PostgreSQL gives the same results, to the digit:
summaries, cohort, the research CSV, the FHIR bundle and the audit trail."""
from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from app.db import Database
from app.models import Patient
from app.services.actor import Actor
from app.services.audit import list_audit
from app.services.cohort import cohort_json, cohort_statistics
from app.services.exports import export_fhir_bundle, export_research_csv
from app.services.summary import patient_summary
from app.services.visit_sheet import import_visit_sheet
from tests.conftest import GOLDEN_CSV

NURSE = Actor("nurse.ana", "nurse")
NOW = dt.datetime(2026, 11, 27, 12, 0)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def results(db: Database, folder) -> dict:
    import_visit_sheet(db, GOLDEN_CSV.read_text(encoding="utf-8"), actor=NURSE,
                       today=dt.date(2026, 11, 27))
    out: dict = {}
    with db.read() as session:
        out["summaries"] = {mrn: patient_summary(session, mrn) for mrn in session.scalars(
            select(Patient.mrn).order_by(Patient.mrn))}
        out["cohort"] = cohort_json(cohort_statistics(session))
    folder.mkdir()
    export_research_csv(db, folder / "research.csv", actor=NURSE, identified=True)
    out["research"] = (folder / "research.csv").read_text(encoding="utf-8")
    export_fhir_bundle(db, folder / "bundle.json", actor=NURSE, now=NOW)
    out["fhir"] = _renumbered(json.loads((folder / "bundle.json").read_text(encoding="utf-8")))
    with db.read() as session:
        out["audit"] = [(r.id, r.user, r.action, r.table, r.row_id, r.patient_id, r.field,
                         r.old, r.reason) for r in list_audit(session)
                        if r.action not in ("export",)]
    return out


def _renumbered(bundle: dict) -> str:
    """Resource ids come from each clinic's own key: number them by first appearance."""
    text = json.dumps(bundle, sort_keys=True)
    seen: dict[str, str] = {}
    return UUID.sub(lambda m: seen.setdefault(m.group(0), f"id{len(seen)}"), text)


def test_the_golden_clinic_gives_identical_results_on_both_backends(tmp_path, pg_url):
    local = Database.open(f"sqlite:///{tmp_path / 'clinic.db'}")
    server = Database.open(pg_url)
    try:
        expected = results(local, tmp_path / "sqlite")
        actual = results(server, tmp_path / "postgresql")
    finally:
        local.dispose()
        server.dispose()
    for key in expected:
        assert json.dumps(actual[key], sort_keys=True, default=str) == json.dumps(
            expected[key], sort_keys=True, default=str), key
    assert len(expected["summaries"]) == 8 and len(expected["audit"]) > 100
