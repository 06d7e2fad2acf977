"""Who is acting, and what their role lets them do (docs/reliability.md, "People").

The services enforce these permissions (`Actor.require`, and the audit trail's flush check);
the window only mirrors them, disabling what a role cannot do with `Actor.why_not` as the
tooltip. A database opened read-only gives every actor read and print only.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass

from app.services.errors import PermissionDenied

ROLES = ("nurse", "doctor", "staff", "admin")

# read: see records; print: reports and exports; register: add and edit patients'
# registration details; record: clinical data (visits, ulcers, labs, treatments);
# sign: sign visits and treatment plans; users/settings/backup: administration.
PERMISSIONS = ("read", "print", "register", "record", "sign", "users", "settings", "backup")
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "nurse": frozenset({"read", "print", "register", "record"}),
    "doctor": frozenset({"read", "print", "register", "record", "sign"}),
    "staff": frozenset({"read", "print", "register"}),
    "admin": frozenset({"read", "print", "users", "settings", "backup"}),
    # The command line, and the window on a clinic without accounts, on a single-PC SQLite
    # file only: trusted like a local database peer (app.services.users.window_actor).
    "local": frozenset(PERMISSIONS),
}
# Permissions that write to the database: none of them on a read-only database.
WRITE_PERMISSIONS = frozenset({"register", "record", "sign", "users", "settings", "backup"})
# What each permission lets one do, for "may not ..." messages and tooltips.
PERMISSION_WORDS: dict[str, str] = {
    "read": "read records", "print": "print reports", "register": "register patients",
    "record": "record clinical data", "sign": "sign visits", "users": "manage user accounts",
    "settings": "change the clinic settings", "backup": "back up or restore the database",
}
# The roles that may, for "ask a ..." hints.
_WHO_MAY = {p: tuple(r for r in ROLES if p in ROLE_PERMISSIONS[r]) for p in PERMISSIONS}


@dataclass(frozen=True)
class Actor:
    """The person (or script) a change is attributed to in the audit trail.

    `read_only`: the database is open read-only (damaged, older schema, no write access), so
    nothing that writes is allowed, whatever the role.
    """

    username: str
    role: str
    read_only: bool = False

    def can(self, permission: str) -> bool:
        if self.read_only and permission in WRITE_PERMISSIONS:
            return False
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def why_not(self, permission: str) -> str | None:
        """Why this actor may not `permission`, in words for a tooltip; None when allowed."""
        if self.can(permission):
            return None
        words = PERMISSION_WORDS.get(permission, permission)
        if self.read_only and permission in ROLE_PERMISSIONS.get(self.role, frozenset()):
            return f"The database is open read-only: nobody can {words} now."
        who = _WHO_MAY.get(permission, ())
        hint = f" Ask a user with the role {' or '.join(who)}." if who else ""
        return f"Your role ({self.role}) may not {words}.{hint}"

    def require(self, permission: str) -> None:
        if not self.can(permission):
            state = ", read-only database" if self.read_only else ""
            raise PermissionDenied(f"{self.username} ({self.role}{state}) may not "
                                   f"{PERMISSION_WORDS.get(permission, permission)}")

    def reading_only(self) -> Actor:
        """The same person on a read-only database."""
        return Actor(self.username, self.role, read_only=True)


def cli_actor() -> Actor:
    """Command-line writes are attributed to `cli:<operating-system login>`."""
    try:
        login = getpass.getuser()
    except Exception:  # no login name in a bare container
        login = "unknown"
    return Actor(f"cli:{login}", "local")
