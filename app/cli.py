"""The command line (PRODUCT.md): the same services as the GUI, for staff scripts.

Exit 0 on success; 1 with a one-line message on stderr for any user error; never a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Callable, Sequence

from app.db import Database, DatabaseError, resolve_db_url

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A user error: printed as one line, exit status 1."""


def iso_date(text: str) -> dt.date:
    """argparse type for an ISO date (YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def open_db(args: argparse.Namespace, *, create: bool = False) -> Database:
    """The database of `--db`; an encrypted one asks for its passphrase at the terminal."""
    from app.cli_safety import open_database

    return open_database(resolve_db_url(args.db), create=create)


# -- commands ---------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from app.cli_safety import init_database

    return init_database(args)


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from app.services.demo import seed_demo

    db = open_db(args, create=True)
    result = seed_demo(db, patients=args.patients, seed=args.seed)
    print(f"added {result.patients} demo patients, {result.visits} visits, "
          f"{result.assessments} assessments, {result.lab_values} lab values")
    return 0


def cmd_import_csv(args: argparse.Namespace) -> int:
    from app.services.actor import cli_actor
    from app.services.visit_sheet import ImportRejected, import_visit_sheet, read_sheet_file

    text = read_sheet_file(Path(args.file))
    db = open_db(args, create=True)
    try:
        report = import_visit_sheet(db, text, actor=cli_actor())
    except ImportRejected as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        raise CliError(str(exc)) from None
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"imported {report.rows} rows: {report.patients_created} new patients, "
          f"{report.visits_created} new visits, {report.assessments} assessments"
          + (f", {len(report.warnings)} warnings" if report.warnings else ""))
    return 0


def cmd_export_csv(args: argparse.Namespace) -> int:
    from app.services.actor import cli_actor
    from app.services.audit import record_event
    from app.services.files import write_text_atomically
    from app.services.visit_sheet_export import export_visit_sheet

    db = open_db(args)
    with db.read() as session:
        text = export_visit_sheet(session)
    write_text_atomically(Path(args.file), text)
    rows = text.count(chr(10)) - 1
    with db.write() as session:  # every export is in the audit trail (RELIABILITY.md)
        record_event(session, cli_actor(), "export", f"visit sheet, {rows} rows, to {args.file}")
    print(f"exported {rows} rows to {args.file}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from app.services.summary import patient_summary

    db = open_db(args)
    with db.read() as session:
        summary = patient_summary(session, args.mrn)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(_summary_text(summary))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from app.cli_safety import check_database

    return check_database(args)


def _summary_text(summary: dict) -> str:
    lines = [f"{summary['name']} ({summary['mrn']}), area by {summary['area_method']}"]
    for u in summary["ulcers"]:
        par = u.get("par_percent")
        lines.append(f"  {u['site']} episode {u['episode']}: {u['status']}, "
                     f"baseline {u.get('baseline_area_cm2', 0):.2f} cm², "
                     f"PAR {par:.1f}%" if par is not None else f"  {u['site']}: {u['status']}")
    pain = summary["pain"]
    if pain["baseline_vas"] is not None:
        lines.append(f"  VAS {pain['baseline_vas']} → {pain['latest_vas']}")
    return "\n".join(lines)


# -- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dfu-monitor",
        description="DFU Monitor: diabetic foot ulcer follow-up. Without a command, opens the "
                    "window.")
    parser.add_argument("--db", help="database file or SQLAlchemy URL "
                                     "(default: $DFU_MONITOR_DB, then the user data folder)")
    parser.add_argument("--demo", action="store_true",
                        help="open the window on a demo clinic (created on first use)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", default=argparse.SUPPRESS,
                         help="database file or SQLAlchemy URL")
        sub.set_defaults(handler=handler)
        return sub

    sub = add("init", cmd_init, "create the database or upgrade its schema")
    sub.add_argument("--encrypt", action="store_true",
                     help="make a new SQLCipher-encrypted database (passphrase asked, or "
                          "$DFU_MONITOR_PASSPHRASE)")
    sub = add("seed-demo", cmd_seed_demo, "add synthetic patients with realistic histories")
    sub.add_argument("--patients", type=_positive_int, default=300)
    sub.add_argument("--seed", type=int, default=1)
    sub = add("import-csv", cmd_import_csv, "import a visit sheet (all or nothing)")
    sub.add_argument("file")
    sub = add("export-csv", cmd_export_csv, "export every visit as a visit sheet")
    sub.add_argument("file")
    sub = add("summary", cmd_summary, "print one patient's healing metrics")
    sub.add_argument("--mrn", required=True)
    sub.add_argument("--json", action="store_true", help="the METRICS.md JSON schema")
    add("check", cmd_check, "check integrity, foreign keys, schema and the audit chain")
    for module_name in COMMAND_MODULES:
        import importlib

        importlib.import_module(module_name).register(add)
    return parser


# Feature modules that add subcommands: each has `register(add)`, where `add(name, handler,
# help)` returns the subparser. They import their heavy dependencies inside the handlers.
COMMAND_MODULES: list[str] = ["app.cli_reports", "app.cli_safety", "app.cli_cohort"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        return gui_main(args)
    from app.services.errors import UserError

    try:
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


def gui_main(args: argparse.Namespace | None = None) -> int:
    """Open the window (PySide6 is imported only here)."""
    if args is None:
        args = build_parser().parse_args([])
    try:
        from app.ui.app import run_gui
    except ImportError as exc:
        print(f"error: the window cannot start: {exc}", file=sys.stderr)
        return 1
    return run_gui(db=args.db, demo=args.demo)
