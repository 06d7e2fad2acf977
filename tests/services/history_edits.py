"""Edits that the one-statement loaders (chart_rows, summary_rows) must see as the history does:
shared by their equivalence tests."""
from __future__ import annotations

from sqlalchemy import select

from app.models import Assessment, Ulcer


def amputate_first_ulcer_and_clear_first_sizes(session, patient_id: int, visit_id: int) -> None:
    """The patient's first ulcer marked amputated by the clinician, and the first assessment
    of `visit_id` left without sizes or closure, flushed."""
    first_ulcer = session.scalars(select(Ulcer).where(Ulcer.patient_id == patient_id)
                                  .order_by(Ulcer.id)).first()
    first_ulcer.clinician_status = "amputated"
    sizes = session.scalars(select(Assessment).where(Assessment.visit_id == visit_id)
                            .order_by(Assessment.id)).first()
    sizes.length_cm = sizes.width_cm = sizes.traced_area_cm2 = None
    sizes.closed = False
    session.flush()
