"""Errors a service raises for the user to read: one clear line, never a traceback."""
from __future__ import annotations

from typing import Sequence

from app.domain.limits import Finding


class UserError(Exception):
    """Bad input or an impossible request, explained in one line."""


class NotFound(UserError):
    pass


class PermissionDenied(UserError):
    pass


class ValidationFailed(UserError):
    """Hard errors: nothing was saved. `findings` holds every error (and any warnings)."""

    def __init__(self, findings: Sequence[Finding]):
        self.findings = list(findings)
        errors = [f for f in self.findings if f.is_error]
        super().__init__("; ".join(f"{f.field}: {f.message}" for f in errors) or "invalid input")


class NeedsConfirmation(UserError):
    """Only soft warnings: the caller may save again with the warnings confirmed."""

    def __init__(self, warnings: Sequence[Finding]):
        self.warnings = list(warnings)
        super().__init__("please confirm: " + "; ".join(w.message for w in self.warnings))


class StaleEdit(UserError):
    """Another workstation saved the same record first (optimistic locking)."""
