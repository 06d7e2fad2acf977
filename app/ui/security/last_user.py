"""The last clinic user who signed in on this PC, to pre-fill the log-in box.

A small per-PC UI state file in the user config folder (platformdirs), one name per clinic
database (the URL is hashed, never stored); never a password, and never the operating-system
login. A missing or unreadable file only means nothing is pre-filled.
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from app.db import database_identity
from app.services.files import write_text_atomically

log = logging.getLogger("dfu_monitor.ui")
STATE_FILE = "ui-state.json"


def state_path() -> Path:
    from platformdirs import user_config_path

    from app.db import APP_NAME

    return user_config_path(APP_NAME, appauthor=False) / STATE_FILE


def _key(db_url: str) -> str:
    return hashlib.sha256(database_identity(db_url).encode("utf-8")).hexdigest()[:16]


def _read() -> dict:
    try:
        data = json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def last_user(db_url: str) -> str:
    """The clinic user who last signed in to `db_url` on this PC ("" when none)."""
    users = _read().get("last_user", {})
    name = users.get(_key(db_url)) if isinstance(users, dict) else None
    return name if isinstance(name, str) else ""


def remember_user(db_url: str, username: str) -> None:
    """Remember `username` for the next log-in box (a failure to write is only logged)."""
    data = _read()
    users = data.get("last_user")
    users = users if isinstance(users, dict) else {}
    users[_key(db_url)] = username
    data["last_user"] = users
    try:
        path = state_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, json.dumps(data, indent=1))
    except OSError:
        log.warning("could not remember the last user", exc_info=True)
