"""FHIR R4 export: one collection Bundle of the clinic's records (docs/clinical_reference.md §6–§7).

Pure: PatientHistory records in, JSON resources out, streamed into a Bundle. Per patient:
Patient; a Condition per ulcer episode (SNOMED code by etiology, bodySite, a link to the episode
it recurs after); per assessment a wound-size panel Observation (LOINC 72287-6 with length
39126-8, width 39125-0, depth 39127-6, area 89260-4 and volume 94083-3 components in UCUM cm,
cm2, cm3) and one wound-bed Observation per tissue type (72371-8 with 72370-0 %, HL7 skin-wound
IG); pain per visit (72514-3); lab and perfusion Observations with the LOINC of
app.domain.analytes (a local CodeSystem where LOINC has none); Medication (lot number) and
MedicationAdministration for every exosome dose; AdverseEvent; with `photos`, a Media per wound
photo (app.interop.photo_export). SNOMED codes marked [S-weak] in
docs/clinical_reference.md §6.2 must be checked in a SNOMED browser before release.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Any, Iterable, TextIO

from app.domain.analytes import ANALYTES
from app.interop.photo_export import ExportedPhoto, media_resource

if TYPE_CHECKING:  # records are read, never imported at run time (services → interop)
    from app.domain.records import AssessmentRecord, EpisodeView, PatientHistory, TreatmentRecord

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
LOCAL = "http://dfu-monitor.invalid/fhir"  # RFC 2606 .invalid: our own, not a real host
ANALYTE_SYSTEM = f"{LOCAL}/CodeSystem/analyte"

ETIOLOGY_CODES = {  # docs/clinical_reference.md §6.2 [S-weak]
    "neuropathic": ("201251005", "Neuropathic ulcer of foot due to diabetes mellitus"),
    "ischemic": ("201250006", "Ischemic ulcer of foot due to diabetes mellitus"),
    "neuro-ischemic": ("201252003", "Mixed diabetic ulcer - foot"),
    None: ("371087003", "Ulcer of foot due to diabetes mellitus"),
}
SITE_CODES = (  # docs/clinical_reference.md §6.3 (HL7 woundAnatomicLocationVS) [S]
    (("heel",), "84607009", "Skin structure of heel"),
    (("toe", "hallux"), "52034004", "Skin structure of toe"),
    (("malleol",), "419975006", "Skin structure of malleolus"),
    (("ankle",), "67269001", "Skin structure of ankle"),
)
FOOT = ("60496002", "Skin structure of foot")
SIZE_COMPONENTS = (  # (record field, LOINC, display, UCUM)
    ("length_cm", "39126-8", "Length of Wound", "cm"),
    ("width_cm", "39125-0", "Width of Wound", "cm"),
    ("depth_cm", "39127-6", "Depth of Wound", "cm"),
    ("area_cm2", "89260-4", "Area of wound", "cm2"),
    ("volume_cm3", "94083-3", "Wound volume", "cm3"),
)
TISSUE_CODES = {  # HL7 skin-wound IG woundBedAppearanceVS (§2.9) [S]
    "granulation_pct": ("225541009", "Granulation of tissue"),
    "epithelial_pct": ("449743005", "Wound epithelialization"),
    "slough_pct": ("449746002", "Wound slough"),
    "necrotic_pct": ("421306004", "Necrotic eschar"),
}
AE_OUTCOMES = {"recovered": "resolved", "recovering": "recovering", "not_recovered": "ongoing",
               "recovered_with_sequelae": "resolvedWithSequelae", "fatal": "fatal",
               "unknown": "unknown"}
GENDERS = {"F": "female", "M": "male", "X": "other"}


class ResourceIds:
    """Stable resource ids: the same record gets the same UUID in every export.

    A name-based UUID version 5 (RFC 4122 §4.3: SHA-1 of namespace and name), built without
    `uuid.UUID` objects because a clinic export names millions of resources.
    """

    def __init__(self, namespace: uuid.UUID):
        self.namespace = namespace
        self._prefix = namespace.bytes
        self._references: dict[tuple[str, object], dict[str, str]] = {}

    def of(self, kind: str, key: object) -> str:
        digest = bytearray(hashlib.sha1(self._prefix + f"{kind}/{key}".encode()).digest()[:16])
        digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
        digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = digest.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def reference(self, kind: str, key: object) -> dict[str, str]:
        found = self._references.get((kind, key))
        if found is None:
            found = self._references[(kind, key)] = {"reference": f"urn:uuid:{self.of(kind, key)}"}
        return dict(found)


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    return coding | ({"display": display} if display else {})


def _concept(system: str, code: str, display: str | None = None, text: str | None = None
             ) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [_coding(system, code, display)]}
    return concept | ({"text": text} if text else {})


def _quantity(value: float, ucum: str, unit: str | None = None) -> dict[str, Any]:
    return {"value": value, "unit": unit or ucum, "system": UCUM, "code": ucum}


def _category(code: str) -> list[dict[str, Any]]:
    return [_concept(f"{TERMINOLOGY}/observation-category", code)]


def body_site(site: str) -> dict[str, Any]:
    """SNOMED skin structure for the site's region; the clinic's site label as text."""
    lowered = site.lower()
    code, display = next(((c, d) for words, c, d in SITE_CODES
                          if any(w in lowered for w in words)), FOOT)
    return _concept(SNOMED, code, display, text=site)


def _extension(name: str, **value: Any) -> dict[str, Any]:
    return {"url": f"{LOCAL}/StructureDefinition/{name}", **value}


def patient_resource(history: PatientHistory, ids: ResourceIds, *, pseudonym: str | None
                     ) -> dict[str, Any]:
    p = history.patient
    resource: dict[str, Any] = {"resourceType": "Patient", "id": ids.of("Patient", p.id)}
    if p.arm:
        resource["extension"] = [_extension("treatment-arm", valueCode=p.arm)]
    if pseudonym is None:
        resource["identifier"] = [{"system": f"{LOCAL}/mrn", "value": p.mrn}]
        resource["name"] = [{"text": p.name}]
        if p.birth_date:
            resource["birthDate"] = p.birth_date.isoformat()
    else:
        resource["identifier"] = [{"system": f"{LOCAL}/pseudonym", "value": pseudonym}]
        if p.birth_date:
            resource["birthDate"] = f"{p.birth_date.year:04d}"  # year only
    if p.sex in GENDERS:
        resource["gender"] = GENDERS[p.sex]
    return resource


def condition_resource(history: PatientHistory, view: EpisodeView, ids: ResourceIds,
                       previous_ulcer_id: int | None) -> dict[str, Any]:
    m = view.metrics
    status = m.status if m else (view.clinician_status or "open")
    clinical = {"healed": "resolved", "amputated": "inactive"}.get(
        status, "recurrence" if previous_ulcer_id is not None else "active")
    code, display = ETIOLOGY_CODES.get(view.etiology, ETIOLOGY_CODES[None])
    episode = ("255227004", "Recurrent") if previous_ulcer_id is not None else ("884001", "Initial")
    resource: dict[str, Any] = {
        "resourceType": "Condition", "id": ids.of("Condition", view.ulcer_id),
        "extension": [_extension("wound-episode", valueCodeableConcept=_concept(SNOMED, *episode))],
        "clinicalStatus": _concept(f"{TERMINOLOGY}/condition-clinical", clinical),
        "verificationStatus": _concept(f"{TERMINOLOGY}/condition-ver-status", "confirmed"),
        "category": [_concept(f"{TERMINOLOGY}/condition-category", "problem-list-item")],
        "code": _concept(SNOMED, code, display, text=f"Diabetic foot ulcer, {view.label}"),
        "bodySite": [body_site(view.site)],
        "subject": ids.reference("Patient", history.patient.id),
    }
    if previous_ulcer_id is not None:
        resource["extension"].append({
            "url": "http://hl7.org/fhir/StructureDefinition/condition-occurredFollowing",
            "valueReference": ids.reference("Condition", previous_ulcer_id)})
    onset = view.onset_date or (m.baseline_date if m else view.assessments[0].on)
    resource["onsetDateTime"] = onset.isoformat()
    if m is not None and m.first_closure_date is not None:
        resource["abatementDateTime"] = m.first_closure_date.isoformat()
    resource["recordedDate"] = view.assessments[0].on.isoformat()
    stages = [("Wagner", view.wagner_grade), ("University of Texas grade", view.ut_grade)]
    resource["stage"] = [
        {"summary": _concept(f"{LOCAL}/CodeSystem/{name.split()[0].lower()}", str(grade),
                             f"{name} {grade}"), "type": {"text": name}}
        for name, grade in stages if grade is not None]
    if not resource["stage"]:
        del resource["stage"]
    return resource


def _observation(ids: ResourceIds, key: object, *, history: PatientHistory, category: str,
                 code: dict[str, Any], on: dt.date, **fields: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": ids.of("Observation", key), "status": "final",
            "category": _category(category), "code": code,
            "subject": ids.reference("Patient", history.patient.id),
            "effectiveDateTime": on.isoformat(), **fields}


def size_observation(history: PatientHistory, view: EpisodeView, a: AssessmentRecord,
                     ids: ResourceIds) -> dict[str, Any]:
    """The wound-size panel of one assessment, with a component per recorded dimension."""
    components = []
    for field, code, display, ucum in SIZE_COMPONENTS:
        value = getattr(a, field)
        if value is None:
            continue
        component: dict[str, Any] = {"code": _concept(LOINC, code, display),
                                     "valueQuantity": _quantity(value, ucum)}
        if field == "area_cm2":
            how = ("closed" if a.closed else "traced" if a.traced_area_cm2 is not None
                   else history.area_method.value)
            component["extension"] = [_extension("area-derivation", valueCode=how)]
        components.append(component)
    fields: dict[str, Any] = {"focus": [ids.reference("Condition", view.ulcer_id)],
                              "bodySite": body_site(view.site)}
    if components:
        fields["component"] = components
    else:
        fields["dataAbsentReason"] = _concept(f"{TERMINOLOGY}/data-absent-reason", "unknown")
    if a.method:
        fields["method"] = {"text": a.method}
    return _observation(ids, f"size/{a.id}", history=history, category="exam",
                        code=_concept(LOINC, "72287-6", "Wound size panel"), on=a.on, **fields)


def tissue_observations(history: PatientHistory, view: EpisodeView, a: AssessmentRecord,
                        ids: ResourceIds) -> list[dict[str, Any]]:
    resources = []
    for field, (code, display) in TISSUE_CODES.items():
        percent = getattr(a, field)
        if percent is None:
            continue
        resources.append(_observation(
            ids, f"tissue/{a.id}/{field}", history=history, category="exam",
            code=_concept(LOINC, "72371-8", "Appearance of wound base"), on=a.on,
            focus=[ids.reference("Condition", view.ulcer_id)],
            valueCodeableConcept=_concept(SNOMED, code, display),
            component=[{"code": _concept(LOINC, "72370-0", "Area of identified wound bed "
                                         "appearance/Area of wound bed"),
                        "valueQuantity": _quantity(percent, "%")}]))
    return resources


def visit_observations(history: PatientHistory, ids: ResourceIds) -> list[dict[str, Any]]:
    """Pain (VAS 0–10) and every lab or perfusion value of every visit."""
    resources = []
    for visit in history.visits:
        if visit.vas is not None:
            resources.append(_observation(
                ids, f"pain/{visit.id}", history=history, category="survey",
                code=_concept(LOINC, "72514-3",
                              "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
                on=visit.visit_date, valueQuantity=_quantity(visit.vas, "{score}")))
        for column, lab in visit.labs.items():
            analyte = ANALYTES[column]
            code = (_concept(LOINC, analyte.loinc, analyte.label, text=analyte.label)
                    if analyte.loinc else
                    _concept(ANALYTE_SYSTEM, column, analyte.label, text=analyte.label))
            fields: dict[str, Any] = {"valueQuantity": _quantity(lab.value, analyte.ucum,
                                                                 analyte.unit)}
            reference = history.reference_ranges.get(column)
            if reference is not None and reference.is_set:
                bounds = {}
                if reference.low is not None:
                    bounds["low"] = _quantity(reference.low, analyte.ucum, analyte.unit)
                if reference.high is not None:
                    bounds["high"] = _quantity(reference.high, analyte.ucum, analyte.unit)
                fields["referenceRange"] = [bounds]
            if lab.flag:
                fields["interpretation"] = [_concept(
                    f"{TERMINOLOGY}/v3-ObservationInterpretation", lab.flag)]
            category = "laboratory" if analyte.category == "lab" else "exam"
            resources.append(_observation(ids, f"lab/{visit.id}/{column}", history=history,
                                          category=category, code=code, on=lab.collected_on,
                                          **fields))
    return resources


def _medication_key(t: TreatmentRecord) -> str:
    return json.dumps([t.exosome_product, t.exosome_source, t.exosome_lot])


def medication_resources(history: PatientHistory, ids: ResourceIds) -> list[dict[str, Any]]:
    """One Medication per product and lot, then a MedicationAdministration per exosome dose."""
    medications: dict[str, dict[str, Any]] = {}
    administrations = []
    for t in history.exosome_doses:
        key = _medication_key(t)
        if key not in medications:
            medication: dict[str, Any] = {
                "resourceType": "Medication", "id": ids.of("Medication", key),
                "code": {"text": t.exosome_product or "Exosome product"}}
            if t.exosome_source:
                medication["extension"] = [_extension("exosome-source",
                                                      valueCode=t.exosome_source)]
            if t.exosome_lot:
                medication["batch"] = {"lotNumber": t.exosome_lot}
            medications[key] = medication
        dosage: dict[str, Any] = {}
        if t.exosome_route:
            dosage["route"] = {"text": t.exosome_route}
        if t.exosome_dose is not None:
            dosage["dose"] = {"value": t.exosome_dose, "unit": t.exosome_dose_unit or "dose"}
        if t.exosome_volume_ml is not None:
            dosage["text"] = f"{t.exosome_volume_ml:g} mL {t.exosome_route or ''}".strip()
        administration: dict[str, Any] = {
            "resourceType": "MedicationAdministration",
            "id": ids.of("MedicationAdministration", t.id), "status": "completed",
            "medicationReference": ids.reference("Medication", key),
            "subject": ids.reference("Patient", history.patient.id),
            "effectiveDateTime": t.on.isoformat()}
        if t.ulcer_id is not None:
            administration["reasonReference"] = [ids.reference("Condition", t.ulcer_id)]
        if dosage:
            administration["dosage"] = dosage
        if t.msc_cotherapy:
            cells = (f", {t.msc_cells_million:g} million cells"
                     if t.msc_cells_million is not None else "")
            administration["note"] = [{"text": f"MSC co-therapy{cells}"}]
        administrations.append(administration)
    return [*medications.values(), *administrations]


def adverse_event_resources(history: PatientHistory, ids: ResourceIds) -> list[dict[str, Any]]:
    """AdverseEvent (R4) with CTCAE grade mapped to severity and kept as an extension."""
    resources = []
    doses = history.exosome_doses
    for event in history.adverse_events:
        severity = {1: "mild", 2: "moderate"}.get(event.ctcae_grade, "severe")
        extensions = [_extension("ctcae-grade", valueInteger=event.ctcae_grade)]
        if event.resolved_on:
            extensions.append(_extension("resolved-date",
                                         valueDate=event.resolved_on.isoformat()))
        resource: dict[str, Any] = {
            "resourceType": "AdverseEvent", "id": ids.of("AdverseEvent", event.id),
            "extension": extensions, "actuality": "actual",
            "event": {"text": event.description},
            "subject": ids.reference("Patient", history.patient.id),
            "date": event.onset_date.isoformat(),
            "seriousness": _concept(f"{TERMINOLOGY}/adverse-event-seriousness",
                                    "serious" if event.serious else "non-serious"),
            "severity": _concept(f"{TERMINOLOGY}/adverse-event-severity", severity)}
        if event.outcome in AE_OUTCOMES:
            resource["outcome"] = _concept(f"{TERMINOLOGY}/adverse-event-outcome",
                                           AE_OUTCOMES[event.outcome])
        given = [t for t in doses if t.on <= event.onset_date]
        if given and event.relatedness:
            resource["suspectEntity"] = [{
                "instance": ids.reference("Medication", _medication_key(given[-1])),
                "causality": [{"assessment": {"text": event.relatedness}}]}]
        resources.append(resource)
    return resources


def _photo_resources(history: PatientHistory, view: EpisodeView, size: dict[str, Any],
                     photos: list[ExportedPhoto], ids: ResourceIds) -> list[dict[str, Any]]:
    """A Media per photo of one assessment; the size panel is `derivedFrom` measured ones."""
    media = [media_resource(p, ids, patient_id=history.patient.id, body_site=body_site(view.site))
             for p in photos]
    measured = [ids.reference("Media", p.photo_id) for p in photos
                if p.calibrated and p.area_cm2 is not None]
    if measured:
        size["derivedFrom"] = measured
    return media


def patient_resources(history: PatientHistory, ids: ResourceIds, *,
                      pseudonym: str | None = None,
                      photos: Iterable[ExportedPhoto] | None = None) -> list[dict[str, Any]]:
    """Every resource of one patient, the Patient first; a Media per photo in `photos`."""
    by_assessment: dict[int, list[ExportedPhoto]] = {}
    for photo in photos or ():
        by_assessment.setdefault(photo.assessment_id, []).append(photo)
    resources = [patient_resource(history, ids, pseudonym=pseudonym)]
    ulcer_by_site_episode = {(v.site, v.episode_no): v.ulcer_id for v in history.episodes}
    for view in history.episodes:
        previous = (ulcer_by_site_episode.get((view.site, view.recurrence_of_episode))
                    if view.recurrence_of_episode is not None else None)
        resources.append(condition_resource(history, view, ids, previous))
    for view in history.episodes:
        for a in view.assessments:
            size = size_observation(history, view, a, ids)
            resources.append(size)
            resources.extend(tissue_observations(history, view, a, ids))
            if a.id in by_assessment:
                resources += _photo_resources(history, view, size, by_assessment[a.id], ids)
    resources += visit_observations(history, ids)
    resources += medication_resources(history, ids)
    resources += adverse_event_resources(history, ids)
    return resources


def write_bundle(resources: Iterable[dict[str, Any]], out: TextIO, *, bundle_id: str,
                 timestamp: dt.datetime) -> int:
    """Stream a `collection` Bundle to `out`, one entry per resource; returns the count."""
    stamp = timestamp.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    header = {"resourceType": "Bundle", "id": bundle_id, "type": "collection",
              "timestamp": stamp.replace("+00:00", "Z")}
    out.write(json.dumps(header, ensure_ascii=False)[:-1])
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    for resource in resources:
        entry = {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
        out.write((",\n" if count else ', "entry": [\n') + encode(entry))  # one entry a line
        count += 1
    out.write("\n]}\n" if count else "}\n")  # FHIR JSON has no empty arrays
    return count
