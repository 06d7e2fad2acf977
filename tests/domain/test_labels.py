"""The shared labels: ulcer sites in plain words and p-values as a reader expects them."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.labels import ETIOLOGY_LABELS, format_p_value, mrn_label, site_label
from app.models.vocab import ETIOLOGIES


@pytest.mark.parametrize("code, words", [
    ("R-hallux-plantar", "right big toe, sole"),
    ("L-hallux-plantar", "left big toe, sole"),
    ("L-MTH1-plantar", "left ball of the foot under the big toe"),
    ("R-MTH5-plantar", "right ball of the foot under the little toe"),
    ("R-MTH2", "right ball of the foot under the second toe"),
    ("R-heel", "right heel"),
    ("L-heel", "left heel"),
    ("R-dorsum", "right top of the foot"),
    ("L-2nd-toe", "left second toe"),
    ("R-lateral-malleolus", "right outer ankle bone"),
    ("  l-heel-posterior ", "left heel, back"),
])
def test_the_demo_sites_read_as_plain_words(code, words):
    assert site_label(code) == words


@pytest.mark.parametrize("label", ["left forefoot wound", "R-stump-xyz", "Fersenulkus links",
                                   "", "R", "R-7th-toe"])
def test_a_label_outside_the_shorthand_comes_back_as_typed(label):
    assert site_label(label) == label.strip()


@given(st.text(max_size=40))
def test_site_label_never_fails_and_never_invents_an_empty_label(text):
    words = site_label(text)
    assert isinstance(words, str)
    assert bool(words) == bool(text.strip())


def test_every_etiology_has_one_label_in_the_product_spelling():
    assert set(ETIOLOGY_LABELS) == set(ETIOLOGIES)
    assert all("ischaem" not in label.lower() for label in ETIOLOGY_LABELS.values())


@pytest.mark.parametrize("p, text", [
    (1.88e-11, "p < 0.001"), (0.0, "p < 0.001"), (0.000999, "p < 0.001"),
    (0.001, "p = 0.001"), (0.0123, "p = 0.012"), (0.05, "p = 0.050"), (1.0, "p = 1.000"),
    (None, "p not computed"), (float("nan"), "p not computed"),
])
def test_p_values(p, text):
    assert format_p_value(p) == text


@given(st.floats(min_value=0.0, max_value=1.0))
def test_a_p_value_never_reads_in_scientific_notation(p):
    text = format_p_value(p)
    assert "e" not in text.replace("p ", "")
    assert text == "p < 0.001" if p < 0.001 else text.startswith("p = 0.") or text == "p = 1.000"


@pytest.mark.parametrize("column, words", [
    ("crp_mg_l", "CRP (mg/L)"), ("il6_pg_ml", "IL-6 (pg/mL)"), ("length_cm", "length (cm)"),
    ("area_cm2", "area (cm²)"), ("granulation_pct", "granulation (%)"),
    ("vas", "VAS pain (0–10)"), ("deleted_at", "deleted"), ("mrn", "MRN"),
    ("debridement", "debridement"), ("exosome_volume_ml", "exosome volume (mL)"),
    (None, ""),
])
def test_field_labels(column, words):
    from app.domain.labels import field_label

    assert field_label(column) == words


@given(st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True))
def test_no_field_label_shows_an_underscore(column):
    from app.domain.labels import field_label

    assert "_" not in field_label(column)


def test_one_spelling_of_ischemia_everywhere():
    """The product spec writes "ischemic" / "ischemia"; the code and docs follow it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [*(root / "app").rglob("*.py"), *(root / "docs").rglob("*.md"), root / "README.md"]
    found = [str(path.relative_to(root)) for path in files
             if path.exists() and "ischaem" in path.read_text(encoding="utf-8").lower()]
    assert found == []


@pytest.mark.parametrize("mrn, label", [("0001", "MRN 0001"), ("D-00637", "MRN D-00637"),
                                        ("MRN-0001", "MRN-0001"), ("mrn0001", "mrn0001")])
def test_an_mrn_is_named_once(mrn, label):
    assert mrn_label(mrn) == label


@given(st.text(min_size=1, max_size=20))
def test_an_mrn_label_keeps_the_whole_mrn(mrn):
    label = mrn_label(mrn)
    assert label.endswith(mrn) and label.upper().startswith("MRN")
    assert label == mrn or label == f"MRN {mrn}"
    assert not label.upper().startswith("MRN MRN")
