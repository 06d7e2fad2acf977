"""Research: `cohort` statistics, and the `export-research` and `export-fhir` exports."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable

from app.cli.common import add_command, command_actor, iso_date, open_db
from app.domain.labels import ARM_LABELS, ETIOLOGIES, format_p_value

AREA_BAND_CHOICES = ("<1", "1-5", ">5")  # app.services.cohort.AREA_BANDS, without importing it


def _wagner(text: str) -> int:
    if text not in {str(g) for g in range(6)}:
        raise argparse.ArgumentTypeError("Wagner grade must be a whole number from 0 to 5")
    return int(text)


def cmd_cohort(args: argparse.Namespace) -> int:
    from app.services.cohort import CohortFilter, cohort_json, cohort_statistics

    filters = CohortFilter(baseline_from=args.since, baseline_to=args.until,
                           etiology=args.etiology, wagner_grade=args.wagner,
                           area_band=args.area_band)
    db = open_db(args)
    with db.read() as session:
        data = cohort_json(cohort_statistics(session, filters))
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else cohort_text(data))
    return 0


def _number(value, text: str = "{:.0f}", missing: str = "NR") -> str:
    return missing if value is None else text.format(value)


def cohort_text(data: dict) -> str:
    """A short readable table of the cohort statistics."""
    lines = [f"{'arm':<15}{'episodes':>9}{'closed':>8}  {'median days (95% CI)':<24}"
             f"{'on track wk 4':>14}{'recurred':>10}"]
    for arm, group in data["groups"].items():
        low, high = group["median_days_to_closure_ci"]
        median = f"{_number(group['median_days_to_closure'])} ({_number(low)}–{_number(high)})"
        on_track = _number(group["week4_on_track_percent"], "{:.0f}%", "–")
        recurrence = group["recurrence"]
        lines.append(f"{ARM_LABELS.get(arm, arm):<15}{group['episodes']:>9}{group['closed']:>8}  "
                     f"{median:<24}{on_track:>14}"
                     f"{recurrence['recurred']:>5}/{recurrence['healed']:<4}")
    lines.append("NR: not reached (still above 50% open)")
    test = data["logrank_closure"]
    if test is not None and test["p"] is not None:
        lines.append(f"log-rank (time to closure): χ² = {test['chi2']:.2f}, df = {test['df']}, "
                     f"{format_p_value(test['p'])}")
    return "\n".join(lines)


def _export(args: argparse.Namespace, run: Callable, what: str) -> int:
    db = open_db(args)
    result = run(db, Path(args.file), actor=command_actor(args, db))
    mode = "pseudonymised" if result.pseudonymised else "identified"
    print(f"exported {result.records} {what} of {result.patients} patients ({mode}) "
          f"to {args.file}")
    return 0


def cmd_export_research(args: argparse.Namespace) -> int:
    from app.services.exports import export_research_csv

    return _export(args, lambda db, path, actor: export_research_csv(
        db, path, actor=actor, identified=args.identified, photos=args.photos), "rows")


def cmd_export_fhir(args: argparse.Namespace) -> int:
    from app.services.exports import export_fhir_bundle

    return _export(args, lambda db, path, actor: export_fhir_bundle(
        db, path, actor=actor, pseudonymous=args.pseudonymous, photos=args.photos),
        "resources")


def register(commands: argparse._SubParsersAction) -> None:
    sub = add_command(commands, "cohort", cmd_cohort,
                      "time to closure and recurrence by treatment arm (Kaplan–Meier, log-rank)")
    sub.add_argument("--json", action="store_true", help="print the statistics as JSON")
    sub.add_argument("--since", type=iso_date, metavar="DATE",
                     help="only episodes whose baseline is on or after DATE")
    sub.add_argument("--until", type=iso_date, metavar="DATE",
                     help="only episodes whose baseline is on or before DATE")
    sub.add_argument("--etiology", choices=ETIOLOGIES)
    sub.add_argument("--wagner", type=_wagner, metavar="GRADE", help="Wagner grade 0–5")
    sub.add_argument("--area-band", choices=AREA_BAND_CHOICES,
                     help="baseline area band in cm²")
    sub = add_command(commands, "export-research", cmd_export_research,
                      "one CSV row per assessment with every metric; pseudonymised unless "
                      "--identified")
    sub.add_argument("file")
    sub.add_argument("--identified", action="store_true",
                     help="keep MRN, name and birth date instead of pseudonyms")
    sub.add_argument("--photos", action="store_true",
                     help="add photo_count, photo_sha256, photo_area_cm2 and photo_calibrated "
                          "per assessment (no file names)")
    sub = add_command(commands, "export-fhir", cmd_export_fhir,
                      "a FHIR R4 Bundle of every patient (JSON)")
    sub.add_argument("file")
    sub.add_argument("--pseudonymous", action="store_true",
                     help="replace MRN and name by the research pseudonym; birth year only")
    sub.add_argument("--photos", action="store_true",
                     help="add a FHIR Media per wound photo, the bytes inline with GPS and "
                          "serial numbers stripped")
