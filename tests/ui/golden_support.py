"""The golden clinic imported once per test module, and a fresh copy of it for each test.

Importing the public golden sheet takes about two seconds; the window tests need it in almost
every test, and a copy made with SQLite's backup API takes milliseconds.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import GOLDEN_CSV


@pytest.fixture(scope="module")
def golden_template(tmp_path_factory) -> Path:
    from app.db import Database
    from app.services.actor import Actor
    from app.services.visit_sheet import import_visit_sheet

    path = tmp_path_factory.mktemp("golden") / "golden.db"
    database = Database.open(f"sqlite:///{path}")
    import_visit_sheet(database, GOLDEN_CSV.read_text(encoding="utf-8"),
                       actor=Actor("nurse.test", "nurse"), today=dt.date(2026, 11, 27))
    database.dispose()
    return path


@pytest.fixture
def golden_copy(golden_template, tmp_path):
    """A writable copy of the golden clinic (a Database), like conftest's `golden_db`."""
    from app.db import Database

    target = tmp_path / "clinic.db"
    source, copy = sqlite3.connect(golden_template), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    database = Database.open(f"sqlite:///{target}")
    yield database
    database.dispose()
