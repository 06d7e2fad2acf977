"""The top-level parser and the dispatch of a command (docs/product.md, "Command line").

Exit 0 on success; 1 with a one-line message on stderr for any user error; never a traceback.
The commands come from app.cli.registry; each subcommand's parser is a CommandParser, so every
command takes `--db` and `--user` after its name too.
"""
from __future__ import annotations

import argparse
import gc
import sys
from typing import Sequence

from app.cli import registry
from app.cli.common import USER_ENV_VAR, CliError, close_databases, refuse_unsigned_server


class _VersionAction(argparse.Action):
    """`--version`, reading the metadata only when asked (start-up stays light)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from app.about import app_version

        print(f"dfu-monitor {app_version()}")
        parser.exit()


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: also accepts the global `--db` and `--user` after the command."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("--db", default=argparse.SUPPRESS,
                          help="database file or SQLAlchemy URL")
        self.add_argument("--user", default=argparse.SUPPRESS, metavar="NAME",
                          help=f"sign in as NAME (default: ${USER_ENV_VAR})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dfu-monitor",
        description="DFU Monitor: diabetic foot ulcer follow-up. Without a command, opens the "
                    "window.")
    parser.add_argument("--version", action=_VersionAction,
                        help="print the program's version and exit")
    parser.add_argument("--db", help="database file or SQLAlchemy URL "
                                     "(default: $DFU_MONITOR_DB, then the user data folder)")
    parser.add_argument("--user", metavar="NAME",
                        help=f"sign in as NAME (default: ${USER_ENV_VAR}); the password comes "
                             "from $DFU_MONITOR_PASSWORD or is asked. Required on a database "
                             "server; without it, a local SQLite clinic trusts the computer's "
                             "login")
    parser.add_argument("--demo", action="store_true",
                        help="open the window on a demo clinic (created on first use)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=CommandParser)
    registry.register_all(commands)
    return parser


WINDOW_OPTIONS = ("--db", "--user")  # with a value; and the flag --demo


def window_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The options of `argv` when it holds only the global options spelt out in full (no
    command, no help): the window opens, and the ~30 command parsers build_parser makes are
    not needed (~3 ms of the start; bench/README.md, "Start-up imports"). The namespace is
    the one build_parser's parser gives. None for anything else: build_parser parses it."""
    values: dict[str, object] = {"db": None, "user": None, "demo": False}
    tokens = iter(argv)
    for token in tokens:
        name, equals, value = token.partition("=")
        if token == "--demo":
            values["demo"] = True
        elif name in WINDOW_OPTIONS and equals:
            values[name[2:]] = value
        elif token in WINDOW_OPTIONS:
            value = next(tokens, None)
            if value is None or value.startswith("-"):
                return None  # argparse's error message
            values[token[2:]] = value
        else:
            return None
    return argparse.Namespace(**values, command=None)


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run its command (or open the window when there is none)."""
    tokens = sys.argv[1:] if argv is None else list(argv)
    args = window_arguments(tokens) or build_parser().parse_args(tokens)
    if getattr(args, "handler", None) is None:
        return open_window(args)
    gc.enable()  # paused while the program started (app.cli.collector_paused_for_start)
    from app.db import DatabaseError
    from app.services.errors import UserError

    try:
        refuse_unsigned_server(args)
        return args.handler(args)
    except (CliError, UserError, DatabaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # the last line of defence: one line, never a traceback
        import logging

        logging.getLogger("dfu_monitor").debug("unexpected error", exc_info=True)
        first_line = (str(exc).splitlines() or [""])[0][:300]
        print(f"error: unexpected {exc.__class__.__name__}: {first_line}", file=sys.stderr)
        return 1
    finally:
        close_databases(args)


def open_window(args: argparse.Namespace | None = None) -> int:
    """Open the window (PySide6 is imported only here)."""
    if args is None:
        args = window_arguments([]) or build_parser().parse_args([])
    try:
        from app.ui.app import run_gui
    except ImportError as exc:
        print(f"error: the window cannot start: {exc}", file=sys.stderr)
        return 1
    return run_gui(db=args.db, demo=args.demo)
