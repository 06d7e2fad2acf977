"""Visit-sheet import: every bad input docs/reliability.md lists is refused whole, named by row and
column, and leaves the database byte-for-byte as it was; round trips are exact."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from app.interop.visit_sheet import HEADER, neutralise, read_sheet
from app.services.visit_sheet import ImportRejected, import_visit_sheet
from app.services.visit_sheet_export import export_visit_sheet
from tests.conftest import GOLDEN_CSV


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


TODAY = dt.date(2026, 11, 27)
GOOD = {"mrn": "X-1", "patient_name": "Ana Silva", "birth_date": "1960-02-03", "sex": "F",
        "diabetes_type": "2", "arm": "exosome", "visit_date": "2026-03-01",
        "ulcer_site": "L-heel", "length_cm": "3.0", "width_cm": "2.0", "closed": "no",
        "vas": "5.5", "crp_mg_l": "12"}


def sheet(*rows: dict, header=None) -> str:
    header = header or list(HEADER)
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(_quote(row.get(h, "")) for h in header))
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def second(**changes) -> dict:
    return GOOD | {"visit_date": "2026-03-15", "length_cm": "2.0"} | changes


def db_bytes(db) -> str:
    if db.path is None:  # a server: a digest of every table's rows
        from tests.db.helpers import content_hashes

        return repr(content_hashes(db))
    db.dispose()  # close connections: the WAL is checkpointed into the main file
    path = Path(db.engine.url.database)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def seeded(db, actor):
    import_visit_sheet(db, sheet(GOOD), actor=actor, today=TODAY)
    return db


BAD = {
    "out of hard limits": (second(length_cm="51"), 1, "length_cm"),
    "NaN": (second(width_cm="nan"), 1, "width_cm"),
    "infinity": (second(depth_cm="inf"), 1, "depth_cm"),
    "text in a number field": (second(vas="six"), 1, "vas"),
    "VAS over 10": (second(vas="10.5"), 1, "vas"),
    "lab out of limits": (second(crp_mg_l="1001"), 1, "crp_mg_l"),
    "visit in the future": (second(visit_date="2099-01-01"), 1, "visit_date"),
    "visit before birth": (second(visit_date="1950-01-01"), 1, "visit_date"),
    "bad date": (second(visit_date="15/03/2026"), 1, "visit_date"),
    "NUL in text": (second(patient_name="Ana\x00Silva"), 1, "patient_name"),
    "bidi override": (second(patient_name="Ana \u202eavliS"), 1, "patient_name"),
    "very long text": (second(ulcer_site="x" * 61), 1, "ulcer_site"),
    "one dimension zero": (second(length_cm="0", width_cm="1.0"), 1, "length_cm"),
    "tissue not summing to 100": (second(granulation_pct="80", slough_pct="30"), 1,
                                  "granulation_pct"),
    "unknown choice": (second(sex="Q"), 1, "sex"),
    "stored patient disagrees": (second(birth_date="1961-02-03"), 1, "birth_date"),
    "duplicate of a stored row": (GOOD, 1, "ulcer_site"),
    "missing required value": (second(ulcer_site=""), 1, "ulcer_site"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_row_rejects_whole_sheet_and_changes_nothing(seeded, actor, case):
    bad_row, row_number, column = BAD[case]
    good_row = GOOD | {"visit_date": "2026-03-08", "length_cm": "2.5"}
    text = sheet(good_row, bad_row)
    before = db_bytes(seeded)
    with pytest.raises(ImportRejected) as exc:
        import_visit_sheet(seeded, text, actor=actor, today=TODAY)
    problems = exc.value.problems
    assert any(p.row == row_number + 1 and p.column == column for p in problems), problems
    assert db_bytes(seeded) == before


def test_every_bad_row_and_column_is_reported(db, actor):
    text = sheet(GOOD | {"length_cm": "-1"}, second(vas="x", crp_mg_l="nan"))
    with pytest.raises(ImportRejected) as exc:
        import_visit_sheet(db, text, actor=actor, today=TODAY)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert {(1, "length_cm"), (2, "vas"), (2, "crp_mg_l")} <= found
    assert str(exc.value.problems[0]).startswith("row 1, column length_cm")


def test_unknown_and_missing_columns(db, actor):
    with pytest.raises(ImportRejected, match="problem") as exc:
        import_visit_sheet(db, sheet(GOOD | {"colour": "red"}, header=[*GOOD, "colour"]),
                           actor=actor, today=TODAY)
    assert "colour" in exc.value.problems[0].message
    header = [h for h in GOOD if h != "ulcer_site"]
    with pytest.raises(ImportRejected) as exc:
        import_visit_sheet(db, sheet(GOOD, header=header), actor=actor, today=TODAY)
    assert "ulcer_site" in exc.value.problems[0].message


def test_patient_fields_and_visit_values_must_agree_within_the_sheet(db, actor):
    with pytest.raises(ImportRejected) as exc:
        import_visit_sheet(db, sheet(GOOD, second(patient_name="Ana Souza")), actor=actor,
                           today=TODAY)
    assert exc.value.problems[0].column == "patient_name"
    two_ulcers = [GOOD, GOOD | {"ulcer_site": "R-heel", "crp_mg_l": "13"}]
    with pytest.raises(ImportRejected) as exc:
        import_visit_sheet(db, sheet(*two_ulcers), actor=actor, today=TODAY)
    assert (exc.value.problems[0].row, exc.value.problems[0].column) == (2, "crp_mg_l")


def test_duplicate_mrn_after_normalisation_is_the_same_patient(seeded, actor):
    report = import_visit_sheet(seeded, sheet(second(mrn=" x-1 ")), actor=actor, today=TODAY)
    assert report.patients_created == 0 and report.visits_created == 1


def test_episode_starting_closed_is_refused(db, actor):
    with pytest.raises(ImportRejected) as exc:
        import_visit_sheet(db, sheet(GOOD | {"length_cm": "0", "width_cm": "0", "closed": "yes"}),
                           actor=actor, today=TODAY)
    assert exc.value.problems[0].column == "ulcer_site"


def test_soft_warnings_are_listed_not_rejected(db, actor):
    report = import_visit_sheet(db, sheet(GOOD | {"length_cm": "25"}), actor=actor, today=TODAY)
    assert report.visits_created == 1
    assert [w.column for w in report.warnings] == ["length_cm"]


def test_bom_is_accepted(db, actor):
    report = import_visit_sheet(db, "\ufeff" + sheet(GOOD), actor=actor, today=TODAY)
    assert report.rows == 1


def test_export_header_and_formula_injection(db, actor):
    import_visit_sheet(db, sheet(GOOD | {"patient_name": "=HYPERLINK(1)", "mrn": "@x"}),
                       actor=actor, today=TODAY)
    with db.read() as s:
        text = export_visit_sheet(s)
    header, rows = read_sheet(text)
    assert tuple(header) == HEADER
    assert rows[0]["patient_name"] == "'=HYPERLINK(1)" and rows[0]["mrn"] == "'@x"
    assert neutralise("-1+1") == "'-1+1" and neutralise("plain") == "plain"


NAMES = ["Zoë Ødegård-Müller", "محمد بن عبد الله", "王小明", "Ana 👩🏽‍⚕️ Lima",
         "Ṅgozi e\u0301 Okafor", "+Plus Minus", "Ĳsbrand O'Brien, Jr."]


def test_round_trip_is_identical_and_keeps_every_script(tmp_path, actor):
    from app.db import Database

    rows = [GOOD | {"mrn": f"N-{i}", "patient_name": name, "notes": f"note, \"{i}\"\nline 2"}
            for i, name in enumerate(NAMES)]
    text = sheet(*rows)
    first, second_db = (Database.open(f"sqlite:///{tmp_path / n}") for n in ("a.db", "b.db"))
    import_visit_sheet(first, GOLDEN_CSV.read_text(encoding="utf-8"), actor=actor, today=TODAY)
    import_visit_sheet(first, text, actor=actor, today=TODAY)
    with first.read() as s:
        exported = export_visit_sheet(s)
    import_visit_sheet(second_db, exported, actor=actor, today=TODAY)
    with second_db.read() as s:
        again = export_visit_sheet(s)
    assert again == exported
    with second_db.read() as s:
        from sqlalchemy import select

        from app.models import Patient

        stored = set(s.scalars(select(Patient.name)))
    assert set(NAMES) <= stored
