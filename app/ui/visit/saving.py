"""Saving the visit form on the window's database runner: one write transaction, soft warnings
asked once, the outcome handed back to the form.

It sees the form only through what it is given: the `VisitInput` read from the form, the
form's `VisitFormState` (which open ulcers were left unmeasured) and callbacks. Errors keep the
form open with what was typed (and its draft): hard errors go back to their fields, a stale
edit says "changed by X at T, reload" (docs/reliability.md, "Records").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from app.domain.limits import Finding
from app.services.actor import Actor
from app.services.changes import Changes
from app.services.visit_input import VisitInput
from app.ui.visit.state import VisitFormState


def tr(text: str) -> str:
    return QCoreApplication.translate("VisitDialog", text)


@dataclass
class SaveOutcome:
    """What the form does with each outcome of a save."""

    saved: Callable[[int], None]  # the visit's id
    invalid: Callable[[list[Finding]], None]  # hard errors found by the service
    kept: Callable[[], None]  # not saved: keep the draft, let the nurse go on


def ask_before_saving(parent: QWidget, data: VisitInput, state: VisitFormState, *,
                      signed_by: str | None) -> VisitInput | None:
    """The questions asked before anything is written: open ulcers left unmeasured (soft), and
    a signed visit's reason for the change. None when the nurse goes back to the form."""
    unmeasured = state.unmeasured_sites()
    if unmeasured:
        answer = QMessageBox.question(
            parent, tr("Ulcer not measured"),
            tr("Not measured at this visit: {0}.\n\nSave the visit without it?").format(
                ", ".join(unmeasured)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
    if signed_by is not None:
        reason, ok = QInputDialog.getText(
            parent, tr("Signed visit"),
            tr("This visit was signed by {0}. Reason for the change:").format(signed_by or "?"))
        if not ok or not reason.strip():
            return None
        data = data.with_changes(reason=reason.strip())
    return data


def submit_visit(runner, data: VisitInput, *, actor: Actor, today: dt.date, parent: QWidget,
                 outcome: SaveOutcome, confirmed: bool = False) -> None:
    """Save `data` in one write transaction on `runner`; unconfirmed soft warnings are asked
    once and the save repeated; the window hears `Changes.of(patients=…, visits=…)`."""
    from app.services.errors import NeedsConfirmation, StaleEdit, UserError, ValidationFailed
    from app.services.visits import save_visit

    def op(session) -> int:
        return save_visit(session, data, actor=actor, confirmed=confirmed, today=today).id

    def failed(exc: Exception) -> None:
        if isinstance(exc, NeedsConfirmation) and not confirmed:
            if confirm_warnings(parent, exc.warnings):
                submit_visit(runner, data, actor=actor, today=today, parent=parent,
                             outcome=outcome, confirmed=True)
            else:
                outcome.kept()
            return
        if isinstance(exc, ValidationFailed):
            outcome.invalid(exc.findings)
            return
        outcome.kept()
        if isinstance(exc, UserError):  # StaleEdit, a signed visit without reason, deleted
            title = tr("Changed elsewhere") if isinstance(exc, StaleEdit) else tr(
                "Visit not saved")
            QMessageBox.warning(parent, title, str(exc))
            return
        QMessageBox.critical(parent, tr("Visit not saved"), tr(
            "The visit could not be saved: {0}\n\nWhat you typed stays in the form and "
            "is kept as a draft.").format(_explain(exc)))

    runner.write(op, changes=lambda visit_id: Changes.of(patients=[data.patient_id],
                                                         visits=[visit_id]),
                 on_done=outcome.saved, on_error=failed, parent=parent)


def confirm_warnings(parent: QWidget, warnings: list[Finding]) -> bool:
    """One question listing every soft warning; saving goes on only after Yes."""
    lines = "\n".join(f"• {w.message}" for w in warnings)
    answer = QMessageBox.question(
        parent, tr("Please confirm"),
        tr("These values are unusual:\n{0}\n\nSave them as entered?").format(lines),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def _explain(exc: Exception) -> str:
    """app.db's own words for a full disk or a read-only file; else the driver's first line,
    never the SQL statement."""
    from app.db import DatabaseError

    reason = str(exc) if isinstance(exc, DatabaseError) else str(
        getattr(exc, "orig", None) or exc).splitlines()[0]
    return reason.rstrip(".") + "."
