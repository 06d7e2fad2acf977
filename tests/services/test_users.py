"""Accounts (docs/reliability.md "People"): argon2id, minimum length, one generic message, lockout,
the first-run admin, roles enforced in the services, the password never stored or logged."""
from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from app.models import User
from app.models.security import USER_ROLES
from app.services.actor import ROLES, Actor
from app.services.errors import PermissionDenied, UserError
from app.services.users import (
    LOCKOUT,
    LOGIN_FAILED,
    MAX_FAILURES,
    LoginFailed,
    add_user,
    authenticate,
    create_first_admin,
    list_users,
    needs_first_admin,
    role_of,
    set_active,
    set_password,
)


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


SECRET = "Quartz-Zebra-7781-unique"  # searched for, byte by byte, in the file and the logs
ADMIN = Actor("admin.eva", "admin")
T0 = dt.datetime(2026, 11, 27, 9, 0)


@pytest.fixture
def accounts(db):
    with db.write() as session:
        create_first_admin(session, "admin.eva", "admin password 12")
        add_user(session, "nurse.ana", SECRET, "nurse", actor=ADMIN)
    return db


def test_roles_of_the_model_and_the_services_agree():
    assert USER_ROLES == ROLES


def test_first_run_creates_the_admin_once(db):
    with db.read() as session:
        assert needs_first_admin(session)
    with db.write() as session:
        create_first_admin(session, "admin.eva", "admin password 12")
    with db.read() as session:
        assert not needs_first_admin(session) and role_of(session, "admin.eva") == "admin"
    with pytest.raises(UserError, match="already exists"):
        with db.write() as session:
            create_first_admin(session, "intruder", "another password")


def test_passwords_are_argon2id_and_at_least_12_characters(db):
    with pytest.raises(UserError, match="at least 12"):
        with db.write() as session:
            create_first_admin(session, "admin.eva", "short pw 11")
    with db.write() as session:
        create_first_admin(session, "admin.eva", "exactly 12ch")
    with db.read() as session:
        stored = session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$v=19$") and "exactly 12ch" not in stored


def test_right_password_gives_the_actor_with_its_role(accounts):
    assert authenticate(accounts, "nurse.ana", SECRET, now=T0) == Actor("nurse.ana", "nurse")


@pytest.mark.parametrize("username,password", [("nurse.ana", "wrong password 12"),
                                               ("nobody", SECRET), ("", "")])
def test_every_failure_has_the_same_generic_message(accounts, username, password):
    with pytest.raises(LoginFailed) as caught:
        authenticate(accounts, username, password, now=T0)
    assert str(caught.value) == LOGIN_FAILED


def test_lockout_after_repeated_failures_for_some_minutes(accounts):
    for attempt in range(MAX_FAILURES):
        with pytest.raises(LoginFailed):
            authenticate(accounts, "nurse.ana", f"wrong password {attempt:02d}", now=T0)
    with pytest.raises(LoginFailed) as caught:  # even the right password, same message
        authenticate(accounts, "nurse.ana", SECRET, now=T0 + dt.timedelta(minutes=1))
    assert str(caught.value) == LOGIN_FAILED
    with pytest.raises(LoginFailed):
        authenticate(accounts, "nurse.ana", SECRET, now=T0 + LOCKOUT - dt.timedelta(seconds=1))
    actor = authenticate(accounts, "nurse.ana", SECRET, now=T0 + LOCKOUT)
    assert actor.role == "nurse"
    with accounts.read() as session:
        user = session.scalar(select(User).where(User.username == "nurse.ana"))
        assert user.failed_attempts == 0 and user.locked_until is None


def test_failures_below_the_limit_do_not_lock(accounts):
    for attempt in range(MAX_FAILURES - 1):
        with pytest.raises(LoginFailed):
            authenticate(accounts, "nurse.ana", f"wrong password {attempt:02d}", now=T0)
    assert authenticate(accounts, "nurse.ana", SECRET, now=T0).username == "nurse.ana"


def test_logins_and_failures_are_in_the_audit_trail(accounts):
    from app.services.audit import list_audit

    with pytest.raises(LoginFailed):
        authenticate(accounts, "nurse.ana", "wrong password 12", now=T0)
    authenticate(accounts, "nurse.ana", SECRET, now=T0)
    with pytest.raises(LoginFailed):
        authenticate(accounts, SECRET, SECRET, now=T0)  # a password typed as the name
    with accounts.read() as session:
        events = [(r.user, r.action) for r in list_audit(session) if r.table is None]
    assert events == [("nurse.ana", "login failed"), ("nurse.ana", "login"),
                      ("unknown", "login failed")]


def test_inactive_accounts_cannot_log_in(accounts):
    with accounts.write() as session:
        set_active(session, "nurse.ana", False, actor=ADMIN)
    with pytest.raises(LoginFailed):
        authenticate(accounts, "nurse.ana", SECRET, now=T0)
    with accounts.read() as session:
        assert role_of(session, "nurse.ana") is None
        assert [u.active for u in list_users(session) if u.username == "nurse.ana"] == [False]


def test_user_names_are_unique_and_cli_names_are_reserved(accounts):
    for name, message in (("nurse.ana", "taken"), ("cli:root", "command line"),
                          ("two words", "without spaces"), ("", "1 to 64")):
        with pytest.raises(UserError, match=message):
            with accounts.write() as session:
                add_user(session, name, "a fine password 1", "nurse", actor=ADMIN)


def test_only_admins_manage_accounts_but_anyone_changes_their_own_password(accounts):
    nurse = Actor("nurse.ana", "nurse")
    for actor in (nurse, Actor("staff.di", "staff"), Actor("dr.bo", "doctor")):
        with pytest.raises(PermissionDenied):
            with accounts.write() as session:
                add_user(session, "new.user", "a new password 1", "admin", actor=actor)
    with pytest.raises(PermissionDenied):
        with accounts.write() as session:
            set_password(session, "admin.eva", "taken over 1234", actor=nurse)
    with accounts.write() as session:
        set_password(session, "nurse.ana", "my new password 1", actor=nurse)
    assert authenticate(accounts, "nurse.ana", "my new password 1", now=T0).role == "nurse"


def test_the_password_is_never_in_the_database_file_or_the_logs(db, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "dfu_monitor", "argon2"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        with db.write() as session:
            create_first_admin(session, "admin.eva", "admin password 12")
            add_user(session, "nurse.ana", SECRET, "nurse", actor=ADMIN)
        authenticate(db, "nurse.ana", SECRET, now=T0)
        with pytest.raises(LoginFailed):
            authenticate(db, "nurse.ana", SECRET + "x", now=T0)
        with pytest.raises(LoginFailed):
            authenticate(db, SECRET, SECRET, now=T0)
        with db.write() as session:
            set_password(session, "nurse.ana", SECRET[::-1], actor=ADMIN)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert "INSERT INTO app_user" in caplog.text  # the SQL really was logged...
    for secret in (SECRET, SECRET[::-1]):
        assert secret not in caplog.text  # ...without the password
        if db.path is None:  # a server: every stored value
            assert secret not in repr(_every_row(db))
            continue
        for suffix in ("", "-wal"):
            file = db.path.with_name(db.path.name + suffix)
            if file.exists():
                raw = file.read_bytes()
                assert secret.encode("utf-8") not in raw
                assert secret.encode("utf-16-le") not in raw


def _every_row(db) -> list:
    from sqlalchemy import inspect

    with db.engine.connect() as connection:
        return [connection.exec_driver_sql(f'SELECT * FROM "{t}"').fetchall()
                for t in inspect(connection).get_table_names()]
