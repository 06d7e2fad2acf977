"""Per-patient measures: age, and the pain and lab summaries (docs/metrics.md, "Pain and labs")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from app.domain.analytes import ReferenceRange

VAS_IMPORTANT_CHANGE = 2.0  # points on the 0–10 scale (Farrar 2001)
_DECIMAL_SLACK = 1e-9  # VAS is recorded to one decimal; float subtraction must not hide a 2.0


@dataclass(frozen=True)
class PainSummary:
    baseline_vas: float | None
    latest_vas: float | None
    change: float | None
    clinically_important_reduction: bool | None


@dataclass(frozen=True)
class LabSummary:
    baseline: float
    latest: float
    change: float
    latest_flag: str | None
    baseline_date: date
    latest_date: date


def age_in_years(birth_date: date | None, day: date) -> int | None:
    """Whole years of age on `day` (a birthday counts from that day on); None if unknown."""
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month,
                                                                  birth_date.day))


def _in_date_order(series: Sequence[tuple[date, float | None]]) -> list[tuple[date, float]]:
    return sorted(((d, v) for d, v in series if v is not None), key=lambda item: item[0])


def is_important_vas_change(change: float) -> bool:
    """A VAS change of at least 2 points either way (Farrar 2001): the pain summary's
    reduction and the rising-pain alert both ask this. VAS is recorded to one decimal, so a
    float subtraction that leaves 1.9999999 still counts as the 2.0 it is."""
    return abs(change) >= VAS_IMPORTANT_CHANGE - _DECIMAL_SLACK


def pain_summary(series: Sequence[tuple[date, float | None]]) -> PainSummary:
    """First and last VAS, the change, and whether it fell by at least 2 points."""
    values = _in_date_order(series)
    if not values:
        return PainSummary(None, None, None, None)
    baseline, latest = values[0][1], values[-1][1]
    change = latest - baseline
    return PainSummary(baseline, latest, change, change < 0 and is_important_vas_change(change))


def lab_summary(
    series: Sequence[tuple[date, float | None]], reference: ReferenceRange
) -> LabSummary | None:
    """First and last value in the canonical unit, the change and the flag of the latest."""
    values = _in_date_order(series)
    if not values:
        return None
    (first_on, baseline), (last_on, latest) = values[0], values[-1]
    return LabSummary(baseline, latest, latest - baseline, reference.flag(latest), first_on,
                      last_on)
