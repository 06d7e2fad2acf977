"""The benchmark's demo clinics: seeded once with `seed-demo`, kept in a cache folder.

A cached clinic is reused while the schema (the Alembic head), the number of patients and the
seeder's source match; otherwise `main.py seed-demo --patients N` builds it again in a
subprocess, and the wall time of that command is the `seed_demo` metric. Metrics that write
(saving visits, batch reports) run on a working copy made with SQLite's online backup, so the
cached clinic never changes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 1


@dataclass(frozen=True)
class Clinic:
    """One cached demo database and how it was made."""

    path: Path
    patients: int
    seed_seconds: float  # wall time of the seed-demo command that built it
    built_now: bool
    built_at: str

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("dfu-monitor", appauthor=False) / "bench"


def schema_head() -> str:
    """The newest migration, without opening any database."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "app" / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def seeder_version() -> str:
    """A short hash of the demo seeder's source: a clinic seeded by an older seeder is stale
    even when the schema and the number of patients match."""
    source = (ROOT / "app" / "services" / "demo.py").read_bytes()
    return hashlib.sha256(source).hexdigest()[:8]


def _stored_revision(path: Path) -> str | None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            connection.close()
    except (sqlite3.Error, TypeError):
        return None


def clinic(cache_dir: Path, patients: int, *, rebuild: bool = False,
           log=print) -> Clinic:
    """The cached clinic of `patients` demo patients, (re)built when missing or stale."""
    head = schema_head()
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"demo-{patients}-seed{SEED}-{head}-{seeder_version()}.db"
    meta_path = path.with_suffix(".json")
    if not rebuild and path.exists() and meta_path.exists() and _stored_revision(path) == head:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("patients") == patients:
            return Clinic(path, patients, meta["seed_seconds"], False, meta["built_at"])
    for old in cache_dir.glob(f"demo-{patients}-seed{SEED}-*"):
        old.unlink()  # another schema, or a rebuild: never mix two clinics
    log(f"seeding {patients} demo patients into {path} ...")
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(path), "seed-demo",
         "--patients", str(patients), "--seed", str(SEED)],
        cwd=ROOT, capture_output=True, text=True, env=_clean_env())
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"seed-demo failed: {completed.stderr.strip()}")
    log(f"  {completed.stdout.strip()} in {seconds:.1f} s")
    built_at = dt.datetime.now().isoformat(timespec="seconds")
    meta_path.write_text(json.dumps({"patients": patients, "head": head, "seed": SEED,
                                     "seed_seconds": seconds, "built_at": built_at,
                                     "output": completed.stdout.strip()}, indent=2),
                         encoding="utf-8")
    return Clinic(path, patients, seconds, True, built_at)


def working_copy(source: Clinic, target: Path) -> Path:
    """A consistent copy of `source` (SQLite online backup) that metrics may write to."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source.path}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def remove_copy(target: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    backups = target.parent / "backups"
    if backups.is_dir() and not any(backups.iterdir()):
        backups.rmdir()


def long_history_patient(path: Path, *, within: int) -> tuple[int, str, int]:
    """(id, MRN, visits) of the patient among the first `within` with exactly two ulcer
    episodes and the most visits (the issue's "60 visits and 2 ulcers"); lowest id on a tie.
    The demo seeder is deterministic, so the same id is the same patient in every clinic."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT p.id, p.mrn, (SELECT count(*) FROM visit v WHERE v.patient_id = p.id "
            "AND v.deleted_at IS NULL) AS visits FROM patient p "
            "WHERE p.id <= ? AND p.deleted_at IS NULL "
            "AND (SELECT count(*) FROM ulcer u WHERE u.patient_id = p.id) = 2 "
            "ORDER BY visits DESC, p.id LIMIT 1", (within,)).fetchone()
    finally:
        connection.close()
    if row is None:
        raise RuntimeError(f"no patient with two ulcers among the first {within}")
    return row


def batch_window(path: Path, *, patients: int = 200) -> tuple[str, str, int]:
    """(since, until, count): the earliest run of whole visit dates whose distinct patients
    come closest to `patients`, for `report --seen-since SINCE --until UNTIL`.

    The earliest dates belong to the longest follow-ups, so this batch is the heavy end of
    what a clinic prints (long assessment tables)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT visit_date, patient_id FROM visit WHERE deleted_at IS NULL "
            "ORDER BY visit_date").fetchall()
    finally:
        connection.close()
    if not rows:
        raise RuntimeError("the clinic has no visits")
    seen: set[int] = set()
    best = (rows[0][0], rows[0][0], 0)
    for index, (on, patient_id) in enumerate(rows):
        seen.add(patient_id)
        last_of_day = index + 1 == len(rows) or rows[index + 1][0] != on
        if last_of_day:
            if abs(len(seen) - patients) <= abs(best[2] - patients):
                best = (rows[0][0], on, len(seen))
            if len(seen) >= patients:
                break
    return best


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DFU_MONITOR_DB", None)
    # An installed program loads its modules' .pyc files (pip compiles them at install): a
    # shell's PYTHONDONTWRITEBYTECODE would make every probe compile the application's own
    # modules again, ~35 ms of a start-up (bench/README.md, "Method"). __pycache__ is ignored.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def clean_env() -> dict[str, str]:
    """The environment for every probe: offscreen Qt, no database from the user's shell,
    compiled modules written and reused."""
    return _clean_env()
