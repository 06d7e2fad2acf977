"""PDF reports built with reportlab from a PatientHistory (no Qt): docs/house_style.md "Reports".

`build_report` is the one entry point the CLI, the GUI and the batch use. reportlab is imported
only when a report is built, so importing this package costs nothing at start-up.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.domain.records import ClinicSettings, PatientHistory
    from app.reports.photos import EpisodePhotos

AUDIENCES = ("clinician", "patient")


def build_report(history: PatientHistory, settings: ClinicSettings, *, audience: str,
                 printed_by: str, out: BinaryIO, report_date: dt.date | None = None,
                 photos: Sequence[EpisodePhotos] = ()) -> int:
    """Write the clinician's summary or the patient's one-page version; returns the pages.
    `photos`: the wound photos to print (app.services.report_photos builds them)."""
    if audience == "clinician":
        from app.reports.clinician import build_clinician_report as build
    elif audience == "patient":
        from app.reports.patient import build_patient_report as build
    else:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}")
    return build(history, settings, printed_by=printed_by, out=out, report_date=report_date,
                 photos=photos)


def render_pdf(history: PatientHistory, settings: ClinicSettings, *, audience: str,
               printed_by: str, report_date: dt.date | None = None,
               photos: Sequence[EpisodePhotos] = ()) -> bytes:
    """The report as PDF bytes (Qt-free: the window lays it out on its background runner)."""
    import io

    out = io.BytesIO()
    build_report(history, settings, audience=audience, printed_by=printed_by, out=out,
                 report_date=report_date, photos=photos)
    return out.getvalue()
