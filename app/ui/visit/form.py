"""The visit form (`visitDialog`): keyboard-first recording and editing of one follow-up visit.

Reads what it shows and saves on the window's database runner (`runner.read` / `runner.write`,
app/ui/dbops.py), never on the GUI thread; checks as the nurse types through
`validate_visit_input`; keeps a draft on disk (app.services.drafts) until the visit is saved or
the nurse discards it. Every open ulcer has its own section (app.ui.visit.view); a new visit
for a day that already has one opens that visit. docs/product.md "Visit form" and "Test
surface"; docs/reliability.md "Input".
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.limits import Finding
from app.services.visit_input import validate_visit_input
from app.ui.visit.context import VisitFormContext, read_visit_form_context
from app.ui.visit.drafts import DraftKeeper
from app.ui.visit.feedback import show_findings
from app.ui.visit.fields import ERROR, FEEDBACK_STYLE, FieldSlot, connect_changed
from app.ui.visit.saving import SaveOutcome, ask_before_saving, submit_visit
from app.ui.visit.state import VisitFormState
from app.ui.visit.view import VisitFormView
from app.ui.widgets.fit import resize_to_fit


class VisitDialog(QDialog):
    """Record a new visit (`visit_id=None`) or edit a saved one; Accepted means saved.

    `runner` is the window's DatabaseRunner. Without one (a tool such as the screenshot
    script), the dialog makes its own and waits for its first read."""

    DRAFT_DELAY_MS = 300
    draft_saved = Signal()
    loaded = Signal()  # the context arrived and the fields are built
    saved = Signal(int)  # the saved visit's id, before the dialog closes

    def __init__(self, *, actor, patient_id: int, visit_id: int | None = None,
                 runner=None, db=None, parent: QWidget | None = None,
                 today: dt.date | None = None):
        super().__init__(parent)
        from app.ui.dbops import DatabaseRunner

        own_runner = runner is None
        self.runner = runner if runner is not None else DatabaseRunner(db, parent=self)
        self.db, self.actor = self.runner.db, actor
        self.patient_id, self.visit_id = patient_id, visit_id
        self.today = today or dt.date.today()
        self.saved_visit_id: int | None = None
        self.saved_message = ""
        self.context: VisitFormContext | None = None
        self.view: VisitFormView | None = None
        self._show_all = False
        self._saving = False
        self._status_note = ""
        self._areas_before: dict[dt.date, dict[str, float | None]] = {}
        self.unavailable = ""  # the patient or visit was deleted elsewhere since the list loaded
        self.setObjectName("visitDialog")
        self.setWindowTitle(self.tr("Visit"))
        self.setStyleSheet(FEEDBACK_STYLE)
        self._layout = QVBoxLayout(self)
        self.loading = QLabel(self.tr("Loading the patient's record…"))
        self._layout.addWidget(self.loading)
        self.runner.read(f"visit-form-{id(self)}", lambda session: read_visit_form_context(
            session, patient_id, visit_id, today=self.today), self._on_loaded,
            on_error=self._on_load_failed, parent=self)
        if own_runner:
            self.runner.wait()
            QCoreApplication.sendPostedEvents(None, 0)

    @property
    def ready(self) -> bool:
        return self.view is not None

    def exec(self) -> int:
        """As QDialog.exec(); a visit deleted elsewhere is explained instead of opened."""
        if self.unavailable:
            self._explain_unavailable()
            return int(QDialog.DialogCode.Rejected.value)
        return super().exec()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Wide enough for the two columns side by side on a 1280×800 clinic screen."""
        return QSize(1240, 780)

    # -- loading --------------------------------------------------------------------------
    def _on_load_failed(self, error: Exception) -> None:
        from app.services.errors import NotFound

        if isinstance(error, NotFound):
            self.unavailable = str(error)
            if self.isVisible():
                self._explain_unavailable()
        else:
            from app.ui.dbops import show_error

            self.unavailable = self.tr("the record could not be read")
            show_error(self.parentWidget(), error)
        if self.isVisible():
            super().reject()

    def _explain_unavailable(self) -> None:
        QMessageBox.warning(self.parentWidget(), self.tr("Visit form"),
                            self.tr("{0}. Reload the patient.").format(
                                self.unavailable.capitalize()))

    def _on_loaded(self, context: VisitFormContext) -> None:
        self.context = context
        if context.visit is not None:
            self.visit_id = context.visit.id
            self._areas_before[context.visit.visit_date] = context.areas_before
        else:
            self._areas_before[self.today] = context.areas_before
        patient = context.history.patient
        title = self.tr("Edit visit") if context.visit is not None else self.tr("New visit")
        self.setWindowTitle(f"{title} — {patient.name} ({patient.mrn})")
        self.view = VisitFormView(context, patient_id=self.patient_id, today=self.today,
                                  username=self.actor.username)
        self.visit_date, self.vas = self.view.visit_date, self.view.vas
        self._build_footer()
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(self._build_changed_notice())
        column.addLayout(self.footer)
        self.loading.hide()
        self._layout.addWidget(page, 1)
        page.show()  # at once: a widget added to a shown dialog is otherwise shown later
        self.save_button.setDefault(True)  # Enter saves (once the button is in the dialog)
        self.drafts = DraftKeeper(self, db_url=self.db.url, read_state=self.view.state,
                                  apply_state=self.view.apply_state,
                                  delay_ms=self.DRAFT_DELAY_MS)
        self.drafts.saved.connect(self.draft_saved)
        self.footer.insertWidget(1, self.drafts.status)
        self._listen()
        self._chain_footer()
        self.runner.changed.connect(self._on_changed_elsewhere)
        if context.reopened:
            self._status_note = self.tr("A visit on {0} is already recorded: it is open for "
                                        "editing.").format(context.visit.visit_date.isoformat())
        self._show_all = self.drafts.offer(
            changed_by=context.visit.updated_by if context.visit else None)
        if not self.actor.can("record"):
            self.save_button.setEnabled(False)
            self._status_note = self.tr("Your role ({0}) may read visits but not record them.") \
                .format(self.actor.role)
        self.revalidate()
        resize_to_fit(self, self.sizeHint().width(), self.sizeHint().height())  # 1280×800 too
        self.visit_date.setFocus()
        self.loaded.emit()

    def _build_footer(self) -> None:
        self.status = QLabel()
        self.status.setObjectName("formStatus")
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.save_button = QPushButton(self.tr("&Save visit"))
        self.save_button.setObjectName("saveVisitButton")
        self.footer = QHBoxLayout()
        self.footer.addWidget(self.status, 1)
        self.footer.addWidget(self.cancel_button)
        self.footer.addWidget(self.save_button)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)

    # -- listening ------------------------------------------------------------------------
    def _listen(self) -> None:
        view = self.view
        for slot in view.visit_slots.values():
            connect_changed(slot.editor, lambda s=slot: self._on_edit(s))
        for part in (*view.sections, *view.groups):
            part.changed.connect(self._on_changed)
            if hasattr(part, "start_listening"):
                part.start_listening()
        view.ulcers_changed.connect(self._on_ulcers_changed)

    def _on_ulcers_changed(self, added) -> None:
        """A new ulcer's section was added (listen to it) or removed; Tab still ends on
        Cancel, Save."""
        if added is not None:
            added.changed.connect(self._on_changed)
        self._chain_footer()
        self._on_changed()

    def _chain_footer(self) -> None:
        QWidget.setTabOrder(self.view.tab_chain[-1], self.cancel_button)
        QWidget.setTabOrder(self.cancel_button, self.save_button)

    def _on_edit(self, slot: FieldSlot) -> None:
        slot.touched = True
        if slot.field == "visit_date" and not self.view.visit_slots["next_visit_date"].touched \
                and self.context.visit is None:
            self.view.default_next_visit()
        self._on_changed()

    def _on_changed(self) -> None:
        self.revalidate()
        self.drafts.schedule()

    # -- changed on another workstation ---------------------------------------------------
    def _build_changed_notice(self) -> QLabel:
        self.changed_notice = QLabel()
        self.changed_notice.setObjectName("changedElsewhereNotice")
        self.changed_notice.setWordWrap(True)
        self.changed_notice.setStyleSheet("background: #fff4ce; color: #5c3c00; padding: 6px;")
        self.changed_notice.hide()
        return self.changed_notice

    def _on_changed_elsewhere(self, changes) -> None:
        """Another workstation (or window) saved this patient: never reload the fields; if
        this very visit (or, for a new one, its day) changed, say so without blocking."""
        if (self.view is None or not self.changed_notice.isHidden() or self._saving
                or not changes.touches_patient(self.patient_id)):
            return
        from app.services.visit_freshness import visit_changed_since

        visit = self.context.visit
        version = visit.version if visit is not None else None
        day = self.view.build_input()[0].visit_date if visit is None else None
        self.runner.read(f"visit-fresh-{id(self)}", lambda session: visit_changed_since(
            session, patient_id=self.patient_id, visit_id=self.visit_id if visit else None,
            version=version, visit_date=day), self._show_changed_notice,
            on_error=lambda _exc: None, parent=self)

    def _show_changed_notice(self, changed) -> None:
        if changed is None or self._saving:
            return
        who = self.tr(" by {0}").format(changed.by) if changed.by else ""
        self.changed_notice.setText(self.tr(
            "This visit was changed on another workstation{0}; saving will ask you to "
            "reload. What you typed is kept.").format(who))
        self.changed_notice.show()

    # -- checking -------------------------------------------------------------------------
    def state(self) -> VisitFormState:
        """What the nurse typed, as plain values (app.ui.visit.state)."""
        return self.view.state()

    def _areas_before_visit(self, day: dt.date) -> dict[str, float | None]:
        """Each site's area before `day`; read on the runner the first time a day is typed
        (the form is checked again when it arrives)."""
        if day not in self._areas_before:
            from app.services.visits import previous_areas

            method, visit_id = self.context.history.area_method, self.visit_id

            def arrived(areas: dict[str, float | None]) -> None:
                self._areas_before[day] = areas
                self.revalidate()

            self.runner.read(f"visit-areas-{id(self)}", lambda session: previous_areas(
                session, self.patient_id, day, method=method, exclude_visit_id=visit_id),
                arrived, parent=self)
            return {}
        return self._areas_before[day]

    def revalidate(self, findings: list[Finding] | None = None) -> int:
        """Show problems at their fields; returns the number of errors (shown or not)."""
        data, sections, problems = self.view.build_input()
        if findings is None:
            history = self.context.history
            findings = validate_visit_input(
                data, birth_date=history.patient.birth_date, today=self.today,
                method=history.area_method, ranges=history.reference_ranges,
                previous_areas=self._areas_before_visit(data.visit_date))
        errors, general = show_findings(self.view.feedback_map(sections), findings, problems,
                                        show_all=self._show_all)
        self.status.setProperty("feedback", ERROR if general else "")
        self.status.style().polish(self.status)
        self.status.setText("\n".join([self._status_note, *general] if self._status_note
                                      else general))
        return errors

    # -- saving ---------------------------------------------------------------------------
    def save(self) -> bool:
        """Validate, ask about unmeasured ulcers and soft warnings, then save on the runner.
        True when the save was sent (the dialog closes when it has been written)."""
        if self.view is None or not self.save_button.isEnabled():
            return False
        self._show_all = True
        if self.revalidate():
            self.focus_first_problem()
            return False
        data, _, _ = self.view.build_input()
        visit = self.context.visit
        signed_by = (visit.signed_by or "") if visit is not None and visit.signed_at else None
        data = ask_before_saving(self, data, self.state(), signed_by=signed_by)
        if data is None:
            return False
        self.save_button.setEnabled(False)
        self._saving = True  # its own save's Changes are no news
        self.status.setText(self.tr("Saving…"))
        submit_visit(self.runner, data, actor=self.actor, today=self.today, parent=self,
                     outcome=SaveOutcome(saved=self._on_saved, invalid=self._on_invalid,
                                         kept=self._on_kept))
        return True

    def _on_saved(self, visit_id: int) -> None:
        self.saved_visit_id = visit_id
        self.saved_message = self.tr("Visit saved")  # the window shows it in its status bar
        self.drafts.discard()
        self.saved.emit(visit_id)
        self.accept()

    def _on_invalid(self, findings: list[Finding]) -> None:
        self.save_button.setEnabled(True)
        self._saving = False
        self.revalidate(findings)
        self.focus_first_problem()

    def _on_kept(self) -> None:
        self.save_button.setEnabled(True)
        self._saving = False
        self.drafts.write_now()
        self.revalidate()

    def focus_first_problem(self) -> None:
        """Stay in the field being typed when it is wrong; else go to the first wrong one."""
        here = self.focusWidget()
        slots = self.all_slots()
        if any(s.editor is here and s.severity == ERROR for s in slots):
            return
        for slot in slots:
            if slot.severity == ERROR:
                self.view.focus_on(slot.editor)
                return

    def all_slots(self) -> list[FieldSlot]:
        return self.view.all_slots() if self.view is not None else []

    def message_for(self, object_name: str, *, ulcer: str | None = None) -> str:
        """The error or warning under the field of that object name ('' when none); `ulcer`
        names the site whose section holds it."""
        slots = self.all_slots()
        if ulcer is not None:
            section = next(s for s in self.view.sections if not s.is_new and s.site == ulcer)
            slots = list(section.slots.values())
        return next((s.text for s in slots if s.editor.objectName() == object_name), "")

    # -- drafts and leaving ---------------------------------------------------------------
    @property
    def draft_path(self):
        return self.drafts.path

    @property
    def draft_timer(self) -> QTimer:
        return self.drafts.timer

    def snapshot(self) -> dict[str, Any]:
        return self.state().fields()

    def is_dirty(self) -> bool:
        return self.drafts.is_dirty()

    def write_draft_now(self) -> None:
        self.drafts.write_now()

    def reject(self) -> None:
        """Esc, Cancel or closing the window: ask first when anything was typed."""
        if self.view is None:
            super().reject()
            return
        if self.is_dirty():
            answer = QMessageBox.question(
                self, self.tr("Unsaved visit"),
                self.tr("This visit is not saved.\n\nClose keeps what you typed as a draft, "
                        "offered the next time this form opens. Discard throws it away. "
                        "Cancel goes back to the form."),
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
