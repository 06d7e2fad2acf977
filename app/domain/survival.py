"""Time-to-event statistics for cohorts: Kaplan–Meier, Greenwood intervals, log-rank test.

Pure Python over plain numbers (no numpy, pandas or lifelines at run time). The estimates follow
lifelines' defaults so the two agree to rounding error:

- Kaplan–Meier product-limit estimate S(t) = Π (1 − dᵢ/nᵢ) over event times tᵢ ≤ t
  (Kaplan & Meier 1958).
- 95% pointwise interval by the exponential ("log(−log)") Greenwood formula: with
  V = Σ dᵢ/(nᵢ(nᵢ − dᵢ)) (Greenwood 1926) and v = ln S, the bounds are
  exp(−exp(ln(−v) ∓ z·√V / v)) (Kalbfleisch & Prentice 1980; Sawyer, "The Greenwood and
  Exponential Greenwood Confidence Intervals in Survival Analysis", 2003).
- Median: the first time at which S(t) ≤ 0.5; its interval is where each bound crosses 0.5
  (the median of the interval curves, as lifelines' `median_survival_times`).
- Log-rank test for k groups (Mantel 1966; Peto & Peto 1972): U = Z'·V⁻·Z over observed minus
  expected events, with the hypergeometric covariance, χ² with rank(V) degrees of freedom.
- χ² survival function through the regularised upper incomplete gamma function Q(df/2, x/2),
  by its series or its continued fraction (Press et al., Numerical Recipes, 3rd ed., §6.2).
"""
from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from statistics import NormalDist
from typing import Iterable, Mapping, Sequence

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Subject:
    """One subject's follow-up: `time` until the event, or until censoring when not `event`."""

    time: float
    event: bool


@dataclass(frozen=True)
class KMPoint:
    """The estimate just after `time`: S(t), its pointwise interval, and the risk set at `time`."""

    time: float
    survival: float
    ci_low: float
    ci_high: float
    at_risk: int
    events: int


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan–Meier curve: time 0, then one point per distinct event time."""

    points: tuple[KMPoint, ...]
    times: tuple[float, ...]  # every subject's time, sorted (for numbers at risk)
    events: int
    median: float | None
    median_ci: tuple[float | None, float | None]

    @property
    def subjects(self) -> int:
        return len(self.times)

    @property
    def last_time(self) -> float | None:
        """The longest follow-up, event or censored: where the curve stops."""
        return self.times[-1] if self.times else None

    def at_risk(self, time: float) -> int:
        """Number of subjects still followed (no event, not censored) just before `time`."""
        return len(self.times) - bisect_left(self.times, time)

    def survival_at(self, time: float) -> float:
        """S(time), a right-continuous step function."""
        value = 1.0
        for point in self.points:
            if point.time > time:
                break
            value = point.survival
        return value


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _exponential_greenwood(survival: float, greenwood_sum: float, z: float
                           ) -> tuple[float, float]:
    """The log(−log) interval around `survival`; degenerate at S = 1 and S = 0."""
    if survival >= 1.0:
        return 1.0, 1.0
    if survival <= 0.0:
        return 0.0, 0.0
    v = math.log(survival)
    spread = z * math.sqrt(greenwood_sum) / v
    log_minus_v = math.log(-v)
    return math.exp(-math.exp(log_minus_v - spread)), math.exp(-math.exp(log_minus_v + spread))


def _first_time_at_or_below(points: Sequence[KMPoint], attribute: str, level: float
                            ) -> float | None:
    for point in points:
        if getattr(point, attribute) <= level:
            return point.time
    return None


def kaplan_meier(subjects: Iterable[Subject], *, confidence: float = CONFIDENCE) -> KaplanMeier:
    """The product-limit estimate with exponential-Greenwood intervals (module docstring).

    A subject censored at the time of an event is still at risk at that time.
    """
    subjects = list(subjects)
    for s in subjects:
        if not (math.isfinite(s.time) and s.time >= 0):
            raise ValueError(f"follow-up time must be a finite number ≥ 0, not {s.time!r}")
    times = tuple(sorted(s.time for s in subjects))
    events_at: dict[float, int] = {}
    for s in subjects:
        if s.event:
            events_at[s.time] = events_at.get(s.time, 0) + 1
    z = _z(confidence)
    points = [KMPoint(0.0, 1.0, 1.0, 1.0, len(times), 0)]
    survival, greenwood_sum = 1.0, 0.0
    for time in sorted(events_at):
        deaths = events_at[time]
        at_risk = len(times) - bisect_left(times, time)
        survival *= 1.0 - deaths / at_risk
        if at_risk > deaths:  # lifelines drops the infinite term once S reaches 0
            greenwood_sum += deaths / (at_risk * (at_risk - deaths))
        low, high = _exponential_greenwood(survival, greenwood_sum, z)
        point = KMPoint(time, survival, low, high, at_risk, deaths)
        if time == 0.0:
            points[0] = point
        else:
            points.append(point)
    median = _first_time_at_or_below(points, "survival", 0.5)
    median_ci = (_first_time_at_or_below(points, "ci_low", 0.5),
                 _first_time_at_or_below(points, "ci_high", 0.5))
    return KaplanMeier(points=tuple(points), times=times, events=sum(events_at.values()),
                       median=median, median_ci=median_ci)


# -- log-rank ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogRank:
    """The k-sample log-rank test: χ², degrees of freedom, p (None when df = 0)."""

    chi2: float
    df: int
    p: float | None
    observed: dict[str, int]
    expected: dict[str, float]


def logrank_test(groups: Mapping[str, Sequence[Subject]]) -> LogRank | None:
    """Compare the survival of two or more groups; None with fewer than two non-empty groups."""
    names = [name for name, members in groups.items() if members]
    if len(names) < 2:
        return None
    sorted_times = {name: sorted(s.time for s in groups[name]) for name in names}
    deaths: dict[float, dict[str, int]] = {}
    for name in names:
        for s in groups[name]:
            if s.event:
                per_group = deaths.setdefault(s.time, {})
                per_group[name] = per_group.get(name, 0) + 1
    k = len(names)
    observed = [0.0] * k
    expected = [0.0] * k
    covariance = [[0.0] * k for _ in range(k)]
    for time in sorted(deaths):
        at_risk = [len(sorted_times[n]) - bisect_left(sorted_times[n], time) for n in names]
        d_by_group = [deaths[time].get(n, 0) for n in names]
        n_total, d_total = sum(at_risk), sum(d_by_group)
        for j in range(k):
            observed[j] += d_by_group[j]
            expected[j] += at_risk[j] * d_total / n_total
        if n_total < 2:
            continue
        factor = d_total * (n_total - d_total) / (n_total - 1) / (n_total * n_total)
        for j in range(k):
            for m in range(k):
                term = at_risk[j] * ((n_total if j == m else 0) - at_risk[m])
                covariance[j][m] += factor * term
    difference = [o - e for o, e in zip(observed, expected)]
    chi2, rank = _quadratic_form_generalised_inverse(covariance, difference)
    p = chi2_sf(chi2, rank) if rank > 0 else None
    return LogRank(chi2=chi2, df=rank, p=p,
                   observed={n: int(observed[i]) for i, n in enumerate(names)},
                   expected={n: expected[i] for i, n in enumerate(names)})


def _quadratic_form_generalised_inverse(matrix: list[list[float]], vector: list[float]
                                        ) -> tuple[float, int]:
    """x'·A⁻·x for a symmetric positive semi-definite A, and rank(A).

    Symmetric Gaussian elimination, taking the largest remaining diagonal as pivot and stopping
    when what remains is numerically zero; for x in the column space of A (true of the log-rank
    O − E) the value does not depend on which generalised inverse is used.
    """
    n = len(vector)
    a = [row[:] for row in matrix]
    b = vector[:]
    scale = max((abs(a[i][i]) for i in range(n)), default=0.0)
    tolerance = scale * 1e-10
    remaining = list(range(n))
    total, rank = 0.0, 0
    while remaining:
        pivot = max(remaining, key=lambda i: a[i][i])
        if a[pivot][pivot] <= tolerance:
            break
        remaining.remove(pivot)
        rank += 1
        p = a[pivot][pivot]
        total += b[pivot] * b[pivot] / p
        for i in remaining:
            ratio = a[i][pivot] / p
            b[i] -= ratio * b[pivot]
            for j in remaining:
                a[i][j] -= ratio * a[pivot][j]
    return total, rank


# -- χ² distribution --------------------------------------------------------------------------
def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for X ~ χ²(df): the regularised upper incomplete gamma Q(df/2, x/2)."""
    if df <= 0:
        raise ValueError("degrees of freedom must be at least 1")
    if x <= 0:
        return 1.0
    return regularised_gamma_q(df / 2.0, x / 2.0)


def regularised_gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x)/Γ(a): series for x < a + 1, Lentz's continued fraction otherwise."""
    if x < 0 or a <= 0:
        raise ValueError("Q(a, x) needs a > 0 and x ≥ 0")
    if x == 0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        denominator = a
        for _ in range(10_000):
            denominator += 1.0
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    fraction = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        fraction *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return math.exp(log_prefix) * fraction
