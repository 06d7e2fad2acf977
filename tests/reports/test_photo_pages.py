"""Wound photos in the PDF reports: baseline and latest with outline and 1-cm bar, up to 6
thumbnails per episode (clinician), baseline against latest (patient), never upscaled."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from app.reports.photos import PRINT_DPI, PhotoFigure, ReportPhoto
from app.services.actor import Actor
from app.services.report_jobs import render_report
from app.services.report_photos import load_report_photos
from tests.db.helpers import golden_copy

NURSE = Actor("nurse.test", "nurse")


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """The golden clinic with a synthetic photo on each of one patient's first 8 visits."""
    from tests.ui.photo_support import attach_scene, patient_assessments

    folder = tmp_path_factory.mktemp("photo-report")
    db = golden_copy(tmp_path_factory, folder / "clinic.db")
    patient_id, assessments = patient_assessments(db)
    for n, (assessment_id, _on, _site) in enumerate(assessments[:8]):
        attach_scene(db, assessment_id, 60 + n)
    yield db, patient_id
    db.dispose()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _images(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_clinician_report_prints_baseline_latest_and_six_thumbnails(clinic):
    db, patient_id = clinic
    with db.read() as session:
        from app.services.history import load_history

        photos = load_report_photos(session, load_history(session, patient_id))
    assert len(photos) == 1
    episode = photos[0]
    assert episode.baseline.visit_date < episode.latest.visit_date
    assert episode.baseline.day == 0 and episode.latest.day > 0
    assert len(episode.thumbnails) == 6
    assert episode.baseline.px_per_cm > 0 and episode.baseline.outline
    pdf = render_report(db, patient_id, audience="clinician", actor=NURSE,
                        report_date=dt.date(2026, 11, 27))
    text = _text(pdf)
    assert "Photos of L-hallux-plantar" in text and "1 cm" in text
    assert "day 0" in text
    assert _images(pdf) >= 8  # baseline, latest and six thumbnails


def test_patient_version_shows_baseline_against_latest_on_one_page(clinic):
    db, patient_id = clinic
    pdf = render_report(db, patient_id, audience="patient", actor=NURSE,
                        report_date=dt.date(2026, 11, 27))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "the first photo and the latest" in _text(pdf)
    assert _images(pdf) == 2


def test_a_report_without_photos_has_no_photo_section(golden_db):
    from app.services.history import get_patient_by_mrn

    with golden_db.read() as session:
        patient_id = get_patient_by_mrn(session, "H-01002").id
    pdf = render_report(golden_db, patient_id, audience="clinician", actor=NURSE)
    assert "Photos of" not in _text(pdf) and _images(pdf) == 0


@pytest.mark.parametrize("size, room", [((600, 450), (500.0, 500.0)), ((3000, 2000), (1e4, 1e4)),
                                        ((200, 800), (90.0, 90.0))])
def test_a_photo_is_never_drawn_larger_than_its_pixels_at_300_dpi(size, room):
    photo = ReportPhoto(jpeg=b"", width_px=size[0], height_px=size[1], outline=None,
                        px_per_cm=None, visit_date=dt.date(2026, 1, 1), day=0, area_cm2=None,
                        calibrated=False)
    figure = PhotoFigure(photo, *room)
    assert figure.width <= size[0] * 72 / PRINT_DPI + 1e-9
    assert figure.height <= size[1] * 72 / PRINT_DPI + 1e-9
    assert figure.width <= room[0] + 1e-9 and figure.height <= room[1] + 1e-9
    assert figure.width / size[0] == pytest.approx(figure.height / size[1])  # not distorted


def test_batch_write_one_prints_the_photos(clinic, tmp_path):
    from app.services.history import load_history
    from app.services.report_batch import write_one
    from app.services.settings import load_settings

    db, patient_id = clinic
    with db.read() as session:
        history = load_history(session, patient_id)
        photos = load_report_photos(session, history)
        settings = load_settings(session)
    path = write_one(history, settings, "clinician", "nurse.test", tmp_path / "one.pdf", photos)
    assert _images(path.read_bytes()) >= 8
