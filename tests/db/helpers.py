"""Helpers for the reliability tests: content hashes, a flipped byte, running a child."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_child.py")
FIXTURE_0001 = ROOT / "tests" / "data" / "schema_0001.db"


def content_hashes(db, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """SHA-256 of every table's rows (in primary-key order): equal hashes, equal content."""
    from sqlalchemy import inspect

    hashes = {}
    with db.engine.connect() as connection:
        tables = sorted(inspect(connection).get_table_names())  # SQLite and PostgreSQL
        for table in tables:
            if table in skip:
                continue
            rows = connection.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            hashes[table] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    return hashes


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def flip_bytes(path: Path, *, offset: int, count: int = 64) -> None:
    """Damage a copy of a database the way a failing disk does: garbage inside a page."""
    data = bytearray(Path(path).read_bytes())
    for i in range(offset, min(offset + count, len(data))):
        data[i] ^= 0x5A
    Path(path).write_bytes(bytes(data))


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DFU_MONITOR_DB",
                                                             "DFU_MONITOR_PASSPHRASE")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def start_child(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT)


_TEMPLATES: dict[str, Path] = {}


def golden_copy(tmp_path_factory, target: Path):
    """A fresh Database at `target` holding the golden sheet: imported once per test session,
    then copied (a closed single-file database), so each test pays a copy, not an import."""
    import datetime as dt

    from app.db import Database
    from app.services.actor import Actor
    from app.services.visit_sheet import import_visit_sheet
    from tests.conftest import GOLDEN_CSV

    if "golden" not in _TEMPLATES:
        folder = tmp_path_factory.mktemp("golden-template")
        live = Database.open(f"sqlite:///{folder / 'live.db'}")
        import_visit_sheet(live, GOLDEN_CSV.read_text(encoding="utf-8"),
                           actor=Actor("nurse.test", "nurse"), today=dt.date(2026, 11, 27))
        _TEMPLATES["golden"] = live.backup_to(folder / "golden.db")
        live.dispose()
    import shutil

    shutil.copy(_TEMPLATES["golden"], target)
    return Database.open(f"sqlite:///{target}", create=False)
