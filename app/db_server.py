"""A PostgreSQL clinic server: engine, writer lock, notifications, pg_dump and pg_restore.

The companion of app/db.py for a database server, as app/db_files.py is for an SQLite file:
with app/db_server_link.py (its connections and transactions in few round trips), the only
other place that speaks PostgreSQL's own SQL (docs/reliability.md, "Storage").

- Writers are serialised as SQLite's BEGIN IMMEDIATE serialises them: every write
  transaction first takes one transaction-level advisory lock (`pg_advisory_xact_lock`),
  released by the server at COMMIT or ROLLBACK, or when a killed client's connection drops.
  So the audit hash chain stays one chain, and an edit reads the version the last writer left.
- Change notifications: NOTIFY inside the writing transaction (in its COMMIT's message),
  delivered by the server only if that transaction commits (app/services/change_feed.py
  listens).
- Backups: pg_dump's custom format; restores with pg_restore into an empty database. The
  password travels in the tool's environment (PGPASSWORD), never on its command line.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterable

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from app import db_server_link
from app.db_server_link import CHANNEL as CHANNEL  # re-exported: the NOTIFY channel
from app.db_server_link import WRITE_LOCK_KEY as WRITE_LOCK_KEY

CONNECT_TIMEOUT = 10  # seconds
# libpq's environment variable for each connection keyword the URL may carry.
_LIBPQ_ENV = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
              "dbname": "PGDATABASE", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
              "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "sslcrl": "PGSSLCRL",
              "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME",
              "options": "PGOPTIONS", "target_session_attrs": "PGTARGETSESSIONATTRS",
              "service": "PGSERVICE", "passfile": "PGPASSFILE"}


class ToolFailed(Exception):
    """pg_dump or pg_restore is missing or failed; the message is for the user."""


def is_server(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def server_engine(url: str) -> Engine:
    """The engine for a server, in few round trips (app/db_server_link.py): no ping per
    checkout yet reconnecting by itself, reads without BEGIN, write transactions that begin
    with the writer lock and the audit chain's head in one message, NOTIFY with COMMIT."""
    engine = create_engine(url, hide_parameters=True,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT,
                                         "application_name": "dfu-monitor"})
    db_server_link.install(engine)
    return engine


def take_write_lock(connection: Connection) -> tuple[tuple[int, str] | None] | None:
    """The clinic's writer lock until this transaction ends (re-entrant, PostgreSQL only);
    a write transaction of app.db.Database.write() took it at BEGIN already, and read the
    audit chain's head with it: returned once, in a 1-tuple (else None)."""
    if not is_server(connection):
        return None
    if not connection.get_execution_options().get("dfu_write"):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
    return db_server_link.take_chain_head(connection)


def read_options(bind: Engine) -> dict[str, object]:
    """Execution options of a read-only unit of work (on a server: no BEGIN, no ROLLBACK)."""
    return db_server_link.read_options() if is_server(bind) else {}


def write_options(bind: Engine) -> dict[str, object]:
    """Execution options of a write transaction (on a server: its BEGIN is ours)."""
    return db_server_link.write_options() if is_server(bind) else {"dfu_write": True}


def notify(connection: Connection, payload: str) -> None:
    """Queue a notification on CHANNEL: delivered to listeners when this transaction commits
    (sent with the COMMIT when the transaction is a write transaction of app.db)."""
    if is_server(connection) and not db_server_link.queue_notify(connection, payload):
        connection.execute(text("SELECT pg_notify(:channel, :payload)"),
                           {"channel": CHANNEL, "payload": payload})


def listen(dbapi_connection) -> None:
    """LISTEN on CHANNEL with an autocommit psycopg connection (app.services.change_feed)."""
    dbapi_connection.execute(f"LISTEN {CHANNEL}")


def connect_parameters(url: str | URL) -> dict[str, object]:
    """psycopg's connection keywords for `url` (password included: keep it in memory)."""
    parsed = make_url(url) if isinstance(url, str) else url
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    _args, params = PGDialect_psycopg().create_connect_args(parsed)
    return {k: v for k, v in params.items() if v is not None}


def libpq_environment(url: str | URL) -> dict[str, str]:
    """The environment that points libpq tools (pg_dump, pg_restore, psql) at `url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, value in connect_parameters(url).items():
        name = _LIBPQ_ENV.get(key)
        if name is None:
            raise ToolFailed(f"the connection setting {key!r} cannot be passed to pg_dump")
        env[name] = str(value)
    return env


def find_tool(name: str) -> Path:
    """pg_dump / pg_restore: the newest in /usr/lib/postgresql/*/bin, else on PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1])
    on_path = shutil.which(name)
    if on_path is None:
        raise ToolFailed(f"{name} is not installed: install the PostgreSQL client tools "
                         "(Debian/Ubuntu: apt install postgresql-client)")
    return Path(on_path)


def _run(tool: str, args: Iterable[str], url: str | URL) -> None:
    command = [str(find_tool(tool)), *args]
    try:
        done = subprocess.run(command, env=libpq_environment(url), capture_output=True,
                              text=True, check=False, timeout=3600)
    except OSError as exc:
        raise ToolFailed(f"{tool} could not run: {exc.strerror}") from exc
    if done.returncode:
        detail = " ".join(done.stderr.split())[:400]
        raise ToolFailed(f"{tool} failed: {detail}")


def dump(url: str | URL, target: Path, *, exclude_table_data: Iterable[str] = ()) -> Path:
    """pg_dump's custom format (-Fc) of the whole database into `target`, written to
    `target.part` first: a failure leaves no half backup under the final name. Tables in
    `exclude_table_data` keep their definition but not their rows (photo bytes, copied apart:
    app.services.photo_backup)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    try:
        _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges",
                         *(f"--exclude-table-data={name}" for name in exclude_table_data),
                         f"--file={part}"], url)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)
    return target


def restore(url: str | URL, source: Path, *, sections: Iterable[str] = ()) -> None:
    """pg_restore `source` into the (empty) database of `url`, in one transaction: a failed
    restore leaves the database as it was. `sections` ("pre-data", "data", "post-data")
    restores part of it, so rows a dump left out can be put back before the constraints."""
    _run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                        "--single-transaction", *(f"--section={name}" for name in sections),
                        f"--dbname={_dbname(url)}", str(source)], url)


def _dbname(url: str | URL) -> str:
    return str(connect_parameters(url).get("dbname", ""))


def list_dump(source: Path) -> str:
    """pg_restore --list of a custom-format file (raises ToolFailed for anything else)."""
    command = [str(find_tool("pg_restore")), "--list", str(source)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode:
        raise ToolFailed(f"{source} is not a pg_dump custom-format backup: "
                         + " ".join(done.stderr.split())[:200])
    return done.stdout


# -- roles and grants: the server guards the data, whoever connects --------------------------
APP_ROLE = "dfu_app"


def secure_server(connection: Connection) -> list[str]:
    """Make the server itself enforce what the program promises; what was done, in words.

    The design (README, "Clinic server"): the tables belong to the administrator's role that
    runs `init` and the migrations. Workstations never connect as that role: each connects
    with a login role that is a member of the application role `dfu_app` (one per
    workstation or per person: CREATE ROLE nurse_station LOGIN PASSWORD '...' IN ROLE
    dfu_app). `dfu_app` may read and write the clinical tables, and may only read and
    append to the audit trail:

    - audit_log: UPDATE, DELETE and TRUNCATE revoked from PUBLIC and from dfu_app; only
      SELECT and INSERT granted. Triggers refuse UPDATE and DELETE (row level, migration
      0002) and TRUNCATE (statement level) for everyone, the owner included;
    - every other table: SELECT, INSERT, UPDATE, DELETE; the id sequences: USAGE, SELECT;
      tables created by later migrations get the same by default privileges;
    - dfu_app owns nothing, so it cannot drop or disable a trigger, nor grant itself more.

    The role is created when absent and the migrating role may create roles; otherwise the
    grants wait for an administrator (the triggers and revokes are made regardless).
    """
    done = _guard_audit_truncate(connection)
    connection.exec_driver_sql("REVOKE ALL ON audit_log FROM PUBLIC")
    done.append("audit_log: nothing granted to PUBLIC")
    if not _ensure_app_role(connection):
        done.append(f"role {APP_ROLE} absent and not creatable by this role: no grants made")
        return done
    run = connection.exec_driver_sql
    run(f"GRANT USAGE ON SCHEMA {_schema(connection)} TO {APP_ROLE}")
    run(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
        f"{_schema(connection)} TO {APP_ROLE}")
    run(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM {APP_ROLE}")
    run(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}")
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema(connection)} TO {APP_ROLE}")
    run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema(connection)} GRANT SELECT, INSERT, "
        f"UPDATE, DELETE ON TABLES TO {APP_ROLE}")
    run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema(connection)} GRANT USAGE, SELECT ON "
        f"SEQUENCES TO {APP_ROLE}")
    done.append(f"{APP_ROLE}: read and write the clinical tables; audit_log SELECT and "
                "INSERT only")
    return done


def _schema(connection: Connection) -> str:
    return connection.exec_driver_sql("SELECT quote_ident(current_schema())").scalar()


def _guard_audit_truncate(connection: Connection) -> list[str]:
    exists = connection.exec_driver_sql(
        "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_log_no_truncate' "
        "AND tgrelid = 'audit_log'::regclass").scalar()
    if not exists:
        connection.exec_driver_sql(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")
    return ["audit_log: UPDATE, DELETE and TRUNCATE refused by triggers"]


def _ensure_app_role(connection: Connection) -> bool:
    """True when the application role exists (created here if this role may)."""
    if connection.exec_driver_sql(
            f"SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}'").scalar():
        return True
    may = connection.exec_driver_sql(
        "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
    if not may:
        return False
    connection.exec_driver_sql(f"CREATE ROLE {APP_ROLE} NOLOGIN")
    return True


def unsecure_server(connection: Connection) -> None:
    """Undo `secure_server` in this database (the role stays: other databases may use it)."""
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    if connection.exec_driver_sql(
            f"SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}'").scalar():
        schema = _schema(connection)
        connection.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL "
                                   f"ON TABLES FROM {APP_ROLE}")
        connection.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL "
                                   f"ON SEQUENCES FROM {APP_ROLE}")
        connection.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM "
                                   f"{APP_ROLE}")
        connection.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM "
                                   f"{APP_ROLE}")
        connection.exec_driver_sql(f"REVOKE ALL ON SCHEMA {schema} FROM {APP_ROLE}")


# -- state of a database ----------------------------------------------------------------------
def user_tables(connection: Connection) -> list[str]:
    """The tables of the current schema (an empty list: an empty database)."""
    return sorted(inspect(connection).get_table_names())


def advance_sequences(connection: Connection, tables: Iterable[str]) -> None:
    """Move each table's id sequence past its largest id (after rows written with explicit
    ids: a demo clinic, a copied clinic, a restore), so the next insert gets a fresh id; and
    ANALYZE the tables (counting this transaction's rows), so the planner does not take them
    for empty until autovacuum comes by: a save's episode query walked every visit of the
    clinic meanwhile (bench/README.md, "Server mode"). A role that does not own the tables
    gets a warning from the server, not an error."""
    if not is_server(connection):
        return
    tables = list(tables)
    if tables:
        quote = connection.dialect.identifier_preparer.quote
        connection.exec_driver_sql("ANALYZE " + ", ".join(quote(t) for t in tables))
    for table in tables:
        sequence = connection.execute(text(
            "SELECT pg_get_serial_sequence(:t, 'id') FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = :t AND column_name = 'id'"),
            {"t": table}).scalar()
        if sequence is None:
            continue
        connection.execute(text(
            f'SELECT setval(:s, coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'),
            {"s": sequence})


def drop_everything(connection: Connection) -> None:
    """Empty the database again after a refused restore (it was empty before)."""
    for table in user_tables(connection):
        connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    functions = connection.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
        "ON n.oid = p.pronamespace WHERE n.nspname = current_schema()").scalars().all()
    for function in functions:
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")


def foreign_key_problems(connection: Connection) -> tuple[int, list[str]]:
    """Every foreign key checked by a query (the server enforces them; this proves it):
    (constraints checked, rows whose parent is missing)."""
    inspector = inspect(connection)
    checked, problems = 0, []
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            checked += 1
            parent = fk["referred_table"]
            joins = " AND ".join(f'p."{r}" = c."{c}"' for c, r in
                                 zip(fk["constrained_columns"], fk["referred_columns"]))
            present = " AND ".join(f'c."{c}" IS NOT NULL' for c in fk["constrained_columns"])
            missing = connection.exec_driver_sql(
                f'SELECT count(*) FROM "{table}" c WHERE {present} AND NOT EXISTS '
                f'(SELECT 1 FROM "{parent}" p WHERE {joins})').scalar()
            if missing:
                problems.append(f"{missing} row(s) of {table} refer to a missing {parent}")
    return checked, problems


def unvalidated_constraints(connection: Connection) -> list[str]:
    """Constraints the server has not validated (NOT VALID): not guaranteed to hold."""
    rows = connection.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = current_schema() AND NOT c.convalidated").fetchall()
    return [f"constraint {name} on {table} is not validated" for table, name in rows]


def describe_operational_error(exc: BaseException) -> tuple[str, str]:
    """("busy" | "lost", message) for a psycopg OperationalError, in the user's words."""
    orig = getattr(exc, "orig", exc)
    if type(orig).__name__ in ("LockNotAvailable", "QueryCanceled"):
        return "busy", ("another workstation kept the clinic database busy for too long: "
                        "nothing was saved. Save again in a moment (what you typed is kept).")
    return "lost", ("the connection to the clinic database server was lost: nothing was "
                    "saved, the server rolled the change back. Check the network; DFU "
                    "Monitor reconnects by itself, then save again (what you typed is kept).")
