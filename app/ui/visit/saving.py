"""Saving the visit form: a signed visit's reason, one write transaction, soft warnings once.

Errors keep the form open with what was typed (and its draft): hard errors go back to their
fields, a stale edit says "changed by X at T, reload" (RELIABILITY.md, "Records").
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.domain.limits import Finding

if TYPE_CHECKING:
    from app.ui.visit.form import VisitDialog


def tr(text: str) -> str:
    return QCoreApplication.translate("VisitDialog", text)


def save_visit_form(form: VisitDialog) -> int | None:
    """Save what the form holds through `save_visit`; the visit's id, or None when not saved."""
    from app.services.errors import NeedsConfirmation, StaleEdit, UserError, ValidationFailed
    from app.services.visits import save_visit

    data, _, _ = form.build_input()
    visit = form.context.visit
    if visit is not None and visit.signed_at is not None:
        reason, ok = QInputDialog.getText(
            form, tr("Signed visit"),
            tr("This visit was signed by {0}. Reason for the change:").format(
                visit.signed_by or "?"))
        if not ok or not reason.strip():
            return None
        data = data.with_changes(reason=reason.strip())
    confirmed = False
    while True:
        try:
            with form.db.write() as session:
                saved = save_visit(session, data, actor=form.actor, confirmed=confirmed,
                                   today=form.today)
                return saved.id
        except NeedsConfirmation as exc:
            if confirmed or not confirm_warnings(form, exc.warnings):
                return None
            confirmed = True
        except ValidationFailed as exc:
            form.revalidate(exc.findings)
            form.focus_first_problem()
            return None
        except UserError as exc:  # StaleEdit, a signed visit without reason, a deleted patient
            form.drafts.write_now()
            title = tr("Changed elsewhere") if isinstance(exc, StaleEdit) else tr(
                "Visit not saved")
            QMessageBox.warning(form, title, str(exc))
            return None
        except Exception as exc:  # disk full, read-only or locked database: keep the typing
            form.drafts.write_now()
            QMessageBox.critical(form, tr("Visit not saved"), tr(
                "The visit could not be saved: {0}\n\nWhat you typed stays in the form and "
                "is kept as a draft.").format(_explain(exc)))
            return None


def confirm_warnings(form: VisitDialog, warnings: list[Finding]) -> bool:
    """One question listing every soft warning; saving goes on only after Yes."""
    lines = "\n".join(f"• {w.message}" for w in warnings)
    answer = QMessageBox.question(
        form, tr("Please confirm"),
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
