"""Patient records in and out: `import-csv`, `export-csv` (visit sheets) and `summary`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.common import CliError, add_command, command_actor, open_db


def register(commands: argparse._SubParsersAction) -> None:
    sub = add_command(commands, "import-csv", cmd_import_csv,
                      "import a visit sheet (all or nothing)")
    sub.add_argument("file")
    sub = add_command(commands, "export-csv", cmd_export_csv,
                      "export every visit as a visit sheet")
    sub.add_argument("file")
    sub = add_command(commands, "summary", cmd_summary, "print one patient's healing metrics")
    sub.add_argument("--mrn", required=True)
    sub.add_argument("--json", action="store_true", help="the docs/metrics.md JSON schema")


def cmd_import_csv(args: argparse.Namespace) -> int:
    from app.services.visit_sheet import ImportRejected, import_visit_sheet, read_sheet_file

    text = read_sheet_file(Path(args.file))
    db = open_db(args, create=True)
    try:
        report = import_visit_sheet(db, text, actor=command_actor(args, db))
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
    from app.services.audit import record_event
    from app.services.files import write_text_atomically
    from app.services.visit_sheet_export import export_visit_sheet

    db = open_db(args)
    with db.read() as session:
        text = export_visit_sheet(session)
    write_text_atomically(Path(args.file), text)
    rows = text.count(chr(10)) - 1
    with db.write() as session:  # every export is in the audit trail (docs/reliability.md)
        record_event(session, command_actor(args, db), "export",
                     f"visit sheet, {rows} rows, to {args.file}")
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
        print(summary_text(summary))
    return 0


def summary_text(summary: dict) -> str:
    """The summary's few readable lines: each ulcer's state and PAR, and the pain score."""
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
