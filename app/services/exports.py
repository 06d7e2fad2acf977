"""Research exports of the whole clinic: the long-format CSV and the FHIR R4 Bundle.

Each export reads every live patient as `load_history` would (app.services.bulk_history, so each
number is the one the chart shows), streams the file through a temporary file that is
renamed into place, and is then written to the audit trail (docs/reliability.md: every export
is audited). Pseudonyms are keyed with a per-clinic secret kept in the settings table; the key
is inserted without the ORM so that the audit listener never copies it into the trail, and its
creation is recorded as an event.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.db import Database
from app.interop import fhir, research_csv
from app.models import Setting
from app.services.actor import Actor
from app.services.audit import record_event
from app.services.bulk_history import iter_histories
from app.services.files import atomic_output

PSEUDONYM_KEY_SETTING = "research_pseudonym_key"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    patients: int
    records: int  # CSV rows or Bundle entries
    pseudonymised: bool


def pseudonym_key(db: Database, *, actor: Actor) -> bytes:
    """The clinic's secret pseudonym key (32 random bytes), created on first use."""
    with db.read() as session:
        value = session.scalar(select(Setting.value).where(Setting.key == PSEUDONYM_KEY_SETTING))
    if value is None:
        with db.write() as session:
            value = session.scalar(select(Setting.value)
                                   .where(Setting.key == PSEUDONYM_KEY_SETTING))
            if value is None:
                value = json.dumps(secrets.token_hex(32))
                session.connection().execute(insert(Setting.__table__).values(
                    key=PSEUDONYM_KEY_SETTING, value=value,
                    updated_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
                record_event(session, actor, "pseudonym key created",
                             "per-clinic key for research pseudonyms")
    return bytes.fromhex(json.loads(value))


def write_atomically(path: Path, write: Callable[[TextIO], int]) -> int:
    """Stream an export through `atomic_output`: a crash never leaves half an export."""
    with atomic_output(path) as out:
        return write(out)


def _audit(db: Database, actor: Actor, what: str, result: ExportResult) -> None:
    with db.write() as session:
        record_event(session, actor, "export",
                     f"{what} {result.path.name}: {result.records} records, "
                     f"{result.patients} patients, "
                     + ("pseudonymised" if result.pseudonymised else "identified"))


def export_research_csv(db: Database, path: Path, *, actor: Actor,
                        identified: bool = False) -> ExportResult:
    """One row per assessment with every docs/metrics.md value; pseudonymised unless
    `identified`."""
    actor.require("print")
    key = None if identified else pseudonym_key(db, actor=actor)
    patients = 0

    def rows(session: Session):
        nonlocal patients
        for history in iter_histories(session):
            patients += 1
            subject = (history.patient.mrn if identified
                       else research_csv.pseudonym(key, history.patient.mrn))
            yield from research_csv.research_lines(history, subject_id=subject,
                                                   identified=identified)

    with db.read() as session:
        count = write_atomically(path, lambda out: research_csv.write_research_csv(
            rows(session), out, identified=identified))
    result = ExportResult(Path(path), patients, count, not identified)
    _audit(db, actor, "research CSV", result)
    return result


def export_fhir_bundle(db: Database, path: Path, *, actor: Actor, pseudonymous: bool = False,
                       now: dt.datetime | None = None) -> ExportResult:
    """A FHIR R4 collection Bundle of every patient; ids are stable from export to export."""
    actor.require("print")
    key = pseudonym_key(db, actor=actor)
    mode = "pseudonymous" if pseudonymous else "identified"
    namespace = uuid.UUID(bytes=hmac.new(key, f"fhir-ids/{mode}".encode(),
                                         hashlib.sha256).digest()[:16])
    ids = fhir.ResourceIds(namespace)
    patients = 0

    def resources(session: Session):
        nonlocal patients
        for history in iter_histories(session):
            patients += 1
            alias = research_csv.pseudonym(key, history.patient.mrn) if pseudonymous else None
            yield from fhir.patient_resources(history, ids, pseudonym=alias)

    stamp = now or dt.datetime.now(dt.timezone.utc)
    with db.read() as session:
        count = write_atomically(path, lambda out: fhir.write_bundle(
            resources(session), out, bundle_id=str(uuid.uuid4()), timestamp=stamp))
    result = ExportResult(Path(path), patients, count, pseudonymous)
    _audit(db, actor, "FHIR bundle", result)
    return result
