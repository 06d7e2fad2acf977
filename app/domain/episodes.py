"""Ulcer episodes and their healing metrics (docs/metrics.md, "Episode metrics").

An episode is the series of assessments of one site from its baseline (day 0) up to the
assessment before the site reopens after closure. Pure: dates, floats and dataclasses.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Hashable, Sequence

from app.domain.regression import ols_line
from app.domain.wound import AreaMethod, area_cm2, is_closed, perimeter_cm

WEEK4_TARGET_DAY, WEEK4_WINDOW = 28, (21, 35)
WEEK8_TARGET_DAY, WEEK8_WINDOW = 56, (49, 63)
WEEK4_ON_TRACK_PAR = 50.0  # Sheehan 2003; Coerper 2009
WEEK8_ON_TRACK_PAR = 90.0  # Warriner 2011
CONFIRMATION_DAYS = 14  # FDA 2006 / IWGDF style: still closed two weeks later
PROJECTION_POINTS = 4

CLINICIAN_STATUSES = ("amputated", "lost")
STATUSES = ("open", "healed", *CLINICIAN_STATUSES)


class InvalidEpisode(ValueError):
    """An episode that docs/metrics.md calls invalid input (for example a baseline area of 0)."""


@dataclass(frozen=True)
class AssessmentPoint:
    """One assessment of one site, reduced to what the episode metrics need."""

    on: date
    area_cm2: float
    perimeter_cm: float
    closed: bool
    key: Hashable = None  # the caller's identifier, carried through untouched


def assessment_point(
    *,
    on: date,
    length_cm: float | None,
    width_cm: float | None,
    traced_area_cm2: float | None,
    closed_marked: bool,
    method: AreaMethod = AreaMethod.ELLIPSE,
    key: Hashable = None,
) -> AssessmentPoint:
    """Build a point from raw measurements; raises InvalidEpisode when no size is known."""
    closed = is_closed(closed_marked=closed_marked, length_cm=length_cm, width_cm=width_cm)
    sizes = dict(length_cm=length_cm, width_cm=width_cm, traced_area_cm2=traced_area_cm2,
                 closed=closed, method=method)
    area = area_cm2(**sizes)
    perimeter = perimeter_cm(**sizes)
    if area is None or perimeter is None:
        raise InvalidEpisode(f"assessment of {on.isoformat()} has no size")
    return AssessmentPoint(on=on, area_cm2=area, perimeter_cm=perimeter, closed=closed, key=key)


def split_episodes(points: Sequence[AssessmentPoint]) -> list[list[AssessmentPoint]]:
    """Split one site's assessments (in date order) into episodes.

    After a closed assessment, the first open assessment with an area above zero starts a
    new episode: a recurrence of the one before.
    """
    episodes: list[list[AssessmentPoint]] = []
    current: list[AssessmentPoint] = []
    closed_seen = False
    for point in sorted(points, key=lambda p: p.on):
        if current and closed_seen and not point.closed and point.area_cm2 > 0:
            episodes.append(current)
            current, closed_seen = [], False
        current.append(point)
        closed_seen = closed_seen or point.closed
    if current:
        episodes.append(current)
    return episodes


@dataclass(frozen=True)
class EpisodeMetrics:
    """Every docs/metrics.md episode value; None where docs/metrics.md says null."""

    status: str
    baseline_date: date
    baseline_area_cm2: float
    latest_date: date
    latest_area_cm2: float
    par_percent: float
    par_week4_percent: float | None
    week4_on_track: bool | None
    par_week4_day: int | None
    par_week8_percent: float | None
    week8_on_track: bool | None
    par_week8_day: int | None
    area_slope_cm2_per_week: float | None
    gilman_cm_per_week: float | None
    projected_closure_date: date | None
    first_closure_date: date | None
    days_to_closure: int | None
    closure_confirmed: bool
    days: tuple[int, ...] = field(default_factory=tuple)
    par_series: tuple[float, ...] = field(default_factory=tuple)


def percent_area_reduction(baseline_area_cm2: float, area: float) -> float:
    """PAR = 100·(A₀ − Aₜ)/A₀; negative when the wound grew (Sheehan 2003)."""
    if baseline_area_cm2 <= 0:
        raise InvalidEpisode("baseline area must be above 0")
    if area == 0:
        return 100.0  # exactly, not 99.99999999999999 from float division
    return 100.0 * (baseline_area_cm2 - area) / baseline_area_cm2


def closest_in_window(days: Sequence[int], *, target: int, window: tuple[int, int]) -> int | None:
    """Index of the day closest to `target` within `window` (inclusive); ties go earlier."""
    low, high = window
    candidates = [(abs(d - target), d, i) for i, d in enumerate(days) if low <= d <= high]
    return min(candidates)[2] if candidates else None


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def _par_at(days, pars, *, target, window, threshold):
    index = closest_in_window(days, target=target, window=window)
    if index is None:
        return None, None, None
    par = pars[index]
    return par, par >= threshold, days[index]


def episode_metrics(
    points: Sequence[AssessmentPoint], *, clinician_status: str | None = None
) -> EpisodeMetrics:
    """Compute one episode's metrics from its assessments (in date order, baseline first)."""
    if not points:
        raise InvalidEpisode("an episode needs at least one assessment")
    points = sorted(points, key=lambda p: p.on)
    baseline = points[0]
    a0 = baseline.area_cm2
    if not a0 > 0:
        raise InvalidEpisode(f"baseline area on {baseline.on.isoformat()} is 0")
    days = [(p.on - baseline.on).days for p in points]
    pars = [percent_area_reduction(a0, p.area_cm2) for p in points]
    latest = points[-1]

    first_closed = next((i for i, p in enumerate(points) if p.closed), None)
    par4, on_track4, day4 = _par_at(days, pars, target=WEEK4_TARGET_DAY, window=WEEK4_WINDOW,
                                    threshold=WEEK4_ON_TRACK_PAR)
    par8, on_track8, day8 = _par_at(days, pars, target=WEEK8_TARGET_DAY, window=WEEK8_WINDOW,
                                    threshold=WEEK8_ON_TRACK_PAR)

    slope = _area_slope(days, points, first_closed)
    gilman = _gilman(days, points, first_closed)
    status = _status(clinician_status, healed=first_closed is not None)
    projected = _projected_closure(days, points) if status == "open" else None
    first_closure_date = points[first_closed].on if first_closed is not None else None
    confirmed = first_closed is not None and _closure_confirmed(points, first_closed)

    return EpisodeMetrics(
        status=status,
        baseline_date=baseline.on,
        baseline_area_cm2=a0,
        latest_date=latest.on,
        latest_area_cm2=latest.area_cm2,
        par_percent=pars[-1],
        par_week4_percent=par4,
        week4_on_track=on_track4,
        par_week4_day=day4,
        par_week8_percent=par8,
        week8_on_track=on_track8,
        par_week8_day=day8,
        area_slope_cm2_per_week=slope,
        gilman_cm_per_week=gilman,
        projected_closure_date=projected,
        first_closure_date=first_closure_date,
        days_to_closure=(first_closure_date - baseline.on).days if first_closure_date else None,
        closure_confirmed=confirmed,
        days=tuple(days),
        par_series=tuple(pars),
    )


def _area_slope(days: Sequence[int], points: Sequence[AssessmentPoint],
                first_closed: int | None) -> float | None:
    """OLS area slope (cm²/week) from baseline up to and including the first closed
    assessment (docs/metrics.md "Area slope")."""
    upto = len(points) if first_closed is None else first_closed + 1
    fit = ols_line([d / 7.0 for d in days[:upto]], [p.area_cm2 for p in points[:upto]])
    return fit[0] if fit else None


def _gilman(days: Sequence[int], points: Sequence[AssessmentPoint],
            first_closed: int | None) -> float | None:
    """Gilman's edge advance (cm/week) up to the latest assessment, or the first closed one
    once healed (Gilman 1990)."""
    last = len(points) - 1 if first_closed is None else first_closed
    weeks_last = days[last] / 7.0
    if weeks_last == 0:
        return None
    mean_perimeter = (points[0].perimeter_cm + points[last].perimeter_cm) / 2.0
    return (points[0].area_cm2 - points[last].area_cm2) / mean_perimeter / weeks_last


def _status(clinician_status: str | None, *, healed: bool) -> str:
    if clinician_status is not None and clinician_status not in CLINICIAN_STATUSES:
        raise ValueError(f"unknown clinician status {clinician_status!r}")
    if clinician_status:
        return clinician_status
    return "healed" if healed else "open"


def _projected_closure(days: Sequence[int], points: Sequence[AssessmentPoint]) -> date | None:
    """Where the OLS line through the last PROJECTION_POINTS areas reaches zero (not clamped)."""
    if len(points) < 2:
        return None
    tail = slice(-PROJECTION_POINTS, None)
    line = ols_line(days[tail], [p.area_cm2 for p in points[tail]])
    if line is None or line[0] >= 0:
        return None
    slope_per_day, intercept = line
    try:
        return points[0].on + timedelta(days=round_half_up(-intercept / slope_per_day))
    except (OverflowError, ValueError):
        return None  # a slope that is negative only by float noise: no date


def _closure_confirmed(points: Sequence[AssessmentPoint], first_closed: int) -> bool:
    """Closed again at an assessment at least CONFIRMATION_DAYS after the first closure,
    with no open assessment between."""
    first_closure_date = points[first_closed].on
    for p in points[first_closed + 1:]:
        if not p.closed:
            return False
        if (p.on - first_closure_date).days >= CONFIRMATION_DAYS:
            return True
    return False
