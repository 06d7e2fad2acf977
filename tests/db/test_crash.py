"""docs/reliability.md fault table: killed (SIGKILL) during saves, imports, backups and migrations,
and two processes writing at once. A child process writes and prints an acknowledgement after
each commit; the parent kills it at a random moment, then checks what is on disk."""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import LabResult, Patient, Visit
from app.services.audit import verify_chain
from tests.conftest import GOLDEN_CSV
from tests.db.helpers import FIXTURE_0001, content_hashes, start_child

pytestmark = pytest.mark.skipif(not hasattr(subprocess.Popen, "kill"), reason="needs kill")


def kill_at_random(proc: subprocess.Popen, rng: random.Random, *, acks_first: int,
                   run_for: float) -> list[str]:
    """Let the child acknowledge `acks_first` commits and run `run_for` seconds more, then
    SIGKILL it; returns every acknowledgement it printed, including those in the pipe."""
    lines: list[str] = []
    while len(lines) < acks_first + 1:  # "ready" first
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
    try:
        proc.wait(timeout=run_for)  # the random moment: the child keeps writing meanwhile
    except subprocess.TimeoutExpired:
        proc.kill()  # SIGKILL: no cleanup, no atexit, no rollback by the child
        proc.wait()
    lines += [line.strip() for line in proc.stdout.read().splitlines()]
    proc.stdout.close()
    proc.stderr.close()
    return [line for line in lines if line and line != "ready"]


def assert_sound(url: str) -> Database:
    db = Database.open(url, create=False, check=True)
    assert not db.read_only, db.problem
    assert db.integrity_problems() == [] and db.foreign_key_problems() == []
    with db.read() as session:
        assert verify_chain(session).ok
    return db


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Database.open(f"sqlite:///{path}").dispose()
    return path


def test_killed_during_saves_keeps_every_acknowledged_save(tmp_path, empty_template):
    rng = random.Random(20261127)
    path = tmp_path / "clinic.db"
    shutil.copy(empty_template, path)
    url = f"sqlite:///{path}"
    acknowledged: set[str] = set()
    for round_no in range(10):
        proc = start_child("save", url, f"R{round_no}", "500")
        acknowledged |= set(kill_at_random(proc, rng, acks_first=rng.randint(0, 4),
                                           run_for=rng.uniform(0.0, 0.08)))
        db = assert_sound(url)
        with db.read() as session:
            present = set(session.scalars(select(Patient.mrn)))
            # One transaction per save: no patient without its visit, assessment and lab.
            visits = session.scalar(select(func.count()).select_from(Visit))
            labs = session.scalar(select(func.count()).select_from(LabResult))
        db.dispose()
        assert acknowledged <= present, acknowledged - present
        assert visits == labs == len(present)
    assert len(acknowledged) >= 10  # the harness really let saves through


def row_counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {t: connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                for t in ("patient", "ulcer", "visit", "assessment", "lab_result", "treatment")}


def small_sheet(folder: Path, patients: int = 3) -> Path:
    """The golden sheet cut to its first patients (a shorter import, the same kind of rows)."""
    header, *rows = GOLDEN_CSV.read_text(encoding="utf-8").splitlines()
    keep = list(dict.fromkeys(row.split(",")[0] for row in rows))[:patients]
    path = folder / "sheet.csv"
    path.write_text("\n".join([header] + [r for r in rows if r.split(",")[0] in keep]) + "\n",
                    encoding="utf-8")
    return path


def test_killed_during_import_leaves_it_absent_or_whole(tmp_path, empty_template):
    from app.services.actor import Actor
    from app.services.visit_sheet import import_visit_sheet

    sheet = small_sheet(tmp_path)
    reference = Database.open(f"sqlite:///{tmp_path / 'reference.db'}")
    import_visit_sheet(reference, sheet.read_text(encoding="utf-8"), actor=Actor("n", "nurse"))
    whole = content_hashes(reference, skip=("audit_log", "alembic_version"))
    whole_counts = row_counts(reference)
    with reference.read() as session:
        expected = (session.scalar(select(func.count()).select_from(Patient)),
                    session.scalar(select(func.count()).select_from(Visit)))
    reference.dispose()
    rng = random.Random(7)
    for round_no in range(6):
        path = tmp_path / f"import-{round_no}.db"
        shutil.copy(empty_template, path)
        url = f"sqlite:///{path}"
        proc = start_child("import", url, str(sheet))
        acks = kill_at_random(proc, rng, acks_first=0, run_for=rng.uniform(0.0, 1.5))
        db = assert_sound(url)
        with db.read() as session:
            found = (session.scalar(select(func.count()).select_from(Patient)),
                     session.scalar(select(func.count()).select_from(Visit)))
        assert found in ((0, 0), expected), found
        if "imported" in acks:
            assert found == expected
        if found == expected:  # whole means every row, exactly as an uninterrupted import
            content = content_hashes(db, skip=("audit_log", "alembic_version"))
            assert content["assessment"] == whole["assessment"]  # no timestamps in it
            assert row_counts(db) == whole_counts
        db.dispose()


def test_killed_during_backup_leaves_backups_whole_or_absent(tmp_path, demo_db):
    rng = random.Random(3)
    source = content_hashes(demo_db)
    folder = tmp_path / "backups"
    folder.mkdir()
    for _ in range(4):
        proc = start_child("backup", demo_db.url, str(folder))
        kill_at_random(proc, rng, acks_first=rng.randint(0, 2), run_for=rng.uniform(0, 0.05))
    finished = sorted(folder.glob("backup-*.db"))
    assert finished
    for backup in finished:  # a *.part file is never taken for a backup
        copy = Database.open(f"sqlite:///{backup}", create=False, migrate=False,
                             read_only=True)
        assert copy.integrity_problems() == []
        assert content_hashes(copy) == source
        copy.dispose()


def test_killed_during_migration_leaves_old_or_new_schema(tmp_path):
    rng = random.Random(11)
    original = Database.open(f"sqlite:///{FIXTURE_0001}", create=False, migrate=False,
                             read_only=True)
    before = content_hashes(original, skip=("alembic_version",))
    original.dispose()
    for round_no in range(4):
        path = tmp_path / f"old-{round_no}.db"
        shutil.copy(FIXTURE_0001, path)
        url = f"sqlite:///{path}"
        kill_at_random(start_child("migrate", url), rng, acks_first=0,
                       run_for=rng.uniform(0.0, 0.5))
        seen = Database.open(url, create=False, migrate=False, read_only=True)
        revision = seen.current_revision()
        with seen.engine.connect() as connection:
            tables = {r[0] for r in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        seen.dispose()
        assert (revision, {"audit_log", "app_user"} <= tables) in (
            ("0001", False), ("0002", True), ("0003", True),  # 0003 only acts on a server
            ("0004", True))
        assert not ({"audit_log", "app_user"} & tables) or revision in ("0002", "0003", "0004")
        assert ("photo" in tables) == (revision == "0004")
        db = assert_sound(url)  # finishes the upgrade when the kill came first
        assert db.current_revision() == db.head_revision()
        after = content_hashes(db, skip=("alembic_version",))
        assert {k: after[k] for k in before} == before
        db.dispose()


def test_two_processes_writing_at_once_lose_nothing(tmp_path, empty_template):
    path = tmp_path / "shared.db"
    shutil.copy(empty_template, path)
    url = f"sqlite:///{path}"
    children = [start_child("save", url, prefix, "20") for prefix in ("A", "B")]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_out, err) in zip(children, outputs):
        assert child.returncode == 0, err
        assert "locked" not in err
    acknowledged = {line for out, _ in outputs for line in out.split() if line != "ready"}
    assert len(acknowledged) == 40
    db = assert_sound(url)
    with db.read() as session:
        assert set(session.scalars(select(Patient.mrn))) == acknowledged
    db.dispose()


def test_check_passes_after_the_crashes(tmp_path, empty_template, capsys):
    from app.cli.clinic import cmd_check

    path = tmp_path / "clinic.db"
    shutil.copy(empty_template, path)
    url = f"sqlite:///{path}"
    kill_at_random(start_child("save", url, "C", "500"), random.Random(5), acks_first=3,
                   run_for=0.02)
    assert cmd_check(argparse.Namespace(db=str(path))) == 0
    assert "check passed" in capsys.readouterr().out.splitlines()[-1]
