"""Reports with gaps, with every script in a name, with many visits, with treatments and AEs."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata

import pytest

from app.services.visit_input import AdverseEventInput, AssessmentInput, LabInput, TreatmentInput
from tests.reports.support import (
    PRINTED_BY,
    TODAY,
    add_patient,
    add_visit,
    body_text,
    build,
    page_texts,
    section,
)

NAME = "Zoë Ångström-Núñez فاطمة الزهراء 王芳 김민준 さくら 😀🦶"


def test_missing_data_prints_not_recorded_never_zero_or_blank(db):
    pid = add_patient(db, mrn="M-0001", name="Nobody Known")
    add_visit(db, pid, dt.date(2026, 10, 1),
              assessments=(AssessmentInput(site="L-heel", length_cm=2.0, width_cm=1.0),))
    pdf, _ = build(db, "M-0001")
    text = body_text(pdf)
    for expected in ("Age not recorded", "Sex not recorded",
                     "Diabetes not recorded; duration not recorded",
                     "HbA1c at enrolment not recorded", "Treatment arm not recorded",
                     "Comorbidities not recorded", "Next visit not recorded",
                     "Etiology not recorded", "Wagner grade not recorded",
                     "UT class not recorded", "Onset not recorded",
                     "Area slope not recorded", "Gilman's edge advance not recorded",
                     "Projected closure not recorded (needs 2 assessments)",
                     "PAR at week 4 not recorded: no assessment between days 21 and 35",
                     "Pain score: not recorded.", "Doppler and imaging: not recorded.",
                     "Exosome doses: not recorded.", "Standard care: not recorded.",
                     "not recorded: CRP, ESR, WBC, HbA1c",
                     "not recorded: ABI, TBI, TcPO₂"):
        assert expected in text, expected
    # The assessment row: L, W and area are there; depth, tissue and exudate are not.
    assert re.search(r"2026-10-01 0 2\.0 1\.0 not recorded 1\.57 0\.0 not recorded "
                     r"not recorded no", text)
    assert "Age 0" not in text and "duration 0" not in text and "0.0 on" not in text


def test_a_patient_without_visits_and_an_episode_without_metrics_still_print(db):
    from app.reports import build_report
    from app.services.history import load_history
    from app.services.settings import load_settings

    pid = add_patient(db, mrn="M-0002", name="No Visits Yet")
    pdf, _ = build(db, "M-0002")
    text = body_text(pdf)
    assert "Visits not recorded" in text and "Ulcer assessments: not recorded." in text
    assert "Pain score: not recorded." in text and "Signature" in text

    add_visit(db, pid, dt.date(2026, 10, 1),
              assessments=(AssessmentInput(site="R-heel", length_cm=3.0, width_cm=2.0),))
    with db.read() as session:
        history = load_history(session, pid)
        settings = load_settings(session)
    broken = dataclasses.replace(history, episodes=tuple(
        dataclasses.replace(view, metrics=None, problem="baseline area on 2026-10-01 is 0")
        for view in history.episodes))
    out = io.BytesIO()
    build_report(broken, settings, audience="clinician", printed_by=PRINTED_BY, out=out)
    text = body_text(out.getvalue())
    assert ("Healing metrics could not be computed: baseline area on 2026-10-01 is 0."
            in text)
    assert re.search(r"2026-10-01 not recorded 3\.0 2\.0 not recorded 4\.71 not recorded", text)


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Each font the pages use, and whether its program is embedded."""
    from pypdf import PdfReader

    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2",
                                                           "/FontFile3"))
            fonts[str(font["/BaseFont"]).split("+")[-1]] = embedded
    return fonts


def test_a_name_in_every_script_prints_with_the_fonts_embedded(db):
    pid = add_patient(db, mrn="U-0001", name=NAME)
    add_visit(db, pid, dt.date(2026, 10, 1),
              assessments=(AssessmentInput(site="L-heel", length_cm=2.0, width_cm=1.0),))
    pdf, _ = build(db, "U-0001")
    fonts = _fonts(pdf)
    assert {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NotoEmoji-Regular"} <= \
        set(fonts)
    assert all(fonts.values()), fonts  # every font program is in the file
    text = "".join(page_texts(pdf))
    for part in ("Zoë Ångström-Núñez", "王芳", "김민준", "さくら", "😀", "🦶"):
        assert part in text, part
    # Arabic is drawn shaped (presentation forms) and in visual order: fold both back.
    folded = unicodedata.normalize("NFKC", text)
    assert "فاطمة" in folded or "فاطمة"[::-1] in folded
    shaped = {ch for ch in text if 0xFE70 <= ord(ch) <= 0xFEFF}
    assert shaped, "Arabic letters were not shaped into their joining forms"
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout
        rows = [line.split() for line in listing.decode().splitlines()[2:]]
        assert rows and all(row[-5] == "yes" for row in rows), listing


def test_sixty_visits_paginate_with_the_table_header_on_every_page(db):
    pid = add_patient(db, mrn="L-0060", name="Long Follow-up")
    start = dt.date(2025, 1, 6)
    dates = [start + dt.timedelta(days=7 * i) for i in range(60)]
    for i, on in enumerate(dates):
        length = max(6.0 - 0.09 * i, 0.6)
        add_visit(db, pid, on, vas=round(7 - i * 0.08, 1), assessments=(AssessmentInput(
            site="R-MTH1-plantar", length_cm=round(length, 1), width_cm=round(length / 2, 1),
            depth_cm=0.3),), labs=(LabInput("crp_mg_l", 40 - i * 0.5),))
    pdf, history = build(db, "L-0060")
    pages = page_texts(pdf)
    header = "Date Day L (cm) W (cm) D (cm) Area (cm²) PAR (%) Tissue % G/E/S/N Exudate Closed"
    table_pages = [p for p in pages if re.search(r"\d{4}-\d{2}-\d{2} \d+ \d+\.\d \d+\.\d ",
                                                  " ".join(p.split()))]
    assert len(table_pages) >= 2, "60 assessments should need more than one page"
    for page in table_pages:
        assert header in " ".join(page.split())
    text = body_text(pdf)
    table = section(text, header, "Pain (VAS 0–10)")
    rows = re.findall(r"(\d{4}-\d{2}-\d{2}) (\d+) \d+\.\d \d+\.\d 0\.3 ", table)
    assert [d for d, _ in rows] == [d.isoformat() for d in dates]
    assert [int(day) for _, day in rows] == list(history.episodes[0].metrics.days)


def test_treatments_and_adverse_events_are_listed(db):
    pid = add_patient(db, mrn="T-0001", name="Dose Given", arm="exosome")
    add_visit(db, pid, dt.date(2026, 9, 1),
              assessments=(AssessmentInput(site="L-heel", length_cm=3.0, width_cm=2.0),),
              treatments=(TreatmentInput(site="L-heel", exosome_product="UC-MSC exosomes",
                                         exosome_source="umbilical_cord", exosome_lot="EXO-4242",
                                         exosome_dose=5e9, exosome_dose_unit="particles",
                                         exosome_volume_ml=0.5, exosome_route="intralesional",
                                         debridement=True, dressing="hydrogel",
                                         offloading="total contact cast"),),
              adverse_events=(AdverseEventInput("Injection-site pain", 1,
                                                relatedness="possible", outcome="recovered",
                                                resolved_on=dt.date(2026, 9, 3)),))
    add_visit(db, pid, dt.date(2026, 9, 8),
              assessments=(AssessmentInput(site="L-heel", length_cm=2.5, width_cm=1.8),))
    pdf, _ = build(db, "T-0001")
    text = body_text(pdf)
    treatments = section(text, "Treatments", "Adverse events")
    assert ("2026-09-01 L-heel UC-MSC exosomes umbilical-cord MSC EXO-4242 5 × 10⁹ particles "
            "0.5 intralesional injection no") in treatments
    assert "2026-09-01 L-heel yes hydrogel total contact cast not recorded" in treatments
    events = section(text, "Adverse events", "Signature")
    assert ("2026-09-01 Injection-site pain 1 (mild) no possible recovered 2026-09-03"
            in events)
    assert "Treatment arm Exosome" in text


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_report_date_and_printer_are_on_the_page(golden_read_only, audience):
    pdf, _ = build(golden_read_only, "H-01003", audience=audience, report_date=TODAY)
    first = " ".join(page_texts(pdf)[0].split())
    assert "Report date 2026-11-27" in first and f"Printed by {PRINTED_BY}" in first
