"""One report section per ulcer episode: classification, healing metrics, curve, assessments."""
from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether

from app.domain.episodes import CONFIRMATION_DAYS, WEEK4_WINDOW, WEEK8_WINDOW
from app.domain.records import EpisodeView, PatientHistory
from app.reports import text as t
from app.reports.charts import healing_chart
from app.reports.fonts import markup
from app.reports.layout import Styles, data_table, facts_table, gap, para, rich

WEEK4_RULE = "≥ 50% at week 4 predicts healing by week 12; Sheehan 2003"
WEEK8_RULE = "≥ 90% at week 8; Warriner 2011"
ASSESSMENT_HEADER = ("Date", "Day", "L (cm)", "W (cm)", "D (cm)", "Area (cm²)", "PAR (%)",
                     "Tissue % G/E/S/N", "Exudate", "Closed")
# Relative column widths of the assessment table (scaled to the page).
ASSESSMENT_WIDTHS = (20, 9, 13, 13, 19, 16, 14, 27, 18, 12)


def _par_at(par: float | None, day: int | None, on_track: bool | None, window: tuple[int, int],
            rule: str) -> str:
    if par is None:
        return (f"{t.NOT_RECORDED}: no assessment between days {window[0]} and {window[1]} "
                f"({rule})")
    return f"{t.number(par, t.PAR_DECIMALS, '%')} on day {day}: {t.par_verdict(on_track)} ({rule})"


def _projection(view: EpisodeView) -> str:
    m = view.metrics
    if m.projected_closure_date is not None:
        return f"{t.date(m.projected_closure_date)} (trend of the last 4 assessments)"
    if m.status != "open":
        return f"not applicable ({m.status})"
    if len(view.assessments) < 2:
        return f"{t.NOT_RECORDED} (needs 2 assessments)"
    return "none: the area is not shrinking"


def _closure(view: EpisodeView) -> tuple[str, str]:
    m = view.metrics
    if m.first_closure_date is None:
        return "not closed", "not applicable"
    closed = f"{t.date(m.first_closure_date)} (day {m.days_to_closure})"
    confirmed = (f"yes: still closed {CONFIRMATION_DAYS} or more days later"
                 if m.closure_confirmed else
                 f"no: no closed assessment {CONFIRMATION_DAYS} or more days later")
    return closed, confirmed


def _recurrence(view: EpisodeView) -> str:
    parts = []
    if view.recurrence_of_episode is not None:
        parts.append(f"this episode is a recurrence of episode {view.recurrence_of_episode}")
    if view.recurred_on is not None:
        parts.append(f"recurred on {t.date(view.recurred_on)} (episode {view.episode_no + 1})")
    return "; ".join(parts) if parts else "no recurrence recorded"


def _tissue(a) -> str:
    parts = (a.granulation_pct, a.epithelial_pct, a.slough_pct, a.necrotic_pct)
    if all(p is None for p in parts):
        return t.NOT_RECORDED
    return "/".join("–" if p is None else f"{p:.0f}" for p in parts)


def assessment_rows(view: EpisodeView) -> list[list[str]]:
    m = view.metrics
    rows = []
    for i, a in enumerate(view.assessments):
        rows.append([
            t.date(a.on), str(m.days[i]) if m else t.NOT_RECORDED,
            t.number(a.length_cm, t.LENGTH_DECIMALS), t.number(a.width_cm, t.LENGTH_DECIMALS),
            t.number(a.depth_cm, t.LENGTH_DECIMALS), t.number(a.area_cm2, t.AREA_DECIMALS),
            t.number(m.par_series[i], t.PAR_DECIMALS) if m else t.NOT_RECORDED,
            _tissue(a), t.word(a.exudate), t.yes_no(a.closed)])
    return rows


def dose_days(view: EpisodeView, history: PatientHistory) -> list[int]:
    """Days since this episode's baseline of the exosome doses given to it (or to no site)."""
    m = view.metrics
    if m is None:
        return []
    end = view.recurred_on
    return [(d.on - m.baseline_date).days for d in history.exosome_doses
            if (d.ulcer_id == view.ulcer_id or d.ulcer_id is None)
            and d.on >= m.baseline_date and (end is None or d.on < end)]


def episode_section(view: EpisodeView, history: PatientHistory, styles: Styles, *,
                    width: float) -> list[Flowable]:
    m = view.metrics
    status = m.status if m else (view.clinician_status or "open")
    heading = rich(f"Ulcer {markup(view.label, base=styles.h2.fontName)} "
                   f"<font size='9'>({status})</font>", styles.h2)
    story: list[Flowable] = [KeepTogether([heading, facts_table([
        ("Site", t.site(view.site)), ("Etiology", t.word(view.etiology, t.ETIOLOGY_WORDS)),
        ("Wagner grade", t.word(view.wagner_grade)),
        ("UT class", t.ut_class(view.ut_grade, view.ut_stage)),
        ("Onset", t.date(view.onset_date)), ("Recurrence", _recurrence(view)),
    ], styles, width=width)])]
    if m is None:
        story.append(gap(2))
        story.append(para(f"Healing metrics could not be computed: "
                          f"{view.problem or t.NOT_RECORDED}.", styles.body))
    else:
        closed, confirmed = _closure(view)
        story += [gap(2), facts_table([
            ("Baseline", f"{t.date(m.baseline_date)}: {t.number(m.baseline_area_cm2, 2)} cm²"),
            ("Latest", f"{t.date(m.latest_date)}: {t.number(m.latest_area_cm2, 2)} cm²"),
            ("PAR (latest)", t.number(m.par_percent, t.PAR_DECIMALS, "%")),
            ("Assessments", str(len(view.assessments))),
            ("Area slope", t.number(m.area_slope_cm2_per_week, t.SLOPE_DECIMALS, "cm²/week")),
            ("Gilman's edge advance", t.number(m.gilman_cm_per_week, t.GILMAN_DECIMALS,
                                               "cm/week")),
            ("Projected closure", _projection(view)),
            ("Closure date", closed),
            ("Closure confirmed", confirmed),
        ], styles, width=width), facts_table([
            ("PAR at week 4", _par_at(m.par_week4_percent, m.par_week4_day, m.week4_on_track,
                                      WEEK4_WINDOW, WEEK4_RULE)),
            ("PAR at week 8", _par_at(m.par_week8_percent, m.par_week8_day, m.week8_on_track,
                                      WEEK8_WINDOW, WEEK8_RULE)),
        ], styles, width=width, columns=1)]
        chart = healing_chart(days=m.days, areas=[a.area_cm2 or 0.0 for a in view.assessments],
                              pars=m.par_series, dose_days=dose_days(view, history),
                              width=width, height=150)
        story.append(KeepTogether([rich("Healing curve", styles.h3), chart]))
    story.append(gap(2))
    total = sum(ASSESSMENT_WIDTHS)
    story.append(data_table(ASSESSMENT_HEADER, assessment_rows(view), styles,
                            widths=[width * w / total for w in ASSESSMENT_WIDTHS]))
    return story

