"""Screens that fit the role (docs/reliability.md "People"): `apply_role(window)` enables each
control the signed-in role may use and disables the others with the reason as tooltip (the
services enforce the same permissions: the window only mirrors them); `switch_actor(window,
actor)` changes who the window acts for after "Switch user" on the lock screen, closing the
previous user's open forms with their drafts kept. An empty patient list tells the role how
the first patient is registered (`register_hint`)."""
from __future__ import annotations

import logging

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow

from app.services.actor import ROLE_PERMISSIONS, ROLES, Actor

log = logging.getLogger("dfu_monitor.ui")
TOOLTIP_PROPERTY = "dfuTooltip"  # the tooltip an allowed control shows
ADMIN_ONLY = frozenset({"users", "settings"})
# The roles that register patients, as an empty list names them to those who may not.
ROLE_WORDS = {"nurse": "a nurse", "doctor": "a doctor", "staff": "the front desk"}


def _controls(window: QMainWindow) -> list[tuple[object, str, bool]]:
    """(control, permission, needs an open patient) for every role-dependent control."""
    controls: list[tuple[object, str, bool]] = [
        (window.new_patient_button, "register", False),
        (window.action_new_patient, "register", False),
        (window.new_visit_button, "record", True),
        (window.action_new_visit, "record", True),
        (window.print_report_button, "print", True),
        (window.action_print, "print", True),
    ]
    for name, permission in (("usersAction", "users"), ("settingsAction", "settings"),
                             ("importSheetAction", "record")):
        action = window.findChild(QAction, name)
        if action is not None:
            controls.append((action, permission, False))
    controls.append((window.action_batch_print, "print", False))
    backup = window.backup_actions
    if backup is not None:
        controls += [(backup.action_backup, "backup", False),
                     (backup.action_restore, "backup", False)]
    return controls


def why_not(actor: Actor, permission: str) -> str | None:
    """The actor's reason, and: users and settings are managed in the window by the admin
    role only (the trusted local user of a clinic without accounts has none to manage)."""
    reason = actor.why_not(permission)
    if reason is None and permission in ADMIN_ONLY and actor.role != "admin":
        reason = ("Only an administrator's account manages users and settings in the window "
                  "(this clinic has no accounts yet).")
    return reason


def apply_role(window: QMainWindow) -> None:
    """Enable what the role may do; disable the rest, saying why in the tooltip."""
    actor: Actor = window.actor
    has_patient = window.current_patient_id is not None
    for control, permission, needs_patient in _controls(window):
        allowed_text = control.property(TOOLTIP_PROPERTY)
        if allowed_text is None:
            allowed_text = control.toolTip() or ""
            control.setProperty(TOOLTIP_PROPERTY, allowed_text)
        reason = why_not(actor, permission)
        control.setEnabled(reason is None and (has_patient or not needs_patient))
        control.setToolTip(reason or allowed_text)
    window.list_panel.set_register_hint(register_hint(window))


def register_hint(window: QMainWindow) -> str:
    """How the first patient is registered, for the signed-in role: the New patient button
    and its shortcut, or who registers patients (app.services.actor.ROLE_PERMISSIONS)."""
    actor: Actor = window.actor
    if actor.can("register"):
        button = window.new_patient_button.text().replace("&", "")
        keys = window.action_new_patient.shortcut().toString(
            QKeySequence.SequenceFormat.NativeText)
        return window.tr("Click {0} ({1}) to register the first.").format(button, keys)
    if actor.read_only:
        return window.tr("The database is open read-only: no patient can be registered now.")
    who = [window.tr(ROLE_WORDS.get(role, role)) for role in ROLES
           if "register" in ROLE_PERMISSIONS[role]]
    listed = who[0] if len(who) == 1 else window.tr("{0} or {1}").format(", ".join(who[:-1]),
                                                                         who[-1])
    return window.tr("Patients are registered by {0}.").format(listed)


def switch_actor(window: QMainWindow, actor: Actor) -> None:
    """Act for `actor` from now on: the previous user's open forms are closed with their drafts
    kept, the title and roles follow, and the chart is reloaded."""
    _close_forms_keeping_drafts(window)
    previous = window.actor
    window.actor = actor
    window.setWindowTitle(actor.username)  # the system appends the app's name; the chart
    if getattr(window, "current_chart", None) is not None:  # names its patient again
        window._title_for_chart(window.current_patient_id)
    window.statusBar().showMessage(window.tr("Signed in as {0} (after {1})").format(
        actor.username, previous.username))
    apply_role(window)
    window.refresh_patient()
    log.info("user switched on the lock screen")


def _close_forms_keeping_drafts(window: QMainWindow) -> None:
    for dialog in window.findChildren(QDialog):
        if not dialog.isVisible() or dialog.objectName() == "lockDialog":
            continue
        drafts = getattr(dialog, "drafts", None)
        if drafts is not None and hasattr(drafts, "write_now"):
            try:
                drafts.write_now()  # the draft stays on disk: offered back next time
            except Exception:  # a full disk must not keep the previous user's form open
                log.warning("draft not written at switch of user", exc_info=True)
        dialog.done(QDialog.DialogCode.Rejected.value)
