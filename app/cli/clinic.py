"""The clinic database itself: `init` (create, upgrade, encrypt, first administrator),
`seed-demo` and `check`."""
from __future__ import annotations

import argparse
import os
import sys

from app.cli.common import (
    CliError,
    add_command,
    command_actor,
    is_local_clinic,
    open_database,
    open_db,
    positive_int,
    read_new_password,
    shown_url,
    user_name,
)
from app.db import resolve_db_url


def register(commands: argparse._SubParsersAction) -> None:
    sub = add_command(commands, "init", cmd_init, "create the database or upgrade its schema")
    sub.add_argument("--encrypt", action="store_true",
                     help="make a new SQLCipher-encrypted database (passphrase asked, or "
                          "$DFU_MONITOR_PASSPHRASE)")
    sub.add_argument("--admin", dest="first_admin", metavar="NAME",
                     help="also create the first administrator account NAME (the password is "
                          "asked twice, or read from two lines of standard input); refused "
                          "once any account exists")
    sub = add_command(commands, "seed-demo", cmd_seed_demo,
                      "add synthetic patients with realistic histories")
    sub.add_argument("--patients", type=positive_int, default=300)
    sub.add_argument("--seed", type=int, default=1)
    add_command(commands, "check", cmd_check,
                "check integrity, foreign keys, schema and the audit chain")


# -- init -------------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    """`init [--encrypt] [--admin NAME]`: create the database (encrypted with SQLCipher) or
    upgrade it; with --admin, also its first administrator."""
    url = resolve_db_url(args.db)
    passphrase = _new_passphrase(url) if args.encrypt else None
    db = open_database(url, create=True, migrate=False, passphrase=passphrase)
    try:
        before = db.current_revision()
        admin_password = _first_admin_password(db, args) if args.first_admin else None
        if admin_password is None:
            _sign_in_before_upgrade(args, db, url, before)
        db.migrate()
        after = db.current_revision()
        if admin_password is not None:
            _create_first_admin(db, args.first_admin, admin_password)
    finally:
        db.dispose()
    state = "created" if before is None else ("upgraded" if before != after else "up to date")
    encrypted = " (encrypted)" if db.passphrase is not None else ""
    print(f"database {state} at schema {after}{encrypted}: {shown_url(db.url)}")
    if admin_password is not None:
        print(f"administrator {args.first_admin} created; sign in with --user "
              f"{args.first_admin}")
    return 0


def _new_passphrase(url: str) -> str:
    from app.db import PASSPHRASE_ENV_VAR, sqlite_path

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
    return passphrase


def _sign_in_before_upgrade(args: argparse.Namespace, db, url: str, before: str | None) -> None:
    """Who may create or upgrade the schema: the trusted local user of an SQLite clinic, or a
    signed-in user; an empty database has no account yet, so only init --admin starts it."""
    if before is not None:
        command_actor(args, db)
    elif user_name(args) is not None or not is_local_clinic(url):
        raise CliError("this database is empty, so it has no account to sign in with: "
                       "create it with init --admin NAME")


def _first_admin_password(db, args: argparse.Namespace) -> str:
    """The new administrator's password, asked only when no account exists yet."""
    from app.services.users import check_new_password

    if _accounts_exist(db):
        raise CliError("an account already exists: init --admin only creates the first "
                       "administrator (an administrator adds the others with user add)")
    password = read_new_password(f"Password of {args.first_admin}")
    check_new_password(password)
    return password


def _accounts_exist(db) -> bool:
    from sqlalchemy import inspect

    from app.models import User
    from app.services.users import needs_first_admin

    with db.engine.connect() as connection:
        if not inspect(connection).has_table(User.__tablename__):
            return False
    with db.read() as session:
        return not needs_first_admin(session)


def _create_first_admin(db, name: str, password: str) -> None:
    from app.services.users import create_first_admin

    with db.write() as session:
        create_first_admin(session, name, password)


# -- seed-demo and check ----------------------------------------------------------------------
def cmd_seed_demo(args: argparse.Namespace) -> int:
    from app.services.demo import seed_demo

    db = open_db(args, create=True)
    result = seed_demo(db, patients=args.patients, seed=args.seed)
    print(f"added {result.patients} demo patients, {result.visits} visits, "
          f"{result.assessments} assessments, {result.lab_values} lab values")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """`check`: integrity, foreign keys, schema and the audit chain; one verdict line last,
    naming only what was verified (a server's storage integrity is its own).

    Read-only and without migrating: checking never changes the file it checks.
    """
    from app.db import DatabaseError

    url = resolve_db_url(args.db)
    try:
        db = open_database(url, migrate=False, read_only=True)
    except DatabaseError as exc:
        raise CliError(f"check FAILED: {exc}") from None
    problems: list[str] = []
    verified: list[str] = []
    try:
        command_actor(args, db)
        problems, verified = db.verified_checks()  # only what was computed on this backend
        if not problems:
            problems += _schema_and_chain(db, verified)
    except CliError:
        raise
    except Exception as exc:  # a damaged file can fail anywhere: say so, never a traceback
        problems.append(f"unreadable: {(str(exc).splitlines() or [''])[0][:200]}")
    finally:
        db.dispose()
    for problem in problems:
        print(problem)
    if problems:
        raise CliError(f"check FAILED: {len(problems)} problem(s) in {shown_url(url)}")
    print(f"check passed: {', '.join(verified)} ({shown_url(url)})")
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
    return _photos(db, notes)


def _photos(db, notes: list[str]) -> list[str]:
    """Every photo blob re-hashed against its name (docs/photos.md, "Storage")."""
    from sqlalchemy import inspect

    from app.services.photo_check import photo_problems

    with db.engine.connect() as connection:
        if not inspect(connection).has_table("photo_blob"):
            return []
    with db.read() as session:
        check, problems = photo_problems(session)
    if not problems:
        notes.append(f"photos ok ({check.blobs} files re-hashed, {check.byte_size} bytes)")
    return problems
