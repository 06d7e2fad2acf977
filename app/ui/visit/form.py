"""The visit form (`visitDialog`): keyboard-first recording and editing of one follow-up visit.

Checks as the nurse types through `validate_visit_input`, saves through `save_visit` in one
write transaction, and keeps a draft on disk (app.services.drafts) until the visit is saved or
the nurse discards it. PRODUCT.md "Visit form" and "Test surface"; RELIABILITY.md "Input".
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QMessageBox, QPlainTextEdit, QPushButton, QScrollArea,
                               QStackedWidget, QVBoxLayout, QWidget)

from app.domain.analytes import LAB_COLUMNS, PERFUSION_COLUMNS
from app.domain.limits import Finding
from app.services.errors import NotFound
from app.services.visit_input import VisitInput, validate_visit_input
from app.ui.visit.context import load_visit_form_context
from app.ui.visit.drafts import DraftKeeper, form_values
from app.ui.visit.feedback import FeedbackMap, show_findings
from app.ui.visit.fields import (ERROR, FEEDBACK_STYLE, FieldSlot, connect_changed, format_number,
                                 from_qdate, labelled, parse_number, parse_optional_date,
                                 text_edit, to_qdate)
from app.ui.visit.groups import AdverseEventGroup, PerfusionGroup, Problems, TreatmentGroup
from app.ui.visit.header import VisitHeader
from app.ui.visit.labs import AnalyteGroup
from app.ui.visit.saving import save_visit_form
from app.ui.visit.sections import AssessmentSection


class VisitDialog(QDialog):
    """Record a new visit (`visit_id=None`) or edit a saved one; Accepted means saved."""

    DRAFT_DELAY_MS = 300
    draft_saved = Signal()

    def __init__(self, *, db, actor, patient_id: int, visit_id: int | None = None,
                 parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.patient_id, self.visit_id = patient_id, visit_id
        self.today = today or dt.date.today()
        self.saved_visit_id: int | None = None
        self._show_all = False
        self._status_note = ""
        self._areas_before: dict[dt.date, dict[str, float | None]] = {}
        self.setObjectName("visitDialog")
        self.unavailable = ""  # the patient or visit was deleted elsewhere since the list loaded
        try:
            self.context = load_visit_form_context(db, patient_id, visit_id)
        except NotFound as exc:
            self.unavailable = str(exc)
            return
        self.setStyleSheet(FEEDBACK_STYLE)
        patient = self.context.history.patient
        title = self.tr("Edit visit") if visit_id is not None else self.tr("New visit")
        self.setWindowTitle(f"{title} — {patient.name} ({patient.mrn})")
        self._build()
        self._prefill()
        self.drafts = DraftKeeper(self, delay_ms=self.DRAFT_DELAY_MS)
        self.drafts.saved.connect(self.draft_saved)
        self.footer.insertWidget(1, self.drafts.status)
        self._listen()
        self._show_all = self.drafts.offer()
        self.revalidate()
        if not actor.can("record"):
            self.save_button.setEnabled(False)
            self._status_note = self.tr("Your role ({0}) may read visits but not record them.") \
                .format(actor.role)
            self.status.setText(self._status_note)
        self.resize(self.sizeHint())
        self.visit_date.setFocus()

    def exec(self) -> int:
        """As QDialog.exec(); a visit deleted elsewhere is explained instead of opened."""
        if self.unavailable:
            QMessageBox.warning(self.parentWidget(), self.tr("Visit form"),
                                self.tr("{0}. Reload the patient.").format(
                                    self.unavailable.capitalize()))
            return int(QDialog.DialogCode.Rejected.value)
        return super().exec()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Wide enough for the two columns side by side on a 1280×800 clinic screen."""
        return QSize(1240, 780)

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        ctx = self.context
        self.visit_slots: dict[str, FieldSlot] = {}
        self.header = VisitHeader(ctx, today=self.today)
        self.visit_date, self.vas = self.header.visit_date, self.header.vas
        self.clinician, self.ulcer_select = self.header.clinician, self.header.ulcer_select
        self.visit_slots.update(self.header.slots)

        self.sections: list[AssessmentSection] = []
        self.section_stack = QStackedWidget()
        choices = [*ctx.ulcers, None]
        for number, choice in enumerate(choices, start=1):
            section = AssessmentSection(choice, number=number,
                                        area_method=ctx.history.area_method,
                                        known_sites=ctx.known_sites,
                                        default_method=ctx.last_method)
            self.sections.append(section)
            self.section_stack.addWidget(section)
            self.ulcer_select.addItem(section.title, number - 1)
        assessment_box = QGroupBox(self.tr("Ulcer assessment"))
        QVBoxLayout(assessment_box).addWidget(self.section_stack)

        self.treatment = TreatmentGroup()
        self.treatment.set_sites([(c.site, c.episode.label) for c in ctx.ulcers]
                                 + [(TreatmentGroup.NEW_ULCER, self.tr("The new ulcer"))])
        ranges = ctx.history.reference_ranges
        self.labs = AnalyteGroup(self.tr("Labs drawn today"), LAB_COLUMNS, last=ctx.last_labs,
                                 ranges=ranges)
        self.perfusion_labs = AnalyteGroup(self.tr("Perfusion"), PERFUSION_COLUMNS,
                                           last=ctx.last_labs, ranges=ranges)
        self.perfusion = PerfusionGroup()
        self.adverse_event = AdverseEventGroup(ctx.visit_adverse_events)
        self.groups = (self.treatment, self.labs, self.perfusion_labs, self.perfusion,
                       self.adverse_event)

        self.next_visit = text_edit("nextVisitDate", max_length=10,
                                    placeholder=self.tr("YYYY-MM-DD or +14"))
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("visitNotes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText(self.tr("Enter starts a new line here; Ctrl+Enter saves"))
        self.notes.setFixedHeight(56)
        self.visit_slots["next_visit_date"] = FieldSlot(self.next_visit, "next_visit_date")
        self.visit_slots["notes"] = FieldSlot(self.notes, "notes")
        closing = QGridLayout()
        closing.addWidget(labelled(self.visit_slots["next_visit_date"],
                                   self.tr("&Next visit")), 0, 0)
        closing.addWidget(labelled(self.visit_slots["notes"], self.tr("N&otes")), 0, 1)
        closing.setColumnStretch(1, 4)

        body = QWidget()
        columns = QGridLayout(body)
        left, right = QVBoxLayout(), QVBoxLayout()
        for widget in (assessment_box, self.treatment, self.adverse_event):
            left.addWidget(widget)
        for widget in (self.labs, self.perfusion_labs, self.perfusion):
            right.addWidget(widget)
        left.addStretch(1)
        right.addStretch(1)
        columns.addLayout(left, 0, 0)
        columns.addLayout(right, 0, 1)
        columns.addLayout(closing, 1, 0, 1, 2)
        columns.setColumnStretch(0, 11)
        columns.setColumnStretch(1, 10)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        self.status = QLabel()
        self.status.setObjectName("formStatus")
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.save_button = QPushButton(self.tr("&Save visit"))
        self.save_button.setObjectName("saveVisitButton")
        self.save_button.setDefault(True)
        footer = self.footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        layout.addLayout(footer)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.visit_date, self.vas, self.clinician, self.ulcer_select]
        for section in self.sections:
            chain += section.tab_chain()
        for group in (self.treatment, self.adverse_event, self.labs, self.perfusion_labs,
                      self.perfusion):
            chain += group.tab_chain()
        chain += [self.next_visit, self.notes, self.cancel_button, self.save_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    # -- pre-filling ----------------------------------------------------------------------
    def _prefill(self) -> None:
        ctx, visit = self.context, self.context.visit
        self.treatment.prefill_from(ctx.last_exosome)
        self.treatment.hint_standard_care(ctx.last_treatment)
        if visit is None:
            self.visit_date.setDate(to_qdate(self.today))
            self.clinician.setText(self.actor.username)
            self._default_next_visit()
        else:
            self.visit_date.setDate(to_qdate(visit.visit_date))
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
        first = next((i for i, s in enumerate(self.sections)
                      if s.choice is not None and s.choice.current is not None), 0)
        self.ulcer_select.setCurrentIndex(first)
        self._select_section(first)

    def _default_next_visit(self) -> None:
        interval = self.context.settings.follow_up_interval_days
        day = from_qdate(self.visit_date.date()) + dt.timedelta(days=interval)
        self.next_visit.blockSignals(True)
        self.next_visit.setText(day.isoformat())
        self.next_visit.blockSignals(False)

    # -- listening ------------------------------------------------------------------------
    def _listen(self) -> None:
        for slot in self.visit_slots.values():
            connect_changed(slot.editor, lambda s=slot: self._on_edit(s))
        for part in (*self.sections, *self.groups):
            part.changed.connect(self._on_changed)
            if hasattr(part, "start_listening"):
                part.start_listening()
        self.ulcer_select.currentIndexChanged.connect(self._select_section)

    def _on_edit(self, slot: FieldSlot) -> None:
        slot.touched = True
        if slot.field == "visit_date" and not self.visit_slots["next_visit_date"].touched \
                and self.context.visit is None:
            self._default_next_visit()
        self._on_changed()

    def _on_changed(self) -> None:
        self.revalidate()
        self.drafts.schedule()

    def _select_section(self, index: int) -> None:
        if not 0 <= index < len(self.sections):
            return
        self.section_stack.setCurrentIndex(index)
        for number, section in enumerate(self.sections):
            section.set_current(number == index)
        section = self.sections[index]
        self.treatment.follow_site(TreatmentGroup.NEW_ULCER if section.is_new else section.site)

    # -- the visit as typed ---------------------------------------------------------------
    def build_input(self) -> tuple[VisitInput, list[AssessmentSection], Problems]:
        """The VisitInput the form holds now, the sections it assesses, and unreadable fields."""
        problems: Problems = []
        visit_date = from_qdate(self.visit_date.date())
        vas, problem = parse_number(self.vas.text())
        if problem:
            problems.append((self.visit_slots["vas"], problem))
        next_visit, problem = parse_optional_date(self.next_visit.text(), relative_to=visit_date)
        if problem:
            problems.append((self.visit_slots["next_visit_date"], problem))
        sections = [s for s in self.sections if s.has_entries()]
        assessments = []
        for section in sections:
            entered, found = section.to_input()
            assessments.append(entered)
            problems += found
        labs, found = self.labs.to_inputs()
        problems += found
        perfusion_labs, found = self.perfusion_labs.to_inputs()
        problems += found
        perfusion, found = self.perfusion.to_input()
        problems += found
        new_site = self.sections[-1].site
        treatment, found = self.treatment.to_input(new_site)
        problems += found
        self.treatment_index = 0 if treatment is not None else None
        adverse_event, found = self.adverse_event.to_input()
        problems += found
        visit = self.context.visit
        data = VisitInput(
            patient_id=self.patient_id, visit_date=visit_date,
            clinician=self.clinician.text().strip() or None, vas=vas, next_visit_date=next_visit,
            notes=self.notes.toPlainText().strip() or None, assessments=tuple(assessments),
            labs=tuple(labs + perfusion_labs), perfusion=perfusion,
            treatments=((treatment,) if treatment else ()) + self.treatment.extra_treatments,
            adverse_events=(adverse_event,) if adverse_event else (),
            visit_id=self.visit_id, expected_version=visit.version if visit else None)
        return data, sections, problems

    def _areas_before_visit(self, day: dt.date) -> dict[str, float | None]:
        if day not in self._areas_before:
            from app.services.visits import previous_areas

            with self.db.read() as session:
                self._areas_before[day] = previous_areas(
                    session, self.patient_id, day, method=self.context.history.area_method,
                    exclude_visit_id=self.visit_id)
        return self._areas_before[day]

    def revalidate(self, findings: list[Finding] | None = None) -> int:
        """Show problems at their fields; returns the number of errors (shown or not)."""
        data, sections, problems = self.build_input()
        if findings is None:
            history = self.context.history
            findings = validate_visit_input(
                data, birth_date=history.patient.birth_date, today=self.today,
                method=history.area_method, ranges=history.reference_ranges,
                previous_areas=self._areas_before_visit(data.visit_date))
        errors, general = show_findings(self._feedback_map(sections), findings, problems,
                                        show_all=self._show_all)
        self.status.setProperty("feedback", ERROR if general else "")
        self.status.style().polish(self.status)
        self.status.setText("\n".join([self._status_note, *general] if self._status_note
                                      else general))
        return errors

    def _feedback_map(self, sections: list[AssessmentSection]) -> FeedbackMap:
        return FeedbackMap(visit=self.visit_slots, sections=sections, all_sections=self.sections,
                           analytes={**self.labs.slots, **self.perfusion_labs.slots},
                           perfusion=self.perfusion.slots,
                           treatment=self.treatment.slots if self.treatment_index == 0 else {},
                           adverse_event=self.adverse_event.slots,
                           extra=list(self.treatment.slots.values()))

    # -- saving ---------------------------------------------------------------------------
    def save(self) -> bool:
        """Validate, ask once for soft warnings, then save in one transaction."""
        self._show_all = True
        if self.revalidate():
            self.focus_first_problem()
            return False
        saved_id = save_visit_form(self)
        if saved_id is None:
            return False
        self.saved_visit_id = saved_id
        self.drafts.discard()
        self.accept()
        return True

    def focus_first_problem(self) -> None:
        """Stay in the field being typed when it is wrong; else go to the first wrong one."""
        here = self.focusWidget()
        if any(s.editor is here and s.severity == ERROR for s in self.all_slots()):
            return
        for index, section in enumerate(self.sections):
            bad = [s for s in section.slots.values() if s.severity == ERROR]
            if bad:
                self.ulcer_select.setCurrentIndex(index)
                bad[0].editor.setFocus()
                return
        for slot in self.all_slots():
            if slot.severity == ERROR:
                slot.editor.setFocus()
                return

    def all_slots(self) -> list[FieldSlot]:
        slots = list(self.visit_slots.values())
        for part in (*self.sections, *self.groups):
            slots += part.slots.values()
        return slots

    def message_for(self, object_name: str) -> str:
        """The error or warning shown under the field of that object name ('' when none)."""
        return next((s.text for s in self.all_slots() if s.editor.objectName() == object_name),
                    "")

    # -- drafts and leaving ---------------------------------------------------------------
    @property
    def draft_path(self):
        return self.drafts.path

    @property
    def draft_timer(self) -> QTimer:
        return self.drafts.timer

    def snapshot(self) -> dict[str, Any]:
        return form_values(self)

    def is_dirty(self) -> bool:
        return self.drafts.is_dirty()

    def write_draft_now(self) -> None:
        self.drafts.write_now()

    def reject(self) -> None:
        """Esc, Cancel or closing the window: ask first when anything was typed."""
        if self.unavailable:
            super().reject()
            return
        if self.is_dirty():
            answer = QMessageBox.question(
                self, self.tr("Unsaved visit"),
                self.tr("This visit is not saved.\n\nClose keeps what you typed as a draft, "
                        "offered the next time this form opens. Discard throws it away."),
                QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Discard:
                self.drafts.discard()
            elif answer == QMessageBox.StandardButton.Close:
                self.drafts.write_now()
            else:
                return
        else:
            self.drafts.discard()
        super().reject()
