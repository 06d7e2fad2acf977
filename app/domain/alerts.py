"""Clinical alerts for one patient, each with the rule it applies and the source of that rule.

Pure: plain dates, floats and the domain's own dataclasses. The rules (issue 3, docs/metrics.md,
docs/clinical_reference.md):
- PAR at week 4 below 50% (Sheehan 2003; Coerper 2009), open episodes only;
- PAR at week 8 below 90% (Warriner 2011), open episodes only;
- area more than 50% larger than at the previous assessment of an open episode;
- latest CRP above its reference range;
- VAS up by 2 points or more since the previous recorded VAS (Farrar 2001);
- latest ABI, TBI or TcPO₂ below its reference range: ABI ≤ 0.90, TBI < 0.70, TcPO₂ < 40 mmHg
  with the defaults of app.domain.analytes (docs/clinical_reference.md §5);
- follow-up overdue: the next visit was due before today and no visit has happened since.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

from app.domain.analytes import ANALYTES, PERFUSION_COLUMNS, ReferenceRange
from app.domain.episodes import (
    WEEK4_ON_TRACK_PAR,
    WEEK4_TARGET_DAY,
    WEEK4_WINDOW,
    WEEK8_ON_TRACK_PAR,
    AssessmentPoint,
    EpisodeMetrics,
    InvalidEpisode,
    closest_in_window,
    percent_area_reduction,
)
from app.domain.patient_measures import VAS_IMPORTANT_CHANGE, is_important_vas_change

AREA_GROWTH_ALERT_FACTOR = 1.5  # "area up by more than 50% since the previous visit"
CRP_COLUMN = "crp_mg_l"
ISCHEMIA_COLUMNS: tuple[str, ...] = PERFUSION_COLUMNS  # ABI, TBI, TcPO₂


@dataclass(frozen=True)
class AlertRule:
    """What an alert means: a short title, the rule as a clinician would state it, its source."""

    code: str
    title: str
    rule: str
    source: str


RULES: Mapping[str, AlertRule] = MappingProxyType({r.code: r for r in (
    AlertRule("par_week4", "Off track at week 4",
              f"PAR at week 4 (closest to day {WEEK4_TARGET_DAY}, days {WEEK4_WINDOW[0]}–"
              f"{WEEK4_WINDOW[1]}) below {WEEK4_ON_TRACK_PAR:g}% predicts non-healing at 12 weeks",
              "Sheehan P et al., Diabetes Care 2003;26:1879–82; Coerper S et al., "
              "J Diabetes Complications 2009;23:49–53"),
    AlertRule("par_week8", "Off track at week 8",
              f"PAR at week 8 (closest to day 56, days 49–63) below {WEEK8_ON_TRACK_PAR:g}%",
              "Warriner RA et al., Int Wound J 2011 (≥ 90% at week 8: 2.7× the 12-week "
              "healing rate)"),
    AlertRule("area_growth", "Wound growing",
              f"area more than {100 * (AREA_GROWTH_ALERT_FACTOR - 1):g}% larger than at the "
              "previous assessment",
              "Clinic rule of DFU Monitor (issue 3); no published cut-off"),
    AlertRule("crp_high", "CRP above range",
              "latest CRP above the clinic's reference range",
              "Clinic reference range; default 0–10 mg/L "
              "(Mayo Clinic, docs/clinical_reference.md §4)"),
    AlertRule("vas_rise", "Pain rising",
              f"VAS up by {VAS_IMPORTANT_CHANGE:g} points or more since the previous VAS",
              "Farrar JT et al., Pain 2001;94:149–58 (2 points is a clinically important change)"),
    AlertRule("ischemia", "Ischemic range",
              "ABI ≤ 0.90, TBI < 0.70 or TcPO₂ < 40 mmHg (below the reference range)",
              "ACC/AHA 2011 and ESC 2024 (ABI, TBI); WIfI ischemia grades, Mills 2014 (TcPO₂); "
              "docs/clinical_reference.md §5"),
    AlertRule("follow_up_overdue", "Follow-up overdue",
              "the next visit was due before today and has not happened",
              "Clinic follow-up plan: the next visit date, else the follow-up interval setting "
              "while an ulcer is open"),
)})


@dataclass(frozen=True)
class Alert:
    """One alert: which rule fired, about what (an ulcer site, an analyte), and the numbers."""

    code: str
    subject: str
    detail: str
    on: dt.date | None = None

    @property
    def rule(self) -> AlertRule:
        return RULES[self.code]


@dataclass(frozen=True)
class EpisodeCourse:
    """One ulcer episode as the alerts need it: its label, metrics and (date, area cm²) series."""

    label: str
    metrics: EpisodeMetrics | None
    areas: tuple[tuple[dt.date, float], ...]


def week4_par(points: Sequence[AssessmentPoint]) -> float | None:
    """PAR at week 4 by docs/metrics.md's rule (the assessment closest to day 28 within days 21–35,
    ties to the earlier), exactly as episode_metrics computes it; None outside the window.

    Raises InvalidEpisode when the baseline area is 0.
    """
    if not points:
        return None
    ordered = sorted(points, key=lambda p: p.on)
    baseline = ordered[0]
    days = [(p.on - baseline.on).days for p in ordered]
    index = closest_in_window(days, target=WEEK4_TARGET_DAY, window=WEEK4_WINDOW)
    if index is None:
        return None
    return percent_area_reduction(baseline.area_cm2, ordered[index].area_cm2)


def off_track_at_week4(points: Sequence[AssessmentPoint]) -> bool:
    """True when PAR at week 4 is known and below 50% (Sheehan 2003); False for invalid input."""
    try:
        par = week4_par(points)
    except InvalidEpisode:
        return False
    return par is not None and par < WEEK4_ON_TRACK_PAR


def next_visit_due(*, last_visit: dt.date | None, planned_next: dt.date | None,
                   has_open_ulcer: bool, interval_days: int) -> dt.date | None:
    """When the next visit is due: the date planned at the last visit; without one, the last
    visit plus the clinic's follow-up interval while an ulcer is open; otherwise None."""
    if planned_next is not None:
        return planned_next
    if last_visit is not None and has_open_ulcer:
        return last_visit + dt.timedelta(days=interval_days)
    return None


def is_overdue(due: dt.date | None, *, today: dt.date) -> bool:
    """Overdue once the due date has passed (a visit due today is not yet overdue)."""
    return due is not None and due < today


def _fmt(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}"


def _episode_alerts(course: EpisodeCourse) -> list[Alert]:
    m = course.metrics
    if m is None or m.status != "open":
        return []
    alerts = []
    if m.week4_on_track is False and m.par_week4_percent is not None:
        alerts.append(Alert("par_week4", course.label,
                            f"PAR {_fmt(m.par_week4_percent)}% on day {m.par_week4_day}",
                            m.baseline_date + dt.timedelta(days=m.par_week4_day or 0)))
    if m.week8_on_track is False and m.par_week8_percent is not None:
        alerts.append(Alert("par_week8", course.label,
                            f"PAR {_fmt(m.par_week8_percent)}% on day {m.par_week8_day}",
                            m.baseline_date + dt.timedelta(days=m.par_week8_day or 0)))
    if len(course.areas) >= 2:
        (_, previous), (on, latest) = course.areas[-2], course.areas[-1]
        if previous > 0 and latest > AREA_GROWTH_ALERT_FACTOR * previous:
            alerts.append(Alert("area_growth", course.label,
                                f"{_fmt(previous, 2)} → {_fmt(latest, 2)} cm² "
                                f"(+{_fmt(100 * (latest - previous) / previous, 0)}%)", on))
    return alerts


def _latest(series: Sequence[tuple[dt.date, float]]) -> tuple[dt.date, float] | None:
    return max(series, key=lambda item: item[0]) if series else None


def _range_text(reference: ReferenceRange, unit_suffix: str) -> str:
    if reference.low is not None and reference.high is not None:
        return f"range {reference.low:g}–{reference.high:g}{unit_suffix}"
    if reference.low is not None:
        return f"range ≥ {reference.low:g}{unit_suffix}"
    return f"range ≤ {reference.high:g}{unit_suffix}"


def _lab_alerts(labs: Mapping[str, Sequence[tuple[dt.date, float]]],
                ranges: Mapping[str, ReferenceRange]) -> list[Alert]:
    alerts = []
    checks = [(CRP_COLUMN, "H", "crp_high")] + [(c, "L", "ischemia") for c in ISCHEMIA_COLUMNS]
    for column, flag, code in checks:
        latest = _latest(labs.get(column, ()))
        if latest is None:
            continue
        analyte = ANALYTES[column]
        reference = ranges.get(column) or ReferenceRange(analyte.ref_low, analyte.ref_high)
        on, value = latest
        if reference.flag(value) == flag:
            unit = "" if analyte.unit == "ratio" else f" {analyte.unit}"
            alerts.append(Alert(code, analyte.label,
                                f"{value:.{analyte.decimals}f}{unit} "
                                f"({_range_text(reference, unit)})", on))
    return alerts


def _pain_alert(vas: Sequence[tuple[dt.date, float | None]]) -> list[Alert]:
    recorded = sorted(((d, v) for d, v in vas if v is not None), key=lambda item: item[0])
    if len(recorded) < 2:
        return []
    (_, previous), (on, latest) = recorded[-2], recorded[-1]
    if latest > previous and is_important_vas_change(latest - previous):
        return [Alert("vas_rise", "VAS", f"{previous:g} → {latest:g}", on)]
    return []


def patient_alerts(
    *,
    episodes: Sequence[EpisodeCourse],
    vas: Sequence[tuple[dt.date, float | None]],
    labs: Mapping[str, Sequence[tuple[dt.date, float]]],
    ranges: Mapping[str, ReferenceRange],
    next_due: dt.date | None,
    today: dt.date,
) -> tuple[Alert, ...]:
    """Every alert for one patient: follow-up first, then each episode, pain, labs, perfusion."""
    alerts: list[Alert] = []
    if is_overdue(next_due, today=today):
        alerts.append(Alert("follow_up_overdue", "Follow-up",
                            f"due {next_due.isoformat()}, {(today - next_due).days} days ago",
                            next_due))
    for course in episodes:
        alerts += _episode_alerts(course)
    alerts += _pain_alert(vas)
    alerts += _lab_alerts(labs, ranges)
    return tuple(alerts)
