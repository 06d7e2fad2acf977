"""A throwaway PostgreSQL cluster for the tests, as pytest-postgresql does it.

initdb and pg_ctl from the installed binaries (/usr/lib/postgresql/*/bin, or PATH) in a
temporary folder; the server listens only on a Unix socket in that folder
(listen_addresses = ''), with fsync off for speed. Each pytest process (each xdist worker)
starts its own cluster, so workers never share one. initdb refuses to run as root: as root
the server runs as the `postgres` OS user (or `nobody`) in a folder that user owns.

Every test gets a fresh database copied from a template that already holds the migrated
schema (CREATE DATABASE ... TEMPLATE), so no test pays for the migrations.
"""
from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "postgres"
PORT = 5432  # only names the socket file (.s.PGSQL.5432) in the cluster's own folder
TEMPLATE = "dfu_template"


class NotAvailable(Exception):
    """PostgreSQL cannot run here; the message is the skip reason."""


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or the folder of initdb on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _server_user() -> pwd.struct_passwd | None:
    """Who runs initdb and the server: None for the current user, an unprivileged one as root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise NotAvailable("running as root and neither a 'postgres' nor a 'nobody' user exists "
                       "to run the PostgreSQL server")


def _demote(user: pwd.struct_passwd | None):
    if user is None:
        return None

    def run_as_user() -> None:  # in the child, before exec
        os.setgid(user.pw_gid)
        os.setgroups([])
        os.setuid(user.pw_uid)

    return run_as_user


@dataclass
class Cluster:
    """One running cluster: its folder (which holds the socket) and database URLs."""

    bin_dir: Path
    root: Path
    user: pwd.struct_passwd | None = None
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str, *, user: str = SUPERUSER) -> str:
        """The URL form the checks use: postgresql+psycopg://USER@/DB?host=SOCKET&port=PORT."""
        return (f"postgresql+psycopg://{user}@/{database}?host={self.socket_dir}"
                f"&port={PORT}")

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = env["LANG"] = "C.UTF-8"
        return subprocess.run([str(self.bin_dir / args[0]), *args[1:]], env=env, cwd=self.root,
                              preexec_fn=_demote(self.user), capture_output=True, text=True,
                              timeout=timeout, check=False)

    def start(self) -> None:
        done = self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                         "-E", "UTF8", "--no-sync", "--no-instructions")
        if done.returncode:
            raise NotAvailable(f"initdb failed: {done.stderr.strip()[-300:]}")
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
                   f"-c port={PORT} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=60 -c shared_buffers=16MB "
                   "-c unix_socket_permissions=0777")
        done = self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                         str(self.root / "server.log"), "-w", "-t", "30", "start")
        if done.returncode:
            log = (self.root / "server.log")
            tail = log.read_text(errors="replace")[-400:] if log.exists() else ""
            raise NotAvailable(f"pg_ctl start failed: {done.stderr.strip()[-200:]} {tail}")

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        """Stop (dropping every connection) and start the server again: a lost server."""
        done = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-l",
                         str(self.root / "server.log"), "-w", "restart")
        if done.returncode:
            raise RuntimeError(f"pg_ctl restart failed: {done.stderr}")

    def remove(self) -> None:
        if self.root.exists():
            self.stop()
            shutil.rmtree(self.root, ignore_errors=True)

    # -- databases ----------------------------------------------------------------------------
    def sql(self, statement: str, *, database: str = "postgres") -> list[tuple]:
        """Run one statement as the superuser (autocommit) and return its rows."""
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), port=PORT, user=SUPERUSER,
                             dbname=database, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, *, template: str | None = TEMPLATE) -> str:
        """A fresh database (empty from template0, or a copy of the migrated template)."""
        name = f"t{os.getpid()}_{next(self._numbers)}"
        source = template or "template0"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {source} STRATEGY FILE_COPY")
        return name

    def prepare_template(self) -> None:
        """The template database holding the migrated schema (once per cluster)."""
        from app.db import Database

        self.sql(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0")
        database = Database.open(self.url(TEMPLATE))
        database.dispose()


OWNER_FILE = "owner.pid"


def reap_stale_clusters(bin_dir: Path, user) -> None:
    """Stop and remove the clusters of test processes that died without cleaning up (a
    killed xdist worker): each cluster folder names the pid of the process that owns it."""
    for folder in glob.glob("/tmp/dfu-pg-*"):
        owner = Path(folder) / OWNER_FILE
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 0)
            continue  # its owner is alive
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        Cluster(bin_dir=bin_dir, root=Path(folder), user=user).remove()


def start_cluster() -> Cluster:
    """Start a cluster in a new temporary folder; NotAvailable says why it cannot."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise NotAvailable("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin "
                           "or on PATH): apt-get install postgresql")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise NotAvailable("the psycopg driver is not installed") from None
    user = _server_user()
    reap_stale_clusters(bin_dir, user)
    # /tmp keeps the socket's path short (Unix sockets allow about 107 characters)
    root = Path(tempfile.mkdtemp(prefix="dfu-pg-", dir="/tmp" if os.path.isdir("/tmp")
                                 else None))
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    os.chmod(root, 0o755)
    (root / OWNER_FILE).write_text(str(os.getpid()))
    cluster = Cluster(bin_dir=bin_dir, root=root, user=user)
    atexit.register(cluster.remove)  # also when the session ends abnormally
    try:
        cluster.start()
        cluster.prepare_template()
    except BaseException:
        cluster.remove()
        raise
    return cluster


def wait_until(condition, *, timeout: float = 10.0, every: float = 0.05) -> bool:
    """Poll `condition` until it is true or `timeout` seconds pass (a generous wait, never a
    timed assertion): returns the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return bool(result)
        time.sleep(every)


def sqlite_only(reason: str):
    """Mark a test of a module whose `db_url` is `any_db_url` as about the SQLite file only."""
    import pytest

    return pytest.mark.parametrize("any_db_url", ["sqlite"], indirect=True, ids=[reason])
