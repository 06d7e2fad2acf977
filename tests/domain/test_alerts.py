"""Alert rules: each fires just past its threshold and not at it, with its rule and source."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.alerts import (
    RULES,
    EpisodeCourse,
    next_visit_due,
    off_track_at_week4,
    patient_alerts,
    week4_par,
)
from app.domain.analytes import default_reference_ranges
from app.domain.episodes import AssessmentPoint, episode_metrics

D0 = dt.date(2026, 9, 1)
TODAY = dt.date(2026, 11, 27)


def course(areas_by_day: dict[int, float], label: str = "L-heel") -> EpisodeCourse:
    points = [AssessmentPoint(on=D0 + dt.timedelta(days=d), area_cm2=a, perimeter_cm=1.0,
                              closed=a == 0) for d, a in sorted(areas_by_day.items())]
    return EpisodeCourse(label=label, metrics=episode_metrics(points),
                         areas=tuple((p.on, p.area_cm2) for p in points))


def alerts(*, episodes=(), vas=(), labs=None, next_due=None):
    return patient_alerts(episodes=list(episodes), vas=list(vas), labs=labs or {},
                          ranges=default_reference_ranges(), next_due=next_due, today=TODAY)


def codes(found) -> list[str]:
    return [a.code for a in found]


def test_every_rule_states_its_rule_and_source():
    assert set(RULES) == {"par_week4", "par_week8", "area_growth", "crp_high", "vas_rise",
                          "ischemia", "follow_up_overdue"}
    for rule in RULES.values():
        assert rule.title and rule.rule and rule.source
    assert "Sheehan" in RULES["par_week4"].source
    assert "Warriner" in RULES["par_week8"].source
    assert "Farrar" in RULES["vas_rise"].source


def test_week4_alert_below_50_percent_only():
    off = alerts(episodes=[course({0: 10.0, 28: 5.01})])
    assert codes(off) == ["par_week4"]
    assert off[0].subject == "L-heel" and "49.9%" in off[0].detail and "day 28" in off[0].detail
    assert off[0].rule.title == "Off track at week 4"
    assert codes(alerts(episodes=[course({0: 10.0, 28: 5.0})])) == []


def test_week8_alert_below_90_percent():
    found = alerts(episodes=[course({0: 10.0, 28: 4.0, 56: 1.5})])
    assert codes(found) == ["par_week8"]
    assert codes(alerts(episodes=[course({0: 10.0, 28: 4.0, 56: 1.0})])) == []


def test_healed_episode_raises_no_healing_alert():
    healed = course({0: 10.0, 28: 8.0, 56: 0.0})
    assert healed.metrics.status == "healed"
    assert alerts(episodes=[healed]) == ()


def test_area_growth_more_than_half_since_previous_assessment():
    grown = alerts(episodes=[course({0: 2.0, 7: 1.0, 14: 1.51})])
    assert codes(grown) == ["area_growth"]
    assert "1.00 → 1.51 cm²" in grown[0].detail
    assert codes(alerts(episodes=[course({0: 2.0, 7: 1.0, 14: 1.5})])) == []


def test_crp_above_range_uses_the_latest_value():
    day = dt.timedelta(days=1)
    assert codes(alerts(labs={"crp_mg_l": [(D0, 5.0), (D0 + day, 10.1)]})) == ["crp_high"]
    assert codes(alerts(labs={"crp_mg_l": [(D0, 10.0)]})) == []
    assert codes(alerts(labs={"crp_mg_l": [(D0, 50.0), (D0 + day, 9.0)]})) == []


def test_vas_rise_of_two_points_survives_float_rounding():
    day = dt.timedelta(days=7)
    risen = alerts(vas=[(D0, 4.1), (D0 + day, None), (D0 + 2 * day, 6.1)])
    assert codes(risen) == ["vas_rise"] and risen[0].detail == "4.1 → 6.1"
    assert codes(alerts(vas=[(D0, 4.1), (D0 + day, 6.0)])) == []


@pytest.mark.parametrize("column, ischemic, normal", [
    ("abi", 0.90, 0.91), ("tbi", 0.69, 0.70), ("tcpo2_mmhg", 39.0, 40.0)])
def test_perfusion_in_the_ischemic_range(column, ischemic, normal):
    found = alerts(labs={column: [(D0, ischemic)]})
    assert codes(found) == ["ischemia"]
    assert codes(alerts(labs={column: [(D0, normal)]})) == []


def test_follow_up_overdue_after_the_due_day_not_on_it():
    late = alerts(next_due=TODAY - dt.timedelta(days=3))
    assert codes(late) == ["follow_up_overdue"] and "3 days ago" in late[0].detail
    assert alerts(next_due=TODAY) == ()
    assert alerts(next_due=None) == ()


def test_next_visit_due_prefers_the_planned_date():
    last = dt.date(2026, 11, 1)
    planned = dt.date(2026, 11, 20)
    assert next_visit_due(last_visit=last, planned_next=planned, has_open_ulcer=False,
                          interval_days=14) == planned
    assert next_visit_due(last_visit=last, planned_next=None, has_open_ulcer=True,
                          interval_days=14) == dt.date(2026, 11, 15)
    assert next_visit_due(last_visit=last, planned_next=None, has_open_ulcer=False,
                          interval_days=14) is None
    assert next_visit_due(last_visit=None, planned_next=None, has_open_ulcer=True,
                          interval_days=14) is None


def test_week4_window_and_invalid_baseline():
    points = [AssessmentPoint(on=D0 + dt.timedelta(days=d), area_cm2=a, perimeter_cm=1.0,
                              closed=False) for d, a in ((0, 4.0), (14, 3.0), (36, 1.0))]
    assert week4_par(points) is None and not off_track_at_week4(points)
    zero = [AssessmentPoint(on=D0, area_cm2=0.0, perimeter_cm=0.0, closed=False)]
    assert off_track_at_week4(zero) is False


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 80), st.floats(0.01, 50.0)), min_size=0, max_size=8,
                unique_by=lambda item: item[0]),
       st.floats(0.01, 50.0))
def test_week4_par_agrees_with_episode_metrics(follow_ups, baseline_area):
    points = [AssessmentPoint(on=D0, area_cm2=baseline_area, perimeter_cm=1.0, closed=False)]
    points += [AssessmentPoint(on=D0 + dt.timedelta(days=d), area_cm2=a, perimeter_cm=1.0,
                               closed=False) for d, a in follow_ups]
    metrics = episode_metrics(points)
    assert week4_par(points) == metrics.par_week4_percent
    assert off_track_at_week4(points) == (metrics.week4_on_track is False)
