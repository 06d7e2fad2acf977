"""A clinic server: `migrate --to URL` copies this SQLite clinic into an empty PostgreSQL
database (app.services.clinic_migration), leaving the file untouched."""
from __future__ import annotations

import argparse

from app.cli.common import CliError, add_command, command_actor, open_database, shown_url
from app.db import resolve_db_url


def register(commands: argparse._SubParsersAction) -> None:
    sub = add_command(commands, "migrate", cmd_migrate,
                      "copy this SQLite clinic into an empty PostgreSQL database, then verify "
                      "the counts and every patient's summary (the file is not changed)")
    sub.add_argument("--to", dest="target", required=True, metavar="URL",
                     help="the empty server database, postgresql://user@host/database "
                          "(a password is better in ~/.pgpass or PGPASSWORD than in the URL)")


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.services.actor import ROLE_PERMISSIONS
    from app.services.clinic_migration import migrate_clinic

    source_url = resolve_db_url(args.db)
    target_url = _server_url(args.target)
    source = open_database(source_url, create=False, migrate=False, read_only=True)
    try:  # signing in reads the accounts only: the file stays as it is
        actor = command_actor(args, source)
        passphrase = source.passphrase
    finally:
        source.dispose()
    if "backup" not in ROLE_PERMISSIONS.get(actor.role, frozenset()):
        raise CliError(f"{actor.username} ({actor.role}) may not move the clinic: an "
                       "administrator does")

    def progress(table: str, rows: int) -> None:
        print(f"  {table}: {rows} rows")

    print(f"copying {shown_url(source_url)} to {shown_url(target_url)}")
    report = migrate_clinic(source_url, target_url, passphrase=passphrase, progress=progress)
    print(f"migrated: {report.total_rows} rows in {len(report.rows)} tables, the audit chain "
          f"verified, {report.patients_compared} patient summaries identical; the clinic "
          f"file is unchanged. Point every workstation at {report.target}")
    return 0


def _server_url(url: str) -> str:
    """A PostgreSQL URL for the psycopg driver (postgresql:// is accepted as typed)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise CliError("--to needs a database URL: postgresql://user@host/database") from None
    if parsed.get_backend_name() != "postgresql":
        raise CliError("--to needs a PostgreSQL URL: postgresql://user@host/database")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)
