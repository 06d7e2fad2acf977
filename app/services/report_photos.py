"""The photos a report prints, as plain records for app.reports.photos (which may not read the
database): per ulcer episode the baseline and the latest photo, cropped around the wound,
with the outline and a 1-cm bar true at the wound (the calibration's local scale there), and up
to 6 thumbnails spread across the episode.

Printed copies are re-encoded pixels: no EXIF, so no GPS or device serial (docs/product.md).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.domain.records import PatientHistory
from app.reports.photos import MAX_THUMBNAILS, EpisodePhotos, ReportPhoto
from app.services.photos import PhotoRecord, list_photos, photo_working

MAIN_MIN_SIDE = 600  # working px: the crop around the wound, at least (context, print size)
THUMB_MIN_SIDE = 260


def wound_px_per_cm(record: PhotoRecord) -> float | None:
    """Image px per cm on the skin at the wound's centre (full-resolution px): the scale of
    the printed bar, true at the wound whatever the camera's tilt."""
    from app.domain.wound_geometry import apply_homography, invert_3x3, local_scale_and_tilt

    c = record.calibration
    if c is None:
        return None
    points = record.outline or ((record.width_px / 2, record.height_px / 2),)
    centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    plane = apply_homography(c.image_to_plane, centre)
    px_per_mm, _tilt = local_scale_and_tilt(invert_3x3(c.image_to_plane), plane)
    return px_per_mm * 10.0


def _printable(record: PhotoRecord, working_jpeg: bytes, *, min_side: int, day: int | None
               ) -> ReportPhoto:
    """The working copy cropped around the wound (pixels as stored: nothing is enlarged)."""
    from app.imaging.views import crop_working, decode_rgb, encode_jpeg

    working = decode_rgb(working_jpeg)
    k = record.width_px / working.shape[1]
    outline = [((x + 0.5) / k - 0.5, (y + 0.5) / k - 0.5) for x, y in record.outline] \
        if record.outline else None
    rgb, (x0, y0) = crop_working(working, outline, min_side=min_side)
    drawn = tuple((x - x0, y - y0) for x, y in outline) if outline else None
    scale = wound_px_per_cm(record)
    return ReportPhoto(jpeg=encode_jpeg(rgb), width_px=int(rgb.shape[1]),
                       height_px=int(rgb.shape[0]), outline=drawn,
                       px_per_cm=scale / k if scale else None, visit_date=record.visit_date,
                       day=day, area_cm2=record.area_cm2, calibrated=record.calibrated)


def _spread(items: list, count: int) -> list:
    """`count` items evenly spread from the first to the last."""
    if len(items) <= count:
        return items
    step = (len(items) - 1) / (count - 1)
    return [items[round(n * step)] for n in range(count)]


def _episode_photos(session: Session, episode, chosen: list[PhotoRecord], *,
                    thumbnails: bool) -> EpisodePhotos:
    baseline_day = episode.assessments[0].on if episode.assessments else None

    def printable(r: PhotoRecord, side: int) -> ReportPhoto:
        day = (r.visit_date - baseline_day).days if baseline_day else None
        return _printable(r, photo_working(session, r.id), min_side=side, day=day)

    first = printable(chosen[0], MAIN_MIN_SIDE)
    last = printable(chosen[-1], MAIN_MIN_SIDE) if len(chosen) > 1 else first
    thumbs = tuple(printable(r, THUMB_MIN_SIDE)
                   for r in _spread(chosen, MAX_THUMBNAILS)) if thumbnails else ()
    return EpisodePhotos(ulcer_id=episode.ulcer_id, label=episode.label, baseline=first,
                         latest=last, thumbnails=thumbs, site=episode.site)


def load_report_photos(session: Session, history: PatientHistory, *,
                       thumbnails: bool = True) -> list[EpisodePhotos]:
    """The printable photos of every episode of the patient that has any (one per
    assessment: its primary photo)."""
    records = list_photos(session, patient_id=history.patient.id)
    out = []
    for episode in history.episodes if records else ():
        ids = {a.id for a in episode.assessments}
        per_visit: dict[int, PhotoRecord] = {}
        for r in records:
            if r.assessment_id in ids and (r.assessment_id not in per_visit or r.is_primary):
                per_visit[r.assessment_id] = r
        chosen = sorted(per_visit.values(), key=lambda r: (r.visit_date, r.id))
        if chosen:
            out.append(_episode_photos(session, episode, chosen, thumbnails=thumbnails))
    return out
