"""The window's model-free reads of the accounts (app.services.sign_in) name the table and
columns of the ORM's User, and read what the ORM would."""
from __future__ import annotations

from sqlalchemy import select

from app.models import User
from app.services.actor import Actor
from app.services.sign_in import ACCOUNTS, needs_first_admin, role_of, window_actor
from app.services.users import add_user, create_first_admin, set_active


def test_the_lightweight_table_names_the_user_model_s_table_and_columns():
    model = User.__table__
    assert ACCOUNTS.name == model.name
    for name, column in ACCOUNTS.c.items():
        assert name in model.c, name
        assert type(column.type)._type_affinity is type(model.c[name].type)._type_affinity


def test_role_and_first_run_read_as_the_orm_does(db):
    with db.read() as session:
        assert needs_first_admin(session)
    admin = Actor("admin.eva", "admin")
    with db.write() as session:
        create_first_admin(session, "admin.eva", "a long enough password")
        add_user(session, "nurse.ana", "another long password", "nurse", actor=admin)
        add_user(session, "dr.bo", "a third long password", "doctor", actor=admin)
        set_active(session, "dr.bo", False, actor=admin)
    with db.read() as session:
        assert not needs_first_admin(session)
        for name in ("admin.eva", "nurse.ana", "dr.bo", "nobody"):
            orm = session.scalar(select(User.role).where(User.username == name,
                                                         User.active.is_(True)))
            assert role_of(session, name) == orm
        assert role_of(session, "dr.bo") is None  # switched off: no role
    with db.core_read() as connection:  # the window's first paint: no ORM session
        assert not needs_first_admin(connection)
        assert [role_of(connection, n) for n in ("admin.eva", "nurse.ana", "dr.bo", "x")] == [
            "admin", "nurse", None, None]
    assert window_actor(db, "nurse.ana") == Actor("nurse.ana", "nurse")
