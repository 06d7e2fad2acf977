"""Unit conversions and reference flags (docs/metrics.md; docs/clinical_reference.md §4)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.analytes import (
    ANALYTES,
    ReferenceRange,
    default_reference_ranges,
    hba1c_ifcc_to_ngsp,
    hba1c_ngsp_to_ifcc,
)


def test_crp_mg_dl_to_mg_l():
    assert ANALYTES["crp_mg_l"].to_canonical(2.5, "mg/dL") == pytest.approx(25.0)


def test_glucose_126_mg_dl_is_7_mmol_l():
    assert ANALYTES["glucose_mmol_l"].to_canonical(126, "mg/dL") == pytest.approx(7.0)


def test_albumin_g_dl_to_g_l():
    assert ANALYTES["albumin_g_l"].to_canonical(3.8, "g/dL") == pytest.approx(38.0)


def test_hba1c_ifcc_48_is_6_5_percent():
    assert ANALYTES["hba1c_pct"].to_canonical(48, "mmol/mol") == pytest.approx(6.542, abs=1e-9)
    assert hba1c_ngsp_to_ifcc(6.5) == pytest.approx(47.545)


@given(st.floats(2, 25))
def test_hba1c_round_trip(percent):
    assert hba1c_ifcc_to_ngsp(hba1c_ngsp_to_ifcc(percent)) == pytest.approx(percent, rel=2e-3)


def test_unknown_unit_is_an_error():
    with pytest.raises(ValueError):
        ANALYTES["crp_mg_l"].to_canonical(1, "g/L")


def test_canonical_unit_by_ucum_or_label():
    assert ANALYTES["wbc_10e9_l"].to_canonical(7.0, "10*3/uL") == 7.0
    assert ANALYTES["tcpo2_mmhg"].to_canonical(30, "mmHg") == 30


@pytest.mark.parametrize("value,flag", [(10.0, "N"), (10.01, "H"), (0.0, "N")])
def test_crp_flags_inclusive_bounds(value, flag):
    assert default_reference_ranges()["crp_mg_l"].flag(value) == flag


def test_open_ended_and_missing_ranges():
    ranges = default_reference_ranges()
    assert ranges["tbi"].flag(0.69) == "L" and ranges["tbi"].flag(1.5) == "N"
    assert ranges["il6_pg_ml"].flag(100.0) is None
    assert ReferenceRange(None, None).is_set is False
