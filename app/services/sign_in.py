"""Who the window is for (fail closed): the role of the account that signed in.

Model-free on purpose: the main window resolves its user before its first paint, so these read
the accounts table with Core statements over a lightweight `table()` clause (the columns they
need of app.models.security.User, checked against it by tests/services/test_sign_in.py)
on a Core connection (Database.core_read) instead of importing the ORM, which the window
loads afterwards on its database worker.
app.services.users re-exports every name here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Connection, String, column, func, inspect, select, table

from app.db import Database, DatabaseError
from app.services.actor import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# app.models.security.User.__table__, the columns read here.
ACCOUNTS = table("app_user", column("username", String), column("role", String),
                 column("active", Boolean))


class SignInRefused(DatabaseError):
    """Nobody can be signed in: the accounts could not be read, or the name has no account.
    Fail closed: never a fallback role (docs/reliability.md, "People")."""


def needs_first_admin(session: Session | Connection) -> bool:
    """True on first run: no account exists yet, so the wizard must create the admin."""
    return not session.scalar(select(func.count()).select_from(ACCOUNTS))


def role_of(session: Session | Connection, username: str) -> str | None:
    """The role of an active account, or None when there is no such account."""
    accounts = ACCOUNTS.c
    return session.scalar(select(accounts.role).where(accounts.username == username,
                                                      accounts.active.is_(True)))


def window_actor(db: Database, username: str) -> Actor:
    """The Actor of a user who signed in, with their account's role; read-only on a read-only
    database. A clinic without any account (an older schema, or before the first-run wizard)
    on a single-PC SQLite file has the trusted local user, as the command line does. Anything
    else is refused with SignInRefused: an error while reading the accounts, a name without an
    active account, a database server without accounts."""
    try:
        with db.core_read() as session:  # no ORM before the first paint
            has_table = inspect(session).has_table(ACCOUNTS.name)
            accounts = has_table and not needs_first_admin(session)
            role = role_of(session, username) if accounts else None
    except Exception as exc:  # a damaged file, a lost server, a schema this program cannot read
        raise SignInRefused(
            f"the user accounts could not be read ({type(exc).__name__}), so nobody can sign "
            "in; nothing was opened. Ask the administrator to check or restore the "
            "database.") from None
    if accounts and role is None:
        raise SignInRefused(f"{username!r} has no active account in this clinic's database; "
                            "sign in with your own account")
    if not accounts and db.path is None:
        raise SignInRefused("this database server has no user accounts yet: create the "
                            "administrator first (main.py init --admin NAME)")
    return Actor(username, role or "local", read_only=db.read_only)
