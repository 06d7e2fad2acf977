"""`report`: the follow-up summary PDF for one patient, or one PDF per patient seen since a date.

    report --mrn MRN -o FILE.pdf [--audience patient]
    report --seen-since DATE -o DIR [--until DATE] [--audience patient] [--jobs N]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import CliError, add_command, command_actor, iso_date, open_db

AUDIENCES = ("clinician", "patient")


def _jobs(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError("must be a whole number from 1 to 64")
    return int(text)


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.output).expanduser()
    db = open_db(args)
    actor = command_actor(args, db)
    if args.mrn is not None:
        return _one_report(db, args, out, actor)
    return _batch(db, args, out, actor)


def _one_report(db, args: argparse.Namespace, out: Path, actor) -> int:
    from app.services.history import get_patient_by_mrn
    from app.services.report_jobs import write_report

    if out.is_dir():
        raise CliError(f"{out} is a folder; give a file name such as {out / 'report.pdf'}")
    if not out.parent.is_dir():
        raise CliError(f"folder {out.parent} does not exist")
    with db.read() as session:
        patient_id = get_patient_by_mrn(session, args.mrn).id
    write_report(db, patient_id, out, audience=args.audience, actor=actor)
    print(f"wrote the {args.audience} report for {args.mrn} to {out}")
    return 0


def _batch(db, args: argparse.Namespace, out: Path, actor) -> int:
    from app.services.report_jobs import BatchProgress, patients_seen, write_batch

    if out.exists() and not out.is_dir():
        raise CliError(f"{out} is a file; give a folder for the reports")
    if not out.parent.is_dir():
        raise CliError(f"folder {out.parent} does not exist")
    if args.until is not None and args.until < args.seen_since:
        raise CliError("--until must not be before --seen-since")
    out.mkdir(exist_ok=True)
    with db.read() as session:
        patients = patients_seen(session, since=args.seen_since, until=args.until)
    if not patients:
        print(f"no patient seen since {args.seen_since.isoformat()}: no report written")
        return 0

    def show(step: BatchProgress) -> None:
        width = len(str(step.total))
        what = str(step.path) if step.error is None else f"FAILED: {step.error}"
        print(f"[{step.done:>{width}}/{step.total}] {step.mrn}: {what}", flush=True)

    result = write_batch(db, patients, out, audience=args.audience, actor=actor,
                         jobs=args.jobs, progress=show)
    print(f"wrote {len(result.written)} of {len(patients)} reports to {out}")
    if result.failed:
        for mrn, why in result.failed:
            print(f"failed: {mrn}: {why}", file=sys.stderr)
        raise CliError(f"{len(result.failed)} report(s) could not be written")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    sub = add_command(commands, "report", cmd_report,
                      "write the follow-up summary PDF for one patient, or one PDF per "
                      "patient seen since a date")
    which = sub.add_mutually_exclusive_group(required=True)
    which.add_argument("--mrn", help="the patient's MRN")
    which.add_argument("--seen-since", type=iso_date, metavar="DATE",
                       help="every patient with a visit on or after DATE (YYYY-MM-DD)")
    sub.add_argument("--until", type=iso_date, metavar="DATE",
                     help="with --seen-since: only visits up to DATE")
    sub.add_argument("-o", "--output", required=True, metavar="PATH",
                     help="the PDF file (--mrn) or the folder for the PDFs (--seen-since)")
    sub.add_argument("--audience", choices=AUDIENCES, default="clinician",
                     help="clinician (default): the full summary; patient: one page in "
                          "plain words")
    sub.add_argument("--jobs", type=_jobs, default=None,
                     help="processes for --seen-since (default: both cores when there are "
                          "many patients)")
