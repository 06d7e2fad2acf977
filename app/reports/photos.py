"""Wound photos in the reports: per ulcer episode the baseline and the latest photo with the
outline and a 1-cm scale bar, and up to 6 thumbnails across the episode (clinician); baseline
against latest (patient).

Plain records in (`ReportPhoto`: image bytes, outline and px per cm in the image's own pixels),
built by the service layer (app.services.report_photos); this module only lays them out. A
photo is never upscaled: it is drawn at PRINT_DPI or finer (docs/product.md, photos).
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import inch, mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from app.reports.fonts import BOLD, REGULAR
from app.reports.layout import INK, MUTED, Styles, para, rich

PRINT_DPI = 300  # a photo's pixels are never drawn larger than 1/300 inch
MAX_THUMBNAILS = 6
OUTLINE = colors.HexColor("#00c8e0")
SCALE_BAR_CM = 1.0


@dataclass(frozen=True)
class ReportPhoto:
    """One photo as printed. px_per_cm is None when the photo is not calibrated (no bar)."""

    jpeg: bytes
    width_px: int
    height_px: int
    outline: tuple[tuple[float, float], ...] | None
    px_per_cm: float | None
    visit_date: dt.date
    day: int | None  # days since the episode's baseline
    area_cm2: float | None
    calibrated: bool

    def caption(self) -> str:
        parts = [self.visit_date.isoformat()]
        if self.day is not None:
            parts.append(f"day {self.day}")
        if not self.calibrated:
            parts.append("not calibrated")
        elif self.area_cm2 is not None:
            parts.append(f"{self.area_cm2:.2f} cm²")
        return " · ".join(parts)


@dataclass(frozen=True)
class EpisodePhotos:
    """The photos of one ulcer episode chosen for print."""

    ulcer_id: int
    label: str
    baseline: ReportPhoto | None
    latest: ReportPhoto | None
    thumbnails: tuple[ReportPhoto, ...] = ()
    site: str = ""


def max_points_per_px() -> float:
    """The largest drawn size of one image pixel (points) that is not an upscale."""
    return inch / PRINT_DPI


class PhotoFigure(Flowable):
    """A photo with its outline and a 1-cm scale bar, at most max_w x max_h points and never
    larger than its pixels at PRINT_DPI."""

    def __init__(self, photo: ReportPhoto, max_w: float, max_h: float, *, bar: bool = True):
        super().__init__()
        self.photo, self.bar = photo, bar
        self.scale = min(max_w / photo.width_px, max_h / photo.height_px, max_points_per_px())
        self.width = photo.width_px * self.scale
        self.height = photo.height_px * self.scale

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        from reportlab.lib.utils import ImageReader

        c, p, k = self.canv, self.photo, self.scale
        c.drawImage(ImageReader(io.BytesIO(p.jpeg)), 0, 0, self.width, self.height)
        if p.outline:
            path = c.beginPath()
            for n, (x, y) in enumerate(p.outline):
                px, py = (x + 0.5) * k, self.height - (y + 0.5) * k
                path.moveTo(px, py) if n == 0 else path.lineTo(px, py)
            path.close()
            c.setStrokeColor(OUTLINE)
            c.setLineWidth(1.2 if self.bar else 0.6)
            c.drawPath(path, stroke=1, fill=0)
        if self.bar and p.px_per_cm:
            self._scale_bar(p.px_per_cm * k * SCALE_BAR_CM)
        elif self.bar and not p.calibrated:
            self._label("not calibrated")

    def _scale_bar(self, length: float) -> None:
        c = self.canv
        x, y = 3 * mm, 3 * mm
        c.setFillColor(colors.white)
        c.rect(x - 1.5 * mm, y - 1.5 * mm, length + 3 * mm, 6.5 * mm, stroke=0, fill=1)
        c.setFillColor(INK)
        c.rect(x, y, length, 1.2 * mm, stroke=0, fill=1)
        c.setFont(BOLD, 6.5)
        c.drawString(x, y + 2 * mm, "1 cm")

    def _label(self, text: str) -> None:
        c = self.canv
        c.setFillColor(colors.white)
        c.rect(2 * mm, 2 * mm, 28 * mm, 5 * mm, stroke=0, fill=1)
        c.setFillColor(colors.HexColor("#b3261e"))
        c.setFont(BOLD, 7)
        c.drawString(3.5 * mm, 3.5 * mm, text)


def _figure_cell(photo: ReportPhoto | None, title: str, styles: Styles, max_w: float,
                 max_h: float, *, bar: bool = True) -> list[Flowable]:
    if photo is None:
        return [para(f"{title}: no photo", styles.small)]
    return [PhotoFigure(photo, max_w, max_h, bar=bar),
            para(f"{title}{': ' if title else ''}{photo.caption()}", styles.small)]


def _grid(cells: Sequence[list[Flowable]], widths: Sequence[float]) -> Table:
    table = Table([list(cells)], colWidths=list(widths), hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                               ("FONT", (0, 0), (-1, -1), REGULAR, 7),
                               ("TEXTCOLOR", (0, 0), (-1, -1), MUTED)]))
    return table


def baseline_and_latest(photos: EpisodePhotos, styles: Styles, *, width: float,
                        max_h: float = 70 * mm) -> Flowable:
    half = width / 2
    same = photos.latest is None or photos.baseline is photos.latest or (
        photos.baseline is not None and photos.latest.jpeg == photos.baseline.jpeg)
    cells = [_figure_cell(photos.baseline, "Baseline" if not same else "Photo", styles,
                          half - 8, max_h)]
    widths = [half]
    if not same:
        cells.append(_figure_cell(photos.latest, "Latest", styles, half - 8, max_h))
        widths.append(half)
    return _grid(cells, widths)


def episode_photo_section(photos: EpisodePhotos | None, styles: Styles, *,
                          width: float) -> list[Flowable]:
    """The clinician's photo block of one episode (nothing when it has no photo)."""
    if photos is None or photos.baseline is None:
        return []
    story: list[Flowable] = [KeepTogether([
        rich(f"Photos of {photos.label}", styles.h3),
        baseline_and_latest(photos, styles, width=width)])]
    thumbs = photos.thumbnails[:MAX_THUMBNAILS]
    if len(thumbs) > 2:
        cell_w = width / MAX_THUMBNAILS
        story.append(_grid([_figure_cell(p, "", styles, cell_w - 6, 30 * mm, bar=False)
                            for p in thumbs], [cell_w] * len(thumbs)))
    story.append(para("Outlines in cyan; each bar is 1 cm on the skin at the wound (scale from "
                      "the calibration card).", styles.small))
    return story


def patient_photo_section(photos: Sequence[EpisodePhotos], styles: Styles, *,
                          width: float) -> list[Flowable]:
    """The patient's version: the first wound with photos, its first and its latest photo."""
    chosen = next((p for p in photos if p.baseline is not None), None)
    if chosen is None:
        return []
    from app.domain.labels import site_label
    from app.reports.fonts import markup

    where = markup(site_label(chosen.site or chosen.label))
    return [rich(f"Your wound on the {where}: the first photo and the latest", styles.h3),
            baseline_and_latest(chosen, styles, width=width, max_h=55 * mm)]
