"""The FHIR export validates as R4 (fhir.resources' R4B models) and carries the right codes."""
from __future__ import annotations

import json
import math

import pytest

from app.domain.analytes import ANALYTES
from app.interop.fhir import ANALYTE_SYSTEM, LOINC, SNOMED, UCUM
from app.interop.research_csv import pseudonym
from app.services.actor import Actor
from app.services.exports import export_fhir_bundle, pseudonym_key

pytest.importorskip("fhir.resources")
NURSE = Actor("nurse.test", "nurse")
VALUE_SETS = {  # required R4 bindings fhir.resources does not check
    ("Observation", "status"): {"registered", "preliminary", "final", "amended"},
    ("MedicationAdministration", "status"): {"in-progress", "not-done", "on-hold", "completed",
                                             "entered-in-error", "stopped", "unknown"},
    ("AdverseEvent", "actuality"): {"actual", "potential"},
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
}


def validate_r4(bundle: dict) -> None:
    """Structure and types by fhir.resources; required codes and FHIR JSON rules by hand."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)

    def walk(node, path):
        if isinstance(node, dict):
            assert node, f"empty object at {path}"
            if set(node) == {"reference"}:
                assert node["reference"] in full_urls, f"dangling reference at {path}"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            assert node, f"empty array at {path}"
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")
        else:
            assert node is not None and node != "", f"empty value at {path}"
            if isinstance(node, float):
                assert math.isfinite(node), path

    for entry in bundle["entry"]:
        resource = entry["resource"]
        walk(resource, resource["resourceType"])
        for (kind, field), allowed in VALUE_SETS.items():
            if resource["resourceType"] == kind and field in resource:
                assert resource[field] in allowed, (kind, field, resource[field])


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def codes(concept: dict) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in concept["coding"]}


def component(observation: dict, loinc: str) -> dict:
    found = [c for c in observation["component"] if (LOINC, loinc) in codes(c["code"])]
    assert len(found) == 1, loinc
    return found[0]["valueQuantity"]


@pytest.fixture(scope="module")
def golden_bundle(tmp_path_factory):
    """One export of the golden clinic, shared by the tests that only read it."""
    import datetime as dt

    from app.db import Database
    from app.services.visit_sheet import import_visit_sheet
    from tests.conftest import GOLDEN_CSV

    folder = tmp_path_factory.mktemp("fhir")
    db = Database.open(f"sqlite:///{folder / 'clinic.db'}")
    import_visit_sheet(db, GOLDEN_CSV.read_text(encoding="utf-8"), actor=NURSE,
                       today=dt.date(2026, 11, 27))
    result = export_fhir_bundle(db, folder / "bundle.json", actor=NURSE)
    bundle = json.loads((folder / "bundle.json").read_text(encoding="utf-8"))
    yield db, bundle, result
    db.dispose()


def _patient(bundle, mrn):
    patient = next(p for p in resources(bundle, "Patient") if p["identifier"][0]["value"] == mrn)
    reference = f"urn:uuid:{patient['id']}"
    mine = [e["resource"] for e in bundle["entry"]
            if e["resource"].get("subject", {}).get("reference") == reference]
    return patient, mine


def test_golden_bundle_validates(golden_bundle):
    _, bundle, result = golden_bundle
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert result.records == len(bundle["entry"]) and result.patients == 8
    validate_r4(bundle)


def test_golden_patient_wound_observations(golden_bundle):
    _, bundle, _ = golden_bundle
    patient, mine = _patient(bundle, "H-01002")
    assert patient["name"] == [{"text": "Kwame Adeyemi"}] and patient["gender"] == "female"
    assert patient["birthDate"] == "1947-10-19"
    sizes = sorted((r for r in mine if r["resourceType"] == "Observation"
                    and (LOINC, "72287-6") in codes(r["code"])),
                   key=lambda r: r["effectiveDateTime"])
    assert len(sizes) == 19  # one panel per assessment
    assert [s["effectiveDateTime"] for s in sizes[:4]] == ["2025-03-22", "2025-03-30",
                                                           "2025-04-05", "2025-04-12"]
    first = sizes[0]
    assert component(first, "39126-8") == {"value": 1.0, "unit": "cm", "system": UCUM,
                                           "code": "cm"}
    assert component(first, "39125-0")["value"] == 0.7
    assert component(first, "39127-6")["value"] == 0.9
    area = component(first, "89260-4")
    assert area["code"] == "cm2" and area["value"] == pytest.approx(math.pi / 4 * 0.7)
    assert component(first, "94083-3") == pytest.approx(
        {"value": math.pi / 6 * 0.63, "unit": "cm3", "system": UCUM, "code": "cm3"})
    closed = sizes[3]  # 0 × 0 and marked closed on 2025-04-12: area 0, no depth recorded
    assert component(closed, "89260-4")["value"] == 0.0
    assert {c["code"]["coding"][0]["code"] for c in closed["component"]} == {
        "39126-8", "39125-0", "89260-4"}
    tissue = [r for r in mine if r["resourceType"] == "Observation"
              and (LOINC, "72371-8") in codes(r["code"])
              and r["effectiveDateTime"] == "2025-03-22"]
    by_tissue = {c["code"]: t["component"][0]["valueQuantity"]["value"]
                 for t in tissue for c in t["valueCodeableConcept"]["coding"]}
    assert by_tissue == {"225541009": 67, "449743005": 24, "449746002": 9, "421306004": 0}
    assert all(t["component"][0]["valueQuantity"]["code"] == "%" for t in tissue)
    assert all((LOINC, "72370-0") in codes(t["component"][0]["code"]) for t in tissue)


def test_golden_patient_pain_and_labs(golden_bundle):
    _, bundle, _ = golden_bundle
    _, mine = _patient(bundle, "H-01002")
    observations = [r for r in mine if r["resourceType"] == "Observation"]

    def on(loinc, day):
        return next(r for r in observations if (LOINC, loinc) in codes(r["code"])
                    and r["effectiveDateTime"] == day)

    pain = on("72514-3", "2025-03-22")
    assert pain["valueQuantity"]["value"] == 6.0 and pain["valueQuantity"]["code"] == "{score}"
    crp = on(ANALYTES["crp_mg_l"].loinc, "2025-03-22")
    assert crp["valueQuantity"] == {"value": 49.7, "unit": "mg/L", "system": UCUM,
                                    "code": "mg/L"}
    assert crp["interpretation"][0]["coding"][0]["code"] == "H"
    assert crp["referenceRange"][0]["high"]["value"] == 10
    assert crp["category"][0]["coding"][0]["code"] == "laboratory"
    assert on("4537-7", "2025-03-22")["valueQuantity"]["value"] == 44
    assert on("26881-3", "2025-03-22")["valueQuantity"]["value"] == 20.9
    assert on("26848-2", "2025-03-22")["valueQuantity"]["value"] == 3.0


def test_golden_patient_exosome_doses(golden_bundle):
    _, bundle, _ = golden_bundle
    _, mine = _patient(bundle, "H-01002")
    medications = {f"urn:uuid:{m['id']}": m for m in resources(bundle, "Medication")}
    given = sorted((r for r in mine if r["resourceType"] == "MedicationAdministration"),
                   key=lambda r: r["effectiveDateTime"])
    assert [(g["effectiveDateTime"],
             medications[g["medicationReference"]["reference"]]["batch"]["lotNumber"],
             g["dosage"]["route"]["text"], g["dosage"]["dose"]["value"]) for g in given] == [
        ("2025-03-22", "EXO-5151", "perilesional", 1e10),
        ("2025-04-05", "EXO-2824", "perilesional", 1e10),
        ("2025-04-19", "EXO-6035", "topical", 1e10)]
    assert all(g["status"] == "completed" for g in given)


def test_conditions_and_recurrence_link(golden_bundle):
    _, bundle, _ = golden_bundle
    _, mine = _patient(bundle, "H-01000")
    conditions = sorted((r for r in mine if r["resourceType"] == "Condition"),
                        key=lambda r: r["recordedDate"])
    assert len(conditions) == 2
    first, second = conditions
    assert codes(first["code"]) == {(SNOMED, "371087003")}  # etiology not recorded
    assert first["bodySite"][0]["text"] == "R-MTH5-plantar"
    assert first["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert first["abatementDateTime"] == "2025-06-22"
    assert second["clinicalStatus"]["coding"][0]["code"] == "recurrence"
    link = next(e for e in second["extension"] if e["url"].endswith("condition-occurredFollowing"))
    assert link["valueReference"]["reference"] == f"urn:uuid:{first['id']}"
    episode = next(e for e in second["extension"] if e["url"].endswith("wound-episode"))
    assert codes(episode["valueCodeableConcept"]) == {(SNOMED, "255227004")}
    sizes = [r for r in mine if r["resourceType"] == "Observation" and "focus" in r
             and r["focus"][0]["reference"] == f"urn:uuid:{second['id']}"
             and (LOINC, "72287-6") in codes(r["code"])]
    assert [s["effectiveDateTime"] for s in sizes] == ["2025-07-30", "2025-08-06"]


def test_ids_are_stable_between_exports(golden_bundle, tmp_path):
    db, bundle, _ = golden_bundle
    export_fhir_bundle(db, tmp_path / "again.json", actor=NURSE)
    again = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert [e["fullUrl"] for e in again["entry"]] == [e["fullUrl"] for e in bundle["entry"]]
    assert again["id"] != bundle["id"]


def test_demo_clinic_with_adverse_events_validates_pseudonymously(demo_db, tmp_path):
    path = tmp_path / "demo.json"
    export_fhir_bundle(demo_db, path, actor=NURSE, pseudonymous=True)
    bundle = json.loads(path.read_text(encoding="utf-8"))
    # Every resource that is not an Observation, and one Observation in ten (time).
    observations = 0
    sample = dict(bundle, entry=[])
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "Observation":
            observations += 1
            if observations % 10:
                continue
        sample["entry"].append(entry)
    validate_r4(sample)
    events = resources(bundle, "AdverseEvent")
    assert events, "the demo clinic has adverse events"
    for event in events:
        assert event["severity"]["coding"][0]["code"] in {"mild", "moderate", "severe"}
        assert event["seriousness"]["coding"][0]["code"] in {"serious", "non-serious"}
        assert event["outcome"]["coding"][0]["code"] in {
            "resolved", "recovering", "ongoing", "resolvedWithSequelae", "fatal", "unknown"}
    etiology_codes = {c["code"] for r in resources(bundle, "Condition")
                      for c in r["code"]["coding"]}
    assert etiology_codes <= {"201251005", "201250006", "201252003"}  # demo: always recorded
    assert len(etiology_codes) >= 2
    local = [r for r in resources(bundle, "Observation")
             if (ANALYTE_SYSTEM, "mda_umol_l") in codes(r["code"])]
    assert local and local[0]["valueQuantity"]["code"] == "umol/L"  # no LOINC for MDA
    key = pseudonym_key(demo_db, actor=NURSE)
    patients = resources(bundle, "Patient")
    assert all("name" not in p and len(p.get("birthDate", "1950")) == 4 for p in patients)
    assert patients[0]["identifier"][0]["value"] == pseudonym(key, "D-00001")
    text = path.read_text(encoding="utf-8")
    assert "D-00001" not in text


def test_resource_ids_are_rfc4122_name_based_uuids():
    import uuid

    from app.interop.fhir import ResourceIds

    namespace = uuid.UUID("12345678-1234-5678-1234-567812345678")
    ids = ResourceIds(namespace)
    for kind, key in (("Patient", 1), ("Observation", "size/22"), ("Medication", '["é", null]')):
        assert ids.of(kind, key) == str(uuid.uuid5(namespace, f"{kind}/{key}"))
    assert ids.reference("Patient", 1) == {"reference": f"urn:uuid:{ids.of('Patient', 1)}"}
    ids.reference("Patient", 1)["reference"] = "changed"  # callers get their own copy
    assert ids.reference("Patient", 1)["reference"].startswith("urn:uuid:")
