"""The lab and perfusion analytes: canonical units, hard limits, default reference ranges, codes.

One registry, keyed by the visit-sheet column name (docs/product.md), used by validation, the
summary, the forms, the reports and the FHIR export. Limits and ranges are docs/metrics.md's;
LOINC codes are docs/clinical_reference.md §4 (None where LOINC has none).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping


@dataclass(frozen=True)
class UnitOption:
    """A unit a value may be entered in, with the conversion to the canonical unit."""

    label: str
    ucum: str
    to_canonical: Callable[[float], float]
    from_canonical: Callable[[float], float]


def _identity(value: float) -> float:
    return value


def _scale(factor: float) -> tuple[Callable[[float], float], Callable[[float], float]]:
    return (lambda v: v * factor), (lambda v: v / factor)


def hba1c_ifcc_to_ngsp(mmol_per_mol: float) -> float:
    """HbA1c IFCC (mmol/mol) to NGSP (%): NGSP = 0.0915·IFCC + 2.15 (IFCC master equation)."""
    return 0.0915 * mmol_per_mol + 2.15


def hba1c_ngsp_to_ifcc(percent: float) -> float:
    """HbA1c NGSP (%) to IFCC (mmol/mol): IFCC = 10.93·NGSP − 23.5 (IFCC master equation)."""
    return 10.93 * percent - 23.5


GLUCOSE_MG_DL_PER_MMOL_L = 18.0  # M = 180.16 g/mol, the clinical convention of ÷ 18.0


@dataclass(frozen=True)
class Analyte:
    """A lab or perfusion measurement as the clinic records it, in its canonical unit."""

    column: str
    label: str
    unit: str  # display form of the canonical unit
    ucum: str
    hard_min: float
    hard_max: float
    ref_low: float | None = None
    ref_high: float | None = None
    loinc: str | None = None
    category: str = "lab"  # lab | perfusion
    decimals: int = 1
    alternatives: tuple[UnitOption, ...] = field(default_factory=tuple)

    @property
    def units(self) -> tuple[UnitOption, ...]:
        """The canonical unit first, then the alternatives."""
        canonical = UnitOption(self.unit, self.ucum, _identity, _identity)
        return (canonical, *self.alternatives)

    def unit_option(self, label_or_ucum: str) -> UnitOption:
        for option in self.units:
            if label_or_ucum in (option.label, option.ucum):
                return option
        raise ValueError(f"{self.label}: unknown unit {label_or_ucum!r}")

    def to_canonical(self, value: float, unit: str | None = None) -> float:
        """Convert a value entered in `unit` (label or UCUM; canonical when None)."""
        if unit is None:
            return value
        return self.unit_option(unit).to_canonical(value)


def _alt(label: str, ucum: str, factor: float) -> UnitOption:
    to_c, from_c = _scale(factor)
    return UnitOption(label, ucum, to_c, from_c)


_CYTOKINE_MAX = 100_000.0

ANALYTE_LIST: tuple[Analyte, ...] = (
    Analyte("crp_mg_l", "CRP", "mg/L", "mg/L", 0, 1000, 0, 10, "1988-5",
            alternatives=(_alt("mg/dL", "mg/dL", 10.0),)),
    Analyte("esr_mm_h", "ESR", "mm/h", "mm/h", 0, 200, 0, 20, "4537-7", decimals=0),
    Analyte("wbc_10e9_l", "WBC", "×10⁹/L", "10*9/L", 0, 500, 4, 11, "6690-2",
            alternatives=(_alt("×10³/µL", "10*3/uL", 1.0),)),
    Analyte("hba1c_pct", "HbA1c", "%", "%", 2, 25, 4.0, 6.5, "4548-4",
            alternatives=(UnitOption("mmol/mol", "mmol/mol", hba1c_ifcc_to_ngsp,
                                     hba1c_ngsp_to_ifcc),)),
    Analyte("glucose_mmol_l", "Glucose", "mmol/L", "mmol/L", 0.5, 100, 3.9, 5.6, "2345-7",
            alternatives=(_alt("mg/dL", "mg/dL", 1.0 / GLUCOSE_MG_DL_PER_MMOL_L),)),
    Analyte("albumin_g_l", "Albumin", "g/L", "g/L", 5, 80, 35, 50, "1751-7", decimals=0,
            alternatives=(_alt("g/dL", "g/dL", 10.0),)),
    Analyte("tnf_alpha_pg_ml", "TNF-α", "pg/mL", "pg/mL", 0, _CYTOKINE_MAX, loinc="3074-2",
            alternatives=(_alt("ng/L", "ng/L", 1.0),)),
    Analyte("il1b_pg_ml", "IL-1β", "pg/mL", "pg/mL", 0, _CYTOKINE_MAX, loinc="13629-1",
            alternatives=(_alt("ng/L", "ng/L", 1.0),)),
    Analyte("il6_pg_ml", "IL-6", "pg/mL", "pg/mL", 0, _CYTOKINE_MAX, loinc="26881-3",
            alternatives=(_alt("ng/L", "ng/L", 1.0),)),
    Analyte("il10_pg_ml", "IL-10", "pg/mL", "pg/mL", 0, _CYTOKINE_MAX, loinc="26848-2",
            alternatives=(_alt("ng/L", "ng/L", 1.0),)),
    Analyte("mda_umol_l", "MDA", "µmol/L", "umol/L", 0, 1000,
            alternatives=(_alt("nmol/mL", "nmol/mL", 1.0),)),
    Analyte("sod_u_ml", "SOD", "U/mL", "U/mL", 0, 100_000),
    Analyte("gpx_u_l", "GPx", "U/L", "U/L", 0, 100_000, decimals=0),
    Analyte("tac_mmol_l", "TAC", "mmol/L", "mmol/L", 0, 100, decimals=2),
    Analyte("abi", "ABI", "ratio", "1", 0, 3, 0.91, 1.40, None, category="perfusion",
            decimals=2),
    Analyte("tbi", "TBI", "ratio", "1", 0, 2, 0.70, None, None, category="perfusion",
            decimals=2),
    Analyte("tcpo2_mmhg", "TcPO₂", "mmHg", "mm[Hg]", 0, 150, 40, None, None,
            category="perfusion", decimals=0),
)

ANALYTES: Mapping[str, Analyte] = MappingProxyType({a.column: a for a in ANALYTE_LIST})
LAB_COLUMNS: tuple[str, ...] = tuple(a.column for a in ANALYTE_LIST if a.category == "lab")
PERFUSION_COLUMNS: tuple[str, ...] = tuple(
    a.column for a in ANALYTE_LIST if a.category == "perfusion"
)


@dataclass(frozen=True)
class ReferenceRange:
    """A reference interval in the canonical unit; either bound may be open."""

    low: float | None
    high: float | None

    @property
    def is_set(self) -> bool:
        return self.low is not None or self.high is not None

    def flag(self, value: float) -> str | None:
        """`H` above, `L` below, `N` within (bounds inclusive); None when no range is set."""
        if not self.is_set:
            return None
        if self.high is not None and value > self.high:
            return "H"
        if self.low is not None and value < self.low:
            return "L"
        return "N"

    def far_outside(self, value: float, factor: float = 5.0) -> bool:
        """True when the value lies outside `factor`× the range (docs/metrics.md soft warning)."""
        if self.high is not None and self.high > 0 and value > factor * self.high:
            return True
        if self.low is not None and self.low > 0 and value < self.low / factor:
            return True
        return False


def default_reference_ranges() -> dict[str, ReferenceRange]:
    """docs/metrics.md's default ranges; cytokines and oxidative-stress markers have none."""
    return {a.column: ReferenceRange(a.ref_low, a.ref_high) for a in ANALYTE_LIST}


def is_finite_number(value: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
