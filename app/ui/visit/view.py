"""The widgets of the visit form: the header, one section per ulcer, the patient-level groups,
and the closing fields; the form's state read from and put back into them.

Every open ulcer of the patient has its own section, all shown at once; "Add ulcer site" opens
one more for a new ulcer, as often as needed (a first visit of a patient with two ulcers
records both); each new section can be removed until the visit is saved. Alt+1 … Alt+5 jump
to the size and tissue of the ulcer being typed, the labs, the treatment and the adverse
event (docs/product.md, "Visit form").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.analytes import LAB_COLUMNS, PERFUSION_COLUMNS
from app.services.visit_input import VisitInput
from app.ui.visit.context import VisitFormContext
from app.ui.visit.feedback import FeedbackMap
from app.ui.visit.fields import (
    DATE_MAX_LENGTH,
    FieldSlot,
    format_number,
    hint_label,
    labelled,
    set_widget_value,
    text_edit,
    tr,
    widget_value,
)
from app.ui.visit.groups import AdverseEventGroup, PerfusionGroup, Problems, TreatmentGroup
from app.ui.visit.header import VisitHeader
from app.ui.visit.labs import AnalyteGroup
from app.ui.visit.reading import NEW_ULCER_SITE, new_ulcer_site_value, read_visit
from app.ui.visit.sections import AssessmentSection
from app.ui.visit.state import VisitFormState

SHORTCUTS = (("Alt+1", "Size"), ("Alt+2", "Tissue"), ("Alt+3", "Labs"), ("Alt+4", "Treatment"),
             ("Alt+5", "Adverse event"))


class VisitFormView(QWidget):
    """Everything the nurse types; `changed` on each edit (after pre-filling)."""

    changed = Signal()
    ulcers_changed = Signal(object)  # a new ulcer's section added (it) or removed (None)

    def __init__(self, context: VisitFormContext, *, patient_id: int, today: dt.date,
                 username: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context, self.patient_id, self.today = context, patient_id, today
        self.visit_id = context.visit.id if context.visit is not None else None
        self.visit_slots: dict[str, FieldSlot] = {}
        self.treatment_index: int | None = None
        self._build()
        self._prefill(username)
        self._index_slots()
        self._set_tab_order()
        self._add_shortcuts()
        self.initial = self.state()  # an ulcer counts as assessed once it differs from this

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        ctx = self.context
        self.header = VisitHeader(ctx, today=self.today)
        self.visit_date, self.vas, self.clinician = (self.header.visit_date, self.header.vas,
                                                     self.header.clinician)
        self.visit_slots.update(self.header.slots)
        ulcers = self._build_ulcers()
        self.treatment = TreatmentGroup()
        self.treatment.setTitle(tr("Treatment given  (Alt+4)"))
        self._offer_treated_sites()
        ranges = ctx.history.reference_ranges
        self.labs = AnalyteGroup(tr("Labs drawn today  (Alt+3)"), LAB_COLUMNS,
                                 last=ctx.last_labs, ranges=ranges)
        self.perfusion_labs = AnalyteGroup(tr("Perfusion"), PERFUSION_COLUMNS,
                                           last=ctx.last_labs, ranges=ranges)
        self.perfusion = PerfusionGroup()
        self.adverse_event = AdverseEventGroup(ctx.visit_adverse_events)
        self.adverse_event.setTitle(tr("Adverse event  (Alt+5)"))
        self.groups = (self.treatment, self.labs, self.perfusion_labs, self.perfusion,
                       self.adverse_event)

        closing = self._build_closing()
        body = QWidget()
        columns = QGridLayout(body)
        left, right = QVBoxLayout(), QVBoxLayout()
        for widget in (ulcers, self.treatment, self.adverse_event):
            left.addWidget(widget)
        for widget in (self.labs, self.perfusion_labs, self.perfusion):
            right.addWidget(widget)
        left.addStretch(1)
        right.addStretch(1)
        columns.addLayout(left, 0, 0)
        columns.addLayout(right, 0, 1)
        columns.addLayout(closing, 1, 0, 1, 2)
        # The ulcers get the width: their messages wrap in narrow cells; a lab row's message
        # spans its whole row.
        columns.setColumnStretch(0, 14)
        columns.setColumnStretch(1, 9)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        keys = " · ".join(f"{key} {tr(name)}" for key, name in SHORTCUTS)
        self.shortcut_hint = hint_label(tr("Jump to: {0} · Ctrl+Enter save").format(keys))
        self.shortcut_hint.setObjectName("shortcutHint")
        layout.addWidget(self.shortcut_hint)
        layout.addWidget(self.scroll, 1)

    def _build_closing(self) -> QGridLayout:
        """The next visit and the notes, under both columns."""
        self.next_visit = text_edit("nextVisitDate", max_length=DATE_MAX_LENGTH,
                                    placeholder=tr("YYYY-MM-DD or +14"))
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("visitNotes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText(tr("Enter starts a new line here; Ctrl+Enter saves"))
        self.notes.setFixedHeight(56)
        self.visit_slots["next_visit_date"] = FieldSlot(self.next_visit, "next_visit_date")
        self.visit_slots["notes"] = FieldSlot(self.notes, "notes")
        closing = QGridLayout()
        closing.addWidget(labelled(self.visit_slots["next_visit_date"], tr("&Next visit")), 0, 0)
        closing.addWidget(labelled(self.visit_slots["notes"], tr("N&otes")), 0, 1)
        closing.setColumnStretch(1, 4)
        return closing

    def _build_ulcers(self) -> QGroupBox:
        """One section per open ulcer (all shown), then the new-ulcer section behind a button."""
        ctx = self.context
        box = QGroupBox(tr("Ulcers  (Alt+1 size, Alt+2 tissue)"))
        box.setObjectName("ulcerSections")
        self.ulcer_column = column = QVBoxLayout(box)
        self.sections: list[AssessmentSection] = []
        for choice in [*ctx.ulcers, None]:
            column.addWidget(self._make_section(choice))
        self.new_section = self.sections[-1]
        self.add_ulcer_button = QPushButton(tr("&Add ulcer site"))
        self.add_ulcer_button.setObjectName("addUlcerButton")
        self.add_ulcer_button.setAutoDefault(False)
        self.add_ulcer_button.setToolTip(tr("Assess a new ulcer, or the recurrence of a healed "
                                            "one, at this visit"))
        self.add_ulcer_button.clicked.connect(self.add_new_ulcer)
        column.addWidget(self.add_ulcer_button)
        self.show_new_ulcer(shown=not ctx.ulcers, focus=False)
        return box

    def _make_section(self, choice) -> AssessmentSection:
        ctx = self.context
        section = AssessmentSection(choice, number=len(self.sections) + 1,
                                    area_method=ctx.history.area_method,
                                    known_sites=ctx.known_sites, default_method=ctx.last_method,
                                    new_number=len(self.new_sections()) + 1)
        section.remove_requested.connect(lambda s=section: self.remove_new_ulcer(s))
        self.sections.append(section)
        return section

    def new_sections(self) -> list[AssessmentSection]:
        return [s for s in self.sections if s.is_new]

    def show_new_ulcer(self, *, shown: bool = True, focus: bool = False) -> None:
        """Show (or hide) the first new ulcer's section; "Add ulcer site" stays for more."""
        self.new_section.setVisible(shown)
        if shown and focus:
            self.focus_on(self.new_section.first_editor())

    def add_new_ulcer(self) -> AssessmentSection:
        """"Add ulcer site": the first new section when hidden, else one more new section,
        above the button; the focus goes to its site."""
        if self.new_section.isHidden():
            self.show_new_ulcer(focus=True)
            return self.new_section
        section = self._append_new_section()
        self.focus_on(section.first_editor())
        return section

    def _append_new_section(self) -> AssessmentSection:
        section = self._make_section(None)
        self.ulcer_column.insertWidget(self.ulcer_column.indexOf(self.add_ulcer_button),
                                       section)
        section.show()  # at once, not when the layout gets round to it
        self._ulcers_rearranged(section)
        return section

    def remove_new_ulcer(self, section: AssessmentSection) -> None:
        """A new ulcer's "Remove": nothing of it was saved. The only new section is emptied
        and hidden behind "Add ulcer site" again; one of several goes away, and the others
        are numbered anew (their draft keys and treated-ulcer names follow)."""
        if len(self.new_sections()) == 1:
            section.apply_values(section.initial_values)
            self.show_new_ulcer(shown=False)
        else:
            self.sections.remove(section)
            section.hide()
            section.deleteLater()
            for number, other in enumerate(self.new_sections(), start=1):
                other.renumber(number)
            self.new_section = self.new_sections()[0]
        self._ulcers_rearranged(None)
        self.focus_on(self.add_ulcer_button)

    def _offer_treated_sites(self) -> None:
        """The treatment can name any ulcer of the form, each new one by its number."""
        new = self.new_sections()
        self.treatment.set_sites(
            [(c.site, c.episode.label) for c in self.context.ulcers]
            + [(new_ulcer_site_value(s.new_number), tr("The new ulcer") if len(new) == 1
                else tr("New ulcer {0}").format(s.new_number)) for s in new])

    def _ulcers_rearranged(self, added: AssessmentSection | None) -> None:
        self._offer_treated_sites()
        self._index_slots()
        self._set_tab_order()
        self.ulcers_changed.emit(added)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.visit_date, self.vas, self.clinician]
        for section in [s for s in self.sections if not s.is_new] + self.new_sections():
            chain += section.tab_chain()
        chain.append(self.add_ulcer_button)  # after the new ulcers: Tab, Space adds one more
        for group in (self.treatment, self.adverse_event, self.labs, self.perfusion_labs,
                      self.perfusion):
            chain += group.tab_chain()
        chain += [self.next_visit, self.notes]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self.tab_chain = chain

    def _add_shortcuts(self) -> None:
        targets = (lambda: self._ulcer_field("length_cm"), lambda: self._ulcer_field(
            "granulation_pct"), lambda: self.labs.tab_chain()[0],
            lambda: self.treatment.slots["exosome_given"].editor,
            lambda: self.adverse_event.slots["description"].editor)
        boxes = (None, None, self.labs, self.treatment, self.adverse_event)
        self.shortcuts = []
        for (key, _), target, box in zip(SHORTCUTS, targets, boxes):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda t=target, b=box: self.focus_on(t(), section=b))
            self.shortcuts.append(shortcut)

    def _ulcer_field(self, field: str) -> QWidget:
        """The field of the ulcer being typed in, else of the first ulcer shown."""
        here = self.focusWidget()
        shown = [s for s in self.sections if not s.isHidden()]
        section = next((s for s in shown if here is not None and s.isAncestorOf(here)),
                       shown[0])
        return section.slots[field].editor

    def focus_on(self, widget: QWidget, *, section: QWidget | None = None) -> None:
        """Focus `widget`; a jump to a `section` shows that whole section (or its top), not
        only its first field at the bottom edge with the rest below it."""
        widget.setFocus()
        if section is not None:
            self.scroll.ensureWidgetVisible(section, 0, 0)
        self.scroll.ensureWidgetVisible(widget, 40, 40)

    # -- pre-filling ----------------------------------------------------------------------
    def _prefill(self, username: str) -> None:
        ctx, visit = self.context, self.context.visit
        self.treatment.prefill_from(ctx.last_exosome)
        self.treatment.hint_standard_care(ctx.last_treatment)
        if visit is None:
            self.visit_date.setDate(self.today)
            self.clinician.setText(username)
            self.default_next_visit()
        else:
            self.visit_date.setDate(visit.visit_date)
            self.clinician.setText(visit.clinician or "")
            self.vas.setText(format_number(visit.vas, 1))
            self.next_visit.setText(visit.next_visit_date.isoformat()
                                    if visit.next_visit_date else "")
            self.notes.setPlainText(visit.notes or "")
            self.labs.load(visit.labs)
            self.perfusion_labs.load(visit.labs)
            self.perfusion.load(visit.perfusion)
            if ctx.visit_treatments:
                self.treatment.load(ctx.visit_treatments[0])
                self.treatment.extra_treatments = tuple(
                    TreatmentGroup.kept_as_saved(t) for t in ctx.visit_treatments[1:])
        if not ctx.visit_treatments:  # a saved treatment keeps the ulcer it treated
            first = self.sections[0]
            self.treatment.follow_site(NEW_ULCER_SITE if first.is_new else first.site)

    def default_next_visit(self) -> None:
        """The clinic's follow-up interval after the visit date (when that is a date)."""
        day = self.visit_date.day()
        if day is None:
            return
        interval = self.context.settings.follow_up_interval_days
        self.next_visit.blockSignals(True)
        self.next_visit.setText((day + dt.timedelta(days=interval)).isoformat())
        self.next_visit.blockSignals(False)

    # -- state ----------------------------------------------------------------------------
    def state(self) -> VisitFormState:
        """What is typed now, as plain values (app.ui.visit.state)."""
        visit = self.context.visit
        groups = {}
        for group in self.groups:
            groups.update({k: widget_value(w) for k, w in group.draft_widgets().items()})
        return VisitFormState(
            patient_id=self.patient_id, visit_id=self.visit_id,
            base_version=visit.version if visit is not None else None,
            visit={f: widget_value(s.editor) for f, s in self.visit_slots.items()},
            ulcers=tuple(s.entry() for s in self.sections),
            groups=groups, ui={"new_ulcer": not self.new_section.isHidden()})

    def apply_state(self, state: VisitFormState) -> None:
        """Put a state (a restored draft) back into the fields."""
        if "visit_date" in state.visit:  # first: the next-visit default follows it
            set_widget_value(self.visit_date, state.visit["visit_date"])
        for field, slot in self.visit_slots.items():
            if field in state.visit:
                set_widget_value(slot.editor, state.visit[field])
        further = sum(1 for entry in state.ulcers if entry.is_new) - len(self.new_sections())
        for _ in range(max(further, 0)):  # a draft's further new ulcers
            self._append_new_section()
        for section, entry in zip(self.sections, state.ulcers):
            section.apply_values(dict(entry.values))
        for group in self.groups:
            for key, widget in group.draft_widgets().items():
                if key in state.groups:
                    set_widget_value(widget, state.groups[key])
        if state.ui.get("new_ulcer"):
            self.show_new_ulcer()

    # -- the visit as typed ---------------------------------------------------------------
    def build_input(self) -> tuple[VisitInput, list[AssessmentSection], Problems]:
        """The VisitInput the form holds now (read from its state by app.ui.visit.reading),
        the sections it assesses, and the fields whose text cannot be read."""
        opened = replace(self.initial, ulcers=tuple(s.opened_entry() for s in self.sections))
        data, reading = read_visit(self.state(), initial=opened, today=self.today,
                                   kept_treatments=self.treatment.extra_treatments)
        problems: Problems = [(self.slot_by_key[key], tr(message))
                              for key, message in reading.problems]
        sections = [self.section_by_key[entry.key] for entry in reading.assessed]
        self.treatment_index = 0 if len(data.treatments) > len(
            self.treatment.extra_treatments) else None
        return data, sections, problems

    def _index_slots(self) -> None:
        """Each field's slot by its state key, to show what cannot be read under it."""
        self.section_by_key = {s.entry().key: s for s in self.sections}
        self.slot_by_key: dict[str, FieldSlot] = {
            f"visit:{f}": slot for f, slot in self.visit_slots.items()}
        for key, section in self.section_by_key.items():
            self.slot_by_key.update({f"{key}:{f}": slot for f, slot in section.slots.items()})
        for group in self.groups:
            self.slot_by_key.update({f"{group.prefix}:{f}": slot
                                     for f, slot in group.slots.items()})

    def feedback_map(self, sections: list[AssessmentSection]) -> FeedbackMap:
        return FeedbackMap(visit=self.visit_slots, sections=sections, all_sections=self.sections,
                           analytes={**self.labs.slots, **self.perfusion_labs.slots},
                           perfusion=self.perfusion.slots,
                           treatment=self.treatment.slots if self.treatment_index == 0 else {},
                           adverse_event=self.adverse_event.slots,
                           extra=list(self.treatment.slots.values()))

    def all_slots(self) -> list[FieldSlot]:
        slots = list(self.visit_slots.values())
        for part in (*self.sections, *self.groups):
            slots += part.slots.values()
        return slots
