"""The clinician's follow-up summary: every section holds the golden patients' numbers."""
from __future__ import annotations

import json
import re

import pytest

from app.domain.analytes import ANALYTES
from tests.conftest import GOLDEN_JSON
from tests.reports.support import PRINTED_BY, body_text, build, page_texts, section

SECTIONS = ("Patient", "Ulcer ", "Pain (VAS 0–10)", "Labs and perfusion", "Treatments",
            "Adverse events", "Signature")
WEEK4_RULE = "(≥ 50% at week 4 predicts healing by week 12; Sheehan 2003)"
WEEK8_RULE = "(≥ 90% at week 8; Warriner 2011)"
DATE = r"\d{4}-\d{2}-\d{2}"


def expected() -> dict:
    return json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))


def shown(value: float, decimals: int, *, signed: bool = False) -> str:
    """The way the report rounds a number for display (-0.0 reads 0.0)."""
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    return f"{0:.{decimals}f}" if float(text) == 0 else text


def episode_headings(summary: dict) -> list[str]:
    return [f"Ulcer {u['site']}" + (f" (episode {u['episode']})" if u["episode"] > 1 else "")
            + f" ({u['status']})" for u in summary["ulcers"]]


def check_episode(text: str, u: dict) -> None:
    assert f"Baseline {u['baseline_date']}: {shown(u['baseline_area_cm2'], 2)} cm²" in text
    assert f"Latest {u['latest_date']}: {shown(u['latest_area_cm2'], 2)} cm²" in text
    assert f"PAR (latest) {shown(u['par_percent'], 1)}%" in text
    for week, rule, window in ((4, WEEK4_RULE, "21 and 35"), (8, WEEK8_RULE, "49 and 63")):
        par = u[f"par_week{week}_percent"]
        if par is None:
            assert (f"PAR at week {week} not recorded: no assessment between days {window} "
                    f"{rule}" in text)
        else:
            verdict = "on track" if u[f"week{week}_on_track"] else "not on track"
            assert re.search(rf"PAR at week {week} {re.escape(shown(par, 1))}% on day \d+: "
                             rf"{verdict} {re.escape(rule)}", text), (week, text)
    slope = u["area_slope_cm2_per_week"]
    assert f"Area slope {shown(slope, 2)} cm²/week" in text
    gilman = u["gilman_cm_per_week"]
    assert f"Gilman's edge advance {shown(gilman, 3)} cm/week" in text
    if u["projected_closure_date"]:
        assert f"Projected closure {u['projected_closure_date']}" in text
    elif u["status"] == "healed":
        assert "Projected closure not applicable (healed)" in text
    if u["first_closure_date"]:
        assert f"Closure date {u['first_closure_date']} (day {u['days_to_closure']})" in text
        assert f"Closure confirmed {'yes' if u['closure_confirmed'] else 'no'}:" in text
    else:
        assert "Closure date not closed" in text
    if u["recurred_on"]:
        assert f"recurred on {u['recurred_on']} (episode {u['episode'] + 1})" in text
    if u["recurrence_of_episode"]:
        assert f"recurrence of episode {u['recurrence_of_episode']}" in text
    # The assessment table: its header, and the baseline row (date, day 0, area, PAR 0.0).
    assert "Date Day L (cm) W (cm) D (cm) Area (cm²) PAR (%) Tissue % G/E/S/N Exudate Closed" \
        in text
    assert re.search(rf"{u['baseline_date']} 0 \S+ \S+ .*?{shown(u['baseline_area_cm2'], 2)} "
                     rf"0\.0 ", text)


def check_pain(text: str, pain: dict) -> None:
    assert re.search(rf"Baseline {shown(pain['baseline_vas'], 1)} on {DATE}", text)
    assert re.search(rf"Latest {shown(pain['latest_vas'], 1)} on {DATE}", text)
    assert f"Change {shown(pain['change'], 1, signed=True)}" in text
    important = "yes" if pain["clinically_important_reduction"] else "no"
    assert f"Clinically important reduction {important} (a fall of 2 points or more" in text


def check_labs(text: str, labs: dict) -> None:
    for column, lab in labs.items():
        a = ANALYTES[column]
        row = (rf"{re.escape(a.label)} {re.escape(a.unit)} "
               rf"{re.escape(shown(lab['baseline'], a.decimals))} \({DATE}\) "
               rf"{re.escape(shown(lab['latest'], a.decimals))} \({DATE}\) "
               rf"{re.escape(shown(lab['change'], a.decimals, signed=True))} (?:\S+|not set) "
               rf"{lab['latest_flag'] or 'no range'}")
        assert re.search(row, text), (column, row)


def test_every_section_holds_the_golden_numbers(golden_read_only):
    for mrn, summary in expected().items():
        pdf, history = build(golden_read_only, mrn)
        text = body_text(pdf)
        headings = episode_headings(summary)
        for i, u in enumerate(summary["ulcers"]):
            end = headings[i + 1] if i + 1 < len(headings) else "Pain (VAS 0–10)"
            check_episode(section(text, headings[i], end), u)
        check_pain(section(text, "Pain (VAS 0–10)", "Labs and perfusion"), summary["pain"])
        check_labs(section(text, "Labs and perfusion", "Treatments"), summary["labs"])
        assert f"MRN {mrn}" in text and summary["name"] in text


def test_sections_come_in_order_with_a_recurrence(golden_read_only):
    pdf, _ = build(golden_read_only, "H-01000")
    text = body_text(pdf)
    positions = [text.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    first = section(text, "Ulcer R-MTH5-plantar (healed)", "Ulcer R-MTH5-plantar (episode 2)")
    second = section(text, "Ulcer R-MTH5-plantar (episode 2) (open)", "Pain (VAS 0–10)")
    assert "recurred on 2025-07-30 (episode 2)" in first
    assert "this episode is a recurrence of episode 1" in second
    # The site in words with the clinic's code (one label function, app.domain.labels).
    words = " ".join(second.split())
    assert "right ball of the foot under the little toe (R-MTH5-plantar)" in words
    assert "PAR (latest) 44.9%" in second and "Projected closure 2025-08-15" in second
    # The healing chart's legend and the day-28 marker are drawn for each episode.
    assert text.count("target: PAR ≥ 50% at day 28") == 2
    assert text.count("50% at day 28 ") >= 2 and "exosome dose" in text
    assert text.count("Sheehan 2003") == 2


def test_header_and_footer_on_every_page(golden_db):
    from app.services.actor import Actor
    from app.services.settings import update_setting

    with golden_db.write() as session:
        update_setting(session, "clinic_name", "Clinique Saint-Éloi", actor=Actor("a", "admin"))
        update_setting(session, "clinic_address", "12 rue des Lilas\n75011 Paris",
                       actor=Actor("a", "admin"))
    pdf, _ = build(golden_db, "H-01000")
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Clinique Saint-Éloi" in page
        assert "Diabetic foot ulcer follow-up summary" in page
        assert "Report date 2026-11-27" in page
        assert "Wei Tanaka · MRN H-01000" in page
        assert f"Printed by {PRINTED_BY} on 2026-11-27" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "12 rue des Lilas, 75011 Paris" in page  # the clinic's address, on one line


@pytest.mark.parametrize("paper, size", [("A4", (595, 842)), ("Letter", (612, 792))])
def test_paper_size_comes_from_the_settings(golden_db, paper, size):
    import io

    from pypdf import PdfReader

    from app.services.actor import Actor
    from app.services.settings import update_setting

    with golden_db.write() as session:
        update_setting(session, "paper_size", paper, actor=Actor("a", "admin"))
    pdf, _ = build(golden_db, "H-01001")
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_clinic_logo_is_drawn_and_a_missing_logo_is_harmless(golden_db, tmp_path):
    import io

    from PIL import Image
    from pypdf import PdfReader

    from app.services.actor import Actor
    from app.services.settings import update_setting

    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (30, 90, 160)).save(logo)
    for path, images in ((str(logo), 1), (str(tmp_path / "gone.png"), 0)):
        with golden_db.write() as session:
            update_setting(session, "clinic_logo_path", path, actor=Actor("a", "admin"))
        pdf, _ = build(golden_db, "H-01002")
        for page in PdfReader(io.BytesIO(pdf)).pages:
            assert len(page.images) == images
