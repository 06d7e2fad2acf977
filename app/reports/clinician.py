"""The clinician's follow-up summary (issue 4): patient, ulcers, pain, labs, treatments, AEs.

Every number comes from the PatientHistory (computed once by app.domain through
load_history); this module only lays it out. Missing values print "not recorded".
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from app.domain.analytes import ANALYTES, LAB_COLUMNS, PERFUSION_COLUMNS, hba1c_ngsp_to_ifcc
from app.domain.labels import mrn_label
from app.domain.patient_measures import VAS_IMPORTANT_CHANGE
from app.domain.records import ClinicSettings, PatientHistory
from app.models.vocab import ARM_LABELS
from app.reports import text as t
from app.reports.charts import trend_chart
from app.reports.document import PageHeader, build_pdf, content_width
from app.reports.episode_section import episode_section
from app.reports.fonts import REGULAR
from app.reports.layout import INK, Styles, data_table, facts_table, gap, make_styles, para, rich
from app.reports.photos import EpisodePhotos, episode_photo_section

TITLE = "Diabetic foot ulcer follow-up summary"
LAB_CHARTS = ("crp_mg_l", "il6_pg_ml")


def hba1c_text(percent: float | None) -> str:
    """HbA1c in % with the IFCC value beside it (docs/metrics.md: display also in mmol/mol)."""
    if percent is None:
        return t.NOT_RECORDED
    return f"{t.number(percent, 1, '%')} ({hba1c_ngsp_to_ifcc(percent):.0f} mmol/mol)"


def patient_block(history: PatientHistory, styles: Styles, *, width: float,
                  report_date: dt.date) -> list[Flowable]:
    p = history.patient
    age = p.age_on(report_date)
    age_text = (f"{age} years (born {t.date(p.birth_date)})" if age is not None
                else t.NOT_RECORDED)
    diabetes = t.word(p.diabetes_type, t.DIABETES_WORDS)
    duration = t.number(p.diabetes_duration_years, 0, "years")
    visits = history.visits
    visit_text = (f"{len(visits)}, from {t.date(visits[0].visit_date)} to "
                  f"{t.date(visits[-1].visit_date)}" if visits else t.NOT_RECORDED)
    last = history.last_visit
    return [rich("Patient", styles.h2), facts_table([
        ("Name", p.name), ("MRN", p.mrn),
        ("Age", age_text), ("Sex", t.word(p.sex, t.SEX_WORDS)),
        ("Diabetes", f"{diabetes}; duration {duration}"),
        ("HbA1c at enrolment", hba1c_text(p.hba1c_enrolment_pct)),
        ("Treatment arm", t.word(p.arm, ARM_LABELS)),
        ("Comorbidities", ", ".join(p.comorbidities) or t.NOT_RECORDED),
        ("Visits", visit_text),
        ("Next visit", t.date(last.next_visit_date) if last else t.NOT_RECORDED),
    ], styles, width=width)]


def _days_since_first(history: PatientHistory, dates: list[dt.date]) -> list[int]:
    if not dates:
        return []
    first = history.visits[0].visit_date
    return [(d - first).days for d in dates]


def pain_section(history: PatientHistory, styles: Styles, *, width: float) -> list[Flowable]:
    pain = history.pain
    heading = rich("Pain (VAS 0–10)", styles.h2)
    series = [(v.visit_date, v.vas) for v in history.visits if v.vas is not None]
    if not series:
        return [heading, para(f"Pain score: {t.NOT_RECORDED}.", styles.body)]
    important = t.yes_no(pain.clinically_important_reduction)
    facts = facts_table([
        ("Baseline", f"{t.number(pain.baseline_vas, 1)} on {t.date(series[0][0])}"),
        ("Latest", f"{t.number(pain.latest_vas, 1)} on {t.date(series[-1][0])}"),
        ("Change", t.number(pain.change, 1, signed=True)),
        ("Clinically important reduction",
         f"{important} (a fall of {VAS_IMPORTANT_CHANGE:g} points or more; Farrar 2001)"),
    ], styles, width=width)
    days = _days_since_first(history, [d for d, _ in series])
    threshold = pain.baseline_vas - VAS_IMPORTANT_CHANGE
    chart = trend_chart(days=days, values=[v for _, v in series], width=width * 0.6,
                        height=110, y_label="VAS", x_label="days since first visit",
                        y_range=(0, 10), threshold=(threshold, "important reduction"))
    return [KeepTogether([heading, facts, chart])]


def _range_text(column: str, history: PatientHistory) -> str:
    ref = history.reference_ranges.get(column)
    if ref is None or not ref.is_set:
        return "not set"
    if ref.low is not None and ref.high is not None:
        return f"{ref.low:g}–{ref.high:g}"
    return f"≥ {ref.low:g}" if ref.low is not None else f"≤ {ref.high:g}"


def _lab_rows(columns: tuple[str, ...], history: PatientHistory) -> list[list[str]]:
    rows = []
    for column in columns:
        summary = history.labs.get(column)
        if summary is None:
            continue
        a = ANALYTES[column]
        latest = t.number(summary.latest, a.decimals)
        if column == "hba1c_pct":
            latest = hba1c_text(summary.latest)
        rows.append([a.label, a.unit,
                     f"{t.number(summary.baseline, a.decimals)} ({t.date(summary.baseline_date)})",
                     f"{latest} ({t.date(summary.latest_date)})",
                     t.number(summary.change, a.decimals, signed=True),
                     _range_text(column, history),
                     summary.latest_flag or "no range"])
    return rows


def _series(history: PatientHistory, column: str) -> tuple[list[int], list[float]]:
    points = [(v.visit_date, v.labs[column].value) for v in history.visits if column in v.labs]
    return _days_since_first(history, [d for d, _ in points]), [value for _, value in points]


def labs_section(history: PatientHistory, styles: Styles, *, width: float) -> list[Flowable]:
    story: list[Flowable] = [rich("Labs and perfusion", styles.h2)]
    header = ("Measure", "Unit", "Baseline (date)", "Latest (date)", "Change",
              "Reference range", "Flag")
    widths = [width * w for w in (0.12, 0.09, 0.21, 0.26, 0.1, 0.13, 0.09)]
    for title, columns in (("Laboratory", LAB_COLUMNS), ("Perfusion", PERFUSION_COLUMNS)):
        rows = _lab_rows(columns, history)
        story.append(rich(title, styles.h3))
        if rows:
            story.append(data_table(header, rows, styles, widths=widths))
        missing = [ANALYTES[c].label for c in columns if c not in history.labs]
        if missing:
            story.append(para(f"{t.NOT_RECORDED}: {', '.join(missing)}", styles.small))
        story.append(gap(2))
    charts = []
    for column in LAB_CHARTS:
        a = ANALYTES[column]
        days, values = _series(history, column)
        if not values:
            charts.append(para(f"{a.label}: {t.NOT_RECORDED}", styles.body))
            continue
        ref = history.reference_ranges.get(column)
        band = (ref.low, ref.high) if ref is not None and ref.is_set else None
        charts.append(trend_chart(days=days, values=values, width=width / 2 - 4, height=105,
                                  title=f"{a.label} ({a.unit})", y_label=a.unit,
                                  x_label="days since first visit", band=band))
    grid = Table([charts], colWidths=[width / 2] * 2, hAlign="LEFT")
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 8),
                              ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(grid)
    story += imaging_facts(history, styles, width=width)
    return story


def imaging_facts(history: PatientHistory, styles: Styles, *, width: float) -> list[Flowable]:
    latest = next(((v.visit_date, v.perfusion) for v in reversed(history.visits)
                   if v.perfusion is not None), None)
    if latest is None:
        return [para(f"Doppler and imaging: {t.NOT_RECORDED}.", styles.body)]
    on, p = latest
    return [gap(2), rich(f"<b>Doppler and imaging</b> (latest, {t.date(on)})", styles.body),
            facts_table([
                ("Doppler waveform", t.word(p.doppler_waveform)),
                ("Doppler flow", t.word(p.doppler_flow)),
                ("Imaging", t.word(p.imaging_modality)),
                ("Depth", t.number(p.imaging_depth_cm, 1, "cm")),
                ("Osteomyelitis", t.word(p.osteomyelitis)),
                ("Findings", t.word(p.imaging_findings)),
            ], styles, width=width)]


def treatments_section(history: PatientHistory, styles: Styles, *,
                       width: float) -> list[Flowable]:
    story: list[Flowable] = [rich("Treatments", styles.h2), rich("Exosome doses", styles.h3)]
    doses = history.exosome_doses
    if doses:
        rows = [[t.date(d.on), t.word(d.site), t.word(d.exosome_product),
                 t.word(d.exosome_source, t.SOURCE_WORDS), t.word(d.exosome_lot),
                 t.quantity(d.exosome_dose, d.exosome_dose_unit),
                 t.number(d.exosome_volume_ml, 1), t.word(d.exosome_route, t.ROUTE_WORDS),
                 (t.number(d.msc_cells_million, 1, "million") if d.msc_cotherapy else "no")]
                for d in doses]
        story.append(data_table(
            ("Date", "Site", "Product", "Source", "Lot", "Dose", "Volume (mL)", "Route",
             "MSC cells"), rows, styles,
            widths=[width * w for w in (0.11, 0.13, 0.14, 0.12, 0.09, 0.13, 0.08, 0.12, 0.08)]))
    else:
        story.append(para(f"Exosome doses: {t.NOT_RECORDED}.", styles.body))
    story.append(rich("Standard care", styles.h3))
    care = [c for c in history.treatments
            if c.debridement or c.dressing or c.offloading or c.antibiotics]
    if care:
        rows = [[t.date(c.on), t.word(c.site), t.yes_no(c.debridement), t.word(c.dressing),
                 t.word(c.offloading), t.word(c.antibiotics)] for c in care]
        story.append(data_table(("Date", "Site", "Debridement", "Dressing", "Offloading",
                                 "Antibiotics"), rows, styles,
                                widths=[width * w for w in (0.12, 0.15, 0.13, 0.2, 0.2, 0.2)]))
    else:
        story.append(para(f"Standard care: {t.NOT_RECORDED}.", styles.body))
    return story


def adverse_events_section(history: PatientHistory, styles: Styles, *,
                           width: float) -> list[Flowable]:
    story: list[Flowable] = [rich("Adverse events", styles.h2)]
    if not history.adverse_events:
        return story + [para("No adverse event recorded.", styles.body)]
    rows = [[t.date(e.onset_date), e.description,
             f"{e.ctcae_grade} ({t.CTCAE_WORDS.get(e.ctcae_grade, '?')})", t.yes_no(e.serious),
             t.word(e.relatedness), t.word(e.outcome, t.OUTCOME_WORDS),
             t.date(e.resolved_on) if e.resolved_on else "not resolved"]
            for e in history.adverse_events]
    story.append(data_table(("Onset", "Event", "CTCAE grade", "Serious", "Relatedness",
                             "Outcome", "Resolved"), rows, styles,
                            widths=[width * w for w in (0.12, 0.25, 0.13, 0.08, 0.13, 0.16,
                                                        0.13)]))
    return story


def signature_block(styles: Styles, *, width: float) -> list[Flowable]:
    labels = ["Doctor (name)", "Signature", "Date"]
    line = Table([[""] * 3, [para(label, styles.small) for label in labels]],
                 colWidths=[width * 0.4, width * 0.4, width * 0.2], rowHeights=[14 * mm, None],
                 hAlign="LEFT")
    line.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 8),
                              ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 12)]))
    return [KeepTogether([rich("Signature", styles.h2),
                          para("I have reviewed this follow-up summary.", styles.body), line])]


def clinician_story(history: PatientHistory, *, width: float,
                    report_date: dt.date, photos: Sequence[EpisodePhotos] = ()
                    ) -> list[Flowable]:
    styles = make_styles()
    story = patient_block(history, styles, width=width, report_date=report_date)
    if not history.episodes:
        story.append(rich("Ulcers", styles.h2))
        story.append(para(f"Ulcer assessments: {t.NOT_RECORDED}.", styles.body))
    for view in history.episodes:
        story += episode_section(view, history, styles, width=width)
        story += episode_photo_section(next((p for p in photos if p.ulcer_id == view.ulcer_id),
                                            None), styles, width=width)
    story += pain_section(history, styles, width=width)
    story += labs_section(history, styles, width=width)
    story += treatments_section(history, styles, width=width)
    story += adverse_events_section(history, styles, width=width)
    story += signature_block(styles, width=width)
    return story


def page_header(history: PatientHistory, settings: ClinicSettings, *, title: str,
                printed_by: str, report_date: dt.date) -> PageHeader:
    p = history.patient
    return PageHeader(clinic_name=settings.clinic_name, logo_path=settings.clinic_logo_path,
                      title=title, patient_name=p.name, mrn=p.mrn,
                      report_date=report_date, printed_by=printed_by,
                      clinic_address=settings.clinic_address)


def build_clinician_report(history: PatientHistory, settings: ClinicSettings, *,
                           printed_by: str, out: BinaryIO,
                           report_date: dt.date | None = None,
                           photos: Sequence[EpisodePhotos] = ()) -> int:
    """Write the clinician's follow-up summary PDF to `out`; returns the page count."""
    report_date = report_date or dt.date.today()
    width = content_width(settings.paper_size)
    story = clinician_story(history, width=width, report_date=report_date, photos=photos)
    header = page_header(history, settings, title=TITLE, printed_by=printed_by,
                         report_date=report_date)
    return build_pdf(story, out, paper=settings.paper_size, header=header,
                     subject=f"Follow-up summary, {mrn_label(history.patient.mrn)}")
