"""Opening an up-to-date database does not load Alembic (start-up time), and the quick
look at the migration scripts names the same head as Alembic does."""
from __future__ import annotations

import subprocess
import sys

from app.db import Database
from app.migrations import newest_revision


def test_newest_revision_is_alembics_head(db):
    assert newest_revision() == db.head_revision() == db.current_revision()


def test_an_up_to_date_database_opens_without_alembic(db, db_url):
    code = ("import sys; from app.db import Database; Database.open(%r, create=False); "
            "print('alembic' in sys.modules)" % db_url)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_an_older_database_is_still_upgraded(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Database.open(url, migrate=False)
    from alembic import command

    command.upgrade(old.alembic_config(), "0001")
    old.dispose()
    upgraded = Database.open(url)
    assert upgraded.current_revision() == newest_revision()
    upgraded.dispose()
