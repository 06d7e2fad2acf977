"""Hard limits, soft warnings, text rules and identity normalisation."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.analytes import ANALYTES
from app.domain.limits import (
    area_jump_warning,
    fold_for_search,
    normalise_mrn,
    validate_analyte,
    validate_size,
    validate_text,
    validate_tissue,
    validate_vas,
    validate_visit_date,
)


def size(**kw):
    base = dict(length_cm=2.0, width_cm=1.0, depth_cm=0.5, traced_area_cm2=None,
                closed_marked=False)
    return validate_size(**(base | kw))


@pytest.mark.parametrize("field,value", [
    ("length_cm", -0.1), ("length_cm", 50.1), ("width_cm", 51), ("depth_cm", 20.5),
    ("traced_area_cm2", 2500.1), ("length_cm", math.nan), ("depth_cm", math.inf),
    ("width_cm", -math.inf),
])
def test_size_hard_limits(field, value):
    findings = size(**{field: value})
    assert any(f.field == field and f.is_error for f in findings)


def test_size_boundaries_accepted():
    assert not [f for f in size(length_cm=50, width_cm=50, depth_cm=20) if f.is_error]


def test_one_zero_dimension_is_invalid():
    assert any(f.is_error for f in size(length_cm=0, width_cm=1.0))
    assert any(f.is_error for f in size(length_cm=1.0, width_cm=0))
    assert not any(f.is_error for f in size(length_cm=0, width_cm=0, depth_cm=None))


def test_soft_warnings_for_large_sizes():
    findings = size(length_cm=21, width_cm=5, depth_cm=3.5)
    assert {f.field for f in findings if not f.is_error} == {"length_cm", "depth_cm"}
    assert not any(f.is_error for f in findings)


def test_area_more_than_doubled_warns():
    assert area_jump_warning(1.0, 2.01) and not area_jump_warning(1.0, 2.0)
    assert not area_jump_warning(None, 5.0) and not area_jump_warning(0.0, 5.0)


def test_tissue_sum_and_range():
    ok = {"granulation_pct": 70, "epithelial_pct": 20, "slough_pct": 10.5, "necrotic_pct": 0}
    assert validate_tissue(ok) == []
    assert validate_tissue(ok | {"slough_pct": 12})  # 102
    assert validate_tissue({"granulation_pct": 101})
    assert validate_tissue({}) == []


@given(st.lists(st.floats(0, 100), min_size=4, max_size=4))
def test_tissue_accepted_iff_sum_within_one_of_100(values):
    fields = ("granulation_pct", "epithelial_pct", "slough_pct", "necrotic_pct")
    findings = validate_tissue(dict(zip(fields, values)))
    assert (findings == []) == (abs(sum(values) - 100) <= 1)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_vas_accepts_exactly_0_to_10(value):
    assert (validate_vas(value) == []) == (math.isfinite(value) and 0 <= value <= 10)


@pytest.mark.parametrize("column", sorted(ANALYTES))
def test_every_analyte_has_hard_limits(column):
    analyte = ANALYTES[column]
    assert validate_analyte(column, analyte.hard_min) == [] or \
        all(not f.is_error for f in validate_analyte(column, analyte.hard_min))
    assert any(f.is_error for f in validate_analyte(column, analyte.hard_max * 1.01 + 1))
    assert any(f.is_error for f in validate_analyte(column, math.nan))


def test_lab_far_outside_range_warns():
    findings = validate_analyte("crp_mg_l", 51.0)
    assert findings and not findings[0].is_error
    assert validate_analyte("crp_mg_l", 49.0) == []


def test_visit_date_rules():
    today = dt.date(2026, 11, 27)
    assert validate_visit_date(today, birth_date=None, today=today) == []
    assert validate_visit_date(today + dt.timedelta(days=1), birth_date=None, today=today)
    assert validate_visit_date(dt.date(1950, 1, 1), birth_date=dt.date(1960, 1, 1), today=today)


@pytest.mark.parametrize("bad", ["a\x00b", "Ali\u202eevil", "x\u2066y"])
def test_control_characters_rejected(bad):
    assert validate_text("name", bad)


def test_long_text_limited():
    assert validate_text("name", "x" * 120) == []
    assert validate_text("name", "x" * 121)


def test_unicode_names_accepted():
    for name in ("Zoë Müller", "محمد العلي", "王小明", "Ana 👩‍⚕️", "Ǹgozi e\u0301"):
        assert validate_text("name", name) == []


def test_mrn_normalisation():
    assert normalise_mrn("  a-0001 ") == normalise_mrn("A-0001")
    assert normalise_mrn("Ａ-０００１") == normalise_mrn("A-0001")  # full-width, NFKC


def test_search_folding_is_accent_insensitive():
    assert fold_for_search("Zoë Müller") == "zoe muller"
    assert "zoe" in fold_for_search("ZOË")
