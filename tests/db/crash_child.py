"""A child process for the crash tests: it writes, prints an acknowledgement after each commit,
and is killed with SIGKILL by the parent at a random moment (tests/db/test_crash.py).

    python crash_child.py save DB PREFIX COUNT   one patient + one visit per transaction
    python crash_child.py import DB SHEET        one all-or-nothing visit-sheet import
    python crash_child.py backup DB FOLDER       online backups, one after the other
    python crash_child.py migrate DB             open (and so upgrade) an old database
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def ack(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def save(url: str, prefix: str, count: int) -> None:
    from app.db import Database
    from app.services.actor import Actor
    from app.services.patients import PatientInput, create_patient
    from app.services.visit_input import AssessmentInput, LabInput, VisitInput
    from app.services.visits import save_visit

    db = Database.open(url, create=False)
    nurse = Actor(f"nurse.{prefix}", "nurse")
    ack("ready")
    for n in range(count):
        mrn = f"{prefix}-{n:04d}"
        with db.write() as session:
            patient = create_patient(session, PatientInput(mrn=mrn, name=f"Patient {mrn}"),
                                     actor=nurse, today=dt.date(2026, 11, 27))
            save_visit(session, VisitInput(
                patient_id=patient.id, visit_date=dt.date(2026, 11, 2), vas=4,
                notes="x" * 2000,
                assessments=(AssessmentInput(site="left heel", length_cm=2.0, width_cm=1.5),),
                labs=(LabInput("crp_mg_l", 8.0),)),
                actor=nurse, confirmed=True, today=dt.date(2026, 11, 27))
        ack(mrn)  # only after the commit returned


def import_sheet(url: str, sheet: str) -> None:
    from app.db import Database
    from app.services.actor import Actor
    from app.services.visit_sheet import import_visit_sheet

    db = Database.open(url, create=False)
    ack("ready")
    import_visit_sheet(db, Path(sheet).read_text(encoding="utf-8"),
                       actor=Actor("nurse.import", "nurse"), today=dt.date(2026, 11, 27))
    ack("imported")


def backup(url: str, folder: str) -> None:
    from app.db import Database

    db = Database.open(url, create=False)
    ack("ready")
    for n in range(1000):
        target = db.backup_to(Path(folder) / f"backup-{n:03d}.db", pages=4)
        ack(str(target))


def migrate(url: str) -> None:
    from app.db import Database

    ack("ready")
    Database.open(url, create=False)
    ack("migrated")


if __name__ == "__main__":
    mode, url, *rest = sys.argv[1:]
    if mode == "save":
        save(url, rest[0], int(rest[1]))
    elif mode == "import":
        import_sheet(url, rest[0])
    elif mode == "backup":
        backup(url, rest[0])
    elif mode == "migrate":
        migrate(url)
    else:
        raise SystemExit(f"unknown mode {mode}")
