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
    hashes = {}
    with db.engine.connect() as connection:
        tables = [r[0] for r in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
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
