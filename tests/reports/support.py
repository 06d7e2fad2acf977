"""Helpers for the report tests: build a report into memory and read its text back."""
from __future__ import annotations

import datetime as dt
import io
import re

from app.services.actor import Actor
from app.services.history import get_patient_by_mrn, load_history
from app.services.patients import PatientInput, create_patient
from app.services.settings import load_settings
from app.services.visit_input import VisitInput
from app.services.visits import save_visit

TODAY = dt.date(2026, 11, 27)
PRINTED_BY = "nurse.test"
# Lines the header and footer put on every page; removed so a section reads as one text.
_FURNITURE = re.compile(r"^(Report date \d{4}-\d{2}-\d{2}|Printed by .* on \d{4}-\d{2}-\d{2}|"
                        r"Confidential patient information|Page \d+ of \d+)$")


def build(db, mrn: str, *, audience: str = "clinician", report_date: dt.date = TODAY):
    """(pdf bytes, history) of one patient's report, built into a BytesIO."""
    from app.reports import build_report

    with db.read() as session:
        history = load_history(session, get_patient_by_mrn(session, mrn).id)
        settings = load_settings(session)
    out = io.BytesIO()
    build_report(history, settings, audience=audience, printed_by=PRINTED_BY, out=out,
                 report_date=report_date)
    return out.getvalue(), history


def page_texts(pdf: bytes) -> list[str]:
    """The raw text of each page (pypdf), one extracted item per line."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def body_text(pdf: bytes, *, header_lines: tuple[str, ...] = ()) -> str:
    """The whole report as one line of text without the header and footer of each page."""
    kept = []
    for page in page_texts(pdf):
        for line in page.splitlines():
            if _FURNITURE.match(line.strip()) or line.strip() in header_lines:
                continue
            kept.append(line)
    return flat("\n".join(kept))


def section(text: str, start: str, end: str | None) -> str:
    """The part of `text` from heading `start` up to heading `end` (or the end)."""
    begin = text.index(start)
    stop = text.index(end, begin + len(start)) if end else len(text)
    return text[begin:stop]


def add_patient(db, *, mrn: str, name: str, actor: Actor | None = None, **fields) -> int:
    actor = actor or Actor("nurse.test", "nurse")
    with db.write() as session:
        patient = create_patient(session, PatientInput(mrn=mrn, name=name, **fields),
                                 actor=actor, today=TODAY)
        return patient.id


def add_visit(db, patient_id: int, on: dt.date, *, actor: Actor | None = None, **fields) -> None:
    actor = actor or Actor("nurse.test", "nurse")
    with db.write() as session:
        save_visit(session, VisitInput(patient_id=patient_id, visit_date=on, **fields),
                   actor=actor, confirmed=True, today=TODAY)
