"""Backups of a server: pg_dump's custom format, restored into an empty database only."""
from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from app import db_server
from app.db import Database
from app.services.actor import Actor
from app.services.audit import verify_chain
from app.services.backup import RestoreRefused, backup_database, restore_database
from app.services.errors import UserError
from app.services.summary import patient_summary
from app.services.visit_sheet import import_visit_sheet
from tests.conftest import GOLDEN_CSV

ADMIN = Actor("admin.eva", "admin")
NURSE = Actor("nurse.ana", "nurse")


def summaries(db) -> dict:
    from sqlalchemy import select

    from app.models import Patient

    with db.read() as session:
        return {mrn: patient_summary(session, mrn)
                for mrn in session.scalars(select(Patient.mrn).order_by(Patient.mrn))}


def test_backup_then_restore_into_an_empty_database_gives_the_same_clinic(
        pg_url, pg_empty_url, tmp_path):
    db = Database.open(pg_url)
    import_visit_sheet(db, GOLDEN_CSV.read_text(encoding="utf-8"), actor=NURSE,
                       today=dt.date(2026, 11, 27))
    written = backup_database(db, tmp_path, actor=ADMIN)
    assert written.suffix == ".dump" and written.stat().st_size > 0
    before = summaries(db)

    with pytest.raises(UserError, match="empty database only"):
        restore_database(pg_url, written, actor=ADMIN)  # never over a clinic's data
    result = restore_database(pg_empty_url, written, actor=ADMIN)
    assert result.revision == db.head_revision()
    restored = Database.open(pg_empty_url)
    assert summaries(restored) == before
    with restored.read() as session:
        report = verify_chain(session)
    assert report.ok and report.rows > 0  # the trail, its hashes, and the restore event
    assert restored.verified_checks()[0] == []  # `check` passes afterwards
    with restored.engine.connect() as connection:  # the server's guards came back
        grants = connection.exec_driver_sql(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'dfu_app' AND table_name = 'audit_log'").scalars().all()
    assert sorted(grants) == ["INSERT", "SELECT"]
    restored.dispose()
    db.dispose()


def test_a_file_that_is_not_a_dump_is_refused(pg_empty_url, tmp_path):
    junk = tmp_path / "notes.dump"
    junk.write_text("not a backup")
    with pytest.raises(RestoreRefused, match="not a pg_dump"):
        restore_database(pg_empty_url, junk, actor=ADMIN)


def test_the_password_goes_in_the_environment_never_on_the_command_line(monkeypatch,
                                                                        tmp_path):
    seen = {}

    def fake_run(command, env, **_kwargs):
        seen["command"], seen["env"] = command, env
        for arg in command:
            if str(arg).startswith("--file="):
                open(str(arg)[len("--file="):], "wb").close()
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(db_server.subprocess, "run", fake_run)
    monkeypatch.setattr(db_server, "find_tool", lambda name: tmp_path / name)
    url = "postgresql+psycopg://clinic:S3cret-Pw@db.example.org:5433/dfu?sslmode=require"
    db_server.dump(url, tmp_path / "x.dump")
    assert "S3cret-Pw" not in " ".join(map(str, seen["command"]))
    env = seen["env"]
    assert (env["PGPASSWORD"], env["PGHOST"], env["PGPORT"], env["PGUSER"],
            env["PGDATABASE"], env["PGSSLMODE"]) == ("S3cret-Pw", "db.example.org", "5433",
                                                      "clinic", "dfu", "require")


def test_an_upgrade_on_a_server_is_preceded_by_a_pg_dump(pg_url):
    from alembic import command

    from app.db import server_backup_folder

    old = Database.open(pg_url)
    command.downgrade(old.alembic_config(), "0002")
    old.dispose()
    upgraded = Database.open(pg_url)  # upgrades, and first dumps
    assert upgraded.current_revision() == upgraded.head_revision()
    upgraded.dispose()
    dumps = list(server_backup_folder().glob(f"*-before-{upgraded.head_revision()}-*.dump"))
    assert len(dumps) == 1 and db_server.list_dump(dumps[0])
