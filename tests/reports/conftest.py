"""One golden clinic per test module for the report tests that only read it."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import GOLDEN_CSV


@pytest.fixture(scope="module")
def golden_read_only(tmp_path_factory):
    """The public golden visit sheet, imported once per module; tests must not change it
    (those that change settings use the function-scoped `golden_db`)."""
    from app.db import Database
    from app.services.actor import Actor
    from app.services.visit_sheet import import_visit_sheet

    path = tmp_path_factory.mktemp("golden") / "clinic.db"
    database = Database.open(f"sqlite:///{path}")
    import_visit_sheet(database, GOLDEN_CSV.read_text(encoding="utf-8"),
                       actor=Actor("nurse.test", "nurse"), today=dt.date(2026, 11, 27))
    yield database
    database.dispose()
