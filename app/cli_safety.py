"""Command-line safety of records: `user add`, `user list`, `backup`, `restore`, `audit`.

Writes are attributed to `cli:<operating-system login>` (app.services.actor.cli_actor), the
way a database trusts a peer on the same machine.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli import CliError, open_db
from app.db import resolve_db_url


def register(add) -> None:
    sub = add("user", cmd_user, "manage user accounts (user add NAME --role ROLE; user list)")
    actions = sub.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add_user = actions.add_parser("add", help="add an account; the password is asked twice "
                                              "(or read from two lines of standard input)")
    add_user.add_argument("name")
    add_user.add_argument("--role", required=True, choices=("nurse", "doctor", "staff", "admin"))
    actions.add_parser("list", help="list the accounts")
    sub = add("backup", cmd_backup, "write an online backup of the database to FILE")
    sub.add_argument("file")
    sub = add("restore", cmd_restore, "replace the database with the backup FILE, after "
                                      "checking it; the replaced database is kept")
    sub.add_argument("file")
    sub = add("audit", cmd_audit, "print the audit trail (who changed what, when, and why)")
    sub.add_argument("--mrn", help="only the rows of this patient")
    sub.add_argument("--json", action="store_true", help="a JSON list of objects")
    sub.add_argument("--limit", type=int, default=None, help="only the newest N rows")


def read_new_password(prompt: str = "Password") -> str:
    """Twice from the terminal, or two lines of standard input when that is not a terminal."""
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        first = getpass.getpass(f"{prompt}: ")
        second = getpass.getpass(f"{prompt} again: ")
    else:
        lines = sys.stdin.read().splitlines() if sys.stdin is not None else []
        if len(lines) < 2:
            raise CliError("give the password twice, on two lines of standard input")
        first, second = lines[0], lines[1]
    if first != second:
        raise CliError("the two passwords differ; nothing was changed")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from app.services.actor import cli_actor
    from app.services.users import add_user, check_new_password, list_users

    db = open_db(args, create=True)
    if args.user_command == "list":
        with db.read() as session:
            for user in list_users(session):
                state = "active" if user.active else "inactive"
                print(f"{user.username}\t{user.role}\t{state}")
        return 0
    password = read_new_password()
    check_new_password(password)
    with db.write() as session:
        add_user(session, args.name, password, args.role, actor=cli_actor())
    print(f"user {args.name} added with the role {args.role}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from app.services.actor import cli_actor
    from app.services.backup import backup_database

    db = open_db(args)
    written = backup_database(db, Path(args.file), actor=cli_actor())
    print(f"backup written to {written} ({written.stat().st_size // 1024} KiB)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.services.actor import cli_actor
    from app.services.backup import RestoreRefused, restore_database

    url = resolve_db_url(args.db)
    try:
        result = restore_database(url, Path(args.file), actor=cli_actor(),
                                  passphrase=_passphrase_if_needed(url))
    except RestoreRefused as exc:
        for problem in exc.problems:
            print(f"refused: {problem}", file=sys.stderr)
        raise
    kept = f"; the replaced database is kept at {result.kept}" if result.kept else ""
    print(f"restored {url} from {result.source} (schema {result.revision}){kept}")
    return 0


def _passphrase_if_needed(url: str) -> str | None:
    """The passphrase of an encrypted clinic database, asked at the terminal if not in the
    environment (the restore must key both the backup and the database)."""
    import os

    from app import db_files
    from app.db import PASSPHRASE_ENV_VAR, sqlite_path

    path = sqlite_path(url)
    if os.environ.get(PASSPHRASE_ENV_VAR) or path is None or not path.is_file():
        return None
    if db_files.is_plain_sqlite(path) or not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass("Passphrase of the database: ")


def cmd_audit(args: argparse.Namespace) -> int:
    from app.services.audit import list_audit
    from app.services.history import get_patient_by_mrn

    db = open_db(args)
    with db.read() as session:
        patient_id = get_patient_by_mrn(session, args.mrn).id if args.mrn else None
        rows = list_audit(session, patient_id=patient_id, limit=args.limit)
    if args.json:
        print(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        what = f"{r.table} {r.row_id} {r.field}: {r.old!r} -> {r.new!r}" if r.table else r.new
        why = f" (reason: {r.reason})" if r.reason else ""
        print(f"{r.at:%Y-%m-%d %H:%M:%S}Z  {r.user}  {r.action}  {what}{why}")
    return 0


# -- opening, init --encrypt and check (called from app.cli) ---------------------------------
def open_database(url: str, *, create: bool = False, **options):
    """Database.open, asking for the passphrase at the terminal when the file is encrypted
    and $DFU_MONITOR_PASSPHRASE is not set."""
    from app.db import Database, PassphraseNeeded

    try:
        return Database.open(url, create=create, **options)
    except PassphraseNeeded:
        if sys.stdin is None or not sys.stdin.isatty():
            raise
    import getpass

    return Database.open(url, create=create, passphrase=getpass.getpass("Passphrase: "),
                         **options)


def init_database(args: argparse.Namespace) -> int:
    """`init [--encrypt]`: create the database (encrypted with SQLCipher) or upgrade it."""
    import os

    from app.db import PASSPHRASE_ENV_VAR, sqlite_path

    url = resolve_db_url(args.db)
    passphrase = None
    if getattr(args, "encrypt", False):
        path = sqlite_path(url)
        if path is None:
            raise CliError("--encrypt is for a database file; a database server encrypts its "
                           "own storage")
        if path.exists() and path.stat().st_size:
            raise CliError(f"{path} already exists: init --encrypt makes a new database "
                           "(restore a backup into it afterwards)")
        passphrase = os.environ.get(PASSPHRASE_ENV_VAR)
        if passphrase is None:
            if sys.stdin is None or not sys.stdin.isatty():
                raise CliError(f"give the passphrase in {PASSPHRASE_ENV_VAR} or run from a "
                               "terminal")
            passphrase = read_new_password("Passphrase")
        if len(passphrase) < 12:
            raise CliError("a passphrase needs at least 12 characters")
    db = open_database(url, create=True, migrate=False, passphrase=passphrase)
    before = db.current_revision()
    db.migrate()
    after = db.current_revision()
    state = "created" if before is None else ("upgraded" if before != after else "up to date")
    encrypted = " (encrypted)" if db.passphrase is not None else ""
    print(f"database {state} at schema {after}{encrypted}: {db.url}")
    return 0


def check_database(args: argparse.Namespace) -> int:
    """`check`: integrity, foreign keys, schema and the audit chain; one verdict line last.

    Read-only and without migrating: checking never changes the file it checks.
    """
    from app.db import DatabaseError

    url = resolve_db_url(args.db)
    try:
        db = open_database(url, migrate=False, read_only=True)
    except DatabaseError as exc:
        raise CliError(f"check FAILED: {exc}") from None
    problems: list[str] = []
    notes: list[str] = []
    try:
        problems += [f"integrity: {p}" for p in db.integrity_problems()]
        if not problems:
            problems += [f"foreign key: {p}" for p in db.foreign_key_problems()]
            problems += _schema_and_chain(db, notes)
    except Exception as exc:  # a damaged file can fail anywhere: say so, never a traceback
        problems.append(f"unreadable: {(str(exc).splitlines() or [''])[0][:200]}")
    finally:
        db.dispose()
    for problem in problems:
        print(problem)
    if problems:
        raise CliError(f"check FAILED: {len(problems)} problem(s) in {url}")
    print(f"check passed: integrity ok, foreign keys ok, {', '.join(notes)} ({url})")
    return 0


def _schema_and_chain(db, notes: list[str]) -> list[str]:
    from sqlalchemy import inspect

    from app.services.audit import verify_chain
    from app.services.backup import known_revisions

    revision = db.current_revision()
    if revision not in known_revisions():
        return [f"schema: {revision} is not a schema of this program"]
    notes.append(f"schema {revision}")
    with db.engine.connect() as connection:
        has_trail = inspect(connection).has_table("audit_log")
    if not has_trail:
        notes.append("no audit trail yet (added when the database is next opened)")
        return []
    with db.read() as session:
        report = verify_chain(session)
    if not report.ok:
        return [f"audit chain: {report.problem}"]
    notes.append(f"audit chain ok ({report.rows} rows)")
    return []
