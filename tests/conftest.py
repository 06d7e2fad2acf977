"""Shared fixtures. Qt must run offscreen: set before anything imports PySide6."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DFU_MONITOR_TESTING", "1")

import datetime as dt  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

DATA = Path(__file__).parent / "data"
GOLDEN_CSV = DATA / "visits_public.csv"
GOLDEN_JSON = DATA / "expected_public.json"


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


@pytest.fixture
def golden_db(db, actor):
    """A fresh database holding the public golden visit sheet."""
    from app.services.visit_sheet import import_visit_sheet

    import_visit_sheet(db, GOLDEN_CSV.read_text(encoding="utf-8"), actor=actor,
                       today=dt.date(2026, 11, 27))
    return db


@pytest.fixture
def demo_db(db):
    """A small deterministic demo clinic (40 patients)."""
    from app.services.demo import seed_demo

    seed_demo(db, patients=40, seed=7, anchor=dt.date(2026, 11, 27))
    return db
