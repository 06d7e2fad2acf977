"""The demo clinic's synthetic wound photos: opt-in (`photos=N`), at the baseline and the latest
assessment of N patients with an open ulcer, measured through the card, method "photo"."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.models import Assessment, Photo, Visit
from app.services.demo import seed_demo
from app.services.photos import list_photos

ANCHOR = dt.date(2026, 11, 27)


def test_photos_are_opt_in(db):
    result = seed_demo(db, patients=5, anchor=ANCHOR)
    with db.read() as session:
        assert result.photos == 0 and session.scalar(select(func.count(Photo.id))) == 0


def test_two_patients_get_baseline_and_latest_photos(db):
    result = seed_demo(db, patients=20, anchor=ANCHOR, photos=2)
    assert result.photos == 4
    with db.read() as session:
        patients = sorted(set(session.scalars(select(Photo.patient_id))))
        assert len(patients) == 2
        for patient_id in patients:
            photos = list_photos(session, patient_id=patient_id)
            assert len(photos) == 2 and all(p.calibrated for p in photos)
            ulcer = {session.get(Assessment, p.assessment_id).ulcer_id for p in photos}
            assert len(ulcer) == 1
            dates = sorted(session.scalars(
                select(Visit.visit_date).join(Assessment, Assessment.visit_id == Visit.id)
                .where(Assessment.ulcer_id == ulcer.pop())))
            assert photos[0].visit_date == dates[0]  # baseline
            for p in photos:
                a = session.get(Assessment, p.assessment_id)
                assert a.method == "photo" and abs(a.traced_area_cm2 - p.area_cm2) <= 0.006
