"""Security enforced by the server (migration 0003) and what `check` verifies there."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import Database
from app.services.audit import verify_chain
from tests.server import workers

APP_LOGIN = "nurse_station"


@pytest.fixture
def app_role_url(pg_cluster, pg_url):
    """The same database, signed in as a workstation login that is a member of dfu_app."""
    pg_cluster.sql(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                   f"'{APP_LOGIN}') THEN CREATE ROLE {APP_LOGIN} LOGIN IN ROLE dfu_app; "
                   "END IF; END $$")
    return pg_cluster.url(make_url(pg_url).database, user=APP_LOGIN)


def test_the_app_role_works_but_cannot_update_delete_or_truncate_the_trail(app_role_url):
    workers.add_patient(app_role_url, "ROLE-1")  # the program runs as the app role
    db = Database.open(app_role_url)
    with db.engine.begin() as connection:  # grants nothing (a warning): not the owner
        connection.exec_driver_sql("GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO PUBLIC")
    for statement in ("UPDATE audit_log SET new = 'forged'", "DELETE FROM audit_log",
                      "TRUNCATE audit_log", "ALTER TABLE audit_log DISABLE TRIGGER USER",
                      "DROP TRIGGER audit_log_append_only ON audit_log"):
        with pytest.raises(Exception, match="permission denied|must be owner"):
            with db.engine.begin() as connection:
                connection.exec_driver_sql(statement)
    with db.read() as session:
        report = verify_chain(session)
    assert report.ok and report.rows > 0
    db.dispose()


def test_check_on_a_server_verifies_foreign_keys_by_query(pg_url):
    db = Database.open(pg_url)
    workers.add_patient(pg_url, "FK-1")
    problems, verified = db.verified_checks()
    assert problems == [] and any("foreign keys ok" in v and "checked by query" in v
                                  for v in verified)
    assert not any(v == "integrity ok" for v in verified)  # not claimed on a server
    with db.engine.begin() as connection:  # a superuser bypassing the foreign keys
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.execute(text("INSERT INTO ulcer (patient_id, site, episode_no, "
                                "created_at) VALUES (999, 'left heel', 1, now())"))
    problems, verified = db.verified_checks()
    assert verified == [] and any("ulcer refer to a missing patient" in p for p in problems)
    db.dispose()


def test_a_workstation_role_cannot_upgrade_the_schema_and_is_told_who_can(pg_url,
                                                                          app_role_url):
    from alembic import command

    from app.db import DatabaseError

    owner = Database.open(pg_url)
    command.downgrade(owner.alembic_config(), "0003")
    owner.dispose()
    with pytest.raises(DatabaseError, match="only its owner may make"):
        Database.open(app_role_url)
