"""The clinic server this PC connects to: the URL built from its parts, and remembered per PC.

A workstation of a multi-PC clinic (README, "Several workstations (PostgreSQL)") connects to a
PostgreSQL server: host, port, database, the database user, and the TLS mode (libpq's
`sslmode`: disable, prefer, require, verify-full, with an optional CA file). The choice made
at first start is remembered in `server.json` in this PC's user config folder (platformdirs),
so later starts connect to the same server. The password is never part of it: a
`ServerConnection` has no password field, the URL gets one only in memory (`url(password)`),
and `describe()` is what the window and messages show (docs/reliability.md, "People").
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

APP_NAME = "dfu-monitor"
FILE_NAME = "server.json"
DEFAULT_PORT = 5432
TLS_MODES = ("disable", "prefer", "require", "verify-full")
DRIVER = "postgresql+psycopg"


class ConnectionSettingsError(ValueError):
    """A server connection that cannot be used as typed; the message says which part."""


@dataclass(frozen=True)
class ServerConnection:
    """Where the clinic server is and who connects (never the password)."""

    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT
    tls: str = "prefer"
    ca_file: str = ""

    def __post_init__(self) -> None:
        for name in ("host", "database", "user"):
            if not str(getattr(self, name)).strip():
                raise ConnectionSettingsError(f"the {name} of the clinic server is missing")
        if not 1 <= int(self.port) <= 65535:
            raise ConnectionSettingsError(f"the port {self.port} is not between 1 and 65535")
        if self.tls not in TLS_MODES:
            raise ConnectionSettingsError(f"the TLS mode {self.tls!r} is not one of "
                                          + ", ".join(TLS_MODES))

    @property
    def is_socket(self) -> bool:
        """A Unix-socket folder rather than a network host (a server on this machine)."""
        return self.host.startswith("/")

    def url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL (psycopg 3); with `password` only to open the connection —
        keep it in memory, never write or show it."""
        query: dict[str, str] = {"sslmode": self.tls}
        if self.ca_file:
            query["sslrootcert"] = self.ca_file
        host: str | None = self.host
        if self.is_socket:  # libpq takes a socket folder as the host parameter
            query.update(host=self.host, port=str(self.port))
            host = None
        built = URL.create(DRIVER, username=self.user, password=password or None, host=host,
                           port=None if self.is_socket else int(self.port),
                           database=self.database, query=query)
        return built.render_as_string(hide_password=False)

    def describe(self) -> str:
        """user@host:port/database (TLS mode): what the window and messages show."""
        return f"{self.user}@{self.host}:{self.port}/{self.database} (TLS {self.tls})"

    @classmethod
    def from_url(cls, url: str) -> ServerConnection:
        """The parts of a postgresql URL (its password, if any, is dropped)."""
        parsed = make_url(url.replace("postgresql://", f"{DRIVER}://", 1)
                          if url.startswith("postgresql://") else url)
        if parsed.get_backend_name() != "postgresql":
            raise ConnectionSettingsError("not a PostgreSQL server URL")
        query = {k: (v[-1] if isinstance(v, tuple) else v) for k, v in parsed.query.items()}
        host = query.get("host") or parsed.host or ""
        port = query.get("port") or parsed.port or DEFAULT_PORT
        return cls(host=host, database=parsed.database or "", user=parsed.username or "",
                   port=int(port), tls=query.get("sslmode", "prefer"),
                   ca_file=query.get("sslrootcert", ""))


def connection_file() -> Path:
    """This PC's remembered clinic server: server.json in the user config folder."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / FILE_NAME


def save_connection(connection: ServerConnection, path: Path | None = None) -> Path:
    """Remember `connection` for later starts (written whole, then renamed into place)."""
    path = path or connection_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(asdict(connection), indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")
    os.replace(part, path)
    return path


def load_connection(path: Path | None = None) -> ServerConnection | None:
    """The remembered clinic server; None when none was chosen or the file is unreadable."""
    path = path or connection_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {k: data[k] for k in ("host", "database", "user", "port", "tls", "ca_file")
                 if k in data}
        return ServerConnection(**known)
    except (OSError, ValueError, TypeError):
        return None


def forget_connection(path: Path | None = None) -> None:
    (path or connection_file()).unlink(missing_ok=True)
