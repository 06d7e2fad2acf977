"""Who is acting, and what their role lets them do (RELIABILITY.md, "People")."""
from __future__ import annotations

import getpass
from dataclasses import dataclass

from app.services.errors import PermissionDenied

ROLES = ("nurse", "doctor", "staff", "admin")

# read: see records; print: reports and exports; record: visits and patients;
# sign: sign visits, treatment plans; users/settings/backup: administration.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "nurse": frozenset({"read", "print", "record"}),
    "doctor": frozenset({"read", "print", "record", "sign"}),
    "staff": frozenset({"read", "print"}),
    "admin": frozenset({"read", "print", "users", "settings", "backup"}),
    # The command line on the clinic PC is trusted like a local database peer.
    "local": frozenset({"read", "print", "record", "sign", "users", "settings", "backup"}),
}


@dataclass(frozen=True)
class Actor:
    """The person (or script) a change is attributed to in the audit trail."""

    username: str
    role: str = "local"

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(f"{self.username} ({self.role}) may not {permission}")


def cli_actor() -> Actor:
    """Command-line writes are attributed to `cli:<operating-system login>`."""
    try:
        login = getpass.getuser()
    except Exception:  # no login name in a bare container
        login = "unknown"
    return Actor(f"cli:{login}", "local")
