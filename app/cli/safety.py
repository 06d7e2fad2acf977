"""Safety of records: `user add`, `user list`, `backup`, `restore`, `audit`.

Changes are attributed to the signed-in user, or on a single-PC SQLite clinic without one, to
`cli:<operating-system login>` (app.cli.common.command_actor).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.common import (
    add_command,
    command_actor,
    is_local_clinic,
    open_db,
    read_new_password,
    shown_url,
    sign_in,
)
from app.db import resolve_db_url
from app.services.actor import ROLES


def register(commands: argparse._SubParsersAction) -> None:
    sub = add_command(commands, "user", cmd_user,
                      "manage user accounts (user add NAME --role ROLE; user list)")
    actions = sub.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add_user = actions.add_parser("add", help="add an account; the password is asked twice "
                                              "(or read from two lines of standard input)")
    add_user.add_argument("name")
    add_user.add_argument("--role", required=True, choices=ROLES)
    actions.add_parser("list", help="list the accounts")
    sub = add_command(commands, "backup", cmd_backup,
                      "write an online backup of the database to FILE")
    sub.add_argument("file")
    sub = add_command(commands, "restore", cmd_restore,
                      "replace the database with the backup FILE, after checking it; the "
                      "replaced database is kept")
    sub.add_argument("file")
    sub = add_command(commands, "audit", cmd_audit,
                      "print the audit trail (who changed what, when, and why)")
    sub.add_argument("--mrn", help="only the rows of this patient")
    sub.add_argument("--json", action="store_true", help="a JSON list of objects")
    sub.add_argument("--limit", type=int, default=None, help="only the newest N rows")


def cmd_user(args: argparse.Namespace) -> int:
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
        add_user(session, args.name, password, args.role, actor=command_actor(args, db))
    print(f"user {args.name} added with the role {args.role}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from app.services.backup import backup_database
    from app.services.photo_backup import backs_up_photos_apart, photo_folder

    db = open_db(args)
    written = backup_database(db, Path(args.file), actor=command_actor(args, db))
    print(f"backup written to {written} ({written.stat().st_size // 1024} KiB)")
    photos = photo_folder(written)
    if backs_up_photos_apart(db) and photos.is_dir():
        print(f"photo bytes are in {photos} (each copied once): keep it with the backups")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.services.backup import RestoreRefused, restore_database

    url = resolve_db_url(args.db)
    # An empty server database has no accounts yet: the user signs in against the restored
    # ones, and a refusal undoes the restore (app.services.backup).
    server = not is_local_clinic(url)
    actor = None if server else sign_in(args)
    try:
        result = restore_database(url, Path(args.file), actor=actor,
                                  passphrase=_passphrase_if_needed(url),
                                  sign_in=(lambda db: command_actor(args, db)) if server
                                  else None)
    except RestoreRefused as exc:
        for problem in exc.problems:
            print(f"refused: {problem}", file=sys.stderr)
        raise
    kept = f"; the replaced database is kept at {result.kept}" if result.kept else ""
    print(f"restored {shown_url(url)} from {result.source} (schema {result.revision}){kept}")
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
