"""The visit-sheet import keeps a row's site exactly as written (a sheet's site is a free label,
compared exactly as recorded: docs/metrics.md), so an imported sheet sums up the same whatever
program reads it. A site that differs from the patient's stored ulcer, or from an earlier row's
site, only in letter case or spacing (app.domain.limits.site_key) is imported as a separate
site and listed among the report's warnings, for staff to check the sheet."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Ulcer
from app.services.visit_sheet import import_visit_sheet
from tests.interop.test_visit_sheet_import import GOOD, TODAY, second, sheet


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


def sites(db) -> list[tuple[str, int]]:
    with db.read() as s:
        return sorted((tuple(row) for row in s.execute(select(Ulcer.site, Ulcer.episode_no))))


def warned(report) -> list[tuple[int, str, str]]:
    return [(w.row, w.column, w.message) for w in report.warnings if w.column == "ulcer_site"]


def test_a_row_in_other_case_than_the_stored_ulcer_is_kept_as_written_and_warned(db, actor):
    import_visit_sheet(db, sheet(GOOD), actor=actor, today=TODAY)
    report = import_visit_sheet(db, sheet(second(ulcer_site=" l-HEEL")), actor=actor,
                                today=TODAY)
    assert report.visits_created == 1
    assert sites(db) == [("L-heel", 1), ("l-HEEL", 1)]
    assert warned(report) == [
        (1, "ulcer_site", "l-HEEL and L-heel differ only in letter case or spacing: imported "
                          "as written, a separate site; if they are one ulcer, correct the "
                          "sheet")]


def test_rows_of_one_new_site_in_other_case_are_two_sites_the_second_warned(db, actor):
    report = import_visit_sheet(db, sheet(GOOD | {"ulcer_site": "R-hallux"},
                                          second(ulcer_site="r-HALLUX")),
                                actor=actor, today=TODAY)
    assert sites(db) == [("R-hallux", 1), ("r-HALLUX", 1)]
    assert [row for row, _, _ in warned(report)] == [2]


def test_the_same_site_as_written_is_never_warned(db, actor):
    import_visit_sheet(db, sheet(GOOD), actor=actor, today=TODAY)
    report = import_visit_sheet(db, sheet(second()), actor=actor, today=TODAY)
    assert sites(db) == [("L-heel", 1)] and warned(report) == []


def test_a_stored_site_in_other_case_on_a_stored_visit_is_another_site_of_it(db, actor):
    import_visit_sheet(db, sheet(GOOD), actor=actor, today=TODAY)
    report = import_visit_sheet(db, sheet(GOOD | {"ulcer_site": "L-HEEL"}), actor=actor,
                                today=TODAY)
    assert report.visits_created == 0  # the stored visit gets the second site's assessment
    assert sites(db) == [("L-HEEL", 1), ("L-heel", 1)]
    assert [row for row, _, _ in warned(report)] == [1]


def test_one_visit_naming_two_sites_that_differ_in_case_imports_both(db, actor):
    # The visit form refuses this; a sheet is imported as written (exact repeats still clash).
    report = import_visit_sheet(db, sheet(GOOD, GOOD | {"ulcer_site": "l-heel",
                                                        "length_cm": "1.0"}),
                                actor=actor, today=TODAY)
    assert report.assessments == 2
    assert sites(db) == [("L-heel", 1), ("l-heel", 1)]
    assert [row for row, _, _ in warned(report)] == [2]
