"""One synthetic patient's course for the demo clinic (app.services.demo): visits, ulcer
episodes healing on an exponential with noise (Warriner 2011; Cardinal 2009), exosome doses,
labs and pain that follow the wound, and a few adverse events. Plain rows for bulk inserts;
the same random stream gives the same rows.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from app.domain.analytes import ANALYTES
from app.domain.episodes import AssessmentPoint, split_episodes

SITES = ["R-MTH1-plantar", "L-MTH1-plantar", "R-MTH5-plantar", "L-MTH5-plantar",
         "R-hallux-plantar", "L-hallux-plantar", "R-heel", "L-heel", "R-dorsum", "L-2nd-toe"]
PRODUCTS = {"bone_marrow": "BM-MSC exosomes", "adipose": "AD-MSC exosomes",
            "umbilical_cord": "UC-MSC exosomes"}
DAILY_RATE = {"exosome": 0.040, "exosome+msc": 0.045, "standard": 0.026}
PANEL_EVERY_VISIT = ("crp_mg_l", "esr_mm_h", "il6_pg_ml", "il10_pg_ml", "tnf_alpha_pg_ml")
PANEL_MONTHLY = ("wbc_10e9_l", "hba1c_pct", "glucose_mmol_l", "albumin_g_l", "il1b_pg_ml",
                 "mda_umol_l", "sod_u_ml", "gpx_u_l", "tac_mmol_l")
AE_TERMS = [("Injection-site pain", 1), ("Local erythema after injection", 1),
            ("Wound infection", 2), ("Cellulitis of the foot", 3), ("Transient fever", 1),
            ("Pruritus at application site", 1), ("Osteomyelitis", 3)]


@dataclass
class _Ids:
    """The next free id of each table while one seeding run builds its rows."""

    ulcer: int
    visit: int
    assessment: int
    lab: int
    treatment: int
    event: int

    def take(self, table: str) -> int:
        value = getattr(self, table)
        setattr(self, table, value + 1)
        return value


@dataclass
class _Course:
    """One synthetic patient's course: visit dates and the drivers of healing and pain."""

    dates: list[dt.date]
    active: bool
    sites: list[str]
    rate: float
    inflamed: float
    vas0: float
    source: str
    lot: str


def patient_history(rng: random.Random, rows, *, anchor, patient_id, arm, next_ids):
    """Append one synthetic patient's visits, ulcers, assessments, doses, labs and events
    to `rows`; `next_ids` are the next free ids, and the new ones are returned."""
    ids = _Ids(*next_ids)
    now = dt.datetime(anchor.year, anchor.month, anchor.day, 12)
    course = _course(rng, anchor, arm)
    visit_ids = []
    for on in course.dates:
        visit_ids.append(ids.visit)
        rows["visit"].append(dict(
            id=ids.take("visit"), patient_id=patient_id, visit_date=on, clinician="Demo nurse",
            vas=None, next_visit_date=None, created_at=now, updated_at=now,
            created_by="demo", updated_by="demo", version=1))
    remaining = [1.0] * len(course.dates)  # relative area per visit: the labs' and pain's trend
    for s, site in enumerate(course.sites):
        site_rows, points, first = _site_assessments(rng, course, visit_ids, ids, order=s,
                                                     remaining=remaining if s == 0 else None)
        _site_ulcers(rng, rows, site_rows, points, ids, patient_id=patient_id, site=site,
                     now=now)
        rows["assessment"].extend(site_rows)
        if arm != "standard":
            _exosome_doses(rng, rows, course, visit_ids, ids, first=first, arm=arm,
                           ulcer_id=site_rows[0]["ulcer_id"])
    _labs_and_pain(rng, rows, course, visit_ids, ids, remaining=remaining, now=now)
    _next_visit_and_event(rng, rows, course, visit_ids, ids, patient_id=patient_id,
                          anchor=anchor, now=now)
    return ids.ulcer, ids.visit, ids.assessment, ids.lab, ids.treatment, ids.event


def _course(rng: random.Random, anchor: dt.date, arm: str) -> _Course:
    long_follow_up = rng.random() < 0.08
    n_visits = rng.randint(45, 60) if long_follow_up else rng.randint(6, 26)
    # Two patients in three are in active follow-up (last seen within two weeks); the others
    # finished earlier: discharged when healed, lost to follow-up when not.
    active = rng.random() < 0.67
    last_day = anchor - dt.timedelta(days=rng.randint(0, 13) if active else rng.randint(30, 420))
    dates, day = [], last_day
    for _ in range(n_visits):
        dates.append(day)
        day -= dt.timedelta(days=rng.choice((6, 7, 7, 7, 8, 10, 14)))
    dates.reverse()
    n_sites = 2 if rng.random() < 0.18 or long_follow_up else 1
    sites = rng.sample(SITES, n_sites)
    healer = rng.random() < (0.8 if arm != "standard" else 0.6)
    rate = DAILY_RATE[arm] * rng.uniform(0.6, 1.4) if healer else rng.uniform(-0.004, 0.008)
    inflamed = rng.uniform(15, 80)
    vas0 = round(rng.uniform(5, 8.5), 1)
    source = rng.choice(list(PRODUCTS))
    lot = f"EXO-{rng.randint(1000, 9999)}"
    return _Course(dates, active, sites, rate, inflamed, vas0, source, lot)


def _site_assessments(rng: random.Random, course: _Course, visit_ids: list[int], ids: _Ids, *,
                      order: int, remaining: list[float] | None):
    """The `order`-th ulcer site's assessments, from a visit a later site may start after:
    healing on a noisy exponential, one in five closures reopening; `remaining` (the first
    site) gets the relative area. Returns the rows, the points and the first visit index."""
    dates = course.dates
    length0, width0 = rng.uniform(1.5, 6.0), rng.uniform(1.0, 4.0)
    width0 = min(width0, length0)
    site_rate = course.rate * rng.uniform(0.8, 1.2)
    first = order * rng.randint(0, 3)
    closed_at = reopen_at = None
    points, site_rows = [], []
    for i in range(first, len(dates)):
        t = (dates[i] - dates[first]).days
        if reopen_at is not None and i >= reopen_at:
            scale = 0.35 * math.exp(-site_rate * (dates[i] - dates[reopen_at]).days)
        else:
            scale = math.exp(-site_rate * t) * rng.uniform(0.92, 1.08)
        closed = scale < 0.06 and i > first
        if closed and closed_at is None:
            closed_at = i
            if rng.random() < 0.2 and i + 4 < len(dates):
                reopen_at = i + rng.randint(3, 6)
        if reopen_at is not None and i >= reopen_at and scale >= 0.06:
            closed = False
        elif closed_at is not None and i >= closed_at and (reopen_at is None
                                                           or i < reopen_at):
            closed = True
        if remaining is not None:
            remaining[i] = 0.0 if closed else min(scale, 1.3)
        values = _size_and_tissue(rng, scale, length0, width0, closed=closed)
        site_rows.append(dict(id=ids.take("assessment"), visit_id=visit_ids[i], ulcer_id=None,
                              traced_area_cm2=None, method="ruler",
                              infection_signs=rng.random() < 0.05,
                              periwound=rng.choice(("intact", "intact", "callus",
                                                    "macerated")), **values))
        area = 0.0 if values["closed"] else values["length_cm"] * values["width_cm"]
        points.append(AssessmentPoint(on=dates[i], area_cm2=area, perimeter_cm=0.0,
                                      closed=values["closed"], key=len(site_rows) - 1))
    return site_rows, points, first


def _size_and_tissue(rng: random.Random, scale: float, length0: float, width0: float, *,
                     closed: bool) -> dict:
    if closed:
        return dict(length_cm=0.0, width_cm=0.0, depth_cm=None, closed=True,
                    granulation_pct=None, epithelial_pct=None, slough_pct=None,
                    necrotic_pct=None, exudate="none")
    length = round(max(0.2, length0 * math.sqrt(scale)), 1)
    width = round(max(0.1, min(length, width0 * math.sqrt(scale))), 1)
    slough = rng.randint(0, 30) if scale > 0.3 else rng.randint(0, 10)
    necrotic = rng.choice((0, 0, 0, 5)) if scale > 0.5 else 0
    epithelial = int(max(0.0, min(60.0, (1 - scale) * 60)))
    granulation = 100 - slough - necrotic - epithelial
    return dict(length_cm=length, width_cm=width,
                depth_cm=max(0.1, round(rng.uniform(0.1, 1.0) * max(scale, 0.2), 1)),
                closed=False, granulation_pct=float(granulation),
                epithelial_pct=float(epithelial), slough_pct=float(slough),
                necrotic_pct=float(necrotic),
                exudate=rng.choice(("light", "moderate")) if scale > 0.3 else "light")


def _site_ulcers(rng: random.Random, rows, site_rows: list[dict], points, ids: _Ids, *,
                 patient_id: int, site: str, now: dt.datetime) -> None:
    """One ulcer row per episode of the site (a recurrence points at the episode before)."""
    etiology = rng.choice(("neuropathic", "neuropathic", "ischemic", "neuro-ischemic"))
    previous = None
    for number, episode in enumerate(split_episodes(points), start=1):
        rows["ulcer"].append(dict(
            id=ids.ulcer, patient_id=patient_id, site=site, episode_no=number,
            onset_date=episode[0].on - dt.timedelta(days=rng.randint(14, 90)),
            etiology=etiology, wagner_grade=rng.choice((1, 2, 2, 3)),
            ut_grade=rng.choice((1, 2)), ut_stage=rng.choice("AABC"),
            clinician_status=None, recurrence_of_id=previous, created_at=now))
        for point in episode:
            site_rows[point.key]["ulcer_id"] = ids.ulcer
        previous = ids.take("ulcer")


def _exosome_doses(rng: random.Random, rows, course: _Course, visit_ids: list[int], ids: _Ids,
                   *, first: int, arm: str, ulcer_id: int) -> None:
    dates = course.dates
    for i in range(first, min(len(dates), first + rng.randint(4, 8)), 2):
        rows["treatment"].append(dict(
            id=ids.take("treatment"), visit_id=visit_ids[i], ulcer_id=ulcer_id,
            exosome_product=PRODUCTS[course.source], exosome_source=course.source,
            exosome_lot=course.lot, exosome_dose=float(rng.choice((1e9, 5e9, 1e10))),
            exosome_dose_unit="particles", exosome_volume_ml=rng.choice((0.5, 1.0, 2.0)),
            exosome_route=rng.choice(("topical", "perilesional", "intralesional")),
            msc_cotherapy=arm == "exosome+msc" and i == first,
            msc_cells_million=10.0 if arm == "exosome+msc" and i == first else None,
            debridement=True, dressing="hydrogel", offloading="total contact cast",
            antibiotics=None))


def _labs_and_pain(rng: random.Random, rows, course: _Course, visit_ids: list[int], ids: _Ids,
                   *, remaining: list[float], now: dt.datetime) -> None:
    """VAS and labs follow the first ulcer's healing; the core panel every other visit."""
    dates = course.dates
    for i, on in enumerate(dates):
        trend = remaining[i]
        rows["visit"][-len(dates) + i]["vas"] = round(
            min(10.0, max(0.0, course.vas0 * (0.25 + 0.75 * trend) + rng.uniform(-0.6, 0.6))),
            1)
        panel = list(PANEL_EVERY_VISIT) if i % 2 == 0 else ["crp_mg_l"]
        if i % 4 == 0:
            panel += PANEL_MONTHLY
        for column in panel:
            value = _lab_value(rng, column, trend, course.inflamed)
            info = ANALYTES[column]
            rows["lab"].append(dict(
                id=ids.take("lab"), visit_id=visit_ids[i], analyte=column, value=value,
                unit=info.unit, raw_value=value, raw_unit=info.unit, ref_low=info.ref_low,
                ref_high=info.ref_high, flag=None, loinc=info.loinc, collected_on=on,
                entered_at=now))


def _next_visit_and_event(rng: random.Random, rows, course: _Course, visit_ids: list[int],
                          ids: _Ids, *, patient_id: int, anchor: dt.date,
                          now: dt.datetime) -> None:
    """A next visit for patients still followed or not healed; an adverse event for a few."""
    dates = course.dates
    healed_at_end = all(r["closed"] for r in rows["assessment"][-len(dates) * len(course.sites):]
                        if r["visit_id"] == visit_ids[-1])
    if course.active or not healed_at_end:
        gap = rng.choice((7, 14, 14, 21))
        rows["visit"][-1]["next_visit_date"] = dates[-1] + dt.timedelta(days=gap)
    if rng.random() < 0.07 and dates:
        term, grade = rng.choice(AE_TERMS)
        i = rng.randrange(len(dates))
        resolved = dates[i] + dt.timedelta(days=rng.randint(3, 20))
        open_event = resolved >= anchor or rng.random() < 0.2
        rows["ae"].append(dict(
            id=ids.take("event"), patient_id=patient_id, visit_id=visit_ids[i],
            onset_date=dates[i], description=term, ctcae_grade=grade, serious=grade >= 3,
            relatedness=rng.choice(("unrelated", "unlikely", "possible")),
            outcome="recovering" if open_event else "recovered",
            resolved_on=None if open_event else resolved, created_at=now))


def _lab_value(rng: random.Random, column: str, trend: float, inflamed: float) -> float:
    """A plausible value in the canonical unit; inflammation markers follow the wound."""
    jitter = rng.uniform(0.85, 1.15)
    if column == "crp_mg_l":
        return round(max(0.3, (2 + inflamed * trend) * jitter), 1)
    if column == "esr_mm_h":
        return float(round(max(2, (12 + inflamed * 0.8 * trend) * jitter)))
    if column == "il6_pg_ml":
        return round(max(0.5, (2 + inflamed * 0.25 * trend) * jitter), 1)
    if column == "tnf_alpha_pg_ml":
        return round(max(1, (5 + inflamed * 0.2 * trend) * jitter), 1)
    if column == "il10_pg_ml":
        return round(max(0.5, (3 + 4 * (1 - trend)) * jitter), 1)
    if column == "il1b_pg_ml":
        return round(max(0.2, (1 + inflamed * 0.05 * trend) * jitter), 1)
    if column == "wbc_10e9_l":
        return round(max(3.0, (6.5 + inflamed * 0.06 * trend) * jitter), 1)
    if column == "hba1c_pct":
        return round(rng.uniform(6.3, 10.5), 1)
    if column == "glucose_mmol_l":
        return round(rng.uniform(5.0, 12.0), 1)
    if column == "albumin_g_l":
        return float(round(rng.uniform(30, 46)))
    if column == "mda_umol_l":
        return round((2 + 4 * trend) * jitter, 2)
    if column == "sod_u_ml":
        return round((120 + 60 * (1 - trend)) * jitter, 0)
    if column == "gpx_u_l":
        return float(round((5000 + 3000 * (1 - trend)) * jitter))
    return round((0.8 + 0.6 * (1 - trend)) * jitter, 2)  # TAC
