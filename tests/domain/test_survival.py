"""Kaplan–Meier, Greenwood intervals, median and log-rank: by hand, and against lifelines."""
from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.survival import Subject, chi2_sf, kaplan_meier, logrank_test, regularised_gamma_q

Z95 = 1.959963984540054


def _subjects(pairs):
    return [Subject(float(t), bool(e)) for t, e in pairs]


# -- a small example computed by hand ----------------------------------------------------------
HAND = _subjects([(2, 1), (3, 1), (3, 0), (5, 1), (6, 0), (8, 1)])


def test_hand_example_survival_risk_sets_and_median():
    km = kaplan_meier(HAND)
    assert [p.time for p in km.points] == [0, 2, 3, 5, 8]
    assert [p.at_risk for p in km.points] == [6, 6, 5, 3, 1]  # censored at 3 still at risk at 3
    expected = [1.0, 5 / 6, 2 / 3, 4 / 9, 0.0]
    assert [p.survival for p in km.points] == pytest.approx(expected, abs=1e-15)
    assert km.median == 5  # first time S ≤ 0.5
    assert km.events == 4 and km.subjects == 6 and km.last_time == 8
    assert km.at_risk(0) == 6 and km.at_risk(4) == 3 and km.at_risk(9) == 0
    assert km.survival_at(4.9) == pytest.approx(2 / 3) and km.survival_at(5) == pytest.approx(4 / 9)


def test_hand_example_exponential_greenwood_interval():
    km = kaplan_meier(HAND)
    # Greenwood sums: 1/(6·5); + 1/(5·4); + 1/(3·2)  →  1/30, 1/12, 1/4
    for point, greenwood in zip(km.points[1:4], (1 / 30, 1 / 12, 1 / 4)):
        v = math.log(point.survival)
        low = math.exp(-math.exp(math.log(-v) - Z95 * math.sqrt(greenwood) / v))
        high = math.exp(-math.exp(math.log(-v) + Z95 * math.sqrt(greenwood) / v))
        assert (point.ci_low, point.ci_high) == pytest.approx((low, high), abs=1e-12)
        assert point.ci_low < point.survival < point.ci_high
    # At S = 4/9: ln(−ln S) = −0.20949, z·√(1/4)/ln S = −1.20846, so the interval is
    # exp(−e^0.99897) = 0.0662 to exp(−e^−1.41795) = 0.7849 (asymmetric, within 0–1).
    assert km.points[3].ci_low == pytest.approx(0.0662, abs=1e-4)
    assert km.points[3].ci_high == pytest.approx(0.7849, abs=1e-4)
    assert (km.points[0].ci_low, km.points[0].ci_high) == (1.0, 1.0)
    assert (km.points[-1].ci_low, km.points[-1].ci_high) == (0.0, 0.0)


def test_hand_example_logrank_two_groups():
    # A: events at 1 and 3; B: event at 2, censored at 4.
    # O_A − E_A = 2 − (1/2 + 1/3 + 1/2) = 2/3; V = 1/4 + 2/9 + 1/4 = 13/18; χ² = 8/13.
    result = logrank_test({"A": _subjects([(1, 1), (3, 1)]), "B": _subjects([(2, 1), (4, 0)])})
    assert result.chi2 == pytest.approx(8 / 13, abs=1e-14)
    assert result.df == 1
    assert result.p == pytest.approx(math.erfc(math.sqrt(4 / 13)), abs=1e-14)
    assert result.observed == {"A": 2, "B": 1}
    assert result.expected["A"] == pytest.approx(4 / 3)


def test_median_not_reached_and_no_events():
    km = kaplan_meier(_subjects([(10, 1), (20, 0), (30, 0), (40, 0)]))
    assert km.median is None and km.median_ci[1] is None
    empty = kaplan_meier([])
    assert empty.points[0].survival == 1.0 and empty.median is None and empty.subjects == 0
    censored_only = kaplan_meier(_subjects([(5, 0), (7, 0)]))
    assert len(censored_only.points) == 1 and censored_only.last_time == 7


def test_bad_times_are_refused():
    with pytest.raises(ValueError):
        kaplan_meier([Subject(float("nan"), True)])
    with pytest.raises(ValueError):
        kaplan_meier([Subject(-1.0, True)])


def test_logrank_needs_two_groups_and_handles_a_degenerate_group():
    assert logrank_test({"A": HAND, "B": []}) is None
    # A group censored before any event adds nothing: same test as without it, df = 1.
    two = logrank_test({"A": _subjects([(1, 1), (3, 1)]), "B": _subjects([(2, 1), (4, 0)])})
    three = logrank_test({"A": _subjects([(1, 1), (3, 1)]), "B": _subjects([(2, 1), (4, 0)]),
                          "C": _subjects([(0.5, 0)])})
    assert three.chi2 == pytest.approx(two.chi2) and three.df == 1


# -- the χ² distribution ------------------------------------------------------------------------
@pytest.mark.parametrize("x, df, p", [(3.841458820694124, 1, 0.05), (5.991464547107979, 2, 0.05),
                                      (6.634896601021214, 1, 0.01), (0.0, 3, 1.0),
                                      (2.0, 2, math.exp(-1.0))])
def test_chi2_sf_known_values(x, df, p):
    assert chi2_sf(x, df) == pytest.approx(p, rel=1e-12, abs=1e-15)


def test_chi2_sf_matches_scipy():
    from scipy.stats import chi2

    for df in range(1, 9):
        for x in (1e-8, 0.01, 0.5, 1.0, 2.5, 7.1, 15.0, 40.0, 120.0, 400.0):
            expected = chi2.sf(x, df)
            assert chi2_sf(x, df) == pytest.approx(expected, rel=1e-11, abs=1e-300)
    assert regularised_gamma_q(1.0, 3.0) == pytest.approx(math.exp(-3.0), rel=1e-14)


# -- cross-check with lifelines on generated data ----------------------------------------------
def _generated(seed: int):
    rng = random.Random(seed)
    n = rng.randint(8, 400)
    rates = {"exosome": 1 / 45, "exosome+msc": 1 / 40, "standard": 1 / 70}
    subjects, groups = [], []
    for _ in range(n):
        group = rng.choice(list(rates))
        event_day = max(1, round(rng.expovariate(rates[group])))  # whole days: many ties
        follow_up = rng.randint(7, 160)
        subjects.append(Subject(float(min(event_day, follow_up)), event_day <= follow_up))
        groups.append(group)
    return subjects, groups


@pytest.mark.parametrize("seed", range(12))
def test_kaplan_meier_and_median_match_lifelines(seed):
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    subjects, _ = _generated(seed)
    ours = kaplan_meier(subjects)
    theirs = KaplanMeierFitter().fit([s.time for s in subjects], [s.event for s in subjects])
    survival = theirs.survival_function_.iloc[:, 0]
    interval = theirs.confidence_interval_
    event_times = sorted({s.time for s in subjects if s.event})
    assert [p.time for p in ours.points[1:]] == event_times
    for point in ours.points:
        assert point.survival == pytest.approx(survival.loc[point.time], abs=1e-9)
        assert point.ci_low == pytest.approx(interval.loc[point.time].iloc[0], abs=1e-9)
        assert point.ci_high == pytest.approx(interval.loc[point.time].iloc[1], abs=1e-9)
    # Between event times both curves are flat: check every lifelines time too.
    for time, value in survival.items():
        assert ours.survival_at(time) == pytest.approx(value, abs=1e-9)

    def finite(value):
        return None if math.isinf(value) else value

    assert ours.median == finite(theirs.median_survival_time_)
    median_ci = median_survival_times(interval)
    assert ours.median_ci == (finite(median_ci.iloc[0, 0]), finite(median_ci.iloc[0, 1]))


@pytest.mark.parametrize("seed", range(12))
def test_logrank_matches_lifelines(seed):
    from lifelines.statistics import logrank_test as lifelines_logrank
    from lifelines.statistics import multivariate_logrank_test

    subjects, groups = _generated(seed)
    by_group = {g: [s for s, sg in zip(subjects, groups) if sg == g] for g in sorted(set(groups))}
    ours = logrank_test(by_group)
    theirs = multivariate_logrank_test([s.time for s in subjects], groups,
                                       [s.event for s in subjects])
    assert ours.df == theirs.degrees_of_freedom
    assert ours.chi2 == pytest.approx(theirs.test_statistic, abs=1e-9)
    assert ours.p == pytest.approx(theirs.p_value, abs=1e-9)

    a, b = by_group["exosome"], by_group["standard"]
    pair = logrank_test({"exosome": a, "standard": b})
    reference = lifelines_logrank([s.time for s in a], [s.time for s in b],
                                  [s.event for s in a], [s.event for s in b])
    assert pair.chi2 == pytest.approx(reference.test_statistic, abs=1e-9)
    assert pair.p == pytest.approx(reference.p_value, abs=1e-9)


# -- properties -----------------------------------------------------------------------------------
follow_ups = st.lists(st.tuples(st.integers(0, 60), st.booleans()), max_size=40)


@settings(max_examples=150, deadline=None)
@given(follow_ups)
def test_kaplan_meier_properties(pairs):
    km = kaplan_meier(_subjects(pairs))
    survival = [p.survival for p in km.points]
    assert survival == sorted(survival, reverse=True) and all(0 <= s <= 1 for s in survival)
    for p in km.points:
        assert 0 <= p.ci_low <= p.survival + 1e-12 and p.survival - 1e-12 <= p.ci_high <= 1
    assert km.events == sum(e for _, e in pairs) and km.subjects == len(pairs)
    if km.median is not None:
        assert km.survival_at(km.median) <= 0.5
        assert all(p.survival > 0.5 for p in km.points if p.time < km.median)
    low, high = km.median_ci
    if low is not None and km.median is not None:
        assert low <= km.median and (high is None or km.median <= high)


@settings(max_examples=100, deadline=None)
@given(follow_ups, follow_ups)
def test_logrank_properties(a, b):
    result = logrank_test({"a": _subjects(a), "b": _subjects(b)})
    if not a or not b:
        assert result is None
        return
    swapped = logrank_test({"b": _subjects(b), "a": _subjects(a)})
    assert result.chi2 >= -1e-12 and result.chi2 == pytest.approx(swapped.chi2, abs=1e-9)
    assert result.df in (0, 1)
    assert result.p is None if result.df == 0 else 0 <= result.p <= 1
    assert sum(result.observed.values()) == pytest.approx(sum(result.expected.values()))


@given(st.floats(0, 200), st.floats(0, 200), st.integers(1, 6))
def test_chi2_sf_decreases(x, y, df):
    low, high = sorted((x, y))
    assert 0 <= chi2_sf(high, df) <= chi2_sf(low, df) + 1e-15 <= 1 + 1e-15
