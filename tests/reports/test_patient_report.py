"""The patient's version: one page, large type, plain words, no lab jargon."""
from __future__ import annotations

import datetime as dt
import io
import re

from app.services.visit_input import AssessmentInput, LabInput
from tests.reports.support import add_patient, add_visit, body_text, build, page_texts

JARGON = ("CRP", "IL-6", "ESR", "HbA1c", "PAR", "Gilman", "Sheehan", "slope", "CTCAE",
          "cytokine", "mg/L", "pg/mL", "Wagner", "etiology")


def _font_sizes(pdf: bytes) -> set[float]:
    from pypdf import PdfReader

    sizes: set[float] = set()

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.add(round(size * tm[0], 1))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return sizes


def test_patient_version_is_one_page_in_plain_words(golden_read_only):
    pdf, history = build(golden_read_only, "H-01000", audience="patient")
    pages = page_texts(pdf)
    assert len(pages) == 1
    text = body_text(pdf)
    # Episode 2 (the recurrence) is the current wound: PAR 44.9% reads "45% smaller".
    assert ("Your wound on the right ball of the foot under the little toe is 45% smaller than "
            "when treatment began (Wednesday 30 July 2025).") in text
    assert "How your wound on the right ball of the foot under the little toe has changed" in text
    assert "R-MTH5" not in text  # the clinic's site code is not for the patient
    assert "Your next appointment: not recorded. Please call the clinic to book one." in text
    assert "Call the clinic the same day if you notice:" in text
    for sign in ("redness or warmth spreading around the wound", "pus, cloudy fluid",
                 "fever, chills"):
        assert sign in text
    assert "Your pain score was 4.9 at the start and is 1.1 now" in text
    for word in JARGON:
        assert not re.search(rf"\b{re.escape(word)}\b", text), word
    body_sizes = [s for s in _font_sizes(pdf) if s >= 12]
    assert body_sizes, "the patient's text should be in large type (12 pt or more)"


def test_healed_grown_and_next_appointment_in_words(db):
    pid = add_patient(db, mrn="P-0001", name="Ana Lima")
    add_visit(db, pid, dt.date(2026, 9, 1), assessments=(
        AssessmentInput(site="L-heel", length_cm=2.0, width_cm=2.0),
        AssessmentInput(site="R-hallux", length_cm=2.0, width_cm=1.0)),
        labs=(LabInput("crp_mg_l", 30.0),))
    add_visit(db, pid, dt.date(2026, 9, 29), next_visit_date=dt.date(2026, 12, 4),
              assessments=(AssessmentInput(site="L-heel", length_cm=0, width_cm=0, closed=True),
                           AssessmentInput(site="R-hallux", length_cm=2.5, width_cm=1.2)),
              labs=(LabInput("crp_mg_l", 12.0),))
    pdf, _ = build(db, "P-0001", audience="patient")
    text = body_text(pdf)
    assert len(page_texts(pdf)) == 1
    assert "Your wound on the left heel has closed. It healed on Tuesday 29 September 2026." in text
    assert ("Your wound on the right big toe is 50% larger than when treatment began "
            "(Tuesday 1 September 2026).") in text
    assert "Your next appointment: Friday 4 December 2026." in text
    assert "CRP" not in text and "12.0" not in text


def test_many_wounds_and_a_long_name_still_fit_one_page(db):
    from app.domain.limits import TEXT_LIMITS

    name = ("Maria Fernanda de la Cruz " * 6)[:TEXT_LIMITS["name"]]
    pid = add_patient(db, mrn="P-0002", name=name)
    sites = [f"{n}-{'plantar-' * 8}"[:TEXT_LIMITS["ulcer_site"]] for n in range(6)]
    for week in range(12):
        add_visit(db, pid, dt.date(2026, 6, 1) + dt.timedelta(days=7 * week),
                  vas=5.0, assessments=tuple(
                      AssessmentInput(site=s, length_cm=4.0 - 0.2 * week, width_cm=2.0)
                      for s in sites))
    pdf, _ = build(db, "P-0002", audience="patient")
    assert len(page_texts(pdf)) == 1
    assert "Call the clinic the same day if you notice:" in body_text(pdf)
