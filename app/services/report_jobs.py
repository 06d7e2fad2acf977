"""Report jobs: build one patient's PDF, write it safely, batch many, and leave an audit trail.

The same functions serve the CLI (`report`), the preview dialog and the batch dialog. A batch is
a pure function that reports progress and checks for cancel between reports (docs/house_style.md,
"Long work off the GUI thread"); with many patients it spreads the work over a process pool in
which each worker opens its own Database (no Session or connection crosses a process).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Patient, Visit
from app.services.actor import Actor
from app.services.errors import UserError
from app.services.files import write_bytes_atomically
from app.services.history import load_history
from app.services.settings import load_settings

AUDIENCES = ("clinician", "patient")
PARALLEL_FROM = 8  # fewer reports than this are quicker in one process than to start a pool
AUDIT_ACTION = "report printed"


@dataclass(frozen=True)
class SeenPatient:
    id: int
    mrn: str
    name: str


@dataclass(frozen=True)
class BatchProgress:
    """Sent after each report: how many are done, and the file just written (or the error)."""

    done: int
    total: int
    mrn: str
    path: Path | None
    error: str | None = None


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (MRN, why)
    cancelled: bool = False


def patients_seen(session: Session, *, since: dt.date,
                  until: dt.date | None = None) -> list[SeenPatient]:
    """Patients with at least one (not deleted) visit on or after `since` (and up to `until`)."""
    seen = select(Visit.patient_id).where(Visit.deleted_at.is_(None), Visit.visit_date >= since)
    if until is not None:
        seen = seen.where(Visit.visit_date <= until)
    rows = session.execute(select(Patient.id, Patient.mrn, Patient.name)
                           .where(Patient.id.in_(seen), Patient.deleted_at.is_(None))
                           .order_by(Patient.mrn)).all()
    return [SeenPatient(*row) for row in rows]


def render_report(db: Database, patient_id: int, *, audience: str, actor: Actor,
                  report_date: dt.date | None = None) -> bytes:
    """The PDF of one patient's report, built from one consistent read of the database."""
    from app.reports import build_report
    from app.services.report_photos import load_report_photos

    actor.require("print")
    if audience not in AUDIENCES:
        raise UserError(f"audience must be one of {', '.join(AUDIENCES)}")
    with db.read() as session:
        history = load_history(session, patient_id)
        settings = load_settings(session)
        photos = load_report_photos(session, history, thumbnails=audience == "clinician")
    out = io.BytesIO()
    build_report(history, settings, audience=audience, printed_by=actor.username, out=out,
                 report_date=report_date, photos=photos)
    return out.getvalue()


def record_report_event(db: Database, actor: Actor, *, patient_id: int, detail: str) -> None:
    """Write "report printed" to the audit trail (docs/reliability.md: every export is audited)."""
    from app.services.audit import record_event

    with db.write() as session:
        record_event(session, actor, AUDIT_ACTION, detail, patient_id=patient_id)


def write_report(db: Database, patient_id: int, path: Path, *, audience: str, actor: Actor,
                 report_date: dt.date | None = None) -> Path:
    """Build one report, write it to `path` atomically and audit it."""
    write_report_file(db, patient_id, path, audience=audience, actor=actor,
                      report_date=report_date)
    record_report_event(db, actor, patient_id=patient_id,
                        detail=f"{audience} report saved to {path}")
    return path


def report_file_name(mrn: str, audience: str) -> str:
    """A safe file name from an MRN: letters, digits, dot, dash and underscore only."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", mrn).strip("._") or "patient"
    return f"{safe}.pdf" if audience == "clinician" else f"{safe}-{audience}.pdf"


def suggested_file_name(db: Database, patient_id: int, audience: str) -> str:
    """The file name a report of this patient is offered under (e.g. "H-01000.pdf")."""
    with db.read() as session:
        patient = session.get(Patient, patient_id)
        mrn = patient.mrn if patient is not None else "patient"
    return report_file_name(mrn, audience)


def batch_paths(patients: Sequence[SeenPatient], out_dir: Path, audience: str) -> list[Path]:
    """One distinct file per patient (MRNs that clean up to the same name get the id added)."""
    used: set[str] = set()
    paths = []
    for p in patients:
        name = report_file_name(p.mrn, audience)
        if name.lower() in used:
            name = name[:-4] + f"-{p.id}.pdf"
        used.add(name.lower())
        paths.append(out_dir / name)
    return paths


# -- a batch ----------------------------------------------------------------------------------
_WORKER: dict[str, Database] = {}  # the Database of this worker process, opened once


def _open_worker_db(url: str, passphrase: str | None) -> None:
    kwargs = {"passphrase": passphrase} if passphrase is not None else {}
    _WORKER["db"] = Database.open(url, create=False, migrate=False, **kwargs)


def _render_in_worker(patient_id: int, path: Path, audience: str, actor: Actor,
                      report_date: dt.date | None) -> None:
    write_report_file(_WORKER["db"], patient_id, path, audience=audience, actor=actor,
                      report_date=report_date)


def write_batch(db: Database, patients: Sequence[SeenPatient], out_dir: Path, *, audience: str,
                actor: Actor, report_date: dt.date | None = None, jobs: int | None = None,
                progress: Callable[[BatchProgress], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> BatchResult:
    """Write one PDF per patient into `out_dir`, reporting progress and checking for cancel
    after each report. `jobs` processes (default: both cores when there are many patients).
    A report that fails is listed in the result and the batch goes on."""
    actor.require("print")
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UserError(f"folder {out_dir} does not exist")
    paths = batch_paths(patients, out_dir, audience)
    if jobs is None:
        jobs = min(2, os.cpu_count() or 1) if len(patients) >= PARALLEL_FROM else 1
    result = BatchResult()
    stop = cancelled or (lambda: False)

    def finished(patient: SeenPatient, path: Path, error: str | None) -> None:
        if error is None:
            result.written.append(path)
            record_report_event(db, actor, patient_id=patient.id,
                                detail=f"{audience} report saved to {path} (batch)")
        else:
            result.failed.append((patient.mrn, error))
        if progress is not None:
            progress(BatchProgress(len(result.written) + len(result.failed), len(patients),
                                   patient.mrn, None if error else path, error))

    if jobs <= 1:
        for patient, path in zip(patients, paths):
            if stop():
                result.cancelled = True
                break
            try:
                write_report_file(db, patient.id, path, audience=audience, actor=actor,
                                  report_date=report_date)
                finished(patient, path, None)
            except Exception as exc:  # one bad record must not stop the batch
                finished(patient, path, _why(exc))
        return result
    result.cancelled = _write_in_processes(db, list(zip(patients, paths)), jobs=jobs,
                                           audience=audience, actor=actor,
                                           report_date=report_date, finished=finished,
                                           stop=stop)
    return result


def _write_in_processes(db: Database, work: list[tuple[SeenPatient, Path]], *, jobs: int,
                        audience: str, actor: Actor, report_date: dt.date | None,
                        finished: Callable[[SeenPatient, Path, str | None], None],
                        stop: Callable[[], bool]) -> bool:
    """The batch on `jobs` processes; True when it was cancelled (what was written before
    the cancel is still reported finished)."""
    db.dispose()  # no pooled connection may cross the fork into a worker
    with ProcessPoolExecutor(max_workers=jobs, initializer=_open_worker_db,
                             initargs=(db.url, getattr(db, "passphrase", None))) as pool:
        pending: dict[Future, tuple[SeenPatient, Path]] = {
            pool.submit(_render_in_worker, p.id, path, audience, actor, report_date): (p, path)
            for p, path in work}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                patient, path = pending.pop(future)
                error = future.exception()
                finished(patient, path, None if error is None else _why(error))
            if pending and stop():
                for future in pending:
                    future.cancel()
                pool.shutdown(wait=True, cancel_futures=True)
                for future, (patient, path) in pending.items():
                    if future.done() and not future.cancelled() and future.exception() is None:
                        finished(patient, path, None)
                return True
    return False


def write_report_file(db: Database, patient_id: int, path: Path, *, audience: str,
                      actor: Actor, report_date: dt.date | None = None) -> None:
    """Build and write one report (the audit entry is the caller's)."""
    write_bytes_atomically(path, render_report(db, patient_id, audience=audience, actor=actor,
                                         report_date=report_date))


def _why(exc: BaseException) -> str:
    text = (str(exc).splitlines() or [""])[0][:200]
    return text if isinstance(exc, UserError) else f"{exc.__class__.__name__}: {text}"
