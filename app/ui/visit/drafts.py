"""The visit form's draft: the form as plain values, kept on disk while the nurse types.

The file logic (atomic writes, where drafts live) is app.services.drafts; this module decides
when to write (300 ms after the last change), offers a draft back, and removes it.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from app.services import drafts
from app.ui.visit.fields import hint_label, set_widget_value, widget_value

if TYPE_CHECKING:
    from app.ui.visit.form import VisitDialog

UI_STATE_KEYS = ("visit:ulcer",)  # remembered in a draft, but not a change to the visit


def form_values(form: VisitDialog) -> dict[str, Any]:
    """Every field of the form by a stable key ("visit:vas", "ulcer:L-heel:length_cm", …)."""
    values: dict[str, Any] = {f"visit:{field}": widget_value(slot.editor)
                              for field, slot in form.visit_slots.items()}
    shown = form.sections[form.ulcer_select.currentIndex()]
    values["visit:ulcer"] = "new" if shown.is_new else shown.site
    for section in form.sections:
        prefix = "new" if section.is_new else f"ulcer:{section.site}"
        values.update({f"{prefix}:{k}": v for k, v in section.values().items()})
    for group in form.groups:
        values.update({k: widget_value(w) for k, w in group.draft_widgets().items()})
    return values


def apply_form_values(form: VisitDialog, values: dict[str, Any]) -> None:
    """Put saved values back; keys of ulcers no longer open are ignored."""
    if "visit:visit_date" in values:  # first: the next-visit default follows it
        set_widget_value(form.visit_date, values["visit:visit_date"])
    for field, slot in form.visit_slots.items():
        if f"visit:{field}" in values:
            set_widget_value(slot.editor, values[f"visit:{field}"])
    for section in form.sections:
        prefix = "new:" if section.is_new else f"ulcer:{section.site}:"
        section.apply_values({k[len(prefix):]: v for k, v in values.items()
                              if k.startswith(prefix)})
    for group in form.groups:
        for key, widget in group.draft_widgets().items():
            if key in values:
                set_widget_value(widget, values[key])
    wanted = values.get("visit:ulcer")
    for index, section in enumerate(form.sections):
        if (section.is_new and wanted == "new") or (not section.is_new
                                                    and section.site == wanted):
            form.ulcer_select.setCurrentIndex(index)


class DraftKeeper(QObject):
    """Writes the form's draft shortly after each change, offers it back, removes it."""

    saved = Signal()

    def __init__(self, form: VisitDialog, *, delay_ms: int):
        super().__init__(form)
        self.form = form
        self.path = drafts.visit_draft_path(db_url=form.db.url, patient_id=form.patient_id,
                                            visit_id=form.visit_id)
        self.initial = form_values(form)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self.write_now)
        self.status = hint_label()
        self.status.setObjectName("draftStatus")

    def tr(self, text: str) -> str:  # noqa: D102 (the form's translation context)
        return self.form.tr(text)

    def is_dirty(self) -> bool:
        """Anything differs from what the form opened with (pre-filled or saved values)."""
        now = form_values(self.form)
        return any(now.get(k) != self.initial.get(k) for k in set(now) | set(self.initial)
                   if k not in UI_STATE_KEYS)

    def schedule(self) -> None:
        self.timer.start()

    def write_now(self) -> None:
        """Write the draft now, or remove it when nothing differs from the saved state."""
        self.timer.stop()
        visit = self.form.context.visit
        try:
            if self.is_dirty():
                drafts.write_draft(self.path, form_values(self.form),
                                   patient_id=self.form.patient_id, visit_id=self.form.visit_id,
                                   base_version=visit.version if visit else None)
                self.status.setText(self.tr("Draft kept {0}").format(
                    dt.datetime.now().strftime("%H:%M:%S")))
            else:
                drafts.discard_draft(self.path)
                self.status.setText("")
        except OSError as exc:  # disk full or read-only: say so, keep the form open
            self.status.setText(self.tr("Draft not kept: {0}").format(exc.strerror or exc))
            return
        self.saved.emit()

    def discard(self) -> None:
        self.timer.stop()
        drafts.discard_draft(self.path)

    def offer(self) -> bool:
        """Ask to restore a draft left by an earlier opening; True when it was restored."""
        draft = drafts.read_draft(self.path)
        if draft is None or draft.patient_id != self.form.patient_id:
            return False
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        text = self.tr("An unsaved draft of this visit from {0} was found. Restore it?").format(
            when)
        visit = self.form.context.visit
        if visit is not None and draft.base_version != visit.version:
            text += "\n\n" + self.tr("The visit was changed by {0} after the draft was made: "
                                     "check the values before saving.").format(
                visit.updated_by or self.tr("another user"))
        answer = QMessageBox.question(
            self.form, self.tr("Restore draft"), text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            self.discard()
            return False
        apply_form_values(self.form, draft.fields)
        self.status.setText(self.tr("Draft restored"))
        return True
