"""Where each finding of `validate_visit_input` / `save_visit` is shown on the visit form."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from app.domain.limits import Finding, validate_text
from app.ui.visit.fields import ERROR, WARNING, FieldSlot, tr

if TYPE_CHECKING:
    from app.ui.visit.sections import AssessmentSection

TREATMENT_FIELDS = frozenset({"site", "exosome_product", "exosome_source", "exosome_lot",
                              "exosome_dose", "exosome_volume_ml", "exosome_route",
                              "msc_cells_million"})
SIZE_FINDINGS = frozenset({"length_cm", "width_cm", "depth_cm", "traced_area_cm2", "area"})
ADVERSE_EVENT_FIELDS = frozenset({"description", "ctcae_grade", "relatedness", "outcome",
                                  "onset_date", "resolved_on"})


@dataclass
class FeedbackMap:
    """The form's fields, arranged as the findings name them (field, and index for lists)."""

    visit: dict[str, FieldSlot]
    sections: Sequence[AssessmentSection]  # the assessed ones, in VisitInput order
    all_sections: Sequence[AssessmentSection]
    analytes: dict[str, FieldSlot]
    perfusion: dict[str, FieldSlot]
    treatment: dict[str, FieldSlot]  # empty when the visit has no treatment from the form
    adverse_event: dict[str, FieldSlot]
    extra: list[FieldSlot] = field(default_factory=list)

    def slot_for(self, finding: Finding) -> FieldSlot | None:
        name, index = finding.field, finding.index
        if name in self.analytes:
            return self.analytes[name]
        if index is None:
            if name == "notes":
                return self._notes_slot(finding)
            return self.visit.get(name) or self.perfusion.get(name)
        if name in TREATMENT_FIELDS:
            return self.treatment.get(name) if index == 0 else None
        if name in ADVERSE_EVENT_FIELDS:
            return self.adverse_event.get(name) if index == 0 else None
        if 0 <= index < len(self.sections):
            return self.sections[index].slot_for(name)
        return None

    def _notes_slot(self, finding: Finding) -> FieldSlot | None:
        """Visit notes and imaging findings share the "notes" text rule: find which one broke it."""
        visit_notes = self.visit.get("notes")
        if visit_notes is not None:
            text = visit_notes.editor.toPlainText().strip() or None
            if any(f.message == finding.message for f in validate_text("notes", text)):
                return visit_notes
        return self.perfusion.get("imaging_findings")

    def every_slot(self) -> list[FieldSlot]:
        slots = [*self.visit.values(), *self.analytes.values(), *self.perfusion.values(),
                 *self.treatment.values(), *self.adverse_event.values(), *self.extra]
        for section in self.all_sections:
            slots += section.slots.values()
        return slots


def show_findings(feedback: FeedbackMap, findings: Sequence[Finding],
                  problems: Sequence[tuple[FieldSlot, str]], *, show_all: bool
                  ) -> tuple[int, list[str]]:
    """Mark each field with its errors (red) and warnings (amber).

    Unreadable text is shown at once; other findings once the nurse has changed that field, or
    everywhere after a save was attempted (`show_all`), so the form does not shout while she is
    still typing the next field. Returns the number of errors, shown or not, and the messages
    that belong to no single field.
    """
    for slot in feedback.every_slot():
        slot.clear()
    errors = 0
    unreadable = set()
    for slot, message in problems:
        slot.show_feedback(ERROR, message)
        unreadable.add(id(slot))
        errors += 1
    # A section with an unreadable size: what follows from that blank ("give both length and
    # width") is noise, and would land under a field that is right.
    garbled = {i for i, section in enumerate(feedback.sections)
               if any(id(s) in unreadable for s in section.slots.values())}
    general: list[str] = []
    for finding in findings:
        errors += finding.is_error
        slot = feedback.slot_for(finding)
        severity = ERROR if finding.is_error else WARNING
        if slot is not None and id(slot) in unreadable:
            continue  # "not a number" says it all; what follows from the blank is noise
        if finding.index in garbled and finding.field in SIZE_FINDINGS \
                and not finding.message.startswith(finding.field.replace("_", " ")):
            continue  # a rule across fields (length with width), not this field's own value
        if slot is None:
            if show_all:
                general.append(f"{finding.field.replace('_', ' ')}: {finding.message}")
        elif show_all or slot.touched:
            slot.show_feedback(severity, finding.message)
    hidden = [s for s in feedback.sections if any(x.severity == ERROR for x in s.slots.values())
              and s.isHidden()]
    if show_all and hidden:
        general.append(tr("Also check: {0}").format(", ".join(s.label for s in hidden)))
    if show_all and errors:
        marked = sum(s.severity == ERROR for s in feedback.every_slot())
        unplaced = sum(1 for f in findings if f.is_error and feedback.slot_for(f) is None)
        general.insert(0, tr("Fix the fields marked in red before saving ({0}).").format(
            max(marked + unplaced, 1)))
    return errors, general
