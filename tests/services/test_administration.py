"""The administration services: settings checked and audited, ranges typed in any unit, the
last administrator kept, and the window's actor failing closed."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from app.db import Database
from app.domain.analytes import ANALYTES
from app.models import AuditEntry
from app.services.actor import ROLE_PERMISSIONS, ROLES, Actor
from app.services.errors import PermissionDenied, UserError
from app.services.settings import checked_value, load_settings, set_reference_range, update_settings
from app.services.users import (
    SignInRefused,
    add_user,
    create_first_admin,
    set_active,
    set_role,
    window_actor,
)

ADMIN = Actor("admin.eva", "admin")


@pytest.fixture
def accounts(db):
    with db.write() as session:
        create_first_admin(session, "admin.eva", "admin password 12")
        add_user(session, "nurse.ana", "nurse password 12", "nurse", actor=ADMIN)
    return db


def test_settings_change_together_audited_and_a_bad_one_changes_nothing(db):
    with db.write() as session:
        changed = update_settings(session, {"clinic_name": " Riverside ", "backups_to_keep": 3,
                                            "idle_lock_minutes": 15}, actor=ADMIN)
    assert sorted(changed) == ["backups_to_keep", "clinic_name"]  # 15 is the default already
    with pytest.raises(UserError, match="between 1 and 365"):
        with db.write() as session:
            update_settings(session, {"clinic_name": "Other", "backups_to_keep": 0},
                            actor=ADMIN)
    with db.read() as session:
        current = load_settings(session)
        rows = session.execute(select(AuditEntry.username, AuditEntry.new).where(
            AuditEntry.table_name == "setting", AuditEntry.field == "value")).all()
    assert (current.clinic_name, current.backups_to_keep) == ("Riverside", 3)
    assert {tuple(r) for r in rows} == {("admin.eva", '"Riverside"'),
                                                   ("admin.eva", "3")}


@pytest.mark.parametrize("key, value, message", [
    ("clinic_name", "   ", "required"), ("clinic_name", "x" * 121, "at most 120"),
    ("idle_lock_minutes", 0, "between 1 and 240"), ("idle_lock_minutes", 2.5, "whole number"),
    ("backup_folder", "relative/folder", "full path"), ("clinic_logo_path", "/x/logo.gif",
                                                        "PNG or JPEG"),
    ("area_method", "circle", "unknown area method"), ("colour", "red", "unknown setting"),
])
def test_bad_setting_values_are_refused_in_words(key, value, message):
    with pytest.raises(UserError, match=message):
        checked_value(key, value)


def test_a_range_typed_in_another_unit_is_stored_canonical_and_cleared_to_the_default(db):
    with db.write() as session:
        set_reference_range(session, "crp_mg_l", 0, 0.8, unit="mg/dL", actor=ADMIN)
        set_reference_range(session, "il6_pg_ml", None, 7, actor=ADMIN)
    with db.read() as session:
        ranges = load_settings(session).reference_ranges
    assert (ranges["crp_mg_l"].low, ranges["crp_mg_l"].high) == (0, pytest.approx(8.0))
    assert ranges["il6_pg_ml"].high == 7  # a cytokine range: no more "no reference range set"
    with pytest.raises(UserError, match="outside"):
        with db.write() as session:
            set_reference_range(session, "crp_mg_l", 0, 5000, actor=ADMIN)
    with db.write() as session:
        set_reference_range(session, "crp_mg_l", None, None, actor=ADMIN)
    with db.read() as session:
        assert load_settings(session).reference_ranges["crp_mg_l"].high == \
            ANALYTES["crp_mg_l"].ref_high


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(ROLE_PERMISSIONS)), st.sampled_from(
    ["read", "print", "register", "record", "sign", "users", "settings", "backup"]),
    st.booleans())
def test_why_not_is_none_exactly_when_the_actor_can(role, permission, read_only):
    actor = Actor("someone", role, read_only=read_only)
    assert (actor.why_not(permission) is None) == actor.can(permission)
    if not actor.can(permission):
        with pytest.raises(PermissionDenied):
            actor.require(permission)


def test_only_the_admin_administers_and_staff_register_but_do_not_record():
    assert [r for r in ROLES if Actor("x", r).can("users")] == ["admin"]
    assert Actor("x", "staff").can("register") and not Actor("x", "staff").can("record")
    assert not Actor("x", "admin").can("register")


def test_the_last_active_administrator_is_kept(accounts):
    for change in (lambda s: set_role(s, "admin.eva", "nurse", actor=ADMIN),
                   lambda s: set_active(s, "admin.eva", False, actor=ADMIN)):
        with pytest.raises(UserError, match="last active administrator"):
            with accounts.write() as session:
                change(session)
    with accounts.write() as session:
        set_role(session, "nurse.ana", "admin", actor=ADMIN)
        set_role(session, "admin.eva", "doctor", actor=ADMIN)  # another admin exists now


def test_window_actor_fails_closed(accounts, tmp_path):
    assert window_actor(accounts, "nurse.ana") == Actor("nurse.ana", "nurse")
    with pytest.raises(SignInRefused, match="no active account"):
        window_actor(accounts, "os.user")
    with accounts.write() as session:
        set_active(session, "nurse.ana", False, actor=ADMIN)
    with pytest.raises(SignInRefused):
        window_actor(accounts, "nurse.ana")
    empty = Database.open(f"sqlite:///{tmp_path / 'new.db'}")
    assert window_actor(empty, "os.user") == Actor("os.user", "local")  # single-PC, no account
    with empty.engine.begin() as connection:
        connection.execute(text("CREATE TABLE broken (x)"))
        connection.execute(text("DROP TABLE app_user"))
        connection.execute(text("CREATE VIEW app_user AS SELECT x AS y FROM broken"))
        connection.execute(text("DROP TABLE broken"))  # the view now fails when read
    with pytest.raises(SignInRefused, match="could not be read"):
        window_actor(empty, "os.user")
    empty.dispose()
