"""One ulcer a site (docs/product.md, "Ulcer"): the visit service refuses a new site that is a
stored ulcer's, or another section's, in other letter case or spacing, whoever calls it, with
nothing saved (app.domain.limits.site_key)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.models import Assessment, AuditEntry, Ulcer, Visit
from app.services.errors import ValidationFailed
from app.services.patients import PatientInput, create_patient
from app.services.visit_input import AssessmentInput, TreatmentInput, VisitInput
from app.services.visits import check_visit, save_visit
from tests.services.test_visits import TODAY, db_url, patient_id  # noqa: F401 (fixtures, on both backends)


def visit(pid: int, day: int, *sites: str, **kw) -> VisitInput:
    return VisitInput(patient_id=pid, visit_date=dt.date(2026, 9, 1) + dt.timedelta(days=day),
                      assessments=tuple(AssessmentInput(site, 3.0, 2.0) for site in sites),
                      **kw)


def counts(db) -> tuple[int, int, int, int]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(table))
                     for table in (Ulcer, Visit, Assessment, AuditEntry))


def stored_sites(db, pid: int) -> list[str]:
    with db.read() as s:
        return sorted(s.scalars(select(Ulcer.site).where(Ulcer.patient_id == pid)))


def refused(db, actor, data: VisitInput) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        with db.write() as s:
            save_visit(s, data, actor=actor, confirmed=True, today=TODAY)
    return exc.value


def test_a_site_differing_only_in_case_from_a_stored_ulcer_is_refused_whole(db, actor,
                                                                             patient_id):
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, "R-heel"), actor=actor, today=TODAY)
    before = counts(db)
    # the whole visit is refused: its other, new site and its treatment are not saved either
    error = refused(db, actor, visit(patient_id, 7, "L-hallux", "r-heel", treatments=(
        TreatmentInput(site="r-heel", exosome_lot="EXO-1", exosome_route="topical"),)))
    assert counts(db) == before
    assert stored_sites(db, patient_id) == ["R-heel"]
    [finding] = [f for f in error.findings if f.is_error]
    assert (finding.field, finding.index) == ("ulcer_site", 1)  # the form shows it there
    assert "r-heel" in finding.message and "R-heel" in finding.message
    assert str(error) == ("ulcer_site: enter this site as R-heel, the ulcer already on record "
                          "(r-heel is the same site: one ulcer per site, whatever the letter "
                          "case or spacing)")


@pytest.mark.parametrize("typed", ["r-heel", " R-HEEL ", "R-Heel", "ｒ-heel"])
def test_every_spelling_of_one_stored_site_is_refused(db, actor, patient_id, typed):
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, "R-heel"), actor=actor, today=TODAY)
    before = counts(db)
    refused(db, actor, visit(patient_id, 7, typed))
    assert counts(db) == before


def test_spacing_inside_a_site_is_compared_as_one_space(db, actor, patient_id):
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, "R heel"), actor=actor, today=TODAY)
    before = counts(db)
    refused(db, actor, visit(patient_id, 7, "r  HEEL"))
    assert counts(db) == before


def test_two_new_sites_differing_only_in_case_in_one_save_are_refused(db, actor, patient_id):
    before = counts(db)
    error = refused(db, actor, visit(patient_id, 0, "L-heel", "l-HEEL"))
    assert counts(db) == before
    assert stored_sites(db, patient_id) == []
    [finding] = [f for f in error.findings if f.is_error]
    assert (finding.field, finding.index) == ("ulcer_site", 1)  # the first is kept
    assert finding.message == ("the site L-heel is already assessed in this visit and l-HEEL "
                               "is the same site: one ulcer per site, whatever the letter case "
                               "or spacing")


def test_the_same_site_twice_in_one_save_is_still_refused(db, actor, patient_id):
    error = refused(db, actor, visit(patient_id, 0, "L-heel", "L-heel"))
    assert "L-heel is assessed twice in one visit" in str(error)


def test_the_stored_spelling_is_accepted_and_continues_the_ulcer(db, actor, patient_id):
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, "R-heel"), actor=actor, today=TODAY)
    with db.write() as s:
        save_visit(s, visit(patient_id, 7, "R-heel", "L-heel"), actor=actor, today=TODAY)
    assert stored_sites(db, patient_id) == ["L-heel", "R-heel"]


def test_a_healed_ulcer_on_a_deleted_visit_still_holds_its_site(db, actor, patient_id):
    from app.services.visits import delete_visit

    with db.write() as s:
        first = save_visit(s, visit(patient_id, 0, "R-heel"), actor=actor, today=TODAY).id
    with db.write() as s:
        delete_visit(s, first, reason="entered on the wrong patient", actor=actor)
    before = counts(db)
    refused(db, actor, visit(patient_id, 7, "r-heel"))
    assert counts(db) == before


def test_another_patients_site_does_not_count(db, actor, patient_id):
    with db.write() as s:
        other = create_patient(s, PatientInput(mrn="S-2", name="Other", arm="exosome",
                                               birth_date=dt.date(1950, 1, 1)),
                               actor=actor, today=TODAY).id
        save_visit(s, visit(other, 0, "R-heel"), actor=actor, today=TODAY)
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, "r-heel"), actor=actor, today=TODAY)
    assert stored_sites(db, patient_id) == ["r-heel"]


def test_check_visit_reports_the_clash_without_saving(db, actor, patient_id):
    with db.write() as s:
        save_visit(s, visit(patient_id, 0, "R-heel"), actor=actor, today=TODAY)
    with db.read() as s:
        findings = check_visit(s, visit(patient_id, 7, "r-heel"), today=TODAY)
    assert [(f.field, f.index) for f in findings if f.is_error] == [("ulcer_site", 0)]
