"""Has the visit being typed in a form changed on another workstation since the form opened?

The visit form asks this when the change feed reports the form's patient (app.ui.visit.form):
the form's fields are never reloaded, the nurse is told that saving will ask to reload
(the save itself is refused by `expected_version`, app.services.visits, "changed by X at T").
Own-window echoes (SQLite reports every commit as "everything") are told apart by the
visit's version, not by where the notification came from.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Visit


@dataclass(frozen=True)
class ChangedElsewhere:
    """Who saved the visit last, and when (UTC)."""

    by: str
    at: dt.datetime | None


def visit_changed_since(session: Session, *, patient_id: int, visit_id: int | None,
                        version: int | None, visit_date: dt.date | None
                        ) -> ChangedElsewhere | None:
    """For an edited visit: its saved version differs from `version` (or it was deleted).
    For a new visit: a visit of the patient on `visit_date` now exists. None otherwise."""
    if visit_id is not None:
        row = session.execute(select(Visit.version, Visit.updated_by, Visit.updated_at,
                                     Visit.deleted_at).where(Visit.id == visit_id)).first()
        if row is None or row.deleted_at is not None:
            return ChangedElsewhere("another user (deleted)", None)
        return None if row.version == version else ChangedElsewhere(row.updated_by or "",
                                                                     row.updated_at)
    if visit_date is None:
        return None
    row = session.execute(select(Visit.updated_by, Visit.updated_at).where(
        Visit.patient_id == patient_id, Visit.visit_date == visit_date,
        Visit.deleted_at.is_(None))).first()
    return None if row is None else ChangedElsewhere(row.updated_by or "", row.updated_at)
