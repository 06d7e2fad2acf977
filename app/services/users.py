"""User accounts: argon2id passwords, roles, lockout after repeated failures, first-run admin.

OWASP Password Storage and Authentication cheat sheets: argon2id (argon2-cffi's defaults,
t=3, m=64 MiB, p=4, exceed OWASP's floor of m=19 MiB, t=2), a minimum length, one generic
message for every failed log-in, a temporary lockout. The password itself is never stored,
logged or put in an error message; only its PHC string is kept.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import User
from app.models.base import utc_now
from app.services.actor import ROLES, Actor
from app.services.audit import act_as, record_event
from app.services.errors import NotFound, UserError

# Re-exported: the model-free reads of the accounts (the window's first paint needs them).
from app.services.sign_in import SignInRefused as SignInRefused
from app.services.sign_in import needs_first_admin as needs_first_admin
from app.services.sign_in import role_of as role_of
from app.services.sign_in import window_actor as window_actor

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
NOBODY = Actor("unknown", "none")  # a failed log-in of no known account: no permission at all
LOGIN_FAILED = ("The user name or password is not right, or the account is locked for a "
                "while. Try again, or ask the administrator.")


class LoginFailed(UserError):
    """Always the same message, whatever went wrong (unknown user, password, lockout)."""

    def __init__(self) -> None:
        super().__init__(LOGIN_FAILED)


@dataclass(frozen=True)
class UserRecord:
    username: str
    role: str
    active: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults


def hash_password(password: str) -> str:
    """The PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash) of a checked password."""
    check_new_password(password)
    return _hasher().hash(password)


def check_new_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        raise UserError("a password may not contain control characters")


def _check_username(username: str) -> str:
    name = (username or "").strip()
    if not 1 <= len(name) <= 64 or any(ch.isspace() or unicodedata.category(ch)[0] == "C"
                                       for ch in name):
        raise UserError("a user name has 1 to 64 characters, without spaces")
    if name.startswith("cli:"):
        raise UserError("user names starting with 'cli:' are kept for the command line")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"the role must be one of {', '.join(ROLES)}")
    return role


# -- accounts ---------------------------------------------------------------------------------
def create_first_admin(session: Session, username: str, password: str) -> User:
    """The first account, an admin; refused once any account exists."""
    if not needs_first_admin(session):
        raise UserError("the administrator account already exists")
    name = _check_username(username)
    act_as(session, Actor(name, "admin"))
    return _insert(session, name, password, "admin")


def add_user(session: Session, username: str, password: str, role: str, *,
             actor: Actor) -> User:
    """A new account (admins and the command line only)."""
    actor.require("users")
    act_as(session, actor)
    name = _check_username(username)
    _check_role(role)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise UserError(f"the user name {name!r} is taken")
    return _insert(session, name, password, role)


def _insert(session: Session, username: str, password: str, role: str) -> User:
    user = User(username=username, role=role, password_hash=hash_password(password),
                failed_attempts=0, active=True)
    session.add(user)
    session.flush()
    return user


def _get(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def set_password(session: Session, username: str, new_password: str, *, actor: Actor) -> None:
    """Change a password: one's own, or anyone's for an admin. Clears a lockout."""
    if actor.username != username:
        actor.require("users")
    act_as(session, actor)
    user = _get(session, username)
    user.password_hash = hash_password(new_password)
    user.failed_attempts, user.locked_until = 0, None


def set_role(session: Session, username: str, role: str, *, actor: Actor) -> None:
    actor.require("users")
    act_as(session, actor)
    user = _get(session, username)
    if _check_role(role) != "admin":
        _keep_an_admin(session, user)
    user.role = role


def set_active(session: Session, username: str, active: bool, *, actor: Actor) -> None:
    """Switch an account off (people leave; their audit rows stay) or on again."""
    actor.require("users")
    act_as(session, actor)
    user = _get(session, username)
    if not active:
        _keep_an_admin(session, user)
    user.active = active


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to demote or switch off the last active administrator (nobody could then
    manage the accounts from the window)."""
    if user.role != "admin" or not user.active:
        return
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != user.id))
    if not others:
        raise UserError(f"{user.username} is the last active administrator: add another "
                        "administrator first")


def list_users(session: Session) -> list[UserRecord]:
    return [UserRecord(u.username, u.role, u.active, u.locked_until, u.last_login_at)
            for u in session.scalars(select(User).order_by(User.username))]


# -- logging in -------------------------------------------------------------------------------
def authenticate(db: Database, username: str, password: str, *,
                 now: dt.datetime | None = None) -> Actor:
    """The Actor for a right password; LoginFailed (one message) for anything else.

    Every failure counts; MAX_FAILURES in a row lock the account for LOCKOUT. A locked
    account refuses even the right password until the lockout ends.
    """
    from argon2.exceptions import InvalidHashError, VerificationError

    now = now or utc_now()
    hasher = _hasher()
    if db.read_only:  # no lockout bookkeeping can be written: only the password is checked
        return _verify_read_only(db, hasher, username, password)
    with db.write() as session:
        user = session.scalar(select(User).where(User.username == (username or "").strip()))
        if user is None or not user.active:
            _spend_same_time(hasher, password)
            # The typed name is not written: people type passwords into the name field.
            record_event(session, NOBODY, "login failed", "unknown or inactive account")
            ok = False
        elif user.locked_until is not None and user.locked_until > now:
            _spend_same_time(hasher, password)
            record_event(session, Actor(user.username, user.role), "login failed",
                         "account locked")
            ok = False
        else:
            try:
                ok = hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
            if ok:
                user.failed_attempts, user.locked_until, user.last_login_at = 0, None, now
                if hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = hasher.hash(password)
                record_event(session, Actor(user.username, user.role), "login", "logged in")
                actor = Actor(user.username, user.role)
            else:
                user.failed_attempts += 1
                detail = "wrong password"
                if user.failed_attempts >= MAX_FAILURES:
                    user.failed_attempts, user.locked_until = 0, now + LOCKOUT
                    detail = f"wrong password; locked for {LOCKOUT.seconds // 60} minutes"
                record_event(session, Actor(user.username, user.role), "login failed", detail)
    if not ok:
        raise LoginFailed()
    return actor


def _verify_read_only(db: Database, hasher, username: str, password: str) -> Actor:
    from argon2.exceptions import InvalidHashError, VerificationError

    with db.read() as session:
        user = session.scalar(select(User).where(User.username == (username or "").strip(),
                                                 User.active.is_(True)))
        if user is None or (user.locked_until is not None and user.locked_until > utc_now()):
            _spend_same_time(hasher, password)
            raise LoginFailed()
        try:
            hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise LoginFailed() from None
        return Actor(user.username, user.role, read_only=True)


def _spend_same_time(hasher, password: str) -> None:
    """Verify against a dummy hash so an unknown name takes as long as a known one."""
    from argon2.exceptions import VerificationError

    try:
        hasher.verify(_dummy_hash(hasher), password)
    except VerificationError:
        pass


_DUMMY: dict[str, str] = {}


def _dummy_hash(hasher) -> str:
    if "hash" not in _DUMMY:
        _DUMMY["hash"] = hasher.hash("not a password of anyone here")
    return _DUMMY["hash"]
