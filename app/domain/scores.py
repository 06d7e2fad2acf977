"""Wound classifications and scores as docs/clinical_reference.md §2 gives them.

Wagner 0–5 (Meggitt–Wagner); University of Texas grade 0–III × stage A–D (Armstrong 1998);
PUSH 3.0 (NPIAP); SINBAD 0–6 (Ince 2008).
"""
from __future__ import annotations

from dataclasses import dataclass

WAGNER_GRADES: dict[int, str] = {
    0: "Pre- or post-ulcerative lesion, completely epithelialised",
    1: "Superficial full-thickness ulcer confined to the dermis",
    2: "Through subcutaneous tissue to tendon or bone, without osteomyelitis or abscess",
    3: "Deep ulcer with osteomyelitis or abscess",
    4: "Localised gangrene of toes or forefoot (or heel)",
    5: "Extensive gangrene of the whole foot",
}

UT_GRADES: dict[int, str] = {
    0: "Pre- or post-ulcerative lesion, completely epithelialised",
    1: "Superficial wound, not involving tendon, capsule or bone",
    2: "Wound penetrating to tendon or capsule",
    3: "Wound penetrating to bone or joint",
}
UT_STAGES: dict[str, str] = {
    "A": "No infection or ischemia",
    "B": "Infection",
    "C": "Ischemia",
    "D": "Infection and ischemia",
}
_ROMAN = {0: "0", 1: "I", 2: "II", 3: "III"}


def wagner_description(grade: int) -> str:
    if grade not in WAGNER_GRADES:
        raise ValueError(f"Wagner grade must be 0–5, not {grade!r}")
    return WAGNER_GRADES[grade]


def ut_class(grade: int, stage: str) -> str:
    """The University of Texas class as clinicians write it, e.g. grade 2, stage B → "IIB"."""
    if grade not in UT_GRADES:
        raise ValueError(f"UT grade must be 0–3, not {grade!r}")
    stage = stage.upper()
    if stage not in UT_STAGES:
        raise ValueError(f"UT stage must be A–D, not {stage!r}")
    return f"{_ROMAN[grade]}{stage}"


def ut_stage_from_findings(*, infection: bool, ischemia: bool) -> str:
    return {(False, False): "A", (True, False): "B", (False, True): "C", (True, True): "D"}[
        (infection, ischemia)]


# PUSH 3.0 area bands as upper bounds on L×W (cm²): gaps between printed bands go to the
# upper band (docs/clinical_reference.md §2.7 implementation note).
_PUSH_AREA_BOUNDS = ((0.0, 0), (0.3, 1), (0.6, 2), (1.0, 3), (2.0, 4), (3.0, 5), (4.0, 6),
                     (8.0, 7), (12.0, 8), (24.0, 9))
PUSH_EXUDATE = {"none": 0, "light": 1, "moderate": 2, "heavy": 3}


def push_area_subscore(length_times_width_cm2: float) -> int:
    """PUSH area sub-score 0–10 from L×W: ≤0 → 0, <0.3 → 1, ≤0.6 → 2, ≤1.0 → 3, … >24 → 10."""
    if length_times_width_cm2 < 0:
        raise ValueError("area cannot be negative")
    if length_times_width_cm2 == 0:
        return 0
    if length_times_width_cm2 < 0.3:
        return 1
    for bound, score in _PUSH_AREA_BOUNDS[2:]:
        if length_times_width_cm2 <= bound:
            return score
    return 10


def push_tissue_subscore(*, closed: bool, necrotic_pct: float | None, slough_pct: float | None,
                         granulation_pct: float | None) -> int:
    """Worst tissue present: any necrotic 4, else any slough 3, granulation 2, epithelial 1."""
    if closed:
        return 0
    if necrotic_pct:
        return 4
    if slough_pct:
        return 3
    if granulation_pct:
        return 2
    return 1


def push_score(*, length_cm: float, width_cm: float, exudate: str, closed: bool,
               necrotic_pct: float | None = None, slough_pct: float | None = None,
               granulation_pct: float | None = None) -> int:
    """PUSH 3.0 total, 0 (healed) to 17."""
    if exudate not in PUSH_EXUDATE:
        raise ValueError(f"exudate must be one of {', '.join(PUSH_EXUDATE)}")
    area = 0.0 if closed else length_cm * width_cm
    return (push_area_subscore(area) + PUSH_EXUDATE[exudate]
            + push_tissue_subscore(closed=closed, necrotic_pct=necrotic_pct,
                                   slough_pct=slough_pct, granulation_pct=granulation_pct))


@dataclass(frozen=True)
class SinbadFindings:
    """The six SINBAD items, each scoring one point when true (Ince 2008)."""

    midfoot_or_hindfoot: bool
    ischemia: bool
    neuropathy: bool
    bacterial_infection: bool
    area_cm2: float
    deep: bool  # beyond subcutaneous tissue


SINBAD_AREA_THRESHOLD_CM2 = 1.0  # ≥ 1 cm² scores 1


def sinbad_score(findings: SinbadFindings) -> int:
    """SINBAD 0–6; a score ≥ 3 marks slower healing (Ince 2008)."""
    return sum((
        findings.midfoot_or_hindfoot,
        findings.ischemia,
        findings.neuropathy,
        findings.bacterial_infection,
        findings.area_cm2 >= SINBAD_AREA_THRESHOLD_CM2,
        findings.deep,
    ))
