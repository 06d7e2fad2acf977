"""Visit-form drafts: what a nurse typed, kept on disk until the visit is saved or discarded.

One JSON file per database, patient and visit (or new visit) in the user data directory, written
atomically (temporary file in the same folder, fsync, rename, fsync of the folder), so a crash
or a power cut leaves either the previous draft or the new one, never half a file (POSIX
rename(2) semantics; SQLite's "atomic commit" notes make the same argument). No Qt here.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from app.db import database_identity
from app.services.files import write_text_atomically

DRAFT_FORMAT = 1
_DRAFT_KIND = "dfu-monitor visit draft"


@dataclass(frozen=True)
class VisitDraft:
    """A restored draft: the form's field values by key, when it was saved, and its context."""

    fields: dict[str, Any]
    saved_at: dt.datetime
    patient_id: int
    visit_id: int | None
    base_version: int | None = None  # the visit's version when editing began
    extra: dict[str, Any] = field(default_factory=dict)


def drafts_directory() -> Path:
    """The per-user folder that holds drafts (platformdirs' user data directory)."""
    from platformdirs import user_data_path

    from app.db import APP_NAME

    return user_data_path(APP_NAME, appauthor=False) / "drafts"


def visit_draft_path(*, db_url: str, patient_id: int, visit_id: int | None,
                     directory: Path | None = None) -> Path:
    """The draft file of one visit form; the database URL is hashed into the name so two
    clinic databases (say the demo and the real one) never share drafts."""
    database = hashlib.sha256(database_identity(db_url).encode("utf-8")).hexdigest()[:12]
    visit = "new" if visit_id is None else str(int(visit_id))
    name = f"visit-{database}-p{int(patient_id)}-{visit}.json"
    return (directory or drafts_directory()) / name


def write_draft(path: Path, fields: Mapping[str, Any], *, patient_id: int,
                visit_id: int | None, base_version: int | None = None,
                extra: Mapping[str, Any] | None = None, now: dt.datetime | None = None) -> None:
    """Write the draft atomically; the file is readable by its owner only (it holds PHI)."""
    payload = {
        "kind": _DRAFT_KIND,
        "format": DRAFT_FORMAT,
        "saved_at": (now or dt.datetime.now(dt.timezone.utc)).isoformat(),
        "patient_id": int(patient_id),
        "visit_id": visit_id,
        "base_version": base_version,
        "fields": dict(fields),
        "extra": dict(extra or {}),
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_text_atomically(path, text, private=True)


def read_draft(path: Path) -> VisitDraft | None:
    """The draft at `path`; None when there is none or it is not a draft this version can read."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("kind") != _DRAFT_KIND \
            or payload.get("format") != DRAFT_FORMAT or not isinstance(payload.get("fields"), dict):
        return None
    try:
        saved_at = dt.datetime.fromisoformat(payload["saved_at"])
        patient_id = int(payload["patient_id"])
    except (KeyError, TypeError, ValueError):
        return None
    visit_id = payload.get("visit_id")
    base_version = payload.get("base_version")
    return VisitDraft(fields=payload["fields"], saved_at=saved_at, patient_id=patient_id,
                      visit_id=int(visit_id) if isinstance(visit_id, int) else None,
                      base_version=base_version if isinstance(base_version, int) else None,
                      extra=payload.get("extra") if isinstance(payload.get("extra"), dict)
                      else {})


def discard_draft(path: Path) -> bool:
    """Remove the draft; True when there was one."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
