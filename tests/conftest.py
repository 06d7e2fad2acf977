"""Shared fixtures. Qt must run offscreen: set before anything imports PySide6."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DFU_MONITOR_TESTING", "1")

import datetime as dt
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
GOLDEN_CSV = DATA / "visits_public.csv"
GOLDEN_JSON = DATA / "expected_public.json"
# HEIC photos made once with pillow-heif (tests/data/photos/make_heic.py): pi-heif only reads.
HEIC_FIXTURES = DATA / "photos"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user data folder or $DFU_MONITOR_DB from a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("DFU_MONITOR_DB", raising=False)


@pytest.fixture(autouse=True)
def _qt_garbage_on_the_main_thread(request):
    """During a window test, no cyclic garbage collection (it could run in a worker thread and
    free Qt objects there, see app/ui/gc_guard.py); afterwards collect on the main thread and
    let Qt delete what was freed, before the next test paints anything."""
    if "ui" not in request.node.path.parts:
        yield
        return
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        from PySide6.QtCore import QCoreApplication, QEvent

        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        gc.enable()


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'clinic.db'}"


@pytest.fixture
def db(db_url):
    from app.db import Database

    database = Database.open(db_url)
    yield database
    database.dispose()


@pytest.fixture
def actor():
    from app.services.actor import Actor

    return Actor("nurse.test", "nurse")


GOLDEN_ACTOR = ("nurse.test", "nurse")


@pytest.fixture(scope="session")
def _golden_sqlite_template(tmp_path_factory) -> Path:
    """The golden sheet imported once per test process (each xdist worker has its own)."""
    from app.db import Database
    from app.services.actor import Actor
    from app.services.visit_sheet import import_visit_sheet

    path = tmp_path_factory.mktemp("golden-template") / "golden.db"
    database = Database.open(f"sqlite:///{path}")
    import_visit_sheet(database, GOLDEN_CSV.read_text(encoding="utf-8"),
                       actor=Actor(*GOLDEN_ACTOR), today=dt.date(2026, 11, 27))
    database.dispose()
    return path


@pytest.fixture
def golden_db(db, actor, db_url, request):
    """A fresh database holding the public golden visit sheet: on SQLite a copy of the
    session's imported template (SQLite's backup API), elsewhere imported for the test."""
    import sqlite3

    from app.services.visit_sheet import import_visit_sheet

    if db_url.startswith("sqlite:///") and (actor.username, actor.role) == GOLDEN_ACTOR:
        template = request.getfixturevalue("_golden_sqlite_template")
        db.engine.dispose()  # no open connection while the file's pages are replaced
        source, target = sqlite3.connect(template), sqlite3.connect(db_url[len("sqlite:///"):])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return db
    import_visit_sheet(db, GOLDEN_CSV.read_text(encoding="utf-8"), actor=actor,
                       today=dt.date(2026, 11, 27))
    return db


@pytest.fixture
def demo_db(db):
    """A small deterministic demo clinic (40 patients)."""
    from app.services.demo import seed_demo

    seed_demo(db, patients=40, seed=7, anchor=dt.date(2026, 11, 27))
    return db


# -- PostgreSQL: a throwaway cluster per test process (tests/pg_cluster.py) -------------------
def pytest_report_header(config):
    from tests.pg_cluster import find_bin_dir

    found = find_bin_dir()
    return (f"postgresql: {found} (server tests run on a throwaway cluster)" if found else
            "postgresql: not installed, the PostgreSQL tests are SKIPPED")


@pytest.fixture(scope="session")
def pg_cluster():
    """A running cluster of this test process; skips with the reason when there is none."""
    from tests.pg_cluster import NotAvailable, start_cluster

    try:
        cluster = start_cluster()
    except NotAvailable as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield cluster
    cluster.remove()


def _pg_database(cluster, template):
    name = cluster.create_database(template=template)
    yield cluster.url(name)
    cluster.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh PostgreSQL database holding the migrated (empty) schema."""
    yield from _pg_database(pg_cluster, "dfu_template")


@pytest.fixture
def pg_empty_url(pg_cluster):
    """A fresh PostgreSQL database with no tables at all."""
    yield from _pg_database(pg_cluster, None)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path):
    """The URL of a fresh clinic database on each backend (SQLite file, PostgreSQL)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clinic.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def any_db(any_db_url):
    from app.db import Database

    database = Database.open(any_db_url)
    yield database
    database.dispose()
