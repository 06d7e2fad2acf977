"""The patient's version (`--audience patient`): one page, large type, plain words, no lab jargon.

The numbers are the same ones the clinician sees (PatientHistory), only fewer and in words.
The warning signs are those of local infection in IWGDF/IDSA 2023 (docs/clinical_reference.md §2.5).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import BinaryIO

from reportlab.platypus import Flowable, KeepInFrame, ListFlowable, ListItem

from app.domain.labels import mrn_label, site_label
from app.domain.records import ClinicSettings, EpisodeView, PatientHistory
from app.reports import text as t
from app.reports.charts import trend_chart
from app.reports.clinician import page_header
from app.reports.document import build_pdf, content_height, content_width
from app.reports.fonts import markup
from app.reports.layout import Styles, gap, make_styles, para, rich
from app.reports.photos import EpisodePhotos, patient_photo_section

TITLE = "Your foot ulcer care summary"
BASE_SIZE = 13.0
WARNING_SIGNS = (
    "redness or warmth spreading around the wound",
    "new or more swelling of the foot",
    "more pain or tenderness than before",
    "pus, cloudy fluid or a bad smell from the wound",
    "fever, chills, or feeling generally unwell",
    "blood sugar readings much higher than usual",
)
MAX_WOUNDS = 4  # more would not fit on one page in large type


def current_episodes(history: PatientHistory) -> list[EpisodeView]:
    """The latest episode of each site, in the order the sites first appeared."""
    latest: dict[str, EpisodeView] = {}
    for view in history.episodes:
        latest[view.site] = view
    return list(latest.values())


def where(site: str) -> str:
    """The wound's place in a sentence: "the right big toe, sole"; a free label as typed."""
    words = site_label(site)
    return f"the {words}" if words != site.strip() else words


def wound_sentence(view: EpisodeView) -> str:
    """Markup for one wound in plain words, e.g. "… is 45% smaller than when treatment began"."""
    site = markup(where(view.site))
    m = view.metrics
    if m is None:
        return f"Your wound on <b>{site}</b>: its size was {t.NOT_RECORDED}."
    began = t.long_date(m.baseline_date)
    if m.status == "healed":
        return (f"Your wound on <b>{site}</b> <b>has closed</b>. It healed on "
                f"{t.long_date(m.first_closure_date)}.")
    if m.status in ("amputated", "lost"):
        return f"Your care team will talk with you about the wound on <b>{site}</b>."
    change = round(m.par_percent)
    if change > 0:
        return (f"Your wound on <b>{site}</b> is <b>{change}% smaller</b> than when treatment "
                f"began ({began}).")
    if change < 0:
        return (f"Your wound on <b>{site}</b> is <b>{-change}% larger</b> than when treatment "
                f"began ({began}). Your care team will talk with you about the next steps.")
    return f"Your wound on <b>{site}</b> is about the same size as when treatment began ({began})."


def healing_picture(view: EpisodeView, *, width: float) -> Flowable | None:
    m = view.metrics
    if m is None or len(view.assessments) < 2:
        return None
    return trend_chart(days=list(m.days), values=[a.area_cm2 for a in view.assessments],
                       width=width, height=200,
                       title=f"How your wound on {where(view.site)} has changed",
                       y_label="wound size (cm²)", x_label="days since treatment began",
                       font_size=10)


def next_appointment(history: PatientHistory) -> str:
    last = history.last_visit
    if last is None or last.next_visit_date is None:
        return (f"Your next appointment: {t.NOT_RECORDED}. Please call the clinic to book "
                f"one.")
    return f"Your next appointment: <b>{t.long_date(last.next_visit_date)}</b>."


def pain_sentence(history: PatientHistory) -> str | None:
    pain = history.pain
    if pain.baseline_vas is None:
        return None
    return (f"Your pain score was {t.number(pain.baseline_vas, 1)} at the start and is "
            f"{t.number(pain.latest_vas, 1)} now (0 means no pain, 10 the worst pain).")


def patient_story(history: PatientHistory, settings: ClinicSettings, *, width: float,
                  report_date: dt.date, photos: Sequence[EpisodePhotos] = ()
                  ) -> list[Flowable]:
    styles: Styles = make_styles(BASE_SIZE)
    story: list[Flowable] = [
        rich(TITLE, styles.title),
        rich(f"For {markup(history.patient.name)}, printed on {t.long_date(report_date)} by "
             f"{markup(settings.clinic_name)}.", styles.body), gap(3)]
    episodes = current_episodes(history)
    if not episodes:
        story.append(rich(f"Wound measurements: {t.NOT_RECORDED} yet.", styles.body))
    for view in episodes[:MAX_WOUNDS]:
        story += [rich(wound_sentence(view), styles.body), gap(1.5)]
    for view in reversed(episodes):  # the most recent wound that has a curve to draw
        picture = healing_picture(view, width=width * 0.8)
        if picture is not None:
            story += [gap(2), picture]
            break
    story += patient_photo_section(photos, styles, width=width)
    pain = pain_sentence(history)
    if pain:
        story += [gap(2), rich(pain, styles.body)]
    story += [gap(3), rich(next_appointment(history), styles.body), gap(3),
              rich("Call the clinic the same day if you notice:", styles.h3),
              ListFlowable([ListItem(para(sign, styles.body), leftIndent=14)
                            for sign in WARNING_SIGNS], bulletType="bullet",
                           bulletFontName=styles.body.fontName, leftIndent=14),
              gap(2),
              rich("If you have a fever and your foot is hot, red or swollen, go to the "
                   "emergency department.", styles.body)]
    return story


def build_patient_report(history: PatientHistory, settings: ClinicSettings, *,
                         printed_by: str, out: BinaryIO,
                         report_date: dt.date | None = None,
                         photos: Sequence[EpisodePhotos] = ()) -> int:
    """Write the one-page patient summary PDF to `out`; returns the page count (always 1)."""
    report_date = report_date or dt.date.today()
    width = content_width(settings.paper_size)
    story = patient_story(history, settings, width=width, report_date=report_date,
                          photos=photos)
    # Shrink rather than spill: the patient's version is one page, whatever it holds.
    one_page = KeepInFrame(width, content_height(settings.paper_size), story, mode="shrink")
    header = page_header(history, settings, title=TITLE, printed_by=printed_by,
                         report_date=report_date)
    return build_pdf([one_page], out, paper=settings.paper_size, header=header,
                     subject=f"Patient summary, {mrn_label(history.patient.mrn)}")
