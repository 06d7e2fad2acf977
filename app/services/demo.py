"""Synthetic clinic for demos and benchmarks: deterministic, realistic, bulk-inserted.

Healing follows an exponential model (Warriner 2011; Cardinal 2009) with noise; exosome arms
heal faster on average; some ulcers stall, some recur; inflammation markers track the wound;
pain falls as it heals; a few adverse events. Same seed and anchor date, same clinic.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from sqlalchemy import func, select

from app.db import Database
from app.db_bulk import bulk_insert
from app.db_server import advance_sequences
from app.domain.limits import normalise_mrn, patient_keys
from app.models import AdverseEvent, Assessment, LabResult, Patient, Treatment, Ulcer, Visit
from app.services.change_feed import note_changes
from app.services.changes import Changes
from app.services.demo_history import patient_history

FIRST = ["Wei", "Priya", "Kwame", "Zoë", "Hiroshi", "Olga", "José", "Amélie", "Søren", "Fatima",
         "Ngozi", "Dmitri", "Aroha", "Mei", "Chloé", "Björn", "Ayşe", "Raúl", "Leilani", "Omar",
         "Ines", "Kofi", "Yuki", "Nikolai", "Anaïs", "Mateus", "Siobhán", "Ravi", "Hana", "Émile"]
LAST = ["Tanaka", "Zhang", "Adeyemi", "Müller", "Nielsen", "Petrov", "García", "Dubois",
        "Kowalski", "Haddad", "Okafor", "Ivanova", "Ngata", "Chen", "Lefèvre", "Øster", "Yılmaz",
        "Fernández", "Kahale", "Nasser", "Rossi", "Mensah", "Sato", "Volkov", "Moreau", "Silva",
        "Ó Briain", "Sharma", "Kim", "Laurent"]
ARMS = ["exosome", "exosome+msc", "standard"]
@dataclass(frozen=True)
class SeedResult:
    patients: int
    visits: int
    assessments: int
    lab_values: int
    photos: int = 0


def _next_ids(session, *models) -> list[int]:
    return [(session.scalar(select(func.max(m.id))) or 0) + 1 for m in models]


def seed_demo(db: Database, *, patients: int, seed: int = 1,
              anchor: dt.date | None = None, photos: int = 0) -> SeedResult:
    """Add `patients` synthetic patients whose follow-up ends around `anchor` (today); with
    `photos`, that many of them (with an open ulcer) get synthetic wound photos at their
    baseline and latest assessments (opt-in: about half a second per photo)."""
    anchor = anchor or dt.date.today()
    rng = random.Random(seed)
    rows: dict[str, list[dict]] = {k: [] for k in ("patient", "ulcer", "visit", "assessment",
                                                   "lab", "treatment", "ae")}
    with db.write() as session:
        pid, uid, vid, aid, lid, tid, eid = _next_ids(
            session, Patient, Ulcer, Visit, Assessment, LabResult, Treatment, AdverseEvent)
        mrn_start = pid
        existing_keys = set(session.scalars(select(Patient.mrn_key)))
        for n in range(patients):
            mrn = f"D-{mrn_start + n:05d}"
            while normalise_mrn(mrn) in existing_keys:
                mrn = mrn + "b"
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            arm = ARMS[n % 3] if rng.random() < 0.9 else rng.choice(ARMS)
            birth = dt.date(rng.randint(1940, 1985), rng.randint(1, 12), rng.randint(1, 28))
            rows["patient"].append(dict(
                id=pid, **patient_keys(mrn, name), birth_date=birth,
                sex=rng.choice("FM"), diabetes_type="2" if rng.random() < 0.9 else "1",
                diabetes_duration_years=round(rng.uniform(2, 30), 0),
                hba1c_enrolment_pct=round(rng.uniform(6.2, 11.5), 1),
                pad=rng.random() < 0.35, neuropathy=rng.random() < 0.8,
                smoking=rng.random() < 0.2, ckd=rng.random() < 0.15, arm=arm, version=1))
            ids = patient_history(rng, rows, anchor=anchor, patient_id=pid, arm=arm,
                                   next_ids=[uid, vid, aid, lid, tid, eid])
            uid, vid, aid, lid, tid, eid = ids
            pid += 1
        connection = session.connection()
        for table, model in (("patient", Patient), ("ulcer", Ulcer), ("visit", Visit),
                             ("assessment", Assessment), ("lab", LabResult),
                             ("treatment", Treatment), ("ae", AdverseEvent)):
            bulk_insert(connection, model.__table__, rows[table])
        # Explicit ids: a server's id sequences move past them, so later inserts still work.
        advance_sequences(connection, [m.__tablename__ for m in (
            Patient, Ulcer, Visit, Assessment, LabResult, Treatment, AdverseEvent)])
        note_changes(session, Changes.all())
    added = seed_demo_photos(db, [r["id"] for r in rows["patient"]], photos) if photos else 0
    return SeedResult(len(rows["patient"]), len(rows["visit"]), len(rows["assessment"]),
                      len(rows["lab"]), added)


DEMO_PHOTO_SIZE = (1024, 768)


def _photo_targets(session, patient_ids: list[int], count: int) -> list[tuple[int, float]]:
    """(assessment id, area cm²) of the baseline and the latest open assessment of the first
    `count` patients whose most recent ulcer is still open."""
    from app.imaging.synthetic import AREA_RANGE_CM2

    def area(a: Assessment) -> float | None:
        value = a.traced_area_cm2 or (math.pi / 4 * a.length_cm * a.width_cm
                                      if a.length_cm and a.width_cm else None)
        return min(max(value, AREA_RANGE_CM2[0]), AREA_RANGE_CM2[1]) if value else None

    targets: list[tuple[int, float]] = []
    chosen = 0
    for patient_id in patient_ids:
        rows = session.execute(
            select(Assessment).join(Visit, Assessment.visit_id == Visit.id)
            .where(Visit.patient_id == patient_id).order_by(Visit.visit_date)).scalars().all()
        if not rows or rows[-1].closed:
            continue
        ulcer = rows[-1].ulcer_id
        mine = [a for a in rows if a.ulcer_id == ulcer and not a.closed and area(a)]
        if len(mine) < 2:
            continue
        targets += [(mine[0].id, area(mine[0])), (mine[-1].id, area(mine[-1]))]
        chosen += 1
        if chosen >= count:
            break
    return targets


def seed_demo_photos(db: Database, patient_ids: list[int], count: int) -> int:
    """Synthetic photos (app.imaging.synthetic, the assessment's own area, seeded by its id)
    rendered outside any transaction, then attached in one, filling the sizes with the
    method "photo" (the healing curve marks them)."""
    from app.imaging.synthetic import synthetic_photo
    from app.services.actor import Actor
    from app.services.photos import attach_photo, prepare_photo

    with db.read() as session:
        targets = _photo_targets(session, patient_ids, count)
    prepared = []
    for assessment_id, area in targets:
        scene = synthetic_photo(assessment_id, size=DEMO_PHOTO_SIZE, area_cm2=area)
        prepared.append((assessment_id, prepare_photo(
            scene.jpeg, file_name=f"demo-{assessment_id}.jpg", outline=scene.outline_px)))
    actor = Actor("demo", "nurse")
    with db.write() as session:
        for assessment_id, photo in prepared:
            attach_photo(session, photo, assessment_id=assessment_id, actor=actor)
        note_changes(session, Changes.all())
    return len(prepared)


def seed_demo_if_empty(db: Database, *, patients: int) -> int:
    """Seed the demo clinic unless it already has patients; returns the patients added."""
    with db.read() as session:
        if session.scalar(select(func.count(Patient.id))):
            return 0
    return seed_demo(db, patients=patients).patients


def seed_demo_photos_of_first(db: Database, count: int) -> int:
    """Synthetic wound photos for the first `count` demo patients with an open ulcer (about
    a second each: the window asks for them after the patients are listed)."""
    with db.read() as session:
        ids = list(session.scalars(select(Patient.id).order_by(Patient.id)))
    return seed_demo_photos(db, ids, count)
