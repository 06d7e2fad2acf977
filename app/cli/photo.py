"""Wound photographs on the command line (docs/product.md "Photos"):

- `photo card --pdf PATH` / `photo card --png PATH --dpi N`: the calibration card, the PNG
  exactly 1:1 at N dpi;
- `photo measure IMAGE [--outline FILE | --box X0,Y0,X1,Y1] --json`: find the card, measure
  the given or proposed outline (exit 1 when no card is found);
- `photo attach --mrn MRN --date D --site SITE IMAGE [--outline FILE | --box …]`: attach to
  that assessment and record the traced area, length and width with the method "photo";
- `photo export --mrn MRN --dir DIR`: the photos (GPS and serials stripped) and a manifest.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.cli.common import CliError, add_command, command_actor, iso_date, open_db, positive_int


def register(commands: argparse._SubParsersAction) -> None:
    sub = add_command(commands, "photo", cmd_photo,
                      "wound photos: calibration card, measure, attach, export")
    actions = sub.add_subparsers(dest="photo_command", metavar="ACTION", required=True)
    card = actions.add_parser("card", help="write the calibration card (print at 100%%)")
    card.add_argument("--pdf", help="write the card as a PDF page")
    card.add_argument("--png", help="write the card as a PNG, 1:1 at --dpi")
    card.add_argument("--dpi", type=positive_int, default=300)
    measure = actions.add_parser("measure", help="find the card and measure a wound outline")
    measure.add_argument("image")
    _outline_options(measure)
    measure.add_argument("--json", action="store_true", help="the measurement as JSON")
    attach = actions.add_parser("attach", help="attach a photo to an assessment and measure it")
    attach.add_argument("--mrn", required=True)
    attach.add_argument("--date", required=True, type=iso_date, help="the visit date")
    attach.add_argument("--site", required=True, help="the ulcer site as recorded")
    attach.add_argument("image")
    _outline_options(attach)
    export = actions.add_parser("export", help="write a patient's photos and a manifest")
    export.add_argument("--mrn", required=True)
    export.add_argument("--dir", required=True)


def _outline_options(parser: argparse.ArgumentParser) -> None:
    given = parser.add_mutually_exclusive_group()
    given.add_argument("--outline", help="a JSON file: a list of [x, y] image pixels")
    given.add_argument("--box", type=_box, help="X0,Y0,X1,Y1: segment the wound in this box")


def _box(text: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or values[0] >= values[2] or values[1] >= values[3]:
        raise argparse.ArgumentTypeError("give the box as X0,Y0,X1,Y1 with X0 < X1, Y0 < Y1")
    return values  # type: ignore[return-value]


def cmd_photo(args: argparse.Namespace) -> int:
    handlers = {"card": _card, "measure": _measure, "attach": _attach, "export": _export}
    return handlers[args.photo_command](args)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None


def _outline(args: argparse.Namespace) -> list[list[float]] | None:
    if not args.outline:
        return None
    try:
        points = json.loads(_read(args.outline))
        outline = [[float(p[0]), float(p[1])] for p in points]
    except (ValueError, TypeError, IndexError, KeyError):
        raise CliError(f"{args.outline} is not a JSON list of [x, y] points") from None
    if len(outline) < 3:
        raise CliError(f"{args.outline}: an outline needs at least 3 points")
    return outline


def _analyse(args: argparse.Namespace):
    from app.imaging.pipeline import analyse_photo

    try:
        return analyse_photo(_read(args.image), outline=_outline(args), box=args.box)
    except ValueError as exc:  # PhotoError, SegmentationError, GeometryError: clear words
        raise CliError(f"{args.image}: {exc}") from None


def _card(args: argparse.Namespace) -> int:
    from app.services.files import atomic_output

    if not args.pdf and not args.png:
        raise CliError("give --pdf PATH or --png PATH")
    if args.pdf:
        from app.imaging.card_pdf import card_pdf

        with atomic_output(Path(args.pdf), binary=True) as handle:
            handle.write(card_pdf())
        print(f"calibration card written to {args.pdf}: print it at 100% (actual size)")
    if args.png:
        from app.imaging.card import card_png, card_size_px

        with atomic_output(Path(args.png), binary=True) as handle:
            handle.write(card_png(args.dpi))
        width, height = card_size_px(args.dpi)
        print(f"calibration card written to {args.png}: {width}×{height} px at {args.dpi} dpi")
    return 0


def _measure(args: argparse.Namespace) -> int:
    analysis = _analyse(args)
    if analysis.calibration is None:
        raise CliError(f"{args.image}: no calibration card found in the photo; photograph the "
                       "card beside the wound, or measure with two ruler points in the window")
    document = analysis.as_json()
    if args.json:
        print(json.dumps(document))
    elif analysis.measurement is None:
        print(f"card found: {document['px_per_cm']} px/cm, tilt {document['tilt_deg']}°; "
              "give --outline or --box to measure the wound")
    else:
        m = analysis.measurement
        print(f"area {m.area_cm2:.2f} cm², perimeter {m.perimeter_cm:.2f} cm, "
              f"length {m.length_cm:.2f} cm, width {m.width_cm:.2f} cm")
    return 0


def _attach(args: argparse.Namespace) -> int:
    from app.services.history import patient_id_by_mrn
    from app.services.photos import PreparedPhoto, attach_photo, find_assessment

    analysis = _analyse(args)
    prepared = PreparedPhoto(data=_read(args.image), file_name=Path(args.image).name,
                             analysis=analysis,
                             outline_source="file" if args.outline else
                             "box" if args.box else None)
    db = open_db(args)
    actor = command_actor(args, db)
    with db.write() as session:
        patient_id = patient_id_by_mrn(session, args.mrn)
        assessment_id = find_assessment(session, patient_id=patient_id, visit_date=args.date,
                                        site=args.site)
        record = attach_photo(session, prepared, assessment_id=assessment_id, actor=actor)
    if analysis.measurement is None:
        why = "no calibration card found" if analysis.calibration is None else "no outline"
        print(f"photo {record.sha256[:12]} attached, not measured ({why})")
    else:
        m = analysis.measurement
        print(f"photo {record.sha256[:12]} attached: area {m.area_cm2:.2f} cm², length "
              f"{m.length_cm:.2f} cm, width {m.width_cm:.2f} cm recorded (method photo)")
    return 0


def _export(args: argparse.Namespace) -> int:
    from app.services.history import patient_id_by_mrn
    from app.services.photo_export import export_photos

    db = open_db(args)
    actor = command_actor(args, db)
    with db.write() as session:  # the export itself is audited
        patient_id = patient_id_by_mrn(session, args.mrn)
        result = export_photos(session, patient_id=patient_id, folder=Path(args.dir),
                               actor=actor)
    print(f"{len(result.files)} photos and manifest.json written to {args.dir}")
    return 0
