"""The words a person reads for the values the database stores: one source for the window,
the reports and the command line (issue 10: no label dictionary kept twice).

Pure Python (no Qt): the window passes these through `tr()` where it translates. Ulcer sites
are free labels (docs/product.md, "Ulcer"); `site_label` reads the clinic's usual shorthand
("R-hallux-plantar" → "right big toe, sole") and returns anything it does not understand as
it was typed.
"""
from __future__ import annotations

import re

SEX_LABELS = {"F": "female", "M": "male", "X": "other / not specified"}
DIABETES_LABELS = {"1": "type 1", "2": "type 2", "other": "other type"}
ARM_LABELS = {"exosome": "Exosome", "exosome+msc": "Exosome + MSC", "standard": "Standard care"}
# The ulcer etiologies the database stores (app.models.vocab re-exports them for its CHECK):
# defined here so the command line's parser lists them without importing the models.
ETIOLOGIES = ("neuropathic", "ischemic", "neuro-ischemic")
ETIOLOGY_LABELS = {"neuropathic": "Neuropathic", "ischemic": "Ischemic",
                   "neuro-ischemic": "Neuro-ischemic"}
SOURCE_LABELS = {"bone_marrow": "bone-marrow MSC", "adipose": "adipose MSC",
                 "umbilical_cord": "umbilical-cord MSC"}
ROUTE_LABELS = {"topical": "topical", "perilesional": "perilesional injection",
                "intralesional": "intralesional injection", "iv": "intravenous"}
OUTCOME_LABELS = {"recovered": "recovered", "recovering": "recovering",
                  "not_recovered": "not recovered",
                  "recovered_with_sequelae": "recovered with sequelae", "fatal": "fatal",
                  "unknown": "unknown"}
CTCAE_LABELS = {1: "mild", 2: "moderate", 3: "severe", 4: "life-threatening", 5: "death"}
TISSUE_LABELS = {"granulation_pct": "granulation", "epithelial_pct": "epithelial tissue",
                 "slough_pct": "slough", "necrotic_pct": "necrotic tissue"}
METHOD_LABELS = {"ruler": "ruler", "tracing": "tracing", "photo": "photo"}

# -- ulcer sites -------------------------------------------------------------------------------
SIDES = {"r": "right", "l": "left", "right": "right", "left": "left", "b": "both",
         "bilateral": "both"}
_TOES = {"1": "big toe", "2": "second toe", "3": "third toe", "4": "fourth toe",
         "5": "little toe"}
PLACES = {
    "hallux": "big toe", "heel": "heel", "calcaneus": "heel", "dorsum": "top of the foot",
    "midfoot": "midfoot", "forefoot": "forefoot", "arch": "arch", "ankle": "ankle",
    "malleolus": "ankle bone", "toe": "toe", "toes": "toes", "stump": "stump",
    "shin": "shin", "leg": "leg", "foot": "foot", "sole": "sole",
}
ASPECTS = {"plantar": "sole", "dorsal": "top", "medial": "inner side", "lateral": "outer side",
           "tip": "tip", "apex": "tip", "posterior": "back", "interdigital": "between the toes",
           "nail": "nail bed"}
_METATARSAL = re.compile(r"^(?:mth|mt|met|mtp)(\d)$")
_NUMBERED_TOE = re.compile(r"^(\d)(?:st|nd|rd|th)?$")
_MALLEOLUS = {"medial-malleolus": "inner ankle bone", "lateral-malleolus": "outer ankle bone"}


def _place(tokens: list[str]) -> tuple[str | None, list[str]]:
    """The place named by the first tokens, and the tokens left over."""
    if not tokens:
        return None, tokens
    first = tokens[0]
    if len(tokens) > 1 and f"{first}-{tokens[1]}" in _MALLEOLUS:
        return _MALLEOLUS[f"{first}-{tokens[1]}"], tokens[2:]
    metatarsal = _METATARSAL.match(first)
    if metatarsal and metatarsal.group(1) in _TOES:
        # The ball of the foot (in patients' words), which is on the sole already.
        rest = [t for t in tokens[1:] if t != "plantar"]
        return f"ball of the foot under the {_TOES[metatarsal.group(1)]}", rest
    toe = _NUMBERED_TOE.match(first)
    if toe and len(tokens) > 1 and tokens[1] == "toe" and toe.group(1) in _TOES:
        return _TOES[toe.group(1)], tokens[2:]
    if first in PLACES:
        return PLACES[first], tokens[1:]
    return None, tokens


def site_label(site: str | None) -> str:
    """An ulcer site in plain words: "R-hallux-plantar" → "right big toe, sole",
    "L-MTH1-plantar" → "left ball of the foot under the big toe", "R-heel" → "right heel".
    A label that does not follow the shorthand comes back as it was typed (stripped)."""
    if site is None:
        return ""
    text = site.strip()
    tokens = [t for t in re.split(r"[-_\s]+", text.lower()) if t]
    if not tokens:
        return text
    side = SIDES.get(tokens[0])
    rest = tokens[1:] if side else tokens
    place, rest = _place(rest)
    if place is None or any(t not in ASPECTS for t in rest):
        return text
    words = f"{side} {place}" if side and side != "both" else place
    if side == "both":
        words = f"{place}, both feet"
    aspects = [ASPECTS[t] for t in rest]
    return ", ".join([words, *aspects])


# -- record fields (the Audit tab) -------------------------------------------------------------
FIELD_LABELS = {
    "mrn": "MRN", "dob": "birth date", "birth_date": "birth date", "vas": "VAS pain (0–10)",
    "visit_date": "visit date", "next_visit_date": "next visit", "deleted_at": "deleted",
    "ulcer_id": "ulcer", "visit_id": "visit", "patient_id": "patient", "episode_no": "episode",
    "analyte": "analyte", "value": "value", "raw_value": "value as entered",
    "raw_unit": "unit as entered", "ref_low": "reference low", "ref_high": "reference high",
    "flag": "H/L flag", "loinc": "LOINC code", "collected_on": "collected on",
    "ctcae_grade": "CTCAE grade", "msc_cotherapy": "MSC co-therapy",
    "ut_grade": "UT grade", "ut_stage": "UT stage",
    "site": "site", "etiology": "etiology", "arm": "treatment arm", "pad": "PAD",
    "ckd": "CKD", "signed_by": "signed by", "signed_at": "signed at",
}
_UNIT_SUFFIXES = (("_cm2", "cm²"), ("_cm3", "cm³"), ("_cm", "cm"), ("_mm", "mm"),
                  ("_pct", "%"), ("_ml", "mL"), ("_mmhg", "mmHg"), ("_million", "million"))


def analyte_label(column: str) -> str:
    """A lab or perfusion column as "CRP (mg/L)"; the column itself if it is not one."""
    from app.domain.analytes import ANALYTES

    analyte = ANALYTES.get(column)
    if analyte is None:
        return column
    return analyte.label if analyte.unit == "ratio" else f"{analyte.label} ({analyte.unit})"


def field_label(column: str | None) -> str:
    """A stored column in words: "crp_mg_l" → "CRP (mg/L)", "length_cm" → "length (cm)",
    "vas" → "VAS pain (0–10)"; unknown columns with their underscores as spaces."""
    if not column:
        return ""
    if column in FIELD_LABELS:
        return FIELD_LABELS[column]
    words = analyte_label(column)
    if words != column:
        return words
    for suffix, unit in _UNIT_SUFFIXES:
        if column.endswith(suffix):
            return f"{column[:-len(suffix)].replace('_', ' ')} ({unit})"
    return column.replace("_", " ")


# -- statistics --------------------------------------------------------------------------------
P_FLOOR = 0.001


def format_p_value(p: float | None) -> str:
    """A p-value as a reader expects it: "p < 0.001" below 0.001, else "p = 0.012"
    (three decimals); "p not computed" when missing."""
    if p is None or p != p:  # None or NaN
        return "p not computed"
    if p < P_FLOOR:
        return "p < 0.001"
    return f"p = {min(p, 1.0):.3f}"


def mrn_label(mrn: str) -> str:
    """The MRN as reports name it: "MRN 0001", but a clinic's MRN that already says so
    ("MRN-0001") is not named twice."""
    return mrn if mrn[:3].upper() == "MRN" else f"MRN {mrn}"


# -- quantities --------------------------------------------------------------------------------
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def dose_quantity(value: float, unit: str | None = None) -> str:
    """A dose as written on a vial: 5e9 particles reads "5 × 10⁹ particles", 100 µg "100 µg"
    (the chart, its tooltips and the reports all write doses this way)."""
    if value != 0 and not 1e-3 <= abs(value) < 1e5:
        mantissa, exponent = f"{value:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    else:
        text = f"{value:g}"
    return f"{text} {unit}".strip() if unit else text
