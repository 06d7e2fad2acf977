"""Every command-line command, by the module that defines it. The one list to edit.

A command module exposes `register(commands) -> None`, where `commands` is the argparse
subparsers action. For each command it adds a parser and sets its handler, a function
`handler(args) -> int` returning the exit status:

    from app.cli.common import add_command, command_actor, open_db

    def register(commands) -> None:
        sub = add_command(commands, "photo", cmd_photo, "one line of help")
        sub.add_argument("--mrn", required=True)

    def cmd_photo(args) -> int:
        db = open_db(args)                  # signs the user in (fail closed)
        actor = command_actor(args, db)     # who the changes are attributed to
        ...
        return 0

(`commands.add_parser(...)` plus `sub.set_defaults(handler=...)` works the same.) Every
command gets `--db` and `--user` from app.cli.parser. Raise app.cli.common.CliError, or a
UserError of the services, for a one-line error and exit status 1. Import heavy libraries
inside the handlers, never at module level: `dfu-monitor --help` imports every module here.

To add a module: import it below and append it to COMMAND_MODULES (one line each). A command
module imports app.cli.common and the services, never app.cli.parser nor this registry.
"""
from __future__ import annotations

import argparse
from types import ModuleType

from app.cli import clinic, cohort, photo, records, reports, safety, server

COMMAND_MODULES: tuple[ModuleType, ...] = (
    clinic,   # init, seed-demo, check
    records,  # import-csv, export-csv, summary
    reports,  # report
    cohort,   # cohort, export-research, export-fhir
    safety,   # user, backup, restore, audit
    photo,    # photo card, photo measure, photo attach, photo export
    server,   # migrate --to
)


def register_all(commands: argparse._SubParsersAction) -> None:
    """Add every command of every module in COMMAND_MODULES, in that order."""
    for module in COMMAND_MODULES:
        module.register(commands)
