"""Wagner, University of Texas, PUSH and SINBAD (docs/clinical_reference.md §2)."""
from __future__ import annotations

import pytest

from app.domain.scores import (
    SinbadFindings,
    push_area_subscore,
    push_score,
    sinbad_score,
    ut_class,
    ut_stage_from_findings,
    wagner_description,
)


@pytest.mark.parametrize("area,score", [(0, 0), (0.29, 1), (0.3, 2), (0.6, 2), (0.65, 3),
                                        (1.0, 3), (2.0, 4), (3.0, 5), (4.0, 6), (8.0, 7),
                                        (12.0, 8), (24.0, 9), (24.1, 10)])
def test_push_area_bands(area, score):
    assert push_area_subscore(area) == score


def test_push_total_worst_tissue_wins():
    assert push_score(length_cm=2, width_cm=1, exudate="moderate", closed=False,
                      necrotic_pct=5, slough_pct=20, granulation_pct=75) == 4 + 2 + 4
    assert push_score(length_cm=2, width_cm=1, exudate="none", closed=True) == 0


def test_ut_class_and_stage():
    assert ut_class(2, "b") == "IIB"
    assert ut_stage_from_findings(infection=True, ischemia=True) == "D"
    with pytest.raises(ValueError):
        ut_class(4, "A")


def test_wagner():
    assert "osteomyelitis" in wagner_description(3)
    with pytest.raises(ValueError):
        wagner_description(6)


def test_sinbad_area_threshold_inclusive():
    base = dict(midfoot_or_hindfoot=True, ischemia=False, neuropathy=True,
                bacterial_infection=False, deep=True)
    assert sinbad_score(SinbadFindings(area_cm2=1.0, **base)) == 4
    assert sinbad_score(SinbadFindings(area_cm2=0.99, **base)) == 3
