"""The visit-sheet import matches a row's site to the patient's ulcer by the site key
(app.domain.limits.site_key): "l-HEEL" continues the stored "L-heel", keeping its label, and
never becomes a second ulcer; the renamed rows are listed among the report's warnings."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Assessment, Ulcer
from app.services.visit_sheet import ImportRejected, import_visit_sheet
from tests.interop.test_visit_sheet_import import GOOD, TODAY, db_bytes, second, sheet


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


def sites(db) -> list[tuple[str, int]]:
    with db.read() as s:
        return sorted((tuple(row) for row in s.execute(select(Ulcer.site, Ulcer.episode_no))))


def test_a_row_in_other_case_continues_the_stored_ulcer_under_its_label(db, actor):
    import_visit_sheet(db, sheet(GOOD), actor=actor, today=TODAY)
    report = import_visit_sheet(db, sheet(second(ulcer_site=" l-HEEL")), actor=actor,
                                today=TODAY)
    assert report.visits_created == 1
    assert sites(db) == [("L-heel", 1)]
    assert [(w.row, w.column, w.message) for w in report.warnings] == [
        (1, "ulcer_site", "l-HEEL is recorded as L-heel, the same site (letter case and "
                          "spacing aside)")]
    with db.read() as s:  # both visits assess the one ulcer
        assert s.scalar(select(func.count(Assessment.id.distinct()))
                        .join(Ulcer, Assessment.ulcer_id == Ulcer.id)
                        .where(Ulcer.site == "L-heel")) == 2


def test_rows_of_one_new_site_in_other_case_are_one_ulcer_named_by_the_first(db, actor):
    report = import_visit_sheet(db, sheet(GOOD | {"ulcer_site": "R-hallux"},
                                          second(ulcer_site="r-HALLUX")),
                                actor=actor, today=TODAY)
    assert sites(db) == [("R-hallux", 1)]
    assert [w.row for w in report.warnings] == [2]


def test_one_visit_naming_a_site_twice_in_other_case_is_refused(db, actor):
    import_visit_sheet(db, sheet(GOOD), actor=actor, today=TODAY)
    before = db_bytes(db)
    rows = [second(), second(ulcer_site="l-heel", length_cm="1.0")]
    with pytest.raises(ImportRejected) as exc:
        import_visit_sheet(db, sheet(*rows), actor=actor, today=TODAY)
    assert {(p.row, p.column) for p in exc.value.problems} == {(2, "ulcer_site")}
    assert any("repeats row 1" in p.message for p in exc.value.problems)
    assert db_bytes(db) == before


def test_a_stored_row_in_other_case_is_a_duplicate(db, actor):
    import_visit_sheet(db, sheet(GOOD), actor=actor, today=TODAY)
    with pytest.raises(ImportRejected) as exc:
        import_visit_sheet(db, sheet(GOOD | {"ulcer_site": "L-HEEL"}), actor=actor,
                           today=TODAY)
    assert "already in the database" in exc.value.problems[0].message
