"""The visit form's draft: the form's state (app.ui.visit.state), kept on disk while the nurse
types.

The file logic (atomic writes, where drafts live) is app.services.drafts; this module decides
when to write (300 ms after the last change), offers a draft back, and removes it. It sees the
form only through its state: `read_state()` and `apply_state(state)`.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.services import drafts
from app.ui.visit.fields import hint_label
from app.ui.visit.state import VisitFormState


class DraftKeeper(QObject):
    """Writes the form's draft shortly after each change, offers it back, removes it."""

    saved = Signal()

    def __init__(self, parent: QWidget, *, db_url: str, read_state: Callable[[], VisitFormState],
                 apply_state: Callable[[VisitFormState], None], delay_ms: int):
        super().__init__(parent)
        self.parent_widget = parent
        self.read_state, self.apply_state = read_state, apply_state
        self.initial = read_state()
        self.path = drafts.visit_draft_path(db_url=db_url, patient_id=self.initial.patient_id,
                                            visit_id=self.initial.visit_id)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self.write_now)
        self.status = hint_label()
        self.status.setObjectName("draftStatus")

    def tr(self, text: str) -> str:
        return self.parent_widget.tr(text)

    def is_dirty(self) -> bool:
        """Anything differs from what the form opened with (pre-filled or saved values)."""
        return self.read_state().differs_from(self.initial)

    def schedule(self) -> None:
        self.timer.start()

    def write_now(self) -> None:
        """Write the draft now, or remove it when nothing differs from the saved state."""
        self.timer.stop()
        state = self.read_state()
        try:
            if state.differs_from(self.initial):
                drafts.write_draft(self.path, state.fields(), patient_id=state.patient_id,
                                   visit_id=state.visit_id, base_version=state.base_version)
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

    def offer(self, *, changed_by: str | None = None) -> bool:
        """Ask to restore a draft left by an earlier opening; True when it was restored.
        `changed_by`: who last saved the visit, to warn when it changed after the draft."""
        draft = drafts.read_draft(self.path)
        if draft is None or draft.patient_id != self.initial.patient_id:
            return False
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        text = self.tr("An unsaved draft of this visit from {0} was found. Restore it?").format(
            when)
        if self.initial.visit_id is not None and draft.base_version != self.initial.base_version:
            text += "\n\n" + self.tr("The visit was changed by {0} after the draft was made: "
                                     "check the values before saving.").format(
                changed_by or self.tr("another user"))
        answer = QMessageBox.question(
            self.parent_widget, self.tr("Restore draft"), text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            self.discard()
            return False
        self.apply_state(self.read_state().with_fields(draft.fields))
        self.status.setText(self.tr("Draft restored"))
        return True
