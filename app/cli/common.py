"""What every command shares: the one-line error, argument types, opening the database,
reading a new password, and who is acting (the sign-in).

Who is acting (docs/reliability.md, "People"; fail closed):
- `--user NAME` (or $DFU_MONITOR_USER) signs in like the window does: the password comes from
  $DFU_MONITOR_PASSWORD or is asked on the terminal, and is checked by
  app.services.users.authenticate (same hashing, same lockout). The command then acts as that
  account, with its role; the services check the permissions.
- Without a user, the command line is trusted as `cli:<operating-system login>` with the
  `local` role, and only on a single-PC SQLite clinic. A database server always needs a user
  (except `init --admin NAME`, which creates its first administrator), and is refused before
  any connection is made.
- A failure to read the accounts refuses the sign-in: it never falls back to a permissive role.
- On a database opened read-only, the actor may read and print only (Actor.read_only).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Callable

from app.db import Database, resolve_db_url

Handler = Callable[[argparse.Namespace], int]

USER_ENV_VAR = "DFU_MONITOR_USER"
PASSWORD_ENV_VAR = "DFU_MONITOR_PASSWORD"
SERVER_NEEDS_USER = ("a database server needs a signed-in user: give --user NAME (or set "
                     f"{USER_ENV_VAR}); the password is read from {PASSWORD_ENV_VAR} or asked "
                     "on the terminal. A new server database starts with init --admin NAME")


class CliError(Exception):
    """A user error: printed as one line, exit status 1."""


# -- argument types and commands ------------------------------------------------------------
def iso_date(text: str) -> dt.date:
    """argparse type for an ISO date (YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def positive_int(text: str) -> int:
    """argparse type for a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_command(commands: argparse._SubParsersAction, name: str, handler: Handler,
                help_text: str) -> argparse.ArgumentParser:
    """A subcommand whose `handler(args) -> int` runs it (`--db` and `--user` come with it)."""
    sub = commands.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(handler=handler)
    return sub


# -- the database -----------------------------------------------------------------------------
def is_local_clinic(url: str) -> bool:
    """A single-PC SQLite clinic: the only database the trusted local command line may use."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).get_backend_name() == "sqlite"
    except ArgumentError:
        raise CliError("--db is neither a database file nor a database URL") from None


def shown_url(url: str) -> str:
    """The URL to print: a password in it is masked (never in output, docs/reliability.md)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_database(url: str, *, create: bool = False, **options) -> Database:
    """Database.open, asking for the passphrase at the terminal when the file is encrypted
    and $DFU_MONITOR_PASSPHRASE is not set."""
    from app.db import PassphraseNeeded

    try:
        return Database.open(url, create=create, **options)
    except PassphraseNeeded:
        if sys.stdin is None or not sys.stdin.isatty():
            raise
    import getpass

    return Database.open(url, create=create, passphrase=getpass.getpass("Passphrase: "),
                         **options)


def open_db(args: argparse.Namespace, *, create: bool = False) -> Database:
    """The database of `--db`, with the command's user signed in (see command_actor); the
    parser closes it when the command ends (close_databases)."""
    db = open_database(resolve_db_url(args.db), create=create)
    try:
        command_actor(args, db)
    except BaseException:
        db.dispose()
        raise
    vars(args).setdefault("open_databases", []).append(db)
    return db


def close_databases(args: argparse.Namespace) -> None:
    """Dispose of what open_db opened for this command (an SQLite file is checkpointed)."""
    for db in vars(args).pop("open_databases", []):
        try:
            db.dispose()
        except Exception:  # the command has finished: its result and message stand
            pass


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


# -- who is acting ----------------------------------------------------------------------------
def user_name(args: argparse.Namespace) -> str | None:
    """`--user`, then $DFU_MONITOR_USER; None when neither names anyone."""
    name = (getattr(args, "user", None) or os.environ.get(USER_ENV_VAR) or "").strip()
    return name or None


def refuse_unsigned_server(args: argparse.Namespace) -> None:
    """Before any connection: a server database without a user is refused."""
    if user_name(args) is None and not getattr(args, "first_admin", None) \
            and not is_local_clinic(resolve_db_url(args.db)):
        raise CliError(SERVER_NEEDS_USER)


def command_actor(args: argparse.Namespace, db: Database):
    """The Actor the command's changes are attributed to; signs in once per command."""
    actor = getattr(args, "signed_in_actor", None)
    if actor is None:
        actor = _sign_in(args, db)
        args.signed_in_actor = actor
    return actor


def sign_in(args: argparse.Namespace):
    """command_actor for a command that does not keep the database open (restore): the
    trusted local user needs no connection; anyone else signs in against `--db`."""
    url = resolve_db_url(args.db)
    if user_name(args) is None and is_local_clinic(url):
        from app.services.actor import cli_actor

        return cli_actor()
    db = open_database(url, migrate=False)
    try:
        return command_actor(args, db)
    finally:
        db.dispose()


def _sign_in(args: argparse.Namespace, db: Database):
    from app.services.actor import cli_actor
    from app.services.users import LoginFailed, authenticate

    name = user_name(args)
    if name is None:
        if not is_local_clinic(db.url):
            raise CliError(SERVER_NEEDS_USER)
        actor = cli_actor()  # a read-only file: reading and printing only, whatever the role
        return actor.reading_only() if db.read_only else actor
    password = _password(name)
    try:
        return authenticate(db, name, password)
    except LoginFailed as exc:
        raise CliError(f"sign-in refused: {_lower_first(str(exc))}") from None
    except Exception as exc:  # no account table, a damaged or older file, a lost server
        first_line = (str(exc).splitlines() or [""])[0][:200]
        raise CliError(f"sign-in refused: the accounts could not be read "
                       f"({exc.__class__.__name__}: {first_line}); nothing was done") from None


def _password(name: str) -> str:
    password = os.environ.get(PASSWORD_ENV_VAR)
    if password is not None:
        return password
    if sys.stdin is None or not sys.stdin.isatty():
        raise CliError(f"signing in as {name} needs a password: set {PASSWORD_ENV_VAR} or run "
                       "the command from a terminal")
    import getpass

    return getpass.getpass(f"Password of {name}: ")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
