"""Hard limits, soft warnings and text rules for everything a visit records (docs/metrics.md,
docs/reliability.md).

Validators return lists of `Finding`s rather than raising, so a form can show every problem at
its field and an import can report every bad cell at once.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Callable, Collection, Mapping, Sequence

from app.domain.analytes import ANALYTES, ReferenceRange

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    """One problem with one field: an `error` blocks saving, a `warning` asks for confirmation."""

    field: str
    message: str
    severity: str = ERROR
    index: int | None = None  # which assessment, treatment or event of a visit, when it matters

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class Limit:
    low: float
    high: float
    unit: str


SIZE_LIMITS: Mapping[str, Limit] = {
    "length_cm": Limit(0, 50, "cm"),
    "width_cm": Limit(0, 50, "cm"),
    "depth_cm": Limit(0, 20, "cm"),
    "traced_area_cm2": Limit(0, 2500, "cm²"),
}
VAS_LIMIT = Limit(0, 10, "")
TISSUE_LIMIT = Limit(0, 100, "%")
TISSUE_FIELDS = ("granulation_pct", "epithelial_pct", "slough_pct", "necrotic_pct")
TISSUE_SUM_TOLERANCE = 1.0

SOFT_MAX_LENGTH_WIDTH_CM = 20.0
SOFT_MAX_DEPTH_CM = 3.0
SOFT_AREA_GROWTH_FACTOR = 2.0
SOFT_LAB_RANGE_FACTOR = 5.0

# Documented text limits (characters); layouts are checked at these lengths.
TEXT_LIMITS: Mapping[str, int] = {
    "mrn": 32,
    "name": 120,
    "ulcer_site": 60,
    "contact": 200,
    "exosome_lot": 60,
    "exosome_product": 120,
    "clinician": 120,
    "description": 500,
    "notes": 2000,
}
_FORBIDDEN_CONTROLS = {"\x00"} | {chr(c) for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                                                    0x2066, 0x2067, 0x2068, 0x2069)}


def finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_range(field: str, value: float | None, limit: Limit, label: str | None = None
                ) -> list[Finding]:
    """A hard-limit check: NaN, ±inf and values outside [low, high] are errors."""
    if value is None:
        return []
    name = label or field
    if not finite(value):
        return [Finding(field, f"{name} must be a number")]
    if not limit.low <= value <= limit.high:
        unit = f" {limit.unit}" if limit.unit else ""
        return [Finding(field, f"{name} must be between {limit.low:g} and {limit.high:g}{unit}")]
    return []


def validate_size(
    *,
    length_cm: float | None,
    width_cm: float | None,
    depth_cm: float | None,
    traced_area_cm2: float | None,
    closed_marked: bool,
) -> list[Finding]:
    """Hard limits and soft warnings on one assessment's size."""
    findings: list[Finding] = []
    values = dict(length_cm=length_cm, width_cm=width_cm, depth_cm=depth_cm,
                  traced_area_cm2=traced_area_cm2)
    for field, value in values.items():
        findings += check_range(field, value, SIZE_LIMITS[field], field.replace("_", " "))
    if findings:
        return findings
    if (length_cm == 0) != (width_cm == 0) and length_cm is not None and width_cm is not None:
        findings.append(Finding("width_cm" if length_cm else "length_cm",
                                "length and width must both be 0 (closed) or both above 0"))
    if (length_cm is None) != (width_cm is None):
        findings.append(Finding("width_cm" if width_cm is None else "length_cm",
                                "give both length and width, or neither"))
    if not closed_marked and traced_area_cm2 is None and (length_cm is None or width_cm is None):
        findings.append(Finding("length_cm", "an open ulcer needs its length and width "
                                             "or a traced area"))
    for field in ("length_cm", "width_cm"):
        value = values[field]
        if value is not None and value > SOFT_MAX_LENGTH_WIDTH_CM:
            findings.append(Finding(field, f"{field.split('_')[0]} over "
                                           f"{SOFT_MAX_LENGTH_WIDTH_CM:g} cm", WARNING))
    if depth_cm is not None and depth_cm > SOFT_MAX_DEPTH_CM:
        findings.append(Finding("depth_cm", f"depth over {SOFT_MAX_DEPTH_CM:g} cm", WARNING))
    return findings


def area_jump_warning(previous_area: float | None, area: float | None) -> list[Finding]:
    """Soft warning when the area more than doubled since the previous assessment."""
    if previous_area and area is not None and area > SOFT_AREA_GROWTH_FACTOR * previous_area:
        return [Finding("area", f"area more than doubled since the previous assessment "
                                f"({previous_area:.2f} → {area:.2f} cm²)", WARNING)]
    return []


def validate_tissue(percentages: Mapping[str, float | None]) -> list[Finding]:
    """Each tissue % in 0–100; when any is given, they sum to 100 ± 1."""
    findings: list[Finding] = []
    for field in TISSUE_FIELDS:
        findings += check_range(field, percentages.get(field), TISSUE_LIMIT,
                                field.replace("_pct", " %"))
    given = [percentages[f] for f in TISSUE_FIELDS if percentages.get(f) is not None]
    if not findings and given and abs(sum(given) - 100.0) > TISSUE_SUM_TOLERANCE:
        findings.append(Finding("granulation_pct",
                                f"tissue percentages sum to {sum(given):g}, not 100"))
    return findings


def validate_vas(vas: float | None) -> list[Finding]:
    return check_range("vas", vas, VAS_LIMIT, "VAS pain")


def validate_analyte(column: str, value: float | None, reference: ReferenceRange | None = None
                     ) -> list[Finding]:
    """Hard limits of a lab or perfusion value (canonical unit) and the 5× range warning."""
    analyte = ANALYTES[column]
    findings = check_range(column, value, analyte_limit(column), analyte.label)
    if findings or value is None:
        return findings
    reference = reference or ReferenceRange(analyte.ref_low, analyte.ref_high)
    if reference.far_outside(value, SOFT_LAB_RANGE_FACTOR):
        findings.append(Finding(column, f"{analyte.label} {value:g} {analyte.unit} is more than "
                                        f"{SOFT_LAB_RANGE_FACTOR:g}× outside its reference range",
                                WARNING))
    return findings



def analyte_limit(column: str) -> Limit:
    """The hard limit of a lab or perfusion column, in its canonical unit."""
    analyte = ANALYTES[column]
    return Limit(analyte.hard_min, analyte.hard_max, analyte.unit)


def validate_visit_date(visit_date: date, *, birth_date: date | None, today: date) -> list[Finding]:
    """No visit in the future, and none before the patient's birth."""
    if visit_date > today:
        return [Finding("visit_date", "visit date is in the future")]
    if birth_date is not None and visit_date < birth_date:
        return [Finding("visit_date", "visit date is before the birth date")]
    return []


def validate_birth_date(birth_date: date | None, *, today: date) -> list[Finding]:
    if birth_date is None:
        return []
    if birth_date > today:
        return [Finding("birth_date", "birth date is in the future")]
    if birth_date.year < 1900:
        return [Finding("birth_date", "birth date is before 1900")]
    return []


def validate_text(field: str, value: str | None, *, required: bool = False) -> list[Finding]:
    """Reject NUL and bidi-override characters, and text past the documented length."""
    if value is None or value == "":
        return [Finding(field, f"{field.replace('_', ' ')} is required")] if required else []
    if any(ch in _FORBIDDEN_CONTROLS for ch in value):
        return [Finding(field, f"{field.replace('_', ' ')} contains a control character "
                               "(NUL or a bidirectional override)")]
    limit = TEXT_LIMITS.get(field, TEXT_LIMITS["notes"])
    if len(value) > limit:
        return [Finding(field, f"{field.replace('_', ' ')} is longer than {limit} characters")]
    if required and not value.strip():
        return [Finding(field, f"{field.replace('_', ' ')} is required")]
    return []


def normalise_mrn(mrn: str) -> str:
    """The key two MRNs are compared by: trimmed, Unicode NFKC, case-folded."""
    return unicodedata.normalize("NFKC", mrn).strip().casefold()


def fold_for_search(text: str) -> str:
    """Accent- and case-insensitive form for searching names ("Zoë" matches "zoe")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def patient_keys(mrn: str, name: str) -> dict[str, str]:
    """What a patient row stores besides the typed text: the MRN as typed but trimmed, the key
    MRNs are compared by, the name trimmed and its search form. Every writer of a patient
    (registration, edit, visit sheet, demo) derives them here."""
    return {"mrn": mrn.strip(), "mrn_key": normalise_mrn(mrn), "name": name.strip(),
            "name_search": fold_for_search(name)}


# -- ulcer sites -------------------------------------------------------------------------------
def site_key(site: str) -> str:
    """The key two ulcer sites are compared by (docs/product.md, "Ulcer"): Unicode NFKC,
    case-folded, runs of spaces as one, trimmed. "R-heel", " r-HEEL" and "R-Heel " are one site
    of one patient; "R-heel" and "L-heel", or "R heel" and "R-heel", are two. The visit form
    and the visit service refuse a new site of a stored key; the visit-sheet import keeps a
    row's site as written and warns of one (sites are compared exactly as recorded)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", site).casefold())
    return " ".join(folded.split())


_ONE_ULCER = "one ulcer per site, whatever the letter case or spacing"


def site_clashes(sites: Sequence[str], on_record: Collection[str] = (), *,
                 key: Callable[[str], str] = site_key) -> dict[int, str]:
    """Each of one visit's `sites` (by index) that repeats another of them, or names an ulcer
    `on_record` (the patient's stored sites) in other letter case or spacing, with the reason.
    `key=str` compares sites exactly as written (a visit sheet): only exact repeats clash.
    The first of a repeated pair is kept; a site stored exactly as typed is that ulcer (two
    stored labels of one key, from before this rule, may still be assessed together). Each
    reason starts with a word, not the site (a form capitalises it, and shows its first line
    only: the tooltip holds the rest), and says what to do first."""
    stored = set(on_record)
    stored_by_key: dict[str, str] = {}
    for label in sorted(stored):
        stored_by_key.setdefault(key(label), label)
    seen: dict[str, str] = {}
    clashes: dict[int, str] = {}
    for index, site in enumerate(sites):
        earlier = seen.get(key(site))
        if earlier == site:
            clashes[index] = f"{site} is assessed twice in one visit"
        elif earlier is not None and not (site in stored and earlier in stored):
            clashes[index] = (f"the site {earlier} is already assessed in this visit and "
                              f"{site} is the same site: {_ONE_ULCER}")
        elif earlier is None and site not in stored and key(site) in stored_by_key:
            clashes[index] = (f"enter this site as {stored_by_key[key(site)]}, the ulcer "
                              f"already on record ({site} is the same site: {_ONE_ULCER})")
        seen.setdefault(key(site), site)
    return clashes
