"""The research CSV: long format, re-imports into pandas with the right types, pseudonymised."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from app.interop.research_csv import METRIC_COLUMNS, column_types, format_research_cell, pseudonym
from app.services.actor import Actor
from app.services.exports import export_research_csv, pseudonym_key
from tests.conftest import GOLDEN_CSV, GOLDEN_JSON

pd = pytest.importorskip("pandas")

PANDAS_TYPES = {"text": "string", "integer": "Int64", "number": "float64",
                "boolean": "boolean"}
GOLDEN_ROWS = 158  # one per assessment in the public visit sheet


def read_export(path, *, identified: bool):
    types = column_types(identified=identified)
    dates = [name for name, kind in types.items() if kind == "date"]
    frame = pd.read_csv(path, dtype={n: PANDAS_TYPES[k] for n, k in types.items() if k != "date"},
                        parse_dates=dates, keep_default_na=False, na_values=[""])
    return frame, types


@pytest.fixture(scope="module")
def golden_export(tmp_path_factory):
    """One pseudonymised export of the golden clinic, shared by the tests that only read it."""
    from app.db import Database
    from app.services.visit_sheet import import_visit_sheet

    folder = tmp_path_factory.mktemp("research")
    db = Database.open(f"sqlite:///{folder / 'clinic.db'}")
    actor = Actor("nurse.test", "nurse")
    import_visit_sheet(db, GOLDEN_CSV.read_text(encoding="utf-8"), actor=actor,
                       today=dt.date(2026, 11, 27))
    path = folder / "research.csv"
    result = export_research_csv(db, path, actor=actor)
    yield db, path, result
    db.dispose()


def test_reimports_with_types_and_row_count(golden_export):
    db, path, result = golden_export
    frame, types = read_export(path, identified=False)
    assert result.records == len(frame) == GOLDEN_ROWS and result.patients == 8
    assert list(frame.columns) == list(types)
    for name, kind in types.items():
        dtype = frame[name].dtype
        if kind == "date":
            assert pd.api.types.is_datetime64_any_dtype(dtype), name
        else:
            assert str(dtype) == PANDAS_TYPES[kind], (name, dtype)
    assert frame["visit_date"].notna().all() and frame["area_cm2"].notna().all()
    assert set(METRIC_COLUMNS) <= set(frame.columns)
    # Without any hints, pandas still reads every number column as numbers.
    plain = pd.read_csv(path)
    for name, kind in types.items():
        if kind in ("number", "integer") and plain[name].notna().any():
            assert pd.api.types.is_numeric_dtype(plain[name]), name


def test_values_beside_raw_values_match_the_summary(golden_export):
    db, path, _ = golden_export
    frame, _ = read_export(path, identified=False)
    expected = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))["H-01000"]
    key = pseudonym_key(db, actor=Actor("nurse.test", "nurse"))
    rows = frame[frame["subject_id"] == pseudonym(key, "H-01000")]
    assert len(rows) == 14  # H-01000 has 14 assessments
    first, second = expected["ulcers"]
    episode1 = rows[rows["episode"] == 1].sort_values("visit_date")
    baseline = episode1.iloc[0]
    assert baseline["length_cm"] == 3.6 and baseline["width_cm"] == 1.7
    assert baseline["area_cm2"] == pytest.approx(first["baseline_area_cm2"], abs=1e-12)
    assert baseline["par_at_visit_percent"] == 0.0 and baseline["day"] == 0
    assert baseline["crp_mg_l"] == 42.3 and baseline["crp_mg_l_flag"] == "H"
    assert baseline["vas"] == 4.9 and baseline["granulation_pct"] == 81
    for name in ("par_week4_percent", "area_slope_cm2_per_week", "gilman_cm_per_week",
                 "days_to_closure"):
        values = episode1[name].tolist()
        assert values == pytest.approx([first[name]] * len(values), abs=1e-12), name
    assert bool(episode1["week4_on_track"].iloc[0]) is True
    assert episode1["first_closure_date"].iloc[0] == pd.Timestamp(first["first_closure_date"])
    assert episode1["recurred_on"].iloc[0] == pd.Timestamp(first["recurred_on"])
    episode2 = rows[rows["episode"] == 2]
    assert (episode2["recurrence_of_episode"] == 1).all()
    assert episode2["par_week4_percent"].isna().all()
    assert episode2["status"].iloc[0] == second["status"]
    assert rows["pain_baseline_vas"].iloc[0] == expected["pain"]["baseline_vas"]
    assert rows["crp_mg_l_baseline"].iloc[0] == expected["labs"]["crp_mg_l"]["baseline"]


def test_pseudonymised_export_holds_no_identifiers(golden_export):
    _, path, result = golden_export
    text = path.read_text(encoding="utf-8")
    assert result.pseudonymised
    for line in GOLDEN_CSV.read_text(encoding="utf-8").splitlines()[1:]:
        mrn, name, birth = line.split(",")[:3]
        assert mrn not in text and name not in text and birth not in text
    frame, _ = read_export(path, identified=False)
    assert frame["subject_id"].str.match(r"^S-[0-9a-f]{16}$").all()
    assert frame["subject_id"].nunique() == 8


def test_pseudonyms_are_stable_and_keyed(golden_export, tmp_path):
    db, first_path, _ = golden_export
    export_research_csv(db, tmp_path / "again.csv", actor=Actor("nurse.test", "nurse"))
    first = pd.read_csv(first_path)["subject_id"]
    assert first.tolist() == pd.read_csv(tmp_path / "again.csv")["subject_id"].tolist()
    assert pseudonym(b"k1", "H-01000") != pseudonym(b"k2", "H-01000")
    assert pseudonym(b"k1", "H-01000") == pseudonym(b"k1", "H-01000")


def test_identified_export_keeps_identifiers_and_neutralises_formulas(db, actor, tmp_path):
    from app.services.visit_sheet import import_visit_sheet

    sheet = ("mrn,patient_name,birth_date,arm,visit_date,ulcer_site,length_cm,width_cm\n"
             "F-1,=HYPERLINK(\"http://x\"),1950-02-03,standard,2026-01-05,R-heel,2,1\n"
             "F-1,=HYPERLINK(\"http://x\"),1950-02-03,standard,2026-01-19,R-heel,1.5,1\n")
    import_visit_sheet(db, sheet, actor=actor, today=dt.date(2026, 11, 27))
    path = tmp_path / "identified.csv"
    result = export_research_csv(db, path, actor=actor, identified=True)
    frame, _ = read_export(path, identified=True)
    assert not result.pseudonymised and len(frame) == 2
    assert frame["mrn"].tolist() == ["F-1", "F-1"] and frame["subject_id"].tolist() == ["F-1"] * 2
    assert frame["patient_name"].iloc[0] == "'=HYPERLINK(\"http://x\")"
    assert frame["birth_date"].iloc[0] == pd.Timestamp("1950-02-03")
    assert frame["age_years"].tolist() == [75, 75]


@pytest.mark.parametrize("kind, value, text", [
    ("number", 2.0, "2"), ("number", 0.1, "0.1"), ("integer", 7, "7"), ("boolean", True, "true"),
    ("boolean", False, "false"), ("date", dt.date(2026, 1, 5), "2026-01-05"),
    ("text", "+cmd", "'+cmd"), ("text", "-x", "'-x"), ("text", "@sum", "'@sum"),
    ("text", "R-heel", "R-heel"), ("number", None, "")])
def test_cell_format(kind, value, text):
    assert format_research_cell(kind, value) == text
